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
import { checkForm, errorsByField, fieldErrors, type FieldNames } from './forms';
import { optionalDate } from './period';
import type { WebContext } from './plugin';
import { pageContext, pageTitle } from './views';

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
  receivedFrom: optionalDate,
  receivedTo: optionalDate,
  sort: z.enum(listOrders).default('next-deadline'),
  cursor: text(4000),
});
type WorklistQuery = z.output<typeof WorklistQuerySchema>;

/** What the error messages call the filters. */
const names: FieldNames = {
  q: { name: 'the search' },
  status: { name: 'the status', choose: true },
  stage: { name: 'the stage', choose: true },
  serviceArea: { name: 'the service area', choose: true },
  category: { name: 'the category', choose: true },
  officer: { name: "the case officer's id" },
  procedure: { name: 'the procedure', choose: true },
  receivedFrom: { name: 'the date received from' },
  receivedTo: { name: 'the date received to' },
};

export const PAGE_SIZE = 25;
const OPEN = 'open,awaiting-escalation';

function tabFilters(tab: TabId, callerId: string, nowMs: number): CaseFilters {
  switch (tab) {
    case 'mine':
      return { officer: callerId, status: OPEN };
    case 'unassigned':
      return { unassigned: true, status: OPEN };
    case 'due':
      // Due by the end of the seventh day from today and not yet missed (those are the Overdue tab's).
      return {
        status: 'open',
        overdue: 'false',
        nextDeadlineBefore: new Date(endOfLondonDay(shiftIsoDate(londonDate(nowMs), 7))).toISOString(),
      };
    case 'overdue':
      return { status: 'open', overdue: 'true' };
    case 'open':
      return { status: OPEN };
  }
}

/** The filters' text as typed (each a string of at most 200 characters), to show again beside their errors. */
/** The tab asked for, when it is one. */
function validTab(query: unknown): TabId | undefined {
  const asked = (query as Record<string, unknown> | undefined)?.tab;
  return tabs.find((tab) => tab.id === asked)?.id;
}

function typedFilters(query: unknown): Partial<Record<(typeof filterKeys)[number], string>> {
  const asked = (query ?? {}) as Record<string, unknown>;
  return Object.fromEntries(
    filterKeys
      .filter((key) => typeof asked[key] === 'string' && asked[key] !== '')
      .map((key) => [key, (asked[key] as string).slice(0, 200)]),
  );
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

/** The stages of every procedure, once each (the SPSO procedures share their stages' ids and names). */
function stageChoices(): Array<{ value: string; text: string }> {
  const stages = new Map<string, string>();
  for (const procedure of listProcedures())
    for (const stage of procedure.stages) if (!stages.has(stage.id)) stages.set(stage.id, stage.name);
  return [...stages].map(([value, text]) => ({ value, text }));
}

/** Each procedure version (two versions of a procedure share its name: the version tells them apart). */
function procedureChoices(): Array<{ value: string; text: string }> {
  return listProcedures().map((p) => ({ value: `${p.id}@${p.version}`, text: `${p.name}, version ${p.version}` }));
}

function filterValueText(key: (typeof filterKeys)[number], value: string): string {
  const words: Partial<Record<string, Record<string, { title: string }>>> = {
    status: statusWords,
    serviceArea: serviceAreaWords,
    category: categoryWords,
  };
  if (key === 'procedure') return procedureChoices().find((choice) => choice.value === value)?.text ?? value;
  if (key === 'stage') return stageChoices().find((stage) => stage.value === value)?.text ?? value;
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
    const parsed = checkForm(WorklistQuerySchema, request.query, names);
    // A query in error: the list is not shown, and the filters keep what was typed, to be put right.
    const query: WorklistQuery = parsed.success
      ? parsed.data
      : { ...WorklistQuerySchema.parse({ tab: validTab(request.query) }), ...typedFilters(request.query) };
    const tab: TabId = query.tab ?? (caller.roles.includes('case-officer') ? 'mine' : 'open');
    const nowMs = context.now();
    const filters: CaseFilters = {
      ...tabFilters(tab, caller.id, nowMs),
      ...Object.fromEntries(filterKeys.filter((key) => query[key]).map((key) => [key, query[key]])),
    };
    let errors = parsed.success ? [] : fieldErrors(parsed.error, names);
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
        if (error instanceof z.ZodError) errors = fieldErrors(error, names);
        else if (error instanceof ApiError && error.statusCode === 400)
          errors = [
            {
              field: 'form',
              text: 'That page of the list has expired: start again from the first page',
              href: '#result-count',
            },
          ];
        else throw error;
      }
    }
    const sortLink = (sort: WorklistQuery['sort']) => linkWith({ ...query, tab }, { sort, cursor: undefined });
    const ariaSort = (...sorts: WorklistQuery['sort'][]) =>
      sorts.includes(query.sort) ? (query.sort === '-received' ? 'descending' : 'ascending') : 'none';
    return reply.view('worklist.njk', {
      ...pageContext(request, reply, context, pageTitle(`${tabs.find((t) => t.id === tab)!.label} - Worklist`, errors)),
      tabs: tabs.map((t) => ({
        text: t.label,
        href: linkWith({ ...query, tab: t.id }, { cursor: undefined }),
        active: t.id === tab,
      })),
      wide: true,
      tab,
      query,
      selectedFilters: selectedFilters(query, tab),
      errors,
      byField: errorsByField(errors),
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
        stage: [
          { value: '', text: 'Any' },
          ...stageChoices().map((stage) => ({ ...stage, selected: query.stage === stage.value })),
        ],
        procedure: [
          { value: '', text: 'Any' },
          ...procedureChoices().map((choice) => ({ ...choice, selected: query.procedure === choice.value })),
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
