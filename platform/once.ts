/** `action` run at its first call only; every later call gets the first call's promise (a stop asked for twice). */
export function once(action: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= action());
}
