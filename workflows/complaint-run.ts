import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import * as wf from '@temporalio/workflow';
import {
  NOTICE_ACTIVITY_OPTIONS,
  registerSnapshot,
  type ComplaintActivities,
  type ComplaintSnapshot,
} from '../activities/contract';
import type { ActionName } from '../domain/action-names';
import {
  SYSTEM_ACTOR,
  applyEvent,
  decide,
  isTerminal,
  nextScheduledEvent,
  openComplaint,
  type ComplaintEvent,
  type ComplaintState,
  type Decision,
  stateAtRevision,
} from '../domain/complaint';
import { rememberHandled, type HandledAnswer, type HandledUpdate } from '../domain/idempotency';
import type { ComplaintOpening } from '../domain/intake';
import { letterChannel } from '../domain/letters';
import { noticeFor, type Notice } from '../domain/notices';
import type { Procedure } from '../domain/procedure';
import { getProcedure } from '../domain/procedures';
import type { Actor } from '../domain/vocabulary';
import { actionParsing, digests } from './action-parsing';
import {
  ACTION_REJECTED,
  IDEMPOTENCY_KEY_REUSED,
  INVALID_ACTION,
  isKeyedUpdateId,
  type ActionAnswer,
} from './messages';
import { complaintStatusKey, currentSearchAttributeValues, searchAttributeUpdates } from './search-attributes';
import {
  ASSIGNMENT_BY_ROLE,
  CALENDAR_EXPLAINS_DEADLINES,
  CALENDAR_KEEPS_PASSED_DEADLINES,
  COMPACT_HISTORY,
  LETTERS_FOR_EVERYONE,
  MIGRATION_COUNTS_BY_TARGET,
  PERSONAL_DATA_ERASURE,
  PROCEDURE_MIGRATION,
  REGISTER_AS_LOCAL_ACTIVITY,
  TIMER_FIRED_MEANS_DUE,
} from './patches';
import { letterPostingWorkflow, letterPostingWorkflowId } from './letter-posting';

// One run of a complaint's workflow: its state, and everything the workflow does besides waiting. Every rule is a
// pure function in domain/complaint.ts; this class only records what they decide, writes it to the register, keeps
// the search attributes and sends the notices. complaintWorkflow (complaint.ts) wires the messages to its methods.

export interface ComplaintWorkflowInput extends ComplaintOpening {
  /**
   * When the starter recorded the complaint (its clock): the time of the first entry, so that the starter knows the
   * state the workflow opens with (the API answers intake with it, without asking the workflow). Absent (complaints
   * started before it, other starters): the time of the workflow's first task, as before.
   */
  openedAt?: string;
  /** History length beyond which the complaint continues as new (default 5,000; the server also suggests it). */
  continueAsNewAfterEvents?: number;
  /** Present when the workflow continued as new: the complaint so far. */
  resume?: {
    state: ComplaintState;
    registeredThroughSeq: number;
    /**
     * The keyed Updates handled so far, newest last (domain/idempotency.ts). Absent in every run that continued as new
     * before they were carried, which therefore replays as it ran: no `patched` is needed (tests/audit replays them).
     */
    handledUpdates?: HandledUpdate[];
  };
}

// Notices must never hold up the complaint (activities/contract.ts NOTICE_ACTIVITY_OPTIONS).
const notifications = wf.proxyActivities<ComplaintActivities>(NOTICE_ACTIVITY_OPTIONS);

// The register is the system of record: it retries until the store is back, however long that takes; only a batch
// the store refuses for what it holds is given up, after a few tries (activities/complaint-activities.ts).
const registerRetry = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' } as const;
const register = wf.proxyActivities<ComplaintActivities>({ startToCloseTimeout: '1 minute', retry: registerRetry });

// Since the patch REGISTER_AS_LOCAL_ACTIVITY (patches.ts) the register is first tried as a local activity: the worker writes it while it completes the
// workflow task that produced the entries, instead of the server scheduling an activity task and then a second
// workflow task for its result (about 30 % less server CPU to take a complaint on: bench/README.md), and an
// action's answer goes out once the register has it. If the register has not taken the batch within 5 seconds (two
// tries), the batch goes as the ordinary activity above, which retries in the background until it does: an action is
// never held up for longer than that, well inside the API's 10-second deadline and the workflow task's timeout.
// Histories recorded before the patch (tests/histories/archive/) replay as before.
const registerLocally = wf.proxyLocalActivities<ComplaintActivities>({
  startToCloseTimeout: '3 seconds',
  scheduleToCloseTimeout: '5 seconds',
  retry: { initialInterval: '500 milliseconds', maximumAttempts: 2 },
});

/** Beyond this many history events the complaint carries its state into a fresh run. */
const DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS = 5_000;

export class ComplaintRun {
  readonly state: ComplaintState;
  private registeredThroughSeq: number;
  private registerBusy = false;
  private revision = 0;
  private lastSearchAttributes = '';
  // The starter sets the search attributes when the namespace has them (see start-options.ts).
  private readonly indexed = wf.workflowInfo().typedSearchAttributes.get(complaintStatusKey) !== undefined;
  private readonly backgroundWork = new Set<Promise<void>>();
  private readonly historyLimit: number;
  private handledUpdates: HandledUpdate[];
  /** The keyed Updates this run handled (not those carried from earlier runs): Temporal never delivers one twice. */
  private readonly handledThisRun = new Set<string>();

  constructor(private readonly input: ComplaintWorkflowInput) {
    this.state = input.resume?.state ?? openComplaint(input, getProcedure(input.procedure), input.openedAt ?? now());
    this.registeredThroughSeq = input.resume?.registeredThroughSeq ?? 0;
    this.historyLimit = input.continueAsNewAfterEvents ?? DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS;
    this.handledUpdates = input.resume?.handledUpdates ?? [];
  }

  /** The procedure the complaint follows now: the one it started under, or the one a migration moved it to. */
  private get procedure(): Procedure {
    return getProcedure(this.state.procedure);
  }

  // ------------------------------------------------------------------------------------------- messages

  /**
   * An Update's validator: runs before anything is written, so a refused action leaves no trace in the history.
   * A keyed Update (an Idempotency-Key: messages.ts keyedUpdateId) is refused here only when its key was handled
   * before with another input (Temporal deduplicates ids within a run; this covers earlier runs); the rules' refusal
   * of a keyed Update comes after acceptance, so that the history remembers it and a repeat answers the same.
   */
  validate(action: ActionName, payload: unknown): void {
    const updateId = wf.currentUpdateInfo()?.id;
    if (isKeyedUpdateId(action, updateId)) {
      const handled = this.handledUpdates.find((entry) => entry.id === updateId);
      if (handled && handled.inputSha256 !== digests().inputDigest(payload)) throw keyReused();
      if (handled && 'refused' in handled.answer) throw rejection(handled.answer.refused);
      return;
    }
    const { decision } = this.decideNow(action, payload);
    if (!decision.ok) throw rejection(decision);
  }

  /** An Update: recorded and answered with its revision (messages.ts ActionOutcome), or refused with the rule's reason. */
  update(action: ActionName, payload: unknown): ActionAnswer {
    const updateId = wf.currentUpdateInfo()?.id;
    const keyed = isKeyedUpdateId(action, updateId) ? updateId : undefined;
    const handled = keyed && this.handledUpdates.find((entry) => entry.id === keyed);
    // Handled in THIS run: Temporal deduplicates Update ids within a run, so this state holds a workflow task the
    // server lost (sdk-core applied the server's new task over the cached run: "Trying to send a new WFT for a run
    // which already has one!", seen after a Temporal server kill in tests/faults/drill.test.ts). Answering from it
    // would record nothing while the history replays the Update as new. Failing the task evicts the run; the retry
    // replays the history, which never meets this, and records the Update at its own task's time.
    if (handled && this.handledThisRun.has(keyed)) throw new Error(`Update ${keyed} handled twice in one run`);
    // Handled in an earlier run (this run's repeats Temporal answers itself): the first answer, nothing recorded.
    if (handled) {
      if ('refused' in handled.answer) throw rejection(handled.answer.refused);
      const through = handled.answer.throughSeq;
      return this.answer(stateAtRevision(this.state, through), through);
    }
    const { actor, decision } = this.decideNow(action, payload, this.patchedRules(action));
    if (!decision.ok) {
      if (keyed) this.rememberHandled(keyed, payload, { refused: { code: decision.code, reason: decision.reason } });
      throw rejection(decision);
    }
    const firstSeq = this.state.timeline.length + 1;
    this.record(decision.events, actor);
    if (keyed) this.rememberHandled(keyed, payload, { throughSeq: this.state.timeline.length });
    return this.answer(this.state, firstSeq);
  }

  /**
   * An Update's answer: the revision `state` is at and the entries from `firstSeq` (at least its last one), since
   * COMPACT_HISTORY; the whole state before it (a run that answered so replays so).
   */
  private answer(state: ComplaintState, firstSeq: number): ActionAnswer {
    if (!wf.patched(COMPACT_HISTORY)) return state;
    const revision = state.timeline.length;
    return { revision, recorded: state.timeline.slice(Math.min(firstSeq, revision) - 1) };
  }

  private rememberHandled(id: string, payload: unknown, answer: HandledAnswer): void {
    this.handledThisRun.add(id);
    this.handledUpdates = rememberHandled(this.handledUpdates, {
      id,
      inputSha256: digests().inputDigest(payload),
      answer,
    });
  }

  /** A Signal: nobody waits for an answer, so a refusal is recorded as an action-rejected event. */
  signal(action: ActionName, payload: unknown): void {
    const { actor, decision } = this.decideNow(action, payload, this.patchedRules(action));
    if (decision.ok) this.record(decision.events, actor);
    else this.record([{ type: 'action-rejected', action, code: decision.code, reason: decision.reason }], actor);
  }

  /**
   * The rules a patch changed, for the action at hand. Each marker is written only where its action is handled, so
   * histories without that action replay unchanged; a validator asks none (it writes nothing) and decides by the new rules.
   */
  private patchedRules(action: ActionName): PatchedRules {
    return {
      assignmentByRole: action === 'assign' && wf.patched(ASSIGNMENT_BY_ROLE),
      keepPassedDeadlines: action === 'update-calendar' && wf.patched(CALENDAR_KEEPS_PASSED_DEADLINES),
      migration: action === 'migrate-procedure' && wf.patched(PROCEDURE_MIGRATION),
      calendarExplainsDeadlines: action === 'update-calendar' && wf.patched(CALENDAR_EXPLAINS_DEADLINES),
      migrationCountsByTarget: action === 'migrate-procedure' && wf.patched(MIGRATION_COUNTS_BY_TARGET),
      erasure: action === 'erase-personal-data' && wf.patched(PERSONAL_DATA_ERASURE),
    };
  }

  private decideNow(action: ActionName, payload: unknown, rules: PatchedRules = NEW_RULES) {
    const parsed = actionParsing().parseCommand(action, payload);
    if (!parsed.ok) {
      const decision: Decision = { ok: false, code: 'invalid-message', reason: parsed.reason };
      return { actor: claimedActor(payload), decision };
    }
    if ((action === 'migrate-procedure' && !rules.migration) || (action === 'erase-personal-data' && !rules.erasure)) {
      const decision: Decision = { ok: false, code: 'no-migration-path', reason: `this run cannot ${action}` };
      return { actor: parsed.command.actor, decision };
    }
    const { migration: _migration, erasure: _erasure, ...options } = rules;
    const decision = decide(this.state, parsed.command, Date.now(), this.procedure, options);
    return { actor: parsed.command.actor, decision };
  }

  // ------------------------------------------------------------------------------------------- the clock

  /** Records what the clock brings until the complaint ends (or continues as new); returns its final state. */
  async run(): Promise<ComplaintState> {
    if (!this.input.resume) {
      this.skipUpsertOfStartValues();
      this.afterChange();
    }
    // Since TIMER_FIRED_MEANS_DUE (patches.ts): the time the last fired timer was set for. That time has come, whatever
    // the clock of the task the timer fired in says, so the loop never decides at an earlier one.
    let firedDueAtMs = 0;
    while (!isTerminal(this.state.status)) {
      const now = Math.max(Date.now(), firedDueAtMs);
      const scheduled = nextScheduledEvent(this.state, this.procedure, now);
      if (scheduled && scheduled.atMs <= now) {
        this.record([scheduled.event], SYSTEM_ACTOR, now);
        continue;
      }
      const seen = this.revision;
      const changed = () => this.revision !== seen || this.continueAsNewDue();
      if (scheduled) {
        const changedFirst = await wf.condition(changed, scheduled.atMs - now);
        if (!changedFirst && wf.patched(TIMER_FIRED_MEANS_DUE)) firedDueAtMs = scheduled.atMs;
      } else await wf.condition(changed);
      if (this.continueAsNewDue() && !isTerminal(this.state.status)) {
        await this.settle();
        const resume = {
          state: this.state,
          registeredThroughSeq: this.registeredThroughSeq,
          handledUpdates: this.handledUpdates,
        };
        await wf.continueAsNew<(input: ComplaintWorkflowInput) => Promise<ComplaintState>>({ ...this.input, resume });
      }
    }
    await this.settle();
    return this.state;
  }

  private continueAsNewDue(): boolean {
    const info = wf.workflowInfo();
    return info.continueAsNewSuggested || info.historyLength > this.historyLimit;
  }

  /** Lets in-flight handlers, notices and register writes finish, so nothing is lost at the end of a run. */
  private async settle(): Promise<void> {
    await wf.condition(wf.allHandlersFinished);
    while (this.backgroundWork.size > 0) await Promise.all([...this.backgroundWork]);
    this.writeToRegister();
    while (this.backgroundWork.size > 0) await Promise.all([...this.backgroundWork]);
  }

  // ------------------------------------------------------------------------------------------- recording

  /** Records events at the workflow's time, or at `atMs` (the clock loop's decision time, never earlier). */
  private record(events: readonly ComplaintEvent[], actor: Actor, atMs = Date.now()): void {
    for (const event of events) {
      const entry = { ...event, seq: this.state.timeline.length + 1, at: new Date(atMs).toISOString(), actor };
      applyEvent(this.state, entry);
      const notice = this.noticeFor(entry);
      if (notice) this.send(notice);
    }
    this.revision++;
    this.afterChange();
  }

  private afterChange(): void {
    this.updateSearchAttributes();
    this.writeToRegister();
  }

  private inBackground(work: Promise<void>): void {
    const tracked = work.finally(() => this.backgroundWork.delete(tracked));
    this.backgroundWork.add(tracked);
  }

  /** The notice an entry calls for: letters for everyone where the patch holds and they differ from the e-mails before it. */
  private noticeFor(entry: Parameters<typeof noticeFor>[0]): Notice | undefined {
    const before = noticeFor(entry, this.state, this.procedure);
    const letter = noticeFor(entry, this.state, this.procedure, { letters: true });
    if (JSON.stringify(before) === JSON.stringify(letter)) return before;
    return wf.patched(LETTERS_FOR_EVERYONE) ? letter : before;
  }

  private send(notice: Notice): void {
    // Only letters for everyone (LETTERS_FOR_EVERYONE) give a complainant without an e-mail address a notice.
    const post = letterChannel(notice) === 'post' && notice.postBy !== undefined;
    this.inBackground(
      notifications.sendNotice(notice).then(
        () => (post ? this.remindUnlessPosted(notice) : undefined),
        (error: unknown) =>
          this.record(
            [{ type: 'notification-failed', notice: notice.id, reason: failureMessage(error) }],
            SYSTEM_ACTOR,
          ),
      ),
    );
  }

  /** A letter queued to post: its reminder, by the end of the next working day, runs as an abandoned child. */
  private async remindUnlessPosted(notice: Notice): Promise<void> {
    const letterId = digests().letterIdFor(notice.id);
    const postBy = notice.postBy!;
    try {
      await wf.startChild(letterPostingWorkflow, {
        workflowId: letterPostingWorkflowId(letterId),
        args: [{ letterId, notice, postBy }],
        parentClosePolicy: 'ABANDON',
      });
    } catch (error) {
      // Already started (a repeated notice): that reminder stands. Anything else must not stop the complaint.
      if (!(error instanceof WorkflowExecutionAlreadyStartedError))
        wf.log.error('The reminder to post a letter did not start', { letterId, error: failureMessage(error) });
    }
  }

  /** One batch at a time: the entries not yet in the register, with the state they lead to. */
  private writeToRegister(): void {
    if (this.registerBusy) return;
    const entries = this.state.timeline.filter((entry) => entry.seq > this.registeredThroughSeq);
    const last = entries[entries.length - 1];
    if (!last) return;
    this.registerBusy = true;
    // madeAtMs: this task's time orders the register's writes (a lost task's is earlier than its replacement's).
    const batch = { ref: this.state.ref, entries, snapshot: this.snapshot(), madeAtMs: Date.now() };
    const written = wf.patched(REGISTER_AS_LOCAL_ACTIVITY)
      ? registerLocally.recordInRegister(batch).catch((error: unknown) => {
          wf.log.warn('The register did not take a batch in time; it goes as an activity', {
            ref: this.state.ref,
            error: failureMessage(error),
          });
          return register.recordInRegister(batch);
        })
      : register.recordInRegister(batch);
    this.inBackground(
      written.then(
        () => {
          this.registeredThroughSeq = last.seq;
          this.registerBusy = false;
          this.writeToRegister();
        },
        (error: unknown) => {
          // Only a non-retryable failure gets here; the entries stay pending and go with the next batch.
          wf.log.error('Register write failed', { ref: this.state.ref, error: failureMessage(error) });
          this.registerBusy = false;
        },
      ),
    );
  }

  private snapshot(): ComplaintSnapshot {
    return registerSnapshot(this.state, this.procedure);
  }

  /**
   * Since COMPACT_HISTORY: the values the complaint was started with count as upserted, so the first task
   * upserts only what differs from them (nothing, for a complaint started by start-options.ts); before it, the first
   * task upserted every value.
   */
  private skipUpsertOfStartValues(): void {
    if (!this.indexed || !wf.patched(COMPACT_HISTORY)) return;
    this.lastSearchAttributes = JSON.stringify(currentSearchAttributeValues(wf.workflowInfo().typedSearchAttributes));
  }

  /** Upserts the search attributes (workflows/search-attributes.ts) when any of their values changed. */
  private updateSearchAttributes(): void {
    if (!this.indexed) return;
    const updates = searchAttributeUpdates(this.state, this.procedure);
    const fingerprint = JSON.stringify(updates.map((pair) => pair.value));
    if (fingerprint === this.lastSearchAttributes) return;
    this.lastSearchAttributes = fingerprint;
    wf.upsertSearchAttributes(updates);
  }
}

interface PatchedRules {
  assignmentByRole: boolean;
  keepPassedDeadlines: boolean;
  migration: boolean;
  calendarExplainsDeadlines: boolean;
  migrationCountsByTarget: boolean;
  erasure: boolean;
}
const NEW_RULES: PatchedRules = {
  ...{ assignmentByRole: true, keepPassedDeadlines: true, migration: true },
  ...{ calendarExplainsDeadlines: true, migrationCountsByTarget: true, erasure: true },
};

/** Workflow time, as recorded in a timeline entry. */
function now(): string {
  return new Date(Date.now()).toISOString();
}

/** The failure a refused Update answers (a rule's refusal, or a reused key). */
function rejection(refusal: { code: string; reason: string }): wf.ApplicationFailure {
  return wf.ApplicationFailure.create({
    type: refusal.code === 'invalid-message' ? INVALID_ACTION : ACTION_REJECTED,
    message: refusal.reason,
    details: [{ code: refusal.code }],
    nonRetryable: true,
  });
}

function keyReused(): wf.ApplicationFailure {
  return rejection({
    code: IDEMPOTENCY_KEY_REUSED,
    reason: 'This Idempotency-Key was used before with a different body; use a new key for a new request',
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
