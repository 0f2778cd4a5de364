import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { accessRoute } from '../api/access-recorder';
import { READERS, requireRole } from '../api/auth';
import { ApiError } from '../api/errors';
import { endOfLondonDay, londonDate, shiftIsoDate } from '../domain/calendar';
import { listProcedures } from '../domain/procedures';
import { categoryWords, serviceAreaWords, statusWords } from '../domain/words';
import { TextSchema } from '../domain/vocabulary';
import { listOrders } from '../register';
import { type CaseFilters, type CaseRow, listCases } from './case-list';
import { fieldErrors } from './forms';
import type { WebContext } from './plugin';
import { pageContext } from './views';

// The worklist (home page): tabs, a filter panel, a free-text search, a sortable table paged by the register's
// cursor (Next page; First page). Everything is the register's query (web/case-list.ts).

export const tabs = [
  { id: 'mine', label: 'My cases' },
  { id: 'unassigned', label: 'Unassigned' },
  { id: 'due', label: 'Due this week' },
  { id: 'overdue', label: 'Overdue' },
  { id: 'open', label: 'All open' },
] as const;
type TabId = (typeof tabs)[number]['id'];

const text = (max: number) => TextSchema.trim().max(max).optional();
const WorklistQuerySchema = z.object({
  tab: z.enum(tabs.map((tab) => tab.id) as [TabId, ...TabId[]]).optional(),
  q: text(200),
  status: text(100),
  stage: text(100),
  serviceArea: text(100),
  category: text(100),
  officer: text(200),
  procedure: text(100),
  receivedFrom: text(10),
  receivedTo: text(10),
  sort: z.enum(listOrders).default('next-deadline'),
  cursor: text(4000),
});
type WorklistQuery = z.output<typeof WorklistQuerySchema>;

export const PAGE_SIZE = 25;
const OPEN = 'open,awaiting-escalation';

function tabFilters(tab: TabId, callerId: string, nowMs: number): CaseFilters {
  switch (tab) {
    case 'mine':
      return { officer: callerId, status: OPEN };
    case 'unassigned':
      return { unassigned: true, status: OPEN };
    case 'due':
      return {
        status: 'open',
        nextDeadlineBefore: new Date(endOfLondonDay(shiftIsoDate(londonDate(nowMs), 7))).toISOString(),
      };
    case 'overdue':
      return { status: 'open', overdue: 'true' };
    case 'open':
      return { status: OPEN };
  }
}

const options = (words: Record<string, { title: string }>, chosen: string | undefined) => [
  { value: '', text: 'Any' },
  ...Object.entries(words).map(([value, word]) => ({ value, text: word.title, selected: value === chosen })),
];

function linkWith(
  query: WorklistQuery,
  change: Partial<Record<keyof WorklistQuery, string | number | undefined>>,
): string {
  const merged: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...query, ...change }))
    if (value !== undefined && value !== '') merged[key] = String(value);
  return `/?${new URLSearchParams(merged).toString()}`;
}

const filterKeys = [
  'q',
  'status',
  'stage',
  'serviceArea',
  'category',
  'officer',
  'procedure',
  'receivedFrom',
  'receivedTo',
] as const;
const filterHeadings: Record<(typeof filterKeys)[number], string> = {
  q: 'Search',
  status: 'Status',
  stage: 'Stage',
  serviceArea: 'Service area',
  category: 'Category',
  officer: 'Case officer',
  procedure: 'Procedure',
  receivedFrom: 'Received from',
  receivedTo: 'Received to',
};

function filterValueText(key: (typeof filterKeys)[number], value: string): string {
  const words: Partial<Record<string, Record<string, { title: string }>>> = {
    status: statusWords,
    serviceArea: serviceAreaWords,
    category: categoryWords,
  };
  if (key === 'procedure') return listProcedures().find((p) => `${p.id}@${p.version}` === value)?.name ?? value;
  return words[key]?.[value]?.title ?? value;
}

/** The MoJ filter's selected filters: one tag per filter in use, each a link to the list without it. */
function selectedFilters(query: WorklistQuery, tab: TabId) {
  const categories = filterKeys
    .filter((key) => query[key])
    .map((key) => ({
      heading: { text: filterHeadings[key] },
      items: [
        {
          href: linkWith({ ...query, tab }, { [key]: undefined, cursor: undefined }),
          text: filterValueText(key, query[key]!),
        },
      ],
    }));
  if (categories.length === 0) return undefined;
  return {
    heading: { text: 'Selected filters' },
    clearLink: { text: 'Clear filters', href: linkWith({ sort: query.sort, tab }, {}) },
    categories,
  };
}

export function worklistRoutes(app: FastifyInstance, context: WebContext): void {
  app.get('/', { config: { browser: true }, onRequest: requireRole(...READERS, 'intake') }, async (request, reply) => {
    const caller = request.caller!;
    if (!caller.roles.some((role) => READERS.includes(role))) return reply.redirect('/record', 303);
    const parsed = WorklistQuerySchema.safeParse(request.query);
    const query: WorklistQuery = parsed.success ? parsed.data : WorklistQuerySchema.parse({});
    const tab: TabId = query.tab ?? (caller.roles.includes('case-officer') ? 'mine' : 'open');
    const nowMs = context.now();
    const filters: CaseFilters = {
      ...tabFilters(tab, caller.id, nowMs),
      ...Object.fromEntries(filterKeys.filter((key) => query[key]).map((key) => [key, query[key]])),
    };
    let errors = parsed.success ? [] : fieldErrors(parsed.error);
    let page: { rows: CaseRow[]; nextCursor: string | null } = { rows: [], nextCursor: null };
    if (errors.length === 0) {
      try {
        page = await listCases(
          context.reads,
          { viewer: { id: caller.id, roles: caller.roles }, route: accessRoute(request) },
          { filters, sort: query.sort, pageSize: PAGE_SIZE, ...(query.cursor ? { cursor: query.cursor } : {}) },
          nowMs,
        );
      } catch (error) {
        if (error instanceof z.ZodError) errors = fieldErrors(error);
        else if (error instanceof ApiError && error.statusCode === 400)
          errors = [
            { field: 'form', text: 'That page of the list has expired: start again from the first page', href: '#' },
          ];
        else throw error;
      }
    }
    const sortLink = (sort: WorklistQuery['sort']) => linkWith({ ...query, tab }, { sort, cursor: undefined });
    const ariaSort = (...sorts: WorklistQuery['sort'][]) =>
      sorts.includes(query.sort) ? (query.sort === '-received' ? 'descending' : 'ascending') : 'none';
    return reply.view('worklist.njk', {
      ...pageContext(request, reply, context, `${tabs.find((t) => t.id === tab)!.label} - Worklist`),
      tabs: tabs.map((t) => ({
        text: t.label,
        href: linkWith({ ...query, tab: t.id }, { cursor: undefined }),
        active: t.id === tab,
      })),
      tab,
      query,
      selectedFilters: selectedFilters(query, tab),
      errors,
      rows: page.rows.map((row) => ({
        ...row,
        serviceAreaTitle: serviceAreaWords[row.serviceArea as keyof typeof serviceAreaWords]?.title ?? row.serviceArea,
      })),
      shown: page.rows.length,
      more: page.nextCursor !== null,
      filterItems: {
        status: options(statusWords, query.status),
        serviceArea: options(serviceAreaWords, query.serviceArea),
        category: options(categoryWords, query.category),
        procedure: [
          { value: '', text: 'Any' },
          ...listProcedures().map((p) => ({
            value: `${p.id}@${p.version}`,
            text: p.name,
            selected: query.procedure === `${p.id}@${p.version}`,
          })),
        ],
      },
      sorts: {
        received: {
          href: sortLink(query.sort === 'received' ? '-received' : 'received'),
          aria: ariaSort('received', '-received'),
        },
        deadline: { href: sortLink('next-deadline'), aria: ariaSort('next-deadline') },
        ref: { href: sortLink('ref'), aria: ariaSort('ref') },
      },
      pagination: {
        ...(query.cursor
          ? { previous: { text: 'First page', href: linkWith({ ...query, tab }, { cursor: undefined }) } }
          : {}),
        ...(page.nextCursor
          ? { next: { text: 'Next page', href: linkWith({ ...query, tab }, { cursor: page.nextCursor }) } }
          : {}),
      },
    });
  });
}
