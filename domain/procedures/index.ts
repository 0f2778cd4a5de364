import { procedureKey, type Procedure, type ProcedureRef } from '../procedure';
import { dundeeSocialWork2011 } from './dundee-swd-2011';
import { dundeeSocialWork2011v2 } from './dundee-swd-2011-v2';
import { spsoModelProcedure } from './spso-mchp';
import { spsoModelProcedureV2 } from './spso-mchp-v2';
import { spsoModelProcedure2020 } from './spso-mchp-2020';
import { spsoSocialWork2017 } from './spso-social-work-2017';

// Every version ever published stays here: complaints in flight keep the version they started under.
// Each is checked against ProcedureSchema by tests/domain/procedures.test.ts (not at load: see ../procedure.ts).
const published: readonly Procedure[] = [
  dundeeSocialWork2011,
  spsoModelProcedure,
  spsoSocialWork2017,
  spsoModelProcedure2020,
  dundeeSocialWork2011v2,
  spsoModelProcedureV2,
];

export const DEFAULT_PROCEDURE_ID = 'dundee-swd-2011';

export function listProcedures(): readonly Procedure[] {
  return published;
}

/** The given version, or the latest version of the id when no version is given; undefined when unknown. */
export function findProcedure(id: string, version?: number): Procedure | undefined {
  const versions = published.filter((procedure) => procedure.id === id);
  if (version !== undefined) return versions.find((procedure) => procedure.version === version);
  return versions.reduce<Procedure | undefined>(
    (latest, procedure) => (!latest || procedure.version > latest.version ? procedure : latest),
    undefined,
  );
}

export function getProcedure(ref: ProcedureRef): Procedure {
  const procedure = findProcedure(ref.id, ref.version);
  if (!procedure) throw new Error(`Unknown procedure ${procedureKey(ref)}`);
  return procedure;
}
