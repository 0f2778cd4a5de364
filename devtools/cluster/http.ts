// A request as a careful client makes it against a cluster that may be losing a process: it carries an
// Idempotency-Key and, when it answers 5xx, times out or cannot connect, is sent again with the same key and the
// same body (the API records it at most once) after a growing pause, until another answer or its deadline.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';

export interface Answer {
  /** The last status seen; 0 when the last try got no HTTP answer. */
  status: number;
  body: unknown;
  tries: number;
  answered5xx: number;
  noAnswer: number;
  /** From the first try to the last answer. */
  ms: number;
  /** When the answer came (performance.now()). */
  at: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function send(
  method: 'GET' | 'POST',
  url: string,
  headers: Record<string, string>,
  body?: unknown,
  options: { deadlineMs?: number; tryTimeoutMs?: number; key?: string } = {},
): Promise<Answer> {
  const deadline = performance.now() + (options.deadlineMs ?? 180_000);
  const key = options.key ?? randomUUID();
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const started = performance.now();
  const answer: Answer = { status: 0, body: undefined, tries: 0, answered5xx: 0, noAnswer: 0, ms: 0, at: 0 };
  let pause = 250;
  for (;;) {
    answer.tries += 1;
    try {
      const response = await fetch(url, {
        method,
        headers: method === 'POST' ? { ...headers, 'idempotency-key': key } : headers,
        ...(payload !== undefined ? { body: payload } : {}),
        signal: AbortSignal.timeout(options.tryTimeoutMs ?? 20_000),
      });
      const text = await response.text();
      answer.status = response.status;
      answer.body = text ? (JSON.parse(text) as unknown) : undefined;
      if (response.status < 500) break;
      answer.answered5xx += 1;
    } catch {
      answer.status = 0;
      answer.body = undefined;
      answer.noAnswer += 1;
    }
    if (performance.now() + pause > deadline) break;
    await sleep(pause);
    pause = Math.min(pause * 2, 3_000);
  }
  answer.at = performance.now();
  answer.ms = answer.at - started;
  return answer;
}
