// One of the child processes of audit/parallel-replay.ts: replays, in the order they arrive, the histories the
// parent sends, and answers each with its outcome. Run only by the parent (fork with an IPC channel).
import { temporal } from '@temporalio/proto';
import type { WorkflowBundleOption } from '@temporalio/worker';
import { PayloadKeyRing } from '../platform/payload-keys';
import { installTemporalRuntime } from '../platform/runtime';
import type { ComplaintHistory } from './histories';
import { replayComplaintHistories, type ReplayOutcome } from './replay';

export type ChildRequest =
  | {
      kind: 'init';
      workflowBundle: WorkflowBundleOption;
      payloadKeys?: Array<{ id: string; key: Uint8Array }>;
    }
  | { kind: 'replay'; workflowId: string; runId: string; source: string; history: Uint8Array };

export type ChildReady = { kind: 'ready' };
export type ChildResult = { kind: 'result'; outcome: ReplayOutcome };

/** Histories received and not yet taken by the replayer, and the replayer waiting for the next one. */
const queue: ComplaintHistory[] = [];
let wake: (() => void) | undefined;

async function* received(): AsyncGenerator<ComplaintHistory> {
  for (;;) {
    const item = queue.shift();
    if (item) yield item;
    else await new Promise<void>((resolve) => (wake = resolve));
  }
}

async function run(init: Extract<ChildRequest, { kind: 'init' }>): Promise<void> {
  // Core logs each failing workflow task at WARN; the outcome carries the reason, so only errors are shown.
  installTemporalRuntime('error');
  const payloadKeys = init.payloadKeys
    ? new PayloadKeyRing(init.payloadKeys.map(({ id, key }) => ({ id, key: Buffer.from(key) })))
    : undefined;
  process.send?.({ kind: 'ready' } satisfies ChildReady);
  for await (const outcome of replayComplaintHistories(received(), {
    workflowBundle: init.workflowBundle,
    ...(payloadKeys ? { payloadKeys } : {}),
  })) {
    process.send?.({ kind: 'result', outcome } satisfies ChildResult);
  }
}

process.on('message', (message: ChildRequest) => {
  if (message.kind === 'init') {
    run(message).catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
    return;
  }
  const { history, ...item } = message;
  queue.push({ ...item, history: temporal.api.history.v1.History.decode(history) });
  const resume = wake;
  wake = undefined;
  resume?.();
});
// The parent going away (its IPC channel closing) ends this process too.
process.on('disconnect', () => process.exit(0));
