import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkerOptions, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { ComplaintDetails, ComplaintOpening } from '../../domain/intake';
import type { Actor } from '../../domain/vocabulary';
import type { ComplaintWorkflowInput } from '../../workflows/complaint';
import { complaintWorkflow } from '../../workflows';
import { complaintStartOptions } from '../../workflows/start-options';
import { RecordingActivities } from './recording-activities';
import { bundleComplaintWorkflows } from './temporal';

export const HOUR_MS = 60 * 60 * 1000;
export const DAY_MS = 24 * HOUR_MS;

/** The people of the tests and of the recorded histories (devtools/history-recorder uses the same). */
export const actors = {
  intake: { id: 'intake.smith', name: 'Jo Smith', role: 'intake' },
  officer: { id: 'officer.jones', name: 'Sam Jones', role: 'case-officer' },
  investigator: { id: 'officer.reid', name: 'Morag Reid', role: 'investigating-officer' },
  manager: { id: 'manager.brown', name: 'Alex Brown', role: 'manager' },
  director: { id: 'director.grant', name: 'Fiona Grant', role: 'director' },
  committeeClerk: { id: 'clerk.wallace', name: 'Iain Wallace', role: 'committee-clerk' },
  partnerSystem: { id: 'system.care-first', name: 'CareFirst integration', role: 'system' },
} satisfies Record<string, Actor>;
export const { officer, manager, intake: intakeClerk } = actors;

/** A complaint's details as the tests and the recorded histories use them, unless the overrides say otherwise. */
export function complaintDetails(overrides: Partial<ComplaintDetails> = {}): ComplaintDetails {
  return {
    complainant: { name: 'Pat Complainant', email: 'pat@example.org' },
    serviceArea: 'community-care',
    category: 'service-standards',
    channel: 'letter',
    summary: 'Home care visits were missed three times in one week',
    serious: false,
    ...overrides,
  };
}

let refCounter = 0;
export function uniqueRef(prefix = 'TEST'): string {
  refCounter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${refCounter}`.toUpperCase();
}

/**
 * One worker over the real workflow bundle with in-memory activities, on whichever server the test file
 * started. Tests drive complaints with the client and move time with `env.sleep`.
 */
export class ComplaintHarness {
  readonly recorded = new RecordingActivities();
  private worker?: Worker;
  private running?: Promise<void>;
  readonly taskQueue = `complaints-test-${process.pid}-${Date.now().toString(36)}`;

  constructor(readonly env: TestWorkflowEnvironment) {}

  /** `workerOptions`: e.g. a tiny `maxCachedWorkflows` (tests/worker/cache-evictions.test.ts). */
  async start(bundle?: WorkflowBundleWithSourceMap, workerOptions: Partial<WorkerOptions> = {}): Promise<void> {
    this.worker = await Worker.create({
      ...workerOptions,
      connection: this.env.nativeConnection,
      namespace: this.env.namespace ?? 'default',
      taskQueue: this.taskQueue,
      workflowBundle: bundle ?? (await bundleComplaintWorkflows()),
      activities: this.recorded.activities,
    });
    this.running = this.worker.run();
  }

  async stop(): Promise<void> {
    this.worker?.shutdown();
    await this.running;
  }

  /** The server's clock: on the time-skipping server it runs ahead of the wall clock. */
  now(): Promise<number> {
    return this.env.currentTimeMs();
  }

  /** A complaint received now (server time) unless the overrides say otherwise. */
  async input(
    overrides: Partial<Omit<ComplaintOpening, 'details'>> & { details?: Partial<ComplaintDetails> } = {},
  ): Promise<ComplaintWorkflowInput> {
    const { details, ...rest } = overrides;
    return {
      ref: uniqueRef(),
      procedure: { id: 'dundee-swd-2011', version: 1 },
      details: complaintDetails(details),
      receivedAt: new Date(await this.now()).toISOString(),
      holidays: [],
      actor: intakeClerk,
      ...rest,
    };
  }

  /** `indexed`: whether the server has the complaint search attributes (the dev server in tests; not the time-skipping one). */
  async startComplaint(input: ComplaintWorkflowInput, indexed = false) {
    return this.env.client.workflow.start(
      complaintWorkflow,
      complaintStartOptions(input, { taskQueue: this.taskQueue, indexed }),
    );
  }
}
