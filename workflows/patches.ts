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

/**
 * update-calendar never moves a deadline that has already passed (domain/complaint.ts recalculateDeadlines); before
 * it a holiday added after a breach un-breached the complaint and sent its reminder and breach notice again. A
 * complaint that handled a calendar change before it keeps the old rule on replay.
 */
export const CALENDAR_KEEPS_PASSED_DEADLINES = 'calendar-keeps-passed-deadlines';

/**
 * migrate-procedure moves a complaint to another procedure version (domain/procedure-migrations); the workflow then
 * follows the procedure its state names. Written where a migration is handled, so other histories replay unchanged.
 */
export const PROCEDURE_MIGRATION = 'procedure-migration';

/**
 * A fired timer means its due time has come: when the clock's timer fires (wf.condition times out) the next decision
 * is made at the later of the task's clock and the time the timer was set for, so the reminder, breach or window end
 * it waited for is recorded (and timed) even if the task's clock reads earlier. Before it, the loop decided by the
 * task's clock alone; on the two-process cluster one replayed task read the clock of the last task before a worker's
 * SIGKILL, recorded nothing and set the whole timer again (docs/TEAM-NOTES.md). Asked each time a timer fires, so
 * histories recorded before it (no marker) replay by the old rule.
 */
export const TIMER_FIRED_MEANS_DUE = 'timer-fired-means-due';

/**
 * update-calendar records how each deadline it moved was worked out (`acknowledgementWorking`/`responseWorking`), so
 * the state's explanation follows the re-timed date. A complaint that handled a calendar change before it replays
 * (and is audited) with the change as it was recorded, unexplained.
 */
export const CALENDAR_EXPLAINS_DEADLINES = 'calendar-explains-deadlines';

/**
 * migrate-procedure counts the deadlines it counts afresh by the target procedure's counting rule (before it: the
 * first published versions' rule, whatever the target), and records how. Written where a migration is handled.
 */
export const MIGRATION_COUNTS_BY_TARGET = 'migration-counts-by-target';

/**
 * Letters for everyone (domain/notices.ts noticeFor `letters`): the complainant hears of every step (acknowledgement
 * at each stage, extension, outcome, withdrawal, referral, change of procedure) whether or not they gave an e-mail
 * address, and a letter to post arms its not-posted reminder (workflows/letter-posting.ts). Asked only where the
 * letters differ from what the workflow sent before, so other histories replay unchanged.
 */
export const LETTERS_FOR_EVERYONE = 'letters-for-everyone';

/**
 * Issue 17, one patch for two changes (each patch costs a marker and, on a namespace with search attributes, the
 * SDK's TemporalChangeVersion upsert: one patch is cheaper than two):
 *  - an action's Update answers its revision and the entries it recorded (messages.ts ActionOutcome), not the whole
 *    state: before it every answer copied the whole timeline into the history, which grew with the square of the
 *    actions (bench/results/history-bytes-2026-12-02.md);
 *  - the first task does not upsert the search-attribute values the complaint was started with (start-options.ts
 *    gives them from the same function, the next deadline included since this change).
 * Written in an indexed complaint's first task, else at its first Update; runs from before it do as they did.
 */
export const COMPACT_HISTORY = 'compact-history';

/**
 * Issue 14: the `erase-personal-data` action (POST /complaints/{ref}/erasure) records `personal-data-erased` (who,
 * when, why) after which the API destroys the complaint's data key. Written where that action is handled: a run
 * without the marker refuses it, as a run from before the action would have.
 */
export const PERSONAL_DATA_ERASURE = 'personal-data-erasure';

/**
 * The daily retention run erases compliments' texts too, once the complaints are done (their own period after
 * receipt: domain/retention.ts complimentRetentionDue). Retention runs recorded before it (no marker) end after the
 * complaints, as they did.
 */
export const COMPLIMENT_RETENTION = 'compliment-retention';
