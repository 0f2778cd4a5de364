// Phase 2, read path: GET /complaints/:ref (random refs) and GET /complaints?status=open&overdue=true over HTTP,
// then the raw client's query / list calls that answer them, each for --read-seconds at --concurrency. Run warm
// (over the lifecycle's complaints) and at scale (over the scale run's open complaints).
import { visibilityQuery } from '../../api/complaint-list';
import { complaintStateQuery } from '../../workflows/messages';
import { runHttp, runLoop, type HttpRunResult, type LoopRunResult } from '../lib/drivers';
import type { BenchRecorder } from '../lib/result';
import { round, summarise } from '../lib/stats';
import type { BenchOptions } from '../options';
import { auth, say, type Stack } from '../stack';

export const LIST_PATH = '/complaints?status=open&overdue=true';

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)] as T;
}

const ok2xx = (statuses: Record<string, number>) =>
  Object.entries(statuses).reduce((sum, [code, n]) => sum + (code.startsWith('2') ? n : 0), 0);

export type ReadFigures = ReturnType<typeof readFigures> | ReturnType<typeof loopReadFigures>;

function readFigures(result: HttpRunResult, step: string) {
  const record = result.steps[step] ?? { latenciesMs: [], statuses: {} };
  return {
    requests: record.latenciesMs.length,
    perSecond: round(ok2xx(record.statuses) / result.seconds),
    latencyMs: summarise(record.latenciesMs),
    statuses: record.statuses,
    errors: result.errors,
    timeouts: result.timeouts,
    seconds: round(result.seconds),
  };
}

function loopReadFigures(result: LoopRunResult, step: string) {
  const record = result.steps[step] ?? { latenciesMs: [], errors: 0, errorSamples: [] };
  return {
    requests: record.latenciesMs.length + record.errors,
    perSecond: round(record.latenciesMs.length / result.seconds),
    latencyMs: summarise(record.latenciesMs),
    errors: record.errors,
    errorSamples: record.errorSamples,
    seconds: round(result.seconds),
  };
}

async function readState(stack: Stack, refs: readonly string[], seconds: number, concurrency: number) {
  const api = await runHttp({
    url: stack.apiUrl,
    connections: concurrency,
    durationSeconds: seconds,
    steps: [{ name: 'state', method: 'GET', path: () => `/complaints/${pick(refs)}`, headers: auth(stack, 'officer') }],
  });
  const raw = await runLoop({
    concurrency,
    durationSeconds: seconds,
    iteration: async (_i, time) => {
      // With the API's own deadline (API_TEMPORAL_TIMEOUT_MS, 10 s by default), so both give up alike.
      await time('query', () =>
        stack.client.connection.withDeadline(Date.now() + 10_000, () =>
          stack.client.workflow.getHandle(pick(refs)).query(complaintStateQuery),
        ),
      );
    },
  });
  return { api: readFigures(api, 'state'), raw: loopReadFigures(raw, 'query') };
}

async function readList(stack: Stack, seconds: number, concurrency: number) {
  const api = await runHttp({
    url: stack.apiUrl,
    connections: concurrency,
    durationSeconds: seconds,
    steps: [{ name: 'list', method: 'GET', path: LIST_PATH, headers: auth(stack, 'officer') }],
  });
  // What ComplaintService.list asks Temporal for that request (default page size 25).
  const query = visibilityQuery({ status: ['open'], overdue: true });
  const raw = await runLoop({
    concurrency,
    durationSeconds: seconds,
    iteration: async (_i, time) => {
      await time('list', () =>
        stack.client.workflowService.listWorkflowExecutions({ namespace: 'default', query, pageSize: 25 }),
      );
    },
  });
  return { api: readFigures(api, 'list'), raw: loopReadFigures(raw, 'list'), query };
}

export interface ReadResult {
  warm?: { state: Awaited<ReturnType<typeof readState>>; complaints: number };
  atScale?: {
    complaints: number;
    open: number;
    state: Awaited<ReturnType<typeof readState>>;
    list: Awaited<ReturnType<typeof readList>>;
  };
}

/** Reads of one complaint's state over the lifecycle's complaints. */
export async function runWarmReadPhase(
  stack: Stack,
  options: BenchOptions,
  recorder: BenchRecorder,
  refs: readonly string[],
): Promise<void> {
  await recorder.measure('read-warm', async () => {
    say(
      `read path (warm): GET /complaints/:ref over the ${refs.length} lifecycle complaints, ${options.readSeconds}s each, API then raw query`,
    );
    const state = await readState(stack, refs, options.readSeconds, options.concurrency);
    recorder.result.read = { warm: { state, complaints: refs.length } };
  });
}

/** Reads of one complaint's state over the open complaints, and the overdue list. */
export async function runScaleReadPhase(
  stack: Stack,
  options: BenchOptions,
  recorder: BenchRecorder,
  openRefs: readonly string[],
  lifecycleRefs: readonly string[],
): Promise<void> {
  await recorder.measure('read-scale', async () => {
    say(
      `read path (at scale): GET /complaints/:ref over ${openRefs.length} open complaints, and ${LIST_PATH}, ${options.readSeconds}s each, API then raw`,
    );
    const state = await readState(stack, openRefs, options.readSeconds, options.concurrency);
    const list = await readList(stack, options.readSeconds, options.concurrency);
    recorder.result.read = {
      ...(recorder.result.read ?? {}),
      atScale: { complaints: openRefs.length + lifecycleRefs.length, open: openRefs.length, state, list },
    };
  });
}
