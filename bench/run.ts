// `npm run bench` (not part of npm test): the product's performance on this machine, measured end to end.
// Starts its own Temporal dev server (persisted to a temporary SQLite file, as `npm start` runs it), the complaints
// worker and a baseline worker, and the HTTP API (api/main.ts) as child processes (bench/stack.ts), then runs the
// phases, one file each in bench/phases/:
//   1. lifecycle: N complaints through intake → acknowledge → outcome over HTTP, and the raw client's equivalent;
//      then the open loop: the same at a fixed arrival rate, half the throughput just measured, for latency;
//   2. read: GET /complaints/:ref and GET /complaints?status=open&overdue=true, and the raw query / list calls;
//   3. scale: many open complaints with live deadline timers on one worker; memory, and how late the timers fire;
//   4. replay: audit replay, histories per second;
//   5. codec: the lifecycle with the payload codec and without it, on two fresh worker + API pairs (bench/phases/codec.ts).
// Writes bench/results/<date>.json and .md (bench/lib/result.ts). See bench/README.md for what the figures mean.
//
//   npm run bench                 full run (about 5-8 minutes on 2 cores)
//   npm run bench -- --quick      a small run (about 2-5 minutes) to check the harness
//   npm run bench -- --help       every option (bench/options.ts)
import { rmSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ChildGroup, runAsMain } from '../devtools/child-processes';
import { BenchRecorder } from './lib/result';
import { type BenchOptions, parseBenchOptionsOrExit } from './options';
import { runCodecPhase } from './phases/codec';
import { runLifecyclePhase } from './phases/lifecycle';
import { runOpenLoopPhase } from './phases/open-loop';
import { runScaleReadPhase, runWarmReadPhase } from './phases/read';
import { runReplayPhase } from './phases/replay';
import { runScalePhase, scaleLateness, type ScaleComplaint } from './phases/scale';
import { say, type Stack, startStack } from './stack';

/** The run stops itself after this long, whatever happens. */
const HARD_STOP_MINUTES = 45;

/** Ctrl-C / SIGTERM: the children (in their own process groups) are stopped in reverse order, then exit 130. */
function stopOnSignal(children: ChildGroup): void {
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) process.exit(130); // a second Ctrl-C: now (the exit hook kills the children)
      stopping = true;
      say(`${signal}: stopping the API, the workers and the server`);
      void children.stopAll().finally(() => process.exit(130));
    });
  }
}

/** Bounded: whatever happens, the run stops itself (writing what it has measured so far). */
function hardStop(saveSoFar: () => void): void {
  const timer = setTimeout(() => {
    console.error(`bench: still running after ${HARD_STOP_MINUTES} minutes; writing what was measured and stopping`);
    saveSoFar();
    process.exit(2);
  }, HARD_STOP_MINUTES * 60_000);
  timer.unref();
}

/** The phases in order; the references made, for what comes after. */
async function runPhases(stack: Stack, options: BenchOptions, recorder: BenchRecorder) {
  const lifecycleRefs: string[] = [];
  let scaleComplaints: ScaleComplaint[] = [];
  const runTag = Date.now().toString(36);
  try {
    if (!options.skip.has('lifecycle')) {
      await runLifecyclePhase(stack, options, recorder, runTag, lifecycleRefs);
      recorder.save(false);
      if (!options.skip.has('open-loop')) await runOpenLoopPhase(stack, options, recorder);
      if (!options.skip.has('read') && lifecycleRefs.length > 0)
        await runWarmReadPhase(stack, options, recorder, lifecycleRefs);
    }
    if (!options.skip.has('scale') && options.scale > 0) {
      scaleComplaints = await runScalePhase(stack, options, recorder, runTag);
      recorder.save(false);
    }
    const scaleRefs = scaleComplaints.map((c) => c.ref);
    if (!options.skip.has('read') && scaleRefs.length > 0)
      await runScaleReadPhase(stack, options, recorder, scaleRefs, lifecycleRefs);
    if (!options.skip.has('replay') && options.replay > 0)
      await runReplayPhase(stack, options, recorder, scaleRefs, lifecycleRefs);
    if (!options.skip.has('codec')) await runCodecPhase(stack, options, recorder);
  } catch (error) {
    recorder.problem(`run failed: ${(error as Error).stack ?? String(error)}`);
    console.error(error);
  }
  return { scaleComplaints };
}

/** Stops the API and the workers, reads the reminders' lateness from the register, then stops the server. */
async function stopAndReadRegister(stack: Stack, recorder: BenchRecorder, scaleComplaints: ScaleComplaint[]) {
  recorder.stopSampling();
  say('stopping the API and the workers');
  // With the embedded register the API is the worker's own process, which gets the worker's longer grace time.
  if (stack.api !== stack.worker) await stack.api.stop();
  await Promise.all([stack.worker.stop(), stack.baselineWorker.stop()]);
  const scale = recorder.result.scale;
  if (scale && scaleComplaints.length > 0) {
    try {
      scale.lateness = await scaleLateness(stack, scaleComplaints);
      if (scale.lateness.missing > 0)
        recorder.problem(`scale: ${scale.lateness.missing} reminder entries missing from the register`);
    } catch (error) {
      recorder.problem(`scale: could not read the register: ${(error as Error).message}`);
    }
  }
  await stack.connection.close();
  await stack.server.stop();
}

function report(recorder: BenchRecorder): void {
  const { result } = recorder;
  say(`results: ${path.relative(process.cwd(), recorder.resultBase)}.json and .md (${result.totalSeconds}s in all)`);
  for (const target of result.targets)
    say(
      `${target.met === null ? '  ?' : target.met ? ' ok' : 'MISS'} ${target.figure}: ${target.value} (target ${target.target})`,
    );
  for (const problem of result.problems) say(`PROBLEM: ${problem.split('\n')[0]}`);
}

async function main(): Promise<number> {
  const options = parseBenchOptionsOrExit();
  const runStarted = performance.now();
  const children = new ChildGroup();
  stopOnSignal(children);
  const run: { recorder?: BenchRecorder } = {};
  hardStop(() => run.recorder?.save(false));

  say(`options: ${JSON.stringify({ ...options, skip: [...options.skip] })}`);
  const stack = await startStack(children);
  const recorder = await BenchRecorder.start(stack, options, runStarted);
  run.recorder = recorder;
  const { scaleComplaints } = await runPhases(stack, options, recorder);
  await stopAndReadRegister(stack, recorder, scaleComplaints);
  recorder.save(true);
  report(recorder);
  await children.close();
  if (!options.keep) rmSync(stack.tmp, { recursive: true, force: true });
  else say(`kept ${stack.tmp}`);
  return recorder.result.problems.some((p) => p.startsWith('run failed')) ? 1 : 0;
}

if (require.main === module) runAsMain(main);
