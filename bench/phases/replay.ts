// Phase 4, audit replay: histories of half lifecycle, half scale complaints fetched from the server (timed on
// their own), then replayed against the bundle the worker runs, in this process (`--parallel 1`) and then on one
// replay process per core (what `npm run audit -- replay` does by default).
import { performance } from 'node:perf_hooks';
import { fetchComplaintHistories, type ComplaintHistory } from '../../audit/histories';
import { defaultReplayParallelism, replayInParallel } from '../../audit/parallel-replay';
import type { PayloadKeyRing } from '../../platform/payload-keys';
import { installTemporalRuntime } from '../../platform/runtime';
import type { BenchRecorder } from '../lib/result';
import { round, summarise } from '../lib/stats';
import type { BenchOptions } from '../options';
import { say, type Stack } from '../stack';

async function replayRun(stack: Stack, refs: string[]) {
  installTemporalRuntime('warn');
  const fetchStarted = performance.now();
  const histories: ComplaintHistory[] = [];
  for await (const history of fetchComplaintHistories(stack.client, { refs })) histories.push(history);
  const fetchSeconds = (performance.now() - fetchStarted) / 1000;
  const events = histories.map((item) => item.history.events?.length ?? 0);
  const serial = await timedReplay(histories, stack.complaintBundle, 1, stack.payloadKeys);
  // What `npm run audit -- replay` does by default: one replay process per core (their start-up included).
  const parallel = await timedReplay(histories, stack.complaintBundle, defaultReplayParallelism(), stack.payloadKeys);
  return {
    histories: histories.length,
    eventsPerHistory: summarise(events),
    fetchSeconds: round(fetchSeconds),
    fetchedPerSecond: round(histories.length / fetchSeconds),
    replaySeconds: serial.seconds,
    perSecond: serial.perSecond,
    ok: serial.ok,
    failed: histories.length - serial.ok,
    failures: [...serial.failures, ...parallel.failures].slice(0, 5),
    parallel: {
      processes: parallel.processes,
      replaySeconds: parallel.seconds,
      perSecond: parallel.perSecond,
      startSeconds: parallel.startSeconds,
      perSecondOnceStarted: parallel.perSecondOnceStarted,
      ok: parallel.ok,
      speedup: round(serial.seconds / parallel.seconds),
    },
  };
}

async function timedReplay(
  histories: ComplaintHistory[],
  codePath: string,
  processes: number,
  payloadKeys: PayloadKeyRing | undefined,
) {
  const started = performance.now();
  let replayStarted = started;
  let ok = 0;
  const failures: string[] = [];
  for await (const outcome of replayInParallel(histories, {
    workflowBundle: { codePath },
    parallel: processes,
    onStarted: () => (replayStarted = performance.now()),
    ...(payloadKeys ? { payloadKeys } : {}),
  })) {
    if (outcome.ok) ok++;
    else if (failures.length < 5) failures.push(outcome.message);
  }
  const finished = performance.now();
  const seconds = (finished - started) / 1000;
  return {
    processes,
    seconds: round(seconds),
    perSecond: round(histories.length / seconds),
    /** The processes' start-up (node, the SDK, the bundle) left out: what a long audit approaches. */
    startSeconds: round((replayStarted - started) / 1000),
    perSecondOnceStarted: round((histories.length * 1000) / (finished - replayStarted)),
    ok,
    failures,
  };
}

export type ReplayResult = Awaited<ReturnType<typeof replayRun>>;

export async function runReplayPhase(
  stack: Stack,
  options: BenchOptions,
  recorder: BenchRecorder,
  scaleRefs: readonly string[],
  lifecycleRefs: readonly string[],
): Promise<void> {
  await recorder.measure('replay', async () => {
    const half = Math.floor(options.replay / 2);
    const fromScale = scaleRefs.slice(0, Math.min(half, scaleRefs.length));
    const refs = [...fromScale, ...lifecycleRefs.slice(0, options.replay - fromScale.length)];
    say(
      `replay: fetching and replaying ${refs.length} histories (${refs.length - fromScale.length} lifecycle, ${fromScale.length} from the scale run)`,
    );
    if (refs.length > 0) recorder.result.replay = await replayRun(stack, refs);
  });
}
