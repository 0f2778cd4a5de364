// How every command in scripts/ ends: its exit code, or 2 with the usage for a bad argument, or 1 with the error's
// message (no stack: an operator reads it).

/** Runs a command's `main`; `isUsageError` says which of its own errors are about the arguments (exit 2). */
export function runCommand(
  main: () => Promise<number>,
  usage: string,
  isUsageError: (err: unknown) => boolean = () => false,
): void {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      // A gRPC error's code is a number: only Node's own argument errors (util.parseArgs) have string codes.
      const code = (err as { code?: unknown } | null)?.code;
      if (isUsageError(err) || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))) {
        console.error(`${(err as Error).message}\n\n${usage}`);
        process.exit(2);
      }
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
