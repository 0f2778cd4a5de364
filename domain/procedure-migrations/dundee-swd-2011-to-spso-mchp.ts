import type { ProcedureMigration } from '.';

/**
 * The council's 2011 four-stage procedure to the SPSO's two-stage model procedure. Level 1 (informal, at the point
 * of service) is the frontline stage; Level 2, the Director review and the Committee are investigations, which
 * Stage 2 is.
 */
export const dundee2011ToSpsoMchp: ProcedureMigration = {
  from: { id: 'dundee-swd-2011', version: 1 },
  to: { id: 'spso-mchp', version: 1 },
  stages: {
    'level-1': { to: 'stage-1', deadlines: 'afresh' },
    'level-2': { to: 'stage-2', deadlines: 'kept' },
    'director-review': { to: 'stage-2', deadlines: 'afresh' },
    committee: { to: 'stage-2', deadlines: 'kept' },
  },
  notes: [
    'Level 1 becomes the Stage 1 frontline response counted afresh (5 working days from the migration day): a Level 1 deadline counted in calendar days (14) has no Stage 1 equivalent to keep.',
    'Level 2 becomes Stage 2 with its deadlines kept: the complainant was already told them, and 28 calendar days is never later than 20 working days by more than a few days.',
    'A Director review becomes Stage 2 counted afresh: the review starts a new investigation, which Stage 2 is.',
    'A Complaints Review Committee hearing becomes Stage 2 with its deadlines kept: the hearing date was agreed with the complainant.',
    'A pending acknowledgement of a stage that has none in the new procedure (Level 1 → Stage 1) is no longer due; one met stays on the record.',
  ],
};
