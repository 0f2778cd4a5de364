// The actions an officer (or another system) can take on a complaint, by name. Kept apart from their schemas
// (domain/actions.ts) so that workflow code can name them without loading zod: see workflows/action-parsing.ts.

export const actionNames = [
  'acknowledge',
  'assign',
  'record-outcome',
  'request-escalation',
  'grant-extension',
  'withdraw',
  'refer-to-ombudsman',
  'add-note',
  'update-calendar',
  'migrate-procedure',
  'erase-personal-data',
] as const;
export type ActionName = (typeof actionNames)[number];
