// A defect the fault drill found (tests/faults/drill.test.ts, the Temporal server killed mid-action): the register
// kept a note at the time of a workflow task that was lost, not at the time of the task that replaced it. The lost
// task's local activity was retried by the worker after the replacing task had written the same seq, so its write
// BEGAN later, and the register (which ordered writes by when they began) took it as the newer one. Writes are now
// ordered by the workflow time of the task that made the batch (RegisterBatch.madeAtMs), which a retry keeps.
import { describe, expect, it } from 'vitest';
import type { RegisterBatch } from '../../activities/contract';
import { createActivities } from '../../activities/complaint-activities';
import { receiveComplaint, replayTimeline, type ComplaintEvent, type TimelineEntry } from '../../domain/complaint';
import { getProcedure } from '../../domain/procedures';
import { openPgliteInMemory, registerOver } from '../../register';
import { RecordingActivities } from '../support/recording-activities';

const T0 = Date.parse('2026-12-02T01:42:38.939Z');
const actor = { id: 'drill.officer', role: 'case-officer' };

function timeline(events: Array<[number, ComplaintEvent]>): TimelineEntry[] {
  const first = receiveComplaint({
    ref: 'SW-2026-715464',
    procedure: getProcedure({ id: 'dundee-swd-2011', version: 1 }),
    receivedAtMs: T0,
    holidays: [],
    details: {
      complainant: { name: 'Drill Complainant 32' },
      serviceArea: 'community-care',
      category: 'service-standards',
      channel: 'email',
      summary: 'The home care visits were missed.',
      serious: false,
    },
  });
  return [[T0, first] as [number, ComplaintEvent], ...events].map(([at, event], i) => ({
    ...event,
    seq: i + 1,
    at: new Date(at).toISOString(),
    actor,
  }));
}

/** The batch a workflow task at `taskAtMs` makes of entries [from, to), as workflows/complaint-run.ts makes it. */
function batch(entries: TimelineEntry[], from: number, to: number, taskAtMs: number): RegisterBatch {
  const { timeline: made, ...rest } = replayTimeline(entries.slice(0, to));
  return {
    ref: rest.ref,
    entries: entries.slice(from, to),
    snapshot: { ...rest, lastSeq: made.length, nextDeadline: null, overdue: false },
    madeAtMs: taskAtMs,
  };
}

describe("a lost workflow task's register write", () => {
  it("does not replace the replacing task's entry when the lost task's local activity is retried after it", async () => {
    const register = await registerOver(await openPgliteInMemory());
    const { recordInRegister } = createActivities({ register, delivery: new RecordingActivities() });
    const note = { type: 'note-added', text: 'Fault drill note for complaint 32' } as const;
    const acknowledged = [T0 + 2_075, { type: 'acknowledged', stage: 'level-1' }] as [number, ComplaintEvent];
    // The lost (speculative) task at 46.735 s and the task that replaced it at 47.507 s both record the note as seq 3.
    const lost = timeline([acknowledged, [T0 + 7_796, note]]);
    const truth = timeline([acknowledged, [T0 + 8_568, note]]);
    try {
      await recordInRegister(batch(truth, 0, 2, T0 + 2_075));
      await recordInRegister(batch(truth, 2, 3, T0 + 8_568)); // the replacing task's write
      await recordInRegister(batch(lost, 2, 3, T0 + 7_796)); // the lost task's local activity, retried after it
      expect(await register.timeline('SW-2026-715464')).toEqual(truth);
    } finally {
      await register.close();
    }
  });
});
