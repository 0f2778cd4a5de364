import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { AnnualReport } from '../../domain/annual-report';
import { bundleComplaintWorkflows, startTimeSkippingServer } from '../temporal/test-servers';
import { openPglite, registerOver, type Register } from '../../register';
import { buildAnnualReport, type AnnualReportBundle } from '../../report/annual';
import { spsoFiguresOf, type SpsoFigures } from '../../domain/spso-indicators';
import { RecordingActivities } from '../../tests/support/recording-activities';
import { createComplaintsWorker } from '../../worker/create-worker';
import type { Scenario } from './format';
import { scenarioProcedure } from './format';
import { replayScenario, type ReplayProgress, type ReplayResult, type ScenarioDriver } from './replay';
import { httpDriver } from './http-driver';
import { waitForRegister } from './register-sync';

// A whole scenario on a throwaway time-skipping Temporal server: the real workflow code and the real register
// activities in a worker of this process, complaints driven through the HTTP API (built in this process), time
// skipped between days, then the annual report for the period read from the register.

export interface ScenarioServices {
  env: TestWorkflowEnvironment;
  register: Register;
  taskQueue: string;
  /** The server's time now (it runs at wall-clock speed between skips), without a call to the server. */
  serverNow(): number;
  /** Stops the worker (as a crash or a deployment would) and starts a new one over the same register. */
  restartWorker(options?: { failRegisterWritesAfterCommit?: number }): Promise<void>;
}

export interface RunScenarioOptions {
  /** The register to write to; default: a fresh PGlite in a temporary folder, removed afterwards. */
  register?: Register;
  /** How complaints reach the product: through the HTTP API built in this process (default), or a driver of the caller's. */
  driver?: (services: ScenarioServices) => Promise<ScenarioDriver & { close?(): Promise<void> }>;
  onProgress?: (progress: ReplayProgress) => void;
  afterDay?: (day: number, services: ScenarioServices) => Promise<void>;
  /**
   * The caller will restart the worker (services.restartWorker): run it without a workflow cache. The time-skipping
   * server never learns that a stopped worker's sticky queue is gone and would stop skipping time while a complaint's
   * task waited there; without the cache no task goes to a sticky queue, each replays its (short) history instead.
   */
  restartsWorker?: boolean;
}

/** What a working-day scenario (with a `startDate`) compares: shared/scenarios/README.md. */
export interface DatedScenarioReport {
  total: number;
  byServiceArea: AnnualReport['byServiceArea'];
  /** The Ombudsman's indicators of the scenario's procedure version over the period (null: none). */
  spso: ScenarioSpsoFigures | null;
}

/** The indicators' keys the scenario format has (its `learning` has no improvement actions: they are not events). */
export type ScenarioSpsoFigures = Omit<SpsoFigures, 'learning'> & {
  learning: Pick<SpsoFigures['learning'], 'withRootCause' | 'closures'>;
};

function scenarioSpsoFigures(figures: SpsoFigures | undefined): ScenarioSpsoFigures | null {
  if (!figures) return null;
  const { withRootCause, closures } = figures.learning;
  return { ...figures, learning: { withRootCause, closures } };
}

/** The report a scenario compares with its `expected`: the annual report, or for a dated scenario its three keys. */
export function scenarioReport(scenario: Scenario, bundle: AnnualReportBundle): AnnualReport | DatedScenarioReport {
  if (!scenario.startDate) return bundle.report;
  const procedure = scenarioProcedure(scenario);
  return {
    total: bundle.report.total,
    byServiceArea: bundle.report.byServiceArea,
    spso: bundle.spso ? scenarioSpsoFigures(spsoFiguresOf(bundle.spso, procedure)) : null,
  };
}

export interface ScenarioRun {
  report: AnnualReport | DatedScenarioReport;
  /** Everything the report read from the register (the indicators per procedure and quarter among it). */
  bundle: AnnualReportBundle;
  replay: ReplayResult;
  /** Register batches that failed after their rows were committed (crash simulation), retried by Temporal. */
  failedAfterCommit: number;
}

export async function runScenario(scenario: Scenario, options: RunScenarioOptions = {}): Promise<ScenarioRun> {
  const procedure = scenarioProcedure(scenario);
  let tempDir: string | undefined;
  let register = options.register;
  if (!register) {
    tempDir = mkdtempSync(path.join(os.tmpdir(), 'complaints-scenario-'));
    register = await registerOver(await openPglite(path.join(tempDir, 'register')));
  }
  const env = await startTimeSkippingServer();
  const taskQueue = `scenario-${process.pid}-${Date.now().toString(36)}`;
  // Every write goes through to the register; notices are not the scenario's business (kept in memory only).
  const recorded = new RecordingActivities(register);
  const workflowBundle = await bundleComplaintWorkflows();
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;

  const startWorker = async () => {
    worker = await createComplaintsWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      activities: recorded.activities,
      workflowBundle,
      workerOptions: { maxCachedWorkflows: options.restartsWorker ? 0 : 100 },
    });
    running = worker.run();
  };
  const stopWorker = async () => {
    worker?.shutdown();
    await running;
    worker = undefined;
  };

  // The server's clock, last read at `wall` (it then runs at wall-clock speed until the next skip).
  const clockSync = { server: await env.currentTimeMs(), wall: Date.now() };
  const readClock = async () => {
    const server = await env.currentTimeMs();
    Object.assign(clockSync, { server, wall: Date.now() });
    return server;
  };

  const services: ScenarioServices = {
    env,
    register,
    taskQueue,
    serverNow: () => clockSync.server + (Date.now() - clockSync.wall),
    async restartWorker(restart = {}) {
      if (!options.restartsWorker) throw new Error('runScenario: pass restartsWorker: true to restart the worker');
      recorded.failuresAfterCommitLeft = restart.failRegisterWritesAfterCommit ?? 0;
      await stopWorker();
      await startWorker();
    },
  };

  let driver: (ScenarioDriver & { close?(): Promise<void> }) | undefined;
  try {
    await startWorker();
    driver = options.driver
      ? await options.driver(services)
      : await httpDriver({
          client: env.client,
          namespace: env.namespace ?? 'default',
          taskQueue,
          register,
          defaultProcedure: procedure.id,
          now: services.serverNow,
        });
    const replay = await replayScenario(scenario, {
      driver,
      time: {
        now: readClock,
        advanceTo: async (epochMs) => {
          const wait = epochMs - (await readClock());
          if (wait > 0) await env.sleep(wait);
          await readClock();
        },
      },
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.afterDay ? { afterDay: (day: number) => options.afterDay!(day, services) } : {}),
    });
    await waitForRegister(env.client, register, replay.refs);
    const bundle = await buildAnnualReport(register, replay.period, { procedures: [procedure] });
    return { report: scenarioReport(scenario, bundle), bundle, replay, failedAfterCommit: recorded.failedAfterCommit };
  } finally {
    await driver?.close?.().catch(() => undefined);
    await stopWorker().catch(() => undefined);
    await env.teardown().catch(() => undefined);
    if (!options.register) {
      await register.close().catch(() => undefined);
      if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    }
  }
}
