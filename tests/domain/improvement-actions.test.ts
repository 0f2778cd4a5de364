import { describe, expect, it } from 'vitest';
import {
  DEFAULT_IMPROVEMENT_REMINDERS,
  improvementActionCounts,
  improvementActionStatus,
  improvementReminders,
  mayAgreeImprovementAction,
  type ImprovementAction,
} from '../../domain/improvement-actions';

// Improvement actions' rules: status at an instant (overdue is derived: after the due day ends, London), the owner's
// reminders (a lead time in working days, then the due day; none once completed), and the report's counts.

const action = (overrides: Partial<ImprovementAction> = {}): ImprovementAction => ({
  id: 'IA-1',
  ref: 'SW-2026-000001',
  serviceArea: 'community-care',
  what: 'Call back the same day',
  owner: 'j.smith',
  dueDate: '2026-03-13', // a Friday, GMT
  agreedAt: '2026-02-02T10:00:00.000Z',
  ...overrides,
});
const at = (iso: string) => Date.parse(iso);

describe('mayAgreeImprovementAction', () => {
  const stage = (outcome?: 'upheld') => ({ response: outcome ? { outcome } : {} }) as never;
  it('once any stage has an outcome, also when a later stage has none yet', () => {
    expect(mayAgreeImprovementAction({ stages: [stage()] })).toBe(false);
    expect(mayAgreeImprovementAction({ stages: [stage('upheld')] })).toBe(true);
    expect(mayAgreeImprovementAction({ stages: [stage('upheld'), stage()] })).toBe(true);
  });
});

describe('improvementActionStatus', () => {
  it('is open to the end of the due day (London), overdue after it, completed from the completion on', () => {
    expect(improvementActionStatus(action(), at('2026-03-13T23:59:59.999Z'))).toBe('open');
    expect(improvementActionStatus(action(), at('2026-03-14T00:00:00.000Z'))).toBe('overdue');
    // In summer time the due day ends an hour earlier in UTC.
    expect(improvementActionStatus(action({ dueDate: '2026-06-12' }), at('2026-06-12T23:00:00.000Z'))).toBe('overdue');
    const done = action({ completion: { evidence: 'Rota changed', by: 'j.smith', at: '2026-03-20T09:00:00.000Z' } });
    expect(improvementActionStatus(done, at('2026-03-16T09:00:00.000Z'))).toBe('overdue');
    expect(improvementActionStatus(done, at('2026-03-20T09:00:00.000Z'))).toBe('completed');
  });
});

describe('improvementReminders', () => {
  it('reminds the lead working days before the due day and on it, at the London time, skipping holidays', () => {
    expect(improvementReminders(action(), DEFAULT_IMPROVEMENT_REMINDERS, [], 0)).toEqual([
      { kind: 'before-due', atMs: at('2026-03-06T09:00:00.000Z') },
      { kind: 'due', atMs: at('2026-03-13T09:00:00.000Z') },
    ]);
    expect(improvementReminders(action(), DEFAULT_IMPROVEMENT_REMINDERS, ['2026-03-09'], 0)[0]).toEqual({
      kind: 'before-due',
      atMs: at('2026-03-05T09:00:00.000Z'),
    });
    expect(improvementReminders(action({ dueDate: '2026-06-12' }), DEFAULT_IMPROVEMENT_REMINDERS, [], 0)).toEqual([
      { kind: 'before-due', atMs: at('2026-06-05T08:00:00.000Z') },
      { kind: 'due', atMs: at('2026-06-12T08:00:00.000Z') },
    ]);
  });

  it('leaves out those already past and a lead reminder not before the due one; none once completed', () => {
    expect(improvementReminders(action(), DEFAULT_IMPROVEMENT_REMINDERS, [], at('2026-03-06T09:00:00.000Z'))).toEqual([
      { kind: 'due', atMs: at('2026-03-13T09:00:00.000Z') },
    ]);
    expect(improvementReminders(action(), { leadWorkingDays: 0, atLondonTime: '09:00' }, [], 0)).toEqual([
      { kind: 'due', atMs: at('2026-03-13T09:00:00.000Z') },
    ]);
    const done = action({ completion: { evidence: 'Done', by: 'j.smith', at: '2026-03-01T09:00:00.000Z' } });
    expect(improvementReminders(done, DEFAULT_IMPROVEMENT_REMINDERS, [], 0)).toEqual([]);
  });
});

describe('improvementActionCounts', () => {
  it('counts the actions agreed in the period, completed and overdue as they stood at its end', () => {
    const period = { from: '2026-01-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z' };
    const actions = [
      action({ id: 'done', completion: { evidence: 'Rota', by: 'j.smith', at: '2026-03-10T09:00:00.000Z' } }),
      action({ id: 'due-on-the-last-day', agreedAt: '2026-11-01T10:00:00.000Z', dueDate: '2026-12-31' }),
      action({ id: 'late', dueDate: '2026-06-12' }),
      action({
        id: 'completed-after-the-end',
        dueDate: '2026-12-01',
        completion: { evidence: 'Done', by: 'j.smith', at: '2027-01-05T09:00:00.000Z' },
      }),
      action({ id: 'agreed-before', agreedAt: '2025-12-31T23:59:59.999Z' }),
    ];
    expect(improvementActionCounts(actions, period)).toEqual({ agreed: 4, completed: 1, overdue: 2 });
  });
});
