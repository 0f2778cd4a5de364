// bench/results/cluster-<date>.md: what the cluster run did and what it found, as bench/results/ records runs
// (machine, settings, set-up times, then the tables).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../../platform/repo-root';
import type { ServerBuild } from './build';
import type { Cluster } from './cluster';
import { HISTORY_SHARDS } from './config';
import type { LoadResult } from './load';
import type { SmokeResult } from './smoke';

export interface ClusterRun {
  build: ServerBuild;
  cluster: Cluster;
  smoke: SmokeResult;
  load: LoadResult | undefined;
  startedAt: Date;
  totalSeconds: number;
  dir: string;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const ms = (v: number) => (v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`);

function machine(): string {
  const commit = (() => {
    try {
      return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot(), encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  })();
  const memory = (os.totalmem() / 1024 ** 3).toFixed(1);
  return `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, ${memory} GiB, ${os.type()} ${os.release()} ${os.arch()}. Node ${process.version}. Commit ${commit}.`;
}

function loadSection(load: LoadResult): string[] {
  const rows = Object.entries(load.steps)
    .filter(([, f]) => f.sent > 0)
    .map(
      ([step, f]) =>
        `| ${step} | ${f.sent} | ${f.ok} | ${f.failed} | ${f.retried} | ${f.answered5xx} | ${f.noAnswer} | ${ms(percentile(f.ms, 50))} / ${ms(percentile(f.ms, 99))} / ${ms(Math.max(...f.ms))} |`,
    );
  const faults = load.faults.map(
    (f) =>
      `- at ${f.atSeconds.toFixed(1)} s: ${f.what}${f.tookSeconds !== undefined ? ` (answering after ${f.tookSeconds.toFixed(1)} s)` : ''}`,
  );
  const differences = load.registerDifferences
    .slice(0, 20)
    .map((d) => `- ${d.ref} ${d.kind}${d.seq ? ` #${d.seq}` : ''}: ${d.detail}`);
  return [
    `## Load: ${load.complaints} complaints, ${load.concurrency} at a time, through the HTTP API`,
    '',
    `Each: intake → acknowledge → note → outcome (every fifth: withdraw); every request with an Idempotency-Key, sent again with the same key and body after a 5xx or no answer. ${load.complaints} complaints in ${load.seconds.toFixed(1)} s (${(load.complaints / load.seconds).toFixed(2)} complaints/s).`,
    '',
    'Faults (seconds from the start of the load):',
    ...faults,
    '',
    '| step | sent | 2xx | not 2xx | retried | 5xx answers | no answer | p50 / p99 / max (with retries) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    '| check | result |',
    '| --- | --- |',
    `| complaints answered 201 missing from Temporal | ${load.complaintsLost} |`,
    `| complaints in Temporal that no 201 answered (made twice) | ${load.complaintsExtra} |`,
    `| actions answered 200 not in the timeline (lost) | ${load.actionsLost} |`,
    `| actions answered 200 in the timeline more than once (duplicated) | ${load.actionsDuplicated} |`,
    `| register entries lost (in Temporal, not in the register) | ${load.entriesLost} of ${load.temporalEntries} |`,
    `| register entries duplicated or different (type, seq, time, actor, content) | ${load.entriesDuplicatedOrDifferent} |`,
    `| register rows behind, complaints unreadable | ${load.registerDifferences.filter((d) => d.kind === 'snapshot-behind').length}, ${load.unreadable} |`,
    `| complaints compared by register/reconcile.ts | ${load.registerChecked} |`,
    '',
    `**${load.passed ? 'Passed' : 'FAILED'}**: ${load.passed ? 'load held through the faults, entries lost: 0, duplicated: 0.' : 'see the checks above.'}`,
    ...(differences.length ? ['', 'Differences (first 20):', ...differences] : []),
  ];
}

export function resultsMarkdown(run: ClusterRun): string {
  const { build, cluster, smoke, load } = run;
  const built =
    build.builtSeconds !== undefined ? `built in this run in ${build.builtSeconds.toFixed(0)} s` : 'already built';
  const stats = cluster.frontDoor.stats;
  const lines = [
    `# Cluster run ${run.startedAt.toISOString()}`,
    '',
    `Machine: ${machine()}`,
    '',
    `Temporal server ${build.version} from the Go module go.temporal.io/server (${built}; .tools/temporal-server/${build.version}/), ` +
      `${cluster.nodes.length} server processes sharing one cluster (each: frontend, history, matching, worker; ${HISTORY_SHARDS} history shards; ` +
      'membership through the database), PostgreSQL persistence and SQL visibility (postgres12 plugin, schema by temporal-sql-tool), ' +
      'clients through a TCP front door to the frontends. `npm run worker` and `npm run api` against it, the register in PostgreSQL. ' +
      `Cluster up in ${cluster.startSeconds.toFixed(1)} s; the whole run ${run.totalSeconds.toFixed(0)} s.`,
    '',
    '## Smoke check',
    '',
    `A complaint taken in; SIGKILL ${smoke.killed}; acknowledged through the other process ${ms(smoke.acknowledgeAfterKillMs)} after the kill ` +
      `(${smoke.acknowledgeTries} tries), a note added, a second complaint taken in while it was dead (${ms(smoke.intakeWhileDeadMs)}); ` +
      `${smoke.killed} restarted and answering in ${smoke.restartSeconds.toFixed(1)} s; register differences: ${smoke.registerDifferences}.`,
    '',
    ...(load ? loadSection(load) : ['Load: not run (--smoke-only).']),
    '',
    `Front door: connections per frontend ${JSON.stringify(stats.connections)}; ${stats.refused} refused by a dead frontend (and passed to the next); ${stats.unserved} unserved.`,
    '',
  ];
  return lines.join('\n');
}

export function writeResults(run: ClusterRun): string {
  const stamp = run.startedAt
    .toISOString()
    .replace(/:/g, '-')
    .replace(/\.\d+Z$/, 'Z');
  const file = path.join(repoRoot(), 'bench', 'results', `cluster-${stamp}${run.load ? '' : '-smoke'}.md`);
  writeFileSync(file, resultsMarkdown(run));
  return file;
}
