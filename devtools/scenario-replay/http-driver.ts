import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app';
import { hashToken, newToken, TokenStore, type Role } from '../../api/auth';
import { ComplaintService } from '../../api/complaint-service';
import { actionRoutes } from '../../api/routes/actions';
import type { Register } from '../../register';
import type { ScenarioAction } from './format';
import type { ActionResult, ScenarioDriver } from './replay';

// The replay's driver through the real HTTP API: the app built in this process (buildApp, as api/main.ts does)
// over the scenario's Temporal server and register, called with `inject` as intake staff and a manager would
// call it, with bearer tokens made for the run.

interface Person {
  id: string;
  name: string;
  roles: Role[];
  token: string;
}

const people = {
  intake: { id: 'scenario.intake', name: 'Scenario intake clerk', roles: ['intake'] },
  manager: { id: 'scenario.manager', name: 'Scenario manager', roles: ['manager'] },
} satisfies Record<string, Omit<Person, 'token'>>;

export interface HttpDriverOptions {
  client: Client;
  namespace: string;
  taskQueue: string;
  register: Register;
  defaultProcedure: string;
  /** The replay's clock (the time-skipping server's), which the API uses to check receipt dates. */
  now: () => number;
}

export async function httpDriver(
  options: HttpDriverOptions,
): Promise<ScenarioDriver & { app: FastifyInstance; close(): Promise<void> }> {
  const issued = Object.fromEntries(
    Object.entries(people).map(([key, person]) => [key, { ...person, token: newToken() }]),
  ) as Record<keyof typeof people, Person>;
  const tokens = new TokenStore(
    Object.values(issued).map((person) => ({
      sha256: hashToken(person.token),
      person: { id: person.id, name: person.name },
      roles: person.roles,
    })),
  );
  const complaints = new ComplaintService(options.client, {
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    defaultProcedure: options.defaultProcedure,
    refPrefix: 'SW',
    timeoutMs: 30_000,
    now: options.now,
  });
  const app = await buildApp({
    complaints,
    tokens,
    register: options.register,
    reports: { defaultProcedure: options.defaultProcedure },
  });
  await app.ready();

  const call = async (as: Person, method: 'POST' | 'GET', url: string, payload?: unknown) => {
    const response = await app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${as.token}` },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
    return { status: response.statusCode, body: response.json() as { error?: { code: string; message: string } } };
  };
  const fail = (what: string, status: number, body: unknown) =>
    new Error(`${what}: HTTP ${status} ${JSON.stringify(body)}`);
  const pathOf = (action: ScenarioAction['action']) => {
    const route = actionRoutes.find((candidate) => candidate.action === action);
    if (!route) throw new Error(`The API has no route for ${action}`);
    return route.path;
  };

  return {
    app,
    async receive(intake) {
      const { status, body } = await call(issued.intake, 'POST', '/complaints', intake);
      if (status !== 201 && status !== 200) throw fail(`Recording ${intake.ref}`, status, body);
    },
    async act(ref, action): Promise<ActionResult> {
      const { status, body } = await call(
        issued.manager,
        'POST',
        `/complaints/${encodeURIComponent(ref)}/${pathOf(action.action)}`,
        action.body,
      );
      if (status === 200) return { ok: true };
      if (status === 409 && body.error) return { ok: false, code: body.error.code, message: body.error.message };
      throw fail(`${action.action} on ${ref}`, status, body);
    },
    async recordCompliment(compliment) {
      const { status, body } = await call(issued.intake, 'POST', '/compliments', compliment);
      if (status !== 201) throw fail('Recording a compliment', status, body);
    },
    close: () => app.close(),
  };
}
