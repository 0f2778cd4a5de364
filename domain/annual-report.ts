import { currentOutcome, replayTimeline, type ComplaintState, type TimelineEntry } from './complaint';
import { londonDate } from './calendar';
import { DateOrInstantSchema } from './compliments';
import { stageRank, type Procedure, type ProcedureRef } from './procedure';
import { getProcedure } from './procedures';
import { z } from 'zod';
import {
  categories,
  CategorySchema,
  outcomes,
  serviceAreas,
  ServiceAreaSchema,
  type Category,
  type Outcome,
  type ServiceArea,
} from './vocabulary';

// The annual performance report, computed from what happened: each complaint's recorded events (as the register
// keeps them) are folded with `replayTimeline` into the complaint as it stood at the end of the period, and
// counted. Nothing here knows a procedure's stage names or a period's numbers; the counting rules are those of
// the report format in shared/scenarios/README.md, stated once more at each figure below.
//
// Pure: no clock, no I/O. Instants are ISO strings; a period is half-open [from, to).

export interface ReportPeriod {
  /** First instant of the period (ISO). */
  from: string;
  /** First instant after the period (ISO): complaints are counted as they stood then. */
  to: string;
}

/** A compliment as the register keeps it. */
export interface ComplimentRecord {
  id: string;
  serviceArea: ServiceArea;
  team: string;
  /** When it was received (ISO instant). */
  receivedAt: string;
  summary: string;
}

export interface TargetsMet {
  met: number;
  of: number;
  /** met / of as a percentage, one decimal, half up; null when `of` is 0. */
  percent: number | null;
}

/** Exactly the keys of the report format (shared/scenarios/README.md). */
export interface AnnualReport {
  total: number;
  byLevel: Record<string, number>;
  byServiceArea: Partial<Record<ServiceArea, number>>;
  byCategory: Partial<Record<Category, number>>;
  outcomes: Record<string, number>;
  upheldPercent: number | null;
  notUpheldPercent: number | null;
  acknowledgedOnTime: TargetsMet;
  completedOnTime: TargetsMet;
  extensions: number;
  committeeHearings: number;
  spsoReferrals: number;
  compliments: number;
  complimentsByServiceArea: Partial<Record<ServiceArea, number>>;
}

/** GET /reports/annual and /reports/spso: a date is a whole day in Europe/London (`to` inclusive), an instant exact. */
export const ReportQuerySchema = z
  .object({
    from: DateOrInstantSchema.describe('First day (YYYY-MM-DD) or instant of the period'),
    to: DateOrInstantSchema.describe(
      'Last day (YYYY-MM-DD, inclusive) or the instant the period ends (exclusive); not before from',
    ),
  })
  .strict();

export const reportFormats = ['json', 'md', 'html', 'pdf'] as const;
export const AnnualReportQuerySchema = ReportQuerySchema.extend({
  format: z
    .enum(reportFormats)
    .default('json')
    .describe(
      'json: the figures; md, html (with charts) and pdf: the committee paper (front matter from configuration, a section per procedure)',
    ),
}).strict();

const Count = z.number().int().min(0);
const Percent = z.number().min(0).max(100).nullable();
export const TargetsMetSchema = z.object({ met: Count, of: Count, percent: Percent }).strict();

/** The report as JSON (GET /reports/annual, `npm run report -- --format json`, the scenario's `expected`). */
export const AnnualReportSchema = z
  .object({
    total: Count,
    byLevel: z.record(z.string(), Count).describe('Each complaint once, at the highest stage it reached'),
    byServiceArea: z.partialRecord(ServiceAreaSchema, Count).describe('Areas with none are absent'),
    byCategory: z.partialRecord(CategorySchema, Count).describe('Categories with none are absent'),
    outcomes: z
      .record(z.string(), Count)
      .describe("Each complaint once: its current stage's outcome, ongoing, or withdrawn"),
    upheldPercent: Percent,
    notUpheldPercent: Percent,
    acknowledgedOnTime: TargetsMetSchema,
    completedOnTime: TargetsMetSchema,
    extensions: Count,
    committeeHearings: Count,
    spsoReferrals: Count,
    compliments: Count,
    complimentsByServiceArea: z.partialRecord(ServiceAreaSchema, Count),
  })
  .strict();

export interface AnnualReportInput {
  period: ReportPeriod;
  /** Each complaint's recorded events (any complaints, any order); those not received in the period are ignored. */
  timelines: readonly (readonly TimelineEntry[])[];
  /** Compliments (any); those received in the period are counted. */
  compliments: readonly ComplimentRecord[];
  /**
   * Procedures whose stages (byLevel) and outcomes are always listed, with 0 when nothing is counted there:
   * normally the configured default. Procedures of the complaints counted are listed too.
   */
  procedures?: readonly ProcedureRef[];
}

/** What the complaint stands at, at the end of the period. */
export type Standing = Outcome | 'ongoing' | 'withdrawn';

/**
 * "Concluded": the current stage has one of these outcomes (and the complaint was not withdrawn). Resolved is a
 * conclusion too (issue 16): a complaint resolved at the frontline is answered, not ongoing.
 */
export const CONCLUDED_OUTCOMES: readonly Outcome[] = ['upheld', 'partially-upheld', 'not-upheld', 'resolved'];

const ms = (instant: string) => Date.parse(instant);

export function inPeriod(instant: string, period: ReportPeriod): boolean {
  const t = ms(instant);
  return t >= ms(period.from) && t < ms(period.to);
}

/**
 * The complaints received in the period, each rebuilt from its events recorded before the period's end. The first
 * event (the receipt) always counts, so a complaint received in the period but recorded late is not lost.
 */
export function complaintsAtPeriodEnd(
  timelines: AnnualReportInput['timelines'],
  period: ReportPeriod,
): ComplaintState[] {
  const end = ms(period.to);
  const states: ComplaintState[] = [];
  for (const timeline of timelines) {
    const entries = [...timeline].sort((a, b) => a.seq - b.seq);
    const first = entries[0];
    if (!first || first.type !== 'complaint-received' || !inPeriod(first.receivedAt, period)) continue;
    states.push(replayTimeline([first, ...entries.slice(1).filter((entry) => ms(entry.at) < end)]));
  }
  return states.sort((a, b) => ms(a.receivedAt) - ms(b.receivedAt) || a.ref.localeCompare(b.ref));
}

export function standing(state: ComplaintState): Standing {
  if (state.status === 'withdrawn') return 'withdrawn';
  return currentOutcome(state) ?? 'ongoing';
}

export function isConcluded(state: ComplaintState): boolean {
  const now = standing(state);
  return now !== 'ongoing' && now !== 'withdrawn' && CONCLUDED_OUTCOMES.includes(now);
}

/** The stage of the procedure ladder furthest up that the complaint reached. */
export function highestStage(state: ComplaintState, procedure: Procedure): string {
  return state.stages.reduce(
    (highest, record) => (stageRank(procedure, record.stage) > stageRank(procedure, highest) ? record.stage : highest),
    state.stages[0]?.stage ?? state.currentStage,
  );
}

/**
 * The procedure's hearing stage (e.g. a Complaints Review Committee): the stage after which the Ombudsman may be
 * asked, when complaints can only reach it by escalation. None when that stage is also where complaints start
 * (as in the SPSO two-stage procedure, whose Stage 2 is an investigation, not a hearing).
 */
export function hearingStage(procedure: Procedure): string | undefined {
  const last = procedure.ombudsman.afterStage;
  return last === procedure.firstStage || last === procedure.seriousStartStage ? undefined : last;
}

/** How the acknowledgements of a complaint went, as it stood at `endMs`. */
export function acknowledgementRecord(state: ComplaintState, endMs: number): { counted: boolean; met: boolean } {
  let made = false;
  let overdue = false;
  let late = false;
  for (const record of state.stages) {
    const ack = record.acknowledgement;
    if (!ack) continue;
    if (ack.metAt !== undefined) {
      made = true;
      if (ack.onTime === false) late = true;
    } else if (ms(ack.dueAt) < endMs) {
      // The deadline passed with no acknowledgement.
      overdue = true;
    }
  }
  return { counted: state.status !== 'withdrawn' && (made || overdue), met: !late && !overdue };
}

/** Every stage's response was given on time, extensions counted. */
export function allResponsesOnTime(state: ComplaintState): boolean {
  return state.stages.every((record) => record.response.metAt !== undefined && record.response.onTime === true);
}

/** numerator / denominator (non-negative integers) with one decimal, rounded half up in integer arithmetic. */
export function oneDecimal(numerator: number, denominator: number): number | null {
  if (denominator === 0) return null;
  return Math.floor((numerator * 20 + denominator) / (2 * denominator)) / 10;
}

/** n / of as a percentage with one decimal, half up; null when `of` is 0. */
export function percentage(n: number, of: number): number | null {
  return oneDecimal(n * 100, of);
}

function targets(met: number, of: number): TargetsMet {
  return { met, of, percent: percentage(met, of) };
}

function countNonZero<K extends string>(keys: readonly K[], values: readonly K[]): Partial<Record<K, number>> {
  const counts: Partial<Record<K, number>> = {};
  for (const key of keys) {
    const n = values.filter((value) => value === key).length;
    if (n > 0) counts[key] = n;
  }
  return counts;
}

function uniqueProcedures(refs: readonly ProcedureRef[]): Procedure[] {
  const seen = new Map<string, Procedure>();
  for (const ref of refs) seen.set(`${ref.id}@${ref.version}`, getProcedure(ref));
  return [...seen.values()];
}

/** The annual report over the complaints received and compliments recorded in the period. */
export function annualReport(input: AnnualReportInput): AnnualReport {
  const { period } = input;
  const endMs = ms(period.to);
  const complaints = complaintsAtPeriodEnd(input.timelines, period);
  const procedures = uniqueProcedures([...(input.procedures ?? []), ...complaints.map((state) => state.procedure)]);

  const byLevel: Record<string, number> = {};
  for (const procedure of procedures) for (const stage of procedure.stages) byLevel[stage.id] ??= 0;
  for (const state of complaints) {
    const stage = highestStage(state, getProcedure(state.procedure));
    byLevel[stage] = (byLevel[stage] ?? 0) + 1;
  }

  const standings = complaints.map(standing);
  const listedOutcomes = outcomes.filter((outcome) =>
    procedures.some((procedure) => procedure.stages.some((stage) => stage.outcomes.includes(outcome))),
  );
  const outcomeCounts: Record<string, number> = {};
  for (const key of [...listedOutcomes, 'ongoing', 'withdrawn'] as const) outcomeCounts[key] = 0;
  for (const now of standings) outcomeCounts[now] = (outcomeCounts[now] ?? 0) + 1;

  const concluded = complaints.filter(isConcluded);
  const count = (outcome: Outcome) => standings.filter((now) => now === outcome).length;

  const acknowledgements = complaints
    .map((state) => acknowledgementRecord(state, endMs))
    .filter((record) => record.counted);

  const compliments = input.compliments.filter((compliment) => inPeriod(compliment.receivedAt, period));

  return {
    total: complaints.length,
    byLevel,
    byServiceArea: countNonZero(
      serviceAreas,
      complaints.map((state) => state.details.serviceArea),
    ),
    byCategory: countNonZero(
      categories,
      complaints.map((state) => state.details.category),
    ),
    outcomes: outcomeCounts,
    upheldPercent: percentage(count('upheld'), concluded.length),
    notUpheldPercent: percentage(count('not-upheld'), concluded.length),
    acknowledgedOnTime: targets(acknowledgements.filter((record) => record.met).length, acknowledgements.length),
    completedOnTime: targets(concluded.filter(allResponsesOnTime).length, concluded.length),
    extensions: complaints.reduce(
      (n, state) => n + state.stages.reduce((m, record) => m + record.response.extensions.length, 0),
      0,
    ),
    committeeHearings: complaints.reduce((n, state) => {
      const hearing = hearingStage(getProcedure(state.procedure));
      return n + state.stages.filter((record) => record.stage === hearing).length;
    }, 0),
    spsoReferrals: complaints.filter((state) => state.ombudsmanReferral !== undefined).length,
    compliments: compliments.length,
    complimentsByServiceArea: countNonZero(
      serviceAreas,
      compliments.map((compliment) => compliment.serviceArea),
    ),
  };
}

/** Complaints received per calendar month (Europe/London) of the period, every month listed, for charts. */
export function complaintsByMonth(
  timelines: AnnualReportInput['timelines'],
  period: ReportPeriod,
): Array<{ month: string; received: number }> {
  const months: Array<{ month: string; received: number }> = [];
  const last = londonDate(ms(period.to) - 1).slice(0, 7);
  for (let month = londonDate(ms(period.from)).slice(0, 7); month <= last; month = nextMonth(month))
    months.push({ month, received: 0 });
  for (const state of complaintsAtPeriodEnd(timelines, period)) {
    const entry = months.find((candidate) => candidate.month === londonDate(ms(state.receivedAt)).slice(0, 7));
    if (entry) entry.received += 1;
  }
  return months;
}

function nextMonth(month: string): string {
  const [year, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${year + 1}-01` : `${year}-${String(m + 1).padStart(2, '0')}`;
}
