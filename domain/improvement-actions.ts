import { endOfLondonDay, londonTimeOn, workingDayBefore, type HolidayCalendar } from './calendar';
import { inPeriod, type ReportPeriod } from './annual-report';
import type { ComplaintState } from './complaint';
import type { Notice } from './notices';
import { stageDefinition } from './procedure';
import { getProcedure } from './procedures';
import type { ServiceArea } from './vocabulary';

// Improvement actions agreed at or after a complaint's outcome (issue 16): the rules of their status, of their
// reminders to the owner and the notice each sends, and the report's counts. The machinery that calls them:
// api/improvement-actions.ts (agreeing, completing), workflows/improvement-action.ts (the reminders' timers),
// activities/improvement-actions.ts (the notice), register/improvement-actions.ts (kept). Pure: no clock, no I/O;
// instants are ISO strings, a due date is a London day (YYYY-MM-DD) and an action is due by the end of it.

export interface ImprovementAction {
  id: string;
  /** The complaint it was agreed for. */
  ref: string;
  serviceArea: ServiceArea;
  /** What will be done (free text, fit to publish: no personal details). */
  what: string;
  /** The staff directory id of the owner, who is reminded. */
  owner: string;
  /** The London day it is due by (YYYY-MM-DD). */
  dueDate: string;
  /** When it was agreed (ISO instant). */
  agreedAt: string;
  completion?: { evidence: string; by: string; at: string };
}

export type ImprovementActionStatus = 'open' | 'completed' | 'overdue';

/**
 * An improvement action is agreed at an outcome: once any stage of the complaint has one. A Stage 1 outcome the
 * complainant then took to Stage 2 still teaches what it taught (its root causes are recorded with it).
 */
export function mayAgreeImprovementAction(state: Pick<ComplaintState, 'stages'>): boolean {
  return state.stages.some((record) => record.response.outcome !== undefined);
}

/** Its status at an instant: completed once completion is recorded, overdue after its due day ends, else open. */
export function improvementActionStatus(action: ImprovementAction, atMs: number): ImprovementActionStatus {
  if (action.completion && Date.parse(action.completion.at) <= atMs) return 'completed';
  return atMs > endOfLondonDay(action.dueDate) ? 'overdue' : 'open';
}

/** When the owner is reminded: at a London time, `leadWorkingDays` working days before the due day, and on it. */
export interface ImprovementReminderRule {
  leadWorkingDays: number;
  /** 'HH:MM', London. */
  atLondonTime: string;
}

export const DEFAULT_IMPROVEMENT_REMINDERS: ImprovementReminderRule = { leadWorkingDays: 5, atLondonTime: '09:00' };

export interface ImprovementReminder {
  kind: 'before-due' | 'due';
  atMs: number;
}

/**
 * The reminders still to send after `nowMs`, in order: none once the action is completed. The lead reminder is
 * left out when it would fall on or after the due reminder (a due date sooner than the lead time).
 */
export function improvementReminders(
  action: ImprovementAction,
  rule: ImprovementReminderRule,
  holidays: HolidayCalendar,
  nowMs: number,
): ImprovementReminder[] {
  if (action.completion) return [];
  const due = londonTimeOn(action.dueDate, rule.atLondonTime);
  const before = londonTimeOn(workingDayBefore(action.dueDate, rule.leadWorkingDays, holidays), rule.atLondonTime);
  const reminders: ImprovementReminder[] = [
    ...(before < due ? [{ kind: 'before-due' as const, atMs: before }] : []),
    { kind: 'due', atMs: due },
  ];
  return reminders.filter((reminder) => reminder.atMs > nowMs);
}

/** The complaint as a reminder names it (its register snapshot has these). */
export type ComplaintForReminder = Pick<ComplaintState, 'ref' | 'procedure' | 'currentStage' | 'details'>;

/** The staff notice that reminds the owner (the staff directory gives the owner's address; else the team's). */
export function improvementReminderNotice(
  action: Pick<ImprovementAction, 'id' | 'what' | 'owner' | 'dueDate'>,
  reminder: ImprovementReminder['kind'],
  complaint: ComplaintForReminder,
  occurredAt: string,
): Notice {
  const stage = stageDefinition(getProcedure(complaint.procedure), complaint.currentStage);
  return {
    id: `${complaint.ref}/improvement-action-reminder/${action.id}/${reminder}`,
    kind: 'improvement-action-reminder',
    audience: 'staff',
    ref: complaint.ref,
    procedure: complaint.procedure,
    stage: { id: stage.id, name: stage.name },
    serviceArea: complaint.details.serviceArea,
    summary: complaint.details.summary,
    caseOfficer: { id: action.owner },
    complainant: { name: complaint.details.complainant.name },
    dueAt: new Date(endOfLondonDay(action.dueDate)).toISOString(),
    improvementAction: { id: action.id, what: action.what, reminder },
    occurredAt,
  };
}

export interface ImprovementActionCounts {
  /** Agreed in the period. */
  agreed: number;
  /** Of those, completed by the period's end. */
  completed: number;
  /** Of those, overdue at the period's end. */
  overdue: number;
}

/** The report's counts: actions agreed in the period, and how they stood at its end. */
export function improvementActionCounts(
  actions: readonly ImprovementAction[],
  period: ReportPeriod,
): ImprovementActionCounts {
  const endMs = Date.parse(period.to) - 1;
  const agreed = actions.filter((action) => inPeriod(action.agreedAt, period));
  const statuses = agreed.map((action) => improvementActionStatus(action, endMs));
  return {
    agreed: agreed.length,
    completed: statuses.filter((status) => status === 'completed').length,
    overdue: statuses.filter((status) => status === 'overdue').length,
  };
}
