// Subject access requests (issue 14) on a real API, worker and register (PostgreSQL at TEST_DATABASE_URL, else
// PGlite): a manager finds everything held about a person by their e-mail address or name, as JSON and as a
// printable, escaped HTML page; each complaint disclosed is in its access log; other roles get 403.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caller, eventually, intakeBody, people, startApiStack, type ApiStack } from '../support/api';
import { startDevServer } from '../support/temporal';
import { openTestRegister, type TestRegister } from '../support/test-register';

let env: TestWorkflowEnvironment;
let testRegister: TestRegister;
let stack: ApiStack;
let call: ReturnType<typeof caller>;

// Words no other test's complaint has, so that the search finds only this file's complaints.
const tag = `Zq${Date.now().toString(36)}`;
const email = `morag.${tag.toLowerCase()}@example.org`;
const name = `Morag ${tag}`;
const refs: Record<'complainant' | 'representative' | 'mentioned' | 'unrelated', string> = {
  complainant: '',
  representative: '',
  mentioned: '',
  unrelated: '',
};

async function newComplaint(overrides: Record<string, unknown>): Promise<string> {
  const response = await call('intake', 'POST', '/complaints', { body: intakeBody(overrides) });
  expect(response.status, response.text).toBe(201);
  return response.json().ref as string;
}

beforeAll(async () => {
  env = await startDevServer();
  testRegister = await openTestRegister('subject_access_test');
  stack = await startApiStack(env, { register: testRegister.register });
  call = caller(stack.app);
  refs.complainant = await newComplaint({
    complainant: { name, email: email.toUpperCase(), phone: '01382 111111', address: '1 High St\nDundee' },
    summary: 'Visits were missed <script>alert(1)</script> & nobody called',
  });
  refs.representative = await newComplaint({
    complainant: { name: 'Ewan Other' },
    representative: { name, email, relationship: 'daughter', consentGiven: true },
  });
  refs.mentioned = await newComplaint({
    complainant: { name: 'Isla Neighbour' },
    summary: `My neighbour ${name} was rude to the carer`,
  });
  refs.unrelated = await newComplaint({ complainant: { name: 'Ali Nobody', email: 'ali@example.org' } });
  const compliment = await call('manager', 'POST', '/compliments', {
    body: {
      serviceArea: 'community-care',
      team: 'home care',
      receivedAt: '2026-11-30',
      summary: `${name} thanks the team`,
    },
  });
  expect(compliment.status, compliment.text).toBe(201);
  // Every complaint in the register (the search reads it).
  await eventually(async () => {
    for (const ref of Object.values(refs))
      expect(
        (await call('auditor', 'GET', `/complaints/${ref}?atLeastRevision=1`)).headers['complaint-read-from'],
      ).toBe('register');
  });
});

afterAll(async () => {
  await stack?.close();
  await testRegister?.drop();
  await env?.teardown();
});

const sar = (query: string, headers: Record<string, string> = {}) =>
  call('manager', 'GET', `/subject-access?${query}`, { headers });

const accessRoutes = async (ref: string) =>
  ((await call('auditor', 'GET', `/complaints/${ref}/access-log`)).json().items as Array<{ route: string }>).map(
    (item) => item.route,
  );

describe('GET /subject-access', () => {
  it('by e-mail address: the complaints where the person is a party, in full with their letters; logged', async () => {
    const before = await accessRoutes(refs.complainant);
    const response = await sar(`email=${encodeURIComponent(email)}`);
    expect(response.status, response.text).toBe(200);
    const bundle = response.json();
    expect(bundle.subject).toEqual({ email });
    const held = Object.fromEntries(bundle.complaints.map((c: { ref: string; as: string[] }) => [c.ref, c.as]));
    expect(held).toEqual({ [refs.complainant]: ['complainant'], [refs.representative]: ['representative'] });
    const first = bundle.complaints.find((c: { ref: string }) => c.ref === refs.complainant);
    expect(first.complaint.details.complainant).toMatchObject({ name, phone: '01382 111111' });
    expect(first.complaint.timeline[0]).toMatchObject({ seq: 1, type: 'complaint-received' });
    expect(first.letters).toEqual([]);
    expect(bundle.otherMatches).toEqual([]);
    expect(bundle.compliments).toEqual([]);
    // Each complaint disclosed is in its access log, by the manager, through this route; the others are not.
    const after = await accessRoutes(refs.complainant);
    expect(after.length).toBe(before.length + 1);
    expect(after[0]).toBe('GET /subject-access');
    expect(await accessRoutes(refs.representative)).toContain('GET /subject-access');
    expect(await accessRoutes(refs.unrelated)).not.toContain('GET /subject-access');
  });

  it("by name: the parties' complaints, the compliments naming them, and other matches by reference only", async () => {
    const response = await sar(`name=${encodeURIComponent(name.toLowerCase())}`);
    expect(response.status, response.text).toBe(200);
    const bundle = response.json();
    expect(bundle.complaints.map((c: { ref: string }) => c.ref).sort()).toEqual(
      [refs.complainant, refs.representative].sort(),
    );
    expect(bundle.otherMatches).toEqual([refs.mentioned]);
    expect(bundle.compliments).toMatchObject([{ team: 'home care', summary: `${name} thanks the team` }]);
    expect(await accessRoutes(refs.mentioned)).not.toContain('GET /subject-access');
  });

  it('as a printable HTML page (format=html or Accept: text/html), every value escaped', async () => {
    for (const [query, headers] of [
      [`email=${encodeURIComponent(email)}&format=html`, {}],
      [`email=${encodeURIComponent(email)}`, { accept: 'text/html,application/xhtml+xml' }],
    ] as const) {
      const response = await sar(query, headers);
      expect(response.status, response.text).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.text).toContain(`Complaint ${refs.complainant}`);
      expect(response.text).toContain('01382 111111');
      expect(response.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; nobody called');
      expect(response.text).not.toContain('<script>');
    }
    expect(
      (await sar(`email=${encodeURIComponent(email)}`, { accept: 'application/json' })).json().complaints,
    ).toHaveLength(2);
  });

  it('finds nothing for a person the register does not hold', async () => {
    const response = await sar(`email=${encodeURIComponent(`nobody.${tag}@example.org`)}`);
    expect(response.status).toBe(200);
    expect(response.json()).toMatchObject({ complaints: [], compliments: [], otherMatches: [] });
  });

  it('is for managers only; neither or both of email and name is a 400 in the one shape', async () => {
    for (const who of ['intake', 'case-officer', 'auditor'] as const) {
      const response = await call(who, 'GET', `/subject-access?email=${encodeURIComponent(email)}`);
      expect(response.status, who).toBe(403);
      expect(response.json().error.code).toBe('forbidden');
    }
    expect((await call('nobody', 'GET', `/subject-access?email=${encodeURIComponent(email)}`)).status).toBe(401);
    for (const query of ['', `email=${encodeURIComponent(email)}&name=Morag`, 'format=pdf&name=x', 'email=']) {
      const response = await sar(query);
      expect(response.status, query).toBe(400);
      expect(response.json().error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
    }
    expect(people.manager.roles).toEqual(['manager']);
  });
});
