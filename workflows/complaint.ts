import * as wf from '@temporalio/workflow';
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import { NON_RETRYABLE_NOTICE_FAILURE, type ComplaintActivities, type ComplaintSnapshot } from '../activities/contract';
import { actionNames, type ActionName } from '../domain/action-names';
import {
  SYSTEM_ACTOR,
  applyEvent,
  decide,
  initialState,
  isOverdue,
  isTerminal,
  nextDeadline,
  nextScheduledEvent,
  receiveComplaint,
  type ComplaintEvent,
  type ComplaintState,
  type Decision,
  type TimelineEntry,
} from '../domain/complaint';
import type { ComplaintOpening } from '../domain/intake';
import { noticeFor, type Notice } from '../domain/notices';
import { procedureKey } from '../domain/procedure';
import { getProcedure } from '../domain/procedures';
import type { Actor } from '../domain/vocabulary';
import { actionParsing } from './action-parsing';
import { ACTION_REJECTED, INVALID_ACTION, actionSignals, actionUpdates, complaintStateQuery } from './messages';
import {
  complaintCaseOfficerKey,
  complaintCategoryKey,
  complaintNextDeadlineKey,
  complaintOverdueKey,
  complaintProcedureKey,
  complaintReceivedAtKey,
  complaintServiceAreaKey,
  complaintStageKey,
  complaintStatusKey,
} from './search-attributes';

// One execution per complaint, id = the complaint's reference. The workflow only waits, times and
// records: every rule is a pure function in domain/complaint.ts.

export interface ComplaintWorkflowInput extends ComplaintOpening {
  /** History length beyond which the complaint continues as new (default 5,000; the server also suggests it). */
  continueAsNewAfterEvents?: number;
  /** Present when the workflow continued as new: the complaint so far. */
  resume?: { state: ComplaintState; registeredThroughSeq: number };
}

// Notices must never hold up the complaint: they retry for a day with backoff, then the failure is recorded.
const notifications = wf.proxyActivities<ComplaintActivities>({
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: '1 day',
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 2,
    maximumInterval: '30 minutes',
    nonRetryableErrorTypes: [NON_RETRYABLE_NOTICE_FAILURE],
  },
});

// The register is the system of record: it retries until the store is back, however long that takes.
const registerRetry = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' } as const;
const register = wf.proxyActivities<ComplaintActivities>({ startToCloseTimeout: '1 minute', retry: registerRetry });

// Since this patch the register is first tried as a local activity: the worker writes it while it completes the
// workflow task that produced the entries, instead of the server scheduling an activity task and then a second
// workflow task for its result (about 30 % less server CPU to take a complaint on: bench/README.md), and an
// action's answer goes out once the register has it. If the register has not taken the batch within 5 seconds (two tries),
// the batch goes as the ordinary activity above, which retries in the background until it does: an action is never
// held up for longer than that, well inside the API's 10-second deadline and the workflow task's timeout. Histories recorded before the patch (tests/histories/archive/) replay as before.
export const REGISTER_AS_LOCAL_ACTIVITY = 'register-as-local-activity';
const registerLocally = wf.proxyLocalActivities<ComplaintActivities>({
  startToCloseTimeout: '3 seconds',
  scheduleToCloseTimeout: '5 seconds',
  retry: { initialInterval: '500 milliseconds', maximumAttempts: 2 },
});

/** Beyond this many history events the complaint carries its state into a fresh run. */
const DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS = 5_000;

export async function complaintWorkflow(input: ComplaintWorkflowInput): Promise<ComplaintState> {
  const procedure = getProcedure(input.procedure);
  const state: ComplaintState =
    input.resume?.state ??
    initialState(
      entryFor(
        receiveComplaint({
          ref: input.ref,
          procedure,
          details: input.details,
          receivedAtMs: Date.parse(input.receivedAt),
          holidays: input.holidays,
        }),
        1,
        input.actor,
      ),
    );
  let registeredThroughSeq = input.resume?.registeredThroughSeq ?? 0;
  let registerBusy = false;
  let revision = 0;
  let lastSearchAttributes = '';
  // The starter sets the search attributes when the namespace has them (see start-options.ts).
  const indexed = wf.workflowInfo().typedSearchAttributes.get(complaintStatusKey) !== undefined;
  const backgroundWork = new Set<Promise<void>>();
  const historyLimit = input.continueAsNewAfterEvents ?? DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS;
  const continueAsNewDue = () => {
    const info = wf.workflowInfo();
    return info.continueAsNewSuggested || info.historyLength > historyLimit;
  };

  function entryFor(event: ComplaintEvent, seq: number, actor: Actor): TimelineEntry {
    return { ...event, seq, at: new Date(Date.now()).toISOString(), actor };
  }

  function record(events: readonly ComplaintEvent[], actor: Actor): void {
    for (const event of events) {
      const entry = entryFor(event, state.timeline.length + 1, actor);
      applyEvent(state, entry);
      const notice = noticeFor(entry, state, procedure);
      if (notice) send(notice);
    }
    revision++;
    afterChange();
  }

  function afterChange(): void {
    updateSearchAttributes();
    writeToRegister();
  }

  function inBackground(work: Promise<void>): void {
    const tracked = work.finally(() => backgroundWork.delete(tracked));
    backgroundWork.add(tracked);
  }

  function send(notice: Notice): void {
    inBackground(
      notifications.sendNotice(notice).then(
        () => undefined,
        (error: unknown) =>
          record([{ type: 'notification-failed', notice: notice.id, reason: failureMessage(error) }], SYSTEM_ACTOR),
      ),
    );
  }

  function writeToRegister(): void {
    if (registerBusy) return;
    const entries = state.timeline.filter((entry) => entry.seq > registeredThroughSeq);
    const last = entries[entries.length - 1];
    if (!last) return;
    registerBusy = true;
    const batch = { ref: state.ref, entries, snapshot: snapshotOf(state) };
    const written = wf.patched(REGISTER_AS_LOCAL_ACTIVITY)
      ? registerLocally.recordInRegister(batch).catch((error: unknown) => {
          wf.log.warn('The register did not take a batch in time; it goes as an activity', {
            ref: state.ref,
            error: failureMessage(error),
          });
          return register.recordInRegister(batch);
        })
      : register.recordInRegister(batch);
    inBackground(
      written.then(
        () => {
          registeredThroughSeq = last.seq;
          registerBusy = false;
          writeToRegister();
        },
        (error: unknown) => {
          // Only a non-retryable failure gets here; the entries stay pending and go with the next batch.
          wf.log.error('Register write failed', { ref: state.ref, error: failureMessage(error) });
          registerBusy = false;
        },
      ),
    );
  }

  function snapshotOf(current: ComplaintState): ComplaintSnapshot {
    const { timeline, ...rest } = current;
    return {
      ...(JSON.parse(JSON.stringify(rest)) as typeof rest),
      lastSeq: timeline.length,
      nextDeadline: nextDeadline(current, procedure) ?? null,
      overdue: isOverdue(current),
    };
  }

  function updateSearchAttributes(): void {
    if (!indexed) return;
    const deadline = nextDeadline(state, procedure);
    const values = {
      status: state.status,
      stage: state.currentStage,
      officer: state.caseOfficer?.id ?? null,
      deadline: deadline?.dueAt ?? null,
      overdue: isOverdue(state),
    };
    const fingerprint = JSON.stringify(values);
    if (fingerprint === lastSearchAttributes) return;
    lastSearchAttributes = fingerprint;
    wf.upsertSearchAttributes([
      { key: complaintStatusKey, value: values.status },
      { key: complaintStageKey, value: values.stage },
      { key: complaintServiceAreaKey, value: state.details.serviceArea },
      { key: complaintCategoryKey, value: state.details.category },
      { key: complaintCaseOfficerKey, value: values.officer },
      { key: complaintProcedureKey, value: procedureKey(state.procedure) },
      { key: complaintNextDeadlineKey, value: values.deadline ? new Date(values.deadline) : null },
      { key: complaintReceivedAtKey, value: new Date(state.receivedAt) },
      { key: complaintOverdueKey, value: values.overdue },
    ]);
  }

  function decideNow(action: ActionName, payload: unknown): { actor: Actor; decision: Decision } {
    const parsed = actionParsing().parseCommand(action, payload);
    if (!parsed.ok)
      return { actor: claimedActor(payload), decision: { ok: false, code: 'invalid-message', reason: parsed.reason } };
    return { actor: parsed.command.actor, decision: decide(state, parsed.command, Date.now(), procedure) };
  }

  for (const action of actionNames) {
    // Payloads are typed for callers, but other systems may send anything: they are parsed here.
    wf.setHandler(
      actionUpdates[action] as UpdateDefinition<ComplaintState, [unknown]>,
      (payload: unknown) => {
        const { actor, decision } = decideNow(action, payload);
        if (!decision.ok) throw rejection(decision);
        record(decision.events, actor);
        return state;
      },
      {
        // Runs before anything is written: a refused action leaves no trace in the history.
        validator: (payload: unknown) => {
          const { decision } = decideNow(action, payload);
          if (!decision.ok) throw rejection(decision);
        },
      },
    );
    wf.setHandler(actionSignals[action] as SignalDefinition<[unknown]>, (payload: unknown) => {
      const { actor, decision } = decideNow(action, payload);
      if (decision.ok) record(decision.events, actor);
      else record([{ type: 'action-rejected', action, code: decision.code, reason: decision.reason }], actor);
    });
  }
  wf.setHandler(complaintStateQuery, () => state);

  if (!input.resume) afterChange();

  while (!isTerminal(state.status)) {
    const now = Date.now();
    const scheduled = nextScheduledEvent(state, procedure, now);
    if (scheduled && scheduled.atMs <= now) {
      record([scheduled.event], SYSTEM_ACTOR);
      continue;
    }
    const seen = revision;
    await wf.condition(() => revision !== seen || continueAsNewDue(), scheduled ? scheduled.atMs - now : undefined);
    if (continueAsNewDue() && !isTerminal(state.status)) {
      await settle();
      await wf.continueAsNew<typeof complaintWorkflow>({ ...input, resume: { state, registeredThroughSeq } });
    }
  }

  await settle();
  return state;

  /** Lets in-flight handlers, notices and register writes finish, so nothing is lost at the end of a run. */
  async function settle(): Promise<void> {
    await wf.condition(wf.allHandlersFinished);
    while (backgroundWork.size > 0) await Promise.all([...backgroundWork]);
    writeToRegister();
    while (backgroundWork.size > 0) await Promise.all([...backgroundWork]);
  }
}

function rejection(decision: Extract<Decision, { ok: false }>): wf.ApplicationFailure {
  return wf.ApplicationFailure.create({
    type: decision.code === 'invalid-message' ? INVALID_ACTION : ACTION_REJECTED,
    message: decision.reason,
    details: [{ code: decision.code }],
    nonRetryable: true,
  });
}

/** Who a malformed signal says it came from, for the timeline; never trusted for anything else. */
function claimedActor(payload: unknown): Actor {
  const claimed = actionParsing().ActorSchema.safeParse((payload as { actor?: unknown } | null)?.actor);
  return claimed.success ? claimed.data : { id: 'unknown' };
}

function failureMessage(error: unknown): string {
  if (error instanceof wf.ActivityFailure && error.cause) return error.cause.message;
  return error instanceof Error ? error.message : String(error);
}
