// Phase 1, lifecycle: N complaints through intake → acknowledge → outcome over HTTP at a fixed concurrency, and
// the raw Temporal client doing the equivalent (start a minimal workflow + two Updates) against the same server,
// after a warm-up of each (not counted).
import type { BenchOptions } from '../options';
import { baselineAcknowledge, baselineOutcome } from '../baseline-workflow';
import { runLoop, type LoopRunResult } from '../lib/drivers';
import type { BenchRecorder } from '../lib/result';
import { round, summarise, type Summary } from '../lib/stats';
import { auth, intakeBody, type PersonKey, say, type Stack } from '../stack';

export interface StepFigures {
  latencyMs: Summary;
  errors: number;
  errorSamples: string[];
}

export function loopSteps(result: LoopRunResult): Record<string, StepFigures> {
  return Object.fromEntries(
    Object.entries(result.steps).map(([name, step]) => [
      name,
      { latencyMs: summarise(step.latenciesMs), errors: step.errors, errorSamples: step.errorSamples },
    ]),
  );
}

type Timer = <T>(step: string, fn: () => Promise<T>) => Promise<T>;

/**
 * One complaint's intake → acknowledge → outcome over HTTP (keep-alive), each step timed with `time`; the statuses
 * of every answer counted by step. A step that fails throws (counted under its status) and ends that complaint.
 * The open-loop phase (phases/open-loop.ts) sends the same three requests.
 */
export function complaintLifecycle(stack: Stack) {
  const statuses: Record<string, Record<string, number>> = { intake: {}, acknowledge: {}, outcome: {} };
  const post = async (step: string, url: string, who: PersonKey, body: string) => {
    const response = await fetch(`${stack.apiUrl}${url}`, {
      method: 'POST',
      headers: auth(stack, who),
      body,
      signal: AbortSignal.timeout(60_000),
    });
    const text = await response.text();
    const counts = statuses[step] ?? {};
    counts[String(response.status)] = (counts[String(response.status)] ?? 0) + 1;
    statuses[step] = counts;
    if (response.status >= 300) throw new Error(`${step}: HTTP ${response.status} ${text.slice(0, 200)}`);
    return { status: response.status, text };
  };
  const intake = JSON.stringify(intakeBody());
  const acknowledge = JSON.stringify({ note: 'Acknowledged by letter' });
  const outcome = JSON.stringify({ outcome: 'upheld', findings: 'Visits were missed; the rota has been changed.' });
  const run = async (time: Timer): Promise<string> => {
    const { text } = await time('intake', () => post('intake', '/complaints', 'intake', intake));
    const ref = (JSON.parse(text) as { ref: string }).ref;
    await time('acknowledge', () => post('acknowledge', `/complaints/${ref}/acknowledge`, 'officer', acknowledge));
    await time('outcome', () => post('outcome', `/complaints/${ref}/outcome`, 'officer', outcome));
    return ref;
  };
  return { run, statuses };
}

/**
 * `count` complaints through complaintLifecycle: `concurrency` loops, each taking the next complaint as soon as its
 * last one is done, like the baseline below. The references made are pushed to `refs`.
 */
export async function apiLifecycle(stack: Stack, count: number, concurrency: number, refs: string[]) {
  const lifecycle = complaintLifecycle(stack);
  const result = await runLoop({
    concurrency,
    count,
    iteration: async (_i, time) => {
      refs.push(await lifecycle.run(time));
    },
  });
  return { ...result, statuses: lifecycle.statuses };
}

/** The same conversation with the raw client: start the minimal workflow, then its two Updates. */
async function baselineLifecycle(
  stack: Stack,
  count: number,
  concurrency: number,
  prefix: string,
): Promise<LoopRunResult> {
  return runLoop({
    concurrency,
    count,
    iteration: async (i, time) => {
      const workflowId = `${prefix}-${i}`;
      const handle = await time('start', () =>
        stack.baselineClient.workflow.start('baselineWorkflow', {
          taskQueue: stack.baselineTaskQueue,
          workflowId,
          args: [workflowId],
        }),
      );
      await time('acknowledge', () =>
        handle.executeUpdate(baselineAcknowledge, { args: [{ note: 'Acknowledged by letter' }] }),
      );
      await time('outcome', () => handle.executeUpdate(baselineOutcome, { args: [{ outcome: 'upheld' }] }));
    },
  });
}

/** What Temporal recorded per workflow, for a sample: events, workflow tasks, activities. */
async function historyShape(stack: Stack, workflowIds: readonly string[]) {
  const events: number[] = [];
  const workflowTasks: number[] = [];
  const activities: number[] = [];
  for (const workflowId of workflowIds) {
    const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
    const list = history.events ?? [];
    events.push(list.length);
    workflowTasks.push(list.filter((event) => event.workflowTaskCompletedEventAttributes).length);
    activities.push(list.filter((event) => event.activityTaskScheduledEventAttributes).length);
  }
  return {
    sampled: workflowIds.length,
    events: summarise(events),
    workflowTasks: summarise(workflowTasks),
    activities: summarise(activities),
  };
}

export type LifecycleResult = Awaited<ReturnType<typeof lifecycleFigures>>;

async function lifecycleFigures(
  stack: Stack,
  options: BenchOptions,
  runTag: string,
  api: Awaited<ReturnType<typeof apiLifecycle>>,
  baseline: LoopRunResult,
  refs: readonly string[],
) {
  const apiRate = api.completed / api.seconds;
  const baselineRate = baseline.completed / baseline.seconds;
  return {
    api: {
      complaints: options.complaints,
      completed: api.completed,
      seconds: round(api.seconds),
      perSecond: round(apiRate),
      steps: Object.fromEntries(
        Object.entries(loopSteps(api)).map(([name, figures]) => [
          name,
          { ...figures, statuses: api.statuses[name] ?? {} },
        ]),
      ),
    },
    baseline: {
      workflows: options.complaints,
      completed: baseline.completed,
      seconds: round(baseline.seconds),
      perSecond: round(baselineRate),
      steps: loopSteps(baseline),
    },
    ratio: round(apiRate / baselineRate, 2),
    historyPerWorkflow: {
      complaint: await historyShape(stack, refs.slice(0, 20)),
      baseline: await historyShape(
        stack,
        Array.from({ length: Math.min(20, options.complaints) }, (_, i) => `bench-baseline-${runTag}-${i}`),
      ),
    },
  };
}

/** Warm-up, then the measured lifecycle and baseline runs; the complaints' references are pushed to `refs`. */
export async function runLifecyclePhase(
  stack: Stack,
  options: BenchOptions,
  recorder: BenchRecorder,
  runTag: string,
  refs: string[],
): Promise<void> {
  const { complaints, concurrency, warmup } = options;
  await recorder.measure('warmup', async () => {
    say(`warm-up: ${warmup} complaints over HTTP and ${warmup} baseline workflows (not counted)`);
    await apiLifecycle(stack, warmup, concurrency, []);
    await baselineLifecycle(stack, warmup, concurrency, `bench-warmup-${runTag}`);
  });
  const api = await recorder.measure('lifecycle', () => {
    say(`lifecycle: ${complaints} complaints, intake → acknowledge → outcome, ${concurrency} connections`);
    return apiLifecycle(stack, complaints, concurrency, refs);
  });
  const baseline = await recorder.measure('baseline', () => {
    say(`baseline: ${complaints} minimal workflows, start + 2 Updates, raw client, concurrency ${concurrency}`);
    return baselineLifecycle(stack, complaints, concurrency, `bench-baseline-${runTag}`);
  });
  const figures = await lifecycleFigures(stack, options, runTag, api, baseline, refs);
  recorder.result.lifecycle = figures;
  say(
    `lifecycle: ${figures.api.perSecond.toFixed(1)} complaints/s over HTTP vs ${figures.baseline.perSecond.toFixed(1)}/s raw (ratio ${figures.ratio.toFixed(2)})`,
  );
  if (api.completed < complaints)
    recorder.problem(
      `lifecycle: ${complaints - api.completed} of ${complaints} complaints did not complete (see statuses)`,
    );
  if (baseline.completed < complaints)
    recorder.problem(`baseline: ${complaints - baseline.completed} of ${complaints} did not complete`);
}
