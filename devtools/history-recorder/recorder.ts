import type { Client, WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { History, WorkflowBundleOption } from '@temporalio/worker';
import { fetchComplaintHistories } from '../../audit/histories';
import { historyToJson } from '../../audit/history-json';
import type { ActionBody, ActionName } from '../../domain/actions';
import type { ComplaintState } from '../../domain/complaint';
import type { ComplaintDetails } from '../../domain/intake';
import type { Notice } from '../../domain/notices';
import { getProcedure } from '../../domain/procedures';
import { EMPTY_COUNCIL_CALENDAR } from '../../domain/council-calendar';
import { councilHolidayCalendar } from '../../domain/scottish-holidays';
import type { Actor } from '../../domain/vocabulary';
import { personalActionFields, personalDetailFields, sealingKeyFor } from '../../domain/personal-fields';
import type { PayloadKeyRing } from '../../platform/payload-keys';
import type { PersonalData } from '../../platform/personal-data';
import { actors, complaintDetails, DAY_MS, HOUR_MS } from '../../tests/support/complaint-harness';
import { RecordingActivities } from '../../tests/support/recording-activities';
import { createComplaintsWorker } from '../../worker/create-worker';
import type { complaintWorkflow, ComplaintWorkflowInput } from '../../workflows/complaint';
import { actionSignals, actionUpdates, complaintStateQuery } from '../../workflows/messages';
import { COMPLAINT_WORKFLOW_TYPE, complaintStartOptions } from '../../workflows/start-options';

// Real complaints through the real worker (createComplaintsWorker, real workflow bundle) with in-memory activities,
// each on a fresh Temporal server, for the recorded histories in tests/histories/ that CI replays. Used by
// main.ts (`npm run record-histories`; and the audit tests, to run one complaint live). Every path the workflow can take
// should be covered by some scenario here: a path nobody records is a path a change can break unnoticed.

export type ComplaintHandle = WorkflowHandle<typeof complaintWorkflow>;

/**
 * Production's protection of personal data (issue 14): the payload key ring of the worker (the env's client must
 * have been made with the same: `startTimeSkippingServer({ dataConverter: complaintDataConverter(keys) })`), and the complaints' data
 * keys, which seal the personal fields of the input and of each action as the API does (api/complaint-service.ts
 * `sealed`, `sealedAction`).
 */
export interface RecordingEncryption {
  payloadKeys: PayloadKeyRing;
  personalData: PersonalData;
}

/** What a scenario drives complaints with. Time moves only through `sleep` (and waiting for a result). */
export class ScenarioContext {
  constructor(
    readonly env: TestWorkflowEnvironment,
    readonly taskQueue: string,
    readonly recorded: RecordingActivities,
    private readonly indexed: boolean,
    private readonly encryption?: RecordingEncryption,
  ) {}

  get client(): Client {
    return this.env.client;
  }

  /** The action's input with its free text sealed under the complaint's data key, as the API sends it. */
  private async sealedAction<T>(ref: string, action: ActionName, input: T): Promise<T> {
    if (!this.encryption || !input || typeof input !== 'object') return input;
    const fields = personalActionFields[action].map((field) => [field]);
    return (await this.encryption.personalData.sealFields(sealingKeyFor(ref, action), input, fields)) as T;
  }

  now(): Promise<number> {
    return this.env.currentTimeMs();
  }

  sleep(ms: number): Promise<void> {
    return this.env.sleep(ms);
  }

  async start(
    ref: string,
    options: {
      procedure?: string;
      /** The procedure's version (default 1). */
      version?: number;
      details?: Partial<ComplaintDetails>;
      receivedAgoMs?: number;
      continueAsNewAfterEvents?: number;
    } = {},
  ): Promise<ComplaintHandle> {
    const now = await this.now();
    const procedure = getProcedure({ id: options.procedure ?? 'dundee-swd-2011', version: options.version ?? 1 });
    const plainDetails = complaintDetails(options.details);
    const details = this.encryption
      ? await this.encryption.personalData.sealFields(ref, plainDetails, personalDetailFields)
      : plainDetails;
    // As the API gives it: the Scottish holidays around the year, with their names (no council days).
    const calendar = councilHolidayCalendar(new Date(now).getUTCFullYear(), EMPTY_COUNCIL_CALENDAR);
    const input: ComplaintWorkflowInput = {
      ref,
      procedure: { id: procedure.id, version: procedure.version },
      details,
      receivedAt: new Date(now - (options.receivedAgoMs ?? 0)).toISOString(),
      holidays: calendar.holidays,
      ...(procedure.counting ? { holidayNames: calendar.names } : {}),
      actor: actors.intake,
      ...(options.continueAsNewAfterEvents !== undefined
        ? { continueAsNewAfterEvents: options.continueAsNewAfterEvents }
        : {}),
    };
    return this.client.workflow.start(
      COMPLAINT_WORKFLOW_TYPE,
      complaintStartOptions(input, { taskQueue: this.taskQueue, indexed: this.indexed }),
    );
  }

  /** `ms` later (server time), an action as the API sends it. */
  async after<A extends ActionName>(
    ms: number,
    handle: ComplaintHandle,
    action: A,
    body: ActionBody<A>,
    actor: Actor,
  ): Promise<ComplaintState> {
    await this.sleep(ms);
    return this.update(handle, action, body, actor);
  }

  /** An action as the API sends it: an Update carrying the body and the actor. */
  async update<A extends ActionName>(
    handle: ComplaintHandle,
    action: A,
    body: ActionBody<A>,
    actor: Actor,
  ): Promise<ComplaintState> {
    const input = await this.sealedAction(handle.workflowId, action, { ...body, actor });
    return (await handle.executeUpdate(actionUpdates[action] as never, {
      args: [input] as never,
    })) as ComplaintState;
  }

  /** An Update the workflow must refuse (it leaves no trace in the history); returns the refusal's message. */
  async refusedUpdate<A extends ActionName>(
    handle: ComplaintHandle,
    action: A,
    body: ActionBody<A>,
    actor: Actor,
  ): Promise<string> {
    try {
      await this.update(handle, action, body, actor);
    } catch (err) {
      return ((err as { cause?: Error }).cause ?? (err as Error)).message;
    }
    throw new Error(`${action} was expected to be refused`);
  }

  /** An action as another system sends it: a Signal; an invalid one is recorded as rejected. */
  async signal(handle: ComplaintHandle, action: ActionName, payload: unknown): Promise<void> {
    const input = await this.sealedAction(handle.workflowId, action, payload);
    await handle.signal(actionSignals[action] as never, input as never);
  }

  query(handle: ComplaintHandle): Promise<ComplaintState> {
    return handle.query(complaintStateQuery);
  }
}

export interface Scenario {
  /** File name in tests/histories/ (without .json) and, upper-cased, the complaint's reference. */
  name: string;
  title: string;
  /** The paths it takes, for the manifest (what the recorded set covers). */
  covers: string[];
  /** `dev`: the Temporal CLI dev server with the search attributes registered (real clock: no long timers). */
  server: 'time-skipping' | 'dev';
  /** Drives the complaint; `complete` says whether the workflow is expected to finish (else it stays in flight). */
  run(ctx: ScenarioContext, ref: string): Promise<{ handle: ComplaintHandle; complete: boolean }>;
}

export interface RecordedRun {
  runId: string;
  history: History;
  /** `temporal workflow show --output json` text where the CLI exported it, else historyToJson (same format). */
  historyJson: string;
}

export interface ScenarioRecording {
  scenario: Scenario;
  ref: string;
  /** Every run of the complaint, oldest first (more than one when it continued as new). */
  runs: RecordedRun[];
  exportedWith: 'sdk' | 'temporal-cli';
  /** The workflow's own answer to complaintStateQuery when the history was taken. */
  queryAnswer: ComplaintState;
  notices: Notice[];
}

export interface RecordOptions {
  env: TestWorkflowEnvironment;
  workflowBundle: WorkflowBundleOption;
  indexed: boolean;
  /** Exports the history with the Temporal CLI instead of the SDK (dev server). */
  exportWithCli?: (ref: string, runId: string) => Promise<string>;
  /** As production runs (`npm run record-histories` always): payloads encrypted, personal fields sealed. */
  encryption?: RecordingEncryption;
}

/** Runs one scenario on the given server with a real complaints worker, then takes its history and query answer. */
export async function recordScenario(scenario: Scenario, options: RecordOptions): Promise<ScenarioRecording> {
  const ref = scenario.name.toUpperCase();
  if (options.encryption && !options.env.client.options.loadedDataConverter.payloadCodecs.length)
    throw new Error(`${scenario.name}: encrypted recording, but the server's client has no payload codec`);
  const recorded = new RecordingActivities();
  const taskQueue = `record-${scenario.name}`;
  const worker = await createComplaintsWorker({
    connection: options.env.nativeConnection,
    namespace: options.env.namespace ?? 'default',
    taskQueue,
    activities: recorded.activities,
    workflowBundle: options.workflowBundle,
    ...(options.encryption ? { payloadKeys: options.encryption.payloadKeys } : {}),
  });
  const ctx = new ScenarioContext(options.env, taskQueue, recorded, options.indexed, options.encryption);
  return worker.runUntil(async () => {
    const { handle, complete } = await scenario.run(ctx, ref);
    if (complete) await handle.result();
    const { queryAnswer } = await settledHistory(ctx, handle);
    const runs: RecordedRun[] = [];
    for await (const run of fetchComplaintHistories(ctx.client, { refs: [ref] })) {
      const historyJson = options.exportWithCli
        ? await options.exportWithCli(ref, run.runId)
        : historyToJson(run.history);
      runs.push({ runId: run.runId, history: run.history, historyJson });
    }
    return {
      scenario,
      ref,
      runs,
      exportedWith: options.exportWithCli ? 'temporal-cli' : 'sdk',
      queryAnswer,
      notices: recorded.noticesFor(ref),
    };
  });
}

/** The history once nothing is pending (no activity, no workflow task), with the query answer at that point. */
async function settledHistory(
  ctx: ScenarioContext,
  handle: ComplaintHandle,
): Promise<{ history: History; queryAnswer: ComplaintState }> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const before = await handle.fetchHistory();
    const description = await handle.describe();
    const queryAnswer = await ctx.query(handle);
    const after = await handle.fetchHistory();
    const pending = (description.raw.pendingActivities?.length ?? 0) > 0 || description.raw.pendingWorkflowTask != null;
    if (!pending && before.events?.length === after.events?.length) return { history: after, queryAnswer };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${handle.workflowId} did not settle`);
}

// ------------------------------------------------------------------------------------------------ scenarios

const { intake, officer, investigator, manager, director, committeeClerk, partnerSystem } = actors;

export const scenarios: Scenario[] = [
  {
    name: 'dundee-full-ladder',
    title:
      'Dundee procedure, all four stages then the Ombudsman: late acknowledgement, reminders, an extension, every escalation step',
    covers: [
      'procedure dundee-swd-2011',
      'acknowledgement reminder fired',
      'acknowledgement breach fired',
      'late acknowledgement',
      'case officer assigned',
      'note added',
      'refused update (no trace)',
      'response reminder fired',
      'outcome not-upheld',
      'escalation level-1 -> level-2',
      'extension agreed with complainant',
      'outcome partially-upheld',
      'escalation level-2 -> director-review',
      'escalation director-review -> committee',
      'outcome upheld',
      'referral to SPSO',
      'closed: referred-to-ombudsman',
    ],
    server: 'time-skipping',
    async run(ctx, ref) {
      const handle = await ctx.start(ref);
      // Level 1: acknowledgement due in 5 days; its reminder (24 h before) and breach fire first.
      await ctx.after(
        5 * DAY_MS + HOUR_MS,
        handle,
        'acknowledge',
        { note: 'Acknowledged by phone; letter follows' },
        officer,
      );
      await ctx.update(
        handle,
        'assign',
        { officer: { id: officer.id, name: officer.name, email: 'sam.jones@council.example' } },
        manager,
      );
      await ctx.refusedUpdate(handle, 'request-escalation', {}, officer);
      await ctx.update(handle, 'add-note', { text: 'Spoke to the care provider about the missed visits' }, officer);
      // Response due 14 days after receipt; its reminder fires 72 h before.
      await ctx.after(
        7 * DAY_MS,
        handle,
        'record-outcome',
        { outcome: 'not-upheld', findings: 'Visits were rescheduled with notice' },
        officer,
      );
      await ctx.after(3 * DAY_MS, handle, 'request-escalation', {}, officer);
      // Level 2.
      await ctx.after(DAY_MS, handle, 'acknowledge', {}, investigator);
      await ctx.update(handle, 'assign', { officer: { id: investigator.id, name: investigator.name } }, manager);
      await ctx.after(
        10 * DAY_MS,
        handle,
        'grant-extension',
        { days: 14, reason: 'Care provider records requested from a third party', agreedWithComplainant: true },
        investigator,
      );
      await ctx.after(
        28 * DAY_MS,
        handle,
        'record-outcome',
        {
          outcome: 'partially-upheld',
          findings: 'Two visits were missed without notice',
          actionsTaken: 'Provider retrained',
        },
        investigator,
      );
      await ctx.after(DAY_MS, handle, 'request-escalation', { to: 'director-review' }, officer);
      // Review by the Director.
      await ctx.after(2 * DAY_MS, handle, 'acknowledge', {}, director);
      await ctx.after(
        18 * DAY_MS,
        handle,
        'record-outcome',
        { outcome: 'not-upheld', findings: 'The Level 2 findings stand' },
        director,
      );
      await ctx.after(5 * DAY_MS, handle, 'request-escalation', {}, officer);
      // Complaints Review Committee: acknowledged late (reminder and breach fire).
      await ctx.after(6 * DAY_MS, handle, 'acknowledge', {}, committeeClerk);
      await ctx.after(
        34 * DAY_MS,
        handle,
        'record-outcome',
        {
          outcome: 'upheld',
          findings: 'The council did not monitor the provider',
          actionsTaken: 'Monitoring visits every month',
        },
        committeeClerk,
      );
      await ctx.after(30 * DAY_MS, handle, 'refer-to-ombudsman', { reference: 'SPSO-202612345' }, officer);
      return { handle, complete: true };
    },
  },
  {
    name: 'dundee-serious-bypass',
    title: 'Dundee procedure, serious complaint: starts at Level 2, bypasses the Director review, referral window ends',
    covers: [
      'procedure dundee-swd-2011',
      'serious complaint starts at level-2',
      'outcome not-upheld',
      'bypass director-review (level-2 -> committee)',
      'outcome partially-upheld',
      'closed: referral-window-ended',
    ],
    server: 'time-skipping',
    async run(ctx, ref) {
      const handle = await ctx.start(ref, {
        details: {
          serious: true,
          serviceArea: 'childrens-services',
          category: 'decision',
          summary: 'Contact arrangements were changed without consultation',
        },
      });
      await ctx.after(2 * DAY_MS, handle, 'acknowledge', {}, investigator);
      await ctx.after(20 * DAY_MS, handle, 'record-outcome', { outcome: 'not-upheld' }, investigator);
      await ctx.after(10 * DAY_MS, handle, 'request-escalation', { bypass: true }, officer);
      await ctx.after(3 * DAY_MS, handle, 'acknowledge', {}, committeeClerk);
      await ctx.after(
        40 * DAY_MS,
        handle,
        'record-outcome',
        { outcome: 'partially-upheld', findings: 'Consultation was too short' },
        committeeClerk,
      );
      // Nobody refers it: the 365-day referral window ends and the complaint closes.
      return { handle, complete: true };
    },
  },
  {
    name: 'dundee-withdrawn',
    title: 'Dundee procedure: acknowledged, assigned, then withdrawn by the complainant',
    covers: ['procedure dundee-swd-2011', 'acknowledgement on time', 'case officer assigned', 'withdrawal'],
    server: 'time-skipping',
    async run(ctx, ref) {
      const handle = await ctx.start(ref, { details: { channel: 'email', category: 'staff-attitude' } });
      await ctx.after(DAY_MS, handle, 'acknowledge', {}, officer);
      await ctx.update(handle, 'assign', { officer: { id: officer.id, name: officer.name } }, manager);
      await ctx.after(3 * DAY_MS, handle, 'withdraw', { reason: 'Resolved informally with the team leader' }, officer);
      return { handle, complete: true };
    },
  },
  {
    name: 'dundee-in-flight-overdue',
    title: 'Dundee procedure: nobody acts; every reminder and breach notice fires; still open (in flight)',
    covers: [
      'procedure dundee-swd-2011',
      'acknowledgement reminder fired',
      'acknowledgement breach fired',
      'response reminder fired',
      'response breach fired',
      'in flight (open, timer pending)',
    ],
    server: 'time-skipping',
    async run(ctx, ref) {
      const handle = await ctx.start(ref, { details: { complainant: { name: 'Robin Doe' }, channel: 'phone' } });
      await ctx.sleep(15 * DAY_MS);
      return { handle, complete: false };
    },
  },
  {
    name: 'reminder-after-note',
    title:
      'Dundee procedure: a note straight after intake, then the acknowledgement reminder and breach fire (patch timer-fired-means-due)',
    covers: [
      'procedure dundee-swd-2011',
      'note added',
      'acknowledgement reminder fired',
      'acknowledgement breach fired',
      'patch timer-fired-means-due',
      'in flight (open, timer pending)',
    ],
    server: 'time-skipping',
    async run(ctx, ref) {
      // As the cluster run's complaint that lost its reminder: a note within seconds of intake re-arms the timer.
      const handle = await ctx.start(ref, { details: { complainant: { name: 'Alex Reid' }, channel: 'email' } });
      await ctx.after(
        1_000,
        handle,
        'add-note',
        { text: 'Complainant phoned to add the dates of the visits' },
        officer,
      );
      await ctx.sleep(6 * DAY_MS);
      return { handle, complete: false };
    },
  },
  {
    name: 'signals-rejected-and-accepted',
    title:
      'Actions as Signals from another system: refused ones recorded as rejected, accepted ones applied, then withdrawn',
    covers: [
      'signal rejected: not-acknowledged',
      'signal rejected: invalid-message (no actor)',
      'signal accepted: acknowledge',
      'signal accepted: add-note',
      'withdrawal by signal',
    ],
    server: 'time-skipping',
    async run(ctx, ref) {
      const handle = await ctx.start(ref, { details: { serviceArea: 'criminal-justice', category: 'communication' } });
      await ctx.sleep(HOUR_MS);
      await ctx.signal(handle, 'record-outcome', { outcome: 'upheld', actor: partnerSystem });
      await ctx.sleep(HOUR_MS);
      await ctx.signal(handle, 'acknowledge', { note: 'no actor given' });
      await ctx.sleep(HOUR_MS);
      await ctx.signal(handle, 'acknowledge', { actor: partnerSystem });
      await ctx.sleep(HOUR_MS);
      await ctx.signal(handle, 'add-note', { text: 'Imported from CareFirst case 8812', actor: partnerSystem });
      await ctx.sleep(HOUR_MS);
      await ctx.signal(handle, 'withdraw', { reason: 'Duplicate of another complaint', actor: partnerSystem });
      return { handle, complete: true };
    },
  },
  {
    name: 'spso-stage1-resolved',
    title:
      'SPSO model procedure, Stage 1 (working days): holiday calendar updated, manager extension, resolved, escalation window ends',
    covers: [
      'procedure spso-mchp',
      'stage without acknowledgement step',
      'calendar updated (deadline recalculated)',
      'extension by manager (no agreement needed)',
      'outcome resolved',
      'closed: escalation-window-ended',
    ],
    server: 'time-skipping',
    async run(ctx, ref) {
      const handle = await ctx.start(ref, {
        procedure: 'spso-mchp',
        details: { channel: 'web-form', category: 'delay' },
      });
      const state = await ctx.query(handle);
      const extraHoliday = new Date(Date.parse(state.receivedAt) + 2 * DAY_MS).toISOString().slice(0, 10);
      await ctx.update(handle, 'update-calendar', { holidays: [...state.holidays, extraHoliday] }, manager);
      await ctx.after(
        2 * DAY_MS,
        handle,
        'grant-extension',
        { days: 3, reason: 'Waiting for the care provider to reply', agreedWithComplainant: false },
        manager,
      );
      await ctx.after(
        3 * DAY_MS,
        handle,
        'record-outcome',
        { outcome: 'resolved', actionsTaken: 'Missed visits rearranged and apology given' },
        officer,
      );
      // Nobody asks for Stage 2: the 60-day escalation window ends and the complaint closes.
      return { handle, complete: true };
    },
  },
  {
    name: 'spso-stage2-referral',
    title:
      'SPSO model procedure: Stage 1 then Stage 2 with a new agreed deadline, outcome letter undeliverable, referred to the SPSO',
    covers: [
      'procedure spso-mchp',
      'outcome not-upheld',
      'escalation stage-1 -> stage-2',
      'acknowledgement on time',
      'extension to a new deadline (agreed)',
      'outcome upheld',
      'notice failed (notification-failed recorded)',
      'referral to SPSO',
      'closed: referred-to-ombudsman',
    ],
    server: 'time-skipping',
    async run(ctx, ref) {
      const handle = await ctx.start(ref, { procedure: 'spso-mchp', details: { category: 'decision' } });
      await ctx.after(DAY_MS, handle, 'record-outcome', { outcome: 'not-upheld' }, officer);
      await ctx.after(5 * DAY_MS, handle, 'request-escalation', {}, officer);
      await ctx.after(HOUR_MS, handle, 'acknowledge', {}, investigator);
      const stage2 = (await ctx.query(handle)).stages[1];
      const newDeadline = new Date(Date.parse(stage2?.response.dueAt ?? '') + 10 * DAY_MS).toISOString();
      await ctx.after(
        5 * DAY_MS,
        handle,
        'grant-extension',
        { newDeadline, reason: 'Independent social worker report awaited', agreedWithComplainant: true },
        investigator,
      );
      await ctx.sleep(20 * DAY_MS);
      ctx.recorded.undeliverable.add('outcome-letter');
      await ctx.update(
        handle,
        'record-outcome',
        { outcome: 'upheld', findings: 'The assessment was not followed' },
        investigator,
      );
      await ctx.after(HOUR_MS, handle, 'refer-to-ombudsman', {}, intake);
      return { handle, complete: true };
    },
  },
  {
    name: 'procedure-migration',
    title:
      'Dundee procedure, moved in flight to the SPSO social work procedure (2017): Stage 1 counted afresh, the complainant told, a holiday added after the breach moves nothing',
    covers: [
      'procedure dundee-swd-2011',
      'procedure spso-social-work-2017',
      'procedure migrated (level-1 -> stage-1, deadlines afresh)',
      'procedure-changed notice',
      'response reminder fired',
      'response breach fired',
      'calendar updated by add (passed deadline kept)',
      'outcome resolved',
      'closed: escalation-window-ended',
    ],
    server: 'time-skipping',
    async run(ctx, ref) {
      const handle = await ctx.start(ref, { details: { category: 'delay' } });
      await ctx.after(HOUR_MS, handle, 'acknowledge', {}, officer);
      await ctx.after(
        DAY_MS,
        handle,
        'migrate-procedure',
        { to: 'spso-social-work-2017@1', reason: 'Brought under the SPSO social work procedure' },
        manager,
      );
      // Nobody answers within the 5 working days: the reminder and the breach fire under the new procedure.
      await ctx.sleep(10 * DAY_MS);
      const state = await ctx.query(handle);
      const dayAfterMove = new Date(Date.parse(state.stages[0]!.startedAt) + 2 * DAY_MS).toISOString().slice(0, 10);
      await ctx.update(handle, 'update-calendar', { add: [dayAfterMove] }, manager);
      await ctx.after(
        DAY_MS,
        handle,
        'record-outcome',
        { outcome: 'resolved', actionsTaken: 'Assessment booked' },
        officer,
      );
      // Nobody asks for Stage 2: the escalation window ends and the complaint closes.
      return { handle, complete: true };
    },
  },
  {
    name: 'dundee-2011-v2-london-days',
    title:
      'Dundee procedure, version 2 (London days, day of receipt = day 0): 09:00 acknowledgement reminder, breach at ' +
      'the end of the London day, late acknowledgement, extension by London days (explained), outcome, window ends',
    covers: [
      'procedure dundee-swd-2011@2 (calendar days: end of the Nth London day; deadlines explained)',
      'acknowledgement reminder at 09:00 London the working day before, breach at 23:59:59',
      'late acknowledgement',
      'extension by calendar days (agreed, explained)',
      'outcome not-upheld',
      'closed: escalation-window-ended',
    ],
    server: 'time-skipping',
    async run(ctx, ref) {
      const handle = await ctx.start(ref, { version: 2, details: { category: 'communication' } });
      await ctx.sleep(6 * DAY_MS);
      await ctx.update(handle, 'acknowledge', {}, officer);
      await ctx.after(
        DAY_MS,
        handle,
        'grant-extension',
        { days: 7, reason: 'Waiting for the care provider', agreedWithComplainant: true },
        manager,
      );
      await ctx.after(10 * DAY_MS, handle, 'record-outcome', { outcome: 'not-upheld' }, officer);
      return { handle, complete: true };
    },
  },
  {
    name: 'spso-2020-frontline-to-stage2',
    title:
      'SPSO model procedure 2020: Stage 1 sent to Stage 2 before an outcome, deadlines explained, extension by days, ' +
      '09:00 reminder and breach, late outcome, referral window ends',
    covers: [
      'procedure spso-mchp-2020 (counting rule: receipt day is day 1; deadlines explained)',
      'escalation stage-1 -> stage-2 without a Stage 1 outcome',
      'acknowledgement on time',
      'extension by working days (agreed, explained)',
      'response reminder at 09:00 London the working day before, breach at 23:59:59',
      'outcome upheld (late)',
      'closed: referral-window-ended',
    ],
    server: 'time-skipping',
    async run(ctx, ref) {
      const handle = await ctx.start(ref, { procedure: 'spso-mchp-2020', details: { category: 'delay' } });
      await ctx.after(DAY_MS, handle, 'request-escalation', {}, officer);
      await ctx.after(HOUR_MS, handle, 'acknowledge', {}, investigator);
      await ctx.after(
        2 * DAY_MS,
        handle,
        'grant-extension',
        { days: 5, reason: 'The care provider’s records are awaited', agreedWithComplainant: true },
        investigator,
      );
      await ctx.sleep(45 * DAY_MS);
      await ctx.update(handle, 'record-outcome', { outcome: 'upheld', findings: 'Visits were missed' }, investigator);
      await ctx.sleep(366 * DAY_MS);
      return { handle, complete: true };
    },
  },
  {
    name: 'continued-as-new',
    title:
      'A long-running complaint whose history passes the limit: it continues as new, carrying its state into a second run',
    covers: [
      'continue-as-new (two runs)',
      'state carried across runs',
      'notes added',
      'acknowledgement on time',
      'outcome upheld',
      'closed: escalation-window-ended',
    ],
    server: 'time-skipping',
    async run(ctx, ref) {
      const handle = await ctx.start(ref, { continueAsNewAfterEvents: 60 });
      await ctx.update(handle, 'acknowledge', {}, officer);
      for (let note = 1; note <= 6; note++) {
        await ctx.after(DAY_MS, handle, 'add-note', { text: `Progress note ${note}` }, officer);
      }
      const continued = ctx.client.workflow.getHandle(ref) as ComplaintHandle;
      await ctx.update(continued, 'record-outcome', { outcome: 'upheld' }, officer);
      return { handle: continued, complete: true };
    },
  },
  {
    name: 'dev-server-indexed',
    title:
      'On the dev server with the search attributes registered (upserted on every change), exported with `temporal workflow show --output json`',
    covers: [
      'search attributes upserted',
      'exported by the Temporal CLI',
      'acknowledgement on time',
      'case officer assigned twice (reassigned)',
      'outcome upheld at level-1',
      'withdrawal while awaiting escalation',
    ],
    server: 'dev',
    async run(ctx, ref) {
      const handle = await ctx.start(ref);
      await ctx.update(handle, 'acknowledge', {}, officer);
      await ctx.update(handle, 'assign', { officer: { id: officer.id, name: officer.name } }, manager);
      await ctx.update(handle, 'assign', { officer: { id: investigator.id, name: investigator.name } }, manager);
      await ctx.update(handle, 'record-outcome', { outcome: 'upheld' }, investigator);
      await ctx.update(handle, 'withdraw', {}, officer);
      return { handle, complete: true };
    },
  },
  {
    name: 'compact-history',
    title:
      'Issue 17 on the dev server (search attributes registered): every Update answers its revision and the entries it recorded, not the whole state (patch compact-history), and the first task upserts no search attribute the complaint was started with (same patch)',
    covers: [
      'Update answers compact',
      'no search-attribute upsert at start',
      'acknowledgement on time',
      'case officer assigned',
      'note',
      'outcome not-upheld at level-1',
      'withdrawal while awaiting escalation',
    ],
    server: 'dev',
    async run(ctx, ref) {
      const handle = await ctx.start(ref);
      await ctx.update(handle, 'acknowledge', {}, officer);
      await ctx.update(handle, 'assign', { officer: { id: officer.id, name: officer.name } }, manager);
      await ctx.update(handle, 'add-note', { text: 'Phoned the complainant' }, officer);
      await ctx.update(handle, 'record-outcome', { outcome: 'not-upheld' }, officer);
      await ctx.update(handle, 'withdraw', {}, officer);
      return { handle, complete: true };
    },
  },
  {
    name: 'personal-data-erasure',
    title:
      "Issue 14: a manager erases an open complaint's personal data (patch personal-data-erasure: personal-data-erased recorded), then it carries on to its outcome",
    covers: [
      'procedure dundee-swd-2011',
      'acknowledgement on time',
      'personal data erased',
      'outcome not-upheld at level-1',
      'escalation window ends',
    ],
    server: 'time-skipping',
    async run(ctx, ref) {
      const handle = await ctx.start(ref);
      await ctx.after(DAY_MS, handle, 'acknowledge', {}, officer);
      await ctx.after(DAY_MS, handle, 'erase-personal-data', { reason: 'Request under UK GDPR article 17' }, manager);
      await ctx.after(DAY_MS, handle, 'record-outcome', { outcome: 'not-upheld' }, officer);
      await ctx.sleep(40 * DAY_MS);
      return { handle, complete: true };
    },
  },
];
