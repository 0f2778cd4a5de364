import type { ReadBy } from '../api/complaint-reads';
import { ComplaintListQuerySchema, type ComplaintReads } from '../api/complaint-reads';
import { isOverdue, nextDeadline, type ComplaintState } from '../domain/complaint';
import { nextDeadlineInWords } from '../domain/deadline-words';
import { stageDefinition } from '../domain/procedure';
import { findProcedure } from '../domain/procedures';
import type { CountBy, ListOrder, RegisterCounts } from '../register';

// THE ONE ADAPTER between the web pages and the complaints list: the register, the read model (issue 17), through
// ComplaintReads.listStates, the same query as GET /complaints. Filters, search, order and paging are all the
// register's query; nothing is filtered here; the team page's counts are the register's too (`countCases`).

export interface CaseFilters {
  status?: string;
  stage?: string;
  serviceArea?: string;
  category?: string;
  officer?: string;
  procedure?: string;
  overdue?: 'true' | 'false';
  nextDeadlineBefore?: string;
  receivedFrom?: string;
  receivedTo?: string;
  /** Only complaints without a case officer. */
  unassigned?: boolean;
  /** Free text over reference, complainant name, e-mail and summary. */
  q?: string;
}

/** The worklist's orders: the register's (api/complaint-reads.ts `sort`). */
export type CaseSort = ListOrder;

export interface CaseListQuery {
  filters: CaseFilters;
  sort: CaseSort;
  /** The previous page's nextCursor. */
  cursor?: string;
  pageSize: number;
}

export interface CaseRow {
  ref: string;
  complainant: string;
  email?: string;
  summary: string;
  serviceArea: string;
  status: string;
  stage: string;
  stageName: string;
  receivedAt: string;
  nextDeadlineAt?: string;
  deadlineWords: string;
  overdue: boolean;
  officer?: { id: string; name?: string };
  procedure: string;
}

export interface CaseListPage {
  rows: CaseRow[];
  /** Give as `cursor` for the next page; null on the last. */
  nextCursor: string | null;
}

/** A complaint as a worklist row (the words for its deadline from domain/deadline-words.ts). */
export function caseRow(state: ComplaintState, nowMs: number): CaseRow {
  const procedure = findProcedure(state.procedure.id, state.procedure.version);
  const next = procedure ? nextDeadline(state, procedure) : undefined;
  const stage = procedure ? stageDefinition(procedure, state.currentStage) : undefined;
  return {
    ref: state.ref,
    complainant: state.details.complainant.name,
    ...(state.details.complainant.email ? { email: state.details.complainant.email } : {}),
    summary: state.details.summary,
    serviceArea: state.details.serviceArea,
    status: state.status,
    stage: state.currentStage,
    stageName: stage?.name ?? state.currentStage,
    receivedAt: state.receivedAt,
    ...(next ? { nextDeadlineAt: next.dueAt } : {}),
    deadlineWords: nextDeadlineInWords(state, next, nowMs, stage?.respond.within.kind ?? 'working'),
    overdue: isOverdue(state),
    ...(state.caseOfficer
      ? { officer: { id: state.caseOfficer.id, ...(state.caseOfficer.name ? { name: state.caseOfficer.name } : {}) } }
      : {}),
    procedure: `${state.procedure.id}@${state.procedure.version}`,
  };
}

/** The list's query (the API's one schema: invalid filters throw its 400). */
function listQueryOf(query: CaseListQuery) {
  const { unassigned, ...rest } = query.filters;
  const defined = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined && value !== ''));
  return ComplaintListQuerySchema.parse({
    ...defined,
    ...(unassigned ? { unassigned: 'true' } : {}),
    sort: query.sort,
    limit: String(query.pageSize),
    ...(query.cursor ? { cursor: query.cursor } : {}),
  });
}

/**
 * One page of the worklist. `personalData: false`, for a page that shows none of it (the team page): the rows'
 * complainant and summary are left empty, and nothing is opened or logged.
 */
export async function listCases(
  reads: ComplaintReads,
  by: ReadBy,
  query: CaseListQuery,
  nowMs: number,
  options: { personalData?: boolean } = {},
): Promise<CaseListPage> {
  const page = await reads.listStates(listQueryOf(query), by.viewer, by.route, options);
  return { rows: page.states.map((state) => caseRow(state, nowMs)), nextCursor: page.nextCursor };
}

/** The complaints the filters match, counted per case officer or per service area (the team page). */
export function countCases(
  reads: ComplaintReads,
  filters: CaseFilters,
  by: CountBy,
  due: { status: readonly string[]; nextDeadlineBefore: string },
): Promise<RegisterCounts[]> {
  return reads.counts(listQueryOf({ filters, sort: 'ref', pageSize: 1 }), by, due);
}
