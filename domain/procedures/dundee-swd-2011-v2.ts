import type { Procedure } from '../procedure';
import { dundeeSocialWork2011 } from './dundee-swd-2011';

// Published: frozen. A change is a new version (domain/procedures/lock.json, tests/domain/procedure-lock.test.ts).

/**
 * The council's 2011 procedure, version 2: the same four stages and timescales as version 1 (which stays exactly as
 * published, for the complaints already on it), with the counting issue 15 asks for (London days, day of receipt =
 * day 0) and reminders at 09:00 London on a working day.
 */
export const dundeeSocialWork2011v2: Procedure = {
  ...dundeeSocialWork2011,
  version: 2,
  description:
    'Level 1 (informal, at the point of service), Level 2 (investigation; serious complaints start here), ' +
    "review by the Director (may be bypassed at the complainant's request), then a hearing of the Complaints " +
    'Review Committee; after that the complainant may go to the Scottish Public Services Ombudsman. Calendar days ' +
    'counted in London days: "within N days" ends at the end of the Nth day after the day of receipt.',
  counting: { working: 'receipt-day', calendar: 'end-of-london-day' },
  reminders: { leadWorkingDays: 1, atLondonTime: '09:00' },
  assumptions: [
    'Source: Dundee City Council, Customer Care Officer Report 2011, section 4.10 (the four levels and their ' +
      'timescales, in days), as version 1; the counting and reminder rules are those of issue 15.',
    ...dundeeSocialWork2011.assumptions.filter((assumption) => !assumption.startsWith('Deadlines are exact')),
    '"Within N days" is the end (23:59:59 Europe/London) of the Nth London day after the day the stage began ' +
      '(the day of receipt, or of the escalation request, is day 0), not N times 24 hours from the minute it ' +
      'arrived; an action at or before its deadline is on time. Clock changes do not move it: it is always the end ' +
      'of a London day.',
    'An extension by days moves the deadline to the end of the Nth London day after the current deadline’s day.',
    'One reminder per deadline, at 09:00 London on the working day before the deadline’s day (weekends and the ' +
      'council’s holidays skipped), instead of version 1’s 24 to 168 hours before 23:59:59; a reminder that would ' +
      'fall before the stage began is not sent. Breach notices at the deadline.',
    'The shipped procedure schedule (domain/procedure-schedule.ts) names this version for complaints received up ' +
      'to 31 March 2017. Issue 15 names `dundee-swd-2011@1` there because it was the only version when the issue ' +
      'was written; the same issue freezes @1 and asks for London-day counting and 09:00 reminders, which @1 ' +
      'cannot have, so the period points at this version. Complaints already on @1 keep @1; intake may still ' +
      'name @1.',
  ],
};
