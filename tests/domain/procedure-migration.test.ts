import { describe, expect, it } from 'vitest';
import type { ComplaintCommand } from '../../domain/actions';
import {
  applyEvent,
  calendarChange,
  decide,
  initialState,
  nextScheduledEvent,
  receiveComplaint,
  type ComplaintState,
  type Decision,
} from '../../domain/complaint';
import { procedureKey, stageDefinition } from '../../domain/procedure';
import { listProcedureMigrations } from '../../domain/procedure-migrations';
import { findProcedure, getProcedure } from '../../domain/procedures';
import { complaintDetails } from '../support/complaint-harness';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.parse('2026-03-02T09:00:00Z'); // a Monday
const manager = { id: 'manager.brown', role: 'manager' };
const dundee = getProcedure({ id: 'dundee-swd-2011', version: 1 });

function complaint(serious = false): ComplaintState {
  const received = receiveComplaint({
    ref: 'SW-MIG-1',
    procedure: dundee,
    details: complaintDetails({ serious }),
    receivedAtMs: T0,
    holidays: [],
  });
  return initialState({ ...received, seq: 1, at: new Date(T0).toISOString(), actor: { id: 'intake' } });
}

function act(state: ComplaintState, command: ComplaintCommand, at: number): Decision {
  const decision = decide(state, command, at, getProcedure(state.procedure));
  if (decision.ok) {
    for (const event of decision.events)
      applyEvent(state, { ...event, seq: state.timeline.length + 1, at: new Date(at).toISOString(), actor: manager });
  }
  return decision;
}

const move = (to: string): ComplaintCommand => ({
  action: 'migrate-procedure',
  to,
  reason: 'The council adopted the SPSO procedure',
  actor: manager,
});

describe('the stage mappings', () => {
  it('each maps every stage of its old procedure to a stage of its new one', () => {
    expect(listProcedureMigrations().length).toBeGreaterThan(0);
    for (const migration of listProcedureMigrations()) {
      const from = findProcedure(migration.from.id, migration.from.version);
      const to = findProcedure(migration.to.id, migration.to.version);
      expect(from, procedureKey(migration.from)).toBeDefined();
      expect(to, procedureKey(migration.to)).toBeDefined();
      expect(Object.keys(migration.stages).sort()).toEqual(from!.stages.map((stage) => stage.id).sort());
      for (const mapping of Object.values(migration.stages))
        expect(() => stageDefinition(to!, mapping.to)).not.toThrow();
      expect(migration.notes.length).toBeGreaterThan(0);
    }
  });
});

describe('migrate-procedure', () => {
  it('Level 1 becomes Stage 1 counted afresh from the migration day; the pending acknowledgement is no longer due', () => {
    const state = complaint();
    const at = T0 + 2 * DAY; // Wednesday
    const decision = act(state, move('spso-mchp@1'), at);
    expect(decision.ok).toBe(true);
    expect(state.procedure).toEqual({ id: 'spso-mchp', version: 1, name: getProcedure(state.procedure).name });
    expect(state.currentStage).toBe('stage-1');
    const record = state.stages[0]!;
    expect(record.stage).toBe('stage-1');
    expect(record.acknowledgement).toBeNull();
    // 5 working days from Wednesday 4 March: Wednesday 11 March, end of the London day.
    expect(record.response.dueAt).toBe('2026-03-11T23:59:59.999Z');
    expect(state.timeline.at(-1)).toMatchObject({
      type: 'procedure-migrated',
      from: { id: 'dundee-swd-2011', version: 1 },
      to: { id: 'spso-mchp', version: 1 },
      fromStage: 'level-1',
      deadlines: 'afresh',
    });
    // The clock now follows the SPSO stage: its reminder 24 h before the new deadline.
    const next = nextScheduledEvent(state, getProcedure(state.procedure), at);
    expect(next?.event).toMatchObject({ type: 'reminder-issued', stage: 'stage-1', deadline: 'response' });
  });

  it('Level 2 keeps its deadlines, a met acknowledgement stays met', () => {
    const state = complaint(true);
    act(state, { action: 'acknowledge', actor: manager }, T0 + HOUR);
    const before = structuredClone(state.stages[0]!);
    expect(act(state, move('spso-mchp@1'), T0 + 3 * DAY).ok).toBe(true);
    const record = state.stages[0]!;
    expect(record.stage).toBe('stage-2');
    expect(record.acknowledgement?.metAt).toBe(before.acknowledgement?.metAt);
    expect(record.response.dueAt).toBe(before.response.dueAt);
  });

  it('is refused to the same procedure, to an unknown one, and where no mapping exists', () => {
    const state = complaint();
    expect(decide(state, move('dundee-swd-2011@1'), T0, dundee)).toMatchObject({ ok: false, code: 'same-procedure' });
    expect(decide(state, move('nothing@1'), T0, dundee)).toMatchObject({ ok: false, code: 'no-migration-path' });
    act(state, move('spso-mchp@1'), T0);
    expect(decide(state, move('dundee-swd-2011@1'), T0, getProcedure(state.procedure))).toMatchObject({
      ok: false,
      code: 'no-migration-path',
    });
  });
});

describe('calendarChange', () => {
  it('adds and removes only what changes the list, and says so', () => {
    expect(calendarChange(['2026-12-25'], ['2026-12-25'], [])).toBeUndefined();
    expect(calendarChange(['2026-12-25'], ['2026-12-28'], ['2026-12-25', '2027-01-01'])).toEqual({
      holidays: ['2026-12-28'],
      added: ['2026-12-28'],
      removed: ['2026-12-25'],
    });
  });
});

describe('a migration counts afresh by the target procedure’s rule (patch migration-counts-by-target)', () => {
  it('to the 2017 procedure: the migration day is day 1, and the new deadline explains itself', () => {
    const state = complaint();
    const at = T0 + 2 * DAY; // Wednesday 4 March 2026, 09:00
    const decision = act(state, move('spso-social-work-2017@1'), at);
    expect(decision.ok).toBe(true);
    const record = state.stages[0]!;
    // Day 1 = Wednesday 4 March (receipt-day rule): 5 working days end on Tuesday 10 March, not Wednesday 11.
    expect(record.response.dueAt).toBe('2026-03-10T23:59:59.999Z');
    expect(record.response.working).toMatchObject({
      rule: 'working-days/receipt-day',
      days: 5,
      firstDay: '2026-03-04',
      lastDay: '2026-03-10',
    });
    expect(state.timeline.at(-1)).toMatchObject({
      type: 'procedure-migrated',
      stage: { responseDueAt: '2026-03-10T23:59:59.999Z', responseWorking: { rule: 'working-days/receipt-day' } },
    });
  });

  it('before the patch (the workflow replaying an older migration): the first versions’ rule, unexplained', () => {
    const state = complaint();
    const at = T0 + 2 * DAY;
    const decision = decide(state, move('spso-social-work-2017@1'), at, dundee, { migrationCountsByTarget: false });
    expect(decision).toMatchObject({ ok: true, events: [{ stage: { responseDueAt: '2026-03-11T23:59:59.999Z' } }] });
    expect(decision.ok && decision.events[0]).not.toHaveProperty('stage.responseWorking');
  });

  it('kept deadlines stay as they were, with no explanation invented for them', () => {
    const state = complaint(true); // Level 2: kept
    act(state, move('spso-social-work-2017@1'), T0 + DAY);
    const record = state.stages[0]!;
    expect(record.response.dueAt).toBe(new Date(T0 + 28 * DAY).toISOString());
    expect(record.response.working).toBeUndefined();
  });
});
