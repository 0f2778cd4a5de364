import type { Officer } from './actions';
import type { ComplaintState, DeadlineKind, DeadlineRecord, ExtensionRecord, TimelineEntry } from './complaint';
import { explainDeadline } from './deadline-explanation';
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
  complainant: Pick<z.infer<typeof ComplainantSchema>, 'name' | 'email'>;
  /** The deadline the notice is about (reminders, overdue notices, the acknowledgement's response date). */
  dueAt?: string;
  /** How that deadline was worked out, in words (procedures with a counting rule; domain/deadline-explanation.ts). */
  dueAtExplained?: string;
  deadline?: DeadlineKind;
  outcome?: Outcome;
  findings?: string;
  actionsTaken?: string;
  /** Outcome letters: what the complainant may do next and by when. */
  nextStep?:
    | { kind: 'escalate'; stage: { id: string; name: string }; byAt: string }
    | { kind: 'ombudsman'; name: string; byAt: string };
  /** When the event behind the notice was recorded (workflow time). */
  occurredAt: string;
}

/** The notice an event calls for, if any, given the state just after the event. */
export function noticeFor(entry: TimelineEntry, state: ComplaintState, procedure: Procedure): Notice | undefined {
  const base = (kind: NoticeKind, audience: Notice['audience'], stageId: string, key: string) => {
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
  };

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
    case 'acknowledged': {
      if (!state.details.complainant.email) return undefined;
      const record = state.stages[state.stages.length - 1];
      return {
        ...base('complaint-acknowledged', 'complainant', entry.stage, entry.at),
        ...(record ? { dueAt: record.response.dueAt, ...explained(state, 'response', record.response.dueAt) } : {}),
      };
    }
    case 'outcome-recorded': {
      if (!state.details.complainant.email) return undefined;
      const stage = stageDefinition(procedure, entry.stage);
      const nextStep: Notice['nextStep'] | undefined = entry.escalationWindowEndsAt
        ? stage.escalation
          ? {
              kind: 'escalate',
              stage: { id: stage.escalation.next, name: stageDefinition(procedure, stage.escalation.next).name },
              byAt: entry.escalationWindowEndsAt,
            }
          : { kind: 'ombudsman', name: procedure.ombudsman.name, byAt: entry.escalationWindowEndsAt }
        : undefined;
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
      if (!state.details.complainant.email) return undefined;
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
