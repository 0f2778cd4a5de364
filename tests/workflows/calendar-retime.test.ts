// A calendar change told to a complaint on the time-skipping server: a deadline that has passed or been met stays
// where it was (no second reminder, no second breach notice), a pending one moves, and the add/remove form of
// update-calendar changes only the days it names.
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { isWorkingDay, londonDate, shiftIsoDate } from '../../domain/calendar';
import type { complaintWorkflow } from '../../workflows/complaint';
import { actionUpdates, complaintStateQuery } from '../../workflows/messages';
import { DAY_MS, manager } from '../support/complaint-harness';
import { useTimeSkippingHarness } from '../support/time-skipping-harness';
import { executeUpdateForState } from '../../platform/complaint-actions';

const stack = useTimeSkippingHarness();

type Handle = WorkflowHandle<typeof complaintWorkflow>;
const SPSO = { id: 'spso-mchp', version: 1 };

/** The first working day (no holidays) after the London date of `epochMs`. */
function nextWorkingDate(epochMs: number): string {
  let day = shiftIsoDate(londonDate(epochMs), 1);
  while (!isWorkingDay(day, [])) day = shiftIsoDate(day, 1);
  return day;
}

const calendar = (handle: Handle, body: { holidays?: string[]; add?: string[]; remove?: string[] }) =>
  executeUpdateForState(handle, actionUpdates['update-calendar'], { args: [{ ...body, actor: manager }] });

describe('a calendar change and the deadlines it may move', () => {
  it('a holiday added after a breach moves nothing: no second reminder, no second breach notice', async () => {
    const input = await stack.h.input({ procedure: SPSO });
    const handle = await stack.h.startComplaint(input);
    const receivedMs = Date.parse(input.receivedAt);
    // Stage 1 answers within 5 working days: after 10 days its reminder and breach have both fired.
    await stack.env.sleep(10 * DAY_MS);
    const breached = await handle.query(complaintStateQuery);
    const dueAt = breached.stages[0]!.response.dueAt;
    expect(breached.stages[0]!.response.breaches).toEqual([dueAt]);
    await stack.h.recorded.waitForNotices(input.ref, 2);

    const after = await calendar(handle, { add: [nextWorkingDate(receivedMs)] });
    expect(after.holidays).toContain(nextWorkingDate(receivedMs));
    expect(after.stages[0]!.response.dueAt).toBe(dueAt);
    await stack.env.sleep(10 * DAY_MS);
    const state = await handle.query(complaintStateQuery);
    const clockEvents = state.timeline.filter((e) => e.type === 'reminder-issued' || e.type === 'deadline-breached');
    expect(clockEvents.map((e) => e.type)).toEqual(['reminder-issued', 'deadline-breached']);
    const kinds = stack.h.recorded.noticesFor(input.ref).map((notice) => notice.kind);
    expect(kinds.filter((kind) => kind === 'response-reminder')).toHaveLength(1);
    expect(kinds.filter((kind) => kind === 'response-overdue')).toHaveLength(1);
    expect(state.status).toBe('open');
  });

  it('a pending deadline moves by the day added, and back when it is removed; the other days stay', async () => {
    const input = await stack.h.input({ procedure: SPSO, holidays: ['2030-01-01'] });
    const handle = await stack.h.startComplaint(input);
    const before = (await handle.query(complaintStateQuery)).stages[0]!.response.dueAt;
    const day = nextWorkingDate(Date.parse(input.receivedAt));
    const added = await calendar(handle, { add: [day] });
    expect(added.holidays).toEqual([day, '2030-01-01'].sort());
    expect(Date.parse(added.stages[0]!.response.dueAt)).toBeGreaterThan(Date.parse(before));
    const event = added.timeline.at(-1)!;
    expect(event).toMatchObject({
      type: 'calendar-updated',
      added: [day],
      responseDueAt: added.stages[0]!.response.dueAt,
    });

    // The same day again changes nothing: refused with its reason, and nothing is recorded.
    const again = await calendar(handle, { add: [day] }).catch((error: unknown) => error);
    expect(again).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(((again as WorkflowUpdateFailedError).cause as { details?: unknown[] }).details?.[0]).toEqual({
      code: 'calendar-unchanged',
    });

    const removed = await calendar(handle, { remove: [day] });
    expect(removed.holidays).toEqual(['2030-01-01']);
    expect(removed.stages[0]!.response.dueAt).toBe(before);
    // The old form (the whole list) still replaces it.
    const replaced = await calendar(handle, { holidays: [] });
    expect(replaced.holidays).toEqual([]);
    await executeUpdateForState(handle, actionUpdates.withdraw, { args: [{ actor: manager }] });
  });
});
