import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, type WorkflowBundleOption } from '@temporalio/worker';
import { complaintBundleOptions, complaintWorkflowsPath, prebuiltWorkflowBundlePath } from '../worker/workflow-options';
import type { ComplaintHistory } from './histories';
import { replayComplaintHistories, type ReplayOptions, type ReplayOutcome } from './replay';
import type { ChildReady, ChildRequest, ChildResult } from './replay-child';

// The SDK's replayer takes one history at a time and waits for it to be evicted before the next, on the thread
// that called it: a second replayer in the same process shares that thread and gains little. So several child
// processes (one per core by default), each running replayComplaintHistories on the histories handed to it, and
// the outcomes put back in the order the histories came in: the report is the serial one, only sooner.

/** At most this many histories wait in a child besides the one it replays, so no child is idle between two. */
const QUEUED_PER_CHILD = 2;

/** One replayer per core, as `--parallel` defaults to. */
export function defaultReplayParallelism(): number {
  return availableParallelism();
}

export interface ParallelReplayOptions extends ReplayOptions {
  /** Child processes; 1 (or less) replays in this process, as replayComplaintHistories does. */
  parallel: number;
  /** Called once the child processes are up, before the first history is sent (the benchmark times from here). */
  onStarted?: () => void;
}

/**
 * Replays the histories on `parallel` child processes and yields one outcome per item, in the items' order. An item
 * that is already an outcome (a history that could not be read) is passed through in its place.
 */
export async function* replayInParallel(
  items: Iterable<ComplaintHistory | ReplayOutcome> | AsyncIterable<ComplaintHistory | ReplayOutcome>,
  options: ParallelReplayOptions,
): AsyncGenerator<ReplayOutcome> {
  if (options.parallel <= 1) {
    yield* replaySerially(items, options);
    return;
  }
  const pool = new ReplayPool(await sharedBundle(options.workflowBundle), options);
  try {
    await pool.start(Math.floor(options.parallel));
    options.onStarted?.();
    yield* pool.replay(items);
  } finally {
    pool.stop();
  }
}

async function* replaySerially(
  items: Iterable<ComplaintHistory | ReplayOutcome> | AsyncIterable<ComplaintHistory | ReplayOutcome>,
  options: ReplayOptions,
): AsyncGenerator<ReplayOutcome> {
  const passedThrough: ReplayOutcome[] = [];
  async function* histories(): AsyncGenerator<ComplaintHistory> {
    for await (const item of items) {
      if (isHistory(item)) yield item;
      else passedThrough.push(item);
    }
  }
  for await (const outcome of replayComplaintHistories(histories(), options)) {
    yield* passedThrough.splice(0);
    yield outcome;
  }
  yield* passedThrough.splice(0);
}

function isHistory(item: ComplaintHistory | ReplayOutcome): item is ComplaintHistory {
  return 'history' in item;
}

/** Bundled once here, rather than once per child, when the caller gave no bundle and there is no prebuilt one. */
async function sharedBundle(given: WorkflowBundleOption | undefined): Promise<WorkflowBundleOption> {
  if (given) return given;
  const prebuilt = prebuiltWorkflowBundlePath();
  if (prebuilt) return { codePath: prebuilt };
  const { code } = await bundleWorkflowCode({
    workflowsPath: complaintWorkflowsPath(),
    ...complaintBundleOptions,
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} },
  });
  return { code };
}

interface Child {
  process: ChildProcess;
  /** Positions (in the input) of the histories sent and not yet answered, oldest first. */
  pending: number[];
}

class ReplayPool {
  private readonly children: Child[] = [];
  private readonly done = new Map<number, ReplayOutcome>();
  private wake: (() => void) | undefined;
  private failure: Error | undefined;

  constructor(
    private readonly workflowBundle: WorkflowBundleOption,
    private readonly options: ReplayOptions,
  ) {}

  async start(count: number): Promise<void> {
    const keys = this.options.payloadKeys;
    const init: ChildRequest = {
      kind: 'init',
      workflowBundle: this.workflowBundle,
      ...(keys ? { payloadKeys: keys.ids.map((id) => ({ id, key: keys.find(id)!.key })) } : {}),
    };
    await Promise.all(Array.from({ length: count }, () => this.startChild(init)));
  }

  private startChild(init: ChildRequest): Promise<void> {
    const script = path.join(__dirname, `replay-child${path.extname(__filename)}`);
    // A .ts child needs tsx's loader whichever way this process was started (tsx, node --import tsx, vitest).
    const execArgv = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
    const child: Child = {
      process: fork(script, [], { execArgv, serialization: 'advanced', stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }),
      pending: [],
    };
    this.children.push(child);
    return new Promise((resolve, reject) => {
      child.process.once('error', reject);
      child.process.on('exit', (code, signal) => {
        if (child.pending.length > 0 || !this.stopping)
          this.fail(new Error(`A replay process stopped (${signal ?? `exit ${code}`}) with histories unanswered`));
        reject(new Error(`A replay process stopped before it was ready (${signal ?? `exit ${code}`})`));
      });
      child.process.on('message', (message: ChildReady | ChildResult) => {
        if (message.kind === 'ready') return resolve();
        const position = child.pending.shift();
        if (position === undefined) return this.fail(new Error('A replay process answered a history it was not sent'));
        this.done.set(position, message.outcome);
        this.notify();
      });
      child.process.send(init);
    });
  }

  private stopping = false;

  stop(): void {
    this.stopping = true;
    for (const child of this.children) child.process.kill();
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private async idleChild(): Promise<Child> {
    for (;;) {
      if (this.failure) throw this.failure;
      const idlest = this.children.reduce((a, b) => (b.pending.length < a.pending.length ? b : a));
      if (idlest.pending.length <= QUEUED_PER_CHILD) return idlest;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  async *replay(
    items: Iterable<ComplaintHistory | ReplayOutcome> | AsyncIterable<ComplaintHistory | ReplayOutcome>,
  ): AsyncGenerator<ReplayOutcome> {
    let sent = 0;
    let next = 0;
    const ready = function* (this: ReplayPool) {
      while (this.done.has(next)) {
        const outcome = this.done.get(next)!;
        this.done.delete(next++);
        yield outcome;
      }
    }.bind(this);
    for await (const item of items) {
      const position = sent++;
      if (!isHistory(item)) this.done.set(position, item);
      else {
        const child = await this.idleChild();
        child.pending.push(position);
        child.process.send({ kind: 'replay', ...encodeHistory(item) } satisfies ChildRequest);
      }
      yield* ready();
    }
    while (next < sent) {
      yield* ready();
      if (next >= sent) break;
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

/** The history as protobuf bytes: compact over IPC, and decoded in the child to the same message the SDK expects. */
function encodeHistory(item: ComplaintHistory) {
  return {
    workflowId: item.workflowId,
    runId: item.runId,
    source: item.source,
    history: temporal.api.history.v1.History.encode(item.history).finish(),
  };
}
