// Child processes of the benchmark (Temporal dev server, worker, API), their output to log files, and their
// resident memory and CPU time read from /proc (Linux).
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import readline from 'node:readline';

export interface Child {
  name: string;
  child: ChildProcess;
  pid: number;
  exited: Promise<number | null>;
  logFile: string;
}

/** Starts `command` with stdout and stderr appended to `logFile`; `onLine` sees each stdout line. */
export function startChild(
  name: string,
  command: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd: string; logFile: string; onLine?: (line: string) => void },
): Child {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`${name} did not start`);
  const log = createWriteStream(options.logFile, { flags: 'a' });
  child.stderr?.pipe(log, { end: false });
  if (child.stdout) {
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      log.write(`${line}\n`);
      options.onLine?.(line);
    });
  }
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code, signal) => {
      log.end();
      resolve(code ?? (signal ? 128 : null));
    });
    child.once('error', () => resolve(127));
  });
  return { name, child, pid: child.pid, exited, logFile: options.logFile };
}

/** Resolves when a stdout line matches, rejects if the process exits first or the time runs out. */
export function waitForLine(child: Child, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(`${child.name}: no line matching ${pattern} within ${timeoutMs / 1000}s (see ${child.logFile})`),
        ),
      timeoutMs,
    );
    if (!child.child.stdout) return reject(new Error(`${child.name} has no stdout`));
    readline.createInterface({ input: child.child.stdout }).on('line', (line) => {
      if (pattern.test(line)) {
        clearTimeout(timer);
        resolve(line);
      }
    });
    void child.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${child.name} exited (code ${code}) before it was ready (see ${child.logFile})`));
    });
  });
}

/** SIGTERM, then SIGKILL after `graceMs`. */
export async function stopChild(child: Child, graceMs = 20_000): Promise<void> {
  if (child.child.exitCode !== null || child.child.signalCode !== null) return;
  child.child.kill('SIGTERM');
  const timer = setTimeout(() => child.child.kill('SIGKILL'), graceMs);
  await child.exited;
  clearTimeout(timer);
}

// ------------------------------------------------------------------------------------------------ /proc

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
