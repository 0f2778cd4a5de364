// The retention schedule's rules (domain/retention.ts): the first matching rule applies, else the default; periods
// are calendar arithmetic from the closure; the shipped example file is valid.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  complimentRetentionDue,
  DEFAULT_RETENTION_SCHEDULE,
  retentionDue,
  retentionEndsAt,
  RetentionScheduleSchema,
} from '../../domain/retention';
import { retentionScheduleFor } from '../../platform/procedure-files';

const schedule = RetentionScheduleSchema.parse({
  default: { years: 6 },
  rules: [
    { procedure: 'spso-social-work-2017', serviceArea: 'childrens-services', years: 10 },
    { serviceArea: 'childrens-services', years: 8, months: 6 },
  ],
});
const closedAt = '2020-03-31T12:00:00.000Z';

describe('the retention schedule', () => {
  it('applies the first matching rule, else the default, named as the destruction log records it', () => {
    const judge = (procedureId: string, serviceArea: 'childrens-services' | 'community-care', asOf: string) =>
      retentionDue(schedule, { procedureId, serviceArea, closedAt }, asOf);
    expect(judge('spso-social-work-2017', 'childrens-services', '2030-03-31T12:00:00.000Z')).toEqual({
      due: true,
      rule: 'rule 1 (procedure spso-social-work-2017, service area childrens-services): 10 years after closure',
      endsAt: '2030-03-31T12:00:00.000Z',
    });
    expect(judge('spso-mchp', 'childrens-services', '2028-09-30T11:59:59.000Z')).toMatchObject({
      due: false,
      rule: 'rule 2 (service area childrens-services): 8 years 6 months after closure',
    });
    expect(judge('spso-mchp', 'community-care', '2026-03-31T12:00:00.000Z')).toMatchObject({
      due: true,
      rule: 'default: 6 years after closure',
    });
    expect(judge('spso-mchp', 'community-care', '2026-03-31T11:59:59.999Z').due).toBe(false);
  });

  it('counts months and days from the closure', () => {
    expect(retentionEndsAt('2024-01-31T00:00:00.000Z', { days: 30 })).toBe('2024-03-01T00:00:00.000Z');
    expect(retentionEndsAt('2024-02-29T10:00:00.000Z', { years: 1 })).toBe('2025-03-01T10:00:00.000Z');
  });

  it('refuses a rule naming nothing or of no length; ships a valid example and a 6-year default', () => {
    expect(RetentionScheduleSchema.safeParse({ default: { years: 6 }, rules: [{ years: 1 }] }).success).toBe(false);
    expect(RetentionScheduleSchema.safeParse({ default: { days: 0 } }).success).toBe(false);
    expect(retentionScheduleFor({})).toEqual(DEFAULT_RETENTION_SCHEDULE);
    const example = path.resolve(__dirname, '..', '..', 'config', 'retention-schedule.example.yaml');
    expect(retentionScheduleFor({ RETENTION_SCHEDULE_PATH: example })).toEqual(DEFAULT_RETENTION_SCHEDULE);
  });

  it("judges a compliment's text by the compliments period after receipt, else the default", () => {
    const received = '2020-03-31T00:00:00.000Z';
    expect(complimentRetentionDue(schedule, received, '2026-03-30T23:59:59.000Z')).toEqual({
      due: false,
      rule: 'compliments (default): 6 years after receipt',
      endsAt: '2026-03-31T00:00:00.000Z',
    });
    expect(complimentRetentionDue(schedule, received, '2026-03-31T00:00:00.000Z').due).toBe(true);
    const shorter = RetentionScheduleSchema.parse({ default: { years: 6 }, compliments: { years: 2 } });
    expect(complimentRetentionDue(shorter, received, '2022-04-01T00:00:00.000Z')).toMatchObject({
      due: true,
      rule: 'compliments: 2 years after receipt',
    });
    expect(RetentionScheduleSchema.safeParse({ default: { years: 6 }, compliments: {} }).success).toBe(false);
  });
});
