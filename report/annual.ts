import { annualReport, complaintsByMonth, type AnnualReport, type ReportPeriod } from '../domain/annual-report';
import { spsoIndicators, type SpsoIndicators } from '../domain/spso-indicators';
import { learningSummary, type LearningSummary } from '../domain/learning';
import { DEFAULT_ROOT_CAUSES, type RootCauseTaxonomy } from '../domain/root-causes';
import { londonDate } from '../domain/calendar';
import type { TimelineEntry } from '../domain/complaint';
import { periodEnd, periodStart, startOfLondonDay } from '../domain/compliments';
import { procedureKey, type Procedure, type ProcedureRef } from '../domain/procedure';
import { DEFAULT_PROCEDURE_ID, findProcedure, getProcedure } from '../domain/procedures';
import { complimentRecords, type Register } from '../register';
import { timelinesByProcedure } from '../domain/committee-paper';

// The annual report read from the register: the pure computation (domain/annual-report.ts) over the timelines
// of the complaints received in the period and the compliments, with the previous period alongside when the
// register has complaints in it, and the Ombudsman's indicators when complaints ran under the SPSO procedure.

export interface AnnualReportBundle {
  period: ReportPeriod;
  report: AnnualReport;
  /** Complaints received per month of the period (charts). */
  byMonth: Array<{ month: string; received: number }>;
  previous?: { period: ReportPeriod; report: AnnualReport };
  /** For the complaints under working-day procedures, per procedure version, when there are any. */
  spso?: SpsoIndicators;
  /** Root causes by service area and "You said, we did", over the outcomes given in the period. */
  learning: LearningSummary;
  /** The taxonomy the root causes are named from. */
  rootCauses: RootCauseTaxonomy;
  /** The procedures the report speaks of (the listed ones and those of its complaints): their stage and Ombudsman names. */
  procedures: Procedure[];
  /**
   * The complaints under each procedure (by id, as they stood at the period's end), for the committee paper's
   * sections: never mixed in one list. Compliments are not per procedure (0 here).
   */
  byProcedure: ProcedureReport[];
}

export interface ProcedureReport {
  /** The procedure, at the latest version its complaints ran under. */
  procedure: Procedure;
  report: AnnualReport;
  /** The same procedure's complaints in the previous period, when the bundle compares. */
  previous?: AnnualReport;
}

export interface BuildReportOptions {
  /** Procedures whose stages and outcomes are always listed (normally the configured default). */
  procedures?: readonly ProcedureRef[];
  /** Compare with the previous period of the same length (default true). */
  compare?: boolean;
  population?: number | null;
  /** The organisation's root-cause taxonomy (ROOT_CAUSES_PATH), for the titles; the shipped one when absent. */
  rootCauses?: RootCauseTaxonomy;
}

async function reportFor(register: Register, period: ReportPeriod, procedures: readonly ProcedureRef[]) {
  const [timelines, compliments] = await Promise.all([
    register.timelinesOfComplaintsReceived(period),
    register.compliments(period),
  ]);
  return {
    timelines,
    period,
    report: annualReport({ period, timelines, compliments: complimentRecords(compliments), procedures }),
  };
}

export async function buildAnnualReport(
  register: Register,
  period: ReportPeriod,
  options: BuildReportOptions = {},
): Promise<AnnualReportBundle> {
  const procedures = options.procedures ?? [];
  const current = await reportFor(register, period, procedures);
  const actions = await register.improvementActions.list();
  const bundle: AnnualReportBundle = {
    period,
    report: current.report,
    byMonth: complaintsByMonth(current.timelines, period),
    learning: learningSummary(current.timelines, period, actions),
    rootCauses: options.rootCauses ?? DEFAULT_ROOT_CAUSES,
    procedures: reportProcedures(procedures, current.timelines),
    byProcedure: [],
  };
  let before: Awaited<ReturnType<typeof reportFor>> | undefined;
  if (options.compare !== false) {
    const previous = previousPeriod(period);
    if (await register.hasComplaintsReceived(previous)) {
      before = await reportFor(register, previous, procedures);
      bundle.previous = { period: previous, report: before.report };
    }
  }
  bundle.byProcedure = procedureReports(current, before, procedures);
  const spso = spsoIndicators({
    period,
    timelines: current.timelines,
    population: options.population ?? null,
    actions,
  });
  if (spso.procedures.length > 0) bundle.spso = spso;
  return bundle;
}

type PeriodTimelines = Pick<Awaited<ReturnType<typeof reportFor>>, 'timelines' | 'period'>;

/** One report per procedure either period has complaints under; the listed procedures when neither has any. */
function procedureReports(
  current: PeriodTimelines,
  before: PeriodTimelines | undefined,
  listed: readonly ProcedureRef[],
): ProcedureReport[] {
  const now = timelinesByProcedure(current.timelines, current.period);
  const then = before ? timelinesByProcedure(before.timelines, before.period) : new Map<string, never[]>();
  const ids = [...new Set([...now.keys(), ...then.keys()])];
  const shown = ids.length > 0 ? ids : [...new Set(listed.map((ref) => ref.id))];
  return shown.map((id) => {
    const timelines = [...(now.get(id) ?? []), ...(then.get(id) ?? [])];
    const refs = [...listed.filter((ref) => ref.id === id), ...timelines.flatMap(procedureOfTimeline)];
    const procedure = refs
      .map((ref) => getProcedure(ref))
      .filter((candidate) => candidate.id === id)
      .reduce<Procedure | undefined>((latest, p) => (!latest || p.version > latest.version ? p : latest), undefined);
    const own = refs.filter((ref) => ref.id === id);
    const reportOf = (period: ReportPeriod, group: Array<readonly TimelineEntry[]>) =>
      annualReport({ period, timelines: group, compliments: [], procedures: own });
    return {
      procedure: procedure ?? getProcedure(own[0] ?? { id, version: 1 }),
      report: reportOf(current.period, now.get(id) ?? []),
      ...(before ? { previous: reportOf(before.period, then.get(id) ?? []) } : {}),
    };
  });
}

function procedureOfTimeline(timeline: readonly TimelineEntry[]): ProcedureRef[] {
  return timeline.flatMap((entry) =>
    entry.type === 'complaint-received' ? [entry.procedure] : entry.type === 'procedure-migrated' ? [entry.to] : [],
  );
}

function reportProcedures(listed: readonly ProcedureRef[], timelines: Array<readonly TimelineEntry[]>): Procedure[] {
  const refs = [
    ...listed,
    ...timelines.flatMap((timeline) => (timeline[0]?.type === 'complaint-received' ? [timeline[0].procedure] : [])),
  ];
  const byKey = new Map(refs.map((ref) => [procedureKey(ref), ref]));
  const found = [...byKey.values()].map((ref) => getProcedure(ref));
  const fallback = findProcedure(DEFAULT_PROCEDURE_ID);
  return found.length > 0 || !fallback ? found : [fallback];
}

/** A period from query or command-line bounds: dates are whole days in Europe/London (`to` inclusive), instants exact. */
export function resolvePeriod(from: string, to: string): ReportPeriod {
  const period = { from: periodStart(from), to: periodEnd(to) };
  if (Date.parse(period.from) >= Date.parse(period.to))
    throw new RangeError(`the period must end after it starts (from ${from}, to ${to})`);
  return period;
}

/**
 * The period before: when the period is whole calendar months (London midnights on the 1st), the same number of
 * months earlier (2011 → 2010, whatever the leap years); otherwise the same length immediately before.
 */
export function previousPeriod(period: ReportPeriod): ReportPeriod {
  const fromMs = Date.parse(period.from);
  const toMs = Date.parse(period.to);
  const fromDate = londonDate(fromMs);
  const toDate = londonDate(toMs);
  const wholeMonths =
    startOfLondonDay(fromDate) === fromMs &&
    startOfLondonDay(toDate) === toMs &&
    fromDate.endsWith('-01') &&
    toDate.endsWith('-01');
  if (wholeMonths) {
    const months = monthIndex(toDate) - monthIndex(fromDate);
    const start = monthStart(monthIndex(fromDate) - months);
    return { from: new Date(startOfLondonDay(start)).toISOString(), to: period.from };
  }
  return { from: new Date(fromMs - (toMs - fromMs)).toISOString(), to: period.from };
}

const monthIndex = (isoDate: string) => Number(isoDate.slice(0, 4)) * 12 + Number(isoDate.slice(5, 7)) - 1;
const monthStart = (index: number) =>
  `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}-01`;

/** The period's last day (London), for headings: [from, to) covers fromDate … lastDay. */
export function periodDates(period: ReportPeriod): { first: string; last: string } {
  return { first: londonDate(Date.parse(period.from)), last: londonDate(Date.parse(period.to) - 1) };
}
