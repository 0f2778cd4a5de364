import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { accessRoute } from '../api/access-recorder';
import { actorFor, type Caller, READERS, type Role, requireRole } from '../api/auth';
import { ApiError } from '../api/errors';
import { isWholeState } from '../workflows/messages';
import { actionRoutes } from '../api/routes/actions';
import { describeEntries, londonTime } from '../audit/timeline';
import type { LetterRecord } from '../register/letters';
import { type ActionName, actionBodySchemas, type ComplaintCommand } from '../domain/actions';
import { applyEvent, decide, initialState, type ComplaintState } from '../domain/complaint';
import { ComplaintRefSchema } from '../domain/intake';
import { letterIdFor } from '../domain/digests';
import { letterChannel } from '../domain/letters';
import { noticeFor } from '../domain/notices';
import { findProcedure } from '../domain/procedures';
import { outcomes } from '../domain/vocabulary';
import {
  categoryWords,
  channelWords,
  deadlineWords,
  serviceAreaWords,
  standingWords,
  statusWords,
} from '../domain/words';
import { caseRow } from './case-list';
import { improvementActionPageRoutes, improvementActionsPart, improvementActionTimeline } from './improvement-actions';
import {
  capitalised,
  checkForm,
  errorsByField,
  type FieldError,
  type FieldNames,
  filled,
  formFieldErrors,
  formKey,
  newFormKey,
  yes,
} from './forms';
import type { WebContext } from './plugin';
import { pageContext, pageTitle } from './views';

// A complaint's page: its details, deadlines, timeline, notices and notes, and the actions this person may take
// now. Which actions are offered is decided by the API's rules alone: the roles of the action's API route
// (api/routes/actions.ts) and the procedure's `decide` (domain/complaint.ts) asked with a sample of the action.

/** The actions the page offers, with their labels, and how each form's fields become the action's body. */
export const pageActions: ReadonlyArray<{
  action: ActionName;
  label: string;
  body: (form: Record<string, unknown>, caller: Pick<Caller, 'id' | 'name'>) => Record<string, unknown>;
  /** A body that the rules accept whenever the action itself is allowed now (to ask `decide`). */
  sample: (callerId: string) => Record<string, unknown>;
  /** What the error messages call the body's fields. */
  names: FieldNames;
  /** The form's input (after `<action>-`) that an error at a body path belongs to, when not named as the path. */
  input?: (field: string) => string;
}> = [
  {
    action: 'acknowledge',
    label: 'Acknowledge',
    body: (f) => opt({ note: filled(f.note) }),
    sample: () => ({}),
    names: { note: { name: 'the note' } },
  },
  {
    action: 'record-outcome',
    label: 'Record the outcome',
    body: (f) =>
      opt({ outcome: filled(f.outcome), findings: filled(f.findings), actionsTaken: filled(f.actionsTaken) }),
    sample: () => ({ outcome: 'upheld' }),
    names: {
      outcome: { name: 'the outcome', choose: true },
      findings: { name: 'the findings' },
      actionsTaken: { name: 'the actions taken' },
    },
  },
  {
    action: 'request-escalation',
    label: 'Escalate',
    body: (f) => opt({ bypass: f.bypass === 'yes' ? true : undefined }),
    sample: () => ({}),
    names: {},
  },
  {
    action: 'grant-extension',
    label: 'Agree an extension',
    body: (f) =>
      opt({
        days: filled(f.days) && /^\d+$/.test(String(f.days)) ? Number(f.days) : filled(f.days),
        reason: filled(f.reason),
        agreedWithComplainant: f.agreedWithComplainant === undefined ? undefined : yes(f.agreedWithComplainant),
      }),
    sample: () => ({ days: 1, reason: 'sample reason', agreedWithComplainant: true }),
    names: {
      days: { name: 'the number of days to add' },
      reason: { name: 'the reason for the extension' },
      agreedWithComplainant: { name: 'whether the complainant agreed', choose: true },
    },
  },
  {
    action: 'assign',
    label: 'Assign',
    body: (f, caller) => {
      const id = filled(f.officerId);
      if (id) return { officer: opt({ id, name: filled(f.officerName) }) };
      // Taking the complaint: the person signed in, by their name too.
      return f.self === 'yes' ? { officer: opt({ id: caller.id, name: caller.name }) } : {};
    },
    sample: (callerId) => ({ officer: { id: callerId } }),
    names: {
      officer: { name: "the case officer's id" },
      'officer-id': { name: "the case officer's id" },
      'officer-name': { name: "the case officer's name" },
    },
    input: (field) => (field === 'officer-name' ? 'officer-name' : 'officer-id'),
  },
  {
    action: 'withdraw',
    label: 'Withdraw',
    body: (f) => opt({ reason: filled(f.reason) }),
    sample: () => ({}),
    names: { reason: { name: 'why the complainant withdrew' } },
  },
  {
    action: 'refer-to-ombudsman',
    label: 'Refer to the Ombudsman',
    body: (f) => opt({ reference: filled(f.reference) }),
    sample: () => ({}),
    names: { reference: { name: "the Ombudsman's reference" } },
  },
  {
    action: 'add-note',
    label: 'Add a note',
    body: (f) => opt({ text: filled(f.text) }),
    sample: () => ({ text: 'note' }),
    names: { text: { name: 'the note' } },
  },
];

function opt(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

const routeOf = (action: ActionName) => actionRoutes.find((route) => route.action === action)!;

/** The role in which this person may ask for the action (as requireRole picks it), if any. */
export function actingRole(roles: readonly Role[], action: ActionName): Role | undefined {
  return routeOf(action).roles.find((role) => roles.includes(role));
}

/** The actions this person may take on the complaint now. */
export function offeredActions(
  state: ComplaintState,
  caller: { id: string; name?: string; roles: readonly Role[] },
  nowMs: number,
): ActionName[] {
  const procedure = findProcedure(state.procedure.id, state.procedure.version);
  if (!procedure) return [];
  return pageActions
    .filter(({ action, sample }) => {
      const role = actingRole(caller.roles, action);
      if (!role) return false;
      const command = { action, ...sample(caller.id), actor: actorFor({ ...caller, roles: [...caller.roles] }, role) };
      return decide(state, command as ComplaintCommand, nowMs, procedure).ok;
    })
    .map(({ action }) => action);
}

interface CasePageProblem {
  action?: ActionName;
  errors: FieldError[];
  form?: Record<string, unknown>;
}

async function renderCase(
  request: FastifyRequest,
  reply: FastifyReply,
  context: WebContext,
  state: ComplaintState,
  problem: CasePageProblem = { errors: [] },
) {
  const caller = request.caller!;
  const nowMs = context.now();
  const offered = offeredActions(state, caller, nowMs);
  const procedure = findProcedure(state.procedure.id, state.procedure.version);
  const stageName = (id: string) => procedure?.stages.find((stage) => stage.id === id)?.name ?? id;
  const rows = describeEntries({ entries: state.timeline, causes: {} } as never);
  const done = (request.query as { done?: string }).done;
  const improvement = await improvementActionsPart(context, state, caller);
  return reply.view('case.njk', {
    ...pageContext(
      request,
      reply,
      context,
      pageTitle(`${state.ref} - ${state.details.complainant.name}`, problem.errors),
    ),
    state,
    row: caseRow(state, nowMs),
    words: {
      serviceArea: serviceAreaWords[state.details.serviceArea].title,
      category: categoryWords[state.details.category].title,
      channel: channelWords[state.details.channel].title,
      status: statusWords[state.status].title,
      outcome: (outcome: string) => standingWords[outcome as keyof typeof standingWords]?.title ?? outcome,
      deadline: deadlineWords,
    },
    stages: state.stages.map((stage) => ({ ...stage, name: stage.name || stageName(stage.stage) })),
    timeline: [
      ...rows.map((entry) => ({
        label: { text: state.timeline.find((e) => e.seq === entry.seq)?.type.replace(/-/g, ' ') ?? '' },
        text: entry.what,
        datetime: { timestamp: entry.at },
        byline: { text: entry.who },
      })),
      ...improvementActionTimeline(improvement?.list ?? []),
    ].sort((a, b) => b.datetime.timestamp.localeCompare(a.datetime.timestamp)),
    improvement,
    notices: await noticesOf(context, state),
    notes: state.timeline.filter((entry) => entry.type === 'note-added'),
    actions: pageActions
      .filter((a) => offered.includes(a.action))
      .map((a) => ({ action: a.action, label: a.label, path: routeOf(a.action).path })),
    callerMayAssignOthers: caller.roles.includes('manager'),
    outcomes: outcomes.map((value) => ({
      value,
      text: standingWords[value].title,
      checked: problem.form?.outcome === value,
    })),
    problem: { ...problem, byField: errorsByField(problem.errors) },
    formKey: newFormKey(),
    done: pageActions.find((a) => a.action === done)?.label ?? improvementDone[done ?? ''],
  });
}

interface NoticeRow {
  at: string;
  what: string;
  to: string;
  how: string;
  pdf?: string;
}

/** How a kept letter went: by e-mail, or by post (to post by a day, or posted by whom and when). */
function letterHow(letter: LetterRecord): string {
  if (letter.channel === 'email') return `E-mail${letter.recipientEmail ? ` to ${letter.recipientEmail}` : ''}`;
  if (letter.posted) return `Posted ${londonTime(letter.posted.at).slice(0, 10)} by ${letter.posted.by}`;
  return `Post: to post by ${letter.postBy ? londonTime(letter.postBy).slice(0, 10) : 'the next working day'}`;
}

function letterRow(letter: LetterRecord): NoticeRow {
  return {
    at: letter.createdAt,
    what: letter.subject,
    to: letter.recipientName,
    how: letterHow(letter),
    ...(letter.hasPdf ? { pdf: `/letters-to-post/${letter.id}/pdf` } : {}),
  };
}

/**
 * The letters and staff notices the complaint's events sent (domain/notices.ts, as the workflow decides them: letters
 * for everyone), each complainant's with its copy kept in the register when there is one (how it went, its PDF), and
 * any other letter kept for the complaint.
 */
async function noticesOf(context: WebContext, state: ComplaintState): Promise<NoticeRow[]> {
  const procedure = findProcedure(state.procedure.id, state.procedure.version);
  const kept = new Map((context.letters ? await context.letters.lettersOf(state.ref) : []).map((l) => [l.id, l]));
  const rows: NoticeRow[] = [];
  let replayed: ComplaintState | undefined;
  for (const entry of procedure ? state.timeline : []) {
    if (!replayed) replayed = initialState(entry);
    else applyEvent(replayed, entry);
    const notice = noticeFor(entry, replayed, procedure!, { letters: true });
    if (!notice) continue;
    const letter = kept.get(letterIdFor(notice.id));
    kept.delete(letterIdFor(notice.id));
    if (letter) rows.push({ ...letterRow(letter), at: entry.at });
    else
      rows.push({
        at: entry.at,
        what: capitalised(notice.kind.replace(/-/g, ' ')),
        to: notice.audience === 'staff' ? 'Staff' : notice.complainant.name,
        how: letterChannel(notice) === 'email' ? 'E-mail' : 'Post',
      });
  }
  rows.push(...[...kept.values()].map(letterRow));
  return rows.sort((a, b) => a.at.localeCompare(b.at));
}

const improvementDone: Record<string, string> = {
  'improvement-agreed': 'Agree an improvement action',
  'improvement-completed': 'Mark as completed',
};

/** A refusal in a person's words: the procedure's reason as the API gives it, or what a repeated form means. */
function refusalText(error: ApiError): string {
  if (error.code === 'idempotency-key-reused')
    return 'this form was sent already, with other details; the page now shows what was recorded. Send it again to record these details too';
  return error.message;
}

const RefSchema = z.object({ ref: ComplaintRefSchema });
/** After an action, the page asks for at least the revision its answer carried (read-your-writes). */
const RevisionSchema = z.object({ revision: z.coerce.number().int().min(1).max(1_000_000).optional() });

export function caseRoutes(app: FastifyInstance, context: WebContext): void {
  improvementActionPageRoutes(app, context, (request, reply, state, problem) =>
    renderCase(request, reply, context, state, problem as CasePageProblem),
  );
  app.get('/cases/:ref', { config: { browser: true }, onRequest: requireRole(...READERS) }, async (request, reply) => {
    const params = RefSchema.safeParse(request.params);
    if (!params.success) throw new ApiError(404, 'not-found', 'There is no complaint with that reference');
    const revision = RevisionSchema.safeParse(request.query);
    const atLeastRevision = revision.success ? revision.data.revision : undefined;
    const by = { viewer: request.caller!, route: accessRoute(request) };
    const read = await context.reads.get(params.data.ref, { ...(atLeastRevision ? { atLeastRevision } : {}), by });
    return renderCase(request, reply, context, read.state);
  });

  for (const page of pageActions) {
    const route = routeOf(page.action);
    app.post(
      `/cases/:ref/${route.path}`,
      { config: { browser: true }, onRequest: requireRole(...route.roles), preHandler: app.csrfProtection },
      async (request, reply) => {
        const params = RefSchema.safeParse(request.params);
        if (!params.success) throw new ApiError(404, 'not-found', 'There is no complaint with that reference');
        const ref = params.data.ref;
        const caller = request.caller!;
        const form = (request.body ?? {}) as Record<string, unknown>;
        const parsed = checkForm(actionBodySchemas[page.action], page.body(form, caller), page.names);
        if (!parsed.success) {
          const { state } = await context.reads.get(ref, { by: { viewer: caller, route: accessRoute(request) } });
          reply.code(400);
          const errors = formFieldErrors(page.action, parsed.error, page.names, page.input);
          return renderCase(request, reply, context, state, { action: page.action, errors, form });
        }
        let revision: number;
        try {
          const actor = actorFor(caller, request.actingRole!);
          const answer = await context.complaints.act(
            ref,
            page.action,
            parsed.data as never,
            actor,
            formKey(form.idempotencyKey),
          );
          revision = isWholeState(answer) ? answer.timeline.length : answer.revision;
        } catch (error) {
          // Refused by the rules (409) or by the workflow's own check of the body (400): the page again, the reason
          // in its error summary. Anything else (not found, Temporal down) is the error page.
          if (!(error instanceof ApiError) || (error.statusCode !== 409 && error.statusCode !== 400)) throw error;
          const { state } = await context.reads.get(ref, { by: { viewer: caller, route: accessRoute(request) } });
          reply.code(error.statusCode);
          return renderCase(request, reply, context, state, {
            action: page.action,
            errors: [{ field: 'form', text: `${page.label}: ${refusalText(error)}`, href: `#action-${page.action}` }],
            form,
          });
        }
        return reply.redirect(`/cases/${encodeURIComponent(ref)}?done=${page.action}&revision=${revision}`, 303);
      },
    );
  }
}
