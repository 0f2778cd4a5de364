// What the API test files share: the app built over a real Temporal server and the real worker (in-memory
// activities), a token per role, and a small typed `call` over `app.inject`.
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createCalendarChangeActivities } from '../../activities/calendar-change';
import { type AppDependencies, buildApp } from '../../api/app';
import type { WebOptions } from '../../web/plugin';
import { hashToken, type Role, TokenStore } from '../../api/auth';
import { ComplaintService, type ComplaintServiceOptions } from '../../api/complaint-service';
import { type ApiMetrics, createMetrics } from '../../api/metrics';
import type { SsoTokens } from '../../api/sso-tokens';
import { complaintDataConverter, payloadCodecFor } from '../../platform/payload-codec';
import type { PayloadKeyRing } from '../../platform/payload-keys';
import { unusedLoopbackPort } from '../../platform/ports';
import type { Register } from '../../register';
import { createComplaintsWorker } from '../../worker/create-worker';
import { once } from '../../platform/once';
import { RecordingActivities } from './recording-activities';
import { bundleComplaintWorkflows } from './temporal';
import { complaintDetails } from './complaint-harness';

/** One person per role (tokens are just their names here), plus one with two roles. */
export const people = {
  intake: { token: 'token-intake', id: 'intake.smith', name: 'Jo Smith', roles: ['intake'] as Role[] },
  'case-officer': { token: 'token-officer', id: 'officer.jones', name: 'Sam Jones', roles: ['case-officer'] as Role[] },
  otherOfficer: { token: 'token-officer-2', id: 'officer.khan', name: 'Ali Khan', roles: ['case-officer'] as Role[] },
  manager: { token: 'token-manager', id: 'manager.brown', name: 'Alex Brown', roles: ['manager'] as Role[] },
  auditor: { token: 'token-auditor', id: 'auditor.grey', name: 'Lee Grey', roles: ['auditor'] as Role[] },
  secondIntake: { token: 'token-intake-2', id: 'intake.reid', roles: ['intake'] as Role[] },
} as const;
export type Person = keyof typeof people;

export function testTokens(): TokenStore {
  return new TokenStore(
    Object.values(people).map((person) => ({
      sha256: hashToken(person.token),
      person: { id: person.id, ...('name' in person ? { name: person.name } : {}) },
      roles: [...person.roles],
    })),
  );
}

/** The POST /complaints body of the tests' sample complaint (the same one the workflow tests use). */
export function intakeBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const { serious: _serious, ...details } = complaintDetails();
  return { ...details, ...overrides };
}

export interface ApiStack {
  app: FastifyInstance;
  complaints: ComplaintService;
  metrics: ApiMetrics;
  recorded: RecordingActivities;
  worker: Worker;
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

/** The app over `env`, and the real complaints worker polling the task queue it starts complaints on. */
export async function startApiStack(
  env: TestWorkflowEnvironment,
  options: {
    timeoutMs?: number;
    bodyLimit?: number;
    /** The intake's procedure schedule and council calendar (api/main.ts passes those of the configuration). */
    intake?: Pick<ComplaintServiceOptions, 'procedureSchedule' | 'councilCalendar'>;
    /** The calendar change's activities too (activities/calendar-change.ts), for POST /calendar/changes. */
    calendarChanges?: boolean;
    /** The web application's options (tests/support/web.ts). */
    web?: WebOptions;
    /** Encryption on (worker, client, and the codec server at /codec answering CORS from `uiOrigin`). */
    payloadKeys?: PayloadKeyRing;
    uiOrigin?: string;
    /** The council's single sign-on at the codec server (api/sso-tokens.ts). */
    sso?: SsoTokens;
    /** Another stack's task queue (a restart: its complaints' workflows go on on this worker). */
    taskQueue?: string;
    /** The app's logger (default none), e.g. `{ level: 'info', stream }` to read its lines. */
    logger?: AppDependencies['logger'];
    /** A real register: the worker's writes go through to it and the app reads from it (the read model). */
    register?: Register;
    /** With the register: the letters' routes and the web's letters to post (notifications/letter-printer.ts). */
    letterPrinter?: AppDependencies['letterPrinter'];
  } = {},
): Promise<ApiStack> {
  const taskQueue = options.taskQueue ?? `api-test-${process.pid}-${Date.now().toString(36)}`;
  const namespace = env.namespace ?? 'default';
  const recorded = new RecordingActivities(options.register);
  const worker = await createComplaintsWorker({
    connection: env.nativeConnection,
    namespace,
    taskQueue,
    activities: {
      ...recorded.activities,
      ...(options.calendarChanges ? createCalendarChangeActivities({ client: async () => env.client }) : {}),
    },
    workflowBundle: await bundleComplaintWorkflows(),
    workerOptions: { shutdownGraceTime: '1s' },
    ...(options.payloadKeys ? { payloadKeys: options.payloadKeys } : {}),
  });
  const running = worker.run();
  // Its own connection, as api/main.ts has: it stays open when a test stops the server.
  const connection = await Connection.connect({ address: env.address });
  const client = new Client({ connection, namespace, dataConverter: complaintDataConverter(options.payloadKeys) });
  const complaints = testComplaintService(client, {
    namespace,
    taskQueue,
    timeoutMs: options.timeoutMs,
    ...options.intake,
    ...(options.register ? { personalData: options.register.personalData } : {}),
  });
  const metrics = createMetrics({ defaultMetrics: false });
  const app = await buildApp({
    complaints,
    tokens: testTokens(),
    metrics,
    ...(options.bodyLimit ? { bodyLimit: options.bodyLimit } : {}),
    ...(options.web ? { web: options.web } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    codec: {
      codec: payloadCodecFor(options.payloadKeys),
      uiOrigin: options.uiOrigin ?? 'http://localhost:8233',
      ...(options.sso ? { sso: options.sso } : {}),
    },
    ...(options.register ? { register: options.register } : {}),
    ...(options.letterPrinter ? { letterPrinter: options.letterPrinter } : {}),
  });
  await app.ready();
  let workerStopped = false;
  const stopWorker = async () => {
    if (workerStopped) return;
    workerStopped = true;
    worker.shutdown();
    await running;
  };
  return {
    app,
    complaints,
    metrics,
    recorded,
    worker,
    stopWorker,
    // Once only: a test that reads the register's files closes the stack first (the app writes out its access log
    // on close, into a register that must still be open), and afterAll closes it again.
    close: once(async () => {
      await app.close();
      await stopWorker();
      await connection.close();
    }),
  };
}

/** A ComplaintService over a connection to a closed port (lazy, as api/main.ts makes it): Temporal unreachable. */
export async function unreachableTemporal(
  timeoutMs = 1_000,
  options: Partial<ComplaintServiceOptions> = {},
): Promise<{ complaints: ComplaintService; connection: Connection }> {
  const connection = Connection.lazy({ address: `127.0.0.1:${await unusedLoopbackPort()}` });
  const complaints = testComplaintService(new Client({ connection }), {
    taskQueue: 'complaints',
    timeoutMs,
    ...options,
  });
  return { complaints, connection };
}

/** The API's complaint service as the tests make it: the 2011 procedure by default, SW references, 10 s. */
export function testComplaintService(
  client: Client,
  options: { taskQueue: string; namespace?: string; timeoutMs?: number | undefined } & Partial<ComplaintServiceOptions>,
): ComplaintService {
  const { timeoutMs, ...rest } = options;
  return new ComplaintService(client, {
    namespace: 'default',
    defaultProcedure: 'dundee-swd-2011',
    refPrefix: 'SW',
    timeoutMs: timeoutMs ?? 10_000,
    ...rest,
  });
}

export interface CallOptions {
  body?: unknown;
  /** Raw payload (string or Buffer) instead of JSON. */
  raw?: string | Buffer;
  headers?: Record<string, string>;
}

/** A request as `who` (a person, 'nobody' for no token, or { token } for any header value). */
export function caller(app: FastifyInstance) {
  return async (
    who: Person | 'nobody' | { token: string },
    method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH',
    url: string,
    options: CallOptions = {},
  ) => {
    const headers: Record<string, string> = { ...options.headers };
    if (who !== 'nobody') headers.authorization = `Bearer ${typeof who === 'string' ? people[who].token : who.token}`;
    const response: LightMyRequestResponse = await app.inject({
      method,
      url,
      headers,
      ...(options.raw !== undefined
        ? { payload: options.raw }
        : options.body !== undefined
          ? { payload: options.body as object }
          : {}),
    });
    return {
      status: response.statusCode,
      headers: response.headers,
      text: response.body,
      /** The body's bytes (a PDF). */
      raw: response.rawPayload,
      // Tests read answers loosely (`body.error.code`) and assert on the values they need.
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      json: () => JSON.parse(response.body) as Record<string, any>,
    };
  };
}

/** Retries `check` until it passes (visibility is eventually consistent). */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
