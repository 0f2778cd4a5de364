// Moving complaints in flight to another procedure version on the time-skipping server, through npm run migrate's
// module: a dry run that lists each complaint's stage and deadlines before and after and changes nothing, a real run
// through the migrate-procedure Update, a second run that skips what moved, the complainant's notice, the clock
// following the new procedure, and the migrated history replaying with today's code.
import { describe, expect, it } from 'vitest';
import { replayComplaintHistories } from '../../audit/replay';
import { reconstructTimeline, describeEntries } from '../../audit/timeline';
import { formatMigration, migrateComplaints } from '../../scripts/migrate';
import { actionUpdates, complaintStateQuery } from '../../workflows/messages';
import { DAY_MS, manager, officer } from '../support/complaint-harness';
import { bundleComplaintWorkflows } from '../support/temporal';
import { useTimeSkippingHarness } from '../support/time-skipping-harness';

const stack = useTimeSkippingHarness();

const options = {
  from: 'dundee-swd-2011@1',
  to: 'spso-mchp@1',
  reason: 'The council adopted the SPSO model procedure',
  actor: manager,
};

describe('npm run migrate', () => {
  it('lists before and after on a dry run, then moves each complaint once, and the history replays', async () => {
    const level1 = await stack.h.startComplaint(await stack.h.input());
    const serious = await stack.h.startComplaint(await stack.h.input({ details: { serious: true } }));
    await serious.executeUpdate(actionUpdates.acknowledge, { args: [{ actor: officer }] });
    const other = await stack.h.startComplaint(await stack.h.input({ procedure: { id: 'spso-mchp', version: 1 } }));
    await stack.env.sleep(DAY_MS);

    const dry = await migrateComplaints(stack.env.client, { ...options, dryRun: true, nowMs: await stack.h.now() });
    expect(dry.otherProcedures).toBe(1);
    const byRef = new Map(dry.rows.map((row) => [row.ref, row]));
    expect(byRef.get(level1.workflowId)).toMatchObject({
      outcome: 'would-move',
      before: { procedure: 'dundee-swd-2011@1', stage: 'level-1' },
      after: { procedure: 'spso-mchp@1', stage: 'stage-1', acknowledgementDueAt: null },
    });
    const seriousRow = byRef.get(serious.workflowId)!;
    expect(seriousRow).toMatchObject({ outcome: 'would-move', after: { stage: 'stage-2' } });
    expect(seriousRow.after?.responseDueAt).toBe(seriousRow.before.responseDueAt); // Level 2: kept
    expect(formatMigration(dry)).toContain('2 complaint(s) would move from dundee-swd-2011@1 to spso-mchp@1');
    // Nothing changed.
    expect((await level1.query(complaintStateQuery)).procedure.id).toBe('dundee-swd-2011');

    const real = await migrateComplaints(stack.env.client, { ...options, dryRun: false });
    expect(real.rows.map((row) => [row.outcome, row.reason])).toEqual([
      ['moved', undefined],
      ['moved', undefined],
    ]);
    for (const row of real.rows) expect(row.after).toEqual(byRef.get(row.ref)!.after);
    const moved = await level1.query(complaintStateQuery);
    expect(moved.procedure).toMatchObject({ id: 'spso-mchp', version: 1 });
    expect(moved.timeline.at(-1)).toMatchObject({
      type: 'procedure-migrated',
      fromStage: 'level-1',
      deadlines: 'afresh',
    });
    const notices = await stack.h.recorded.waitForNotices(level1.workflowId, 1);
    expect(notices.map((notice) => notice.kind)).toContain('procedure-changed');

    // Again: nothing more to move, and nothing recorded twice.
    const again = await migrateComplaints(stack.env.client, { ...options, dryRun: false });
    expect(again.rows.map((row) => row.outcome)).toEqual(['already-moved', 'already-moved']);
    expect(
      (await level1.query(complaintStateQuery)).timeline.filter((e) => e.type === 'procedure-migrated'),
    ).toHaveLength(1);

    // The clock follows the SPSO stage now: its response reminder and breach, and nothing of Level 1.
    await stack.env.sleep(10 * DAY_MS);
    const later = await level1.query(complaintStateQuery);
    const clock = later.timeline.filter((e) => e.type === 'reminder-issued' || e.type === 'deadline-breached');
    expect(clock.every((e) => (e as { stage: string }).stage === 'stage-1')).toBe(true);
    expect(clock.map((e) => e.type)).toEqual(['reminder-issued', 'deadline-breached']);

    // The history replays with today's code, and the audit's timeline explains the move.
    const history = await level1.fetchHistory();
    const recorded = { workflowId: level1.workflowId, runId: (await level1.describe()).runId, source: 'test', history };
    const outcomes = [];
    for await (const outcome of replayComplaintHistories([recorded], {
      workflowBundle: await bundleComplaintWorkflows(),
    }))
      outcomes.push(outcome.status);
    expect(outcomes).toEqual(['ok']);
    const timeline = await reconstructTimeline([recorded]);
    expect(timeline.findings.filter((finding) => finding.level === 'error')).toEqual([]);
    expect(
      describeEntries(timeline)
        .map((row) => row.what)
        .join('\n'),
    ).toMatch(/Moved from .* Level 1 becomes Stage 1/);
    await other.executeUpdate(actionUpdates.withdraw, { args: [{ actor: officer }] });
  });
});
