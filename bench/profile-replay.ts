// Profiling aid (not part of the benchmark run): replays the recorded histories of tests/histories `--times` times
// over, and prints histories per second.   node --cpu-prof --import tsx bench/profile-replay.ts [times]
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { bundleWorkflowCode } from '@temporalio/worker';
import { readHistoryFile, type ComplaintHistory } from '../audit/histories';
import { replayComplaintHistories } from '../audit/replay';
import { installTemporalRuntime } from '../platform/runtime';
import { repoRoot } from '../platform/repo-root';
import { testPayloadKeys } from '../tests/support/payload-keys';
import { complaintBundleOptions, complaintWorkflowsPath } from '../worker/workflow-options';

async function main(): Promise<void> {
  const times = Number(process.argv[2] ?? 20);
  installTemporalRuntime('warn');
  const dir = path.join(repoRoot(), 'tests', 'histories');
  const files = readdirSync(dir).filter((file) => file.endsWith('.json'));
  const one: ComplaintHistory[] = [];
  for (const file of files) one.push(await readHistoryFile(path.join(dir, file)));
  const histories = Array.from({ length: times }, () => one).flat();
  const bundle = await bundleWorkflowCode({
    workflowsPath: complaintWorkflowsPath(),
    ...complaintBundleOptions,
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error },
  });
  const started = performance.now();
  let ok = 0;
  // The recorded payloads are encrypted with the committed test key ring (tests/histories/README.md).
  const payloadKeys = testPayloadKeys();
  for await (const outcome of replayComplaintHistories(histories, {
    workflowBundle: { code: bundle.code },
    payloadKeys,
  }))
    if (outcome.ok) ok++;
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage();
  console.log(
    `${histories.length} histories (${ok} ok) in ${seconds.toFixed(2)}s = ${(histories.length / seconds).toFixed(1)}/s; process CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)}s`,
  );
}

void main();
