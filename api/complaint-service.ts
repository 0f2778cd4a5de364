import { temporal } from '@temporalio/proto';
import {
  type Client,
  isGrpcServiceError,
  QueryNotRegisteredError,
  ServiceError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import { ApplicationFailure, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/common';
import { z } from 'zod';
import { historyToJson } from '../audit/history-json';
import type { ActionBody, ActionName } from '../domain/actions';
import { explainedState, openComplaint, type ComplaintState } from '../domain/complaint';
import {
  calendarChangeStatus,
  calendarChangeWorkflowId,
  startCalendarChange,
  type CalendarChangeRequest,
} from '../platform/calendar-change';
import type { IntakeSchema } from '../domain/intake';
import { type Procedure, procedureKey } from '../domain/procedure';
import { findProcedure } from '../domain/procedures';
import { EMPTY_COUNCIL_CALENDAR, type CouncilCalendar } from '../domain/council-calendar';
import { procedureInForce, type ProcedureSchedule } from '../domain/procedure-schedule';
import { councilHolidayCalendar } from '../domain/scottish-holidays';
import type { Actor } from '../domain/vocabulary';
import { personalActionFields, personalDetailFields, sealingKeyFor } from '../domain/personal-fields';
import { ErasedDataError, type PersonalData } from '../platform/personal-data';
import { checkSearchAttributes } from '../platform/search-attributes';
import type { complaintWorkflow, ComplaintWorkflowInput } from '../workflows/complaint';
import {
  ACTION_REJECTED,
  INVALID_ACTION,
  type ActionAnswer,
  actionUpdates,
  complaintStateQuery,
  keyedUpdateId,
} from '../workflows/messages';
import { complaintStatusKey } from '../workflows/search-attributes';
import { COMPLAINT_WORKFLOW_TYPE, complaintStartOptions } from '../workflows/start-options';
import {
  type ComplaintList,
  decodeCursor,
  encodeCursor,
  type ListQuery,
  summaryOf,
  decodeComplaintSearchAttributes,
  timestampDate,
  visibilityQuery,
} from './complaint-list';
import { ApiError, badRequest, conflict, notFound, temporalUnavailable } from './errors';
import type { HistoryJson } from './schemas';
import { candidateRef, canonicalJson, MAX_REF_ATTEMPTS, randomSeed, refYear, sha256Hex } from './references';

// The API's adapter over the Temporal client: every call to Temporal the routes make goes through here, with a
// deadline, and every Temporal failure becomes an ApiError (404, 409, 503 ...). Rules stay in domain/; this
// file only starts, asks, lists and reads.

export type IntakeBody = z.output<typeof IntakeSchema>;

export interface ComplaintServiceOptions {
  namespace: string;
  taskQueue: string;
  /** Procedure id used when the intake names none and there is no schedule (config DEFAULT_PROCEDURE). */
  defaultProcedure: string;
  /**
   * Which procedure applies to a complaint received on a London day, when the intake names none
   * (PROCEDURE_SCHEDULE_PATH, else the shipped default: domain/procedure-schedule.ts). Absent: defaultProcedure.
   */
  procedureSchedule?: ProcedureSchedule;
  /** The council's local holidays, closures and worked days (COUNCIL_CALENDAR_PATH); absent: none. */
  councilCalendar?: CouncilCalendar;
  /** Generated references are `<refPrefix>-<year>-<6 digits>`. */
  refPrefix: string;
  /** Each call to Temporal gives up after this long (→ 503). */
  timeoutMs: number;
  /** The wall clock (tests may fix it). */
  now?: () => number;
  /**
   * The complaints' data keys (the register's: platform/personal-data.ts). Given, personal fields are sealed here
   * before they reach Temporal and opened here when read; absent (tests of the API alone), they go as given.
   */
  personalData?: PersonalData;
}

export interface IntakeOptions {
  actor: Actor;
  /** The Idempotency-Key header, scoped to the caller. */
  idempotencyKey?: string;
}

export interface IntakeResult {
  ref: string;
  /** `id@version` of the procedure the complaint follows. */
  procedure: string;
  /** False: the same request was made before and this is that complaint. */
  created: boolean;
  /**
   * A new complaint's state, from the same domain function its workflow opens it with (domain/complaint.ts
   * openComplaint, over the same input): no second round trip, and no wait for a worker. Null for a repeated
   * request: the caller reads that complaint (api/complaint-reads.ts).
   */
  state: ComplaintState | null;
}

/** What the API writes into each complaint's memo at intake, to recognise a repeated request. */
const IntakeMemoSchema = z.object({
  v: z.literal(1),
  bodySha256: z.string(),
  idempotencyKeySha256: z.string().optional(),
  /** An intake key's claim only: the request under the key was refused (400) with this; a repeat answers the same. */
  refused: z
    .object({
      status: z.number().int(),
      code: z.string(),
      message: z.string(),
      details: z.array(z.object({ in: z.string().optional(), path: z.string(), message: z.string() })).optional(),
    })
    .optional(),
});
type IntakeMemo = z.infer<typeof IntakeMemoSchema>;
const MEMO_KEY = 'apiIntake';

// ------------------------------------------------------------------------------------------- the idempotency rule
// ONE rule for intake and every action: a request carries an Idempotency-Key, scoped to the caller (the same key
// from two people is two requests). The same key with the same body replays the first answer; the same key with
// another body is a 409 idempotency-key-reused. The API keeps no state: what a key was first used with is read back
// from Temporal (the intake key's claim workflow, below; an action's accepted Update in the history).

/** A keyed request: its key and its body, each as a SHA-256 (canonical JSON, so key order does not matter). */
export interface IdempotentRequest {
  keySha256: string;
  bodySha256: string;
}

export function idempotentRequest(actor: Actor, key: string, body: unknown): IdempotentRequest {
  return { keySha256: sha256Hex(`${actor.id}\n${key}`), bodySha256: sha256Hex(canonicalJson(body)) };
}

/** The rule itself: the first use of the key was with `firstBodySha256`; another body is a 409. */
export function replayOrConflict(request: { bodySha256: string }, firstBodySha256: string | undefined): void {
  if (firstBodySha256 !== undefined && firstBodySha256 !== request.bodySha256) {
    throw conflict(
      'idempotency-key-reused',
      'This Idempotency-Key was used before with a different body; use a new key for a new request',
    );
  }
}

/**
 * An intake key is claimed before anything is started: a workflow whose id is the key's hash (REJECT_DUPLICATE,
 * so only one request ever claims it, in whichever replica) and whose memo is the body's hash. It is never run
 * (terminated at once, on a task queue no worker polls) and is remembered for the namespace's retention period.
 * Without it a key given with a `ref` was not enforced: the complaint's id is then the ref, not the key's slot.
 */
const INTAKE_KEY_CLAIM_TYPE = 'ComplaintIntakeKeyClaim';
/** ':' cannot appear in a reference (ComplaintRefSchema), so a claim never takes a complaint's id. */
const intakeKeyClaimId = (keySha256: string) => `intake-key:${keySha256}`;

/** A complaint received more than this far in the future is refused (clock skew allowance). */
export const FUTURE_TOLERANCE_MS = 5 * 60_000;
/** Older complaints are refused: almost certainly a typing error (and outside the holiday calendar's range). */
export const EARLIEST_RECEIVED_AT_MS = Date.parse('2000-01-01T00:00:00Z');
/** How far back a repeated intake without receivedAt may look for the year its first copy was numbered in. */
const YEAR_LOOKBACK_MS = 7 * 24 * 60 * 60_000;

// gRPC status codes (numbers, to avoid depending on @grpc/grpc-js directly).
const GRPC = {
  CANCELLED: 1,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  UNIMPLEMENTED: 12,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

function grpcCode(error: unknown): number | undefined {
  if (isGrpcServiceError(error)) return error.code;
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  return isGrpcServiceError(cause) ? cause.code : undefined;
}

function grpcMessage(error: unknown): string {
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  const grpc = isGrpcServiceError(error) ? error : isGrpcServiceError(cause) ? cause : undefined;
  return grpc ? `${grpc.details} ${grpc.message}` : '';
}

/** Temporal (or the way to it) failed, not the request: a 503, with what the caller should know. */
export function unavailability(error: unknown, timeoutMs: number): ApiError | undefined {
  if (error instanceof ApiError) return undefined;
  if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
    return temporalUnavailable(
      `Temporal did not confirm the action within ${timeoutMs / 1000}s (is the worker running?). It may still be recorded: retry with the same Idempotency-Key so it is recorded only once`,
    );
  }
  const code = grpcCode(error);
  switch (code) {
    case GRPC.UNAVAILABLE:
      return temporalUnavailable('Temporal is unavailable; nothing was changed. Try again shortly');
    case GRPC.DEADLINE_EXCEEDED:
    case GRPC.CANCELLED:
      return temporalUnavailable(
        `Temporal did not answer within ${timeoutMs / 1000}s (is the server or the worker down?). Try again shortly`,
      );
    case GRPC.RESOURCE_EXHAUSTED:
      return temporalUnavailable('Temporal is overloaded; nothing was changed. Try again shortly');
    case GRPC.FAILED_PRECONDITION:
      // The server refuses Updates while the complaint's last workflow task has failed or timed out (a worker died
      // mid-task, the server restarted): passing, until a worker completes a task of it. Was a 500 (fault drill).
      if (/workflow task in failed state|unexpected workflow task failure/i.test(grpcMessage(error)))
        return temporalUnavailable(
          "The complaint's workflow is recovering from a failed task (a worker or the server restarted); nothing was changed. Try again shortly",
        );
      break;
    case GRPC.UNAUTHENTICATED:
    case GRPC.PERMISSION_DENIED:
      return temporalUnavailable('The API cannot authenticate to Temporal (a configuration problem on our side)');
    default:
      break;
  }
  // A ServiceError with no gRPC status: the client could not make the call at all.
  if (error instanceof ServiceError && code === undefined)
    return temporalUnavailable('Temporal is unavailable; nothing was changed. Try again shortly');
  return undefined;
}

/** When the complaint was received (the body's receivedAt, or now); a 400 when in the future or before 2000. */
function receivedAtOf(body: IntakeBody, nowMs: number): number {
  const receivedAtMs = body.receivedAt ? Date.parse(body.receivedAt) : nowMs;
  if (receivedAtMs > nowMs + FUTURE_TOLERANCE_MS) {
    throw badRequest('invalid-request', 'receivedAt is in the future', [
      { in: 'body', path: 'receivedAt', message: 'must not be in the future' },
    ]);
  }
  if (receivedAtMs < EARLIEST_RECEIVED_AT_MS) {
    throw badRequest('invalid-request', 'receivedAt is too long ago', [
      { in: 'body', path: 'receivedAt', message: 'must be on or after 2000-01-01' },
    ]);
  }
  return receivedAtMs;
}

/**
 * The procedure the intake names (latest version unless it gives one); else the one the schedule has in force on the
 * London day of receipt; else the default. A 400 when unknown.
 */
function procedureOf(body: IntakeBody, options: ComplaintServiceOptions, receivedAtMs: number): Procedure {
  const { defaultProcedure, procedureSchedule } = options;
  const scheduled =
    !body.procedure && procedureSchedule ? procedureInForce(procedureSchedule, receivedAtMs) : undefined;
  if (scheduled) return scheduled;
  const procedure = findProcedure(body.procedure?.id ?? defaultProcedure, body.procedure?.version);
  if (procedure) return procedure;
  const named = body.procedure
    ? `${body.procedure.id}${body.procedure.version ? `@${body.procedure.version}` : ''}`
    : defaultProcedure;
  throw badRequest('invalid-request', `There is no procedure ${named}`, [
    { in: 'body', path: 'procedure', message: `unknown procedure ${named}` },
  ]);
}

/** What the complaint's workflow starts from, everything resolved (details in the order the state keeps them). */
function workflowInput(
  ref: string,
  body: IntakeBody,
  procedure: Procedure,
  times: { receivedAtMs: number; nowMs: number },
  actor: Actor,
  councilCalendar: CouncilCalendar = EMPTY_COUNCIL_CALENDAR,
): ComplaintWorkflowInput {
  const { receivedAtMs } = times;
  const calendar = councilHolidayCalendar(refYear(receivedAtMs), councilCalendar);
  return {
    ref,
    procedure: { id: procedure.id, version: procedure.version },
    details: {
      complainant: body.complainant,
      ...(body.representative ? { representative: body.representative } : {}),
      serviceArea: body.serviceArea,
      category: body.category,
      channel: body.channel,
      summary: body.summary,
      ...(body.eventOn ? { eventOn: body.eventOn } : {}),
      serious: body.serious,
    },
    receivedAt: new Date(receivedAtMs).toISOString(),
    holidays: calendar.holidays,
    holidayNames: calendar.names,
    actor,
    openedAt: new Date(times.nowMs).toISOString(),
  };
}

/** `fn`'s value, or the ApiError it throws (a refusal to remember under a key). */
function refusalOrValue<T>(fn: () => T): T | ApiError {
  try {
    return fn();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
}

function isComplaintWorkflowMissingHandler(error: unknown): boolean {
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof ApplicationFailure && /no registered handler/i.test(cause.message);
}

export class ComplaintService {
  private readonly now: () => number;
  private indexedCache?: { value: boolean; at: number };

  constructor(
    readonly client: Client,
    readonly options: ComplaintServiceOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Runs `fn` with this service's deadline on every gRPC call it makes, translating unavailability to 503. */
  private async call<T>(fn: () => Promise<T>, timeoutMs = this.options.timeoutMs): Promise<T> {
    try {
      return await this.client.connection.withDeadline(Date.now() + timeoutMs, fn);
    } catch (error) {
      throw unavailability(error, timeoutMs) ?? error;
    }
  }

  // ------------------------------------------------------------------------------------------- health

  /** Temporal answers for our namespace; and how many workers poll the complaints task queue (0: actions wait). */
  async health(
    timeoutMs = Math.min(this.options.timeoutMs, 3_000),
  ): Promise<{ namespace: string; taskQueue: string; workersPolling: number }> {
    const { namespace, taskQueue } = this.options;
    await this.call(() => this.client.workflowService.describeNamespace({ namespace }), timeoutMs).catch(
      (error: unknown) => {
        // A namespace that does not exist is this deployment's configuration problem: the API cannot work (503).
        if (grpcCode(error) === GRPC.NOT_FOUND)
          throw temporalUnavailable(`The Temporal namespace "${namespace}" does not exist (TEMPORAL_NAMESPACE)`);
        throw error;
      },
    );
    const { pollers } = await this.call(
      () =>
        this.client.workflowService.describeTaskQueue({
          namespace,
          taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
          taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        }),
      timeoutMs,
    );
    return { namespace, taskQueue, workersPolling: new Set((pollers ?? []).map((poller) => poller.identity)).size };
  }

  /**
   * Whether the namespace has the complaint search attributes (listing needs them; complaints start with them when
   * it has). Asked once; a "no" is asked again after a minute, so registering them later needs no restart.
   */
  async indexed(): Promise<boolean> {
    const cached = this.indexedCache;
    if (cached && (cached.value || this.now() - cached.at < 60_000)) return cached.value;
    let value: boolean;
    try {
      const check = await this.client.connection.withDeadline(Date.now() + this.options.timeoutMs, () =>
        checkSearchAttributes(this.client.connection, this.options.namespace),
      );
      value = check.missing.length === 0 && check.wrongType.length === 0;
    } catch (error) {
      // The time-skipping test server has no operator service (and cannot register search attributes); a
      // credential may not be allowed to ask. Either way: start complaints without them, and say so when listing.
      const code = grpcCode(error);
      if (code !== GRPC.UNIMPLEMENTED && code !== GRPC.PERMISSION_DENIED)
        throw unavailability(error, this.options.timeoutMs) ?? error;
      value = false;
    }
    this.indexedCache = { value, at: this.now() };
    return value;
  }

  // ------------------------------------------------------------------------------------------- intake

  async intake(body: IntakeBody, options: IntakeOptions): Promise<IntakeResult> {
    const nowMs = this.now();
    const keyed = options.idempotencyKey ? idempotentRequest(options.actor, options.idempotencyKey, body) : undefined;
    const resolved = refusalOrValue(() => {
      const receivedAtMs = receivedAtOf(body, nowMs);
      return { receivedAtMs, procedure: procedureOf(body, this.options, receivedAtMs) };
    });
    // The key first, whether or not a ref is given, and even for a refused body (so that a repeat answers the same
    // refusal and another body under the key is a 409): nothing is started before the key is this body's.
    if (keyed) await this.claimIntakeKey(keyed, resolved instanceof ApiError ? resolved : undefined);
    if (resolved instanceof ApiError) throw resolved;
    const { receivedAtMs, procedure } = resolved;
    const keySha256 = keyed?.keySha256;
    const memo: IntakeMemo = {
      v: 1,
      bodySha256: keyed?.bodySha256 ?? sha256Hex(canonicalJson(body)),
      ...(keySha256 ? { idempotencyKeySha256: keySha256 } : {}),
    };
    const year = refYear(receivedAtMs);
    const input = (ref: string) =>
      workflowInput(ref, body, procedure, { receivedAtMs, nowMs }, options.actor, this.options.councilCalendar);

    // The organisation gave the reference: it alone identifies the complaint.
    if (body.ref) {
      if (await this.tryStart(await this.sealed(input(body.ref)), memo))
        return this.created(input(body.ref), procedure);
      return this.repeated(
        body.ref,
        procedureKey(procedure),
        memo,
        await this.intakeMemo(body.ref),
        'reference-in-use',
      );
    }

    // A repeat of a keyed request made late on 31 December, without receivedAt, is numbered in the year before.
    if (keySha256 && !body.receivedAt) {
      const earlierYear = refYear(nowMs - YEAR_LOOKBACK_MS);
      if (earlierYear !== year) {
        const found = await this.findByKey(earlierYear, keySha256);
        if (found) return this.repeated(found.ref, procedureKey(procedure), memo, found.memo, 'idempotency-key-reused');
      }
    }
    const seed = keySha256 ?? randomSeed();
    for (let attempt = 0; attempt < MAX_REF_ATTEMPTS; attempt++) {
      const ref = candidateRef(this.options.refPrefix, year, seed, attempt);
      // A generated reference of an erased complaint (its workflow may be gone by retention) is never given again.
      const sealed = await this.sealed(input(ref)).catch((error: unknown) => {
        if (error instanceof ApiError && error.code === 'reference-in-use') return undefined;
        throw error;
      });
      if (!sealed) continue;
      if (await this.tryStart(sealed, memo)) return this.created(input(ref), procedure);
      if (keySha256) {
        const existing = await this.intakeMemo(ref);
        if (existing?.idempotencyKeySha256 === keySha256)
          return this.repeated(ref, procedureKey(procedure), memo, existing, 'idempotency-key-reused');
      }
    }
    throw new ApiError(
      503,
      'no-reference-available',
      `No free reference found for ${year} after ${MAX_REF_ATTEMPTS} tries; give one in ref`,
    );
  }

  /**
   * Claims the intake key for this body (see INTAKE_KEY_CLAIM_TYPE), with the refusal it is answered when refused;
   * a 409 when it was claimed for another body, and the first refusal again when it was claimed for this one.
   */
  private async claimIntakeKey(request: IdempotentRequest, refusal?: ApiError): Promise<void> {
    const workflowId = intakeKeyClaimId(request.keySha256);
    const memo: IntakeMemo = {
      v: 1,
      bodySha256: request.bodySha256,
      idempotencyKeySha256: request.keySha256,
      ...(refusal
        ? {
            refused: {
              status: refusal.statusCode,
              code: refusal.code,
              message: refusal.message,
              ...(refusal.details ? { details: refusal.details } : {}),
            },
          }
        : {}),
    };
    try {
      const handle = await this.call(() =>
        this.client.workflow.start(INTAKE_KEY_CLAIM_TYPE, {
          workflowId,
          taskQueue: `${this.options.taskQueue}:intake-key-claims`,
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          workflowIdConflictPolicy: 'FAIL',
          // Closes by itself should the termination below not reach the server.
          workflowExecutionTimeout: '1 minute',
          memo: { [MEMO_KEY]: memo },
        }),
      );
      await this.call(() => handle.terminate('an intake key claim is never run')).catch(() => undefined);
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      const description = await this.call(() => this.client.workflow.getHandle(workflowId).describe());
      const claimed = IntakeMemoSchema.safeParse(description.memo?.[MEMO_KEY]).data;
      replayOrConflict(request, claimed?.bodySha256 ?? '');
      const first = claimed?.refused;
      if (first) throw new ApiError(first.status, first.code, first.message, first.details);
    }
  }

  /**
   * The workflow's input with its personal fields sealed under the complaint's data key (made now). A reference whose
   * key was destroyed (an erased complaint Temporal no longer holds) is not given again.
   */
  private async sealed(input: ComplaintWorkflowInput): Promise<ComplaintWorkflowInput> {
    if (!this.options.personalData) return input;
    try {
      const details = await this.options.personalData.sealFields(input.ref, input.details, personalDetailFields);
      return { ...input, details };
    } catch (error) {
      if (error instanceof ErasedDataError)
        throw conflict('reference-in-use', `Reference ${input.ref} belonged to a complaint that was erased`);
      throw error;
    }
  }

  /** Every sealed field in `value` opened (platform/personal-data.ts PersonalData.open): what readers are given. */
  async opened<T>(value: T): Promise<T> {
    return this.options.personalData ? this.options.personalData.open(value) : value;
  }

  /** Starts the complaint; false when a workflow with that id exists (or existed). */
  private async tryStart(input: ComplaintWorkflowInput, memo: IntakeMemo): Promise<boolean> {
    const indexed = await this.indexed();
    try {
      await this.call(() =>
        this.client.workflow.start<typeof complaintWorkflow>(COMPLAINT_WORKFLOW_TYPE, {
          ...complaintStartOptions(input, { taskQueue: this.options.taskQueue, indexed }),
          memo: { [MEMO_KEY]: memo },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) return false;
      throw error;
    }
  }

  /** The started complaint as its workflow opens it (the same function over the same input and time). */
  private created(input: ComplaintWorkflowInput, procedure: Procedure): IntakeResult {
    const state = explained(openComplaint(input, procedure, input.openedAt!));
    return { ref: input.ref, procedure: procedureKey(procedure), created: true, state };
  }

  /** The request was made before (same ref or key): the same body gives that complaint, another body a 409. */
  private async repeated(
    ref: string,
    procedure: string,
    request: IntakeMemo,
    existing: IntakeMemo | undefined,
    code: 'reference-in-use' | 'idempotency-key-reused',
  ): Promise<IntakeResult> {
    if (code === 'idempotency-key-reused') replayOrConflict(request, existing?.bodySha256 ?? '');
    else if (existing?.bodySha256 !== request.bodySha256)
      throw conflict(code, `Reference ${ref} already belongs to another complaint`);
    // The body is the same, so is the procedure it resolved to (unless DEFAULT_PROCEDURE or the schedule changed in between).
    return { ref, procedure, created: false, state: null };
  }

  /** The intake memo of an existing workflow (undefined: not a complaint recorded through this API). */
  private async intakeMemo(ref: string): Promise<IntakeMemo | undefined> {
    const description = await this.call(() => this.client.workflow.getHandle(ref).describe());
    if (description.type !== COMPLAINT_WORKFLOW_TYPE) return undefined;
    const parsed = IntakeMemoSchema.safeParse(description.memo?.[MEMO_KEY]);
    return parsed.success ? parsed.data : undefined;
  }

  /** Walks a key's candidates for a year up to the first free one; a complaint made with the key is on the way. */
  private async findByKey(year: number, keySha256: string): Promise<{ ref: string; memo: IntakeMemo } | undefined> {
    for (let attempt = 0; attempt < MAX_REF_ATTEMPTS; attempt++) {
      const ref = candidateRef(this.options.refPrefix, year, keySha256, attempt);
      let memo: IntakeMemo | undefined;
      try {
        memo = await this.intakeMemo(ref);
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return undefined;
        throw error;
      }
      if (memo?.idempotencyKeySha256 === keySha256) return { ref, memo };
    }
    return undefined;
  }

  // ------------------------------------------------------------------------------------------- read

  /** The complaint's full state (the workflow query). */
  async state(ref: string): Promise<ComplaintState> {
    try {
      const state = await this.call(() => this.client.workflow.getHandle(ref).query(complaintStateQuery));
      return explained(await this.opened(state));
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw complaintNotFound(ref);
      if (error instanceof QueryNotRegisteredError && /did not register a handler/i.test(error.message))
        throw complaintNotFound(ref);
      throw error;
    }
  }

  // ------------------------------------------------------------------------------------------- calendar changes

  /**
   * Starts the batch that tells every open complaint of a change to the council's calendar (workflows/calendar-change.ts),
   * or finds the same change running (platform/calendar-change.ts: the same days are the same change).
   */
  async startCalendarChange(request: CalendarChangeRequest): Promise<{ id: string; add: string[]; remove: string[] }> {
    const { change } = await this.call(() =>
      startCalendarChange(this.client, request, { taskQueue: this.options.taskQueue }),
    );
    return { id: change.id, add: change.add, remove: change.remove };
  }

  /** Where a calendar change stands (404 when there is none by that id). */
  async calendarChange(id: string): Promise<Awaited<ReturnType<typeof calendarChangeStatus>>> {
    try {
      return await this.call(() => calendarChangeStatus(this.client, calendarChangeWorkflowId(id)));
    } catch (error) {
      if (error instanceof WorkflowNotFoundError)
        throw notFound('calendar-change-not-found', `There is no calendar change ${id}`);
      throw error;
    }
  }

  /** The raw event history as JSON, in the format of `temporal workflow show --output json` (and the replayer). */
  async history(ref: string): Promise<HistoryJson> {
    try {
      const history = await this.call(() => this.client.workflow.getHandle(ref).fetchHistory());
      const type = history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name;
      if (type !== COMPLAINT_WORKFLOW_TYPE) throw complaintNotFound(ref);
      return JSON.parse(historyToJson(history)) as HistoryJson;
    } catch (error) {
      // fetchHistory passes the server's NOT_FOUND through as a bare gRPC error.
      if (error instanceof WorkflowNotFoundError || grpcCode(error) === GRPC.NOT_FOUND) throw complaintNotFound(ref);
      throw error;
    }
  }

  /**
   * One page of complaints from Temporal visibility (search attributes only; no workflow is asked). Kept for the web
   * application's worklist (web/case-list.ts) until it lists through api/complaint-reads.ts ComplaintReads.list (the
   * register: filters, search, order, names); the API's GET /complaints no longer uses it.
   */
  async list(query: ListQuery): Promise<ComplaintList> {
    if (!(await this.indexed())) {
      throw new ApiError(
        503,
        'listing-unavailable',
        `The Temporal namespace "${this.options.namespace}" lacks the complaint search attributes; run npm run temporal:register-search-attributes`,
      );
    }
    const { limit, cursor, ...filters } = query;
    const visibility = visibilityQuery(filters);
    const pageToken = cursor ? decodeCursor(cursor, visibility, limit) : undefined;
    let response;
    try {
      response = await this.call(() =>
        this.client.workflowService.listWorkflowExecutions({
          namespace: this.options.namespace,
          query: visibility,
          pageSize: limit,
          ...(pageToken ? { nextPageToken: pageToken } : {}),
        }),
      );
    } catch (error) {
      if (pageToken && grpcCode(error) === GRPC.INVALID_ARGUMENT) {
        throw badRequest('invalid-cursor', 'The cursor is no longer valid; start again from the first page', [
          { in: 'querystring', path: 'cursor', message: 'expired or altered' },
        ]);
      }
      throw error;
    }
    const items = response.executions.map((raw) =>
      summaryOf({
        workflowId: raw.execution?.workflowId ?? '',
        startTime: timestampDate(raw.startTime) ?? new Date(0),
        closeTime: timestampDate(raw.closeTime),
        typedSearchAttributes: decodeComplaintSearchAttributes(raw.searchAttributes?.indexedFields),
      }),
    );
    const next = response.nextPageToken;
    return { items, nextCursor: next && next.length > 0 ? encodeCursor(visibility, limit, next) : null };
  }

  // ------------------------------------------------------------------------------------------- act

  /**
   * Executes an action as the workflow Update of the same name; the result is its answer: the complaint's revision
   * after it and what it recorded (workflows/messages.ts; api/complaint-reads.ts afterAction reads the complaint).
   * `idempotencyKey` becomes the Update id (with the action and the actor), so Temporal answers a repeat with the
   * first outcome instead of recording the action again; and the input Temporal accepted under that id (in the
   * history) is compared with this request's, so that another body under the key is a 409, not the first answer.
   */
  async act<A extends ActionName>(
    ref: string,
    action: A,
    body: ActionBody<A>,
    actor: Actor,
    idempotencyKey?: string,
  ): Promise<ActionAnswer> {
    const handle = this.client.workflow.getHandle(ref);
    const plainInput = { ...body, actor };
    const input = await this.sealedAction(ref, action, plainInput);
    // Scoped like intake keys: the same key from two people is two requests.
    const updateId = idempotencyKey ? keyedUpdateId(action, actor.id, idempotencyKey) : undefined;
    let answer: ActionAnswer;
    try {
      answer = await this.call(() =>
        handle.executeUpdate(actionUpdates[action], { args: [input] as never, ...(updateId ? { updateId } : {}) }),
      );
    } catch (error) {
      const refusal = await this.actionError(ref, error);
      // A keyed action refused by the rules is refused after acceptance (workflows/complaint-run.ts validate), so the
      // history holds its input: another body under the key is a 409 idempotency-key-reused, not the refusal.
      // Not for an unknown complaint (404: there is no history to read) nor when Temporal failed (5xx).
      if (updateId && !(refusal instanceof ApiError && (refusal.statusCode >= 500 || refusal.statusCode === 404)))
        await this.checkAcceptedInput(ref, updateId, plainInput);
      throw refusal;
    }
    if (updateId) {
      await this.checkAcceptedInput(ref, updateId, plainInput).catch((error: unknown) => {
        // Recorded, but not yet compared: "nothing was changed" would be untrue.
        if (!(error instanceof ApiError && error.statusCode === 503)) throw error;
        throw temporalUnavailable(
          'An action is recorded under this Idempotency-Key, but Temporal stopped answering before this body could be compared with it; retry with the same key',
        );
      });
    }
    return answer;
  }

  /** The action's input with its free text sealed under the complaint's key (409 once the complaint was erased). */
  private async sealedAction<T extends object>(ref: string, action: ActionName, input: T): Promise<T> {
    if (!this.options.personalData) return input;
    try {
      return await this.options.personalData.sealFields(
        sealingKeyFor(ref, action),
        input,
        personalActionFields[action].map((f) => [f]),
      );
    } catch (error) {
      if (error instanceof ErasedDataError)
        throw conflict(
          'complaint-erased',
          `The personal data of complaint ${ref} was erased; nothing more can be recorded`,
        );
      throw error;
    }
  }

  /**
   * Erases the complaint's personal data (POST /complaints/{ref}/erasure): records `personal-data-erased` in its
   * workflow (who, when, why; the action machinery, so an Idempotency-Key works as for any action), then destroys its
   * data key and search index and logs it (PersonalData.erase). A closed complaint's workflow takes no more actions:
   * the destruction log alone records it. Undefined answer: closed. A repeat destroys nothing more.
   */
  async erase(
    ref: string,
    body: ActionBody<'erase-personal-data'>,
    actor: Actor,
    idempotencyKey?: string,
  ): Promise<ActionAnswer | undefined> {
    const personal = this.options.personalData;
    if (!personal?.sealing)
      throw new ApiError(503, 'erasure-unavailable', 'This API keeps no data keys (no key ring is configured)');
    let answer: ActionAnswer | undefined;
    let refusal: unknown;
    try {
      answer = await this.act(ref, 'erase-personal-data', body, actor, idempotencyKey);
    } catch (error) {
      // Erased before (its key may not have been destroyed if that step failed): destroyed now, then the refusal.
      if (!(error instanceof ApiError && ['complaint-closed', 'already-erased'].includes(error.code))) throw error;
      if (error.code === 'already-erased') refusal = error;
    }
    await personal.erase(ref, { at: new Date(this.now()), by: actor, rule: 'request', reason: body.reason });
    if (refusal) throw refusal;
    return answer;
  }

  /** The idempotency rule for an action: the input accepted under `updateId` must be this request's. */
  private async checkAcceptedInput(ref: string, updateId: string, input: unknown): Promise<void> {
    const accepted = (await this.acceptedUpdate(ref, updateId))?.input?.args?.payloads;
    // Not in this run (accepted before a continue-as-new, or refused by the validator): nothing to compare with.
    if (!accepted?.length) return;
    const { payloadCodecs, payloadConverter } = this.client.options.loadedDataConverter;
    let payloads = accepted;
    for (const codec of [...payloadCodecs].reverse()) payloads = await codec.decode(payloads);
    // Sealed anew each time (a fresh IV): compared as text.
    const first: unknown = await this.opened(payloadConverter.fromPayload(payloads[0]!));
    replayOrConflict({ bodySha256: sha256Hex(canonicalJson(input)) }, sha256Hex(canonicalJson(first)));
  }

  /**
   * The request Temporal accepted under `updateId` in the current run, read newest first (an action just made is
   * near the end of a history of up to thousands of events); the whole history where the server cannot read
   * backwards.
   */
  private async acceptedUpdate(
    ref: string,
    updateId: string,
  ): Promise<temporal.api.update.v1.IRequest | null | undefined> {
    const acceptedIn = (events: temporal.api.history.v1.IHistoryEvent[] | null | undefined) =>
      events?.find(
        (event) => event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.meta?.updateId === updateId,
      )?.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest;
    let nextPageToken: Uint8Array | undefined;
    try {
      do {
        const page = await this.call(() =>
          this.client.workflowService.getWorkflowExecutionHistoryReverse({
            namespace: this.options.namespace,
            execution: { workflowId: ref },
            maximumPageSize: 200,
            ...(nextPageToken ? { nextPageToken } : {}),
          }),
        );
        const found = acceptedIn(page.history?.events);
        if (found) return found;
        nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
      } while (nextPageToken);
      return undefined;
    } catch (error) {
      if (grpcCode(error) !== GRPC.UNIMPLEMENTED) throw error;
      return acceptedIn((await this.call(() => this.client.workflow.getHandle(ref).fetchHistory())).events);
    }
  }

  private async actionError(ref: string, error: unknown): Promise<unknown> {
    if (error instanceof WorkflowUpdateFailedError) {
      const cause = error.cause;
      if (cause instanceof ApplicationFailure && cause.type === ACTION_REJECTED) {
        const code = (cause.details?.[0] as { code?: unknown } | undefined)?.code;
        return conflict(typeof code === 'string' ? code : 'action-rejected', cause.message);
      }
      if (cause instanceof ApplicationFailure && cause.type === INVALID_ACTION) {
        return badRequest('invalid-request', cause.message);
      }
      if (isComplaintWorkflowMissingHandler(error)) return complaintNotFound(ref);
      return error;
    }
    if (error instanceof WorkflowNotFoundError) {
      // The server says "not found" both for an unknown id and for a workflow that has completed.
      try {
        const description = await this.call(() => this.client.workflow.getHandle(ref).describe());
        if (description.type !== COMPLAINT_WORKFLOW_TYPE) return complaintNotFound(ref);
        const status = description.typedSearchAttributes.get(complaintStatusKey);
        const what =
          status === 'withdrawn'
            ? 'withdrawn'
            : status === 'closed'
              ? 'closed'
              : `finished (${description.status.name.toLowerCase()})`;
        return conflict('complaint-closed', `Complaint ${ref} is ${what}; nothing more can be recorded`);
      } catch (describeError) {
        return describeError instanceof WorkflowNotFoundError ? complaintNotFound(ref) : describeError;
      }
    }
    return error;
  }
}

export function complaintNotFound(ref: string): ApiError {
  return notFound('complaint-not-found', `There is no complaint ${ref}`);
}

/**
 * The state with every deadline explained, the first published versions' too (domain/complaint.ts explainedState): what
 * every answer that carries a complaint gives (api/complaint-reads.ts applies it to what the register holds).
 */
export function explained(state: ComplaintState): ComplaintState {
  const procedure = findProcedure(state.procedure.id, state.procedure.version);
  return procedure ? explainedState(state, procedure) : state;
}
