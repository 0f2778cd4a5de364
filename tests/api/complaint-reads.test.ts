// The register as the read model (issue 17), end to end: a dev server, the real worker writing through to a real
// register (PGlite), and the app reading from it. Consistency: an answer carries the complaint's revision; a read
// with atLeastRevision sees it or newer, from the register when it has it and from the workflow when it lags.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ComplaintReads, type ComplaintList } from '../../api/complaint-reads';
import { openPgliteInMemory, registerOver, type Register } from '../../register';
import { caller, eventually, intakeBody, startApiStack, type ApiStack } from '../support/api';
import { startDevServer } from '../support/temporal';

let env: TestWorkflowEnvironment;
let register: Register;
let stack: ApiStack;
let call: ReturnType<typeof caller>;

beforeAll(async () => {
  env = await startDevServer();
  register = await registerOver(await openPgliteInMemory());
  stack = await startApiStack(env, { register });
  call = caller(stack.app);
});

afterAll(async () => {
  stack?.recorded.releaseHangingWrites();
  await stack?.close();
  await register?.close();
  await env?.teardown();
});

async function newComplaint(overrides: Record<string, unknown> = {}) {
  const response = await call('intake', 'POST', '/complaints', { body: intakeBody(overrides) });
  expect(response.status, response.text).toBe(201);
  return response;
}

const read = (ref: string, atLeastRevision?: number) =>
  call('case-officer', 'GET', `/complaints/${ref}${atLeastRevision ? `?atLeastRevision=${atLeastRevision}` : ''}`);

describe('intake answers without asking the workflow', () => {
  it("answers the state the workflow opens with: the same as GET, revision 1, the register's copy too", async () => {
    const intake = await newComplaint();
    const ref = intake.json().ref as string;
    expect(intake.headers['complaint-revision']).toBe('1');
    const fromWorkflow = await stack.complaints.state(ref);
    expect(intake.json()).toEqual(JSON.parse(JSON.stringify(fromWorkflow)));
    const fromRegister = await eventually(async () => {
      const response = await read(ref, 1);
      expect(response.headers['complaint-read-from']).toBe('register');
      return response;
    });
    expect(fromRegister.json()).toEqual(intake.json());
  });
});

describe('read-your-writes', () => {
  it("reads an action's revision from the register, which the workflow wrote before it answered", async () => {
    const ref = (await newComplaint()).json().ref as string;
    const acknowledged = await call('case-officer', 'POST', `/complaints/${ref}/acknowledge`);
    expect(acknowledged.status, acknowledged.text).toBe(200);
    // Its answer too is read from the register (at exactly its revision), not asked of the workflow.
    expect(acknowledged.headers).toMatchObject({ 'complaint-revision': '2', 'complaint-read-from': 'register' });
    const after = await read(ref, 2);
    expect(after.status).toBe(200);
    expect(after.headers['complaint-read-from']).toBe('register');
    expect(after.headers['complaint-revision']).toBe('2');
    expect(after.json()).toEqual(acknowledged.json());
  });

  it('keeps a complaint read from the register only while its row is unchanged: a later write is read at once', async () => {
    const ref = (await newComplaint()).json().ref as string;
    await eventually(async () => expect((await read(ref)).headers['complaint-read-from']).toBe('register'));
    const kept = await read(ref);
    expect(kept.json().timeline).toHaveLength(1);
    // Another writer's batch (as another worker's would be), not through this API: the next plain read shows it.
    const snapshot = (await register.complaint(ref))!;
    const note = { type: 'note-added', text: 'Written elsewhere', seq: 2, at: new Date().toISOString() };
    await register.record(
      { ref, entries: [{ ...note, actor: { id: 'officer-1' } } as never], snapshot: { ...snapshot, lastSeq: 2 } },
      { startedAtMs: Date.now() + 60_000 },
    );
    const after = await read(ref);
    expect(after.headers['complaint-revision']).toBe('2');
    expect(after.json().timeline[1]).toMatchObject({ text: 'Written elsewhere' });
  });

  it('falls back to the workflow when the register write fell back to the background activity', async () => {
    const ref = (await newComplaint()).json().ref as string;
    await eventually(async () => expect((await read(ref, 1)).headers['complaint-read-from']).toBe('register'));
    // Both local tries and the first background try never answer: the action is answered (after the local
    // activity's 5 s) while the register still holds revision 1.
    stack.recorded.registerHangsLeft = 3;
    const note = await call('case-officer', 'POST', `/complaints/${ref}/notes`, { body: { text: 'While it lags' } });
    expect(note.status, note.text).toBe(200);
    expect(note.headers).toMatchObject({ 'complaint-revision': '2', 'complaint-read-from': 'workflow' });
    expect(note.json().timeline.at(-1)).toMatchObject({ seq: 2, type: 'note-added', text: 'While it lags' });

    // Without a revision the register's (older) copy is the answer; with it, the workflow's.
    const plain = await read(ref);
    expect(plain.headers).toMatchObject({ 'complaint-read-from': 'register', 'complaint-revision': '1' });
    const mine = await read(ref, 2);
    expect(mine.status).toBe(200);
    expect(mine.headers).toMatchObject({ 'complaint-read-from': 'workflow', 'complaint-revision': '2' });
    expect(mine.json()).toEqual(note.json());

    // The background write goes through once the store answers again; then the register answers revision 2.
    stack.recorded.releaseHangingWrites();
    await eventually(async () => {
      const caughtUp = await read(ref, 2);
      expect(caughtUp.headers['complaint-read-from']).toBe('register');
      expect(caughtUp.json()).toEqual(note.json());
    }, 20_000);
  });

  it('reads from the workflow when the register has no row, or one older than asked', async () => {
    const ref = (await newComplaint()).json().ref as string;
    await eventually(async () => expect((await read(ref, 1)).headers['complaint-read-from']).toBe('register'));
    const beyond = await read(ref, 5);
    expect(beyond.status).toBe(200);
    expect(beyond.headers).toMatchObject({ 'complaint-read-from': 'workflow', 'complaint-revision': '1' });
    // A reads object over a register that lacks the complaint (another store) asks the workflow.
    const empty = await registerOver(await openPgliteInMemory());
    try {
      const got = await new ComplaintReads(stack.complaints, empty).get(ref);
      expect(got).toMatchObject({ from: 'workflow', revision: 1, state: { ref } });
    } finally {
      await empty.close();
    }
    expect((await read('SW-1999-000123')).status).toBe(404);
    expect((await call('case-officer', 'GET', `/complaints/${ref}?atLeastRevision=0`)).status).toBe(400);
  });
});

describe('read repair (api/register-repairs.ts)', () => {
  it("rewrites the complaint from Temporal when an action's answer shows the register holding an entry Temporal does not", async () => {
    const ref = (await newComplaint()).json().ref as string;
    await eventually(async () => expect((await register.complaint(ref))?.lastSeq).toBe(1));
    // A lost workflow task's write (tests/faults/drill.test.ts): an entry under the next seq that Temporal never
    // recorded, in a batch ordered after anything the workflow writes now, so that only a repair replaces it.
    const later = Date.now() + 3_600_000;
    const snapshot = (await register.complaint(ref))!;
    const orphan = { type: 'note-added', text: 'Written by a lost task', seq: 2, at: new Date().toISOString() };
    await register.record(
      { ref, entries: [{ ...orphan, actor: { id: 'officer-1' } } as never], snapshot: { ...snapshot, lastSeq: 2 } },
      { startedAtMs: later },
    );

    const noted = await call('case-officer', 'POST', `/complaints/${ref}/notes`, { body: { text: 'Recorded' } });
    expect(noted.status, noted.text).toBe(200);
    // The answer is Temporal's, and the register is rewritten from it.
    expect(noted.json().timeline[1]).toMatchObject({ seq: 2, type: 'note-added', text: 'Recorded' });
    await eventually(async () => expect((await register.timeline(ref))[1]).toMatchObject({ text: 'Recorded' }));
    const metrics = (await call('auditor', 'GET', '/metrics')).text;
    expect(metrics).toMatch(/^complaints_register_read_repairs_total 1$/m);
  });
});

describe('GET /complaints from the register', () => {
  const tag = `reads${Date.now().toString(36)}`;
  const refs: Record<string, string> = {};

  beforeAll(async () => {
    const make = async (name: string, overrides: Record<string, unknown>) => {
      refs[name] = (await newComplaint({ summary: `${tag} ${overrides.summary ?? ''}`.trim(), ...overrides })).json()
        .ref as string;
    };
    const base = Date.now() - 3 * 24 * 60 * 60_000;
    const at = (minutes: number) => new Date(base + minutes * 60_000).toISOString();
    await make('zoe', {
      receivedAt: at(1),
      complainant: { name: 'Zoë Ångström', email: 'zoe.angstrom@example.org' },
      summary: `${tag} Respite care was cancelled without notice`,
    });
    await make('mo', {
      receivedAt: at(2),
      complainant: { name: 'Mo Farrah', email: 'mo@example.net' },
      summary: `${tag} Home care visits late`,
      serviceArea: 'childrens-services',
    });
    await make('serious', { receivedAt: at(3), serious: true, procedure: { id: 'spso-social-work-2017' } });
    const assigned = await call('manager', 'POST', `/complaints/${refs.mo}/assign`, {
      body: { officer: { id: 'officer.jones' } },
    });
    expect(assigned.status).toBe(200);
  });

  const list = async (query: string, who: 'auditor' | 'case-officer' = 'auditor') => {
    const response = await call(who, 'GET', `/complaints?q=${encodeURIComponent(tag)}&${query}`);
    expect(response.status, response.text).toBe(200);
    return response.json() as ComplaintList;
  };
  const refsOf = async (query: string) => (await list(query)).items.map((item) => item.ref);

  it('searches the reference, name, e-mail and summary by whole words, case and accents ignored', async () => {
    expect(await refsOf('sort=received')).toEqual([refs.zoe, refs.mo, refs.serious]);
    const search = async (q: string) => {
      const response = await call('case-officer', 'GET', `/complaints?q=${encodeURIComponent(q)}`);
      expect(response.status, response.text).toBe(200);
      return (response.json() as ComplaintList).items.map((item) => item.ref);
    };
    expect(await search(`zoe angstrom ${tag}`)).toEqual([refs.zoe]);
    expect(await search(`ZOË ${tag}`)).toEqual([refs.zoe]);
    expect(await search('zoe.angstrom@example.org')).toEqual([refs.zoe]);
    expect(await search(`respite cancelled ${tag}`)).toEqual([refs.zoe]);
    // Whole words (the index is of keyed hashes of words, issue 14): a word's beginning finds nothing.
    expect(await search(`respite cancel ${tag}`)).toEqual([]);
    expect(await search(refs.mo!)).toEqual([refs.mo]);
    expect(await search(`${tag} nobody-like-this`)).toEqual([]);
    expect(await search('%')).toEqual([]);
  });

  it("gives each item the complainant's name, the summary and its revision", async () => {
    const [item] = (await list(`officer=officer.jones`)).items;
    expect(item).toEqual({
      ref: refs.mo,
      status: 'open',
      stage: 'level-1',
      serviceArea: 'childrens-services',
      category: expect.any(String),
      caseOfficer: 'officer.jones',
      procedure: 'dundee-swd-2011@2',
      receivedAt: expect.any(String),
      nextDeadline: expect.any(String),
      overdue: false,
      startedAt: expect.any(String),
      closedAt: null,
      nextDeadlineKind: 'acknowledgement',
      serious: false,
      complainantName: 'Mo Farrah',
      summary: `${tag} Home care visits late`,
      revision: 2,
    });
  });

  it('filters by procedure, stage and service area, sorts three ways and pages with a cursor', async () => {
    expect(await refsOf('procedure=spso-social-work-2017')).toEqual([refs.serious]);
    expect(await refsOf('procedure=dundee-swd-2011@2&sort=received')).toEqual([refs.zoe, refs.mo]);
    expect(await refsOf('serviceArea=childrens-services')).toEqual([refs.mo]);
    expect(await refsOf('sort=-received')).toEqual([refs.serious, refs.mo, refs.zoe]);
    expect(await refsOf('sort=ref')).toEqual(Object.values(refs).sort());
    const byDeadline = (await list('sort=next-deadline')).items.map((item) => item.nextDeadline);
    expect(byDeadline).toEqual([...byDeadline].sort());
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 5; page++) {
      const got: ComplaintList = await list(`limit=1&sort=next-deadline${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...got.items.map((item) => item.ref));
      cursor = got.nextCursor;
      if (!cursor) break;
    }
    expect(seen.sort()).toEqual(Object.values(refs).sort());
    const first = await list('limit=1');
    const other = await call('auditor', 'GET', `/complaints?q=${tag}&limit=1&sort=ref&cursor=${first.nextCursor}`);
    expect(other.status).toBe(400);
    expect(other.json().error.code).toBe('invalid-cursor');
    const bad = await call('auditor', 'GET', '/complaints?procedure=Bad!&sort=sideways');
    expect(bad.status).toBe(400);
    expect(
      bad
        .json()
        .error.details.map((d: { path: string }) => d.path)
        .sort(),
    ).toEqual(['procedure', 'sort']);
  });

  it('lists states without personal data for a page that shows none (the team page): none given, none logged', async () => {
    const logged: string[][] = [];
    const access = {
      record: async (_viewer: unknown, _route: string, refsRead: readonly string[]) => void logged.push([...refsRead]),
    };
    const reads = new ComplaintReads(stack.complaints, register, access);
    const manager = { id: 'manager.brown', roles: ['manager' as const] };
    const query = { sort: 'ref', limit: 100, status: ['open'] } as Parameters<ComplaintReads['listStates']>[0];
    const without = await reads.listStates(query, manager, 'GET /team', { personalData: false });
    const zoe = without.states.find((state) => state.ref === refs.zoe);
    expect(zoe?.details).toMatchObject({ complainant: { name: '' }, summary: '' });
    expect(JSON.stringify(without.states)).not.toContain('Ångström');
    expect(logged).toEqual([]);
    const opened = await reads.listStates(query, manager, 'GET /');
    expect(opened.states.find((state) => state.ref === refs.zoe)?.details.complainant.name).toBe('Zoë Ångström');
    expect(logged.flat()).toContain(refs.zoe);
  });

  it('is one function for the API and the web application: ComplaintReads.list(query, viewer)', async () => {
    const reads = new ComplaintReads(stack.complaints, register);
    const page = await reads
      .list(
        { q: tag, sort: 'ref', limit: 10 } as Parameters<ComplaintReads['list']>[0],
        {
          id: 'someone',
          roles: ['intake'],
        },
        'GET /complaints',
      )
      .catch((error: unknown) => error);
    // A role that may not read personal data may not search by it.
    expect(page).toMatchObject({ statusCode: 403 });
    const plain = await reads.list(
      { sort: 'ref', limit: 100, status: ['open'] } as Parameters<ComplaintReads['list']>[0],
      {
        id: 'someone',
        roles: ['intake'],
      },
      'GET /complaints',
    );
    const mine = plain.items.find((item) => item.ref === refs.zoe);
    expect(mine).toMatchObject({ ref: refs.zoe, complainantName: null, summary: null });
  });
});
