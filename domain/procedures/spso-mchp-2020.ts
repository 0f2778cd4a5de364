import type { Procedure } from '../procedure';

// Published: frozen. A change is a new version (domain/procedures/lock.json, tests/domain/procedure-lock.test.ts).

const workingDays = (days: number) => ({ days, kind: 'working' as const });

/** The SPSO's revised model complaints handling procedure of 2020 (local authorities, from 1 April 2021). */
export const spsoModelProcedure2020: Procedure = {
  id: 'spso-mchp-2020',
  version: 1,
  name: 'Model complaints handling procedure (SPSO, revised 2020)',
  description:
    'Stage 1 frontline response within 5 working days (extendable with a manager’s authorisation to 10 in total); ' +
    'Stage 2 investigation, acknowledged within 3 working days and answered within 20, later only with revised time ' +
    'limits agreed with the complainant; then the Scottish Public Services Ombudsman.',
  firstStage: 'stage-1',
  seriousStartStage: 'stage-2',
  stages: [
    {
      id: 'stage-1',
      name: 'Stage 1: frontline response',
      acknowledge: null,
      respond: { within: workingDays(5), remindBeforeHours: [24] },
      outcomes: ['upheld', 'partially-upheld', 'not-upheld', 'resolved'],
      extension: { allowed: true, requiresComplainantAgreement: false, maxTotal: workingDays(10) },
      escalation: {
        windowDays: 60,
        next: 'stage-2',
        beforeOutcome: true,
        requestWindow: { monthsFromResponse: 2, monthsFromEvent: 6 },
      },
    },
    {
      id: 'stage-2',
      name: 'Stage 2: investigation',
      acknowledge: { within: workingDays(3), remindBeforeHours: [24] },
      respond: { within: workingDays(20), remindBeforeHours: [72] },
      outcomes: ['upheld', 'partially-upheld', 'not-upheld', 'resolved'],
      extension: { allowed: true, requiresComplainantAgreement: true },
      escalation: null,
    },
  ],
  ombudsman: { name: 'Scottish Public Services Ombudsman', afterStage: 'stage-2', referralWindowDays: 365 },
  counting: { working: 'receipt-day', calendar: 'end-of-london-day' },
  reminders: { leadWorkingDays: 1, atLondonTime: '09:00' },
  assumptions: [
    'Source: the SPSO model complaints handling procedure, revised 2020 (applied to local authorities from 1 April ' +
      '2021), Part 3 (Stage 1: frontline response, and moving to Stage 2) and Part 4 (Stage 2: investigation), as ' +
      'the timescales are stated in issue 15; no quotation of its text was available when this version was written, ' +
      'so each choice below is ours and open to challenge.',
    'Counting: the day of receipt is day 1 when it is a working day, otherwise the next working day is day 1; a ' +
      'deadline is the end (23:59:59 Europe/London) of its last day. Of the two readings this gives the earlier ' +
      'deadline, the one a council can always defend.',
    'Stage 1 may be extended with a manager’s authorisation, never beyond 10 working days in total from day 1.',
    'Stage 2 may be extended only with revised time limits agreed with the complainant; no extension reaches more ' +
      'than a year past the original deadline (domain/complaint.ts).',
    'A complaint the frontline cannot resolve may go to Stage 2 before Stage 1 has an outcome.',
    'Stage 2 counts from the day the escalation is recorded (the day the request was received).',
    'The complainant may ask for Stage 2 until six months after the event complained about (when intake recorded ' +
      'its date) or two months after the Stage 1 response, whichever is later; a month ends at the end of the same ' +
      'day of the month (the last day of a shorter month), London time.',
    'Reminders go to the responsible officer at 09:00 London on the working day before the deadline’s day.',
    'A referral to the Ombudsman may be recorded within 12 months (365 days) of the Stage 2 response.',
  ],
};
