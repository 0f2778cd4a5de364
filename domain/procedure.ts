import type { CountingRule, Procedure, StageDefinition } from './procedure-schema';

// What code needs of a procedure at run time. The zod schema that checks procedure data lives in
// procedure-schema.ts and runs in tests and tools, not in every workflow: the workflow bundle loads this module
// for each complaint it runs, and building and applying the schema there cost CPU for nothing (bench/README.md).
export type { CountingRule, DayCount, Procedure, ReminderRule, StageDefinition } from './procedure-schema';

/** How the first published versions count (they carry no `counting`): see CountingRuleSchema. */
export const PUBLISHED_2011_COUNTING: CountingRule = { working: 'day-after-receipt', calendar: 'exact-24-hours' };

export function countingRule(procedure: Procedure): CountingRule {
  return procedure.counting ?? PUBLISHED_2011_COUNTING;
}

export interface ProcedureRef {
  id: string;
  version: number;
}

export function procedureKey(ref: ProcedureRef): string {
  return `${ref.id}@${ref.version}`;
}

export function stageDefinition(procedure: Procedure, stageId: string): StageDefinition {
  const stage = procedure.stages.find((candidate) => candidate.id === stageId);
  if (!stage) throw new Error(`Procedure ${procedureKey(procedure)} has no stage "${stageId}"`);
  return stage;
}

/** Where a complaint starts: serious complaints at the procedure's serious start stage. */
export function startStage(procedure: Procedure, serious: boolean): string {
  return serious ? procedure.seriousStartStage : procedure.firstStage;
}

/** Stages in ladder order, for "the highest stage reached". */
export function stageRank(procedure: Procedure, stageId: string): number {
  return procedure.stages.findIndex((stage) => stage.id === stageId);
}
