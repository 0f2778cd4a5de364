// Phase "codec" (issue 14): what the payload codec costs. The same HTTP lifecycle as phase 1 (intake → acknowledge →
// outcome), through two fresh worker + API pairs on the same dev server, started for this phase: one with the payload
// codec (AES-256-GCM, development keys in its DATA_DIR, as `npm start`), one with PAYLOAD_ENCRYPTION=off. Each pair
// has its own task queue and register (DATA_DIR), so neither shares a queue, a cache or a PGlite lock with the other.
// The measured complaints go in alternating rounds (on, off, off, on: a drift of the machine's load during the phase
// falls on both alike); throughput = completed / seconds summed over each mode's rounds; ratio = on / off (target
// ≥ 0.9). The CPU seconds of each pair's worker and API say where the codec's cost lands. Both pairs take new
// complaints under dundee-swd-2011@2 (a procedure schedule of one period): the shipped schedule gives today's
// complaints the 2020 procedure, which has no acknowledgement step, so the lifecycle's acknowledge would be a 409.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ChildGroup, httpOk, waitForLine, waitForProbe } from '../../devtools/child-processes';
import { unusedLoopbackPort } from '../../platform/ports';
import { repoRoot } from '../../platform/repo-root';
import type { BenchOptions } from '../options';
import type { BenchRecorder } from '../lib/result';
import { CpuMeter } from '../lib/processes';
import { round } from '../lib/stats';
import { say, type Stack } from '../stack';
import { apiLifecycle } from './lifecycle';

const MODES = ['on', 'off'] as const;
type Mode = (typeof MODES)[number];
const ROUNDS: readonly Mode[] = ['on', 'off', 'off', 'on'];

interface Pair {
  stack: Stack;
  workerPid: number;
  /** Absent when the API is the worker's own process. */
  apiPid: number | undefined;
}

export interface CodecResult {
  complaintsPerMode: number;
  concurrency: number;
  on: CodecModeFigures;
  off: CodecModeFigures;
  /** Throughput with the codec / without it. */
  ratio: number;
  /** Each round as it went (how much the machine's load moved between them). */
  rounds: Array<{ mode: Mode; completed: number; seconds: number }>;
}

interface CodecModeFigures {
  completed: number;
  seconds: number;
  perSecond: number;
  /** CPU ms per completed complaint, of the pair's worker and API. */
  cpuMsPerComplaint: { worker: number; api: number };
  /** HTTP statuses by step, and the first failures' messages (a failed step ends its complaint). */
  statuses: Record<string, Record<string, number>>;
  errorSamples: string[];
}

type Totals = Pick<CodecModeFigures, 'completed' | 'seconds' | 'statuses' | 'errorSamples'>;

function add(totals: Totals, run: Awaited<ReturnType<typeof apiLifecycle>>): void {
  totals.completed += run.completed;
  totals.seconds += run.seconds;
  for (const [step, counts] of Object.entries(run.statuses))
    for (const [status, n] of Object.entries(counts)) {
      const byStatus = (totals.statuses[step] ??= {});
      byStatus[status] = (byStatus[status] ?? 0) + n;
    }
  for (const step of Object.values(run.steps))
    totals.errorSamples.push(...step.errorSamples.slice(0, Math.max(0, 5 - totals.errorSamples.length)));
}

/** A worker + API pair with the codec on or off, on its own task queue, port and DATA_DIR. */
async function startPair(children: ChildGroup, stack: Stack, mode: Mode): Promise<Pair> {
  const dataDir = path.join(stack.tmp, `codec-${mode}`);
  mkdirSync(dataDir, { recursive: true });
  const schedule = path.join(stack.tmp, 'codec-procedure-schedule.yaml');
  writeFileSync(schedule, 'periods:\n  - procedure: dundee-swd-2011@2\n');
  const port = await unusedLoopbackPort();
  const taskQueue = `bench-codec-${mode}`;
  const env = {
    ...stack.childEnv,
    DATA_DIR: dataDir,
    PORT: String(port),
    TEMPORAL_TASK_QUEUE: taskQueue,
    PROCEDURE_SCHEDULE_PATH: schedule,
    ...(mode === 'off' ? { PAYLOAD_ENCRYPTION: 'off' } : {}),
  };
  const start = (name: string, args: string[]) =>
    children.start({
      name,
      command: process.execPath,
      args: ['--import', 'tsx', ...args],
      env,
      cwd: repoRoot(),
      logFile: path.join(stack.tmp, `${name}.log`),
      stopTimeoutMs: 60_000,
    });
  // With the embedded register, one process for both (bench/stack.ts says why): its CPU is counted as the worker's.
  const combined = !stack.childEnv.DATABASE_URL;
  const worker = start(`codec-${mode}-worker`, [
    path.join(repoRoot(), 'bench/worker.ts'),
    combined ? 'engine' : 'complaints',
    stack.complaintBundle,
    taskQueue,
  ]);
  const api = combined ? worker : start(`codec-${mode}-api`, [path.join(repoRoot(), 'api/main.ts')]);
  const apiUrl = `http://127.0.0.1:${port}`;
  await Promise.all([
    waitForLine(worker, /^READY/),
    waitForProbe(api, 'a healthy /health', httpOk(`${apiUrl}/health`)),
  ]);
  return {
    stack: { ...stack, apiUrl, taskQueue, dataDir },
    workerPid: worker.pid,
    apiPid: combined ? undefined : api.pid,
  };
}

function figuresOf(totals: Totals, cpu: Record<string, number>, mode: Mode): CodecModeFigures {
  const { completed, seconds } = totals;
  const perComplaint = (cpuSeconds: number | undefined) =>
    round(((cpuSeconds ?? 0) * 1000) / Math.max(1, completed), 1);
  return {
    ...totals,
    seconds: round(seconds),
    perSecond: round(completed / seconds),
    cpuMsPerComplaint: { worker: perComplaint(cpu[`${mode}-worker`]), api: perComplaint(cpu[`${mode}-api`]) },
  };
}

/** Both pairs warmed up, then the alternating rounds; the figures into `recorder.result.codec`. */
async function measure(pairs: Record<Mode, Pair>, options: BenchOptions, perMode: number): Promise<CodecResult> {
  const { concurrency, warmup } = options;
  for (const mode of MODES) await apiLifecycle(pairs[mode].stack, warmup, concurrency, []);
  const meter = new CpuMeter(() => ({
    'on-worker': pairs.on.workerPid,
    'on-api': pairs.on.apiPid,
    'off-worker': pairs.off.workerPid,
    'off-api': pairs.off.apiPid,
  }));
  const empty = (): Totals => ({ completed: 0, seconds: 0, statuses: {}, errorSamples: [] });
  const totals = { on: empty(), off: empty() };
  const cpu: Record<string, number> = {};
  const rounds: CodecResult['rounds'] = [];
  const perRound = Math.ceil(perMode / 2);
  for (const mode of ROUNDS) {
    const before = meter.read();
    const run = await apiLifecycle(pairs[mode].stack, perRound, concurrency, []);
    for (const [name, seconds] of Object.entries(CpuMeter.delta(before, meter.read())))
      if (name.startsWith(mode)) cpu[name] = (cpu[name] ?? 0) + seconds;
    add(totals[mode], run);
    rounds.push({ mode, completed: run.completed, seconds: round(run.seconds) });
    say(`codec ${mode}: ${run.completed} complaints in ${run.seconds.toFixed(1)} s`);
  }
  const on = figuresOf(totals.on, cpu, 'on');
  const off = figuresOf(totals.off, cpu, 'off');
  return {
    complaintsPerMode: perRound * 2,
    concurrency,
    on,
    off,
    ratio: round(on.perSecond / off.perSecond, 2),
    rounds,
  };
}

/** The codec phase: `--complaints` / 2 complaints per mode (at least 100). */
export async function runCodecPhase(stack: Stack, options: BenchOptions, recorder: BenchRecorder): Promise<void> {
  const perMode = Math.max(100, Math.round(options.complaints / 2));
  const children = new ChildGroup();
  try {
    say(`codec: starting a worker + API pair with the payload codec and one without`);
    const [on, off] = await Promise.all([startPair(children, stack, 'on'), startPair(children, stack, 'off')]);
    const result = await recorder.measure('codec', () => measure({ on, off }, options, perMode));
    recorder.result.codec = result;
    say(
      `codec: ${result.on.perSecond}/s with the codec, ${result.off.perSecond}/s without (ratio ${result.ratio.toFixed(2)})`,
    );
    for (const mode of MODES)
      if (result[mode].completed < result.complaintsPerMode)
        recorder.problem(
          `codec ${mode}: ${result.complaintsPerMode - result[mode].completed} complaints did not complete`,
        );
  } finally {
    await children.close();
  }
}
