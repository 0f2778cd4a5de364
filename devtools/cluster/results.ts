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
import type { ClusterDrill } from './drill';
import type { SmokeResult } from './smoke';

export interface ClusterRun {
  build: ServerBuild;
  cluster: Cluster;
  smoke: SmokeResult;
  drill: ClusterDrill | undefined;
  startedAt: Date;
  totalSeconds: number;
  dir: string;
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

function drillSection(drill: ClusterDrill): string[] {
  const f = drill.figures;
  const faults = f.faults.map(
    (x) =>
      `| ${x.name} | ${x.answeredBefore} | ${x.inFlight} | ${(x.downMs / 1000).toFixed(0)} s | ${(x.restartMs / 1000).toFixed(1)} s |`,
  );
  const takeovers = drill.takeovers.map(
    (t) =>
      `- ${t.killed} killed: ${t.survivor} acquired shards ${t.shards.join(', ') || 'none'}` +
      (t.seconds !== undefined ? `, the last ${t.seconds.toFixed(1)} s after the kill` : ''),
  );
  const row = (check: string, value: string | number) => `| ${check} | ${value} |`;
  return [
    `## Fault drill: ${f.complaints} complaints through the HTTP API (devtools/fault-drill)`,
    '',
    `Each complaint: intake, then acknowledge, note, assign, outcome or withdrawal (every tenth: a note only, left unacknowledged so that its reminder must fire after the faults). ` +
      'Every request with an Idempotency-Key, sent again with the same key and body after a 5xx or no answer. ' +
      `Traffic ${f.trafficSeconds} s (${(f.complaints / f.trafficSeconds).toFixed(2)} complaints/s with the faults), settle ${f.settleSeconds} s, in all ${f.elapsedSeconds} s.`,
    '',
    'Plan: ' + drill.plan.join('; ') + '.',
    '',
    '| fault | requests answered before | in flight | down | back after restart |',
    '| --- | --- | --- | --- | --- |',
    ...faults,
    '',
    ...takeovers,
    '',
    '| check | result |',
    '| --- | --- |',
    row('complaints taken in (201)', `${f.complaintsCreated} of ${f.complaints}`),
    row('actions answered 2xx', `${f.actionsAnswered2xx} of ${f.actions}`),
    row('final answers by status', JSON.stringify(f.finalStatuses)),
    row('tries answered 5xx / without an answer / retries', `${f.answered5xx} / ${f.noAnswer} / ${f.retries}`),
    row('faults survived (SIGKILLs, each restarted)', f.kills),
    row('complaints answered 2xx missing from Temporal', f.complaintsMissing),
    row('complaints made twice', f.complaintsDuplicated),
    row('actions answered 2xx lost', f.lost),
    row('actions recorded more than once (duplicated)', f.duplicated),
    row('register against Temporal: entries compared, differences', `${f.entriesCompared}, ${f.registerDifferences}`),
    row('complaints the reconciliation repaired afterwards', f.repaired),
    row('complaints unreadable', f.unreadable),
    row(
      'e-mails expected / received / duplicated (unexplained) / resent after their sender was killed / missing',
      `${f.emailsExpected} / ${f.emailsReceived} / ${f.emailsDuplicated} / ${f.emailsResentAfterKill} / ${f.emailsMissing}`,
    ),
    row('reminders due / fired', `${f.timersDue} / ${f.timersFired}`),
    '',
    f.problems.length === 0
      ? `**Passed**: load held through ${f.kills} faults; entries lost: ${f.lost}, duplicated: ${f.duplicated}.`
      : `**FAILED** (${f.problems.length} problems; the first 20):`,
    ...f.problems.slice(0, 20).map((p) => `- ${p}`),
  ];
}

export function resultsMarkdown(run: ClusterRun): string {
  const { build, cluster, smoke, drill } = run;
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
    '## Smoke check (after the drill)',
    '',
    `A complaint taken in; SIGKILL ${smoke.killed}; acknowledged through the other process ${ms(smoke.acknowledgeAfterKillMs)} after the kill ` +
      `(${smoke.acknowledgeTries} tries), a note added, a second complaint taken in while it was dead (${ms(smoke.intakeWhileDeadMs)}); ` +
      `${smoke.killed} restarted and answering in ${smoke.restartSeconds.toFixed(1)} s; register differences: ${smoke.registerDifferences}.`,
    '',
    ...(drill ? drillSection(drill) : ['Fault drill: not run (--smoke-only).']),
    '',
    `Front door: connections per frontend ${JSON.stringify(stats.connections)}; ${stats.refused} refused by a dead frontend (and passed to the next); ${stats.unserved} unserved.`,
    '',
  ];
  return lines.join('\n');
}

function suffix(run: ClusterRun): string {
  if (!run.drill) return '-smoke';
  return run.drill.plan.some((step) => step.startsWith('worker')) ? '' : '-servers-only';
}

export function writeResults(run: ClusterRun): string {
  const stamp = run.startedAt
    .toISOString()
    .replace(/:/g, '-')
    .replace(/\.\d+Z$/, 'Z');
  const file = path.join(repoRoot(), 'bench', 'results', `cluster-${stamp}${suffix(run)}.md`);
  writeFileSync(file, resultsMarkdown(run));
  return file;
}
