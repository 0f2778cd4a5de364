import { type ListQuery, ListQuerySchema } from '../api/complaint-list';
import type { ComplaintService } from '../api/complaint-service';
import { isOverdue, nextDeadline, type ComplaintState } from '../domain/complaint';
import { nextDeadlineInWords } from '../domain/deadline-words';
import { stageDefinition } from '../domain/procedure';
import { findProcedure } from '../domain/procedures';

// THE ONE ADAPTER between the web pages and the complaints list. Today it reads what GET /complaints reads
// (Temporal visibility, which holds no personal data) and then each listed complaint's state for the complainant's
// name and the summary, so the free-text search, "unassigned" and the sort are applied here, over at most
// MAX_SCANNED complaints. When the register becomes the read model (issue 17), this file calls its list function
// instead; the pages do not change.

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

export type CaseSort = 'received' | 'deadline' | 'ref';

export interface CaseListQuery {
  filters: CaseFilters;
  sort: CaseSort;
  order: 'asc' | 'desc';
  page: number;
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
  total: number;
  /** More matched than were scanned: the list is cut short. */
  truncated: boolean;
}

export const MAX_SCANNED = 500;
const VISIBILITY_PAGE = 100;

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

function matchesText(row: CaseRow, q: string): boolean {
  const words = q.toLowerCase().split(/\s+/).filter(Boolean);
  const haystack = [row.ref, row.complainant, row.email ?? '', row.summary].join('\n').toLowerCase();
  return words.every((word) => haystack.includes(word));
}

function compare(sort: CaseSort): (a: CaseRow, b: CaseRow) => number {
  if (sort === 'ref') return (a, b) => a.ref.localeCompare(b.ref);
  if (sort === 'deadline')
    return (a, b) =>
      (a.nextDeadlineAt ?? '9999').localeCompare(b.nextDeadlineAt ?? '9999') || a.ref.localeCompare(b.ref);
  return (a, b) => a.receivedAt.localeCompare(b.receivedAt) || a.ref.localeCompare(b.ref);
}

async function statesOf(complaints: ComplaintService, refs: string[]): Promise<ComplaintState[]> {
  const states: ComplaintState[] = [];
  for (let i = 0; i < refs.length; i += 10) {
    const batch = await Promise.all(refs.slice(i, i + 10).map((ref) => complaints.state(ref).catch(() => undefined)));
    states.push(...batch.filter((state): state is ComplaintState => state !== undefined));
  }
  return states;
}

/** One page of the worklist. Invalid filters throw the API's 400 (the list's one schema checks them). */
export async function listCases(
  complaints: ComplaintService,
  query: CaseListQuery,
  nowMs: number,
): Promise<CaseListPage> {
  const { q, unassigned, procedure, ...visible } = query.filters;
  const defined = Object.fromEntries(
    Object.entries(visible).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = ListQuerySchema.safeParse({ ...defined, limit: String(VISIBILITY_PAGE) });
  if (!parsed.success) throw parsed.error;
  const refs: string[] = [];
  let cursor: string | null = null;
  let truncated = false;
  do {
    const listQuery: ListQuery = { ...parsed.data, ...(cursor ? { cursor } : {}) };
    const page = await complaints.list(listQuery);
    refs.push(...page.items.map((item) => item.ref));
    cursor = page.nextCursor;
    if (refs.length >= MAX_SCANNED && cursor) truncated = true;
  } while (cursor && !truncated);
  let rows = (await statesOf(complaints, refs)).map((state) => caseRow(state, nowMs));
  if (unassigned) rows = rows.filter((row) => !row.officer);
  if (procedure) rows = rows.filter((row) => row.procedure.startsWith(procedure));
  if (q?.trim()) rows = rows.filter((row) => matchesText(row, q));
  rows.sort(compare(query.sort));
  if (query.order === 'desc') rows.reverse();
  const start = (query.page - 1) * query.pageSize;
  return { rows: rows.slice(start, start + query.pageSize), total: rows.length, truncated };
}
