// Retention on the time-skipping server (issue 14): complaints really closed (withdrawn through the API), time skipped
// past the retention period with env.sleep, then the retention workflow run as the daily Schedule starts it
// (platform/schedules.ts: workflow type retentionWorkflow, no arguments), with its real activities over a register
// holding the complaints' data keys. The one closed beyond its period is erased (its name reads "[erased]" in the
// register and in the workflow input Temporal still holds) and is in the destruction log; the one closed within its
// period, and one under a longer rule, are untouched. So with compliments, by the schedule's compliments period after
// receipt: the older one's text erased and logged, its row kept; the younger one untouched.
//
// What each server proves: this server does not implement DeleteWorkflowExecution nor Schedules (both answer
// UNIMPLEMENTED, checked below), so here the run's deletion step meets a Temporal that cannot delete: the erasure
// stands, the destruction log says the runs were not deleted (workflowDeletedAt null), and the next run tries again.
// The deletion itself, and the Schedule's registration, are proved on the dev server by tests/privacy/retention.test.ts
// (closures moved back in the register there, as that server cannot skip time).
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRetentionActivities } from '../../activities/retention';
import { startedAttributes } from '../../audit/histories';
import type { ComplaintDetails } from '../../domain/intake';
import { londonDate } from '../../domain/calendar';
import { ERASED_TEXT, isSealedText } from '../../domain/personal-fields';
import type { RetentionSchedule } from '../../domain/retention';
import { ensureRetentionSchedule } from '../../platform/schedules';
import { openPgliteInMemory, registerOver, type Register } from '../../register';
import { createComplaintsWorker } from '../../worker/create-worker';
import type { retentionWorkflow } from '../../workflows/retention';
import { type ApiStack, caller, intakeBody, startApiStack } from '../support/api';
import { testPayloadKeys } from '../support/payload-keys';
import { bundleComplaintWorkflows, startTimeSkippingServer } from '../support/temporal';

const DAY = 24 * 60 * 60_000;
const schedule: RetentionSchedule = {
  default: { years: 6 },
  rules: [{ serviceArea: 'childrens-services', days: 30 }],
  compliments: { days: 25 },
};

let env: TestWorkflowEnvironment;
let register: Register;
let stack: ApiStack;
let retentionWorker: Worker;
let running: Promise<void>;
let call: ReturnType<typeof caller>;
const retentionQueue = `retention-ts-test-${process.pid}`;
const refs: Record<'due' | 'recent' | 'longer', string> = { due: '', recent: '', longer: '' };
const compliments = { due: '', recent: '' };

async function compliment(summary: string, receivedAtMs: number): Promise<string> {
  const recorded = await register.recordCompliment(
    { serviceArea: 'community-care', team: 'home care', receivedAt: londonDate(receivedAtMs), summary },
    { id: 'intake.smith' },
    new Date(receivedAtMs),
  );
  return recorded.id;
}
const complimentTexts = async () =>
  Object.fromEntries((await register.compliments()).map((recorded) => [recorded.id, recorded.summary]));

async function closedComplaint(serviceArea: string, name: string): Promise<string> {
  const intake = await call('intake', 'POST', '/complaints', {
    body: intakeBody({ serviceArea, complainant: { name, email: 'zxqretention@example.org' } }),
  });
  expect(intake.status, intake.text).toBe(201);
  const ref = intake.json().ref as string;
  const withdrawn = await call('case-officer', 'POST', `/complaints/${ref}/withdraw`, { body: {} });
  expect(withdrawn.status, withdrawn.text).toBe(200);
  return ref;
}

/** The retention run as the Schedule starts it: retentionWorkflow, no arguments, on the worker's task queue. */
const retentionRun = (id: string) =>
  stack.complaints.client.workflow.execute<typeof retentionWorkflow>('retentionWorkflow', {
    taskQueue: retentionQueue,
    workflowId: id,
    args: [],
  });

beforeAll(async () => {
  env = await startTimeSkippingServer();
  register = await registerOver(await openPgliteInMemory(), { keys: testPayloadKeys() });
  stack = await startApiStack(env, { payloadKeys: testPayloadKeys(), register });
  call = caller(stack.app);
  retentionWorker = await createComplaintsWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue: retentionQueue,
    activities: createRetentionActivities({ client: async () => stack.complaints.client, register, schedule }),
    workflowBundle: await bundleComplaintWorkflows(),
    payloadKeys: testPayloadKeys(),
    workerOptions: { shutdownGraceTime: '1s' },
  });
  running = retentionWorker.run();

  // Closed 31 days before the run: one under the 30-day rule, one under the 6-year default. A compliment received
  // then (the compliments' rule: 25 days), and one received 11 days before the run.
  compliments.due = await compliment('Zxqduecompliment kind carer', await env.currentTimeMs());
  compliments.recent = await compliment('Zxqrecentcompliment', (await env.currentTimeMs()) + 20 * DAY);
  refs.due = await closedComplaint('childrens-services', 'Zxqdue Person');
  refs.longer = await closedComplaint('community-care', 'Zxqlonger Person');
  await env.sleep(20 * DAY);
  // Closed 11 days before the run, under the 30-day rule.
  refs.recent = await closedComplaint('childrens-services', 'Zxqrecent Person');
  await env.sleep(11 * DAY);
}, 180_000);

afterAll(async () => {
  retentionWorker?.shutdown();
  await running;
  await stack?.close();
  await register?.close();
  await env?.teardown();
});

const nameIn = async (ref: string) =>
  (await register.personalData.open((await register.complaint(ref))!.details)).complainant.name;

/** The complainant's name in the workflow input Temporal holds (decoded with the keys; opened with the data key). */
async function nameInTemporal(ref: string): Promise<{ sealed: boolean; opened: string }> {
  const history = await stack.complaints.client.workflow.getHandle(ref).fetchHistory();
  const [input] = await stack.complaints.client.options.loadedDataConverter.payloadCodecs[0]!.decode([
    startedAttributes(history).input!.payloads![0]!,
  ]);
  const { details } = JSON.parse(Buffer.from(input!.data!).toString('utf8')) as { details: ComplaintDetails };
  return {
    sealed: isSealedText(details.complainant.name),
    opened: (await register.personalData.open(details)).complainant.name,
  };
}

describe('retention on the time-skipping server', () => {
  it('this server implements neither DeleteWorkflowExecution nor Schedules (what the dev-server test is for)', async () => {
    await expect(
      env.client.workflowService.deleteWorkflowExecution({
        namespace: env.namespace ?? 'default',
        workflowExecution: { workflowId: refs.longer },
      }),
    ).rejects.toMatchObject({ code: 12 });
    await expect(ensureRetentionSchedule(env.client, retentionQueue)).rejects.toMatchObject({ cause: { code: 12 } });
  });

  it('erases the complaint closed beyond its period and logs it; the ones within theirs are untouched', async () => {
    expect(await nameIn(refs.due)).toBe('Zxqdue Person');
    expect(await nameInTemporal(refs.due)).toEqual({ sealed: true, opened: 'Zxqdue Person' });
    const closedAt = (await register.complaint(refs.due))!.withdrawal!.at;
    expect(Date.parse(closedAt)).toBeLessThanOrEqual((await env.currentTimeMs()) - 31 * DAY + 60_000);

    expect(await complimentTexts()).toEqual({
      [compliments.due]: 'Zxqduecompliment kind carer',
      [compliments.recent]: 'Zxqrecentcompliment',
    });

    // The complaint and the compliment due.
    expect(await retentionRun('retention-day-1')).toEqual({ applied: 2 });

    expect(await nameIn(refs.due)).toBe(ERASED_TEXT);
    // Everywhere at once: the input Temporal still holds is sealed under the destroyed key.
    expect(await nameInTemporal(refs.due)).toEqual({ sealed: true, opened: ERASED_TEXT });
    const log = await register.destructionLog({ limit: 10 });
    expect(log.map((entry) => entry.ref).sort()).toEqual([refs.due, compliments.due].sort());
    const logged = log.find((entry) => entry.ref === refs.due);
    expect(logged).toMatchObject({
      ref: refs.due,
      rule: 'rule 1 (service area childrens-services): 30 days after closure',
      erasedBy: { id: 'retention-schedule' },
      closedAt,
      // Not deleted: this server cannot (above); the dev-server test shows the deletion and its time here.
      workflowDeletedAt: null,
    });
    // Its figures stay: the register keeps the complaint's row and timeline (for the reports).
    expect((await register.timeline(refs.due)).map((entry) => entry.type)).toEqual(['complaint-received', 'withdrawn']);

    for (const [ref, name] of [
      [refs.recent, 'Zxqrecent Person'],
      [refs.longer, 'Zxqlonger Person'],
    ] as const) {
      expect(await nameIn(ref)).toBe(name);
      expect(await nameInTemporal(ref)).toEqual({ sealed: true, opened: name });
    }
    expect((await call('manager', 'GET', '/destruction-log?limit=5')).json()).toMatchObject({
      items: [{}, {}],
      nextCursor: null,
    });

    // The compliment received beyond its period: its text erased, logged; its row (counted by the reports) kept.
    expect(await complimentTexts()).toEqual({
      [compliments.due]: ERASED_TEXT,
      [compliments.recent]: 'Zxqrecentcompliment',
    });
    expect(log.find((entry) => entry.ref === compliments.due)).toMatchObject({
      rule: 'compliments: 25 days after receipt',
      reason: 'retention period ended (compliments: 25 days after receipt)',
      erasedBy: { id: 'retention-schedule' },
      closedAt: null,
    });
  }, 120_000);

  it('the next day: the undeleted runs are tried again, the first erasure stands, the recent one is still within', async () => {
    await env.sleep(DAY);
    expect(await retentionRun('retention-day-2')).toEqual({ applied: 1 });
    const log = await register.destructionLog({ limit: 10 });
    expect(log.map((entry) => entry.ref).sort()).toEqual([refs.due, compliments.due].sort());
    expect(await nameIn(refs.recent)).toBe('Zxqrecent Person');
    expect((await complimentTexts())[compliments.recent]).toBe('Zxqrecentcompliment');
  }, 120_000);
});
