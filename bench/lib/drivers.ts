// Load drivers. HTTP: autocannon (fixed number of connections, each sending its next request as soon as the last
// one is answered). Raw Temporal client calls: the same closed loop, written out (autocannon speaks only HTTP).
// Every request's latency is kept, so percentiles are exact; every failure is counted, none retried.
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';

export interface StepRecord {
  latenciesMs: number[];
  statuses: Record<string, number>;
}

export interface HttpRunResult {
  seconds: number;
  steps: Record<string, StepRecord>;
  /** Connection errors and timeouts as autocannon counts them. */
  errors: number;
  timeouts: number;
  /** Sequences restarted because a step could not be built (its previous step failed). */
  resets: number;
}

export interface HttpStep {
  name: string;
  method: 'GET' | 'POST';
  /** Fixed path, or built from the sequence's context (return undefined to abandon the sequence). */
  path: string | ((context: Record<string, unknown>) => string | undefined);
  headers: Record<string, string>;
  body?: string | ((context: Record<string, unknown>) => string);
  /** Sees every answer, e.g. to keep the reference a step created. */
  onResponse?: (status: number, body: string, context: Record<string, unknown>) => void;
}

type RawRequest = { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer };

/**
 * Runs `steps` as a sequence on each of `connections` connections, for `amount` requests in all (or for
 * `durationSeconds`). The latency of each answer is filed under its step.
 */
export async function runHttp(options: {
  url: string;
  connections: number;
  steps: HttpStep[];
  amount?: number;
  durationSeconds?: number;
  timeoutSeconds?: number;
}): Promise<HttpRunResult> {
  const steps: Record<string, StepRecord> = Object.fromEntries(
    options.steps.map((step) => [step.name, { latenciesMs: [], statuses: {} }]),
  );
  const requests = options.steps.map((step) => {
    const dynamic = typeof step.path === 'function' || typeof step.body === 'function';
    return {
      method: step.method,
      headers: step.headers,
      ...(typeof step.path === 'string' ? { path: step.path } : {}),
      ...(typeof step.body === 'string' ? { body: step.body } : {}),
      ...(dynamic
        ? {
            setupRequest: (request: RawRequest, context: Record<string, unknown>) => {
              const path = typeof step.path === 'function' ? step.path(context) : step.path;
              if (path === undefined) return undefined;
              const body = typeof step.body === 'function' ? step.body(context) : step.body;
              return { ...request, path, ...(body !== undefined ? { body } : {}) };
            },
          }
        : {}),
      onResponse: (status: number, body: string, context: Record<string, unknown>) =>
        step.onResponse?.(status, body, context),
    };
  });
  const started = performance.now();
  let finish!: (result: autocannon.Result) => void;
  let fail!: (error: Error) => void;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const instance = autocannon(
    {
      url: options.url,
      connections: options.connections,
      pipelining: 1,
      timeout: options.timeoutSeconds ?? 30,
      ...(options.amount !== undefined ? { amount: options.amount } : { duration: options.durationSeconds ?? 10 }),
      // autocannon's types describe setupRequest loosely; the shape above is what it calls.
      requests: requests as unknown as autocannon.Request[],
    },
    (error, result) => (error ? fail(error instanceof Error ? error : new Error(String(error))) : finish(result)),
  );
  // Which step an answer belongs to: the request iterator still points at it when 'response' is emitted
  // (pipelining 1; autocannon moves to the next request only after emitting).
  instance.on('response', (client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    const index =
      (client as { requestIterator?: { currentRequestIndex?: number } }).requestIterator?.currentRequestIndex ?? 0;
    const step = steps[options.steps[index]?.name ?? ''];
    if (!step) return;
    step.latenciesMs.push(responseTime);
    step.statuses[String(statusCode)] = (step.statuses[String(statusCode)] ?? 0) + 1;
  });
  const result = await done;
  return {
    seconds: (performance.now() - started) / 1000,
    steps,
    errors: result.errors,
    timeouts: result.timeouts,
    resets: (result as unknown as { resets?: number }).resets ?? 0,
  };
}

export interface LoopRunResult {
  seconds: number;
  steps: Record<string, { latenciesMs: number[]; errors: number; errorSamples: string[] }>;
  iterations: number;
  completed: number;
}

type StepTimer = <T>(step: string, fn: () => Promise<T>) => Promise<T>;

/** `time(step, fn)` records fn's latency under `step`, or (if it throws) an error with a sample of its message. */
function stepTimer(): { steps: LoopRunResult['steps']; time: StepTimer } {
  const steps: LoopRunResult['steps'] = {};
  const record = (step: string) => (steps[step] ??= { latenciesMs: [], errors: 0, errorSamples: [] });
  const time = async <T>(step: string, fn: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    try {
      const value = await fn();
      record(step).latenciesMs.push(performance.now() - start);
      return value;
    } catch (error) {
      const entry = record(step);
      entry.errors++;
      if (entry.errorSamples.length < 5)
        entry.errorSamples.push(String((error as Error).message ?? error).slice(0, 300));
      throw error;
    }
  };
  return { steps, time };
}

/**
 * `concurrency` loops, each running `iteration(i, time)` for the next i until `count` iterations were started
 * (or `durationSeconds` passed). `time(step, fn)` records the latency of one call under `step`; a call that throws
 * is counted as that step's error and ends the iteration.
 */
export async function runLoop(options: {
  concurrency: number;
  count?: number;
  durationSeconds?: number;
  iteration: (i: number, time: <T>(step: string, fn: () => Promise<T>) => Promise<T>) => Promise<void>;
}): Promise<LoopRunResult> {
  const { steps, time } = stepTimer();
  const started = performance.now();
  const deadline =
    options.durationSeconds !== undefined ? started + options.durationSeconds * 1000 : Number.POSITIVE_INFINITY;
  let next = 0;
  let completed = 0;
  const loop = async () => {
    for (;;) {
      if (options.count !== undefined && next >= options.count) return;
      if (performance.now() >= deadline) return;
      const i = next++;
      try {
        await options.iteration(i, time);
        completed++;
      } catch {
        // counted by time()
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, loop));
  return { seconds: (performance.now() - started) / 1000, steps, iterations: next, completed };
}

export interface OpenLoopRunResult extends LoopRunResult {
  /** How late each iteration began after its scheduled arrival (the driver's own lag; ~0 unless it is starved). */
  startLagMs: number[];
}

/**
 * Open loop: iteration i begins at `i / ratePerSecond` seconds, whether or not the earlier ones are done (as callers
 * arrive at a service), for `durationSeconds`; then waits for those in flight. Latency is not hidden by a queue
 * of callers waiting on each other, as in the closed loop at a fixed concurrency.
 */
export async function runOpenLoop(options: {
  ratePerSecond: number;
  durationSeconds: number;
  iteration: (i: number, time: StepTimer) => Promise<void>;
}): Promise<OpenLoopRunResult> {
  const { steps, time } = stepTimer();
  const arrivals = Math.max(1, Math.floor(options.ratePerSecond * options.durationSeconds));
  const startLagMs: number[] = [];
  const inFlight: Array<Promise<void>> = [];
  let completed = 0;
  const started = performance.now();
  for (let i = 0; i < arrivals; i++) {
    const due = started + (i * 1000) / options.ratePerSecond;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    startLagMs.push(Math.max(0, performance.now() - due));
    inFlight.push(
      options.iteration(i, time).then(
        () => void completed++,
        () => undefined, // counted by time()
      ),
    );
  }
  await Promise.all(inFlight);
  return { seconds: (performance.now() - started) / 1000, steps, iterations: arrivals, completed, startLagMs };
}
