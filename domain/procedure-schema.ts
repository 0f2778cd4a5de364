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
export type StageDefinition = z.infer<typeof StageDefinitionSchema>;
export type Procedure = z.infer<typeof ProcedureSchema>;
