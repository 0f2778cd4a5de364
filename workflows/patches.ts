// The workflow's patches (`patched(id)`), in a module of plain constants so that the audit, which reads their
// markers in histories, can name them without loading the workflow SDK. Each is retired as the Temporal samples'
// patching-api describes (patched -> deprecatePatch -> removed) once no complaint from before it is open.

/**
 * The register is first written by a local activity, with the ordinary activity as the fallback. Histories
 * recorded before it (tests/histories/archive/) replay as before.
 */
export const REGISTER_AS_LOCAL_ACTIVITY = 'register-as-local-activity';

/**
 * The workflow decides who may assign whom (domain/complaint.ts assignmentRefusal), for Signals too; before it the
 * API alone checked, so a complaint that handled an assign before it keeps the old rule on replay.
 */
export const ASSIGNMENT_BY_ROLE = 'assignment-by-role';
