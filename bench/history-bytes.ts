// `npx tsx bench/history-bytes.ts [--notes 3,10,30] [--out FILE]`: how many bytes a complaint's Temporal history
// holds after intake and a 3-action lifecycle (acknowledge, assign, record the outcome), and after intake plus N
// notes, measured on a dev server with the real workflow bundle and in-memory activities. Issue 17: every Update used
// to answer with the whole state, timeline included, so a history grew with the square of its actions; since the patch
// compact-history it grows linearly. The figures, with machine and date, go to bench/results/history-bytes-*.md.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createComplaintsWorker } from '../worker/create-worker';
import { actionUpdates } from '../workflows/messages';
import { ComplaintHarness, manager, officer } from '../tests/support/complaint-harness';
import { RecordingActivities } from '../tests/support/recording-activities';
import { bundleComplaintWorkflows, startDevServer } from '../tests/support/temporal';

interface Measure {
  case: string;
  actions: number;
  events: number;
  bytes: number;
  updateResultBytes: number;
}

function argument(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function historyOf(env: TestWorkflowEnvironment, ref: string) {
  const history = await env.client.workflow.getHandle(ref).fetchHistory();
  const bytes = temporal.api.history.v1.History.encode(history).finish().length;
  let updateResultBytes = 0;
  for (const event of history.events ?? []) {
    const outcome = event.workflowExecutionUpdateCompletedEventAttributes?.outcome;
    for (const payload of outcome?.success?.payloads ?? []) updateResultBytes += payload.data?.length ?? 0;
  }
  return { events: history.events?.length ?? 0, bytes, updateResultBytes };
}

async function main(): Promise<void> {
  const notes = (argument('notes') ?? '3,10,30').split(',').map(Number);
  const env = await startDevServer({ searchAttributes: true });
  const h = new ComplaintHarness(env);
  const worker = await createComplaintsWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue: h.taskQueue,
    activities: new RecordingActivities().activities,
    workflowBundle: await bundleComplaintWorkflows(),
  });
  const measures: Measure[] = [];
  await worker.runUntil(async () => {
    const start = async () => {
      const input = await h.input();
      return { input, handle: await h.startComplaint(input, true) };
    };
    {
      const { input, handle } = await start();
      await handle.executeUpdate(actionUpdates.acknowledge, { args: [{ actor: officer }] });
      await handle.executeUpdate(actionUpdates.assign, {
        args: [{ actor: manager, officer: { id: 'officer.jones' } }],
      });
      await handle.executeUpdate(actionUpdates['record-outcome'], {
        args: [{ actor: officer, outcome: 'upheld', findings: 'The visits were late; the rota is fixed' }],
      });
      measures.push({
        case: 'lifecycle: acknowledge, assign, outcome',
        actions: 3,
        ...(await historyOf(env, input.ref)),
      });
    }
    for (const n of notes) {
      const { input, handle } = await start();
      for (let i = 0; i < n; i++)
        await handle.executeUpdate(actionUpdates['add-note'], {
          args: [{ actor: officer, text: `Phoned the complainant about the visit rota (${i + 1})` }],
        });
      measures.push({ case: `${n} notes`, actions: n, ...(await historyOf(env, input.ref)) });
    }
  });
  await env.teardown();
  const machine = `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const lines = [
    `| case | actions | events | history bytes | of which Update results | history bytes per action |`,
    `|---|---:|---:|---:|---:|---:|`,
    ...measures.map(
      (m) =>
        `| ${m.case} | ${m.actions} | ${m.events} | ${m.bytes} | ${m.updateResultBytes} | ${Math.round(m.bytes / m.actions)} |`,
    ),
  ];
  const text = [`Machine: ${machine}. Date: ${new Date().toISOString()}.`, '', ...lines, ''].join('\n');
  const out = argument('out');
  if (out) writeFileSync(out, text);
  console.log(text);
  console.log(JSON.stringify(measures));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
