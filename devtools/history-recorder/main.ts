// `npm run record-histories [-- <scenario-name>…]`: re-records tests/histories/, the workflow histories that CI
// replays against the current workflow code (tests/audit/replay-histories.test.ts). Each scenario in
// recorder.ts runs a real complaint through the real worker (createComplaintsWorker) on its own Temporal
// server: the time-skipping test server for most (56-day deadlines in milliseconds), the CLI dev server with the
// search attributes registered for one (exported with `temporal workflow show --output json`). Writes
// tests/histories/<name>.json, tests/histories/meta/query-answers/<name>.json (the workflow's own complaintState query
// answer when the history was taken) and tests/histories/meta/manifest.json, then replays what it wrote as a check.
// Run it only when a workflow change is intended and made safe (see tests/histories/README.md).
import { execFile } from 'node:child_process';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { replayComplaintHistories } from '../../audit/replay';
import { parseHistoryJson } from '../../audit/histories';
import { openPgliteInMemory, registerOver } from '../../register';
import { testPayloadKeys } from '../../tests/support/payload-keys';
import { recordScenario, scenarios, type RecordingEncryption, type Scenario, type ScenarioRecording } from './recorder';
import { complaintDataConverter } from '../../platform/payload-codec';
import { repoRoot } from '../../platform/repo-root';
import { installTemporalRuntime } from '../../platform/runtime';
import { findTemporalBinary } from '../temporal/binaries';
import { bundleComplaintWorkflows, startDevServer, startTimeSkippingServer } from '../temporal/test-servers';

const run = promisify(execFile);
const HISTORIES_DIR = path.join(repoRoot(), 'tests', 'histories');
// Every *.json directly in tests/histories/ is a history (so `--file tests/histories/*.json` works); the rest is in meta/.
const META_DIR = path.join(HISTORIES_DIR, 'meta');
const QUERY_ANSWERS_DIR = path.join(META_DIR, 'query-answers');
const PARALLEL = 4;

const USAGE = 'usage: npm run record-histories [-- <scenario-name>…]   (all scenarios when none is named)';

async function main(): Promise<void> {
  // A dry look at what would be recorded: --help lists the scenarios and records nothing.
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(`${USAGE}\nScenarios: ${scenarios.map((scenario) => scenario.name).join(', ')}`);
    return;
  }
  const only = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
  const unknown = only.filter((name) => !scenarios.some((scenario) => scenario.name === name));
  if (unknown.length)
    throw new Error(`Unknown scenario(s): ${unknown.join(', ')}. Known: ${scenarios.map((s) => s.name).join(', ')}`);
  const chosen = only.length ? scenarios.filter((scenario) => only.includes(scenario.name)) : scenarios;

  installTemporalRuntime('error');
  const started = performance.now();
  const workflowBundle = await bundleComplaintWorkflows();
  console.log(`Workflow bundle ready (${seconds(started)})`);
  // As production runs (issue 14): payloads encrypted with the committed TEST key ring, so that CI's replay and audit
  // can decode them, and personal fields sealed with data keys kept in a register that lives only for this run: the
  // workflow never needs their text, and nobody can open them afterwards (as after an erasure).
  const payloadKeys = testPayloadKeys();
  const register = await registerOver(await openPgliteInMemory(), { keys: payloadKeys });
  const encryption: RecordingEncryption = { payloadKeys, personalData: register.personalData };

  const recordings: ScenarioRecording[] = [];
  const queue = [...chosen];
  await Promise.all(
    Array.from({ length: Math.min(PARALLEL, queue.length) }, async () => {
      for (let scenario = queue.shift(); scenario; scenario = queue.shift()) {
        const t0 = performance.now();
        const recording = await recordOnFreshServer(scenario, workflowBundle, encryption);
        recordings.push(recording);
        console.log(
          `  recorded ${scenario.name.padEnd(32)} ${String(eventCount(recording)).padStart(4)} events in ${recording.runs.length} run(s)  ${recording.queryAnswer.status.padEnd(19)} (${seconds(t0)})`,
        );
      }
    }),
  );
  await register.close();
  recordings.sort((a, b) => scenarios.indexOf(a.scenario) - scenarios.indexOf(b.scenario));

  await writeRecordings(recordings, only.length === 0);

  // What was written must replay: the same check CI makes.
  let failures = 0;
  const files = recordings.flatMap((recording) =>
    fileNames(recording).map((file, i) =>
      parseHistoryJson(recording.runs[i]?.historyJson ?? '', `tests/histories/${file}`),
    ),
  );
  for await (const outcome of replayComplaintHistories(files, { workflowBundle, payloadKeys })) {
    if (!outcome.ok) {
      failures++;
      console.error(`  REPLAY FAILED ${outcome.workflowId}: ${outcome.reason}`);
    }
  }
  if (failures) throw new Error(`${failures} freshly recorded histories do not replay`);
  console.log(
    `Wrote ${recordings.length} histories to ${path.relative(process.cwd(), HISTORIES_DIR)}/ and replayed them all (${seconds(started)} in all)`,
  );
}

async function recordOnFreshServer(
  scenario: Scenario,
  workflowBundle: { code: string },
  encryption: RecordingEncryption,
): Promise<ScenarioRecording> {
  if (scenario.server === 'time-skipping') {
    const env = await startTimeSkippingServer({ dataConverter: complaintDataConverter(encryption.payloadKeys) });
    try {
      return await recordScenario(scenario, { env, workflowBundle, indexed: false, encryption });
    } finally {
      await env.teardown();
    }
  }
  const env = await startDevServer({ client: { dataConverter: complaintDataConverter(encryption.payloadKeys) } });
  try {
    const cli = findTemporalBinary('cli');
    if (!cli)
      throw new Error('The Temporal CLI is needed to export the dev-server history: run `npm run setup:temporal`');
    const namespace = env.namespace ?? 'default';
    const exportWithCli = async (ref: string, runId: string) =>
      (
        await run(
          cli,
          [
            'workflow',
            'show',
            '--workflow-id',
            ref,
            '--run-id',
            runId,
            '--output',
            'json',
            '--address',
            env.address,
            '--namespace',
            namespace,
          ],
          { maxBuffer: 64 * 1024 * 1024 },
        )
      ).stdout;
    return await recordScenario(scenario, { env, workflowBundle, indexed: true, exportWithCli, encryption });
  } finally {
    await env.teardown();
  }
}

async function writeRecordings(recordings: ScenarioRecording[], replaceAll: boolean): Promise<void> {
  await mkdir(QUERY_ANSWERS_DIR, { recursive: true });
  if (replaceAll) {
    // Histories of scenarios that no longer exist go too; README.md and anything not JSON stay.
    for (const dir of [HISTORIES_DIR, QUERY_ANSWERS_DIR]) {
      for (const file of await readdir(dir)) if (file.endsWith('.json')) await rm(path.join(dir, file));
    }
  }
  for (const recording of recordings) {
    const name = recording.scenario.name;
    const files = fileNames(recording);
    for (const [i, run] of recording.runs.entries()) {
      await writeFile(
        path.join(HISTORIES_DIR, files[i] ?? ''),
        run.historyJson.endsWith('\n') ? run.historyJson : `${run.historyJson}\n`,
      );
    }
    await writeFile(
      path.join(QUERY_ANSWERS_DIR, `${name}.json`),
      `${JSON.stringify(recording.queryAnswer, null, 2)}\n`,
    );
  }
  const manifestPath = path.join(META_DIR, 'manifest.json');
  const previous = replaceAll ? [] : await readManifestEntries(manifestPath);
  const entries = [
    ...previous.filter((entry) => !recordings.some((recording) => recording.scenario.name === entry.name)),
    ...recordings.map((recording) => ({
      name: recording.scenario.name,
      files: fileNames(recording),
      workflowId: recording.ref,
      runIds: recording.runs.map((run) => run.runId),
      title: recording.scenario.title,
      procedure: `${recording.queryAnswer.procedure.id}@${recording.queryAnswer.procedure.version}`,
      status: recording.queryAnswer.status,
      events: eventCount(recording),
      timelineEntries: recording.queryAnswer.timeline.length,
      server:
        recording.scenario.server === 'dev'
          ? 'temporal CLI dev server (search attributes registered)'
          : 'time-skipping test server',
      exportedWith:
        recording.exportedWith === 'temporal-cli'
          ? 'temporal workflow show --output json'
          : 'historyToJson (audit/history-json.ts, same format)',
      covers: recording.scenario.covers,
    })),
  ].sort((a, b) => scenarios.findIndex((s) => s.name === a.name) - scenarios.findIndex((s) => s.name === b.name));
  const manifest = {
    description:
      'Workflow histories recorded by `npm run record-histories` (devtools/history-recorder/main.ts); CI replays every tests/histories/*.json. See tests/histories/README.md.',
    recordedAt: new Date().toISOString(),
    workflowCodeCommit: await lastWorkflowCommit(),
    histories: entries,
  };
  await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
}

async function readManifestEntries(manifestPath: string): Promise<Array<{ name: string } & Record<string, unknown>>> {
  try {
    const { readFile } = await import('node:fs/promises');
    return (JSON.parse(await readFile(manifestPath, 'utf8')) as { histories: Array<{ name: string }> }).histories;
  } catch {
    return [];
  }
}

/** The last commit that touched the workflow or the domain, and whether they have uncommitted changes. */
async function lastWorkflowCommit(): Promise<string> {
  try {
    const cwd = repoRoot();
    const { stdout: commit } = await run('git', ['log', '-1', '--format=%h %s', '--', 'workflows', 'domain'], { cwd });
    const { stdout: dirty } = await run('git', ['status', '--porcelain', '--', 'workflows', 'domain'], { cwd });
    return `${commit.trim()}${dirty.trim() ? ' (plus uncommitted changes)' : ''}`;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

/** `<name>.json`, or `<name>.run-1.json`, `<name>.run-2.json`… when the complaint continued as new. */
function fileNames(recording: ScenarioRecording): string[] {
  const name = recording.scenario.name;
  return recording.runs.length === 1 ? [`${name}.json`] : recording.runs.map((_, i) => `${name}.run-${i + 1}.json`);
}

function eventCount(recording: ScenarioRecording): number {
  return recording.runs.reduce((sum, run) => sum + (run.history.events?.length ?? 0), 0);
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)}s`;
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
