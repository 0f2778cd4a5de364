// The replay guard: every recorded history in tests/histories/ must replay against today's workflow code, with the
// worker's own options. A change that would break complaints already in flight fails here, naming the complaint
// and the event. To change the workflow on purpose, see tests/histories/README.md.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
// eslint-disable-next-line no-restricted-imports -- what worker/workflow-thread.cjs changes is only seen there
import { globalHandlers } from '@temporalio/worker/lib/workflow/vm-shared';
import { beforeAll, describe, expect, it } from 'vitest';
import { readHistoryFile, type ComplaintHistory } from '../../audit/histories';
import { replayComplaintHistories, type ReplayOutcome } from '../../audit/replay';
import { repoRoot } from '../../platform/repo-root';
import { testPayloadKeys } from '../support/payload-keys';
import { bundleComplaintWorkflows, installQuietRuntime } from '../support/temporal';

const dir = path.join(repoRoot(), 'tests', 'histories');
const files = readdirSync(dir)
  .filter((file) => file.endsWith('.json'))
  .sort();
// Histories kept from before an intended (patched) change: never re-recorded, always replayed.
const archived = existsSync(path.join(dir, 'archive'))
  ? readdirSync(path.join(dir, 'archive'))
      .filter((file) => file.endsWith('.json'))
      .sort()
      .map((file) => `archive/${file}`)
  : [];
const manifest = JSON.parse(readFileSync(path.join(dir, 'meta', 'manifest.json'), 'utf8')) as {
  histories: Array<{ name: string; files: string[]; workflowId: string }>;
};

describe('recorded histories (tests/histories/*.json)', () => {
  const outcomes = new Map<string, ReplayOutcome>();
  const sandboxCalls = { all: 0, withTimeout: 0 };
  let histories: ComplaintHistory[];

  beforeAll(async () => {
    // Before the replayer makes the SDK's default Runtime, which logs the replay worker's every state at INFO.
    installQuietRuntime();
    // An encrypted history names its complaint only in its encrypted input (parseHistoryJson then takes the file's
    // name): the manifest says which complaint each file is, and tests/privacy/recorded-histories.test.ts checks
    // that against the decoded input.
    const complaintOf = (file: string) => manifest.histories.find((entry) => entry.files.includes(file))?.workflowId;
    histories = await Promise.all(
      [...files, ...archived].map(async (file) => {
        const history = await readHistoryFile(path.join(dir, file));
        return { ...history, workflowId: complaintOf(file) ?? history.workflowId };
      }),
    );
    const workflowBundle = await bundleComplaintWorkflows();
    // Recorded with the committed test key ring, as the worker runs with its own (archived ones: plain payloads).
    const payloadKeys = testPayloadKeys();
    // The replayer runs workflow code in this thread: every call into its sandbox is counted, with or without a timeout.
    const runInContext = vm.Script.prototype.runInContext;
    vm.Script.prototype.runInContext = function (this: vm.Script, ...args: Parameters<vm.Script['runInContext']>) {
      sandboxCalls.all++;
      if (args[1]?.timeout !== undefined) sandboxCalls.withTimeout++;
      return runInContext.apply(this, args);
    };
    try {
      for await (const outcome of replayComplaintHistories(histories, { workflowBundle, payloadKeys }))
        outcomes.set(path.relative(dir, outcome.source), outcome);
    } finally {
      vm.Script.prototype.runInContext = runInContext;
    }
  });

  it('are replayed with no watchdog thread per call into the sandbox (worker/workflow-options.ts ComplaintsWorker)', () => {
    expect(sandboxCalls.all).toBeGreaterThan(histories.length);
    expect(sandboxCalls.withTimeout).toBe(0);
  });

  it("are replayed without the SDK's promise tracking in this thread (worker/workflow-thread.cjs)", () => {
    expect(globalHandlers.installed).toBe(true);
    expect(globalHandlers.promiseHookInstalled).toBe(false);
    // Still installed: errors thrown in workflow code have their stacks mapped to our sources.
    expect(Error.prepareStackTrace).toBeTypeOf('function');
    expect(Error.prepareStackTrace).not.toBe(globalHandlers.origPrepareStackTrace);
  });

  it('are the ones the manifest lists, and there are some', () => {
    expect(files.length).toBeGreaterThanOrEqual(9);
    expect(manifest.histories.flatMap((entry) => entry.files).sort()).toEqual(files);
  });

  it.each([...files, ...archived])('%s replays against the current workflow code', (file) => {
    const outcome = outcomes.get(file);
    expect(outcome, `no replay result for ${file}`).toBeDefined();
    // On failure the message names the complaint, the event and the reason.
    expect(outcome?.status, outcome?.message).toBe('ok');
  });
});
