// An independent OpenAPI fuzzer against the running API: schemathesis (PyPI, pinned in devtools/fuzz/schemathesis.ts)
// reads /docs/json and sends what it generates from it (valid and invalid bodies, queries, headers, paths) to every
// operation, over HTTP, with a token that has every role. The API runs over a real Temporal dev server, the real
// worker and a register (PGlite), as `npm start` runs it. Any response that contradicts the document (a status it
// does not list, a body not matching its schema, a wrong content type), any 5xx, and any invalid request accepted
// fails the test, with schemathesis's own report of it.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createActivities } from '../../activities/complaint-activities';
import { buildApp } from '../../api/app';
import { hashToken, TokenStore } from '../../api/auth';
import { testComplaintService } from '../support/api';
import { createMetrics } from '../../api/metrics';
import { findSchemathesis } from '../../devtools/fuzz/schemathesis';
import { openRegister, type Register } from '../../register';
import { RecordingActivities } from '../support/recording-activities';
import { bundleComplaintWorkflows, startDevServer } from '../support/temporal';

const TOKEN = 'fuzzer-token-with-every-role';
/** The checks run on every response (see `st run --help`). */
const CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_schema_conformance',
  'negative_data_rejection',
];

let env: TestWorkflowEnvironment;
let register: Register;
let worker: Worker;
let running: Promise<void>;
let connection: Connection;
let app: FastifyInstance;
let dataDir: string;
let baseUrl: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'openapi-fuzz-'));
  env = await startDevServer();
  const namespace = env.namespace ?? 'default';
  const taskQueue = `fuzz-${process.pid}`;
  register = await openRegister({ DATA_DIR: dataDir, DATABASE_URL: undefined });
  worker = await Worker.create({
    connection: env.nativeConnection,
    namespace,
    taskQueue,
    workflowBundle: await bundleComplaintWorkflows(),
    activities: createActivities({ register, delivery: new RecordingActivities() }),
    shutdownGraceTime: '1s',
  });
  running = worker.run();
  connection = await Connection.connect({ address: env.address });
  // As api/main.ts: the register's data keys seal personal fields (and erasure destroys them).
  const complaints = testComplaintService(new Client({ connection, namespace }), {
    namespace,
    taskQueue,
    personalData: register.personalData,
  });
  const tokens = new TokenStore([
    {
      sha256: hashToken(TOKEN),
      person: { id: 'fuzzer', name: 'Schemathesis' },
      roles: ['intake', 'case-officer', 'manager', 'auditor'],
    },
  ]);
  app = await buildApp({ complaints, tokens, register, metrics: createMetrics({ defaultMetrics: false }) });
  baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await app?.close();
  worker?.shutdown();
  await running;
  await connection?.close();
  await register?.close();
  await env?.teardown();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** Runs `st` (asynchronously: the API answers it from this process) and collects what it prints. */
function schemathesis(st: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    // In the test's own directory: schemathesis keeps state in its working directory (.schemathesis/).
    const child = spawn(st, args, {
      cwd: dataDir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

it('finds no response that contradicts the OpenAPI document, in any operation', { timeout: 150_000 }, async () => {
  const st = findSchemathesis();
  expect(st, 'schemathesis is not installed: run npm run setup:temporal').toBeDefined();
  const { code, output } = await schemathesis(st!, [
    '--config-file',
    path.join(__dirname, 'schemathesis.toml'),
    'run',
    `${baseUrl}/docs/json`,
    '--url',
    baseUrl,
    '--checks',
    CHECKS.join(','),
    '--header',
    `Authorization: Bearer ${TOKEN}`,
    '--phases',
    'examples,coverage,fuzzing',
    '--max-examples',
    '20',
    '--max-time',
    '50',
    // One worker: with two, CPython 3.11's ast module, which Hypothesis calls from both threads, can fail with
    // "AST constructor recursion depth mismatch" (a runtime error in the fuzzer, not a finding about the API).
    '--workers',
    '1',
    '--seed',
    '1',
    '--request-timeout',
    '15',
    '--generation-database',
    'none',
    '--suppress-health-check',
    'all',
    '--no-color',
  ]);
  expect(code, output).toBe(0);
});
