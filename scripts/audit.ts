// `npm run audit -- <command>`: what an auditor (or CI) runs against complaint histories.
//
//   replay   [--query '<visibility query>'] [--ref <ref>]… [--file <history.json>…] [--json] [--parallel N]
//            Replays each history against today's workflow code (the worker's own options); one line per
//            complaint run, a summary, exit 1 if any is non-deterministic or fails. Progress bar on a terminal.
//            N replay processes (default: one per core, at most one per history), outcomes in the input's order.
//   timeline <ref | file.json>… [--ref <ref>]… [--file <history.json>…] [--json]
//            The complaint's timeline reconstructed from its history alone.
//   export   [--query '<visibility query>'] [--ref <ref>]… --out <dir>
//            Writes histories as JSON files (the format of `temporal workflow show --output json`).
//
// Temporal is reached as every process reaches it (platform/config.ts: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TLS…).
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { isGrpcServiceError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import cliProgress from 'cli-progress';
import {
  countSelection,
  eventTime,
  fetchComplaintHistories,
  historyJson,
  readHistoryFile,
  type ComplaintHistory,
  type HistorySelection,
} from '../audit/histories';
import { defaultReplayParallelism, replayInParallel } from '../audit/parallel-replay';
import { summarise, type ReplayOutcome } from '../audit/replay';
import { formatTimeline, payloadDecoder, reconstructTimeline } from '../audit/timeline';
import { loadConfig } from '../platform/config';
import { payloadKeysFor } from '../platform/payload-keys';
import { installTemporalRuntime } from '../platform/runtime';
import { connectClient } from '../platform/temporal-connection';
import { runCommand } from './command-line';

const USAGE = `Usage:
  npm run audit -- replay [--query '<visibility query>'] [--ref <ref>]... [--file <history.json>...] [--json]
                          [--parallel N]
  npm run audit -- timeline <ref | history.json>... [--ref <ref>]... [--file <history.json>...] [--json]
  npm run audit -- export [--query '<visibility query>'] [--ref <ref>]... --out <dir>

  --query ''  (empty) selects every complaint. Without --query, --ref or --file, replay selects every complaint.
  --parallel  replay processes (default: one per core); 1 replays in this process.`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      query: { type: 'string' },
      ref: { type: 'string', multiple: true },
      file: { type: 'string', multiple: true },
      out: { type: 'string' },
      parallel: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help || !command || command === 'help') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  installTemporalRuntime('error');
  const client = new LazyClient();
  try {
    switch (command) {
      case 'replay': {
        const selection: HistorySelection = {
          ...(values.ref ? { refs: values.ref } : {}),
          ...(values.query !== undefined ? { query: values.query } : {}),
        };
        // Nothing named: every complaint on the server.
        if (!values.ref && values.query === undefined && !values.file && positionals.length === 0) selection.query = '';
        const parallel = values.parallel === undefined ? defaultReplayParallelism() : Number(values.parallel);
        if (!Number.isInteger(parallel) || parallel < 1)
          throw new UsageError(`--parallel must be a whole number of processes, 1 or more (got "${values.parallel}")`);
        return await replay([...(values.file ?? []), ...positionals], selection, client, values.json, parallel);
      }
      case 'timeline': {
        // A positional is a file when it exists or is named .json, else a reference; --file and --ref say which.
        const files = [...(values.file ?? []), ...positionals.filter(isFileName)];
        const refs = [...(values.ref ?? []), ...positionals.filter((target) => !isFileName(target))];
        if (files.length + refs.length === 0)
          throw new UsageError('timeline needs a complaint reference or a history file');
        return await timeline(files, refs, client, values.json);
      }
      case 'export': {
        if (!values.out) throw new UsageError('export needs --out <dir>');
        if (!values.ref && values.query === undefined)
          throw new UsageError("export needs --query '<visibility query>' (or '' for all) or --ref <ref>");
        return await exportHistories(
          {
            ...(values.ref ? { refs: values.ref } : {}),
            ...(values.query !== undefined ? { query: values.query } : {}),
          },
          values.out,
          client,
        );
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } finally {
    await client.close();
  }
}

/** Connects to Temporal only when something is actually fetched (a replay of files needs no server). */
class LazyClient {
  private client?: Promise<Client>;
  get(): Promise<Client> {
    this.client ??= connectClient(loadConfig());
    return this.client;
  }
  async close(): Promise<void> {
    if (this.client) await (await this.client.catch(() => undefined))?.connection.close();
  }
}

/** The selected histories; one that cannot be read or fetched becomes a failed outcome, in its place, instead of stopping the run. */
async function* selected(
  files: string[],
  selection: HistorySelection,
  client: LazyClient,
): AsyncGenerator<ComplaintHistory | ReplayOutcome> {
  const fail = (workflowId: string, source: string, err: unknown): ReplayOutcome => {
    const reason = err instanceof Error ? err.message : String(err);
    return {
      workflowId,
      runId: '-',
      source,
      events: 0,
      ok: false,
      status: 'failed',
      reason,
      message: `${'failed'.padEnd(18)} ${reason.startsWith(workflowId) ? reason : `${workflowId}: ${reason}`}`,
    };
  };
  for (const file of files) {
    try {
      yield await readHistoryFile(file);
    } catch (err) {
      yield fail(file, file, err);
    }
  }
  for (const ref of selection.refs ?? []) {
    try {
      yield* await complaintRuns(client, ref);
    } catch (err) {
      yield fail(ref, 'temporal', err);
    }
  }
  if (selection.query !== undefined) yield* fetchComplaintHistories(await client.get(), { query: selection.query });
}

// ------------------------------------------------------------------------------------------------ replay

async function replay(
  files: string[],
  selection: HistorySelection,
  client: LazyClient,
  json: boolean,
  parallel: number,
): Promise<number> {
  const fromServer = Boolean(selection.refs?.length || selection.query !== undefined);
  const total = files.length + (fromServer ? await countSelection(await client.get(), selection) : 0);
  const interactive = !json && process.stderr.isTTY === true;
  const bars = interactive
    ? new cliProgress.MultiBar({
        format: ' replaying [{bar}] {value}/{total} {workflowId}',
        hideCursor: true,
        clearOnComplete: true,
        stream: process.stderr,
      })
    : undefined;
  const bar = bars?.create(total, 0, { workflowId: '' });
  const outcomes: ReplayOutcome[] = [];
  const started = performance.now();

  const report = (outcome: ReplayOutcome) => {
    outcomes.push(outcome);
    if (json) return;
    if (bars && bar) {
      // On a terminal only what needs attention scrolls past the bar; everything is in the summary counts.
      if (!outcome.ok) bars.log(`${outcome.message}\n`);
      if (outcomes.length > bar.getTotal()) bar.setTotal(outcomes.length);
      bar.increment(1, { workflowId: outcome.workflowId });
    } else {
      console.log(outcome.message);
    }
  };
  const payloadKeys = payloadKeysFor(loadConfig());
  for await (const outcome of replayInParallel(selected(files, selection, client), {
    parallel: Math.min(parallel, total),
    ...(payloadKeys ? { payloadKeys } : {}),
  })) {
    report(outcome);
  }
  bars?.stop();

  const summary = summarise(outcomes);
  if (json) {
    console.log(
      JSON.stringify({ summary, results: outcomes.map(({ message: _message, ...result }) => result) }, null, 2),
    );
  } else {
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `${summary.total} histories replayed in ${seconds}s: ${summary.ok} ok, ${summary.nonDeterministic} non-deterministic, ${summary.failed} failed` +
        (summary.total === 0 ? ' (nothing matched)' : ''),
    );
  }
  return summary.ok === summary.total ? 0 : 1;
}

// ------------------------------------------------------------------------------------------------ timeline

function isFileName(target: string): boolean {
  return existsSync(target) || target.toLowerCase().endsWith('.json');
}

/** Every run of one complaint from the server; an unknown reference is "no complaint <ref>", for replay and timeline. */
async function complaintRuns(client: LazyClient, ref: string): Promise<ComplaintHistory[]> {
  try {
    return await collect(fetchComplaintHistories(await client.get(), { refs: [ref] }));
  } catch (err) {
    // fetchHistory passes the server's NOT_FOUND through as a bare gRPC error (status 5), describe() as the SDK's own.
    const cause = (err as { cause?: unknown } | null)?.cause;
    const notFound = [err, cause].some((candidate) => isGrpcServiceError(candidate) && candidate.code === 5);
    if (err instanceof WorkflowNotFoundError || notFound) throw new Error(`no complaint ${ref}`, { cause: err });
    throw err;
  }
}

async function timeline(files: string[], refs: string[], client: LazyClient, json: boolean): Promise<number> {
  // Files of one complaint (its runs, when it continued as new) make one timeline; so does a reference.
  const complaints = new Map<string, { source: string; runs: ComplaintHistory[] }>();
  for (const file of files) {
    const run = await readHistoryFile(file);
    const known = complaints.get(run.workflowId);
    if (known) {
      known.runs.push(run);
      known.source += `, ${file}`;
    } else complaints.set(run.workflowId, { source: file, runs: [run] });
  }
  for (const ref of refs) {
    const runs = await complaintRuns(client, ref);
    complaints.set(ref, { source: `Temporal (${runs[0]?.source ?? ''})`, runs });
  }
  const results = [];
  let problems = 0;
  for (const { source, runs } of complaints.values()) {
    runs.sort((a, b) => startTime(a) - startTime(b));
    const reconstructed = await reconstructTimeline(runs, payloadDecoder(payloadKeysFor(loadConfig())));
    problems += reconstructed.findings.filter((finding) => finding.level === 'error').length;
    if (json) results.push(reconstructed);
    else process.stdout.write(`${formatTimeline(reconstructed, source)}\n`);
  }
  if (json) console.log(JSON.stringify(results.length === 1 ? results[0] : results, null, 2));
  return problems === 0 ? 0 : 1;
}

function startTime(run: ComplaintHistory): number {
  const first = run.history.events?.[0];
  return first ? Date.parse(eventTime(first) ?? '') || 0 : 0;
}

// ------------------------------------------------------------------------------------------------ export

async function exportHistories(selection: HistorySelection, out: string, client: LazyClient): Promise<number> {
  await mkdir(out, { recursive: true });
  const written: Array<{ file: string; workflowId: string; runId: string; events: number }> = [];
  const perRef = new Map<string, number>();
  for await (const item of fetchComplaintHistories(await client.get(), selection)) {
    const n = (perRef.get(item.workflowId) ?? 0) + 1;
    perRef.set(item.workflowId, n);
    // The first run of a complaint is <ref>.json; any further runs (continue-as-new) <ref>.<runId>.json.
    const file = n === 1 ? `${item.workflowId}.json` : `${item.workflowId}.${item.runId}.json`;
    await writeFile(path.join(out, file), historyJson(item.history));
    written.push({ file, workflowId: item.workflowId, runId: item.runId, events: item.history.events?.length ?? 0 });
    console.log(`wrote ${path.join(out, file)} (${item.history.events?.length ?? 0} events)`);
  }
  // Not *.json, so that `replay --file <dir>/*.json` takes only histories.
  const config = loadConfig();
  const index = [
    `Complaint histories exported ${new Date().toISOString()} from namespace "${config.TEMPORAL_NAMESPACE}"`,
    `Selection: ${JSON.stringify(selection)}`,
    'Format: as `temporal workflow show --output json`; check with `npm run audit -- replay --file <file>` or `timeline <file>`.',
    '',
    ...written.map((item) => `${item.file}\t${item.workflowId}\trun ${item.runId}\t${item.events} events`),
  ];
  await writeFile(path.join(out, 'EXPORT-INDEX.txt'), `${index.join('\n')}\n`);
  console.log(`${written.length} histories exported to ${out} (index: EXPORT-INDEX.txt)`);
  return 0;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

runCommand(
  () => main(process.argv.slice(2)),
  USAGE,
  (err) => err instanceof UsageError,
);
