// Text is validated once, at the edge (issue 18): NUL, other control characters and unpaired surrogates in any body
// or query field answer 400 naming the field, before anything reaches Temporal or the register; the register's
// failures are logged without the statement's parameters; and a Signal carrying such text (from another system, not
// through the API) is recorded as action-rejected instead of wedging the complaint's register writes.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { serializerCompiler } from 'fastify-type-provider-zod';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/complaint-activities';
import { buildApp } from '../../api/app';
import { ComplaintStateSchema } from '../../api/schemas';
import { ComplimentSchema } from '../../domain/compliments';
import { isPlainText } from '../../domain/vocabulary';
import { repoRoot } from '../../platform/repo-root';
import { openPgliteInMemory, registerOver, type Register, type SqlStore } from '../../register';
import { complaintStateQuery, actionSignals } from '../../workflows/messages';
import { caller, intakeBody, testTokens, unreachableTemporal } from '../support/api';
import { ComplaintHarness, officer } from '../support/complaint-harness';
import { RecordingActivities } from '../support/recording-activities';
import { bundleComplaintWorkflows, startTimeSkippingServer } from '../support/temporal';

const json = { 'content-type': 'application/json' };
const compliment = { serviceArea: 'general', team: 'home care north', receivedAt: '2026-03-01', summary: 'Thanks' };

let app: FastifyInstance;
let store: SqlStore;
let register: Register;
let call: ReturnType<typeof caller>;
const logLines: string[] = [];

beforeAll(async () => {
  store = await openPgliteInMemory();
  register = await registerOver(store);
  // No Temporal server: a lazy connection to a closed port. A request that passes validation and needs Temporal
  // answers 503, one refused at the edge answers 400 without trying.
  const { complaints } = await unreachableTemporal();
  app = await buildApp({
    complaints,
    tokens: testTokens(),
    register,
    logger: { level: 'info', stream: { write: (line: string) => void logLines.push(line) } },
  });
  call = caller(app);
});

afterAll(async () => {
  await app?.close();
  await register?.close();
});

/** The error's field paths, in `in:path` form. */
const fields = (response: { json(): unknown }) =>
  ((response.json() as { error: { details?: Array<{ in?: string; path: string }> } }).error.details ?? []).map(
    (detail) => `${detail.in}:${detail.path}`,
  );

describe('bodies', () => {
  it('intake with NUL in the complainant name or the summary: 400 naming the field', async () => {
    const name = await call('intake', 'POST', '/complaints', {
      body: intakeBody({ complainant: { name: 'Pat\u0000 Complainant' } }),
    });
    expect(name.status).toBe(400);
    expect(fields(name)).toEqual(['body:complainant.name']);
    expect(name.json()).toMatchObject({ error: { code: 'invalid-request', message: expect.stringContaining('NUL') } });

    const summary = await call('intake', 'POST', '/complaints', {
      body: intakeBody({ summary: 'Missed\u0000 visits' }),
    });
    expect(summary.status).toBe(400);
    expect(fields(summary)).toEqual(['body:summary']);
  });

  it('a note with a lone surrogate (a raw JSON body: JSON.stringify would escape it): 400 naming the field', async () => {
    const response = await call('case-officer', 'POST', '/complaints/SW-2026-000001/notes', {
      raw: '{"text": "half a pair: \\ud800"}',
      headers: json,
    });
    expect(response.status).toBe(400);
    expect(fields(response)).toEqual(['body:text']);
    expect(response.text).toContain('unpaired surrogate (U+D800)');
  });

  it('a compliment with NUL: 400 naming the field (was 500), nothing recorded', async () => {
    const response = await call('intake', 'POST', '/compliments', { body: { ...compliment, summary: 'Thanks\u0000' } });
    expect(response.status).toBe(400);
    expect(fields(response)).toEqual(['body:summary']);
    expect(await register.compliments()).toEqual([]);
  });

  it('tab, newline and CR LF are still accepted', async () => {
    const text = 'Thank you.\r\n\tThe team\nwere kind.';
    const recorded = await call('intake', 'POST', '/compliments', { body: { ...compliment, summary: text } });
    expect(recorded.status).toBe(201);
    expect(recorded.json()).toMatchObject({ summary: text });
    // Past validation, intake and a note go on to Temporal, which this app cannot reach.
    const intake = await call('intake', 'POST', '/complaints', {
      body: intakeBody({ summary: `Missed\r\n\t${text}` }),
    });
    expect(intake.json()).toMatchObject({ error: { code: 'temporal-unavailable' } });
    const note = await call('case-officer', 'POST', '/complaints/SW-2026-000001/notes', { body: { text } });
    expect(note.json()).toMatchObject({ error: { code: 'temporal-unavailable' } });
  });
});

describe('queries', () => {
  it('a list filter with a control character (DEL, a C1 control, NUL): 400 naming it', async () => {
    for (const officerId of ['officer%7Fjones', 'officer%C2%85jones']) {
      const response = await call('manager', 'GET', `/complaints?officer=${officerId}`);
      expect(response.status, officerId).toBe(400);
      expect(fields(response)).toEqual(['querystring:officer']);
    }
    const status = await call('manager', 'GET', '/complaints?status=open%00');
    expect(status.status).toBe(400);
    expect(fields(status)).toEqual(['querystring:status']);
    // The message names the character, not the value (which it used to quote).
    expect(isPlainText(status.text)).toBe(true);
    expect(status.text).not.toContain('open\\u0000');
  });
});

describe('responses', () => {
  // PostgreSQL keeps control characters other than NUL, so complaints and compliments recorded before the rule may
  // hold them: what the API answers with stays a plain string, or such a complaint would answer 500.
  it('a complaint or compliment recorded before the rule, with a control character, still serialises', () => {
    const file = path.join(repoRoot(), 'tests/histories/meta/query-answers/dundee-full-ladder.json');
    const answer = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown> | Array<Record<string, unknown>>;
    const state = structuredClone(Array.isArray(answer) ? answer[0]! : answer) as {
      caseOfficer: { name: string };
      details: { complainant: { name: string } };
      timeline: Array<{ actor: { name?: string } }>;
    };
    state.caseOfficer.name = 'Morag\u0007 Reid';
    state.details.complainant.name = 'Pat\u0001';
    state.timeline[0]!.actor.name = 'Jo\u001b Smith';
    const serialize = (schema: Parameters<typeof serializerCompiler>[0]['schema'], data: unknown) =>
      (serializerCompiler({ schema, method: 'GET', url: '/' }) as (data: unknown) => string)(data);
    expect(serialize(ComplaintStateSchema, state)).toContain('Morag\\u0007 Reid');
    const recordedBy = { id: 'intake.smith', name: 'Jo\u0007 Smith' };
    const kept = { id: 'c1', serviceArea: 'general', team: 't', receivedAt: '2026-03-01T00:00:00.000Z', summary: 's' };
    expect(serialize(ComplimentSchema, { ...kept, recordedBy, recordedAt: '2026-03-01T00:00:00.000Z' })).toContain(
      'Jo\\u0007 Smith',
    );
  });
});

describe("the register's error log", () => {
  it('names the SQL state and the table, never the statement parameters', async () => {
    // A refusal the edge cannot foresee: a rule of the database's own.
    await store.exec(
      'ALTER TABLE compliments ADD CONSTRAINT compliments_team_short CHECK (length(team) < 5) NOT VALID',
    );
    try {
      logLines.length = 0;
      const response = await call('intake', 'POST', '/compliments', {
        body: { ...compliment, summary: 'Mrs McLeod of 4 Glamis Road is grateful' },
      });
      expect(response.status).toBe(500);
      const logged = logLines.join('\n');
      expect(logged).toContain('request failed');
      expect(logged).toContain('23514');
      expect(logged).toContain('compliments');
      for (const value of ['Mrs McLeod', 'Glamis Road', 'home care north', 'Jo Smith', 'intake.smith']) {
        expect(logged).not.toContain(value);
      }
    } finally {
      await store.exec('ALTER TABLE compliments DROP CONSTRAINT compliments_team_short');
    }
  });
});

describe('a Signal from another system', () => {
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  const harness = () => new ComplaintHarness(env);

  beforeAll(async () => {
    env = await startTimeSkippingServer();
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
  });

  it('carrying NUL is recorded as action-rejected (reason without the text) and the complaint goes on', async () => {
    // The real register (PGlite refuses NUL, as PostgreSQL does) behind the workflow's register activity.
    const h = harness();
    const delivery = new RecordingActivities();
    worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue: h.taskQueue,
      workflowBundle: await bundleComplaintWorkflows(),
      activities: createActivities({ register, delivery }),
    });
    running = worker.run();
    const handle = await h.startComplaint(await h.input());
    const ref = handle.workflowId;
    await handle.signal(actionSignals['add-note'], { actor: officer, text: 'Mrs McLeod\u0000 phoned' });
    await handle.signal(actionSignals.acknowledge, { actor: officer });

    const state = await handle.query(complaintStateQuery);
    expect(state.timeline.map((entry) => entry.type)).toEqual([
      'complaint-received',
      'action-rejected',
      'acknowledged',
    ]);
    const rejected = state.timeline[1] as { code: string; reason: string };
    expect(rejected.code).toBe('invalid-message');
    expect(rejected.reason).toMatch(/^text: contains NUL \(U\+0000\)/);
    expect(rejected.reason).not.toContain('McLeod');

    // Every entry reaches the register: nothing is stuck behind a batch PostgreSQL refuses.
    const deadline = Date.now() + 15_000;
    while ((await register.timeline(ref)).length < 3 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await register.timeline(ref)).map((entry) => entry.type)).toEqual([
      'complaint-received',
      'action-rejected',
      'acknowledged',
    ]);
  });
});
