import type { ProcedureMigration } from '.';
import { dundee2011ToSpsoSocialWork2017 } from './dundee-swd-2011-to-spso-social-work-2017';

/**
 * The council's 2011 procedure, version 2 (the same four stages as version 1, counted in London days), to the SPSO's
 * social work model procedure of 2017: the same mapping and reasons as from version 1.
 */
export const dundee2011v2ToSpsoSocialWork2017: ProcedureMigration = {
  ...dundee2011ToSpsoSocialWork2017,
  from: { id: 'dundee-swd-2011', version: 2 },
};
