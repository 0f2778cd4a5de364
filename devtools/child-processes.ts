// Child processes of the development tools: `npm start` (scripts/start.ts: dev server, worker, API) and the
// benchmark (bench/: dev server, workers, API). One way to start them, wait until they are ready, and stop them:
// - each child in its own process group (Ctrl-C in the terminal reaches only the parent, which stops the children
//   in order; a signal goes to the child's whole group, so nothing it started outlives it);
// - its output prefixed with its name on the parent's stdout/stderr, or appended to a log file;
// - its last stderr lines kept, so a child that exits before it is ready is reported with them;
// - ready when it says so (a line on stdout) or when a probe answers (an HTTP health check, a Temporal
//   namespace), within a generous deadline: a loaded machine is slow, and a child that dies is noticed at once;
// - stopped with SIGTERM, then SIGKILL after its grace time; a group stops in reverse order of start.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import readline from 'node:readline';
import { Connection } from '@temporalio/client';

export interface ChildSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Both output streams appended to this file; without it, lines go to our stdout/stderr prefixed `[name]`. */
  logFile?: string;
  /** Neither a log file nor our output: only the line listeners and the kept stderr lines see it (tests). */
  quiet?: boolean;
  /** How long SIGTERM may take before SIGKILL (default 20 s). */
  stopTimeoutMs?: number;
  /** How many of the last stderr lines to keep for reports (default 20). */
  keepLines?: number;
}

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** The exit status as a shell reports it: the code, or 128 + the signal's number when killed by one. */
export function exitStatus({ code, signal }: ChildExit): number {
  if (code !== null) return code;
  return signal ? 128 + (SIGNAL_NUMBERS[signal] ?? 0) : 1;
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

/** Thrown by the readiness waits: the child exited first (with its last stderr lines), or the deadline passed. */
export class ChildNotReadyError extends Error {
  override readonly name = 'ChildNotReadyError';
}

type LineListener = (line: string, stream: 'stdout' | 'stderr') => void;

export class Child {
  readonly name: string;
  readonly process: ChildProcess;
  readonly pid: number;
  readonly logFile: string | undefined;
  /** Resolves once the process has exited (or could not be started: code 127). */
  readonly exited: Promise<ChildExit>;
  private readonly stopTimeoutMs: number;
  private readonly lastLines: string[] = [];
  private readonly listeners = new Set<LineListener>();
  private exit: ChildExit | undefined;

  constructor(spec: ChildSpec) {
    this.name = spec.name;
    this.logFile = spec.logFile;
    this.stopTimeoutMs = spec.stopTimeoutMs ?? 20_000;
    const keep = spec.keepLines ?? 20;
    this.process = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const log = spec.logFile ? createWriteStream(spec.logFile, { flags: 'a' }) : undefined;
    this.exited = new Promise<ChildExit>((resolve) => {
      const done = (exit: ChildExit) => {
        if (this.exit) return;
        this.exit = exit;
        // Resolved once the log file has everything the child wrote, so a caller can read it straight away.
        if (log) log.end(() => resolve(exit));
        else resolve(exit);
      };
      // 'close' comes after its output has been read to the end (so the last stderr lines are in); a grandchild
      // that keeps the pipes open must not hold it up for long.
      this.process.once('close', (code, signal) => done({ code, signal }));
      this.process.once('exit', (code, signal) => setTimeout(() => done({ code, signal }), 1_000).unref());
      this.process.once('error', (err) => {
        this.remember(`could not start ${spec.command}: ${err.message}`, keep);
        done({ code: 127, signal: null });
      });
    });
    this.pid = this.process.pid ?? -1;
    this.pipe('stdout', log, keep, spec.quiet === true);
    this.pipe('stderr', log, keep, spec.quiet === true);
  }

  private pipe(stream: 'stdout' | 'stderr', log: WriteStream | undefined, keep: number, quiet: boolean): void {
    const input = this.process[stream];
    if (!input) return;
    const prefix = `[${this.name}]`.padEnd(10);
    const out = stream === 'stdout' ? process.stdout : process.stderr;
    readline.createInterface({ input }).on('line', (line) => {
      if (log) log.write(`${line}\n`);
      else if (!quiet) out.write(`${prefix} ${line}\n`);
      if (stream === 'stderr') this.remember(line, keep);
      for (const listener of this.listeners) listener(line, stream);
    });
  }

  private remember(line: string, keep: number): void {
    this.lastLines.push(line);
    if (this.lastLines.length > keep) this.lastLines.shift();
  }

  get running(): boolean {
    return this.exit === undefined && this.process.exitCode === null && this.process.signalCode === null;
  }

  /** Its last lines on stderr (most recent last). */
  lastStderr(): string[] {
    return [...this.lastLines];
  }

  /** Calls `listener` with each later line of its output. Returns the function that stops it. */
  onLine(listener: LineListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Why it is not ready: it exited, with its last stderr lines. */
  exitedEarly(exit: ChildExit): ChildNotReadyError {
    const lines = this.lastStderr();
    const how = exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
    const where = this.logFile ? ` (log: ${this.logFile})` : '';
    const tail = lines.length ? `; its last lines on stderr:\n  ${lines.join('\n  ')}` : '; it wrote nothing to stderr';
    return new ChildNotReadyError(`${this.name} exited (${how}) before it was ready${where}${tail}`);
  }

  /** Sends `signal` to its process group (so whatever it started gets it too). */
  signal(signal: NodeJS.Signals): void {
    if (!this.running) return;
    try {
      if (this.pid <= 0) throw new Error('no pid');
      process.kill(-this.pid, signal);
    } catch {
      this.process.kill(signal);
    }
  }

  /** SIGTERM, then SIGKILL if it has not exited after its grace time. Resolves with how it exited. */
  async stop(options: { graceMs?: number; onKill?: (child: Child) => void } = {}): Promise<ChildExit> {
    if (!this.running) return this.exited;
    const graceMs = options.graceMs ?? this.stopTimeoutMs;
    this.signal('SIGTERM');
    const timer = setTimeout(() => {
      options.onKill?.(this);
      this.signal('SIGKILL');
    }, graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Starts a child (see the file's header). */
export function startChild(spec: ChildSpec): Child {
  return new Child(spec);
}

export interface ReadyOptions {
  /** Generous by default (5 minutes): readiness is the child's signal, the deadline only a last resort. */
  deadlineMs?: number;
  /** Stops waiting (rejects) when aborted, e.g. because the parent is stopping. */
  signal?: AbortSignal;
}

const DEFAULT_READY_DEADLINE_MS = 5 * 60_000;

/** Races `ready` against the child's exit, the deadline and the abort signal. */
function raceReadiness<T>(
  child: Child,
  what: string,
  options: ReadyOptions,
  ready: (settle: (value: T) => void, settled: () => boolean) => void,
): Promise<T> {
  const deadlineMs = options.deadlineMs ?? DEFAULT_READY_DEADLINE_MS;
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const cleanups: Array<() => void> = [];
    const finish = (fn: () => void) => {
      if (done) return;
      done = true;
      for (const cleanup of cleanups) cleanup();
      fn();
    };
    const timer = setTimeout(
      () =>
        finish(() => reject(new ChildNotReadyError(`${child.name}: ${what} not seen within ${deadlineMs / 1000}s`))),
      deadlineMs,
    );
    cleanups.push(() => clearTimeout(timer));
    if (options.signal) {
      const onAbort = () => finish(() => reject(new ChildNotReadyError(`${child.name}: stopped waiting for ${what}`)));
      if (options.signal.aborted) return onAbort();
      options.signal.addEventListener('abort', onAbort, { once: true });
      cleanups.push(() => options.signal?.removeEventListener('abort', onAbort));
    }
    void child.exited.then((exit) => finish(() => reject(child.exitedEarly(exit))));
    ready(
      (value) => finish(() => resolve(value)),
      () => done,
    );
  });
}

/** Resolves with the first line of its stdout that matches `pattern`. */
export function waitForLine(child: Child, pattern: RegExp, options: ReadyOptions = {}): Promise<string> {
  return raceReadiness<string>(child, `a line matching ${pattern}`, options, (settle, settled) => {
    const off = child.onLine((line, stream) => {
      if (stream !== 'stdout' || !pattern.test(line)) return;
      off();
      if (!settled()) settle(line);
    });
  });
}

/** Resolves with what `probe` returns once it returns something other than undefined; it is retried every `intervalMs`. */
export function waitForProbe<T>(
  child: Child,
  what: string,
  probe: () => Promise<T | undefined>,
  options: ReadyOptions & { intervalMs?: number } = {},
): Promise<T> {
  const intervalMs = options.intervalMs ?? 250;
  return raceReadiness<T>(child, what, options, (settle, settled) => {
    const attempt = async (): Promise<void> => {
      while (!settled()) {
        const value = await probe().catch(() => undefined);
        if (value !== undefined) return settle(value);
        await new Promise((resolve) => setTimeout(resolve, intervalMs));
      }
    };
    void attempt();
  });
}

/** A probe: an HTTP GET that answers 2xx (true), else undefined. */
export function httpOk(url: string): () => Promise<true | undefined> {
  return async () => ((await fetch(url, { signal: AbortSignal.timeout(2_000) })).ok ? true : undefined);
}

/** A probe: a client Connection to a Temporal server that knows `namespace` (the caller closes it). */
export function temporalNamespace(address: string, namespace: string): () => Promise<Connection | undefined> {
  return async () => {
    const connection = await Connection.connect({ address, connectTimeout: 1_000 });
    try {
      await connection.workflowService.describeNamespace({ namespace });
      return connection;
    } catch (err) {
      await connection.close();
      throw err;
    }
  };
}

/**
 * Children started in order and stopped in reverse order. If this process exits without stopping them (a crash,
 * process.exit), they are killed: in their own process groups, they would otherwise outlive it.
 */
export class ChildGroup {
  readonly children: Child[] = [];
  private readonly killLeftovers = () => {
    for (const child of this.children) child.signal('SIGKILL');
  };

  constructor() {
    process.on('exit', this.killLeftovers);
  }

  start(spec: ChildSpec): Child {
    const child = startChild(spec);
    this.children.push(child);
    return child;
  }

  /** Stops the children still running, the last started first, each waited for before the next. */
  async stopAll(options: { onStop?: (child: Child) => void; onKill?: (child: Child) => void } = {}): Promise<void> {
    for (const child of [...this.children].reverse()) {
      if (!child.running) continue;
      options.onStop?.(child);
      await child.stop({ ...(options.onKill ? { onKill: options.onKill } : {}) });
    }
  }

  /** Stops them all and forgets the exit hook. */
  async close(options: Parameters<ChildGroup['stopAll']>[0] = {}): Promise<void> {
    await this.stopAll(options);
    process.off('exit', this.killLeftovers);
  }
}

/** For an entry point: runs `main` and exits with the code it resolves with (1 if it throws). */
export function runAsMain(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
