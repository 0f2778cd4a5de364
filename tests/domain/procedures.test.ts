import { describe, expect, it } from 'vitest';
import { ProcedureSchema } from '../../domain/procedure-schema';
import { findProcedure, listProcedures } from '../../domain/procedures';
import { dundeeSocialWork2011 } from '../../domain/procedures/dundee-swd-2011';

describe('published procedures', () => {
  it('are valid procedure data', () => {
    for (const procedure of listProcedures()) expect(ProcedureSchema.safeParse(procedure).success).toBe(true);
  });

  it('the 2011 procedure has the four stages of section 4.10 with its timescales', () => {
    const p = findProcedure('dundee-swd-2011')!;
    expect(
      p.stages.map((s) => [s.id, s.acknowledge?.within.days, s.respond.within.days, s.respond.within.kind]),
    ).toEqual([
      ['level-1', 5, 14, 'calendar'],
      ['level-2', 5, 28, 'calendar'],
      ['director-review', 5, 28, 'calendar'],
      ['committee', 5, 56, 'calendar'],
    ]);
    expect(p.stages.find((s) => s.id === 'level-2')?.escalation).toMatchObject({
      next: 'director-review',
      bypassTo: 'committee',
    });
  });

  it('the SPSO model procedure counts working days', () => {
    const p = findProcedure('spso-mchp')!;
    expect(
      p.stages.map((s) => [s.id, s.acknowledge?.within.days ?? null, s.respond.within.days, s.respond.within.kind]),
    ).toEqual([
      ['stage-1', null, 5, 'working'],
      ['stage-2', 3, 20, 'working'],
    ]);
    expect(p.stages[0]?.extension.maxTotal).toEqual({ days: 10, kind: 'working' });
  });

  it('the 2017 social work and 2020 model procedures: 5 (to 10) working days at Stage 1, 3 and 20 at Stage 2', () => {
    for (const id of ['spso-social-work-2017', 'spso-mchp-2020']) {
      const p = findProcedure(id, 1)!;
      expect(
        p.stages.map((s) => [s.id, s.acknowledge?.within.days ?? null, s.respond.within.days, s.respond.within.kind]),
      ).toEqual([
        ['stage-1', null, 5, 'working'],
        ['stage-2', 3, 20, 'working'],
      ]);
      expect(p.stages[0]?.extension).toEqual({
        allowed: true,
        requiresComplainantAgreement: false,
        maxTotal: { days: 10, kind: 'working' },
      });
      expect(p.stages[1]?.extension.requiresComplainantAgreement).toBe(true);
      expect(p.stages[0]?.escalation?.beforeOutcome).toBe(true);
      expect(p.counting).toEqual({ working: 'receipt-day', calendar: 'end-of-london-day' });
      expect(p.reminders).toEqual({ leadWorkingDays: 1, atLondonTime: '09:00' });
      expect(p.assumptions.join(' ')).toMatch(/earlier deadline/);
    }
    expect(findProcedure('spso-mchp-2020')?.stages[0]?.escalation?.requestWindow).toEqual({
      monthsFromResponse: 2,
      monthsFromEvent: 6,
    });
  });

  it('the first published versions carry no counting rule: they count as they always have', () => {
    expect(findProcedure('dundee-swd-2011', 1)?.counting).toBeUndefined();
    expect(findProcedure('spso-mchp', 1)?.counting).toBeUndefined();
  });

  it('finds a version, or the latest, or nothing', () => {
    expect(findProcedure('dundee-swd-2011', 1)?.version).toBe(1);
    expect(findProcedure('dundee-swd-2011', 99)).toBeUndefined();
    expect(findProcedure('no-such-procedure')).toBeUndefined();
  });

  it('rejects a procedure that names a stage it does not have', () => {
    const broken = { ...dundeeSocialWork2011, firstStage: 'level-0' };
    const result = ProcedureSchema.safeParse(broken);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('unknown stage "level-0"');
  });
});
