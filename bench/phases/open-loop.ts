// Phase 1b, open loop: complaints arrive at a fixed rate, half the lifecycle throughput measured a moment before in
// the same run, for `--open-loop-seconds`; each goes intake → acknowledge → outcome as in the lifecycle phase. At
// concurrency 32 on saturated cores the closed loop's latency only restates its throughput (Little's law); this is
// the latency a caller sees when the service has headroom, which is what the < 250 ms target is about.
import { runOpenLoop } from '../lib/drivers';
import type { BenchRecorder } from '../lib/result';
import { round, summarise } from '../lib/stats';
import type { BenchOptions } from '../options';
import { say, type Stack } from '../stack';
import { complaintLifecycle, loopSteps } from './lifecycle';

/** The fraction of the measured capacity the arrivals come at. */
export const OPEN_LOOP_LOAD = 0.5;

export type OpenLoopResult = Awaited<ReturnType<typeof openLoop>>;

async function openLoop(stack: Stack, ratePerSecond: number, seconds: number, capacityPerSecond: number) {
  const lifecycle = complaintLifecycle(stack);
  const result = await runOpenLoop({
    ratePerSecond,
    durationSeconds: seconds,
    iteration: async (_i, time) => {
      await lifecycle.run(time);
    },
  });
  const steps = loopSteps(result);
  const actions = [...(result.steps.acknowledge?.latenciesMs ?? []), ...(result.steps.outcome?.latenciesMs ?? [])];
  return {
    capacityPerSecond: round(capacityPerSecond),
    load: OPEN_LOOP_LOAD,
    ratePerSecond: round(ratePerSecond, 2),
    seconds: round(result.seconds),
    arrivals: result.iterations,
    completed: result.completed,
    steps: Object.fromEntries(
      Object.entries(steps).map(([name, figures]) => [name, { ...figures, statuses: lifecycle.statuses[name] ?? {} }]),
    ),
    /** Acknowledge and outcome together: "an action". */
    actionLatencyMs: summarise(actions),
    startLagMs: summarise(result.startLagMs),
  };
}

export async function runOpenLoopPhase(stack: Stack, options: BenchOptions, recorder: BenchRecorder): Promise<void> {
  const capacity = recorder.result.lifecycle?.api.perSecond;
  if (!capacity) {
    recorder.problem('open-loop: skipped, the lifecycle phase measured no capacity to take half of');
    return;
  }
  const rate = capacity * OPEN_LOOP_LOAD;
  const figures = await recorder.measure('open-loop', () => {
    say(
      `open loop: ${rate.toFixed(2)} complaints/s (half of ${capacity}/s) for ${options.openLoopSeconds} s, intake → acknowledge → outcome`,
    );
    return openLoop(stack, rate, options.openLoopSeconds, capacity);
  });
  recorder.result.openLoop = figures;
  say(
    `open loop: intake p99 ${figures.steps.intake?.latencyMs.p99 ?? '?'} ms, action p99 ${figures.actionLatencyMs.p99} ms (${figures.completed} of ${figures.arrivals} complete)`,
  );
  if (figures.completed < figures.arrivals)
    recorder.problem(`open-loop: ${figures.arrivals - figures.completed} of ${figures.arrivals} did not complete`);
}
