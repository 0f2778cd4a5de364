import type { DeadlineMode } from '../complaint-state';
import { procedureKey, type ProcedureRef } from '../procedure';
import { dundee2011ToSpsoMchp } from './dundee-swd-2011-to-spso-mchp';
import { dundee2011ToSpsoSocialWork2017 } from './dundee-swd-2011-to-spso-social-work-2017';
import { dundee2011v2ToSpsoSocialWork2017 } from './dundee-swd-2011-v2-to-spso-social-work-2017';

// How a complaint in flight moves from one procedure version to another (POST /complaints/:ref/procedure, npm run
// migrate): for each stage of the old procedure, the stage it becomes and whether its pending deadlines are kept or
// counted afresh from the migration day. Data, one file per pair; domain/complaint.ts `decide` applies it. Every
// mapping names every stage of its `from` procedure and only stages of its `to` procedure
// (tests/domain/procedure-migration.test.ts checks them against the published procedures).

export interface StageMapping {
  /** The stage of the new procedure the complaint is at afterwards. */
  to: string;
  /** kept: pending deadlines stay as they were; afresh: counted with the new stage's rules from the migration day. */
  deadlines: DeadlineMode;
}

export interface ProcedureMigration {
  from: ProcedureRef;
  to: ProcedureRef;
  stages: Readonly<Record<string, StageMapping>>;
  /** Why each choice was made, so that a reader can challenge it. */
  notes: readonly string[];
}

const published: readonly ProcedureMigration[] = [
  dundee2011ToSpsoMchp,
  dundee2011ToSpsoSocialWork2017,
  dundee2011v2ToSpsoSocialWork2017,
];

export function listProcedureMigrations(): readonly ProcedureMigration[] {
  return published;
}

/** The mapping from one procedure version to another; undefined when there is none. */
export function findProcedureMigration(from: ProcedureRef, to: ProcedureRef): ProcedureMigration | undefined {
  return published.find(
    (migration) =>
      procedureKey(migration.from) === procedureKey(from) && procedureKey(migration.to) === procedureKey(to),
  );
}

/** `id@version` as the API and `npm run migrate` take it. */
export function parseProcedureKey(key: string): ProcedureRef | undefined {
  const match = /^([a-z0-9-]+)@([1-9][0-9]*)$/.exec(key);
  return match ? { id: match[1]!, version: Number(match[2]) } : undefined;
}
