// The replay guard for the improvement action's reminders (workflows/improvement-action.ts): every history recorded
// in tests/histories/improvement-actions/ (`npm run record-histories:improvement-actions`) must replay against
// today's workflow code with the worker's options and the test keys' data converter, as an action's workflow runs
// for weeks. A copy of the workflow with one deliberate edit (the reminder sent before its timer, not after) must
// fail the same replay; an unaltered copy, bundled the same way, is the control.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readHistoryFile, type ComplaintHistory } from '../../audit/histories';
import { replayComplaintHistories, type ReplayOutcome } from '../../audit/replay';
import { repoRoot } from '../../platform/repo-root';
import { installTemporalRuntime } from '../../platform/runtime';
import { testPayloadKeys } from '../support/payload-keys';
import { bundleComplaintWorkflows } from '../support/temporal';
import { copyWorkflows, editSource, replayAgainstCopy } from '../support/workflow-copy';

const dir = path.join(repoRoot(), 'tests', 'histories', 'improvement-actions');
const files = readdirSync(dir)
  .filter((file) => file.endsWith('.json'))
  .sort();
const scratch = mkdtempSync(path.join(tmpdir(), 'replay-improvement-actions-'));
const payloadKeys = testPayloadKeys();

const WAIT_THEN_REMIND = `    if (waitMs > 0 && (await wf.condition(() => completed, waitMs))) break;
    if (completed) break;
    const found = await actions.remindImprovementActionOwner({ actionId: input.actionId, ...reminder });`;
const REMIND_THEN_WAIT = `    const found = await actions.remindImprovementActionOwner({ actionId: input.actionId, ...reminder });
    if (waitMs > 0 && (await wf.condition(() => completed, waitMs))) break;
    if (completed) break;`;

function remindBeforeWaiting(source: string): string {
  return editSource(
    source,
    WAIT_THEN_REMIND,
    REMIND_THEN_WAIT,
    'tests/audit/replay-improvement-actions.test.ts',
    'improvement-action.ts',
  );
}

let histories: ComplaintHistory[];

beforeAll(async () => {
  // Core logs each failing workflow task at WARN: expected in the edited copy's replay, so only errors are shown.
  installTemporalRuntime('error', { throughConsole: true });
  histories = await Promise.all(files.map((file) => readHistoryFile(path.join(dir, file))));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('recorded improvement action histories (tests/histories/improvement-actions/*.json)', () => {
  const outcomes = new Map<string, ReplayOutcome>();

  beforeAll(async () => {
    const workflowBundle = await bundleComplaintWorkflows();
    for await (const outcome of replayComplaintHistories(histories, { workflowBundle, payloadKeys }))
      outcomes.set(path.basename(outcome.source), outcome);
  });

  it('are both paths: reminded then completed, and completed before any reminder', () => {
    expect(files).toEqual(['completed-before-reminders.json', 'reminded-then-completed.json']);
  });

  it.each(files)('%s replays against the current workflow code', (file) => {
    const outcome = outcomes.get(file);
    expect(outcome, `no replay result for ${file}`).toBeDefined();
    expect(outcome?.status, outcome?.message).toBe('ok');
  });
});

describe('a deliberately non-deterministic change to the improvement action workflow', () => {
  it('control: an unaltered copy, bundled the same way, replays them', async () => {
    const outcomes = await replayAgainstCopy(
      histories,
      copyWorkflows(path.join(scratch, 'unaltered'), (source) => source, 'improvement-action.ts'),
      payloadKeys,
    );
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['ok', 'ok']);
  });

  it('fails their replay, naming the event where code and history part', async () => {
    const outcomes = await replayAgainstCopy(
      histories,
      copyWorkflows(path.join(scratch, 'remind-first'), remindBeforeWaiting, 'improvement-action.ts'),
      payloadKeys,
    );
    for (const outcome of outcomes) console.log(outcome.message);
    expect(outcomes).toHaveLength(2);
    for (const outcome of outcomes) {
      expect(outcome).toMatchObject({ ok: false, status: 'non-deterministic' });
      // The history started the reminder's timer where the edited code schedules the reminder.
      expect(outcome.event?.type).toBe('TimerStarted');
      expect(outcome.message).toContain(`at event ${outcome.event?.id} TimerStarted`);
    }
  });
});
