import type { Procedure } from '../procedure';

const workingDays = (days: number) => ({ days, kind: 'working' as const });

/** The Scottish Public Services Ombudsman's model complaints handling procedure: two stages, in working days. */
export const spsoModelProcedure: Procedure = {
  id: 'spso-mchp',
  version: 1,
  name: 'SPSO model complaints handling procedure (two stages)',
  description:
    'Stage 1 frontline response within 5 working days (extendable to 10 in total); Stage 2 investigation, ' +
    'acknowledged within 3 working days and answered within 20, later only with revised time limits agreed with ' +
    'the complainant; then the Scottish Public Services Ombudsman. Working days skip weekends and Scottish public holidays.',
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
      escalation: { windowDays: 60, next: 'stage-2' },
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
  assumptions: [
    'A working-day deadline is the end (23:59:59 Europe/London) of the Nth working day after the day the stage began.',
    'A Stage 1 extension is authorised by a manager; the response may not go beyond 10 working days in total.',
    'The complainant may ask for Stage 2 within 60 days (about two months) of the Stage 1 response.',
    'A referral to the Ombudsman may be recorded within 12 months of the Stage 2 response.',
  ],
};
