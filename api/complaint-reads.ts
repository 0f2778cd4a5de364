import { setBounded } from '../domain/bounded-map';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { ComplaintSnapshot } from '../activities/contract';
import { stateAtRevision, type ComplaintState, type TimelineEntry } from '../domain/complaint';
import { canonicalJson } from '../domain/idempotency';
import { STATED_RULE, TextSchema } from '../domain/vocabulary';
import {
  type CountBy,
  type ListedSnapshot,
  listOrders,
  type Register,
  type RegisterCounts,
  type RegisterListQuery,
  type RegisterListRow,
} from '../register';
import { MAX_QUERY_WORDS, searchTermsOf, searchWords } from '../register/search';
import { DATA_KEY_CACHE_MS } from '../platform/personal-data';
import { type ActionAnswer, isWholeState } from '../workflows/messages';
import type { RegisterRepairs } from './register-repairs';
import type { AccessRecorder } from './access-recorder';
import { mayReadPersonalData, type Role } from './auth';
import { ComplaintSummarySchema, ListQuerySchema as FilterQuerySchema } from './complaint-list';
import { type ComplaintService, explained } from './complaint-service';
import { ApiError, badRequest } from './errors';

// Reading complaints (issue 17): the register is the read model. GET /complaints, GET /complaints/:ref, the answers
// of intake and actions, and the web application's worklist and complaint page all read through ComplaintReads, one
// object for all of them. The workflow writes the register before it answers an action (a local activity), so the
// register is as new as the last answer, except when that write fell back to the ordinary activity (it retries in the
// background): then a read that asks for at least the revision it was given falls back to the workflow's query.
//
// Revision: a complaint's revision is its timeline's last seq (every change records at least one entry). An action's
// answer carries it (header Complaint-Revision; and it is the last entry's seq in the body). A read with
// atLeastRevision=N answers that revision or a newer one (read-your-writes), from the register when its row has it,
// else from the workflow.

/** Who is reading (the API's caller, the web application's signed-in person). */
export interface Viewer {
  id: string;
  roles: readonly Role[];
}

/** A read's reader and the route it came through: the access log records both (api/access-recorder.ts). */
export interface ReadBy {
  viewer: Viewer;
  /** "GET /complaints/:ref", the web application's "GET /cases/:ref"... (`accessRoute`). */
  route: string;
}

export type ReadSource = 'register' | 'workflow';

export interface ComplaintRead {
  state: ComplaintState;
  /** The timeline's last seq. */
  revision: number;
  /** Where it was read: the register (the read model) or the workflow's query (the register lagged or lacks it). */
  from: ReadSource;
}

/** The list's query: the filters of complaint-list.ts, plus the procedure, the free-text search and the order. */
export const ComplaintListQuerySchema = FilterQuerySchema.extend({
  unassigned: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .meta({ [STATED_RULE]: 'Read as a boolean.' })
    .optional()
    .describe('Only complaints without (true) or with (false) a case officer'),
  procedure: TextSchema.max(500)
    .transform((value, ctx) => {
      const parts = [
        ...new Set(
          value
            .split(',')
            .map((part) => part.trim())
            .filter(Boolean),
        ),
      ];
      const parsed = parts.map((part) => /^([a-z0-9-]{1,64})(?:@([1-9][0-9]{0,5}))?$/.exec(part));
      if (parts.length === 0 || parts.length > 20 || parsed.some((match) => !match)) {
        ctx.addIssue({ code: 'custom', message: 'give 1 to 20 comma-separated procedures, each id or id@version' });
        return z.NEVER;
      }
      return parsed.map((match) => ({
        id: match![1]!,
        ...(match![2] ? { version: Number(match![2]) } : {}),
      }));
    })
    .optional()
    .describe('Comma-separated procedures: id (any version) or id@version'),
  q: TextSchema.trim()
    .min(1)
    .max(200)
    .optional()
    .describe(
      `Free-text search over the reference, the complainant's name and e-mail and the summary: every word (at most ${MAX_QUERY_WORDS}) is a whole word of the complaint, case and accents ignored`,
    ),
  sort: z
    .enum(listOrders)
    .default('-received')
    .describe(
      'received (oldest first), -received (newest first, the default), next-deadline (soonest first, none last), ref',
    ),
}).strict();
export type ComplaintListQuery = z.output<typeof ComplaintListQuerySchema>;

export const ComplaintListItemSchema = ComplaintSummarySchema.extend({
  nextDeadlineKind: z.string().nullable().describe('acknowledgement, response, escalation-window or referral-window'),
  serious: z.boolean(),
  complainantName: z
    .string()
    .nullable()
    .describe("The complainant's name; null for a caller whose roles may not see personal data"),
  summary: z.string().nullable().describe('The summary; null for a caller whose roles may not see personal data'),
  revision: z.number().int().describe("The complaint's revision this item shows (its timeline's last seq)"),
}).describe('A complaint as the register lists it; GET /complaints/{ref} has everything');
export type ComplaintListItem = z.infer<typeof ComplaintListItemSchema>;

export const ComplaintListSchema = z.object({
  items: z.array(ComplaintListItemSchema),
  nextCursor: z.string().nullable().describe('Pass as cursor for the next page; null on the last page'),
});
export type ComplaintList = z.infer<typeof ComplaintListSchema>;

// The cursor carries the last item's order key and ref, and a fingerprint of the query it belongs to, so that a
// cursor used with other filters, order or page size is refused instead of returning a wrong page.
const CursorSchema = z.object({ v: z.literal(2), f: z.string(), k: z.string().nullable(), r: z.string() }).strict();

function fingerprint(query: Omit<ComplaintListQuery, 'cursor'>): string {
  const canonical = JSON.stringify(Object.entries(query).sort(([a], [b]) => a.localeCompare(b)));
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 16);
}

function encodeCursor(f: string, key: string | null, ref: string): string {
  return Buffer.from(JSON.stringify({ v: 2, f, k: key, r: ref })).toString('base64url');
}

function decodeCursor(cursor: string, f: string): { key: string | null; ref: string } {
  let parsed: z.infer<typeof CursorSchema> | undefined;
  try {
    parsed = CursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    parsed = undefined;
  }
  if (!parsed)
    throw badRequest('invalid-cursor', 'The cursor is not one this API gave out', [
      { in: 'querystring', path: 'cursor', message: 'not a cursor from this API' },
    ]);
  if (parsed.f !== f)
    throw badRequest('invalid-cursor', 'The cursor belongs to a list with other filters, order or page size', [
      {
        in: 'querystring',
        path: 'cursor',
        message: 'use it with the filters, sort and limit of the page it came from',
      },
    ]);
  return { key: parsed.k, ref: parsed.r };
}

/** The complaint's state from its register row and timeline. */
function stateOf(snapshot: ComplaintSnapshot, timeline: TimelineEntry[]): ComplaintState {
  const { lastSeq: _lastSeq, nextDeadline: _nextDeadline, overdue: _overdue, ...rest } = snapshot;
  return { ...rest, timeline };
}

/** The state without the complaint's personal details (every root of domain/personal-fields.ts personalDetailFields). */
function withoutPersonalDetails(state: ComplaintState): ComplaintState {
  const { representative: _representative, ...details } = state.details;
  return { ...state, details: { ...details, complainant: { name: '' }, summary: '' } };
}

/** Whether the register's timeline is whole: seqs 1..lastSeq, each once. */
function isWhole(snapshot: ComplaintSnapshot, entries: readonly TimelineEntry[]): boolean {
  return entries.length === snapshot.lastSeq && entries.every((entry, i) => entry.seq === i + 1);
}

/** `value` and everything in it frozen. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** The same entries, key order aside (the register's jsonb keeps its own order). */
const sameEntries = (a: readonly TimelineEntry[], b: readonly TimelineEntry[]) => canonicalJson(a) === canonicalJson(b);

/** What intake sees of an earlier complaint found by its look-up (ComplaintReads.earlierContacts). */
export interface EarlierContact {
  ref: string;
  receivedAt: string;
  serviceArea: string;
  status: string;
  complainantName: string;
}

/** What of the register the reads use. */
type ReadModelRegister = Pick<
  Register,
  'readComplaint' | 'complaintVersion' | 'listComplaints' | 'countComplaints' | 'personalData'
>;
type ListingRegister = Pick<Register, 'listComplaints'>;
/** A page of whole snapshots (a list of complaints as they stand: the web application's worklist). */
const whole = (register: ListingRegister, query: RegisterListQuery) => register.listComplaints(query);

/**
 * How long a complaint read from the register is kept opened in this process (while its row is unchanged), and how
 * many: as long as a data key is kept (platform/personal-data.ts DATA_KEY_CACHE_MS), so that a complaint erased by
 * another process (whose row an erasure by retention does not change) reads as erased here within the same time.
 */
const RECENT_READ_MS = DATA_KEY_CACHE_MS;
const RECENT_READS_KEPT = 2_000;

export class ComplaintReads {
  /** Complaints read from the register, by reference (recentRead). */
  private readonly recent = new Map<string, { version: string; read: ComplaintRead; untilMs: number }>();

  constructor(
    /** `opened`: the one opening of sealed personal fields (platform/personal-data.ts), applied to all it answers. */
    private readonly complaints: Pick<ComplaintService, 'state' | 'opened'>,
    /** The read model; absent (tests of the API alone), every complaint is read from its workflow and lists are 503. */
    private readonly register?: ReadModelRegister,
    /** The access log: reads given a `ReadBy` that disclose personal data are recorded in it. */
    private readonly access?: Pick<AccessRecorder, 'record'>,
    /** Read repair (api/register-repairs.ts): a complaint whose register entries Temporal contradicts is rewritten. */
    private readonly repairs?: Pick<RegisterRepairs, 'request'>,
  ) {}

  /**
   * A complaint, in full (`read`); with `by`, recorded in the access log when the viewer may read personal data.
   */
  async get(ref: string, options: { atLeastRevision?: number; by?: ReadBy } = {}): Promise<ComplaintRead> {
    const read = await this.read(ref, options);
    if (options.by) await this.access?.record(options.by.viewer, options.by.route, [ref]);
    return read;
  }

  /**
   * A complaint, in full: from the register when its row is whole and at least `atLeastRevision`, else from the
   * workflow (404 when there is none; 503 when Temporal does not answer).
   */
  private async read(ref: string, options: { atLeastRevision?: number }): Promise<ComplaintRead> {
    const atLeast = options.atLeastRevision ?? 0;
    const recent = await this.recentRead(ref);
    if (recent && recent.revision >= atLeast) return recent;
    const registered = await this.register?.readComplaint(ref);
    if (registered && registered.snapshot.lastSeq >= atLeast && isWhole(registered.snapshot, registered.entries)) {
      const read: ComplaintRead = {
        state: explained(await this.complaints.opened(stateOf(registered.snapshot, registered.entries))),
        revision: registered.snapshot.lastSeq,
        from: 'register',
      };
      this.keepRecent(ref, registered.version, read);
      return read;
    }
    const state = await this.complaints.state(ref);
    return { state, revision: state.timeline.length, from: 'workflow' };
  }

  /**
   * The complaint as last read from the register, opened and explained, while its row is still the one read (the
   * register's version of it, read without its JSON) and for RECENT_READ_MS at most. Reading the row's JSON, opening
   * its sealed fields and counting its first-version deadlines again were most of a read's time (bench/README.md).
   */
  private async recentRead(ref: string): Promise<ComplaintRead | undefined> {
    const recent = this.recent.get(ref);
    if (!recent) return undefined;
    if (recent.untilMs <= Date.now() || (await this.register?.complaintVersion(ref)) !== recent.version) {
      this.recent.delete(ref);
      return undefined;
    }
    return recent.read;
  }

  private keepRecent(ref: string, version: string, read: ComplaintRead): void {
    // Frozen: every caller gets this same object, and none may change what the next one reads.
    setBounded(
      this.recent,
      ref,
      { version, read: deepFreeze(read), untilMs: Date.now() + RECENT_READ_MS },
      RECENT_READS_KEPT,
    );
  }

  /**
   * The complaint exactly at `revision` (an action's answer: the state just after it), checked against the entries
   * the action recorded when they are known; from the register, else from the workflow.
   */
  async at(ref: string, revision: number, recorded: readonly TimelineEntry[] = []): Promise<ComplaintRead> {
    const read = await this.read(ref, { atLeastRevision: revision });
    recorded = await this.complaints.opened(recorded);
    const first = recorded[0]?.seq;
    const held = first === undefined ? [] : read.state.timeline.slice(first - 1, first - 1 + recorded.length);
    if (read.from === 'register' && first !== undefined && !sameEntries(held, recorded)) {
      // The register holds other entries under those seqs (a lost task's, not yet replaced): ask the workflow, and
      // have the register rewritten from it.
      this.repairs?.request(ref);
      const state = await this.complaints.state(ref);
      return { state: explained(stateAtRevision(state, revision)), revision, from: 'workflow' };
    }
    const state = explained(stateAtRevision(read.state, revision));
    return { ...read, state, revision: Math.min(read.revision, revision) };
  }

  /** The complaint an action's Update answered with (logged as read `by`, see `get`). */
  async afterAction(ref: string, answer: ActionAnswer, by?: ReadBy): Promise<ComplaintRead> {
    const read = await this.answered(ref, answer);
    if (by) await this.access?.record(by.viewer, by.route, [ref]);
    return read;
  }

  /** The complaint an action's Update answered with: its whole state (an old run's answer) or its revision. */
  private async answered(ref: string, answer: ActionAnswer): Promise<ComplaintRead> {
    if (isWholeState(answer))
      return {
        state: explained(await this.complaints.opened(answer)),
        revision: answer.timeline.length,
        from: 'workflow',
      };
    return this.at(ref, answer.revision, answer.recorded);
  }

  /** One page of complaints, from the register (the same for the API's GET /complaints and the web application). */
  async list(query: ComplaintListQuery, viewer: Viewer, route: string): Promise<ComplaintList> {
    const personal = mayReadPersonalData(viewer);
    const { rows, nextCursor } = await this.page(query, viewer, route, (register, q) =>
      register.listComplaints(q, 'listed'),
    );
    const items = rows.map(({ snapshot, recordedAt }) => listItem(snapshot, recordedAt, personal));
    // Opened only for a viewer who may read them (the others' items carry none).
    return { items: personal ? await this.complaints.opened(items) : items, nextCursor };
  }

  /**
   * The same page as `list`, each complaint as it stands without its timeline (the web application's worklist
   * words each row's deadline from it): only for a viewer who may read personal data (403 otherwise).
   */
  async listStates(
    query: ComplaintListQuery,
    viewer: Viewer,
    route: string,
    options: { personalData?: boolean } = {},
  ): Promise<{ states: ComplaintState[]; nextCursor: string | null }> {
    if (!mayReadPersonalData(viewer))
      throw new ApiError(403, 'forbidden', 'Listing complaints in full needs a role that may read personal data');
    if (options.personalData === false) {
      // A page that shows none of it (the team page): left out, not opened, not in the access log.
      const { rows, nextCursor } = await this.page(query, viewer, route, whole, { logged: false });
      return { states: rows.map(({ snapshot }) => withoutPersonalDetails(stateOf(snapshot, []))), nextCursor };
    }
    const { rows, nextCursor } = await this.page(query, viewer, route, whole);
    return { states: await this.complaints.opened(rows.map(({ snapshot }) => stateOf(snapshot, []))), nextCursor };
  }

  /**
   * The complaints the list's filters match (its search, order and page aside) counted per case officer or per
   * service area, with those `due` (a status, a next deadline by a time) and overdue: counts disclose no personal
   * data, so nothing is opened or logged.
   */
  async counts(
    query: ComplaintListQuery,
    by: CountBy,
    due: { status: readonly string[]; nextDeadlineBefore: string },
  ): Promise<RegisterCounts[]> {
    if (!this.register)
      throw new ApiError(503, 'listing-unavailable', 'This API has no register to list complaints from');
    const { cursor: _cursor, q: _q, sort: _sort, limit: _limit, ...filters } = query;
    return this.register.countComplaints(filters, by, due);
  }

  /**
   * Intake's look-up before recording a complaint, so that a repeat contact is not recorded twice: the register's
   * search (a blind index: api/complaint-reads.ts list), kept to complaints whose complainant's NAME or E-MAIL holds
   * every word typed (whole words: a summary that mentions the name is not a match), newest first; each shows only
   * what recognises a repeat (reference, received, service area, status) and the matched complainant's name, which
   * intake typed. Any role that records complaints may ask (intake may not list personal data otherwise:
   * `mayReadPersonalData`). It discloses that the person complained, and when: with `by`, every complaint shown is in
   * the access log, whatever the role.
   */
  async earlierContacts(q: string, limit = 20, by?: ReadBy): Promise<EarlierContact[]> {
    if (!this.register)
      throw new ApiError(503, 'listing-unavailable', 'This API has no register to list complaints from');
    const personal = this.register.personalData;
    const terms = searchTermsOf(personal, q);
    if (terms.length === 0) return [];
    // More than `limit`, since the summary's words match too and are dropped here.
    const rows = await this.register.listComplaints({ search: terms, order: '-received', limit: limit * 5 }, 'listed');
    const contacts: EarlierContact[] = [];
    for (const { snapshot } of rows) {
      const complainant = await this.complaints.opened(snapshot.details.complainant);
      const hashed = searchWords(snapshot.ref, { complainant, summary: '' }).map((word) => personal.searchHash(word));
      const words = new Set(hashed);
      if (!terms.every((term) => words.has(term))) continue;
      contacts.push({
        ref: snapshot.ref,
        receivedAt: snapshot.receivedAt,
        serviceArea: snapshot.details.serviceArea,
        status: snapshot.status,
        complainantName: complainant.name,
      });
      if (contacts.length === limit) break;
    }
    if (by && contacts.length > 0)
      await this.access?.record(
        by.viewer,
        by.route,
        contacts.map((contact) => contact.ref),
        { toAnyRole: true },
      );
    return contacts;
  }

  /**
   * One page of rows, read by `read` (whole snapshots or listed ones); the complaints on it are logged as read when
   * the viewer may read their personal data.
   */
  private async page<S extends ListedSnapshot>(
    query: ComplaintListQuery,
    viewer: Viewer,
    route: string,
    read: (register: ListingRegister, query: RegisterListQuery) => Promise<RegisterListRow<S>[]>,
    options: { logged?: boolean } = {},
  ): Promise<{ rows: RegisterListRow<S>[]; nextCursor: string | null }> {
    if (!this.register)
      throw new ApiError(503, 'listing-unavailable', 'This API has no register to list complaints from');
    const personal = mayReadPersonalData(viewer);
    const { cursor, q, sort, limit, ...filters } = query;
    const search = q === undefined ? [] : searchTermsOf(this.register.personalData, q);
    if (search.length > 0 && !personal)
      throw new ApiError(403, 'forbidden', 'Searching by name, e-mail or summary needs a role that may read them');
    const f = fingerprint({ ...filters, ...(q === undefined ? {} : { q }), sort, limit });
    const after = cursor ? decodeCursor(cursor, f) : undefined;
    const registerQuery: RegisterListQuery = {
      ...filters,
      ...(search.length ? { search } : {}),
      order: sort,
      limit,
      ...(after ? { after } : {}),
    };
    // A query of nothing but punctuation matches nothing (rather than everything).
    const rows = q !== undefined && search.length === 0 ? [] : await read(this.register, registerQuery);
    const page = rows.slice(0, limit);
    if (options.logged !== false)
      await this.access?.record(
        viewer,
        route,
        page.map((row) => row.snapshot.ref),
      );
    const last = page[page.length - 1];
    return {
      rows: page,
      nextCursor: rows.length > limit && last ? encodeCursor(f, last.key, last.snapshot.ref) : null,
    };
  }
}

function listItem(snapshot: ListedSnapshot, recordedAt: string, personal: boolean): ComplaintListItem {
  return {
    ref: snapshot.ref,
    status: snapshot.status,
    stage: snapshot.currentStage,
    serviceArea: snapshot.details.serviceArea,
    category: snapshot.details.category,
    caseOfficer: snapshot.caseOfficer?.id ?? null,
    procedure: `${snapshot.procedure.id}@${snapshot.procedure.version}`,
    receivedAt: snapshot.receivedAt,
    nextDeadline: snapshot.nextDeadline?.dueAt ?? null,
    overdue: snapshot.overdue,
    startedAt: recordedAt,
    closedAt: snapshot.closure?.at ?? snapshot.withdrawal?.at ?? null,
    nextDeadlineKind: snapshot.nextDeadline?.kind ?? null,
    serious: snapshot.details.serious,
    complainantName: personal ? snapshot.details.complainant.name : null,
    summary: personal ? snapshot.details.summary : null,
    revision: snapshot.lastSeq,
  };
}
