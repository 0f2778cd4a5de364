import type { Officer } from './actions';
import type { ComplaintState, DeadlineKind, DeadlineRecord, ExtensionRecord, TimelineEntry } from './complaint';
import { explainDeadline } from './deadline-explanation';
import { letterChannel, letterPostBy } from './letters';
import type { ComplainantSchema } from './intake';
import { stageDefinition, type Procedure } from './procedure';
import type { Outcome, ServiceArea } from './vocabulary';
import type { z } from 'zod';

// Which recorded events tell somebody something, and what. Delivery (e-mail, outbox) is the
// notification activities' business; deciding *that* a notice is due is a rule, so it lives here.

export const noticeKinds = [
  'acknowledgement-reminder',
  'response-reminder',
  'acknowledgement-overdue',
  'response-overdue',
  'case-assigned',
  'complaint-acknowledged',
  'outcome-letter',
  'procedure-changed',
  // Letters for everyone (noticeFor's `letters` option, patch LETTERS_FOR_EVERYONE):
  'extension-agreed',
  'withdrawal-confirmed',
  'ombudsman-referral-noted',
  'letter-not-posted',
  // An improvement action's owner reminded before and on its due day (domain/improvement-actions.ts):
  'improvement-action-reminder',
] as const;
export type NoticeKind = (typeof noticeKinds)[number];

export interface Notice {
  /** Deterministic: the same complaint, kind, stage and deadline always give the same id (and Message-ID). */
  id: string;
  kind: NoticeKind;
  audience: 'staff' | 'complainant';
  ref: string;
  procedure: { id: string; version: number; name: string };
  stage: { id: string; name: string };
  serviceArea: ServiceArea;
  summary: string;
  caseOfficer: Officer | null;
  /** The address only on a letter to post. */
  complainant: Pick<z.infer<typeof ComplainantSchema>, 'name' | 'email' | 'address'>;
  /** The deadline the notice is about (reminders, overdue notices, the acknowledgement's response date). */
  dueAt?: string;
  /** How that deadline was worked out, in words (procedures with a counting rule; domain/deadline-explanation.ts). */
  dueAtExplained?: string;
  deadline?: DeadlineKind;
  outcome?: Outcome;
  findings?: string;
  actionsTaken?: string;
  /** Outcome letters: what the complainant may do next and by when (and the stage they may go straight to). */
  nextStep?:
    | { kind: 'escalate'; stage: { id: string; name: string }; byAt: string; bypass?: { id: string; name: string } }
    | { kind: 'ombudsman'; name: string; byAt: string };
  /**
   * An acknowledgement at a stage the complaint reached from an earlier one (the next stage, not a new complaint):
   * that stage, whether it had no outcome (the front line passed the complaint on) and the stage the complainant
   * asked to go past (straight to the committee), if any.
   */
  escalatedFrom?: { id: string; name: string; withoutOutcome?: true; bypassed?: { id: string; name: string } };
  /** Extension letters: the date the response was due before the extension. */
  previousDueAt?: string;
  /** Change of procedure: the procedure the complaint followed before (its public name). */
  previousProcedureName?: string;
  /** Referral to the Ombudsman: their reference, when given. */
  ombudsmanReference?: string;
  /** A letter to post (no e-mail address): by when it must be posted (domain/letters.ts letterPostBy). */
  postBy?: string;
  /** The staff's reminder of a letter not posted: the letter's id in the queue. */
  letterId?: string;
  /** An improvement action's reminder: which action, what it is, and which reminder (its due day is `dueAt`). */
  improvementAction?: { id: string; what: string; reminder: 'before-due' | 'due' };
  /** Withdrawal: the reason recorded. */
  reason?: string;
  /** When the event behind the notice was recorded (workflow time). */
  occurredAt: string;
}

export interface NoticeRules {
  /**
   * Letters for everyone (patch `letters-for-everyone`): the complainant hears of every step whether or not they
   * gave an e-mail address (delivery posts a letter when there is none): extensions, withdrawal, referral to the
   * Ombudsman, the next stage's acknowledgement. Without it, what the workflow always sent.
   */
  letters?: boolean;
}

/** The notice an event calls for, if any, given the state just after the event. */
export function noticeFor(
  entry: TimelineEntry,
  state: ComplaintState,
  procedure: Procedure,
  rules: NoticeRules = {},
): Notice | undefined {
  if (rules.letters) {
    const letter = letterFor(entry, state, procedure);
    if (!letter) return staffNoticeFor(entry, state, procedure);
    // A letter to post must be posted by the end of the next working day under the complaint's calendar.
    return letterChannel(letter) === 'post'
      ? {
          ...letter,
          complainant: { ...letter.complainant, ...addressOf(state) },
          postBy: new Date(letterPostBy(Date.parse(entry.at), state.holidays)).toISOString(),
        }
      : letter;
  }
  return staffNoticeFor(entry, state, procedure) ?? emailOnlyNoticeFor(entry, state, procedure);
}

function addressOf(state: ComplaintState): { address?: string } {
  const { address } = state.details.complainant;
  return address ? { address } : {};
}

function noticeBase(
  entry: TimelineEntry,
  state: ComplaintState,
  procedure: Procedure,
  kind: NoticeKind,
  audience: Notice['audience'],
  stageId: string,
  key: string,
) {
  const stage = stageDefinition(procedure, stageId);
  return {
    id: `${state.ref}/${kind}/${stageId}/${key}`,
    kind,
    audience,
    ref: state.ref,
    procedure: state.procedure,
    stage: { id: stage.id, name: stage.name },
    serviceArea: state.details.serviceArea,
    summary: state.details.summary,
    caseOfficer: state.caseOfficer,
    complainant: {
      name: state.details.complainant.name,
      ...(state.details.complainant.email ? { email: state.details.complainant.email } : {}),
    },
    occurredAt: entry.at,
  };
}

/** The staff's notices (reminders, breaches, assignment): the same under either rule. */
function staffNoticeFor(entry: TimelineEntry, state: ComplaintState, procedure: Procedure): Notice | undefined {
  const base = (kind: NoticeKind, audience: Notice['audience'], stageId: string, key: string) =>
    noticeBase(entry, state, procedure, kind, audience, stageId, key);
  switch (entry.type) {
    case 'reminder-issued':
      return {
        ...base(`${entry.deadline}-reminder`, 'staff', entry.stage, `${entry.dueAt}/${entry.hoursBefore}h`),
        dueAt: entry.dueAt,
        ...explained(state, entry.deadline, entry.dueAt),
        deadline: entry.deadline,
      };
    case 'deadline-breached':
      return {
        ...base(`${entry.deadline}-overdue`, 'staff', entry.stage, entry.dueAt),
        dueAt: entry.dueAt,
        ...explained(state, entry.deadline, entry.dueAt),
        deadline: entry.deadline,
      };
    case 'case-officer-assigned':
      return { ...base('case-assigned', 'staff', state.currentStage, `${entry.officer.id}/${entry.seq}`) };
    default:
      return undefined;
  }
}

/** The complainant's e-mails before letters for everyone: only with an address, and only these three. */
function emailOnlyNoticeFor(entry: TimelineEntry, state: ComplaintState, procedure: Procedure): Notice | undefined {
  if (!state.details.complainant.email) return undefined;
  const base = (kind: NoticeKind, audience: Notice['audience'], stageId: string, key: string) =>
    noticeBase(entry, state, procedure, kind, audience, stageId, key);
  switch (entry.type) {
    case 'acknowledged': {
      const record = state.stages[state.stages.length - 1];
      return {
        ...base('complaint-acknowledged', 'complainant', entry.stage, entry.at),
        ...(record ? { dueAt: record.response.dueAt, ...explained(state, 'response', record.response.dueAt) } : {}),
      };
    }
    case 'outcome-recorded': {
      const nextStep = nextStepAfter(entry, procedure, false);
      return {
        ...base('outcome-letter', 'complainant', entry.stage, entry.at),
        outcome: entry.outcome,
        ...(entry.findings ? { findings: entry.findings } : {}),
        ...(entry.actionsTaken ? { actionsTaken: entry.actionsTaken } : {}),
        ...(nextStep ? { nextStep } : {}),
      };
    }
    case 'procedure-migrated': {
      // The complainant is told the procedure their complaint now follows and its new dates.
      return {
        ...base('procedure-changed', 'complainant', entry.stage.id, `${entry.to.id}@${entry.to.version}/${entry.seq}`),
        dueAt: entry.stage.responseDueAt,
        deadline: 'response',
      };
    }
    default:
      return undefined;
  }
}

/** Letters for everyone: the complainant's letter an event calls for, with or without an e-mail address. */
function letterFor(entry: TimelineEntry, state: ComplaintState, procedure: Procedure): Notice | undefined {
  const base = (kind: NoticeKind, stageId: string, key: string) =>
    noticeBase(entry, state, procedure, kind, 'complainant', stageId, key);
  switch (entry.type) {
    case 'acknowledged': {
      const record = state.stages[state.stages.length - 1];
      const before = state.stages[state.stages.length - 2];
      return {
        ...base('complaint-acknowledged', entry.stage, entry.at),
        ...(record ? { dueAt: record.response.dueAt, ...explained(state, 'response', record.response.dueAt) } : {}),
        ...(before
          ? { escalatedFrom: movedFrom({ id: before.stage, name: before.name }, lastEscalation(state), procedure) }
          : {}),
      };
    }
    case 'escalated':
      // A stage with no acknowledgement step is acknowledged by this letter when the complaint reaches it.
      if (entry.stage.acknowledgementDueAt !== null) return undefined;
      return {
        ...base('complaint-acknowledged', entry.stage.id, entry.at),
        dueAt: entry.stage.responseDueAt,
        ...explained(state, 'response', entry.stage.responseDueAt),
        escalatedFrom: movedFrom(
          { id: entry.from, name: stageDefinition(procedure, entry.from).name },
          entry,
          procedure,
        ),
      };
    case 'outcome-recorded': {
      const nextStep = nextStepAfter(entry, procedure, true);
      return {
        ...base('outcome-letter', entry.stage, entry.at),
        outcome: entry.outcome,
        ...(entry.findings ? { findings: entry.findings } : {}),
        ...(entry.actionsTaken ? { actionsTaken: entry.actionsTaken } : {}),
        ...(nextStep ? { nextStep } : {}),
      };
    }
    case 'extension-granted':
      return {
        ...base('extension-agreed', entry.stage, `${entry.dueAt}/${entry.seq}`),
        dueAt: entry.dueAt,
        ...explained(state, 'response', entry.dueAt),
        deadline: 'response',
        previousDueAt: entry.previousDueAt,
      };
    case 'withdrawn':
      return {
        ...base('withdrawal-confirmed', state.currentStage, `${entry.seq}`),
        ...(entry.reason ? { reason: entry.reason } : {}),
      };
    case 'referred-to-ombudsman':
      return {
        ...base('ombudsman-referral-noted', state.currentStage, `${entry.seq}`),
        ...(entry.reference ? { ombudsmanReference: entry.reference } : {}),
      };
    case 'procedure-migrated':
      return {
        ...base('procedure-changed', entry.stage.id, `${entry.to.id}@${entry.to.version}/${entry.seq}`),
        dueAt: entry.stage.responseDueAt,
        ...explained(state, 'response', entry.stage.responseDueAt),
        deadline: 'response',
        previousProcedureName: entry.from.name,
      };
    default:
      return undefined;
  }
}

type EscalatedEntry = Extract<TimelineEntry, { type: 'escalated' }>;

/** The escalation that opened the current stage: the last one recorded (a change of procedure opens no stage). */
function lastEscalation(state: ComplaintState): EscalatedEntry | undefined {
  for (let i = state.timeline.length - 1; i >= 0; i--) {
    const entry = state.timeline[i]!;
    if (entry.type === 'escalated') return entry;
  }
  return undefined;
}

/** The stage a complaint came from, and how: passed on before its outcome, or past a stage the complainant skipped. */
function movedFrom(
  from: { id: string; name: string },
  escalation: EscalatedEntry | undefined,
  procedure: Procedure,
): NonNullable<Notice['escalatedFrom']> {
  const bypassed = escalation?.bypassed
    ? procedure.stages.find((stage) => stage.id === escalation.bypassed)
    : undefined;
  return {
    ...from,
    ...(escalation?.withoutOutcome ? { withoutOutcome: true as const } : {}),
    ...(bypassed ? { bypassed: { id: bypassed.id, name: bypassed.name } } : {}),
  };
}

/** What an outcome letter says comes next: the next stage (and the one it may bypass to), or the Ombudsman. */
function nextStepAfter(
  entry: Extract<TimelineEntry, { type: 'outcome-recorded' }>,
  procedure: Procedure,
  withBypass: boolean,
): Notice['nextStep'] | undefined {
  if (!entry.escalationWindowEndsAt) return undefined;
  const stage = stageDefinition(procedure, entry.stage);
  if (!stage.escalation)
    return { kind: 'ombudsman', name: procedure.ombudsman.name, byAt: entry.escalationWindowEndsAt };
  const { next, bypassTo } = stage.escalation;
  return {
    kind: 'escalate',
    stage: { id: next, name: stageDefinition(procedure, next).name },
    byAt: entry.escalationWindowEndsAt,
    ...(withBypass && bypassTo ? { bypass: { id: bypassTo, name: stageDefinition(procedure, bypassTo).name } } : {}),
  };
}

/** The staff's reminder that a letter queued for posting is still not posted when it should have been. */
export function letterNotPostedNotice(letter: Notice, postBy: string, letterId: string): Notice {
  return {
    ...letter,
    id: `${letter.id}/letter-not-posted`,
    kind: 'letter-not-posted',
    audience: 'staff',
    dueAt: postBy,
    letterId,
  };
}

/** The words for how the current stage's deadline `dueAt` was worked out, when the state knows. */
function explained(state: ComplaintState, kind: DeadlineKind, dueAt: string): { dueAtExplained?: string } {
  const record = state.stages[state.stages.length - 1];
  const pending: (DeadlineRecord & { extensions?: ExtensionRecord[] }) | null | undefined =
    kind === 'acknowledgement' ? record?.acknowledgement : record?.response;
  if (!pending || pending.dueAt !== dueAt) return {};
  const lastExtension = pending.extensions?.[pending.extensions.length - 1];
  const working = lastExtension ? lastExtension.working : pending.working;
  return working ? { dueAtExplained: explainDeadline(working) } : {};
}
