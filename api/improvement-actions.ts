import { randomBytes } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { z } from 'zod';
import { londonDate, type HolidayCalendar } from '../domain/calendar';
import type { ComplaintState } from '../domain/complaint';
import { EMPTY_COUNCIL_CALENDAR, type CouncilCalendar } from '../domain/council-calendar';
import {
  DEFAULT_IMPROVEMENT_REMINDERS,
  improvementActionStatus,
  improvementReminders,
  type ImprovementAction,
  type ImprovementActionStatus,
  type ImprovementReminderRule,
  mayAgreeImprovementAction,
} from '../domain/improvement-actions';
import { councilHolidayCalendar } from '../domain/scottish-holidays';
import { ErasedDataError } from '../platform/personal-data';
import { LocalDateSchema, TextSchema, type Actor } from '../domain/vocabulary';
import type {
  ImprovementActionEvent,
  ImprovementActionRecord,
  ImprovementActionStore,
} from '../register/improvement-actions';
import { improvementActionEventKinds } from '../register/improvement-actions';
import type { ImprovementActionWorkflowInput } from '../activities/contract';
import {
  improvementActionCompletedSignal,
  improvementActionWorkflowId,
  type improvementActionWorkflow,
} from '../workflows/improvement-action';
import { idempotentRequest, replayOrConflict } from './complaint-service';
import { ApiError, badRequest, conflict, notFound } from './errors';
import { canonicalJson, sha256Hex } from './references';

// Improvement actions (issue 16) for the API and the web application: agreeing one at a complaint with a recorded
// outcome (kept in the register, then its reminders' workflow started), listing them with their status, and
// completing one with evidence (the register first: the first completion stands; then the workflow is told, which
// cancels the reminders left). The rules of status and reminders are domain/improvement-actions.ts.

export const NewImprovementActionSchema = z
  .object({
    what: TextSchema.trim().min(1).max(2_000).describe('What will be done (fit to publish: no personal details)'),
    owner: TextSchema.trim()
      .min(1)
      .max(200)
      .describe("The owner's staff directory id: they are reminded before the due date and on it"),
    dueDate: LocalDateSchema.describe('The London day it is due by (YYYY-MM-DD), today or later, within five years'),
  })
  .strict();
export type NewImprovementActionBody = z.infer<typeof NewImprovementActionSchema>;

export const ImprovementActionCompletionSchema = z
  .object({ evidence: TextSchema.trim().min(1).max(5_000).describe('What shows it was done') })
  .strict();

/** An action due further ahead is almost certainly a typing error (and beyond the holiday calendar's years). */
const MAX_DUE_AHEAD_MS = 5 * 366 * 24 * 3_600_000;

export const improvementActionStatuses = ['open', 'completed', 'overdue'] as const;

export const ImprovementActionSchema = z
  .object({
    id: z.string(),
    ref: z.string(),
    what: z.string(),
    owner: z.string(),
    dueDate: z.string(),
    status: z.enum(improvementActionStatuses).describe('overdue: not completed by the end of its due day (London)'),
    agreedAt: z.string(),
    agreedBy: z.string(),
    completion: z.object({ evidence: z.string(), by: z.string(), at: z.string() }).nullable(),
    events: z
      .array(z.object({ kind: z.enum(improvementActionEventKinds), at: z.string(), by: z.string() }))
      .describe("The action's timeline: agreed, the owner's reminders, completed"),
  })
  .meta({ id: 'ImprovementAction' });
export type ImprovementActionView = z.infer<typeof ImprovementActionSchema>;
export const ImprovementActionListSchema = z.object({ improvementActions: z.array(ImprovementActionSchema) });

export interface ImprovementActionServiceDependencies {
  actions: ImprovementActionStore;
  /** The complaints' Temporal client and task queue (read when first needed: tests of the documents stub it). */
  temporal(): { client: Client; taskQueue: string };
  /** The complaint as it stands (404 when unknown): ComplaintReads.get or the complaint service's query. */
  complaintState(ref: string): Promise<ComplaintState>;
  councilCalendar?: CouncilCalendar;
  reminderRule?: ImprovementReminderRule;
  now?: () => number;
}

/** The reminders' workflow's input: the owner's reminders after the action was agreed, under `holidays`. */
export function improvementActionWorkflowInput(
  action: ImprovementAction,
  rule: ImprovementReminderRule,
  holidays: HolidayCalendar,
): ImprovementActionWorkflowInput {
  return {
    actionId: action.id,
    ref: action.ref,
    reminders: improvementReminders(action, rule, holidays, Date.parse(action.agreedAt)).map((reminder) => ({
      kind: reminder.kind,
      at: new Date(reminder.atMs).toISOString(),
    })),
  };
}

/**
 * An action's texts are sealed under its complaint's data key: once the complaint's personal data is erased (the key
 * destroyed) nothing more can be written for it, as for the complaint's own actions (api/complaint-service.ts).
 */
async function nothingOnErased<T>(ref: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof ErasedDataError)
      throw conflict(
        'complaint-erased',
        `The personal data of complaint ${ref} was erased; nothing more can be recorded`,
      );
    throw error;
  }
}

/** The action's id: from the caller's Idempotency-Key when given (a repeat is the same action), else random. */
function actionIdFor(ref: string, actor: Actor, key: string | undefined): string {
  const hex = key
    ? sha256Hex(`${ref}\n${idempotentRequest(actor, key, null).keySha256}`).slice(0, 24)
    : randomBytes(12).toString('hex');
  return `IA-${hex}`;
}

export class ImprovementActionService {
  private readonly now: () => number;

  constructor(private readonly deps: ImprovementActionServiceDependencies) {
    this.now = deps.now ?? Date.now;
  }

  /** Agrees an action for a complaint whose current stage has an outcome; a keyed repeat answers the first. */
  async agree(
    ref: string,
    body: NewImprovementActionBody,
    actor: Actor,
    idempotencyKey?: string,
  ): Promise<{ action: ImprovementActionView; created: boolean }> {
    const id = actionIdFor(ref, actor, idempotencyKey);
    const requestSha256 = sha256Hex(canonicalJson({ ref, ...body }));
    const earlier = await this.deps.actions.get(id);
    if (earlier) {
      replayOrConflict({ bodySha256: requestSha256 }, earlier.requestSha256);
      await this.startReminders(earlier);
      return { action: await this.view(earlier), created: false };
    }
    const state = await this.deps.complaintState(ref);
    if (!mayAgreeImprovementAction(state))
      throw conflict('no-outcome-recorded', 'An improvement action is agreed at an outcome: record an outcome first');
    const nowMs = this.now();
    if (body.dueDate < londonDate(nowMs) || body.dueDate > londonDate(nowMs + MAX_DUE_AHEAD_MS))
      throw badRequest('invalid-request', 'dueDate is out of range', [
        { in: 'body', path: 'dueDate', message: 'must be today or later (London), within five years' },
      ]);
    const record: ImprovementActionRecord = {
      id,
      ref,
      serviceArea: state.details.serviceArea,
      ...body,
      agreedAt: new Date(nowMs).toISOString(),
      agreedBy: actor.id,
      requestSha256,
    };
    const kept = await nothingOnErased(ref, () => this.deps.actions.agree(record));
    await this.startReminders(kept);
    return { action: await this.view(kept), created: true };
  }

  /** A complaint's actions, oldest first. */
  async ofComplaint(ref: string): Promise<ImprovementActionView[]> {
    return this.views(await this.deps.actions.list({ ref }));
  }

  /** Every action, or those of one status now. */
  async list(status?: ImprovementActionStatus): Promise<ImprovementActionView[]> {
    const all = await this.views(await this.deps.actions.list());
    return status ? all.filter((action) => action.status === status) : all;
  }

  /** Completes an action with evidence, by its owner or a manager; a second completion is a 409. */
  async complete(id: string, evidence: string, actor: Actor): Promise<ImprovementActionView> {
    const action = await this.deps.actions.get(id);
    if (!action) throw notFound('improvement-action-not-found', `There is no improvement action ${id}`);
    if (actor.role !== 'manager' && actor.id !== action.owner)
      throw new ApiError(403, 'forbidden', "Only the action's owner or a manager may complete it");
    const outcome = await nothingOnErased(action.ref, () =>
      this.deps.actions.complete(id, { evidence, by: actor.id, at: new Date(this.now()) }),
    );
    if (!outcome.ok && outcome.why === 'already-completed')
      throw conflict('already-completed', `Improvement action ${id} was completed already`);
    if (!outcome.ok) throw notFound('improvement-action-not-found', `There is no improvement action ${id}`);
    try {
      const { client } = this.deps.temporal();
      await client.workflow.getHandle(improvementActionWorkflowId(id)).signal(improvementActionCompletedSignal);
    } catch (error) {
      // No reminders running (they never started, or were ended): the register's completion is what counts.
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
    return this.view(outcome.action);
  }

  /** Starts the reminders' workflow once (its id is the action's); a repeat finds it started. */
  private async startReminders(action: ImprovementActionRecord): Promise<void> {
    if (action.completion) return;
    const holidays = councilHolidayCalendar(
      Number(action.dueDate.slice(0, 4)),
      this.deps.councilCalendar ?? EMPTY_COUNCIL_CALENDAR,
    ).holidays;
    const input = improvementActionWorkflowInput(
      action,
      this.deps.reminderRule ?? DEFAULT_IMPROVEMENT_REMINDERS,
      holidays,
    );
    const { client, taskQueue } = this.deps.temporal();
    try {
      await client.workflow.start<typeof improvementActionWorkflow>('improvementActionWorkflow', {
        workflowId: improvementActionWorkflowId(action.id),
        taskQueue,
        args: [input],
      });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
  }

  private async views(actions: ImprovementActionRecord[]): Promise<ImprovementActionView[]> {
    const refs = [...new Set(actions.map((action) => action.ref))];
    const events = new Map<string, ImprovementActionEvent[]>();
    for (const ref of refs)
      for (const event of await this.deps.actions.eventsOf(ref))
        events.set(event.actionId, [...(events.get(event.actionId) ?? []), event]);
    return actions.map((action) => viewOf(action, events.get(action.id) ?? [], this.now()));
  }

  private async view(action: ImprovementActionRecord): Promise<ImprovementActionView> {
    return (await this.views([action]))[0]!;
  }
}

function viewOf(action: ImprovementActionRecord, events: ImprovementActionEvent[], nowMs: number) {
  return {
    id: action.id,
    ref: action.ref,
    what: action.what,
    owner: action.owner,
    dueDate: action.dueDate,
    status: improvementActionStatus(action, nowMs),
    agreedAt: action.agreedAt,
    agreedBy: action.agreedBy,
    completion: action.completion ?? null,
    events: events.map(({ kind, at, by }) => ({ kind, at, by })),
  };
}
