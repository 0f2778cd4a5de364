// The drill's HTTP client: one request as a careful real client makes it. A request carries an Idempotency-Key;
// when it answers 5xx, or does not answer in time, or the connection fails, it is sent again with the SAME key and
// the SAME body (so the API records it at most once), with a growing pause, until it gets another answer or its
// deadline passes. Every try is counted, so the caller can say what the faults did to the traffic.
import { randomUUID } from 'node:crypto';

export interface Answer {
  /** The last status seen; 0 when the last try got no HTTP answer at all (connection refused, timeout). */
  status: number;
  body: unknown;
  /** Tries made (1 = answered the first time). */
  tries: number;
  /** Tries that answered 5xx, and those that got no answer. */
  answered5xx: number;
  noAnswer: number;
  /** The error codes of the 5xx answers, in order (e.g. temporal-unavailable). */
  codes5xx: string[];
  key: string;
}

export interface RetryPolicy {
  /** One try gives up after this long (the API's own Temporal deadline is 10 s). */
  tryTimeoutMs: number;
  /** The request gives up after this long in all (its last answer stands). */
  deadlineMs: number;
  firstPauseMs: number;
  maxPauseMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  tryTimeoutMs: 15_000,
  deadlineMs: 120_000,
  firstPauseMs: 250,
  maxPauseMs: 3_000,
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** POSTs `body` to `url` with `headers` and a fresh Idempotency-Key, retrying as the file's header says. */
export async function postWithRetries(
  url: string,
  headers: Record<string, string>,
  body: unknown,
  policy: RetryPolicy = DEFAULT_RETRY,
): Promise<Answer> {
  const key = randomUUID();
  const payload = JSON.stringify(body);
  const deadline = Date.now() + policy.deadlineMs;
  const answer: Answer = { status: 0, body: undefined, tries: 0, answered5xx: 0, noAnswer: 0, codes5xx: [], key };
  let pause = policy.firstPauseMs;
  for (;;) {
    answer.tries += 1;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'idempotency-key': key },
        body: payload,
        signal: AbortSignal.timeout(policy.tryTimeoutMs),
      });
      answer.status = response.status;
      const text = await response.text();
      answer.body = text ? (JSON.parse(text) as unknown) : undefined;
      if (response.status < 500) return answer;
      answer.answered5xx += 1;
      const code = (answer.body as { error?: { code?: unknown } } | undefined)?.error?.code;
      answer.codes5xx.push(typeof code === 'string' ? code : String(response.status));
    } catch {
      answer.status = 0;
      answer.body = undefined;
      answer.noAnswer += 1;
    }
    if (Date.now() + pause > deadline) return answer;
    await sleep(pause);
    pause = Math.min(pause * 2, policy.maxPauseMs);
  }
}
