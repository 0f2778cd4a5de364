import { z } from 'zod';
import { RecordedOfficerSchema } from './actions';
import { ComplaintDetailsSchema } from './intake';
import {
  ComplaintStatusSchema,
  InstantSchema,
  LocalDateSchema,
  OutcomeSchema,
  RecordedActorSchema,
} from './vocabulary';

// The complaint's state and its recorded events as zod schemas: the one source of their TypeScript types and of
// the API's description of a complaint. domain/complaint.ts re-exports the types with `export type` only, because
// workflow code must not load zod when a complaint loads (tests/workflows/workflow-modules.test.ts).
//
// The API serialises a response through its schema, which writes an object's keys in the schema's order and drops
// keys it does not name. So every field the domain records is named here, in the order the domain builds it
// (complaint.ts: initialState, stageRecord, deadline, applyEvent, decide), and a recorded entry starts with seq,
// type, at and actor as the API has always written it (tests/api/complaint-state-schema.test.ts).

const ActorRecordSchema = RecordedActorSchema.describe('Who did it; `system` for what the clock did');
const instant = InstantSchema.meta({ id: 'Instant' });

export const deadlineKinds = ['acknowledgement', 'response'] as const;
export const DeadlineKindSchema = z.enum(deadlineKinds);
export type DeadlineKind = z.infer<typeof DeadlineKindSchema>;

export const closureReasons = [
  'escalation-window-ended',
  'referral-window-ended',
  'referred-to-ombudsman',
  'final-outcome',
] as const;
export const ClosureReasonSchema = z.enum(closureReasons);
export type ClosureReason = z.infer<typeof ClosureReasonSchema>;

/** Why `decide` refused a command (an Update's 409 `code`; a refused Signal's `action-rejected` event). */
export const rejectionCodes = [
  'complaint-closed',
  'not-open',
  'already-acknowledged',
  'no-acknowledgement-step',
  'not-acknowledged',
  'outcome-not-in-procedure',
  'outcome-already-recorded',
  'no-outcome-yet',
  'escalation-window-closed',
  'no-further-stage',
  'stage-not-reachable',
  'extension-not-allowed',
  'agreement-required',
  'extension-too-long',
  'deadline-passed',
  'deadline-not-later',
  'not-final-stage',
  'referral-window-closed',
  'already-assigned',
  'assignment-not-permitted',
  'invalid-message',
  'calendar-unchanged',
  'same-procedure',
  'no-migration-path',
  'already-erased',
] as const;
export const RejectionCodeSchema = z.enum(rejectionCodes);
export type RejectionCode = z.infer<typeof RejectionCodeSchema>;

const ProcedureNamedSchema = z.object({ id: z.string(), version: z.number().int().positive(), name: z.string() });
const CaseOfficerSchema = RecordedOfficerSchema;

/** How a deadline was worked out (domain/calendar.ts countDeadline): the rule, day 1, the last day, what was skipped. */
export const DeadlineWorkingSchema = z
  .object({
    rule: z
      .string()
      .describe(
        '`working-days/receipt-day` (day of receipt is day 1 when a working day), `working-days/day-after-receipt`, ' +
          '`calendar-days/end-of-london-day` (day of receipt is day 0), `calendar-days/exact-24-hours`; `/extension` ' +
          'when an extension moved the deadline',
      ),
    days: z.number().int(),
    kind: z.enum(['calendar', 'working']),
    from: instant.describe('The instant counted from'),
    firstDay: LocalDateSchema.describe('Day 1 of a working-day count; day 0 of a calendar-day count'),
    lastDay: LocalDateSchema.describe('The London date the deadline falls on'),
    skipped: z
      .array(
        z.object({
          date: LocalDateSchema,
          why: z.enum(['weekend', 'holiday']),
          name: z.string().optional().describe('The holiday or closure, where the calendar names it'),
        }),
      )
      .describe('Days not counted (working-day counts)'),
  })
  .meta({ id: 'DeadlineWorking' });
export type DeadlineWorkingRecord = z.infer<typeof DeadlineWorkingSchema>;

/** The deadlines of a stage as they were set when it began. */
export const StageOpeningSchema = z.object({
  id: z.string(),
  name: z.string(),
  acknowledgementDueAt: instant.nullable(),
  responseDueAt: instant,
  acknowledgementWorking: DeadlineWorkingSchema.optional(),
  responseWorking: DeadlineWorkingSchema.optional(),
});
export type StageOpening = z.infer<typeof StageOpeningSchema>;

// ---------------------------------------------------------------------------------------------- events

const ComplaintReceivedSchema = z.object({
  type: z.literal('complaint-received'),
  ref: z.string(),
  procedure: ProcedureNamedSchema,
  details: ComplaintDetailsSchema,
  receivedAt: instant,
  stage: StageOpeningSchema,
  holidays: z.array(LocalDateSchema),
  holidayNames: z.record(z.string(), z.string()).optional(),
});
const AcknowledgedSchema = z.object({
  type: z.literal('acknowledged'),
  stage: z.string(),
  note: z.string().optional(),
});
const CaseOfficerAssignedSchema = z.object({
  type: z.literal('case-officer-assigned'),
  officer: CaseOfficerSchema,
  previous: CaseOfficerSchema.optional(),
});
const OutcomeRecordedSchema = z.object({
  type: z.literal('outcome-recorded'),
  stage: z.string(),
  outcome: OutcomeSchema,
  findings: z.string().optional(),
  actionsTaken: z.string().optional(),
  rootCauses: z.array(z.string()).optional().describe('Codes of the root-cause taxonomy'),
  learned: z.string().optional(),
  escalationWindowEndsAt: instant.optional(),
});
const EscalatedSchema = z.object({
  type: z.literal('escalated'),
  from: z.string(),
  to: z.string(),
  bypassed: z.string().optional(),
  withoutOutcome: z.boolean().optional().describe('Escalated before the stage had an outcome'),
  stage: StageOpeningSchema,
});
const ExtensionGrantedSchema = z.object({
  type: z.literal('extension-granted'),
  stage: z.string(),
  days: z.number().int().optional(),
  requestedDeadline: instant.optional(),
  dueAt: instant,
  previousDueAt: instant,
  reason: z.string(),
  agreedWithComplainant: z.boolean(),
  working: DeadlineWorkingSchema.optional(),
});
const WithdrawnSchema = z.object({ type: z.literal('withdrawn'), reason: z.string().optional() });
const ReferredSchema = z.object({ type: z.literal('referred-to-ombudsman'), reference: z.string().optional() });
const NoteAddedSchema = z.object({ type: z.literal('note-added'), text: z.string() });
const PersonalDataErasedSchema = z
  .object({ type: z.literal('personal-data-erased'), reason: z.string() })
  .describe('The complaint\'s data key was destroyed: its personal fields read "[erased]" from then on');
const ReminderIssuedSchema = z.object({
  type: z.literal('reminder-issued'),
  stage: z.string(),
  deadline: DeadlineKindSchema,
  dueAt: instant,
  hoursBefore: z.number(),
});
const DeadlineBreachedSchema = z.object({
  type: z.literal('deadline-breached'),
  stage: z.string(),
  deadline: DeadlineKindSchema,
  dueAt: instant,
});
const CalendarUpdatedSchema = z.object({
  type: z.literal('calendar-updated'),
  holidays: z.array(LocalDateSchema),
  added: z.array(LocalDateSchema).optional().describe("Days added to this complaint's calendar (the add/remove form)"),
  removed: z.array(LocalDateSchema).optional().describe('Days removed from it (the add/remove form)'),
  acknowledgementDueAt: instant.optional(),
  responseDueAt: instant.optional(),
  acknowledgementWorking: DeadlineWorkingSchema.optional().describe(
    'How the moved acknowledgement deadline was worked out',
  ),
  responseWorking: DeadlineWorkingSchema.optional().describe(
    'How the moved response deadline was worked out (extensions by days applied in turn)',
  ),
});
export const deadlineModes = ['kept', 'afresh'] as const;
export const DeadlineModeSchema = z
  .enum(deadlineModes)
  .describe("A migrated stage's pending deadlines: kept as they were, or counted afresh from the migration day");
export type DeadlineMode = z.infer<typeof DeadlineModeSchema>;
const ProcedureMigratedSchema = z.object({
  type: z.literal('procedure-migrated'),
  from: ProcedureNamedSchema,
  to: ProcedureNamedSchema,
  fromStage: z.string(),
  deadlines: DeadlineModeSchema,
  stage: StageOpeningSchema.describe(
    'The stage the complaint is at under the new procedure, and its deadlines after the move (met ones unchanged)',
  ),
  reason: z.string(),
});
const ClosedSchema = z.object({
  type: z.literal('closed'),
  reason: ClosureReasonSchema,
  outcome: OutcomeSchema.optional(),
});
const ActionRejectedSchema = z.object({
  type: z.literal('action-rejected'),
  action: z.string(),
  code: RejectionCodeSchema,
  reason: z.string(),
});
const NotificationFailedSchema = z.object({
  type: z.literal('notification-failed'),
  notice: z.string(),
  reason: z.string(),
});

const eventSchemas = [
  ComplaintReceivedSchema,
  AcknowledgedSchema,
  CaseOfficerAssignedSchema,
  OutcomeRecordedSchema,
  EscalatedSchema,
  ExtensionGrantedSchema,
  WithdrawnSchema,
  ReferredSchema,
  NoteAddedSchema,
  ReminderIssuedSchema,
  DeadlineBreachedSchema,
  CalendarUpdatedSchema,
  ProcedureMigratedSchema,
  ClosedSchema,
  ActionRejectedSchema,
  NotificationFailedSchema,
  PersonalDataErasedSchema,
] as const;

/** What `decide` and the clock produce: one of these, by `type`. */
export const ComplaintEventSchema = z.discriminatedUnion('type', eventSchemas);
export type ComplaintEvent = z.infer<typeof ComplaintEventSchema>;

/** An event as recorded: numbered, timed by the workflow clock, and attributed (keys in the API's order). */
function recorded<Shape extends { type: z.ZodLiteral<string> } & z.core.$ZodShape>(event: z.ZodObject<Shape>) {
  const { type: _type, ...fields } = event.shape;
  const type: Shape['type'] = event.shape.type;
  return z.object({ seq: z.number().int().positive(), type, at: instant, actor: ActorRecordSchema, ...fields });
}

export const TimelineEntrySchema = z
  .discriminatedUnion('type', [
    recorded(ComplaintReceivedSchema),
    recorded(AcknowledgedSchema),
    recorded(CaseOfficerAssignedSchema),
    recorded(OutcomeRecordedSchema),
    recorded(EscalatedSchema),
    recorded(ExtensionGrantedSchema),
    recorded(WithdrawnSchema),
    recorded(ReferredSchema),
    recorded(NoteAddedSchema),
    recorded(ReminderIssuedSchema),
    recorded(DeadlineBreachedSchema),
    recorded(CalendarUpdatedSchema),
    recorded(ProcedureMigratedSchema),
    recorded(ClosedSchema),
    recorded(ActionRejectedSchema),
    recorded(NotificationFailedSchema),
    recorded(PersonalDataErasedSchema),
  ])
  .describe('A recorded event: numbered (seq), timed by the workflow clock (at), attributed (actor)')
  .meta({ id: 'TimelineEntry' });
export type TimelineEntry = z.infer<typeof TimelineEntrySchema>;

// ---------------------------------------------------------------------------------------------- state

export const ExtensionRecordSchema = z.object({
  at: instant,
  by: ActorRecordSchema,
  days: z.number().int().optional(),
  requestedDeadline: instant.optional(),
  dueAt: instant.describe('The response deadline after this extension'),
  reason: z.string(),
  agreedWithComplainant: z.boolean(),
  working: DeadlineWorkingSchema.optional(),
});
export type ExtensionRecord = z.infer<typeof ExtensionRecordSchema>;

// A deadline is set when its stage begins and met once, when its action is taken (these two parts are built apart).
const deadlineSet = {
  originalDueAt: instant,
  dueAt: instant.describe('After extensions and calendar changes'),
  breaches: z.array(instant).describe('Each deadline (by its due time) that passed without the action'),
  remindersIssued: z.array(z.string()).describe('Keys of reminders already issued (`dueAt|hoursBefore`)'),
  working: DeadlineWorkingSchema.optional().describe(
    'How the deadline was worked out: when its stage began, or as a calendar change or a migration counted it again',
  ),
};
const deadlineMet = {
  metAt: instant.optional().describe('When the action was taken (acknowledgement made, outcome recorded)'),
  metBy: ActorRecordSchema.optional(),
  onTime: z.boolean().optional(),
};

export const DeadlineRecordSchema = z.object({ ...deadlineSet, ...deadlineMet });
export type DeadlineRecord = z.infer<typeof DeadlineRecordSchema>;

export const StageRecordSchema = z
  .object({
    stage: z.string(),
    name: z.string(),
    startedAt: instant,
    acknowledgement: DeadlineRecordSchema.nullable().describe('Null where the stage has no acknowledgement step'),
    response: z.object({
      ...deadlineSet,
      extensions: z.array(ExtensionRecordSchema),
      ...deadlineMet,
      outcome: OutcomeSchema.optional(),
      findings: z.string().optional(),
      actionsTaken: z.string().optional(),
      rootCauses: z.array(z.string()).optional(),
      learned: z.string().optional(),
    }),
    escalationWindowEndsAt: instant
      .optional()
      .describe(
        'After the outcome: until when the complainant may escalate (or refer to the Ombudsman after the last stage)',
      ),
    escalatedAt: instant.optional(),
  })
  .describe('A stage reached: its deadlines, outcome, extensions');
export type StageRecord = z.infer<typeof StageRecordSchema>;

export const ComplaintStateSchema = z
  .object({
    ref: z.string(),
    procedure: ProcedureNamedSchema,
    status: ComplaintStatusSchema,
    currentStage: z.string(),
    details: ComplaintDetailsSchema,
    receivedAt: instant,
    caseOfficer: CaseOfficerSchema.nullable(),
    stages: z.array(StageRecordSchema).describe('Each stage reached: its deadlines, outcome, extensions'),
    holidays: z
      .array(LocalDateSchema)
      .describe('The public-holiday calendar working-day deadlines are counted with (YYYY-MM-DD, Europe/London)'),
    holidayNames: z.record(z.string(), z.string()).optional().describe('Names of those holidays and closures'),
    timeline: z.array(TimelineEntrySchema).describe('Every recorded event, numbered, timed and attributed'),
    // Before the fields of the events that end a workflow: only an open complaint's erasure is recorded in it.
    erasure: z
      .object({ at: instant, by: ActorRecordSchema, reason: z.string() })
      .optional()
      .describe(
        'Its personal data was erased (POST /complaints/{ref}/erasure): every personal field (names, e-mails, ' +
          'phones, address, summary, notes, findings, letters) then reads "[erased]"',
      ),
    ombudsmanReferral: z.object({ at: instant, by: ActorRecordSchema, reference: z.string().optional() }).optional(),
    withdrawal: z.object({ at: instant, by: ActorRecordSchema, reason: z.string().optional() }).optional(),
    closure: z.object({ at: instant, reason: ClosureReasonSchema, outcome: OutcomeSchema.optional() }).optional(),
  })
  .describe('A complaint: its stages, deadlines and everything recorded on it')
  .meta({ id: 'ComplaintState' });
export type ComplaintState = z.infer<typeof ComplaintStateSchema>;
