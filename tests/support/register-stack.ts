// A dev server, a worker over the real workflow bundle, and a register on disk (PGlite, shared as `npm start`
// shares it with other processes): the setup of the tests that compare the register with Temporal.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities/complaint-activities';
import { openRegister, openSharedPglite, type Register, type SqlStore } from '../../register';
import { ComplaintHarness } from './complaint-harness';
import { RecordingActivities } from './recording-activities';
import { bundleComplaintWorkflows, startDevServer } from './temporal';

export interface RegisterStack {
  env: TestWorkflowEnvironment;
  h: ComplaintHarness;
  register: Register;
  dataDir: string;
  /** The register's tables themselves (for writing what no batch would), opened as another process would. */
  rawStore(): SqlStore;
  stop(): Promise<void>;
}

/** `moreActivities`: activities the worker runs beside the complaint's (given the server and the register). */
export async function startRegisterStack(
  name: string,
  moreActivities: (env: TestWorkflowEnvironment, register: Register) => object = () => ({}),
): Promise<RegisterStack> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `${name}-`));
  const env = await startDevServer();
  const h = new ComplaintHarness(env);
  const register = await openRegister({ DATA_DIR: dataDir, DATABASE_URL: undefined });
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue: h.taskQueue,
    workflowBundle: await bundleComplaintWorkflows(),
    activities: {
      ...createActivities({ register, delivery: new RecordingActivities() }),
      ...moreActivities(env, register),
    },
  });
  const running = worker.run();
  let raw: SqlStore | undefined;
  return {
    env,
    h,
    register,
    dataDir,
    rawStore: () => (raw ??= openSharedPglite(path.join(dataDir, 'register'))),
    stop: async () => {
      worker.shutdown();
      await running;
      await register.close();
      await raw?.close();
      await env.teardown();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
