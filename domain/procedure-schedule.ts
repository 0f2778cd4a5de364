import { z } from 'zod';
import { londonDate } from './calendar';
import { procedureKey, type Procedure } from './procedure';
import { findProcedure } from './procedures';
import { LocalDateSchema } from './vocabulary';

// Which procedure applies to a complaint is a matter of when it was received: an organisation's procedure schedule
// (configuration: PROCEDURE_SCHEDULE_PATH, see config/procedure-schedule.example.yaml) lists, in order, the
// procedure in force from each date (London). Intake without a named procedure takes the one in force on the London
// day of receipt; intake may still name one. Pure: the API's complaint service resolves it (api/complaint-service.ts).

const ProcedureVersionSchema = z
  .string()
  .regex(/^[a-z0-9-]+@\d+$/, 'must be a procedure version, e.g. spso-mchp-2020@1')
  .refine((key) => findProcedureByKey(key) !== undefined, 'must name a published procedure version');

export const ProcedureScheduleSchema = z
  .object({
    periods: z
      .array(
        z
          .object({
            /** First London day of receipt the procedure applies to; absent on the first period: from the start. */
            from: LocalDateSchema.optional(),
            procedure: ProcedureVersionSchema,
          })
          .strict(),
      )
      .min(1),
  })
  .strict()
  .superRefine((schedule, ctx) => {
    schedule.periods.forEach((period, i) => {
      if (i > 0 && period.from === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['periods', i, 'from'],
          message: 'every period but the first has a from date',
        });
      const previous = schedule.periods[i - 1]?.from;
      if (i > 0 && previous !== undefined && period.from !== undefined && period.from <= previous)
        ctx.addIssue({ code: 'custom', path: ['periods', i, 'from'], message: 'periods must be in date order' });
    });
  });
export type ProcedureSchedule = z.infer<typeof ProcedureScheduleSchema>;

/**
 * The shipped default for the social work department: the council's 2011 procedure for complaints received up to
 * 31 March 2017, the SPSO social work model procedure from 1 April 2017, the revised 2020 model from 1 April 2021.
 * The 2011 period names version 2 (London days, 09:00 reminders), not the frozen version 1 that issue 15's text
 * names: why, in that version's assumptions (domain/procedures/dundee-swd-2011-v2.ts) and the README.
 */
export const DEFAULT_PROCEDURE_SCHEDULE: ProcedureSchedule = {
  periods: [
    { procedure: 'dundee-swd-2011@2' },
    { from: '2017-04-01', procedure: 'spso-social-work-2017@1' },
    { from: '2021-04-01', procedure: 'spso-mchp-2020@1' },
  ],
};

/** One procedure for every complaint (DEFAULT_PROCEDURE, its latest version): the schedule when none is configured. */
export function singleProcedureSchedule(procedure: Procedure): ProcedureSchedule {
  return { periods: [{ procedure: procedureKey(procedure) }] };
}

function findProcedureByKey(key: string): Procedure | undefined {
  const at = key.lastIndexOf('@');
  return findProcedure(key.slice(0, at), Number(key.slice(at + 1)));
}

/** The procedure in force for a complaint received at `receivedAtMs` (by its London date); undefined before the first period. */
export function procedureInForce(schedule: ProcedureSchedule, receivedAtMs: number): Procedure | undefined {
  const day = londonDate(receivedAtMs);
  let inForce: string | undefined;
  for (const period of schedule.periods) {
    if (period.from === undefined || period.from <= day) inForce = period.procedure;
  }
  return inForce === undefined ? undefined : findProcedureByKey(inForce);
}
