// The OpenAPI document states every constraint the request schemas enforce: what JSON Schema can express (patterns,
// lengths, enums, formats, bounds, required) as its keywords, which the zod schemas give it; and every refinement
// it cannot express (plain text, the calendar's years, "days or newDeadline"), in the field's description. This
// walks each request schema (zod) beside its place in /docs/json and fails on a refined field that states nothing.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { buildApp } from '../../api/app';
import type { ComplaintService } from '../../api/complaint-service';
import { ListQuerySchema } from '../../api/complaint-list';
import { AccessLogQuerySchema } from '../../api/routes/access-log';
import { actionRoutes } from '../../api/routes/actions';
import { ImprovementActionCompletionSchema, NewImprovementActionSchema } from '../../api/improvement-actions';
import { ImprovementActionListQuerySchema, ImprovementActionParamsSchema } from '../../api/routes/improvement-actions';
import { DestructionLogQuerySchema } from '../../api/routes/erasure';
import { SubjectAccessQuerySchema } from '../../api/subject-access';
import { CalendarChangeBodySchema, CalendarChangeParamsSchema } from '../../api/routes/calendar';
import { IdempotentHeadersSchema, RefParamsSchema } from '../../api/schemas';
import type { Register } from '../../register';
import { actionBodySchemas } from '../../domain/actions';
import { AnnualReportQuerySchema, ReportQuerySchema } from '../../domain/annual-report';
import { ComplimentListQuerySchema, NewComplimentSchema } from '../../domain/compliments';
import { IntakeSchema } from '../../domain/intake';
import { PLAIN_TEXT_RULE, STATED_RULE } from '../../domain/vocabulary';
import { testTokens } from '../support/api';

type Json = Record<string, unknown>;
interface Operation {
  parameters?: Array<{ name: string; in: string; description?: string; schema: Json }>;
  requestBody?: { content: { 'application/json': { schema: Json } } };
}
interface RequestSchemas {
  body?: z.ZodType;
  querystring?: z.ZodType;
  params?: z.ZodType;
  headers?: z.ZodType;
}

/** Every operation's request schemas; an operation of the document that takes input and is not here fails. */
const requestSchemas: Record<string, RequestSchemas> = {
  'post /complaints': { body: IntakeSchema, headers: IdempotentHeadersSchema },
  'get /complaints': { querystring: ListQuerySchema },
  'get /complaints/{ref}': { params: RefParamsSchema },
  'get /complaints/{ref}/history': { params: RefParamsSchema },
  'get /complaints/{ref}/access-log': { params: RefParamsSchema, querystring: AccessLogQuerySchema },
  'get /subject-access': { querystring: SubjectAccessQuerySchema },
  ...Object.fromEntries(
    actionRoutes.map((route) => [
      `post /complaints/{ref}/${route.path}`,
      { body: actionBodySchemas[route.action], params: RefParamsSchema, headers: IdempotentHeadersSchema },
    ]),
  ),
  'post /complaints/{ref}/erasure': {
    body: actionBodySchemas['erase-personal-data'],
    params: RefParamsSchema,
    headers: IdempotentHeadersSchema,
  },
  'get /destruction-log': { querystring: DestructionLogQuerySchema },
  'post /calendar/changes': { body: CalendarChangeBodySchema },
  'get /calendar/changes/{id}': { params: CalendarChangeParamsSchema },
  'post /compliments': { body: NewComplimentSchema },
  'get /compliments': { querystring: ComplimentListQuerySchema },
  'get /reports/annual': { querystring: AnnualReportQuerySchema },
  'get /reports/spso': { querystring: ReportQuerySchema },
  'get /reports/complaints.csv': { querystring: ReportQuerySchema },
  'get /reports/compliments.csv': { querystring: ReportQuerySchema },
  'post /complaints/{ref}/improvement-actions': {
    params: RefParamsSchema,
    headers: IdempotentHeadersSchema,
    body: NewImprovementActionSchema,
  },
  'get /complaints/{ref}/improvement-actions': { params: RefParamsSchema },
  'get /improvement-actions': { querystring: ImprovementActionListQuerySchema },
  'post /improvement-actions/{id}/completion': {
    params: ImprovementActionParamsSchema,
    body: ImprovementActionCompletionSchema,
  },
};

let app: FastifyInstance;
let document: { paths: Record<string, Record<string, Operation>> };

beforeAll(async () => {
  // The document needs neither Temporal nor the register: neither is asked.
  app = await buildApp({ complaints: {} as ComplaintService, tokens: testTokens(), register: {} as Register });
  document = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
});

afterAll(async () => {
  await app?.close();
});

type Def = {
  type: string;
  checks?: Array<{ _zod: { def: { check: string } } }>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  options?: z.ZodType[];
};
const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** Whether the schema refines its values beyond its type: a refine, or a transform that can refuse. */
function refines(schema: z.ZodType): boolean {
  const def = defOf(schema);
  if (def.checks?.some((check) => check._zod.def.check === 'custom')) return true;
  return def.type === 'pipe' && defOf(def.out!).type === 'transform';
}

/** The problems of one field: refined in zod, without its stated rule in the document's description. */
function walk(schema: z.ZodType, node: Json, where: string, description: string | undefined, problems: string[]) {
  let current = schema;
  for (;;) {
    if (refines(current)) {
      const rule = node[STATED_RULE];
      const said = description ?? (node.description as string | undefined) ?? '';
      if (typeof rule !== 'string' || !said.includes(rule))
        problems.push(`${where}: refined, but its rule is not stated`);
    }
    const def = defOf(current);
    if (['optional', 'default', 'nullable', 'readonly', 'prefault'].includes(def.type)) current = def.innerType!;
    else if (def.type === 'pipe') current = def.in!;
    else break;
  }
  const def = defOf(current);
  if (def.type === 'object') {
    const properties = (node.properties ?? {}) as Record<string, Json>;
    for (const [key, child] of Object.entries(def.shape!)) {
      if (!properties[key]) problems.push(`${where}.${key}: missing from the document`);
      else walk(child, properties[key], `${where}.${key}`, undefined, problems);
    }
  } else if (def.type === 'array') {
    walk(def.element!, node.items as Json, `${where}[]`, undefined, problems);
  } else if (def.type === 'union') {
    const members = (node.anyOf ?? node.oneOf) as Json[] | undefined;
    def.options!.forEach((option, i) =>
      members?.[i]
        ? walk(option, members[i], `${where}|${i}`, undefined, problems)
        : problems.push(`${where}|${i}: missing from the document`),
    );
  }
}

function problemsOf(key: string, operation: Operation, schemas: RequestSchemas): string[] {
  const problems: string[] = [];
  if (schemas.body) {
    const body = operation.requestBody?.content['application/json'].schema;
    if (!body) problems.push(`${key}: no request body documented`);
    else walk(schemas.body, body, `${key} body`, undefined, problems);
  }
  for (const part of ['querystring', 'params', 'headers'] as const) {
    const schema = schemas[part];
    if (!schema) continue;
    const where = { querystring: 'query', params: 'path', headers: 'header' }[part];
    const shape = defOf(schema).shape ?? {};
    for (const [name, field] of Object.entries(shape)) {
      const parameter = operation.parameters?.find((p) => p.in === where && p.name === name);
      if (!parameter) problems.push(`${key} ${where} ${name}: missing from the document`);
      else walk(field, parameter.schema, `${key} ${where} ${name}`, parameter.description, problems);
    }
  }
  return problems;
}

describe('the OpenAPI document', () => {
  it('lists the request schemas of every operation that takes input', () => {
    const withInput = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([, operation]) => operation.parameters?.length || operation.requestBody)
        .map(([method]) => `${method} ${path}`),
    );
    expect(withInput.filter((key) => !requestSchemas[key])).toEqual([]);
  });

  it("states each refinement JSON Schema cannot express in the field's description", () => {
    const problems = Object.entries(requestSchemas).flatMap(([key, schemas]) => {
      const [method, path] = key.split(' ') as [string, string];
      const operation = document.paths[path]?.[method];
      return operation ? problemsOf(key, operation, schemas) : [`${key}: not in the document`];
    });
    expect(problems).toEqual([]);
  });

  it('keeps what JSON Schema can express as its keywords (a sample of each kind)', () => {
    const intake = document.paths['/complaints']!.post!.requestBody!.content['application/json'].schema as Json & {
      properties: Record<string, Json & { properties?: Record<string, Json> }>;
    };
    expect(intake.required).toEqual(['complainant', 'serviceArea', 'category', 'channel', 'summary']);
    expect(intake.properties.ref!.pattern).toBeDefined();
    expect(intake.properties.summary).toMatchObject({ minLength: 1, maxLength: 10_000 });
    expect(intake.properties.summary!.description).toContain(PLAIN_TEXT_RULE);
    expect(intake.properties.serviceArea!.enum).toContain('community-care');
    expect(intake.properties.receivedAt).toMatchObject({ format: 'date-time' });
    expect(intake.properties.complainant!.properties!.email).toMatchObject({ format: 'email', maxLength: 320 });
    const extension = document.paths['/complaints/{ref}/extensions']!.post!.requestBody!.content['application/json']
      .schema as Json & { properties: Record<string, Json> };
    expect(extension.properties.days).toMatchObject({ type: 'integer', maximum: 365 });
    expect(extension.description).toContain('Give either days or newDeadline, not both.');
    const to = document.paths['/reports/annual']!.get!.parameters!.find((p) => p.name === 'to')!;
    expect(to.description).toContain('not before from');
  });
});
