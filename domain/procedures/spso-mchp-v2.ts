import type { Procedure } from '../procedure';
import { spsoModelProcedure } from './spso-mchp';

// Published: frozen. A change is a new version (domain/procedures/lock.json, tests/domain/procedure-lock.test.ts).

const [stage1, stage2] = spsoModelProcedure.stages as [Procedure['stages'][0], Procedure['stages'][0]];

/**
 * The SPSO model complaints handling procedure, version 2: the same two stages and timescales as version 1 (which
 * stays exactly as published, for the complaints already on it), with the SPSO counting of issue 15 (the day of
 * receipt is day 1 when a working day), reminders at 09:00 London, and the Stage 2 request rules of the model.
 */
export const spsoModelProcedureV2: Procedure = {
  ...spsoModelProcedure,
  version: 2,
  stages: [
    {
      ...stage1,
      escalation: {
        windowDays: 60,
        next: 'stage-2',
        beforeOutcome: true,
        requestWindow: { monthsFromResponse: 2, monthsFromEvent: 6 },
      },
    },
    stage2,
  ],
  counting: { working: 'receipt-day', calendar: 'end-of-london-day' },
  reminders: { leadWorkingDays: 1, atLondonTime: '09:00' },
  assumptions: [
    'Source: the SPSO model complaints handling procedure (Stage 1: frontline response within 5 working days, ' +
      'extendable to 10; Stage 2: acknowledged within 3 working days, answered within 20), as the timescales are ' +
      'stated in issue 15; no quotation of its text was available when this version was written, so each choice ' +
      'below is ours and open to challenge.',
    'Counting: the day of receipt is day 1 when it is a working day, otherwise the next working day is day 1; a ' +
      'deadline is the end (23:59:59 Europe/London) of its last day. Of the two readings (version 1 counted from ' +
      'the working day after receipt) this gives the earlier deadline, the one a council can always defend.',
    'Working days skip weekends, Scottish bank holidays (date-holidays, GB-SCT, with substitute days) and the ' +
      'council’s own closures, minus any day it works (config/council-calendar.example.yaml).',
    'A Stage 1 extension is authorised by a manager; the response may not go beyond 10 working days in total from ' +
      'day 1. No extension reaches more than a year past the original deadline (domain/complaint.ts).',
    'A complaint the frontline cannot resolve may go to Stage 2 before Stage 1 has an outcome.',
    'Stage 2 counts from the day the escalation is recorded (the day the request was received).',
    'The complainant may ask for Stage 2 until six months after the event complained about (when intake recorded ' +
      'its date) or two months after the Stage 1 response, whichever is later.',
    'Reminders go to the responsible officer at 09:00 London on the working day before the deadline’s day; ' +
      'breach notices at the deadline.',
    'A referral to the Ombudsman may be recorded within 12 months (365 days) of the Stage 2 response.',
  ],
};
