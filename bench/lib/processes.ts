// The resident memory and CPU time of the benchmark's processes, read from /proc (Linux). The processes themselves
// are started and stopped by devtools/child-processes.ts (bench/stack.ts).
import { readFileSync } from 'node:fs';

const CLOCK_TICKS = 100; // getconf CLK_TCK on Linux

/** Resident set size and its peak (VmHWM) in MiB, or undefined when the process is gone. */
export function memoryOf(pid: number): { rssMiB: number; peakMiB: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
    return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

/** User + system CPU seconds the process has used so far. */
export function cpuSecondsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

export interface MemorySample {
  /** Seconds since the sampler started. */
  t: number;
  phase: string;
  rssMiB: Record<string, number>;
}

/** Samples the resident memory of named processes every `intervalMs`. */
export class Sampler {
  readonly samples: MemorySample[] = [];
  private readonly started = Date.now();
  private timer?: NodeJS.Timeout;
  phase = 'start';

  constructor(
    private readonly pids: () => Record<string, number | undefined>,
    private readonly intervalMs = 1_000,
  ) {}

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  sample(): MemorySample {
    const rssMiB: Record<string, number> = {};
    for (const [name, pid] of Object.entries(this.pids())) {
      const memory = pid === undefined ? undefined : memoryOf(pid);
      if (memory) rssMiB[name] = Math.round(memory.rssMiB);
    }
    const sample = { t: Math.round((Date.now() - this.started) / 100) / 10, phase: this.phase, rssMiB };
    this.samples.push(sample);
    return sample;
  }

  /** The highest RSS of each process among the samples of the phases named. */
  peak(phases: readonly string[]): Record<string, number> {
    const peak: Record<string, number> = {};
    for (const sample of this.samples) {
      if (!phases.includes(sample.phase)) continue;
      for (const [name, value] of Object.entries(sample.rssMiB)) peak[name] = Math.max(peak[name] ?? 0, value);
    }
    return peak;
  }
}

/** CPU seconds used by each process between two readings (what each phase cost, and who did the work). */
export class CpuMeter {
  constructor(private readonly pids: () => Record<string, number | undefined>) {}

  read(): Record<string, number> {
    const reading: Record<string, number> = {};
    for (const [name, pid] of Object.entries(this.pids())) {
      const seconds = pid === undefined ? undefined : cpuSecondsOf(pid);
      if (seconds !== undefined) reading[name] = seconds;
    }
    return reading;
  }

  static delta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
    const delta: Record<string, number> = {};
    for (const [name, value] of Object.entries(after))
      delta[name] = Math.round((value - (before[name] ?? 0)) * 10) / 10;
    return delta;
  }
}
