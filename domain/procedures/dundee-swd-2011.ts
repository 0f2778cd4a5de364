import type { Procedure } from '../procedure';

const calendarDays = (days: number) => ({ days, kind: 'calendar' as const });
const FULL_OUTCOMES = ['upheld', 'partially-upheld', 'not-upheld'] as const;
const BY_MUTUAL_AGREEMENT = { allowed: true, requiresComplainantAgreement: true };

/** The council's four-stage social work complaints procedure described in the 2011 Customer Care Officer Report, section 4.10. */
export const dundeeSocialWork2011: Procedure = {
  id: 'dundee-swd-2011',
  version: 1,
  name: 'Social Work complaints procedure (2011, four stages)',
  description:
    'Level 1 (informal, at the point of service), Level 2 (investigation; serious complaints start here), ' +
    "review by the Director (may be bypassed at the complainant's request), then a hearing of the Complaints " +
    'Review Committee; after that the complainant may go to the Scottish Public Services Ombudsman. Calendar days.',
  firstStage: 'level-1',
  seriousStartStage: 'level-2',
  stages: [
    {
      id: 'level-1',
      name: 'Level 1',
      acknowledge: { within: calendarDays(5), remindBeforeHours: [24] },
      respond: { within: calendarDays(14), remindBeforeHours: [72] },
      outcomes: [...FULL_OUTCOMES],
      extension: BY_MUTUAL_AGREEMENT,
      escalation: { windowDays: 28, next: 'level-2' },
    },
    {
      id: 'level-2',
      name: 'Level 2',
      acknowledge: { within: calendarDays(5), remindBeforeHours: [24] },
      respond: { within: calendarDays(28), remindBeforeHours: [120] },
      outcomes: [...FULL_OUTCOMES],
      extension: BY_MUTUAL_AGREEMENT,
      escalation: { windowDays: 28, next: 'director-review', bypassTo: 'committee' },
    },
    {
      id: 'director-review',
      name: 'Review by the Director',
      acknowledge: { within: calendarDays(5), remindBeforeHours: [24] },
      respond: { within: calendarDays(28), remindBeforeHours: [120] },
      outcomes: [...FULL_OUTCOMES],
      extension: BY_MUTUAL_AGREEMENT,
      escalation: { windowDays: 28, next: 'committee' },
    },
    {
      id: 'committee',
      name: 'Complaints Review Committee',
      acknowledge: { within: calendarDays(5), remindBeforeHours: [24] },
      respond: { within: calendarDays(56), remindBeforeHours: [168] },
      outcomes: [...FULL_OUTCOMES],
      extension: BY_MUTUAL_AGREEMENT,
      escalation: null,
    },
  ],
  ombudsman: { name: 'Scottish Public Services Ombudsman', afterStage: 'committee', referralWindowDays: 365 },
  assumptions: [
    'The report gives no timescale for the Director review: it is taken to be that of Level 2 (acknowledge within 5 days, respond within 28).',
    'Every stage is acknowledged within 5 days; the report states it for Levels 1 and 2 only.',
    "The complainant may ask for escalation within 28 days of a stage's outcome; without a request the complaint closes with that outcome.",
    "A referral to the Ombudsman may be recorded within 12 months (365 days) of the Committee's outcome.",
    'Deadlines are exact multiples of 24 hours from the start of the stage; an action at or before its deadline is on time.',
  ],
};
