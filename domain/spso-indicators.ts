import { z } from 'zod';
import {
  inPeriod,
  oneDecimal,
  percentage,
  TargetsMetSchema,
  type ReportPeriod,
  type TargetsMet,
} from './annual-report';
import { endOfLondonDayMonthsAfter, londonDate, workingDayNumber } from './calendar';
import { applyEvent, currentStageRecord, replayTimeline, type TimelineEntry } from './complaint';
import { startOfLondonDay } from './compliments';
import { countingRule, procedureKey, stageDefinition, type Procedure, type ProcedureRef } from './procedure';
import { improvementActionCounts, type ImprovementAction, type ImprovementActionCounts } from './improvement-actions';
import { getProcedure } from './procedures';
import type { Outcome, ServiceArea } from './vocabulary';

// The Scottish Public Services Ombudsman's complaints performance indicators, computed from what happened (the
// counting rules of shared/scenarios/README.md, "Working-day scenarios", stated once more at each figure below).
//
// - For complaints under a working-day procedure (every stage's response counted in working days), per procedure
//   VERSION: each closure is counted under the procedure version the complaint followed when the outcome was
//   recorded (a complaint moved between procedures counts its earlier outcomes under the earlier version), each
//   complaint received under the version it follows at the period's end.
// - Counted over the stages concluded in the period by complaints received in it; a quarter counts the stages
//   concluded in the quarter (by complaints received in the period) and the complaints received in the quarter,
//   so the quarters add up to the year.
// - Buckets: `stage-1` an outcome at the procedure's first stage; `stage-2` an outcome at the stage a complaint
//   started at (other than the first: a complex complaint investigated from the start); `escalated` an outcome at
//   a stage reached by escalation. A complaint answered at Stage 1 and then at Stage 2 counts once in each bucket.
// - A complaint passed to Stage 2 before Stage 1 had an outcome (the frontline could not resolve it; the 2020
//   procedure allows it) has no Stage 1 closure: its Stage 1 is counted nowhere, neither within nor outside the
//   5 days, and its Stage 2 outcome is an `escalated` closure counted from the escalation. Counting it as a late
//   Stage 1 would report a failure to answer where the procedure asked for no answer.
// - Resolved is an outcome like the others: a concluded stage.
// - Working days taken: the day number of the outcome's day under the procedure's counting rule
//   (domain/calendar.ts workingDayNumber), from the stage's start (the receipt; the escalation for `escalated`), on
//   the complaint's own calendar. A stage moved to another procedure with its deadlines counted afresh
//   (domain/procedure-migrations) counts from the move, as its deadline did; one whose deadlines were kept, from
//   its start. Within timescale: at most the stage's `respond.within` working days (5 and 20),
//   whatever extensions were agreed; extensions are their own figure (closures whose stage had one).
//
// Pure: no clock, no I/O.

export const spsoBuckets = ['stage-1', 'stage-2', 'escalated'] as const;
export type SpsoBucket = (typeof spsoBuckets)[number];

const Count = z.number().int().min(0);
const Percent = z.number().min(0).max(100).nullable();
const perBucket = <T extends z.ZodType>(schema: T) =>
  z.object({ 'stage-1': schema, 'stage-2': schema, escalated: schema }).strict();

/**
 * The keys of the scenario format's `spso` (shared/scenarios/README.md), and in `learning` the improvement actions
 * agreed for the complaints counted, which the format does not have (the replay compares the format's keys only:
 * devtools/scenario-replay/run.ts `scenarioReport`).
 */
export const SpsoFiguresSchema = z
  .object({
    received: Count.describe('Complaints received'),
    closures: z
      .object({ 'stage-1': Count, 'stage-2': Count, escalated: Count, total: Count })
      .strict()
      .describe('Outcomes recorded, by bucket'),
    closureShare: perBucket(Percent).describe("Each bucket's share of all closures, percent"),
    outcomes: perBucket(z.record(z.string(), Count)),
    averageWorkingDays: perBucket(z.number().min(0).nullable()),
    withinTimescale: perBucket(TargetsMetSchema).describe('Closures within 5 (Stage 1) or 20 working days'),
    extended: perBucket(z.object({ count: Count, percent: Percent }).strict()).describe(
      'Closures whose stage had at least one extension, and their share of the closures',
    ),
    learning: z
      .object({
        withRootCause: Count,
        closures: Count,
        actionsAgreed: Count.describe('Improvement actions agreed in the period for complaints under the procedure'),
        actionsCompleted: Count.describe('Of those, completed by the period end'),
      })
      .strict(),
  })
  .strict();
export type SpsoFigures = z.infer<typeof SpsoFiguresSchema>;

const SpsoQuarterSchema = z
  .object({
    label: z.string(),
    from: z.string(),
    to: z.string(),
    receivedPerThousand: z.number().nullable(),
    figures: SpsoFiguresSchema,
  })
  .strict();
export type SpsoQuarter = z.infer<typeof SpsoQuarterSchema>;

export const SpsoProcedureIndicatorsSchema = z
  .object({
    procedure: z.object({ id: z.string(), version: z.number().int(), name: z.string() }).strict(),
    timescales: perBucket(Count).describe("Working days of each bucket's standard timescale"),
    receivedPerThousand: z.number().nullable().describe('Complaints received per 1,000 population; null without'),
    year: SpsoFiguresSchema.describe('The whole period'),
    quarters: z.array(SpsoQuarterSchema).describe('The period in quarters of three months from its first day'),
  })
  .strict();
export type SpsoProcedureIndicators = z.infer<typeof SpsoProcedureIndicatorsSchema>;

export const SpsoIndicatorsSchema = z
  .object({
    period: z.object({ from: z.string(), to: z.string() }).strict(),
    population: z.number().int().positive().nullable(),
    procedures: z.array(SpsoProcedureIndicatorsSchema).describe('One per working-day procedure version'),
  })
  .strict();
export type SpsoIndicators = z.infer<typeof SpsoIndicatorsSchema>;

export interface SpsoIndicatorsInput {
  period: ReportPeriod;
  /** Each complaint's recorded events (any); those not received in the period are ignored. */
  timelines: readonly (readonly TimelineEntry[])[];
  /** Population served (configured); null when unknown. */
  population?: number | null;
  /** The improvement actions (the register's); absent: none. */
  actions?: readonly ImprovementAction[];
}

/** One outcome recorded at a stage, as the indicators count it. */
export interface SpsoClosure {
  ref: string;
  procedure: ProcedureRef;
  bucket: SpsoBucket;
  stage: string;
  outcome: Outcome;
  concludedAt: string;
  serviceArea: ServiceArea;
  workingDays: number;
  timescale: number;
  withinTimescale: boolean;
  extended: boolean;
  rootCauses: readonly string[];
}

/** Whether the indicators apply: every stage's response is counted in working days. */
export function isWorkingDayProcedure(procedure: Procedure): boolean {
  return procedure.stages.every((stage) => stage.respond.within.kind === 'working');
}

interface ComplaintFacts {
  ref: string;
  receivedAt: string;
  /** The procedure it follows at the period's end. */
  procedure: ProcedureRef;
  closures: SpsoClosure[];
}

/** A complaint's outcomes before `endMs`, each under the procedure version it was recorded under. */
function complaintFacts(timeline: readonly TimelineEntry[], endMs: number): ComplaintFacts | undefined {
  const entries = [...timeline].sort((a, b) => a.seq - b.seq);
  const first = entries[0];
  if (!first || first.type !== 'complaint-received') return undefined;
  const state = replayTimeline([first]);
  const closures: SpsoClosure[] = [];
  // A stage whose deadlines a move to another procedure counted afresh counts its days from the move.
  const countedFrom = new Map<number, string>();
  for (const entry of entries.slice(1)) {
    if (Date.parse(entry.at) >= endMs) break;
    applyEvent(state, entry);
    if (entry.type === 'procedure-migrated' && entry.deadlines === 'afresh')
      countedFrom.set(state.stages.length - 1, entry.at);
    if (entry.type !== 'outcome-recorded') continue;
    const procedure = getProcedure(state.procedure);
    if (!isWorkingDayProcedure(procedure)) continue;
    const record = currentStageRecord(state);
    const index = state.stages.length - 1;
    const bucket: SpsoBucket =
      record.stage === procedure.firstStage ? 'stage-1' : index === 0 ? 'stage-2' : 'escalated';
    const timescale = stageDefinition(procedure, record.stage).respond.within.days;
    const workingDays = workingDayNumber(
      Date.parse(countedFrom.get(index) ?? record.startedAt),
      Date.parse(entry.at),
      countingRule(procedure),
      state.holidays,
    );
    closures.push({
      ref: state.ref,
      procedure: { id: procedure.id, version: procedure.version },
      bucket,
      stage: record.stage,
      outcome: entry.outcome,
      concludedAt: entry.at,
      serviceArea: state.details.serviceArea,
      workingDays,
      timescale,
      withinTimescale: workingDays <= timescale,
      extended: record.response.extensions.length > 0,
      rootCauses: entry.rootCauses ?? [],
    });
  }
  return {
    ref: state.ref,
    receivedAt: first.receivedAt,
    procedure: { id: state.procedure.id, version: state.procedure.version },
    closures,
  };
}

/** Every closure the indicators count for the period (complaints received in it, outcomes before its end). */
export function spsoClosures(timelines: SpsoIndicatorsInput['timelines'], period: ReportPeriod): SpsoClosure[] {
  return complaintsOf(timelines, period).flatMap((facts) => facts.closures);
}

function complaintsOf(timelines: SpsoIndicatorsInput['timelines'], period: ReportPeriod): ComplaintFacts[] {
  const endMs = Date.parse(period.to);
  return timelines
    .map((timeline) => complaintFacts(timeline, endMs))
    .filter((facts): facts is ComplaintFacts => facts !== undefined && inPeriod(facts.receivedAt, period));
}

const byBucket = <T>(value: (bucket: SpsoBucket) => T): Record<SpsoBucket, T> => ({
  'stage-1': value('stage-1'),
  'stage-2': value('stage-2'),
  escalated: value('escalated'),
});

/** The outcomes each bucket lists (with 0): those of its stage in the procedure. */
function bucketOutcomes(procedure: Procedure, bucket: SpsoBucket): readonly Outcome[] {
  const stage = bucket === 'stage-1' ? procedure.firstStage : procedure.seriousStartStage;
  return stageDefinition(procedure, stage).outcomes;
}

/** The figures over some closures and some complaints received. */
export function spsoFigures(
  received: number,
  closures: readonly SpsoClosure[],
  procedure: Procedure,
  actions: Pick<ImprovementActionCounts, 'agreed' | 'completed'> = { agreed: 0, completed: 0 },
): SpsoFigures {
  const inBucket = byBucket((bucket) => closures.filter((closure) => closure.bucket === bucket));
  const total = closures.length;
  return {
    received,
    closures: { ...byBucket((bucket) => inBucket[bucket].length), total },
    closureShare: byBucket((bucket) => percentage(inBucket[bucket].length, total)),
    outcomes: byBucket((bucket) => {
      const counts: Record<string, number> = {};
      for (const outcome of bucketOutcomes(procedure, bucket)) counts[outcome] = 0;
      for (const closure of inBucket[bucket]) counts[closure.outcome] = (counts[closure.outcome] ?? 0) + 1;
      return counts;
    }),
    averageWorkingDays: byBucket((bucket) =>
      oneDecimal(
        inBucket[bucket].reduce((sum, closure) => sum + closure.workingDays, 0),
        inBucket[bucket].length,
      ),
    ),
    withinTimescale: byBucket((bucket) => {
      const met = inBucket[bucket].filter((closure) => closure.withinTimescale).length;
      return targets(met, inBucket[bucket].length);
    }),
    extended: byBucket((bucket) => {
      const count = inBucket[bucket].filter((closure) => closure.extended).length;
      return { count, percent: percentage(count, inBucket[bucket].length) };
    }),
    learning: {
      withRootCause: closures.filter((closure) => closure.rootCauses.length > 0).length,
      closures: total,
      actionsAgreed: actions.agreed,
      actionsCompleted: actions.completed,
    },
  };
}

function targets(met: number, of: number): TargetsMet {
  return { met, of, percent: percentage(met, of) };
}

/** The period in quarters of three calendar months from its first London day (the last one cut at its end). */
export function quartersOf(period: ReportPeriod): ReportPeriod[] {
  const fromMs = Date.parse(period.from);
  const toMs = Date.parse(period.to);
  const first = londonDate(fromMs);
  const quarters: ReportPeriod[] = [];
  for (let k = 0, start = fromMs; start < toMs; k++) {
    const next = Math.min(toMs, startOfLondonDay(londonDate(endOfLondonDayMonthsAfter(first, 3 * (k + 1)))));
    quarters.push({ from: new Date(start).toISOString(), to: new Date(next).toISOString() });
    start = next;
  }
  return quarters;
}

/**
 * The Ombudsman's indicators for the period: one entry per working-day procedure version that has complaints
 * received or closures in it (ordered by id@version), with the whole period and its quarters.
 */
export function spsoIndicators(input: SpsoIndicatorsInput): SpsoIndicators {
  const { period } = input;
  const population = input.population ?? null;
  const complaints = complaintsOf(input.timelines, period);
  const closures = complaints.flatMap((facts) => facts.closures);
  const keys = new Map<string, ProcedureRef>();
  for (const ref of [...complaints.map((facts) => facts.procedure), ...closures.map((closure) => closure.procedure)])
    if (isWorkingDayProcedure(getProcedure(ref))) keys.set(procedureKey(ref), ref);
  const perThousand = (n: number) => (population ? oneDecimal(n * 1000, population) : null);
  const procedures = [...keys.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, ref]): SpsoProcedureIndicators => {
      const procedure = getProcedure(ref);
      const mine = closures.filter((closure) => procedureKey(closure.procedure) === key);
      const receivedIn = (within: ReportPeriod) =>
        complaints.filter((facts) => procedureKey(facts.procedure) === key && inPeriod(facts.receivedAt, within))
          .length;
      const timescaleOf = (stage: string) => stageDefinition(procedure, stage).respond.within.days;
      const refs = new Set(complaints.filter((facts) => procedureKey(facts.procedure) === key).map((c) => c.ref));
      const actions = (input.actions ?? []).filter((action) => refs.has(action.ref));
      const actionsIn = (within: ReportPeriod) => improvementActionCounts(actions, within);
      return {
        procedure: { id: procedure.id, version: procedure.version, name: procedure.name },
        timescales: {
          'stage-1': timescaleOf(procedure.firstStage),
          'stage-2': timescaleOf(procedure.seriousStartStage),
          escalated: timescaleOf(procedure.seriousStartStage),
        },
        receivedPerThousand: perThousand(receivedIn(period)),
        year: spsoFigures(receivedIn(period), mine, procedure, actionsIn(period)),
        quarters: quartersOf(period).map((quarter, index) => ({
          label: `Q${index + 1}`,
          from: quarter.from,
          to: quarter.to,
          receivedPerThousand: perThousand(receivedIn(quarter)),
          figures: spsoFigures(
            receivedIn(quarter),
            mine.filter((closure) => inPeriod(closure.concludedAt, quarter)),
            procedure,
            actionsIn(quarter),
          ),
        })),
      };
    });
  return { period: { from: period.from, to: period.to }, population, procedures };
}

/** The figures of one procedure version (the scenario replay compares these with its `expected.spso`). */
export function spsoFiguresOf(indicators: SpsoIndicators, procedure: ProcedureRef): SpsoFigures | undefined {
  return indicators.procedures.find((entry) => procedureKey(entry.procedure) === procedureKey(procedure))?.year;
}
