import { z } from 'zod';
import { OutcomeSchema } from './vocabulary';

// A complaints procedure is data: its stages, deadlines, reminders, escalation and extension rules.
// A complaint keeps the procedure version it started under (`id@version`), so publishing a new
// version or changing the default only affects complaints received afterwards.

export const DayCountSchema = z
  .object({
    days: z.number().int().min(0).max(3660),
    kind: z.enum(['calendar', 'working']),
  })
  .strict();

const ReminderOffsetsSchema = z
  .array(
    z
      .number()
      .int()
      .positive()
      .max(24 * 365),
  )
  .describe('Hours before the deadline at which the responsible officer is reminded');

/**
 * How "within N days" is counted (absent on a procedure: the rule the first published versions were built with,
 * `{ working: 'day-after-receipt', calendar: 'exact-24-hours' }`, kept so that they count exactly as published).
 * - working `receipt-day`: the day of receipt is day 1 when it is a working day, else the next working day is;
 *   `day-after-receipt`: day 1 is the first working day after the day of receipt. The deadline is the end
 *   (23:59:59 Europe/London) of day N either way.
 * - calendar `end-of-london-day`: the day of receipt is day 0 and the deadline is the end of the Nth London day after
 *   it; `exact-24-hours`: N times 24 hours from the minute the stage began.
 */
export const CountingRuleSchema = z
  .object({
    working: z.enum(['receipt-day', 'day-after-receipt']),
    calendar: z.enum(['end-of-london-day', 'exact-24-hours']),
  })
  .strict();

/** When reminders go out (absent: `remindBeforeHours` before the deadline, as the first published versions do). */
export const ReminderRuleSchema = z
  .object({
    /** Working days before the deadline's day (1: the working day before it; 0: the deadline's own day). */
    leadWorkingDays: z.number().int().min(0).max(20),
    /** London wall-clock time of the reminder on that day. */
    atLondonTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/),
  })
  .strict();

/** The window for asking for the next stage, as the 2020 model procedure words it (absent: `windowDays`). */
export const RequestWindowSchema = z
  .object({
    /** Months from the previous stage's response ... */
    monthsFromResponse: z.number().int().positive(),
    /** ... or months from the event complained about (when known), whichever ends later. */
    monthsFromEvent: z.number().int().positive(),
  })
  .strict();

export const StageDefinitionSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    name: z.string().min(1),
    /** null: the stage has no separate acknowledgement step (e.g. a frontline response). */
    acknowledge: z.object({ within: DayCountSchema, remindBeforeHours: ReminderOffsetsSchema }).strict().nullable(),
    /** Counted from the moment the stage began: receipt for the first stage, the escalation request after that. */
    respond: z.object({ within: DayCountSchema, remindBeforeHours: ReminderOffsetsSchema }).strict(),
    outcomes: z.array(OutcomeSchema).min(1),
    extension: z
      .object({
        allowed: z.boolean(),
        requiresComplainantAgreement: z.boolean(),
        /** The longest the response may take from the stage's start, extensions included; absent: no cap. */
        maxTotal: DayCountSchema.optional(),
      })
      .strict(),
    /** What the complainant may do after this stage's outcome; null for the final stage. */
    escalation: z
      .object({
        windowDays: z.number().int().positive(),
        next: z.string(),
        /** A stage the complainant may ask to go to instead of `next`, skipping it. */
        bypassTo: z.string().optional(),
        /** The next stage may be asked for before this stage has an outcome (the frontline cannot resolve it). */
        beforeOutcome: z.boolean().optional(),
        /** The request window by months (replaces windowDays where present). */
        requestWindow: RequestWindowSchema.optional(),
      })
      .strict()
      .nullable(),
  })
  .strict();

export const ProcedureSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    version: z.number().int().positive(),
    name: z.string().min(1),
    description: z.string(),
    firstStage: z.string(),
    /** Serious complaints start here. */
    seriousStartStage: z.string(),
    stages: z.array(StageDefinitionSchema).min(1),
    ombudsman: z
      .object({
        name: z.string(),
        /** Referral may be recorded after this stage's outcome ... */
        afterStage: z.string(),
        /** ... within this many calendar days of it. */
        referralWindowDays: z.number().int().positive(),
      })
      .strict(),
    counting: CountingRuleSchema.optional(),
    reminders: ReminderRuleSchema.optional(),
    /** Choices the source documents leave open, stated so that a reader can challenge them. */
    assumptions: z.array(z.string()),
  })
  .strict()
  .superRefine((procedure, ctx) => {
    const ids = new Set(procedure.stages.map((stage) => stage.id));
    if (ids.size !== procedure.stages.length) ctx.addIssue({ code: 'custom', message: 'stage ids must be unique' });
    const refs = [
      procedure.firstStage,
      procedure.seriousStartStage,
      procedure.ombudsman.afterStage,
      ...procedure.stages.flatMap((stage) =>
        stage.escalation
          ? [stage.escalation.next, ...(stage.escalation.bypassTo ? [stage.escalation.bypassTo] : [])]
          : [],
      ),
    ];
    for (const ref of refs) {
      if (!ids.has(ref)) ctx.addIssue({ code: 'custom', message: `unknown stage "${ref}"` });
    }
  });

export type DayCount = z.infer<typeof DayCountSchema>;
export type CountingRule = z.infer<typeof CountingRuleSchema>;
export type ReminderRule = z.infer<typeof ReminderRuleSchema>;
export type StageDefinition = z.infer<typeof StageDefinitionSchema>;
export type Procedure = z.infer<typeof ProcedureSchema>;
