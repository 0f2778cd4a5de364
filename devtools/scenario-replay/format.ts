import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { ActionBody, ActionName } from '../../domain/actions';
import { describeIssues } from '../../domain/actions';
import { ComplainantSchema, ComplaintRefSchema } from '../../domain/intake';
import type { Procedure } from '../../domain/procedure';
import { findProcedure } from '../../domain/procedures';
import {
  CategorySchema,
  ChannelSchema,
  LocalDateSchema,
  OutcomeSchema,
  ServiceAreaSchema,
} from '../../domain/vocabulary';

// A scenario (shared/scenarios/README.md): one reporting period of complaints as data, with the annual report it
// must produce. Unknown fields are ignored, so scenarios may carry notes.

const Day = z.number().int().min(0);

export const ScenarioEventSchema = z.discriminatedUnion('type', [
  z.object({ day: Day, type: z.literal('acknowledge'), note: z.string().optional() }),
  z.object({ day: Day, type: z.literal('extend'), days: z.number().int().positive(), reason: z.string().min(1) }),
  z.object({
    day: Day,
    type: z.literal('outcome'),
    outcome: OutcomeSchema,
    rootCauses: z.array(z.string()).optional(),
    learned: z.string().optional(),
  }),
  z.object({
    day: Day,
    type: z.literal('escalate'),
    to: z.string().optional(),
    bypassDirector: z.boolean().optional(),
  }),
  z.object({ day: Day, type: z.literal('withdraw'), reason: z.string().optional() }),
  z.object({ day: Day, type: z.literal('refer-spso'), reference: z.string().optional() }),
]);
export type ScenarioEvent = z.infer<typeof ScenarioEventSchema>;

export const ScenarioComplaintSchema = z.object({
  ref: ComplaintRefSchema,
  receivedDay: Day,
  level: z.string().min(1),
  serious: z.boolean().optional(),
  serviceArea: ServiceAreaSchema,
  category: CategorySchema,
  channel: ChannelSchema,
  complainant: ComplainantSchema,
  summary: z.string().min(1),
  events: z.array(ScenarioEventSchema).default([]),
});
export type ScenarioComplaint = z.infer<typeof ScenarioComplaintSchema>;

export const ScenarioComplimentSchema = z.object({
  day: Day,
  serviceArea: ServiceAreaSchema,
  team: z.string().min(1),
  summary: z.string().min(1),
});
export type ScenarioCompliment = z.infer<typeof ScenarioComplimentSchema>;

export const ScenarioSchema = z
  .object({
    name: z.string().optional(),
    source: z.string().optional(),
    policy: z.string().min(1),
    /** Working-day scenarios: the London date of day 0 (the replay skips the server's clock to it). */
    startDate: LocalDateSchema.optional(),
    periodDays: z.number().int().positive(),
    complaints: z.array(ScenarioComplaintSchema),
    compliments: z.array(ScenarioComplimentSchema).default([]),
    expected: z.record(z.string(), z.unknown()).optional(),
  })
  .superRefine((scenario, ctx) => {
    const refs = new Set<string>();
    scenario.complaints.forEach((complaint, index) => {
      if (refs.has(complaint.ref))
        ctx.addIssue({ code: 'custom', path: ['complaints', index, 'ref'], message: `duplicate ref ${complaint.ref}` });
      refs.add(complaint.ref);
      complaint.events.forEach((event, e) => {
        const previous = complaint.events[e - 1];
        if (event.day < complaint.receivedDay || (previous && event.day < previous.day)) {
          ctx.addIssue({
            code: 'custom',
            path: ['complaints', index, 'events', e, 'day'],
            message: 'events are in time order, from the day of receipt',
          });
        }
      });
    });
    if (!findProcedure(scenario.policy))
      ctx.addIssue({ code: 'custom', path: ['policy'], message: `unknown procedure "${scenario.policy}"` });
  });
export type Scenario = z.infer<typeof ScenarioSchema>;

export function parseScenario(data: unknown, source = 'scenario'): Scenario {
  const parsed = ScenarioSchema.safeParse(data);
  if (!parsed.success) throw new Error(`${source} is not a valid scenario: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

export function readScenario(file: string): Scenario {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`Cannot read scenario ${file}: ${(err as Error).message}`, { cause: err });
  }
  return parseScenario(data, file);
}

/**
 * The procedure version a scenario runs under: the latest of its policy for a scenario on real dates (`startDate`);
 * version 1 for one without, whose days are 24-hour periods from the replay's start ("day d" is start + d × 24 h and
 * an action on day s + n meets a deadline n days after day s: the shared scenarios' README), which is version 1's
 * counting. A later version counts London days, and its figures would depend on the time of day the replay began.
 */
export function scenarioProcedure(scenario: Scenario): Procedure {
  const onRealDates = (scenario as { startDate?: unknown }).startDate !== undefined;
  const procedure = findProcedure(scenario.policy, onRealDates ? undefined : 1);
  if (!procedure) throw new Error(`unknown procedure "${scenario.policy}"`);
  return procedure;
}

/** Serious complaints start at the procedure's serious start stage; the scenario says so by `serious` or by `level`. */
export function isSerious(complaint: ScenarioComplaint, procedure: Procedure): boolean {
  if (complaint.serious !== undefined) return complaint.serious;
  if (complaint.level === procedure.firstStage) return false;
  if (complaint.level === procedure.seriousStartStage) return true;
  throw new Error(
    `${complaint.ref}: complaints under ${procedure.id} start at ${procedure.firstStage} or (serious) ${procedure.seriousStartStage}, not ${complaint.level}`,
  );
}

export type ScenarioAction = { [A in ActionName]: { action: A; body: ActionBody<A> } }[ActionName];

/** The product's action for a scenario event (the scenario's extensions are agreed with the complainant). */
export function actionFor(event: ScenarioEvent): ScenarioAction {
  switch (event.type) {
    case 'acknowledge':
      return { action: 'acknowledge', body: event.note ? { note: event.note } : {} };
    case 'extend':
      return {
        action: 'grant-extension',
        body: { days: event.days, reason: event.reason, agreedWithComplainant: true },
      };
    case 'outcome':
      return {
        action: 'record-outcome',
        body: {
          outcome: event.outcome,
          ...(event.rootCauses?.length ? { rootCauses: event.rootCauses } : {}),
          ...(event.learned ? { learned: event.learned } : {}),
        },
      };
    case 'escalate':
      return {
        action: 'request-escalation',
        body: {
          ...(event.to !== undefined ? { to: event.to } : {}),
          ...(event.bypassDirector !== undefined ? { bypass: event.bypassDirector } : {}),
        },
      };
    case 'withdraw':
      return { action: 'withdraw', body: event.reason ? { reason: event.reason } : {} };
    case 'refer-spso':
      return { action: 'refer-to-ombudsman', body: event.reference ? { reference: event.reference } : {} };
  }
}

/** Everything that happens on one day, in order: receipts and events in file order, then compliments. */
export type ScenarioStep =
  | { kind: 'receive'; complaint: ScenarioComplaint }
  | { kind: 'act'; complaint: ScenarioComplaint; event: ScenarioEvent }
  | { kind: 'compliment'; compliment: ScenarioCompliment };

/**
 * The scenario as days of steps, in day order. Within a day: complaints in file order, each complaint's receipt
 * and events of that day in listed order; then the day's compliments in file order.
 */
export function scenarioDays(scenario: Scenario): Array<{ day: number; steps: ScenarioStep[] }> {
  const days = new Map<number, ScenarioStep[]>();
  const at = (day: number) => {
    let steps = days.get(day);
    if (!steps) days.set(day, (steps = []));
    return steps;
  };
  const allDays = new Set<number>();
  for (const complaint of scenario.complaints) {
    allDays.add(complaint.receivedDay);
    for (const event of complaint.events) allDays.add(event.day);
  }
  for (const compliment of scenario.compliments) allDays.add(compliment.day);
  for (const day of [...allDays].sort((a, b) => a - b)) {
    for (const complaint of scenario.complaints) {
      if (complaint.receivedDay === day) at(day).push({ kind: 'receive', complaint });
      for (const event of complaint.events) if (event.day === day) at(day).push({ kind: 'act', complaint, event });
    }
    for (const compliment of scenario.compliments)
      if (compliment.day === day) at(day).push({ kind: 'compliment', compliment });
  }
  return [...days.entries()].sort(([a], [b]) => a - b).map(([day, steps]) => ({ day, steps }));
}

/** The last day anything happens, or the period's end, whichever is later. */
export function lastScenarioDay(scenario: Scenario): number {
  return Math.max(scenario.periodDays, ...scenarioDays(scenario).map(({ day }) => day));
}
