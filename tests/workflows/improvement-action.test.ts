// An improvement action's reminders on the time-skipping server (issue 16): the owner is reminded a working-day lead
// time before the due day and on it, once each, through the notice delivery, and each reminder is in the action's
// timeline in the register; completing it cancels what is left.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImprovementActionActivities } from '../../activities/improvement-actions';
import type { NoticeDelivery } from '../../activities/contract';
import { improvementActionWorkflowInput } from '../../api/improvement-actions';
import { addDays, londonDate, londonTimeOn } from '../../domain/calendar';
import { DEFAULT_IMPROVEMENT_REMINDERS } from '../../domain/improvement-actions';
import type { Notice } from '../../domain/notices';
import type { ImprovementActionRecord } from '../../register/improvement-actions';
import {
  improvementActionCompletedSignal,
  improvementActionWorkflowId,
  type improvementActionWorkflow,
} from '../../workflows/improvement-action';
import { complaintDetails } from '../support/complaint-harness';
import { bundleComplaintWorkflows, startTimeSkippingServer } from '../support/temporal';
import { openTestRegister, type TestRegister } from '../support/test-register';

const taskQueue = `improvement-actions-${process.pid}`;
let env: TestWorkflowEnvironment;
let register: TestRegister;
let worker: Worker;
let running: Promise<void>;
const delivered: Notice[] = [];

const delivery: NoticeDelivery = {
  deliver: async (notice) => {
    delivered.push(notice);
    return { noticeId: notice.id, deliveredAs: 'test', recipients: [] };
  },
};

beforeAll(async () => {
  env = await startTimeSkippingServer();
  register = await openTestRegister('improvement_action_wf');
  const details = complaintDetails();
  const activities = createImprovementActionActivities({
    actions: register.register.improvementActions,
    complaint: async (ref) => ({
      ref,
      procedure: { id: 'spso-mchp-2020', version: 1, name: 'Model complaints handling procedure' },
      currentStage: 'stage-1',
      details,
    }),
    delivery,
  });
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await bundleComplaintWorkflows(),
    activities,
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await register?.drop();
  await env?.teardown();
});

let counter = 0;
/** An action agreed now (server time), due in 15 working days, kept in the register, and its workflow started. */
async function agreedAction() {
  const nowMs = await env.currentTimeMs();
  counter += 1;
  const action: ImprovementActionRecord = {
    id: `IA-${counter.toString(16).padStart(24, '0')}`,
    ref: `SW-2026-00000${counter}`,
    serviceArea: 'community-care',
    what: 'Check the home care rota every week',
    owner: 'officer.jones',
    dueDate: londonDate(addDays(nowMs, { days: 15, kind: 'working' }, [])),
    agreedAt: new Date(nowMs).toISOString(),
    agreedBy: 'manager.brown',
    requestSha256: 'x',
  };
  await register.register.improvementActions.agree(action);
  const input = improvementActionWorkflowInput(action, DEFAULT_IMPROVEMENT_REMINDERS, []);
  const handle = await env.client.workflow.start<typeof improvementActionWorkflow>('improvementActionWorkflow', {
    workflowId: improvementActionWorkflowId(action.id),
    taskQueue,
    args: [input],
  });
  return { action, input, handle };
}

const noticesOf = (actionId: string) => delivered.filter((notice) => notice.improvementAction?.id === actionId);

describe('an improvement action', () => {
  it('reminds the owner before the due day by the lead time and on it, once each', async () => {
    const { action, input, handle } = await agreedAction();
    expect(input.reminders.map((reminder) => reminder.kind)).toEqual(['before-due', 'due']);
    const [before, due] = input.reminders.map((reminder) => Date.parse(reminder.at)) as [number, number];
    expect(due).toBe(londonTimeOn(action.dueDate, '09:00'));

    await env.sleep(before - (await env.currentTimeMs()) - 60_000);
    expect(noticesOf(action.id)).toEqual([]);
    await env.sleep(120_000);
    await expect.poll(() => noticesOf(action.id).length).toBe(1);
    expect(noticesOf(action.id)[0]).toMatchObject({
      kind: 'improvement-action-reminder',
      audience: 'staff',
      caseOfficer: { id: 'officer.jones' },
      improvementAction: { what: 'Check the home care rota every week', reminder: 'before-due' },
      occurredAt: new Date(before).toISOString(),
    });

    await env.sleep(due - (await env.currentTimeMs()) + 60_000);
    await expect.poll(() => noticesOf(action.id).length).toBe(2);
    expect(noticesOf(action.id)[1]!.improvementAction!.reminder).toBe('due');
    const events = await register.register.improvementActions.eventsOf(action.ref);
    expect(events.map((event) => event.kind)).toEqual(['agreed', 'reminded-before-due', 'reminded-due']);

    // After the due day nothing more is sent; the workflow waits for the completion.
    await env.sleep(10 * 24 * 3_600_000);
    expect(noticesOf(action.id)).toHaveLength(2);
    await register.register.improvementActions.complete(action.id, {
      evidence: 'Rota checked',
      by: 'officer.jones',
      at: new Date(await env.currentTimeMs()),
    });
    await handle.signal(improvementActionCompletedSignal);
    expect(await handle.result()).toEqual({ reminded: 2, completed: true });
  });

  it('completed before its reminders, sends none', async () => {
    const { action, input, handle } = await agreedAction();
    await register.register.improvementActions.complete(action.id, {
      evidence: 'Done at once',
      by: 'manager.brown',
      at: new Date(await env.currentTimeMs()),
    });
    await handle.signal(improvementActionCompletedSignal);
    expect(await handle.result()).toEqual({ reminded: 0, completed: true });
    await env.sleep(Date.parse(input.reminders.at(-1)!.at) - (await env.currentTimeMs()) + 60_000);
    expect(noticesOf(action.id)).toEqual([]);
  });

  it('completed in the register but not yet signalled, its next reminder is not sent', async () => {
    const { action, input, handle } = await agreedAction();
    await env.sleep(Date.parse(input.reminders[0]!.at) - (await env.currentTimeMs()) + 60_000);
    await expect.poll(() => noticesOf(action.id).length).toBe(1);
    await register.register.improvementActions.complete(action.id, {
      evidence: 'Done',
      by: 'officer.jones',
      at: new Date(await env.currentTimeMs()),
    });
    expect(await handle.result()).toEqual({ reminded: 1, completed: true });
    expect(noticesOf(action.id)).toHaveLength(1);
  });
});
