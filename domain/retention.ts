import { z } from 'zod';
import { ServiceAreaSchema, type ServiceArea } from './vocabulary';

// How long a closed complaint's personal data is kept (issue 14): a retention schedule of rules by procedure or
// service area, and a default. The daily retention workflow (workflows/retention.ts) erases what is due and deletes
// its workflow executions from Temporal; the rule applied is written in the destruction log. Pure: the times come in.
//
// The default, 6 years after closure, and why: README, "Retention".

const PeriodShape = {
  years: z.number().int().min(0).max(100).optional(),
  months: z.number().int().min(0).max(1_200).optional(),
  days: z.number().int().min(0).max(36_500).optional(),
};
const hasLength = (period: RetentionPeriod) => (period.years ?? 0) + (period.months ?? 0) + (period.days ?? 0) > 0;

export const RetentionPeriodSchema = z
  .object(PeriodShape)
  .strict()
  .refine(hasLength, 'give years, months and/or days (more than none)');
export type RetentionPeriod = { years?: number | undefined; months?: number | undefined; days?: number | undefined };

const RetentionRuleSchema = z
  .object({
    procedure: z
      .string()
      .regex(/^[a-z0-9-]+$/)
      .optional()
      .describe('A procedure id (any version)'),
    serviceArea: ServiceAreaSchema.optional(),
    ...PeriodShape,
  })
  .strict()
  .refine((rule) => rule.procedure !== undefined || rule.serviceArea !== undefined, 'name a procedure or a serviceArea')
  .refine(hasLength, 'give years, months and/or days (more than none)');

/**
 * The document of RETENTION_SCHEDULE_PATH (YAML or JSON). The first rule that matches applies; else the default.
 * `compliments`: how long a compliment's text is kept after it was received (absent: the default).
 */
export const RetentionScheduleSchema = z
  .object({
    default: RetentionPeriodSchema,
    rules: z.array(RetentionRuleSchema).max(200).default([]),
    compliments: RetentionPeriodSchema.optional(),
  })
  .strict();
export type RetentionSchedule = z.output<typeof RetentionScheduleSchema>;

export const DEFAULT_RETENTION_SCHEDULE: RetentionSchedule = { default: { years: 6 }, rules: [] };

/** What a closed complaint is judged by. */
export interface RetainedComplaint {
  procedureId: string;
  serviceArea: ServiceArea;
  /** When it was closed or withdrawn (ISO instant). */
  closedAt: string;
}

function periodWords(period: RetentionPeriod, after = 'closure'): string {
  const parts = (['years', 'months', 'days'] as const)
    .filter((unit) => (period[unit] ?? 0) > 0)
    .map((unit) => `${period[unit]} ${period[unit] === 1 ? unit.slice(0, -1) : unit}`);
  return `${parts.join(' ')} after ${after}`;
}

/** The rule that applies to a complaint, named as the destruction log records it. */
export function retentionRuleFor(
  schedule: RetentionSchedule,
  complaint: Pick<RetainedComplaint, 'procedureId' | 'serviceArea'>,
): { name: string; period: RetentionPeriod } {
  const index = schedule.rules.findIndex(
    (rule) =>
      (rule.procedure === undefined || rule.procedure === complaint.procedureId) &&
      (rule.serviceArea === undefined || rule.serviceArea === complaint.serviceArea),
  );
  const rule = schedule.rules[index];
  if (!rule) return { name: `default: ${periodWords(schedule.default)}`, period: schedule.default };
  const what = [
    rule.procedure && `procedure ${rule.procedure}`,
    rule.serviceArea && `service area ${rule.serviceArea}`,
  ];
  return { name: `rule ${index + 1} (${what.filter(Boolean).join(', ')}): ${periodWords(rule)}`, period: rule };
}

/** When the retention period of something closed at `closedAt` ends (calendar arithmetic in UTC). */
export function retentionEndsAt(closedAt: string, period: RetentionPeriod): string {
  const end = new Date(closedAt);
  end.setUTCFullYear(end.getUTCFullYear() + (period.years ?? 0), end.getUTCMonth() + (period.months ?? 0));
  end.setUTCDate(end.getUTCDate() + (period.days ?? 0));
  return end.toISOString();
}

/** Whether the complaint's personal data is due for erasure at `asOf`, and by which rule. */
export function retentionDue(
  schedule: RetentionSchedule,
  complaint: RetainedComplaint,
  asOf: string,
): { due: boolean; rule: string; endsAt: string } {
  const { name, period } = retentionRuleFor(schedule, complaint);
  const endsAt = retentionEndsAt(complaint.closedAt, period);
  return { due: endsAt <= asOf, rule: name, endsAt };
}

/**
 * Whether a compliment's text is due for erasure at `asOf`, and by which rule: the schedule's `compliments` period
 * (else its default) after the compliment was received. Its row stays (service area, team, date: the reports count it).
 */
export function complimentRetentionDue(
  schedule: RetentionSchedule,
  receivedAt: string,
  asOf: string,
): { due: boolean; rule: string; endsAt: string } {
  const period = schedule.compliments ?? schedule.default;
  const rule = `compliments${schedule.compliments ? '' : ' (default)'}: ${periodWords(period, 'receipt')}`;
  const endsAt = retentionEndsAt(receivedAt, period);
  return { due: endsAt <= asOf, rule, endsAt };
}
