import type { ProcedureMigration } from '.';
import { dundee2011ToSpsoMchp } from './dundee-swd-2011-to-spso-mchp';

/**
 * The council's 2011 four-stage procedure to the SPSO's social work model procedure of 2017 (issue 15: the move of
 * 1 April 2017 for complaints that a council chooses to bring over). The same two stages as the model procedure,
 * so the same mapping and the same reasons.
 */
export const dundee2011ToSpsoSocialWork2017: ProcedureMigration = {
  from: { id: 'dundee-swd-2011', version: 1 },
  to: { id: 'spso-social-work-2017', version: 1 },
  stages: dundee2011ToSpsoMchp.stages,
  notes: [
    ...dundee2011ToSpsoMchp.notes,
    'The statutory route kept complaints received up to 31 March 2017 under the old procedure (Complaints Review Committees included); a move is a decision made for each complaint, with its reason recorded.',
  ],
};
