// The replay guard must fail when the workflow changes in a way that breaks complaints in flight. This bundles a
// copy of today's workflow with one deliberate change (notices sent after the register write instead of before:
// the same commands in another order) and replays a recorded history against it. An unaltered copy, bundled the
// same way, is the control: it must replay, so the failure is the edit's and nothing else's.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readHistoryFile, type ComplaintHistory } from '../../audit/histories';
import { replayInParallel } from '../../audit/parallel-replay';
import { outcomeOf, type ReplayOutcome } from '../../audit/replay';
import { repoRoot } from '../../platform/repo-root';
import { installTemporalRuntime } from '../../platform/runtime';
import { bundleCopy, copyWorkflows, editSource, replayAgainstCopy } from '../support/workflow-copy';

const root = repoRoot();
const scratch = mkdtempSync(path.join(tmpdir(), 'audit-nondeterminism-'));

const ORIGINAL = `      const notice = this.noticeFor(entry);
      if (notice) this.send(notice);
    }
    this.revision++;
    this.afterChange();`;
const REORDERED = `      const notice = this.noticeFor(entry);
      if (notice) later.push(notice);
    }
    this.revision++;
    this.afterChange();
    for (const notice of later) this.send(notice);`;
const RECORD_SIGNATURE = '  private record(events: readonly ComplaintEvent[], actor: Actor, atMs = Date.now()): void {';

function reorderNotices(source: string): string {
  const file = 'tests/audit/nondeterminism.test.ts';
  return editSource(
    editSource(source, ORIGINAL, REORDERED, file),
    RECORD_SIGNATURE,
    `${RECORD_SIGNATURE}\n    const later: Notice[] = [];`,
    file,
  );
}

describe('a deliberately non-deterministic workflow change', () => {
  let histories: ComplaintHistory[];
  beforeAll(async () => {
    // Core logs each failing workflow task at WARN: expected here, so only errors are shown.
    installTemporalRuntime('error', { throughConsole: true });
    histories = [
      // Recorded before the register became a local activity: there the register write is an activity scheduled
      // next to the notices, so the reordering shows as one activity in another's place.
      await readHistoryFile(
        path.join(root, 'tests', 'histories', 'archive', 'dundee-full-ladder.before-register-local-activity.json'),
      ),
      await readHistoryFile(
        path.join(root, 'tests', 'histories', 'archive', 'dundee-withdrawn.before-register-local-activity.json'),
      ),
    ];
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('control: an unaltered copy of the workflow, bundled the same way, replays the recorded histories', async () => {
    const outcomes = await replayAgainstCopy(
      histories,
      copyWorkflows(path.join(scratch, 'unaltered'), (source) => source),
    );
    expect(outcomes.map((outcome) => [outcome.workflowId, outcome.status])).toEqual([
      ['DUNDEE-FULL-LADDER', 'ok'],
      ['DUNDEE-WITHDRAWN', 'ok'],
    ]);
  });

  it('fails the replay, naming the complaint and the history event where code and history part', async () => {
    const outcomes = await replayAgainstCopy(histories, copyWorkflows(path.join(scratch, 'reordered'), reorderNotices));
    for (const outcome of outcomes) console.log(outcome.message);
    expect(outcomes).toHaveLength(2);
    for (const outcome of outcomes) {
      expect(outcome).toMatchObject({ ok: false, status: 'non-deterministic' });
      expect(outcome.event?.type).toBe('ActivityTaskScheduled');
      expect(outcome.message).toContain(outcome.workflowId);
      expect(outcome.message).toContain(`at event ${outcome.event?.id} ActivityTaskScheduled`);
      // The event named is where the history scheduled a notice and the altered code scheduled the register write.
      const event = histories
        .find((history) => history.workflowId === outcome.workflowId)
        ?.history.events?.find((candidate) => Number(String(candidate.eventId)) === outcome.event?.id);
      expect(event?.activityTaskScheduledEventAttributes?.activityType?.name).toBe('sendNotice');
    }
  });

  it('replayed on two processes, the same outcomes in the same order as on one: failures, where, and why', async () => {
    const reordered = {
      workflowBundle: await bundleCopy(copyWorkflows(path.join(scratch, 'parallel'), reorderNotices)),
    };
    const unreadable = outcomeOf(
      { workflowId: 'broken.json', runId: '-', source: 'broken.json', history: { events: [] } },
      new Error('broken.json: not JSON'),
    );
    // More histories than the two processes take at once, and a passed-through failure between them.
    const items = [...histories, ...histories, unreadable, ...histories];
    const collect = async (parallel: number) => {
      const outcomes: ReplayOutcome[] = [];
      for await (const outcome of replayInParallel(items, { ...reordered, parallel })) outcomes.push(outcome);
      return outcomes;
    };
    const serial = await collect(1);
    const parallel = await collect(2);
    expect(serial.map((outcome) => outcome.status)).toEqual([
      ...Array(4).fill('non-deterministic'),
      'failed',
      ...Array(2).fill('non-deterministic'),
    ]);
    expect(serial.every((outcome) => outcome.event?.type === 'ActivityTaskScheduled' || outcome === unreadable)).toBe(
      true,
    );
    expect(parallel).toEqual(serial);
  });
});
