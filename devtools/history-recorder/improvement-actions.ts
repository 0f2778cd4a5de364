// `npm run record-histories:improvement-actions`: re-records tests/histories/improvement-actions/, the histories of
// the improvement action's reminders workflow (workflows/improvement-action.ts) that
// tests/audit/replay-improvement-actions.test.ts replays on every run. Apart from the complaint scenarios (main.ts,
// recorder.ts): those carry query answers, a manifest and a timeline test that read every complaint history.
// Each path runs on its own time-skipping server with the real workflow bundle and the worker's options
// (worker/workflow-options.ts) under the committed TEST key ring, as production runs: every payload encrypted.
// The workflow's input carries no free text (ids and reminder times: api/improvement-actions.ts); the action's own
// text is sealed in a register that lives only for this run (platform/personal-data.ts), as the API keeps it.
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { createImprovementActionActivities } from '../../activities/improvement-actions';
import { historyToJson } from '../../audit/history-json';
import { parseHistoryJson } from '../../audit/histories';
import { replayComplaintHistories } from '../../audit/replay';
import { improvementActionWorkflowInput } from '../../api/improvement-actions';
import { addDays, londonDate } from '../../domain/calendar';
import { DEFAULT_IMPROVEMENT_REMINDERS } from '../../domain/improvement-actions';
import { complaintDataConverter } from '../../platform/payload-codec';
import type { PayloadKeyRing } from '../../platform/payload-keys';
import { repoRoot } from '../../platform/repo-root';
import type { ImprovementActionRecord } from '../../register/improvement-actions';
import { installTemporalRuntime } from '../../platform/runtime';
import { openPgliteInMemory, registerOver, type Register } from '../../register';
import { complaintDetails, DAY_MS } from '../../tests/support/complaint-harness';
import { testPayloadKeys } from '../../tests/support/payload-keys';
import { complaintWorkflowCodeOptions } from '../../worker/workflow-options';
import {
  improvementActionCompletedSignal,
  improvementActionWorkflowId,
  type improvementActionWorkflow,
} from '../../workflows/improvement-action';
import { bundleComplaintWorkflows, startTimeSkippingServer } from '../temporal/test-servers';

const IMPROVEMENT_ACTION_HISTORIES_DIR = path.join(repoRoot(), 'tests', 'histories', 'improvement-actions');

interface ActionPath {
  name: string;
  /** Moves server time and signals the completion; the action is agreed now, due in 15 working days. */
  drive(env: TestWorkflowEnvironment, complete: () => Promise<void>, reminders: number[]): Promise<void>;
}

const paths: ActionPath[] = [
  {
    name: 'reminded-then-completed',
    async drive(env, complete, [beforeDue, due]) {
      // Past the before-due reminder, then past the due-day one, then completed a few days late.
      await env.sleep((beforeDue ?? 0) - (await env.currentTimeMs()) + 60_000);
      await env.sleep((due ?? 0) - (await env.currentTimeMs()) + 60_000);
      await env.sleep(3 * DAY_MS);
      await complete();
    },
  },
  {
    name: 'completed-before-reminders',
    async drive(env, complete) {
      await env.sleep(DAY_MS);
      await complete();
    },
  },
];

async function recordPath(
  actionPath: ActionPath,
  workflowBundle: WorkflowBundleOption,
  payloadKeys: PayloadKeyRing,
  register: Register,
): Promise<string> {
  const env = await startTimeSkippingServer({ dataConverter: complaintDataConverter(payloadKeys) });
  try {
    const taskQueue = `record-improvement-action-${actionPath.name}`;
    const details = complaintDetails();
    const worker = await Worker.create({
      ...complaintWorkflowCodeOptions(workflowBundle, payloadKeys),
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      activities: createImprovementActionActivities({
        actions: register.improvementActions,
        complaint: async (ref) => ({
          ref,
          procedure: { id: 'spso-mchp-2020', version: 1, name: 'Model complaints handling procedure' },
          currentStage: 'stage-1',
          details,
        }),
        delivery: { deliver: async (notice) => ({ noticeId: notice.id, deliveredAs: 'recording', recipients: [] }) },
        personalData: register.personalData,
      }),
    });
    return await worker.runUntil(async () => {
      const nowMs = await env.currentTimeMs();
      const action: ImprovementActionRecord = {
        id: `IA-${Buffer.from(actionPath.name).toString('hex').slice(0, 24).padEnd(24, '0')}`,
        ref: `SW-2026-${actionPath.name.length.toString().padStart(6, '0')}`,
        serviceArea: 'community-care',
        what: 'Check the home care rota every week',
        owner: 'officer.jones',
        dueDate: londonDate(addDays(nowMs, { days: 15, kind: 'working' }, [])),
        agreedAt: new Date(nowMs).toISOString(),
        agreedBy: 'manager.brown',
        requestSha256: 'recorded',
      };
      await register.improvementActions.agree(action);
      const input = improvementActionWorkflowInput(action, DEFAULT_IMPROVEMENT_REMINDERS, []);
      const handle = await env.client.workflow.start<typeof improvementActionWorkflow>('improvementActionWorkflow', {
        workflowId: improvementActionWorkflowId(action.id),
        taskQueue,
        args: [input],
      });
      // As the API completes one: the register first, then the Signal.
      const complete = async () => {
        const at = new Date(await env.currentTimeMs());
        await register.improvementActions.complete(action.id, { evidence: 'Rota checked', by: 'officer.jones', at });
        await handle.signal(improvementActionCompletedSignal);
      };
      await actionPath.drive(
        env,
        complete,
        input.reminders.map((reminder) => Date.parse(reminder.at)),
      );
      const result = await handle.result();
      console.log(`  recorded ${actionPath.name.padEnd(28)} ${JSON.stringify(result)}`);
      return historyToJson(await handle.fetchHistory());
    });
  } finally {
    await env.teardown();
  }
}

async function main(): Promise<void> {
  installTemporalRuntime('error');
  const workflowBundle = await bundleComplaintWorkflows();
  const payloadKeys = testPayloadKeys();
  const register = await registerOver(await openPgliteInMemory(), { keys: payloadKeys });
  const recorded = new Map<string, string>();
  try {
    for (const actionPath of paths)
      recorded.set(actionPath.name, await recordPath(actionPath, workflowBundle, payloadKeys, register));
  } finally {
    await register.close();
  }
  await mkdir(IMPROVEMENT_ACTION_HISTORIES_DIR, { recursive: true });
  for (const file of await readdir(IMPROVEMENT_ACTION_HISTORIES_DIR))
    if (file.endsWith('.json')) await rm(path.join(IMPROVEMENT_ACTION_HISTORIES_DIR, file));
  const histories = [];
  for (const [name, json] of recorded) {
    const file = path.join(IMPROVEMENT_ACTION_HISTORIES_DIR, `${name}.json`);
    await writeFile(file, json.endsWith('\n') ? json : `${json}\n`);
    histories.push(parseHistoryJson(json, path.relative(repoRoot(), file)));
  }
  // What was written must replay: the same check the test makes.
  let failures = 0;
  for await (const outcome of replayComplaintHistories(histories, { workflowBundle, payloadKeys })) {
    if (!outcome.ok) failures += 1;
    console.log(outcome.message);
  }
  if (failures) throw new Error(`${failures} freshly recorded histories do not replay`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
