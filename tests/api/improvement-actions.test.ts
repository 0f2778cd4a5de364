// Improvement actions through the API on a real server, worker and register (issue 16): agreed at an outcome by an
// officer or manager (Idempotency-Key as other writes), listed per complaint and by status, completed with evidence by
// the owner or a manager (once); free text sealed under the complaint's key, so its erasure makes it unreadable;
// bad input, wrong role, unknown complaint and a second completion in the one error shape.
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/complaint-activities';
import { createImprovementActionActivities } from '../../activities/improvement-actions';
import { buildApp } from '../../api/app';
import { londonDate } from '../../domain/calendar';
import { openPgliteInMemory, openPostgres, registerOver, type Register, type SqlStore } from '../../register';
import { createComplaintsWorker } from '../../worker/create-worker';
import { improvementActionWorkflowId } from '../../workflows/improvement-action';
import { caller, intakeBody, testComplaintService, testTokens, type Person } from '../support/api';
import { testPayloadKeys } from '../support/payload-keys';
import { RecordingActivities } from '../support/recording-activities';
import { bundleComplaintWorkflows, startDevServer } from '../support/temporal';

const databaseUrl = process.env.TEST_DATABASE_URL;
const schema = `improvement_actions_${process.pid}_${Date.now().toString(36)}`;
let env: TestWorkflowEnvironment;
let store: SqlStore;
let register: Register;
let app: FastifyInstance;
let connection: Connection;
let client: Client;
let stopWorker: () => Promise<void>;
let call: ReturnType<typeof caller>;

async function openStore(): Promise<SqlStore> {
  if (!databaseUrl) return openPgliteInMemory();
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const url = new URL(databaseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return openPostgres(url.toString());
}

beforeAll(async () => {
  env = await startDevServer();
  store = await openStore();
  register = await registerOver(store, { keys: testPayloadKeys() });
  const taskQueue = `improvement-actions-api-${process.pid}`;
  const namespace = env.namespace ?? 'default';
  const delivery = new RecordingActivities();
  const worker = await createComplaintsWorker({
    connection: env.nativeConnection,
    namespace,
    taskQueue,
    activities: {
      ...createActivities({ register, delivery, personalData: register.personalData }),
      ...createImprovementActionActivities({
        actions: register.improvementActions,
        complaint: (ref) => register.complaint(ref),
        delivery,
        personalData: register.personalData,
      }),
    },
    workflowBundle: await bundleComplaintWorkflows(),
    workerOptions: { shutdownGraceTime: '1s' },
  });
  const running = worker.run();
  stopWorker = async () => {
    worker.shutdown();
    await running;
  };
  connection = await Connection.connect({ address: env.address });
  client = new Client({ connection, namespace });
  const complaints = testComplaintService(client, { namespace, taskQueue, personalData: register.personalData });
  app = await buildApp({ complaints, tokens: testTokens(), register });
  await app.ready();
  call = caller(app);
}, 120_000);

afterAll(async () => {
  await app?.close();
  await stopWorker?.();
  await connection?.close();
  await register?.close();
  await env?.teardown();
  if (databaseUrl) {
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
});

async function complaintWithOutcome(outcome = true): Promise<string> {
  const created = await call('intake', 'POST', '/complaints', { body: intakeBody() });
  expect(created.status, created.text).toBe(201);
  const ref = created.json().ref as string;
  if (!outcome) return ref;
  for (const [route, body] of [
    ['acknowledge', {}],
    ['outcome', { outcome: 'upheld', findings: 'The rota was wrong' }],
  ] as const) {
    const answer = await call('case-officer', 'POST', `/complaints/${ref}/${route}`, { body });
    expect(answer.status, answer.text).toBe(200);
  }
  return ref;
}

const inDays = (days: number) => londonDate(Date.now() + days * 24 * 3_600_000);
const newAction = (overrides: Record<string, unknown> = {}) => ({
  what: 'Check the home care rota every week',
  owner: 'officer.jones',
  dueDate: inDays(30),
  ...overrides,
});

async function agree(ref: string, body = newAction(), who: Person = 'case-officer', key?: string) {
  return call(who, 'POST', `/complaints/${ref}/improvement-actions`, {
    body,
    ...(key ? { headers: { 'idempotency-key': key } } : {}),
  });
}

describe('improvement actions', () => {
  it('are agreed at an outcome, listed with status and timeline, and start their reminders', async () => {
    const ref = await complaintWithOutcome();
    const agreed = await agree(ref);
    expect(agreed.status, agreed.text).toBe(201);
    const action = agreed.json();
    expect(action).toMatchObject({
      ref,
      what: 'Check the home care rota every week',
      owner: 'officer.jones',
      status: 'open',
      agreedBy: 'officer.jones',
      completion: null,
      events: [{ kind: 'agreed', by: 'officer.jones' }],
    });
    expect(action.id).toMatch(/^IA-[0-9a-f]{24}$/);
    const listed = (await call('auditor', 'GET', `/complaints/${ref}/improvement-actions`)).json();
    expect(listed.improvementActions.map((one: { id: string }) => one.id)).toEqual([action.id]);
    const open = (await call('manager', 'GET', '/improvement-actions?status=open')).json();
    expect(open.improvementActions.map((one: { id: string }) => one.id)).toContain(action.id);
    const described = await client.workflow.getHandle(improvementActionWorkflowId(action.id)).describe();
    expect(described.status.name).toBe('RUNNING');

    // What was agreed is sealed in the register under the complaint's data key.
    const [row] = await store.query<{ what: string }>(`SELECT what FROM improvement_actions WHERE id = $1`, [
      action.id,
    ]);
    expect(row!.what).toMatch(/^pd1:/);
    expect(row!.what).not.toContain('rota');
  }, 60_000);

  it('a keyed repeat answers the same action; another body under the key is a 409', async () => {
    const ref = await complaintWithOutcome();
    const first = await agree(ref, newAction(), 'manager', 'agree-1');
    expect(first.status, first.text).toBe(201);
    const again = await agree(ref, newAction(), 'manager', 'agree-1');
    expect(again.status, again.text).toBe(200);
    expect(again.json().id).toBe(first.json().id);
    const other = await agree(ref, newAction({ what: 'Something else' }), 'manager', 'agree-1');
    expect(other.status).toBe(409);
    expect(other.json().error.code).toBe('idempotency-key-reused');
    expect(
      (await call('auditor', 'GET', `/complaints/${ref}/improvement-actions`)).json().improvementActions,
    ).toHaveLength(1);
  }, 60_000);

  it('completed by the owner with evidence, once: the reminders end; a second completion is a 409', async () => {
    const ref = await complaintWithOutcome();
    const { id } = (await agree(ref)).json();
    const byOther = await call('otherOfficer', 'POST', `/improvement-actions/${id}/completion`, {
      body: { evidence: 'Not mine' },
    });
    expect(byOther.status).toBe(403);
    expect(byOther.json().error.code).toBe('forbidden');
    const done = await call('case-officer', 'POST', `/improvement-actions/${id}/completion`, {
      body: { evidence: 'Rota checked weekly since May' },
    });
    expect(done.status, done.text).toBe(200);
    expect(done.json()).toMatchObject({
      status: 'completed',
      completion: { evidence: 'Rota checked weekly since May', by: 'officer.jones' },
    });
    expect(done.json().events.map((event: { kind: string }) => event.kind)).toEqual(['agreed', 'completed']);
    expect(await client.workflow.getHandle(improvementActionWorkflowId(id)).result()).toEqual({
      reminded: 0,
      completed: true,
    });
    const twice = await call('manager', 'POST', `/improvement-actions/${id}/completion`, {
      body: { evidence: 'Again' },
    });
    expect(twice.status).toBe(409);
    expect(twice.json().error.code).toBe('already-completed');
    const completed = (await call('manager', 'GET', '/improvement-actions?status=completed')).json();
    expect(completed.improvementActions.map((one: { id: string }) => one.id)).toContain(id);
  }, 60_000);

  it('refuses bad input, the wrong role, an unknown complaint and one without an outcome', async () => {
    const ref = await complaintWithOutcome(false);
    const refused = async (status: number, answer: Awaited<ReturnType<typeof call>>, code?: string) => {
      expect(answer.status, answer.text).toBe(status);
      expect(answer.json().error.message).toEqual(expect.any(String));
      if (code) expect(answer.json().error.code).toBe(code);
    };
    await refused(409, await agree(ref), 'no-outcome-recorded');
    await refused(404, await agree('SW-2026-999999'));
    await refused(403, await agree(ref, newAction(), 'intake'), 'forbidden');
    await refused(403, await agree(ref, newAction(), 'auditor'));
    await refused(401, await call('nobody', 'GET', '/improvement-actions'));
    const withOutcome = await complaintWithOutcome();
    await refused(400, await agree(withOutcome, newAction({ dueDate: '2026-02-30' })));
    await refused(400, await agree(withOutcome, newAction({ dueDate: inDays(-2) })));
    await refused(400, await agree(withOutcome, newAction({ dueDate: '9998-12-31' })));
    await refused(400, await agree(withOutcome, newAction({ what: '' })));
    await refused(400, await agree(withOutcome, newAction({ extra: 1 })));
    await refused(400, await agree(withOutcome, { what: 'x' } as never));
    await refused(400, await call('manager', 'GET', '/improvement-actions?status=late'));
    await refused(
      400,
      await call('manager', 'POST', '/improvement-actions/IA-1/completion', { body: { evidence: 'x' } }),
    );
    const unknown = `/improvement-actions/IA-${'0'.repeat(24)}/completion`;
    await refused(404, await call('manager', 'POST', unknown, { body: { evidence: 'x' } }));
    const { id } = (await agree(withOutcome)).json();
    await refused(400, await call('manager', 'POST', `/improvement-actions/${id}/completion`, { body: {} }));
  }, 60_000);

  it('may be agreed at a Stage 1 outcome the complainant has since taken to the next stage', async () => {
    const ref = await complaintWithOutcome();
    const escalated = await call('case-officer', 'POST', `/complaints/${ref}/escalation`, { body: {} });
    expect(escalated.status, escalated.text).toBe(200);
    expect(escalated.json().stages.at(-1).response.outcome).toBeUndefined();
    const agreed = await agree(ref);
    expect(agreed.status, agreed.text).toBe(201);
  }, 60_000);

  it('may be due today, with the shortest texts', async () => {
    const ref = await complaintWithOutcome();
    const agreed = await agree(ref, { what: '0', owner: '0', dueDate: inDays(0) });
    expect(agreed.status, agreed.text).toBe(201);
  }, 60_000);

  it('are read only by those who may read personal data, and each read is in the access log', async () => {
    const ref = await complaintWithOutcome();
    expect((await agree(ref)).status).toBe(201);
    const logged = async () => {
      const log = await call('auditor', 'GET', `/complaints/${ref}/access-log`);
      expect(log.status, log.text).toBe(200);
      return (log.json() as { items: { viewer: { id: string }; route: string }[] }).items.filter((item) =>
        item.route.includes('improvement-actions'),
      );
    };
    expect((await call('intake', 'GET', `/complaints/${ref}/improvement-actions`)).status).toBe(403);
    expect((await call('intake', 'GET', '/improvement-actions')).status).toBe(403);
    expect(await logged()).toHaveLength(0);
    expect((await call('case-officer', 'GET', `/complaints/${ref}/improvement-actions`)).status).toBe(200);
    expect((await call('manager', 'GET', '/improvement-actions?status=open')).status).toBe(200);
    expect((await logged()).map((item) => item.route).sort()).toEqual([
      'GET /complaints/:ref/improvement-actions',
      'GET /improvement-actions',
    ]);
  }, 60_000);

  it("are unreadable once the complaint's personal data is erased", async () => {
    const ref = await complaintWithOutcome();
    const { id } = (await agree(ref)).json();
    const erased = await call('manager', 'POST', `/complaints/${ref}/erasure`, {
      body: { reason: 'request under UK GDPR article 17' },
    });
    expect(erased.status, erased.text).toBe(200);
    const [action] = (await call('manager', 'GET', `/complaints/${ref}/improvement-actions`)).json().improvementActions;
    expect(action).toMatchObject({ id, what: '[erased]' });
    // Nothing more is written for it: neither a new action nor a completion (the fuzzer found these as 500s).
    const another = await agree(ref, newAction({ what: 'Another' }));
    expect(another.status, another.text).toBe(409);
    expect(another.json().error.code).toBe('complaint-erased');
    const completed = await call('manager', 'POST', `/improvement-actions/${id}/completion`, {
      body: { evidence: 'Done' },
    });
    expect(completed.status, completed.text).toBe(409);
    expect(completed.json().error.code).toBe('complaint-erased');
  }, 60_000);
});
