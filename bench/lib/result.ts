// One run's result (bench/results/<date>.json and .md): what each phase measured, the CPU seconds and peak memory
// of each process by phase, the targets, and the problems seen. BenchRecorder keeps it while the run goes on and
// writes it after each phase, at the end, and on the hard stop.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { CodecResult } from '../phases/codec';
import type { LifecycleResult } from '../phases/lifecycle';
import type { OpenLoopResult } from '../phases/open-loop';
import type { ReadResult } from '../phases/read';
import type { ReplayResult } from '../phases/replay';
import type { ScaleResult } from '../phases/scale';
import type { BenchOptions } from '../options';
import { machineInfo, type MachineInfo } from './machine';
import { CpuMeter, Sampler } from './processes';
import { renderMarkdown } from './report';
import { round } from './stats';
import type { Stack } from '../stack';

export interface BenchResult {
  machine: MachineInfo;
  settings: Record<string, unknown>;
  setup: Record<string, unknown>;
  lifecycle?: LifecycleResult;
  openLoop?: OpenLoopResult;
  read?: ReadResult;
  scale?: ScaleResult;
  replay?: ReplayResult;
  codec?: CodecResult;
  cpuSecondsByPhase: Record<string, Record<string, number>>;
  memoryPeakMiBByPhase: Record<string, Record<string, number>>;
  targets: Array<{ figure: string; target: string; value: string; met: boolean | null }>;
  problems: string[];
  totalSeconds: number;
}

export const INCOMPLETE = 'the run did not finish: these are the figures measured up to where it stopped';

/** Every phase's name, in the order they run (memory peaks are reported in this order). */
export const MEASURED_PHASES = [
  'warmup',
  'lifecycle',
  'baseline',
  'open-loop',
  'read-warm',
  'scale-start',
  'scale-open',
  'scale-due',
  'scale-baseline-due',
  'read-scale',
  'replay',
  'codec',
] as const;

export class BenchRecorder {
  private readonly cpu: CpuMeter;
  private readonly phaseStarts = new Map<string, Record<string, number>>();
  private readonly base: string;

  private constructor(
    readonly result: BenchResult,
    readonly sampler: Sampler,
    pids: () => Record<string, number | undefined>,
    options: BenchOptions,
    private readonly runStarted: number,
  ) {
    this.cpu = new CpuMeter(pids);
    const stamp = result.machine.date.replace(/[:]/g, '-').replace(/\.\d+Z$/, 'Z');
    mkdirSync(options.out, { recursive: true });
    this.base = path.join(options.out, `${stamp}${options.quick ? '-quick' : ''}`);
  }

  /** Starts sampling the stack's processes' memory and describes the machine. */
  static async start(stack: Stack, options: BenchOptions, runStarted: number): Promise<BenchRecorder> {
    const pids = () => ({
      server: stack.server.pid,
      worker: stack.worker.pid,
      baselineWorker: stack.baselineWorker.pid,
      // One process for both with the embedded register: counted once, as the worker.
      api: stack.api === stack.worker ? undefined : stack.api.pid,
      bench: process.pid,
    });
    const sampler = new Sampler(pids, 500);
    sampler.start();
    const memoryAtReady = sampler.sample().rssMiB;
    const persistence = process.env.BENCH_DATABASE_URL
      ? 'register: PostgreSQL (BENCH_DATABASE_URL)'
      : 'register: embedded PGlite, owned by the one process that runs the worker and the API';
    const result: BenchResult = {
      machine: await machineInfo(
        stack.cli,
        stack.connection,
        `dev server SQLite file (${path.basename(stack.tmp)}/data/temporal.db, WAL, synchronous=NORMAL); ${persistence}`,
      ),
      settings: {
        ...options,
        skip: [...options.skip],
        workerOptions: process.env.BENCH_WORKER_OPTIONS
          ? (JSON.parse(process.env.BENCH_WORKER_OPTIONS) as unknown)
          : 'as worker/main.ts (WORKER_MAX_CACHED_WORKFLOWS default 500, SDK defaults otherwise)',
        logLevel: process.env.BENCH_LOG_LEVEL ?? 'info (default)',
      },
      setup: {
        serverStartSeconds: round(stack.serverStartSeconds),
        bundleSeconds: round(stack.bundleSeconds),
        memoryAtReadyMiB: memoryAtReady,
      },
      cpuSecondsByPhase: {},
      memoryPeakMiBByPhase: {},
      targets: [],
      problems: [],
      totalSeconds: 0,
    };
    return new BenchRecorder(result, sampler, pids, options, runStarted);
  }

  /** The path of the result files, without .json / .md. */
  get resultBase(): string {
    return this.base;
  }

  phase(name: string): void {
    this.sampler.phase = name;
    this.phaseStarts.set(name, this.cpu.read());
  }

  endPhase(name: string): void {
    const before = this.phaseStarts.get(name);
    if (before) this.result.cpuSecondsByPhase[name] = CpuMeter.delta(before, this.cpu.read());
  }

  /** Runs `fn` as phase `name`: its memory samples are labelled so, its CPU seconds counted. */
  async measure<T>(name: string, fn: () => Promise<T>): Promise<T> {
    this.phase(name);
    const value = await fn();
    this.endPhase(name);
    return value;
  }

  problem(text: string): void {
    this.result.problems.push(text);
  }

  /** Stops sampling and files the peak memory of each process by phase. */
  stopSampling(): void {
    this.phase('stop');
    this.sampler.stop();
    for (const name of MEASURED_PHASES) {
      const peak = this.sampler.peak([name]);
      if (Object.keys(peak).length) this.result.memoryPeakMiBByPhase[name] = peak;
    }
  }

  /** Writes the JSON and the markdown as they stand; `final` false marks them as from a run that did not finish. */
  save(final: boolean): void {
    const { result } = this;
    result.totalSeconds = round((performance.now() - this.runStarted) / 1000);
    result.targets = targetsOf(result);
    const incomplete = result.problems.indexOf(INCOMPLETE);
    if (!final && incomplete < 0) result.problems.push(INCOMPLETE);
    if (final && incomplete >= 0) result.problems.splice(incomplete, 1);
    writeFileSync(
      `${this.base}.json`,
      `${JSON.stringify({ ...result, memorySamples: this.sampler.samples }, null, 2)}\n`,
    );
    writeFileSync(`${this.base}.md`, renderMarkdown(result));
  }
}

export function targetsOf(result: BenchResult): BenchResult['targets'] {
  const targets: BenchResult['targets'] = [];
  const add = (figure: string, target: string, value: number | undefined, met: (v: number) => boolean, unit = '') =>
    targets.push({
      figure,
      target,
      value: value === undefined || Number.isNaN(value) ? 'not measured' : `${value}${unit}`,
      met: value === undefined || Number.isNaN(value) ? null : met(value),
    });
  const lifecycle = result.lifecycle;
  // The targets are issue 17's (its table), each beside its figure.
  add('lifecycle throughput / raw-client baseline', '≥ 0.5×', lifecycle?.ratio, (v) => v >= 0.5, '×');
  for (const step of ['intake', 'acknowledge', 'outcome']) {
    add(
      `p99 ${step} (write) at concurrency ${String(result.settings.concurrency)}`,
      '< 250 ms',
      lifecycle?.api.steps[step]?.latencyMs.p99,
      (v) => v < 250,
      ' ms',
    );
  }
  const open = result.openLoop;
  const openLabel = `open loop at ${String(open?.ratePerSecond ?? '?')}/s (half capacity)`;
  add(`p99 intake, ${openLabel}`, '< 250 ms', open?.steps.intake?.latencyMs.p99, (v) => v < 250, ' ms');
  add(`p99 action, ${openLabel}`, '< 250 ms', open?.actionLatencyMs.p99, (v) => v < 250, ' ms');
  add('p99 GET /complaints/:ref (warm)', '< 50 ms', result.read?.warm?.state.api.latencyMs.p99, (v) => v < 50, ' ms');
  add(
    'p99 GET /complaints/:ref (at scale)',
    '< 50 ms',
    result.read?.atScale?.state.api.latencyMs.p99,
    (v) => v < 50,
    ' ms',
  );
  add(
    'p99 GET /complaints?status=open&overdue=true (at scale)',
    '< 100 ms',
    result.read?.atScale?.list.api.latencyMs.p99,
    (v) => v < 100,
    ' ms',
  );
  const memory = result.scale?.memoryMiB;
  const workerPeak = memory
    ? Math.max(
        memory.peakWhileDue?.worker ?? 0,
        memory.peakWhileStarting?.worker ?? 0,
        memory.allOpenBeforeFirstDue?.worker ?? 0,
      )
    : undefined;
  const openComplaints = `${String(result.scale?.complaints ?? '?')} open complaints`;
  const atRest = memory?.allOpenBeforeFirstDue?.worker;
  add(`worker RSS with ${openComplaints} (at rest)`, '< 1024 MiB', atRest, (v) => v < 1024, ' MiB');
  add(`worker RSS with ${openComplaints} (peak)`, '< 1536 MiB', workerPeak, (v) => v < 1536, ' MiB');
  add('reminder lateness p99', '≤ 5000 ms', result.scale?.lateness?.allMs.p99, (v) => v <= 5000, ' ms');
  const bare = result.scale?.bareTimers;
  add(
    `bare timer workflows' lateness p99, ${String(bare?.workflows ?? '?')} due at one instant (the floor on this machine)`,
    '≤ 5000 ms',
    bare?.latenessMs.p99,
    (v) => v <= 5000,
    ' ms',
  );
  add('audit replay, one process', '≥ 200 histories/s', result.replay?.perSecond, (v) => v >= 200, '/s');
  add(
    `audit replay, ${String(result.replay?.parallel?.processes ?? '?')} processes`,
    '≥ 200 histories/s',
    result.replay?.parallel?.perSecond,
    (v) => v >= 200,
    '/s',
  );
  add('lifecycle with the payload codec / without it', '≥ 0.9×', result.codec?.ratio, (v) => v >= 0.9, '×');
  add('npm run bench end to end', '< 600 s', result.totalSeconds, (v) => v < 600, ' s');
  return targets;
}
