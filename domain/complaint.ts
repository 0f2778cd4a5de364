import type { ActionName } from './action-names';
import type { ComplaintCommand } from './actions';
import {
  addDays,
  countDeadline,
  endOfLondonDayMonthsAfter,
  extendDeadline,
  londonDate,
  londonTimeOn,
  MS_PER_DAY,
  workingDayBefore,
  type CountedDeadline,
  type CountingRule,
  type DeadlineWorking,
  type HolidayCalendar,
  type HolidayNames,
} from './calendar';
import type {
  ComplaintEvent,
  ComplaintState,
  DeadlineKind,
  DeadlineRecord,
  RejectionCode,
  StageOpening,
  StageRecord,
  TimelineEntry,
} from './complaint-state';
import type { ComplaintDetails, ComplaintOpening } from './intake';
import {
  countingRule,
  PUBLISHED_2011_COUNTING,
  procedureKey,
  stageDefinition,
  startStage,
  type DayCount,
  type Procedure,
  type StageDefinition,
} from './procedure';
import { findProcedureMigration, parseProcedureKey } from './procedure-migrations';
import { findProcedure } from './procedures';
import type { Actor, ComplaintStatus, Outcome } from './vocabulary';

// The complaint as a pure state machine: `decide` checks a command against the procedure and the state and
// says which events it produces (or why it is refused); `applyEvent` folds an event into the state. The
// workflow, the register's annual report and the audit timeline all use these two functions, so a rule
// lives in exactly one place. Instants are ISO strings so that state and events serialise as they are.

// The state, its records and the events are zod schemas in complaint-state.ts (the API describes and serialises
// complaints with them); here only their types, so that workflow code that loads this module does not load zod.
export type {
  ClosureReason,
  ComplaintEvent,
  ComplaintState,
  DeadlineKind,
  DeadlineRecord,
  ExtensionRecord,
  RejectionCode,
  StageOpening,
  StageRecord,
  TimelineEntry,
} from './complaint-state';

/** Who records what no person did: deadlines passing, notices failing. */
export const SYSTEM_ACTOR: Actor = { id: 'system', name: 'Complaints engine' };

// ---------------------------------------------------------------------------------------------- decisions

export type Decision = { ok: true; events: ComplaintEvent[] } | { ok: false; code: RejectionCode; reason: string };

const refusal = (code: RejectionCode, reason: string) => ({ ok: false as const, code, reason });
const reject = (code: RejectionCode, reason: string): Decision => refusal(code, reason);
const accept = (...events: ComplaintEvent[]): Decision => ({ ok: true, events });

const iso = (epochMs: number) => new Date(epochMs).toISOString();
const ms = (instant: string) => Date.parse(instant);

export function isTerminal(status: ComplaintStatus): boolean {
  return status === 'closed' || status === 'withdrawn';
}

export function currentStageRecord(state: ComplaintState): StageRecord {
  const record = state.stages[state.stages.length - 1];
  if (!record) throw new Error(`Complaint ${state.ref} has no stage`);
  return record;
}

/**
 * The deadlines of a stage that begins at `startedAtMs`, counted by the procedure's rule, each with how it was worked
 * out. Without a rule (the first published versions) they are counted as those versions always were, and record no
 * explanation: what they record is what they recorded when published (the audit re-decides recorded actions and
 * compares, tests/audit/timeline.test.ts).
 */
export function openStage(
  stage: StageDefinition,
  startedAtMs: number,
  holidays: HolidayCalendar,
  counting?: CountingRule,
  names: HolidayNames = {},
): StageOpening {
  const rule = counting ?? PUBLISHED_2011_COUNTING;
  const acknowledgement = stage.acknowledge
    ? countDeadline(startedAtMs, stage.acknowledge.within, rule, holidays, names)
    : undefined;
  const response = countDeadline(startedAtMs, stage.respond.within, rule, holidays, names);
  return {
    id: stage.id,
    name: stage.name,
    acknowledgementDueAt: acknowledgement ? iso(acknowledgement.dueAtMs) : null,
    responseDueAt: iso(response.dueAtMs),
    ...(counting && acknowledgement ? { acknowledgementWorking: acknowledgement.working } : {}),
    ...(counting ? { responseWorking: response.working } : {}),
  };
}

export interface NewComplaint {
  ref: string;
  procedure: Procedure;
  details: ComplaintDetails;
  receivedAtMs: number;
  holidays: HolidayCalendar;
  holidayNames?: HolidayNames;
}

/** The first event of every complaint. */
export function receiveComplaint(complaint: NewComplaint): ComplaintEvent {
  const { procedure } = complaint;
  const firstStage = stageDefinition(procedure, startStage(procedure, complaint.details.serious));
  return {
    type: 'complaint-received',
    ref: complaint.ref,
    procedure: { id: procedure.id, version: procedure.version, name: procedure.name },
    details: complaint.details,
    receivedAt: iso(complaint.receivedAtMs),
    stage: openStage(
      firstStage,
      complaint.receivedAtMs,
      complaint.holidays,
      procedure.counting,
      complaint.holidayNames,
    ),
    holidays: [...complaint.holidays],
    // Names serve the explanations, which only procedures with a counting rule record.
    ...(complaint.holidayNames && procedure.counting ? { holidayNames: { ...complaint.holidayNames } } : {}),
  };
}

/** Whether `command` may happen now, and what it records. Never changes `state`. */
export function decide(
  state: ComplaintState,
  command: ComplaintCommand,
  nowMs: number,
  procedure: Procedure,
  options: DecideOptions = {},
): Decision {
  if (isTerminal(state.status)) {
    return reject(
      'complaint-closed',
      `complaint ${state.ref} is ${state.status === 'withdrawn' ? 'withdrawn' : 'closed'}; nothing more can be recorded`,
    );
  }
  const record = currentStageRecord(state);
  const stage = stageDefinition(procedure, record.stage);
  const assignmentByRole = options.assignmentByRole ?? true;
  const keepPassedDeadlines = options.keepPassedDeadlines ?? true;
  const calendarExplainsDeadlines = options.calendarExplainsDeadlines ?? true;
  const migrationCountsByTarget = options.migrationCountsByTarget ?? true;
  const context = {
    ...{ state, command, nowMs, procedure, record, stage, assignmentByRole, keepPassedDeadlines },
    ...{ calendarExplainsDeadlines, migrationCountsByTarget },
  };
  return (deciders[command.action] as Decider<ActionName>)(context as DecisionContext<ActionName>);
}

export interface DecideOptions {
  /**
   * Whether `assign` applies who may assign whom (`assignmentRefusal`); default true. Only the workflow turns it
   * off, for complaints recorded before the patch `assignment-by-role`, when the API alone checked it.
   */
  assignmentByRole?: boolean;
  /**
   * Whether update-calendar leaves a deadline that has already passed where it was; default true. Only the workflow
   * turns it off, for complaints that handled a calendar change before the patch `calendar-keeps-passed-deadlines`.
   */
  keepPassedDeadlines?: boolean;
  /**
   * Whether update-calendar records how each deadline it moved was worked out; default true. Only the workflow turns
   * it off, for complaints that handled a calendar change before the patch `calendar-explains-deadlines`.
   */
  calendarExplainsDeadlines?: boolean;
  /**
   * Whether migrate-procedure counts afresh deadlines by the target procedure's counting rule and records how; default
   * true. Off (the workflow, before the patch `migration-counts-by-target`): the first versions' rule, unexplained.
   */
  migrationCountsByTarget?: boolean;
}

/** What each action's decider sees: the command, the complaint, its current stage and the time. */
interface DecisionContext<A extends ActionName> {
  state: ComplaintState;
  command: Extract<ComplaintCommand, { action: A }>;
  nowMs: number;
  procedure: Procedure;
  record: StageRecord;
  stage: StageDefinition;
  assignmentByRole: boolean;
  keepPassedDeadlines: boolean;
  calendarExplainsDeadlines: boolean;
  migrationCountsByTarget: boolean;
}
type Decider<A extends ActionName> = (context: DecisionContext<A>) => Decision;

const deciders: { [A in ActionName]: Decider<A> } = {
  acknowledge: decideAcknowledge,
  assign: decideAssign,
  'record-outcome': decideOutcome,
  'request-escalation': decideEscalation,
  'grant-extension': decideExtension,
  withdraw: ({ command }) => accept({ type: 'withdrawn', ...(command.reason ? { reason: command.reason } : {}) }),
  'refer-to-ombudsman': decideReferral,
  'add-note': ({ command }) => accept({ type: 'note-added', text: command.text }),
  'update-calendar': decideCalendar,
  'migrate-procedure': decideMigration,
  'erase-personal-data': ({ state, command }) =>
    state.erasure
      ? reject('already-erased', `the personal data of ${state.ref} was erased on ${state.erasure.at}`)
      : accept({ type: 'personal-data-erased', reason: command.reason }),
};

/**
 * A new holiday calendar: the whole list (the old form), or days added and removed (a calendar change). Pending
 * deadlines of the current stage are counted again with it; one met, or already passed, stays where it was.
 */
function decideCalendar({
  state,
  command,
  nowMs,
  procedure,
  record,
  stage,
  keepPassedDeadlines,
  calendarExplainsDeadlines,
}: DecisionContext<'update-calendar'>) {
  const moved = (holidays: string[]): MovedDeadlines => {
    const passedBeforeMs = keepPassedDeadlines ? nowMs : undefined;
    const deadlines = recalculateDeadlines(record, stage, procedure, holidays, passedBeforeMs, state.holidayNames);
    if (calendarExplainsDeadlines) return deadlines;
    const { acknowledgementWorking: _ack, responseWorking: _response, ...unexplained } = deadlines;
    return unexplained;
  };
  if (command.holidays !== undefined) {
    const holidays = [...new Set(command.holidays)].sort();
    return accept({ type: 'calendar-updated', holidays, ...moved(holidays) });
  }
  const change = calendarChange(state.holidays, command.add ?? [], command.remove ?? []);
  if (!change)
    return reject('calendar-unchanged', `the calendar of ${state.ref} already is as asked; nothing to change`);
  const { holidays, added, removed } = change;
  // This form names only the deadlines it actually moved (a batch tells a re-timed complaint from the event alone).
  const { acknowledgementDueAt, acknowledgementWorking, responseDueAt, responseWorking } = moved(holidays);
  const ackMoved = acknowledgementDueAt !== undefined && acknowledgementDueAt !== record.acknowledgement?.dueAt;
  const responseMoved = responseDueAt !== undefined && responseDueAt !== record.response.dueAt;
  return accept({
    type: 'calendar-updated',
    holidays,
    ...(added.length ? { added } : {}),
    ...(removed.length ? { removed } : {}),
    ...(ackMoved ? { acknowledgementDueAt } : {}),
    ...(responseMoved ? { responseDueAt } : {}),
    ...(ackMoved && acknowledgementWorking ? { acknowledgementWorking } : {}),
    ...(responseMoved && responseWorking ? { responseWorking } : {}),
  });
}

/** A complaint's calendar with days added and removed, and which of them changed it; undefined when none did. */
export function calendarChange(
  current: HolidayCalendar,
  add: readonly string[],
  remove: readonly string[],
): { holidays: string[]; added: string[]; removed: string[] } | undefined {
  const days = new Set(current);
  const removing = new Set(remove);
  const added = [...new Set(add)].filter((day) => !days.has(day) && !removing.has(day)).sort();
  const removed = [...removing].filter((day) => days.has(day)).sort();
  if (added.length === 0 && removed.length === 0) return undefined;
  for (const day of added) days.add(day);
  for (const day of removed) days.delete(day);
  return { holidays: [...days].sort(), added, removed };
}

/** A move to another procedure version by its stage mapping (domain/procedure-migrations). */
function decideMigration(context: DecisionContext<'migrate-procedure'>): Decision {
  const { state, command, nowMs, record, migrationCountsByTarget } = context;
  const target = parseProcedureKey(command.to);
  const procedure = target && findProcedure(target.id, target.version);
  if (!target || !procedure) return reject('no-migration-path', `there is no procedure ${command.to}`);
  if (procedureKey(state.procedure) === command.to)
    return reject('same-procedure', `${state.ref} already follows ${command.to}`);
  const mapping = findProcedureMigration(state.procedure, target)?.stages[record.stage];
  if (!mapping) {
    return reject(
      'no-migration-path',
      `no stage mapping from ${procedureKey(state.procedure)} (${record.stage}) to ${command.to}`,
    );
  }
  const next = stageDefinition(procedure, mapping.to);
  return accept({
    type: 'procedure-migrated',
    from: state.procedure,
    to: { id: procedure.id, version: procedure.version, name: procedure.name },
    fromStage: record.stage,
    deadlines: mapping.deadlines,
    stage: {
      id: next.id,
      name: next.name,
      ...(migrationCountsByTarget
        ? migratedDeadlinesByTarget(record, next, procedure, mapping.deadlines, nowMs, state)
        : migratedDeadlines(record, next, mapping.deadlines, nowMs, state.holidays)),
    },
    reason: command.reason,
  });
}

/**
 * The current stage's deadlines under the new stage: met ones as they were; pending ones kept, or counted afresh from
 * the migration day with the new stage's rules. A pending acknowledgement the new stage has no step for is no longer
 * due (null); a new stage's acknowledgement step the old stage lacked is counted afresh, or not asked for when kept.
 */
function migratedDeadlines(
  record: StageRecord,
  next: StageDefinition,
  mode: 'kept' | 'afresh',
  nowMs: number,
  holidays: HolidayCalendar,
): Pick<StageOpening, 'acknowledgementDueAt' | 'responseDueAt'> {
  const ack = record.acknowledgement;
  const acknowledgementDueAt = ack?.metAt
    ? ack.dueAt
    : !next.acknowledge
      ? null
      : mode === 'afresh'
        ? iso(addDays(nowMs, next.acknowledge.within, holidays))
        : (ack?.dueAt ?? null);
  const responseDueAt =
    record.response.metAt || mode === 'kept'
      ? record.response.dueAt
      : iso(addDays(nowMs, next.respond.within, holidays));
  return { acknowledgementDueAt, responseDueAt };
}

/**
 * migratedDeadlines as the patch `migration-counts-by-target` has it: afresh deadlines counted by the target
 * procedure's counting rule (not the first versions' rule), each with how it was worked out.
 */
function migratedDeadlinesByTarget(
  record: StageRecord,
  next: StageDefinition,
  target: Procedure,
  mode: 'kept' | 'afresh',
  nowMs: number,
  state: ComplaintState,
): Pick<StageOpening, 'acknowledgementDueAt' | 'responseDueAt' | 'acknowledgementWorking' | 'responseWorking'> {
  const count = (within: DayCount) =>
    countDeadline(nowMs, within, countingRule(target), state.holidays, state.holidayNames);
  const ack = record.acknowledgement;
  const freshAck = !ack?.metAt && next.acknowledge && mode === 'afresh' ? count(next.acknowledge.within) : undefined;
  const acknowledgementDueAt = ack?.metAt
    ? ack.dueAt
    : !next.acknowledge
      ? null
      : freshAck
        ? iso(freshAck.dueAtMs)
        : (ack?.dueAt ?? null);
  const freshResponse = record.response.metAt || mode === 'kept' ? undefined : count(next.respond.within);
  return {
    acknowledgementDueAt,
    responseDueAt: freshResponse ? iso(freshResponse.dueAtMs) : record.response.dueAt,
    ...(freshAck ? { acknowledgementWorking: freshAck.working } : {}),
    ...(freshResponse ? { responseWorking: freshResponse.working } : {}),
  };
}

function decideAcknowledge({ state, command, procedure, record, stage }: DecisionContext<'acknowledge'>): Decision {
  if (state.status !== 'open')
    return reject('not-open', `${stage.name} already has its outcome; there is nothing to acknowledge`);
  if (!record.acknowledgement)
    return reject('no-acknowledgement-step', `${stage.name} has no acknowledgement step in ${procedure.name}`);
  if (record.acknowledgement.metAt)
    return reject('already-acknowledged', `${stage.name} was already acknowledged at ${record.acknowledgement.metAt}`);
  return accept({ type: 'acknowledged', stage: record.stage, ...(command.note ? { note: command.note } : {}) });
}

function decideAssign({ state, command, assignmentByRole }: DecisionContext<'assign'>): Decision {
  const refusal = assignmentByRole ? assignmentRefusal(state, command.actor, command.officer) : undefined;
  if (refusal) return refusal;
  if (state.caseOfficer?.id === command.officer.id) {
    return reject('already-assigned', `${command.officer.id} is already the case officer`);
  }
  return accept({
    type: 'case-officer-assigned',
    officer: command.officer,
    ...(state.caseOfficer ? { previous: state.caseOfficer } : {}),
  });
}

/**
 * Who may assign whom. A manager may assign anyone, at any time. Anyone else may only take the complaint
 * themselves (officer.id = their own id), and only while it is unassigned or already theirs. An actor without a
 * role (another system's Signal) is not a manager: a role is what the API vouches for, so none grants nothing.
 * Decided here, inside the workflow, so that two officers taking the same complaint at once cannot both win.
 */
export function assignmentRefusal(
  state: ComplaintState,
  actor: Actor,
  officer: { id: string },
): Extract<Decision, { ok: false }> | undefined {
  if (actor.role === 'manager') return undefined;
  if (officer.id !== actor.id) {
    return refusal(
      'assignment-not-permitted',
      `A case officer may assign a complaint only to themselves (officer.id "${actor.id}"); assigning someone else needs a manager`,
    );
  }
  const current = state.caseOfficer;
  if (current && current.id !== actor.id) {
    return refusal(
      'assignment-not-permitted',
      `Complaint ${state.ref} is assigned to ${current.id}; reassigning it needs a manager`,
    );
  }
  return undefined;
}

function decideOutcome(context: DecisionContext<'record-outcome'>): Decision {
  const { state, command, nowMs, procedure, record, stage } = context;
  if (state.status !== 'open')
    return reject('outcome-already-recorded', `${stage.name} already has its outcome (${record.response.outcome})`);
  if (record.acknowledgement && !record.acknowledgement.metAt) {
    return reject('not-acknowledged', `${stage.name} must be acknowledged before its outcome is recorded`);
  }
  if (!stage.outcomes.includes(command.outcome)) {
    return reject(
      'outcome-not-in-procedure',
      `"${command.outcome}" is not an outcome of ${stage.name}; allowed: ${stage.outcomes.join(', ')}`,
    );
  }
  const windowEndsAtMs = escalationWindowEnd(state, stage, procedure, nowMs);
  const outcome: ComplaintEvent = {
    type: 'outcome-recorded',
    stage: stage.id,
    outcome: command.outcome,
    ...(command.findings ? { findings: command.findings } : {}),
    ...(command.actionsTaken ? { actionsTaken: command.actionsTaken } : {}),
    ...(command.rootCauses?.length ? { rootCauses: [...command.rootCauses] } : {}),
    ...(command.learned ? { learned: command.learned } : {}),
    ...(windowEndsAtMs !== undefined ? { escalationWindowEndsAt: iso(windowEndsAtMs) } : {}),
  };
  if (windowEndsAtMs === undefined)
    return accept(outcome, { type: 'closed', reason: 'final-outcome', outcome: command.outcome });
  return accept(outcome);
}

/**
 * Until when the complainant may ask for the next stage (or the Ombudsman) after an outcome given at `nowMs`:
 * windowDays × 24 h; or, where the stage has a request window by months (the 2020 model procedure), the later of
 * N months from the response and M months from the event complained about (when intake recorded its date).
 */
function escalationWindowEnd(
  state: ComplaintState,
  stage: StageDefinition,
  procedure: Procedure,
  nowMs: number,
): number | undefined {
  const requestWindow = stage.escalation?.requestWindow;
  if (requestWindow) {
    const fromResponse = endOfLondonDayMonthsAfter(londonDate(nowMs), requestWindow.monthsFromResponse);
    const eventOn = state.details.eventOn;
    const fromEvent = eventOn ? endOfLondonDayMonthsAfter(eventOn, requestWindow.monthsFromEvent) : -Infinity;
    return Math.max(fromResponse, fromEvent);
  }
  const windowDays =
    stage.escalation?.windowDays ??
    (procedure.ombudsman.afterStage === stage.id ? procedure.ombudsman.referralWindowDays : undefined);
  return windowDays === undefined ? undefined : nowMs + windowDays * MS_PER_DAY;
}

function decideEscalation(context: DecisionContext<'request-escalation'>): Decision {
  const { state, command, nowMs, procedure, record, stage } = context;
  const withoutOutcome = state.status === 'open' && stage.escalation?.beforeOutcome === true;
  if (state.status !== 'awaiting-escalation' && !withoutOutcome) {
    return reject('no-outcome-yet', `escalation is possible only after the outcome of ${stage.name}`);
  }
  if (!stage.escalation) {
    return reject(
      'no-further-stage',
      `${stage.name} is the last stage of ${procedure.name}; the complainant may go to the ${procedure.ombudsman.name}`,
    );
  }
  if (record.escalationWindowEndsAt && nowMs > ms(record.escalationWindowEndsAt)) {
    return reject('escalation-window-closed', `the escalation window ended at ${record.escalationWindowEndsAt}`);
  }
  const { next, bypassTo } = stage.escalation;
  const wantsBypass =
    command.bypass === true || (command.to !== undefined && command.to === bypassTo && command.to !== next);
  if (wantsBypass && !bypassTo)
    return reject('stage-not-reachable', `the stage after ${stage.name} cannot be bypassed`);
  const target = wantsBypass ? (bypassTo as string) : next;
  if (command.to !== undefined && command.to !== target) {
    return reject(
      'stage-not-reachable',
      `from ${stage.name} a complaint can go to ${[next, bypassTo].filter(Boolean).join(' or (bypassing) ')}, not ${command.to}`,
    );
  }
  return accept({
    type: 'escalated',
    from: stage.id,
    to: target,
    ...(wantsBypass ? { bypassed: next } : {}),
    ...(withoutOutcome ? { withoutOutcome: true } : {}),
    stage: openStage(stageDefinition(procedure, target), nowMs, state.holidays, procedure.counting, state.holidayNames),
  });
}

function decideExtension(context: DecisionContext<'grant-extension'>): Decision {
  const { state, command, nowMs, procedure, record, stage } = context;
  if (state.status !== 'open')
    return reject(
      'outcome-already-recorded',
      `${stage.name} already has its outcome; there is no response deadline to extend`,
    );
  if (!stage.extension.allowed) return reject('extension-not-allowed', `${stage.name} does not allow extensions`);
  if (stage.extension.requiresComplainantAgreement && !command.agreedWithComplainant) {
    return reject('agreement-required', `an extension at ${stage.name} needs the complainant's agreement`);
  }
  const current = ms(record.response.dueAt);
  if (nowMs > current) {
    return reject(
      'deadline-passed',
      `the response deadline passed at ${record.response.dueAt}; an extension must be agreed before it`,
    );
  }
  const extended =
    command.newDeadline !== undefined
      ? undefined
      : extendDeadline(
          current,
          { days: command.days ?? 0, kind: stage.respond.within.kind },
          countingRule(procedure),
          state.holidays,
          state.holidayNames,
        );
  const dueAtMs = extended ? extended.dueAtMs : ms(command.newDeadline as string);
  if (!(dueAtMs > current))
    return reject(
      'deadline-not-later',
      `the new deadline must be later than the current one (${record.response.dueAt})`,
    );
  const tooLong = extensionLimitRefusal(context, dueAtMs);
  if (tooLong) return tooLong;
  return accept({
    type: 'extension-granted',
    stage: stage.id,
    ...(command.days !== undefined ? { days: command.days } : {}),
    ...(command.newDeadline !== undefined ? { requestedDeadline: command.newDeadline } : {}),
    dueAt: iso(dueAtMs),
    previousDueAt: record.response.dueAt,
    reason: command.reason,
    agreedWithComplainant: command.agreedWithComplainant,
    ...(extended && procedure.counting ? { working: extended.working } : {}),
  });
}

/** Months an extended deadline may reach past the stage's original one, whatever the procedure allows. */
export const EXTENSION_LIMIT_MONTHS = 12;

/**
 * Extensions are bounded on every stage: by the procedure's `maxTotal` from the stage's start, and in no case
 * beyond the end of the London day a year after the original deadline's (repeated extensions once reached year
 * 10000, where no instant can be written and every later action failed).
 */
function extensionLimitRefusal(context: DecisionContext<'grant-extension'>, dueAtMs: number): Decision | undefined {
  const { state, procedure, record, stage } = context;
  const { maxTotal } = stage.extension;
  if (maxTotal) {
    const limit = countDeadline(ms(record.startedAt), maxTotal, countingRule(procedure), state.holidays).dueAtMs;
    if (dueAtMs > limit) {
      return reject(
        'extension-too-long',
        `${stage.name} may take at most ${maxTotal.days} ${maxTotal.kind} days in total (until ${iso(limit)})`,
      );
    }
  }
  const yearLimit = endOfLondonDayMonthsAfter(londonDate(ms(record.response.originalDueAt)), EXTENSION_LIMIT_MONTHS);
  if (dueAtMs > yearLimit) {
    return reject(
      'extension-too-long',
      `a deadline may not be extended more than a year past the original one (${record.response.originalDueAt}): at the latest ${iso(yearLimit)}`,
    );
  }
  return undefined;
}

function decideReferral(context: DecisionContext<'refer-to-ombudsman'>): Decision {
  const { state, command, nowMs, procedure, record, stage } = context;
  if (stage.id !== procedure.ombudsman.afterStage) {
    return reject(
      'not-final-stage',
      `a referral to the ${procedure.ombudsman.name} follows the outcome of ${stageDefinition(procedure, procedure.ombudsman.afterStage).name}`,
    );
  }
  if (state.status !== 'awaiting-escalation') return reject('no-outcome-yet', `${stage.name} has no outcome yet`);
  if (record.escalationWindowEndsAt && nowMs > ms(record.escalationWindowEndsAt)) {
    return reject('referral-window-closed', `the referral window ended at ${record.escalationWindowEndsAt}`);
  }
  return accept(
    { type: 'referred-to-ombudsman', ...(command.reference ? { reference: command.reference } : {}) },
    {
      type: 'closed',
      reason: 'referred-to-ombudsman',
      ...(record.response.outcome ? { outcome: record.response.outcome } : {}),
    },
  );
}

const HOUR_MS = 60 * 60 * 1000;

/** A deadline as a calendar gives it: when, and how it was worked out. */
export interface DeadlineUnderCalendar {
  dueAt: string;
  working?: DeadlineWorking;
}

/**
 * The pending deadlines of a stage counted again under `holidays` (met ones are not returned: they stay as they
 * were): from the stage's start by the procedure's counting rule, then each extension applied in turn (one to an
 * agreed date keeps that date; one by days counts again from the deadline before it). Pure: the calendar change
 * and its re-timing of open complaints use it.
 */
export function deadlinesUnderCalendar(
  record: StageRecord,
  stage: StageDefinition,
  procedure: Procedure,
  holidays: HolidayCalendar,
  names: HolidayNames = {},
): { acknowledgement?: DeadlineUnderCalendar; response?: DeadlineUnderCalendar } {
  const startedAt = ms(record.startedAt);
  const rule = countingRule(procedure);
  const result: { acknowledgement?: DeadlineUnderCalendar; response?: DeadlineUnderCalendar } = {};
  if (record.acknowledgement && stage.acknowledge && !record.acknowledgement.metAt) {
    const counted = countDeadline(startedAt, stage.acknowledge.within, rule, holidays, names);
    result.acknowledgement = { dueAt: iso(counted.dueAtMs), working: counted.working };
  }
  if (!record.response.metAt) {
    let counted: { dueAtMs: number; working?: DeadlineWorking } = countDeadline(
      startedAt,
      stage.respond.within,
      rule,
      holidays,
      names,
    );
    for (const extension of record.response.extensions) {
      counted =
        extension.requestedDeadline !== undefined
          ? { dueAtMs: ms(extension.requestedDeadline) }
          : extendDeadline(
              counted.dueAtMs,
              { days: extension.days ?? 0, kind: stage.respond.within.kind },
              rule,
              holidays,
              names,
            );
    }
    result.response = { dueAt: iso(counted.dueAtMs), ...(counted.working ? { working: counted.working } : {}) };
  }
  return result;
}

/**
 * The state with every deadline explained: a deadline whose events recorded no working (the first published versions,
 * `dundee-swd-2011@1` and `spso-mchp@1`, record none: what they record is frozen) is counted again by its
 * procedure's rule and given the working only when that reproduces the recorded instant exactly (a deadline kept
 * from another procedure, or moved by a calendar since changed back, stays unexplained rather than wrongly
 * explained). For readers (the API, the audit timeline); a copy: the workflow's state is not touched.
 */
export function explainedState(state: ComplaintState, procedure: Procedure): ComplaintState {
  const rule = countingRule(procedure);
  const names = state.holidayNames ?? {};
  const stages = state.stages.map((record) => {
    const stage = procedure.stages.find((candidate) => candidate.id === record.stage);
    if (!stage) return record;
    const startedAt = ms(record.startedAt);
    const count = (within: DayCount) => countDeadline(startedAt, within, rule, state.holidays, names);
    const reproduced = (counted: CountedDeadline, dueAt: string) =>
      iso(counted.dueAtMs) === dueAt ? counted.working : undefined;
    let acknowledgement = record.acknowledgement;
    if (acknowledgement && !acknowledgement.working && stage.acknowledge) {
      const working = reproduced(count(stage.acknowledge.within), acknowledgement.dueAt);
      if (working) acknowledgement = { ...acknowledgement, working };
    }
    const { response } = record;
    let counted = count(stage.respond.within);
    const first = response.extensions.length > 0 ? response.originalDueAt : response.dueAt;
    const responseWorking = response.working ?? reproduced(counted, first);
    const extensions = response.extensions.map((extension) => {
      if (extension.requestedDeadline !== undefined) {
        counted = { dueAtMs: ms(extension.dueAt), working: counted.working };
        return extension;
      }
      const kind = stage.respond.within.kind;
      counted = extendDeadline(counted.dueAtMs, { days: extension.days ?? 0, kind }, rule, state.holidays, names);
      const working = extension.working ?? reproduced(counted, extension.dueAt);
      return working ? { ...extension, working } : extension;
    });
    return {
      ...record,
      acknowledgement,
      response: { ...response, ...(responseWorking ? { working: responseWorking } : {}), extensions },
    };
  });
  return { ...state, stages };
}

interface MovedDeadlines {
  acknowledgementDueAt?: string;
  responseDueAt?: string;
  acknowledgementWorking?: DeadlineWorking;
  responseWorking?: DeadlineWorking;
}

/**
 * Pending deadlines of the current stage counted again with a changed holiday calendar, with how each was worked out;
 * met (and passed) ones stay. By the procedure's counting rule (the first published versions: exactly addDays).
 */
function recalculateDeadlines(
  record: StageRecord,
  stage: StageDefinition,
  procedure: Procedure,
  holidays: HolidayCalendar,
  passedBeforeMs: number | undefined,
  names: HolidayNames = {},
): MovedDeadlines {
  // A deadline that has passed (breached, or its breach about to be recorded) is never moved: moving it would
  // un-breach the complaint and send its reminder and breach notice again. undefined: the rule before the patch.
  const movable = (pending: DeadlineRecord) =>
    !pending.metAt && (passedBeforeMs === undefined || ms(pending.dueAt) > passedBeforeMs);
  const counted = deadlinesUnderCalendar(record, stage, procedure, holidays, names);
  const ack = record.acknowledgement && movable(record.acknowledgement) ? counted.acknowledgement : undefined;
  const response = movable(record.response) ? counted.response : undefined;
  return {
    ...(ack ? { acknowledgementDueAt: ack.dueAt } : {}),
    ...(response ? { responseDueAt: response.dueAt } : {}),
    ...(ack?.working ? { acknowledgementWorking: ack.working } : {}),
    ...(response?.working ? { responseWorking: response.working } : {}),
  };
}

// ---------------------------------------------------------------------------------------------- timers

export interface ScheduledEvent {
  /** When it is due (epoch ms); at or before now means at once. */
  atMs: number;
  event: ComplaintEvent;
}

/**
 * The next thing the clock will do to this complaint: a reminder, a breach notice, or the end of the
 * escalation window. Derived from the state alone, so an action, an extension or a new calendar simply
 * changes what comes next, and nothing can fire twice.
 */
export function nextScheduledEvent(
  state: ComplaintState,
  procedure: Procedure,
  nowMs: number,
): ScheduledEvent | undefined {
  if (isTerminal(state.status)) return undefined;
  const record = currentStageRecord(state);
  const stage = stageDefinition(procedure, record.stage);
  const candidates: ScheduledEvent[] = [];

  if (state.status === 'awaiting-escalation') {
    if (record.escalationWindowEndsAt) {
      const final = !stage.escalation;
      candidates.push({
        atMs: ms(record.escalationWindowEndsAt),
        event: {
          type: 'closed',
          reason: final ? 'referral-window-ended' : 'escalation-window-ended',
          ...(record.response.outcome ? { outcome: record.response.outcome } : {}),
        },
      });
    }
  } else {
    if (record.acknowledgement && stage.acknowledge) {
      const times = reminderTimes(state, procedure, record.acknowledgement.dueAt, stage.acknowledge.remindBeforeHours);
      candidates.push(...deadlineEvents(record, 'acknowledgement', record.acknowledgement, times, nowMs));
    }
    const times = reminderTimes(state, procedure, record.response.dueAt, stage.respond.remindBeforeHours);
    candidates.push(...deadlineEvents(record, 'response', record.response, times, nowMs));
  }
  return candidates.reduce<ScheduledEvent | undefined>(
    (earliest, candidate) => (!earliest || candidate.atMs < earliest.atMs ? candidate : earliest),
    undefined,
  );
}

/**
 * When a deadline's reminders are due, as hours before it. A procedure with a reminder rule sends one, at the
 * London time it gives on the working day `leadWorkingDays` before the deadline's day (09:00 the working day
 * before, not 23:59:59 the night before); the first published versions remind `remindBeforeHours` before it.
 */
function reminderTimes(state: ComplaintState, procedure: Procedure, dueAt: string, remindBeforeHours: number[]) {
  const rule = procedure.reminders;
  if (!rule) return remindBeforeHours.map((hoursBefore) => ({ hoursBefore, atMs: ms(dueAt) - hoursBefore * HOUR_MS }));
  const day = workingDayBefore(londonDate(ms(dueAt)), rule.leadWorkingDays, state.holidays);
  const atMs = londonTimeOn(day, rule.atLondonTime);
  return [{ hoursBefore: Math.round((ms(dueAt) - atMs) / HOUR_MS), atMs }];
}

function deadlineEvents(
  record: StageRecord,
  deadline: DeadlineKind,
  pending: DeadlineRecord,
  reminderTimes: { hoursBefore: number; atMs: number }[],
  nowMs: number,
): ScheduledEvent[] {
  if (pending.metAt || pending.breaches.includes(pending.dueAt)) return [];
  const dueAtMs = ms(pending.dueAt);
  const startedAtMs = ms(record.startedAt);
  const breach: ScheduledEvent = {
    atMs: dueAtMs,
    event: { type: 'deadline-breached', stage: record.stage, deadline, dueAt: pending.dueAt },
  };
  // Once the deadline has passed its reminders tell nobody anything: only the breach remains.
  if (dueAtMs <= nowMs) return [breach];
  const reminders = reminderTimes
    // A reminder that would fall before the stage began is not sent; one whose time passed while the
    // complaint was being recorded late still goes out, at once.
    .filter(
      ({ hoursBefore, atMs }) =>
        atMs > startedAtMs && !pending.remindersIssued.includes(reminderKey(pending.dueAt, hoursBefore)),
    )
    .map(({ hoursBefore, atMs }): ScheduledEvent => ({
      atMs,
      event: { type: 'reminder-issued', stage: record.stage, deadline, dueAt: pending.dueAt, hoursBefore },
    }));
  return [...reminders, breach];
}

function reminderKey(dueAt: string, hoursBefore: number): string {
  return `${dueAt}|${hoursBefore}`;
}

// ---------------------------------------------------------------------------------------------- state

function deadline(dueAt: string, working: DeadlineWorking | undefined): DeadlineRecord {
  return { originalDueAt: dueAt, dueAt, breaches: [], remindersIssued: [], ...(working ? { working } : {}) };
}

function stageRecord(opening: StageOpening, startedAt: string): StageRecord {
  return {
    stage: opening.id,
    name: opening.name,
    startedAt,
    acknowledgement: opening.acknowledgementDueAt
      ? deadline(opening.acknowledgementDueAt, opening.acknowledgementWorking)
      : null,
    response: { ...deadline(opening.responseDueAt, opening.responseWorking), extensions: [] },
  };
}

/** The state a complaint starts in, from its first recorded event. */
export function initialState(entry: TimelineEntry): ComplaintState {
  if (entry.type !== 'complaint-received')
    throw new Error(`A complaint's history starts with complaint-received, not ${entry.type}`);
  return {
    ref: entry.ref,
    procedure: entry.procedure,
    status: 'open',
    currentStage: entry.stage.id,
    details: entry.details,
    receivedAt: entry.receivedAt,
    caseOfficer: null,
    stages: [stageRecord(entry.stage, entry.receivedAt)],
    holidays: entry.holidays,
    ...(entry.holidayNames ? { holidayNames: entry.holidayNames } : {}),
    timeline: [entry],
  };
}

/** A new complaint's state from what it was opened with, its first event recorded `at` (the starter and the workflow). */
export function openComplaint(opening: ComplaintOpening, procedure: Procedure, at: string): ComplaintState {
  const received = receiveComplaint({
    ref: opening.ref,
    procedure,
    details: opening.details,
    receivedAtMs: ms(opening.receivedAt),
    holidays: opening.holidays,
    ...(opening.holidayNames ? { holidayNames: opening.holidayNames } : {}),
  });
  return initialState({ ...received, seq: 1, at, actor: opening.actor });
}

/** Folds one recorded event into the state (in place: the workflow keeps one state object for its lifetime). */
export function applyEvent(state: ComplaintState, entry: TimelineEntry): void {
  state.timeline.push(entry);
  const record = currentStageRecord(state);
  switch (entry.type) {
    case 'complaint-received':
      throw new Error('complaint-received can only be the first event');
    case 'acknowledged':
      if (record.acknowledgement) meet(record.acknowledgement, entry);
      return;
    case 'case-officer-assigned':
      state.caseOfficer = entry.officer;
      return;
    case 'outcome-recorded':
      applyOutcome(state, record, entry);
      return;
    case 'escalated':
      record.escalatedAt = entry.at;
      state.stages.push(stageRecord(entry.stage, entry.at));
      state.currentStage = entry.to;
      state.status = 'open';
      return;
    case 'extension-granted':
      record.response.dueAt = entry.dueAt;
      record.response.extensions.push({
        at: entry.at,
        by: entry.actor,
        ...(entry.days !== undefined ? { days: entry.days } : {}),
        ...(entry.requestedDeadline !== undefined ? { requestedDeadline: entry.requestedDeadline } : {}),
        dueAt: entry.dueAt,
        reason: entry.reason,
        agreedWithComplainant: entry.agreedWithComplainant,
        ...(entry.working ? { working: entry.working } : {}),
      });
      return;
    case 'withdrawn':
      state.status = 'withdrawn';
      state.withdrawal = { at: entry.at, by: entry.actor, ...(entry.reason ? { reason: entry.reason } : {}) };
      return;
    case 'referred-to-ombudsman':
      state.ombudsmanReferral = {
        at: entry.at,
        by: entry.actor,
        ...(entry.reference ? { reference: entry.reference } : {}),
      };
      return;
    case 'reminder-issued':
      pendingDeadline(record, entry.deadline)?.remindersIssued.push(reminderKey(entry.dueAt, entry.hoursBefore));
      return;
    case 'deadline-breached':
      pendingDeadline(record, entry.deadline)?.breaches.push(entry.dueAt);
      return;
    case 'calendar-updated':
      state.holidays = entry.holidays;
      if (entry.acknowledgementDueAt && record.acknowledgement) {
        record.acknowledgement.dueAt = entry.acknowledgementDueAt;
        if (entry.acknowledgementWorking)
          record.acknowledgement = withWorking(record.acknowledgement, entry.acknowledgementWorking);
      }
      if (entry.responseDueAt) {
        record.response.dueAt = entry.responseDueAt;
        if (entry.responseWorking) explainResponse(record, entry.responseWorking);
      }
      return;
    case 'procedure-migrated':
      migrate(state, record, entry);
      return;
    case 'closed':
      state.status = 'closed';
      state.closure = { at: entry.at, reason: entry.reason, ...(entry.outcome ? { outcome: entry.outcome } : {}) };
      return;
    case 'personal-data-erased':
      state.erasure = { at: entry.at, by: entry.actor, reason: entry.reason };
      return;
    case 'note-added':
    case 'action-rejected':
    case 'notification-failed':
      return;
  }
}

/** A stage's outcome: its response met, what was found and learned, and the escalation window it opens. */
function applyOutcome(
  state: ComplaintState,
  record: StageRecord,
  entry: Extract<TimelineEntry, { type: 'outcome-recorded' }>,
): void {
  meet(record.response, entry);
  record.response.outcome = entry.outcome;
  if (entry.findings !== undefined) record.response.findings = entry.findings;
  if (entry.actionsTaken !== undefined) record.response.actionsTaken = entry.actionsTaken;
  if (entry.rootCauses !== undefined) record.response.rootCauses = [...entry.rootCauses];
  if (entry.learned !== undefined) record.response.learned = entry.learned;
  if (entry.escalationWindowEndsAt !== undefined) record.escalationWindowEndsAt = entry.escalationWindowEndsAt;
  state.status = 'awaiting-escalation';
}

/** The move to another procedure: the current stage takes the new stage's id and name and the event's deadlines. */
function migrate(
  state: ComplaintState,
  record: StageRecord,
  entry: Extract<TimelineEntry, { type: 'procedure-migrated' }>,
): void {
  state.procedure = entry.to;
  state.currentStage = entry.stage.id;
  record.stage = entry.stage.id;
  record.name = entry.stage.name;
  const ackDueAt = entry.stage.acknowledgementDueAt;
  if (ackDueAt === null) {
    if (record.acknowledgement && !record.acknowledgement.metAt) record.acknowledgement = null;
  } else if (record.acknowledgement) record.acknowledgement.dueAt = ackDueAt;
  else record.acknowledgement = deadline(ackDueAt, undefined);
  if (record.acknowledgement && entry.stage.acknowledgementWorking)
    record.acknowledgement = withWorking(record.acknowledgement, entry.stage.acknowledgementWorking);
  record.response.dueAt = entry.stage.responseDueAt;
  if (entry.stage.responseWorking) explainResponse(record, entry.stage.responseWorking);
}

/** How the response deadline now stands was worked out: the last extension's working when it has one, else the stage's. */
function explainResponse(record: StageRecord, working: DeadlineWorking): void {
  const last = record.response.extensions[record.response.extensions.length - 1];
  if (last && working.rule.endsWith('/extension')) last.working = working;
  else record.response = withWorking(record.response, working);
}

/**
 * The deadline with how it was worked out, its fields kept in the order the state's schema writes them (`working`
 * after `remindersIssued`, before what was met), so the API's answer and the state the workflow holds agree.
 */
function withWorking<T extends DeadlineRecord>(record: T, working: DeadlineWorking): T {
  const { originalDueAt, dueAt, breaches, remindersIssued, ...rest } = record;
  return Object.assign({ originalDueAt, dueAt, breaches, remindersIssued, working }, rest, { working }) as T;
}

function pendingDeadline(record: StageRecord, kind: DeadlineKind): DeadlineRecord | null {
  return kind === 'acknowledgement' ? record.acknowledgement : record.response;
}

function meet(pending: DeadlineRecord, entry: TimelineEntry): void {
  pending.metAt = entry.at;
  pending.metBy = entry.actor;
  pending.onTime = ms(entry.at) <= ms(pending.dueAt);
}

/** Rebuilds a complaint's state from its recorded events (register, audit). */
export function replayTimeline(entries: readonly TimelineEntry[]): ComplaintState {
  const [first, ...rest] = entries;
  if (!first) throw new Error('A complaint has at least one event');
  const state = initialState(first);
  for (const entry of rest) applyEvent(state, entry);
  return state;
}

/**
 * The complaint at `revision` (its timeline's last seq then) from a state at that revision or later: the fold of its
 * first `revision` entries, as the workflow answers a repeated action and the API an action's revision.
 */
export function stateAtRevision(state: ComplaintState, revision: number): ComplaintState {
  if (state.timeline.length <= revision) return state;
  return replayTimeline(state.timeline.slice(0, revision));
}

// ---------------------------------------------------------------------------------------------- views

export interface NextDeadline {
  stage: string;
  kind: DeadlineKind | 'escalation-window' | 'referral-window';
  dueAt: string;
}

/** The earliest deadline still to be met, for managers' lists and the search attribute. */
export function nextDeadline(state: ComplaintState, procedure: Procedure): NextDeadline | undefined {
  if (isTerminal(state.status)) return undefined;
  const record = currentStageRecord(state);
  if (state.status === 'awaiting-escalation') {
    if (!record.escalationWindowEndsAt) return undefined;
    const kind = stageDefinition(procedure, record.stage).escalation ? 'escalation-window' : 'referral-window';
    return { stage: record.stage, kind, dueAt: record.escalationWindowEndsAt };
  }
  const pending: NextDeadline[] = [];
  if (record.acknowledgement && !record.acknowledgement.metAt)
    pending.push({ stage: record.stage, kind: 'acknowledgement', dueAt: record.acknowledgement.dueAt });
  if (!record.response.metAt) pending.push({ stage: record.stage, kind: 'response', dueAt: record.response.dueAt });
  return pending.sort((a, b) => ms(a.dueAt) - ms(b.dueAt))[0];
}

/** A deadline of the current stage has passed without its action. */
export function isOverdue(state: ComplaintState): boolean {
  if (state.status !== 'open') return false;
  const record = currentStageRecord(state);
  return [record.acknowledgement, record.response].some(
    (pending) => pending !== null && !pending.metAt && pending.breaches.includes(pending.dueAt),
  );
}

/** The outcome the complaint stands at: that of its current stage, if it has one. */
export function currentOutcome(state: ComplaintState): Outcome | undefined {
  return currentStageRecord(state).response.outcome;
}
