import { createHash } from 'node:crypto';
import {
  defaultPayloadConverter,
  TypedSearchAttributes,
  type Payload,
  type SearchAttributePair,
  type Timestamp,
} from '@temporalio/common';
import { z } from 'zod';
import { endOfLondonDay, shiftIsoDate } from '../domain/calendar';
import {
  CategorySchema,
  ComplaintStatusSchema,
  InstantSchema,
  LocalDateSchema,
  PLAIN_TEXT_RULE,
  ServiceAreaSchema,
  STATED_RULE,
  TextSchema,
} from '../domain/vocabulary';
import {
  complaintCaseOfficerKey,
  complaintCategoryKey,
  complaintNextDeadlineKey,
  complaintOverdueKey,
  complaintReceivedAtKey,
  complaintServiceAreaKey,
  complaintStageKey,
  complaintSearchAttributes,
  complaintStatusKey,
  readSearchAttributes,
} from '../workflows/search-attributes';
import { COMPLAINT_WORKFLOW_TYPE } from '../workflows/start-options';
import { badRequest } from './errors';

// The filters of GET /complaints (api/complaint-reads.ts extends this schema and lists from the register), and the
// Temporal visibility query the same filters become, its cursor and the item read back from the search attributes:
// visibility stays for operators and the benchmark's raw comparison (bench/phases/read.ts); the API does not list
// from it since issue 17.
//
// Safety of the query: the field names come from a fixed table, never from the request; values are validated
// (enums, ISO instants) and, for the free-text officer id, escaped inside single quotes. Every string parameter is
// the one text schema first (domain/vocabulary.ts): no control character or unpaired surrogate gets further.

/** `a,b,c` → the distinct values, each valid for `item`. */
const list = <T extends string>(item: z.ZodType<T>, what: string) =>
  TextSchema.max(500)
    .transform((value, ctx) => {
      const parts = [
        ...new Set(
          value
            .split(',')
            .map((part) => part.trim())
            .filter(Boolean),
        ),
      ];
      const invalid = parts.filter((part) => !item.safeParse(part).success);
      if (parts.length === 0 || parts.length > 20 || invalid.length > 0) {
        ctx.addIssue({
          code: 'custom',
          message: invalid.length ? `not ${what}: ${invalid.join(', ')}` : `give 1 to 20 comma-separated ${what}s`,
        });
        return z.NEVER;
      }
      return parts as T[];
    })
    // The text rule is the one of TextSchema, stated again: this field's own rule replaces the inherited statement.
    .meta({ [STATED_RULE]: `1 to 20 comma-separated values, each ${what}. ${PLAIN_TEXT_RULE}` });

const options = (values: readonly string[]) => `one of ${values.join(', ')}`;

/** An instant, or a London date (whole day: from its first to its last millisecond). */
const instantOrDate = (edge: 'start' | 'end') =>
  z
    .union([InstantSchema, LocalDateSchema])
    .transform((value) => {
      if (value.length > 10) return new Date(value).toISOString();
      return new Date(
        edge === 'end' ? endOfLondonDay(value) : endOfLondonDay(shiftIsoDate(value, -1)) + 1,
      ).toISOString();
    })
    .meta({ [STATED_RULE]: `A date (YYYY-MM-DD) is the whole London day, to its ${edge}.` });

export const ListQuerySchema = z
  .object({
    status: list(ComplaintStatusSchema, `a status (${options(ComplaintStatusSchema.options)})`)
      .optional()
      .describe('Comma-separated: open, awaiting-escalation, closed, withdrawn'),
    stage: list(z.string().regex(/^[a-z0-9-]{1,64}$/), 'a stage id (e.g. level-1)')
      .optional()
      .describe('Comma-separated stage ids'),
    serviceArea: list(ServiceAreaSchema, `a service area (${options(ServiceAreaSchema.options)})`)
      .optional()
      .describe('Comma-separated service areas'),
    category: list(CategorySchema, `a category (${options(CategorySchema.options)})`)
      .optional()
      .describe('Comma-separated categories'),
    // Temporal's SQL visibility cannot match a backslash in a value, however it is escaped: such ids are refused.
    officer: TextSchema.trim()
      .min(1)
      .max(200)
      // Tab and line breaks, which plain text may hold, are no part of an id either.
      .regex(/^[^\\\t\r\n]+$/, 'an officer id without backslashes or line breaks')
      .optional()
      .describe("The case officer's id"),
    overdue: z
      .enum(['true', 'false'])
      .transform((value) => value === 'true')
      .meta({ [STATED_RULE]: 'Read as a boolean.' })
      .optional()
      .describe('Only complaints with (true) or without (false) a missed deadline in the current stage'),
    nextDeadlineBefore: instantOrDate('end')
      .optional()
      .describe('Next deadline at or before this instant (or the end of this London date)'),
    receivedFrom: instantOrDate('start')
      .optional()
      .describe('Received at or after this instant (or the start of this London date)'),
    receivedTo: instantOrDate('end')
      .optional()
      .describe('Received at or before this instant (or the end of this London date)'),
    limit: z.coerce.number().int().min(1).max(100).default(25).describe('Page size, 1 to 100'),
    cursor: TextSchema.max(4000).optional().describe('nextCursor of the previous page, with the same filters'),
  })
  .strict();
export type ListQuery = z.output<typeof ListQuerySchema>;
export type ListFilters = Omit<ListQuery, 'limit' | 'cursor'>;

/** A value inside single quotes in a visibility query. */
export function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

const oneOf = (field: string, values: readonly string[]) =>
  values.length === 1 ? `${field} = ${quote(values[0] as string)}` : `${field} IN (${values.map(quote).join(', ')})`;

/** The visibility query for the filters. Every clause's field name is a constant. */
export function visibilityQuery(filters: ListFilters): string {
  const clauses = [
    `WorkflowType = ${quote(COMPLAINT_WORKFLOW_TYPE)}`,
    // A complaint that continued as new has one visibility record per run; only the latest one counts.
    `ExecutionStatus != 'ContinuedAsNew'`,
  ];
  if (filters.status) clauses.push(oneOf(complaintStatusKey.name, filters.status));
  if (filters.stage) clauses.push(oneOf(complaintStageKey.name, filters.stage));
  if (filters.serviceArea) clauses.push(oneOf(complaintServiceAreaKey.name, filters.serviceArea));
  if (filters.category) clauses.push(oneOf(complaintCategoryKey.name, filters.category));
  if (filters.officer) clauses.push(`${complaintCaseOfficerKey.name} = ${quote(filters.officer)}`);
  if (filters.overdue !== undefined)
    clauses.push(`${complaintOverdueKey.name} = ${filters.overdue ? 'true' : 'false'}`);
  if (filters.nextDeadlineBefore)
    clauses.push(`${complaintNextDeadlineKey.name} <= ${quote(filters.nextDeadlineBefore)}`);
  if (filters.receivedFrom) clauses.push(`${complaintReceivedAtKey.name} >= ${quote(filters.receivedFrom)}`);
  if (filters.receivedTo) clauses.push(`${complaintReceivedAtKey.name} <= ${quote(filters.receivedTo)}`);
  return clauses.join(' AND ');
}

// The cursor carries Temporal's page token and a fingerprint of the query it belongs to, so that a cursor
// used with other filters (or page size) is refused instead of returning a wrong page.
const CursorSchema = z.object({ v: z.literal(1), q: z.string(), t: z.string() }).strict();

function fingerprint(query: string, limit: number): string {
  return createHash('sha256').update(`${limit}\n${query}`).digest('base64url').slice(0, 16);
}

export function encodeCursor(query: string, limit: number, pageToken: Uint8Array): string {
  return Buffer.from(
    JSON.stringify({ v: 1, q: fingerprint(query, limit), t: Buffer.from(pageToken).toString('base64') }),
  ).toString('base64url');
}

export function decodeCursor(cursor: string, query: string, limit: number): Uint8Array {
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
  if (parsed.q !== fingerprint(query, limit)) {
    throw badRequest('invalid-cursor', 'The cursor belongs to a list with other filters or another page size', [
      { in: 'querystring', path: 'cursor', message: 'use it with the filters and limit of the page it came from' },
    ]);
  }
  return Buffer.from(parsed.t, 'base64');
}

export const ComplaintSummarySchema = z
  .object({
    ref: z.string(),
    status: z.string().nullable(),
    stage: z.string().nullable(),
    serviceArea: z.string().nullable(),
    category: z.string().nullable(),
    caseOfficer: z.string().nullable().describe("The case officer's id"),
    procedure: z.string().nullable().describe('id@version'),
    receivedAt: z.string().nullable(),
    nextDeadline: z.string().nullable(),
    overdue: z.boolean().nullable(),
    startedAt: z.string().describe('When the complaint was recorded'),
    closedAt: z.string().nullable(),
  })
  .describe('A complaint as Temporal visibility lists it (search attributes); GET /complaints/{ref} has everything');
export type ComplaintSummary = z.infer<typeof ComplaintSummarySchema>;

export const ComplaintListSchema = z.object({
  items: z.array(ComplaintSummarySchema),
  nextCursor: z.string().nullable().describe('Pass as cursor for the next page; null on the last page'),
});
export type ComplaintList = z.infer<typeof ComplaintListSchema>;

const iso = (value: Date | undefined | null) => (value ? value.toISOString() : null);

export function summaryOf(execution: {
  workflowId: string;
  startTime: Date;
  closeTime?: Date | undefined;
  typedSearchAttributes: TypedSearchAttributes;
}): ComplaintSummary {
  return {
    ref: execution.workflowId,
    ...readSearchAttributes(execution.typedSearchAttributes),
    startedAt: execution.startTime.toISOString(),
    closedAt: iso(execution.closeTime),
  };
}

// Visibility's raw answer (listWorkflowExecutions, which takes the page token the cursor carries; the client's
// list() does not) decoded with the SDK's public payload converter, for the attributes of the table only.

/** The complaint search attributes in a raw execution's indexed fields. */
export function decodeComplaintSearchAttributes(
  indexedFields: Record<string, Payload> | null | undefined,
): TypedSearchAttributes {
  const pairs: SearchAttributePair[] = [];
  for (const { key, cliType } of Object.values(complaintSearchAttributes)) {
    const payload = indexedFields?.[key.name];
    if (!payload) continue;
    const value: unknown = defaultPayloadConverter.fromPayload(payload);
    const single = Array.isArray(value) ? (value as unknown[])[0] : value;
    if (single === undefined || single === null) continue;
    const typed = cliType === 'Datetime' ? new Date(String(single)) : single;
    pairs.push({ key, value: typed } as SearchAttributePair);
  }
  return new TypedSearchAttributes(pairs);
}

/** A protobuf timestamp (seconds and nanoseconds) as a Date; undefined when absent. */
export function timestampDate(ts: Timestamp | null | undefined): Date | undefined {
  if (!ts) return undefined;
  return new Date(Number(ts.seconds ?? 0) * 1000 + Math.floor((ts.nanos ?? 0) / 1_000_000));
}
