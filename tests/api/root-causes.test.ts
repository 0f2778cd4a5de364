// The root-cause taxonomy at the API's edge: GET /root-causes gives the organisation's codes, and an outcome naming
// a code the taxonomy lacks is a 400 before Temporal is asked (a lazy connection to a closed port: a body that
// passes the check reaches Temporal and gets its 503). That the workflow records the codes is shown end to end by
// tests/scenario/shared-scenarios.test.ts (spso-2031.json, its learning figure) and in the domain by tests/domain/spso-indicators.test.ts.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app';
import { DEFAULT_ROOT_CAUSES } from '../../domain/root-causes';
import { caller, testTokens, unreachableTemporal } from '../support/api';

let app: FastifyInstance;
let call: ReturnType<typeof caller>;

beforeAll(async () => {
  const { complaints } = await unreachableTemporal();
  app = await buildApp({
    complaints,
    tokens: testTokens(),
    rootCauses: {
      rootCauses: [
        { code: 'communication', title: 'Communication' },
        { code: 'late-visits', title: 'Late visits' },
      ],
    },
  });
  call = caller(app);
});

afterAll(async () => {
  await app?.close();
});

describe('root causes', () => {
  it("lists the organisation's taxonomy to readers", async () => {
    const listed = await call('auditor', 'GET', '/root-causes');
    expect(listed.status).toBe(200);
    expect(listed.json().rootCauses.map((cause: { code: string }) => cause.code)).toEqual([
      'communication',
      'late-visits',
    ]);
    expect((await call('intake', 'GET', '/root-causes')).status).toBe(403);
  });

  it('refuses an outcome naming a code the taxonomy lacks, a repeated code, and accepts known codes', async () => {
    const outcome = (body: Record<string, unknown>) =>
      call('case-officer', 'POST', '/complaints/SW-2026-000001/outcome', { body: { outcome: 'upheld', ...body } });
    const unknown = await outcome({ rootCauses: ['communication', 'delay'], learned: 'Call back the same day' });
    expect(unknown.status).toBe(400);
    expect(unknown.json().error).toMatchObject({
      code: 'invalid-request',
      details: [{ in: 'body', path: 'rootCauses.1', message: '"delay" is not in the root-cause taxonomy' }],
    });
    const twice = await outcome({ rootCauses: ['communication', 'communication'] });
    expect(twice.status).toBe(400);
    expect((await outcome({ rootCauses: [] })).status).toBe(400);
    // Past the check: Temporal (unreachable here) is asked.
    expect((await outcome({ rootCauses: ['late-visits'], learned: 'Rota changed' })).status).toBe(503);
  });

  it('ships the codes the scenarios use', () => {
    expect(DEFAULT_ROOT_CAUSES.rootCauses.map((cause) => cause.code)).toEqual([
      'communication',
      'staff-attitude',
      'policy-or-procedure',
      'delay',
      'quality-of-service',
      'resources',
      'other',
    ]);
  });
});
