// A fired timer means its due time has come (patch timer-fired-means-due, workflows/complaint-run.ts run). On the
// two-process cluster a restarted worker replayed a complaint whose timer had fired and decided with the clock of
// the last task before its SIGKILL: no reminder, the whole timer set again (docs/TEAM-NOTES.md). Here the recorded
// history `reminder-after-note` is given that clock: the task its first timer fires in reads the time of the note's
// task, four days before the reminder was due. The workflow must still record the reminder the history holds; a copy
// that decides by the task's clock alone (the loop before the patch) must not.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHistoryJson, type ComplaintHistory } from '../../audit/histories';
import { replayComplaintHistories } from '../../audit/replay';
import { repoRoot } from '../../platform/repo-root';
import { installTemporalRuntime } from '../../platform/runtime';
import { bundleComplaintWorkflows } from '../support/temporal';
import { copyWorkflows, editSource, replayAgainstCopy } from '../support/workflow-copy';

// The plain-payload recording (archived when the set was re-recorded with encryption): the copy below is replayed
// without the payload keys, and the history's clock is all this test changes.
const file = path.join(repoRoot(), 'tests', 'histories', 'archive', 'reminder-after-note.before-encryption.json');
const scratch = mkdtempSync(path.join(tmpdir(), 'timer-fired-clock-'));

interface JsonEvent {
  eventId: string;
  eventTime: string;
  eventType: string;
}

/** The recorded history, and a copy whose first fired timer's task has the clock of the task before it. */
function histories(): { recorded: ComplaintHistory; staleClock: ComplaintHistory; firedAt: number } {
  const text = readFileSync(file, 'utf8');
  const json = JSON.parse(text) as { events: JsonEvent[] };
  const fired = json.events.findIndex((event) => event.eventType === 'EVENT_TYPE_TIMER_FIRED');
  const before = json.events[fired - 1];
  const [firedEvent, scheduled, started] = json.events.slice(fired, fired + 3);
  if (!before || !firedEvent || scheduled?.eventType !== 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED')
    throw new Error(`${file}: no timer fired followed by its workflow task`);
  if (started?.eventType !== 'EVENT_TYPE_WORKFLOW_TASK_STARTED') throw new Error(`${file}: no task started`);
  for (const event of [firedEvent, scheduled, started]) event.eventTime = before.eventTime;
  return {
    recorded: parseHistoryJson(text, file),
    staleClock: parseHistoryJson(JSON.stringify(json), `${file} (stale clock)`),
    firedAt: Number(firedEvent.eventId),
  };
}

// The loop as it was before the patch: it decides at the task's clock, whatever the fired timer was set for.
const CLOCK_WITH_FLOOR = '      const now = Math.max(Date.now(), firedDueAtMs);';
const TASK_CLOCK_ONLY = '      const now = Date.now(); void firedDueAtMs;';
const taskClockOnly = (source: string) =>
  editSource(source, CLOCK_WITH_FLOOR, TASK_CLOCK_ONLY, 'tests/workflows/timer-fired-clock.test.ts');

describe('a timer that fires in a task whose clock reads before its due time', () => {
  let given: ReturnType<typeof histories>;
  beforeAll(() => {
    // Core logs each failing workflow task at WARN: expected for the copy, so only errors are shown.
    installTemporalRuntime('error', { throughConsole: true });
    given = histories();
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('still records what the timer was set for: the history, reminder and all, replays', async () => {
    const outcomes = [];
    const workflowBundle = await bundleComplaintWorkflows();
    for await (const outcome of replayComplaintHistories([given.recorded, given.staleClock], { workflowBundle }))
      outcomes.push(outcome);
    expect(outcomes.map((outcome) => [outcome.source, outcome.status, outcome.reason])).toEqual([
      [file, 'ok', undefined],
      [`${file} (stale clock)`, 'ok', undefined],
    ]);
  });

  it('decided by the task clock alone, the workflow sets the timer again instead (the cluster defect)', async () => {
    const outcomes = await replayAgainstCopy(
      [given.recorded, given.staleClock],
      copyWorkflows(path.join(scratch, 'task-clock-only'), taskClockOnly),
    );
    // Control: with the right clock the copy replays the recorded history; only the stale clock parts them.
    expect(outcomes[0]).toMatchObject({ status: 'ok' });
    expect(outcomes[1]).toMatchObject({ ok: false, status: 'non-deterministic' });
    // Where the history sends the reminder's notice, the copy started a timer.
    const outcome = outcomes[1];
    expect(outcome?.reason).toMatch(/Timer machine does not handle this event/);
    expect(outcome?.event?.type).toBe('ActivityTaskScheduled');
    expect(outcome?.event?.id).toBeGreaterThan(given.firedAt);
    const event = given.staleClock.history.events?.find(
      (candidate) => Number(String(candidate.eventId)) === outcome?.event?.id,
    );
    expect(event?.activityTaskScheduledEventAttributes?.activityType?.name).toBe('sendNotice');
  });
});
