// Phase 3, scale: many open complaints with live deadline timers on one worker; its memory, and how late the
// timers fire. Some complaints are back-dated so that their acknowledgement reminders fall due in cohorts during
// the run; after the run the register says when each reminder was recorded (the lateness).
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { getProcedure } from '../../domain/procedures';
import { defaultHolidayCalendar } from '../../domain/scottish-holidays';
import { openPglite, openPostgres } from '../../register/sql';
import type { ComplaintWorkflowInput } from '../../workflows/complaint';
import { COMPLAINT_WORKFLOW_TYPE, complaintStartOptions } from '../../workflows/start-options';
import { runLoop } from '../lib/drivers';
import type { BenchRecorder } from '../lib/result';
import { round, summarise } from '../lib/stats';
import type { BenchOptions } from '../options';
import { intakeBody, people, say, sleep, type Stack } from '../stack';

const DAY_MS = 24 * 60 * 60 * 1000;
/** The procedure complaints start under (the default, dundee-swd-2011@1): acknowledge within 5 calendar days. */
const ACK_WITHIN_MS = 5 * DAY_MS;
/** ... with a reminder 24 hours before that deadline. */
const REMINDER_BEFORE_MS = 24 * 60 * 60 * 1000;

export interface ScaleComplaint {
  ref: string;
  dueAt: string;
  /** Its cohort (0, 1, ...); -1: overdue from the start (calibration); -2: reminder days away. */
  cohort: number;
}

type Timed = <T>(step: string, fn: () => Promise<T>) => Promise<T>;

/** Starts complaint number `i` of the run, received so that its acknowledgement reminder falls due at `reminderAtMs`. */
function complaintStarter(stack: Stack, runTag: string, started: ScaleComplaint[]) {
  const procedure = getProcedure({ id: 'dundee-swd-2011', version: 1 });
  const details = intakeBody();
  const input = (i: number, reminderAtMs: number): ComplaintWorkflowInput => {
    const receivedAtMs = reminderAtMs + REMINDER_BEFORE_MS - ACK_WITHIN_MS;
    return {
      ref: `BENCH-${runTag}-${String(i).padStart(6, '0')}`.toUpperCase(),
      procedure: { id: procedure.id, version: procedure.version },
      details: { ...(details as unknown as ComplaintWorkflowInput['details']), serious: false },
      receivedAt: new Date(receivedAtMs).toISOString(),
      holidays: defaultHolidayCalendar(new Date(receivedAtMs).getUTCFullYear()),
      actor: { id: people.intake.id, name: people.intake.name, role: 'intake' },
    };
  };
  return (i: number, dueAtMs: number, cohort: number) => async (_n: number, time: Timed) => {
    const opening = input(i, cohort === -1 ? dueAtMs - REMINDER_BEFORE_MS : dueAtMs);
    await time('start', () =>
      stack.client.workflow.start(
        COMPLAINT_WORKFLOW_TYPE,
        complaintStartOptions(opening, { taskQueue: stack.taskQueue, indexed: true }),
      ),
    );
    started.push({ ref: opening.ref, dueAt: new Date(dueAtMs).toISOString(), cohort });
  };
}

/**
 * Starts `options.scale` complaints with the client exactly as the API's intake starts them (complaintStartOptions:
 * same input, search attributes, id policy; without the API's read-back query, which the lifecycle run measures),
 * each received (back-dated) so that its acknowledgement deadline falls at the due time of its cohort. The first
 * `calibration` ones are overdue from the start; then come the complaints whose reminders are days away; the rate
 * at which the worker took those on sets the first cohort's due time, just after the cohorts' complaints are
 * expected to have been taken on, and then the cohorts' complaints are started.
 */
async function startScaleComplaints(stack: Stack, options: BenchOptions, runTag: string) {
  const calibration = Math.min(Math.max(50, Math.round(options.scale * 0.02)), options.scale);
  const started: ScaleComplaint[] = [];
  const start = complaintStarter(stack, runTag, started);
  const loop = (count: number, iteration: (i: number, time: Timed) => Promise<void>) =>
    runLoop({ concurrency: options.startConcurrency, count, iteration });
  // Calibration complaints were received 6 days ago: their acknowledgement deadline has passed, so they are overdue
  // from the start (what the list test filters on); they measure how fast the worker takes complaints on.
  const pastDueAt = Date.now() - DAY_MS;
  const base = await takenOnCount(stack);
  const calibrationStarted = performance.now();
  const calibrationRun = await loop(calibration, (i, time) => start(i, pastDueAt, -1)(i, time));
  // The rate at which the worker takes them on, not just the server's: until their first workflow tasks are done.
  await waitForTakenOn(stack, base + calibration, Date.now() + 120_000);
  const rate = calibration / ((performance.now() - calibrationStarted) / 1000);
  const rest = options.scale - calibration;
  const due = Math.min(options.due, rest);
  const far = rest - due;
  say(
    `calibration: ${calibration} starts taken on at ${rate.toFixed(1)}/s; now ${far} with reminders days away, then ${due} due in cohorts`,
  );
  // First the complaints whose reminders are days away (received now: live timers, not due in this run), taken on
  // in full, which measures the rate for the last part; then the ones due in cohorts.
  const farReminderMs = Date.now() + ACK_WITHIN_MS - REMINDER_BEFORE_MS;
  const farStarted = performance.now();
  const farRun = await loop(far, (i, time) => start(calibration + i, farReminderMs, -2)(i, time));
  await waitForTakenOn(stack, base + calibration + far, Date.now() + 300_000);
  const farRate = far >= calibration ? far / ((performance.now() - farStarted) / 1000) : rate;
  // The first cohort falls due once the cohorts' complaints are expected to have been taken on, with a margin; if
  // the worker has not taken them all on 2 s before, the run says so.
  const expectedSeconds = due / farRate;
  const firstDueMs = Math.ceil((Date.now() + expectedSeconds * 1100 + 5_000) / 1000) * 1000;
  say(
    `${calibration + far} taken on (last ${far} at ${farRate.toFixed(1)}/s); ${due} more expected in ~${expectedSeconds.toFixed(0)}s; first cohort due ${new Date(firstDueMs).toISOString()}`,
  );
  const perCohort = Math.ceil(due / options.cohorts);
  const dueRun = await loop(due, (i, time) => {
    const cohort = Math.min(options.cohorts - 1, Math.floor(i / perCohort));
    return start(calibration + far + i, firstDueMs + cohort * options.cohortGapSeconds * 1000, cohort)(i, time);
  });
  const takenOn = await waitForTakenOn(stack, base + options.scale, firstDueMs - 2_000);
  return {
    calibration,
    runs: [calibrationRun, farRun, dueRun],
    started,
    firstDueMs,
    perCohort,
    calibrationRate: rate,
    allTakenOn: takenOn >= base + options.scale,
    takenOn: takenOn - base,
  };
}

/** Open complaints whose first workflow task has run (it sets ComplaintNextDeadline): the worker has taken them on. */
async function takenOnCount(stack: Stack): Promise<number> {
  const { count } = await stack.client.workflow.count(
    `WorkflowType = '${COMPLAINT_WORKFLOW_TYPE}' AND ComplaintStatus = 'open' AND ComplaintNextDeadline > '2000-01-01T00:00:00Z'`,
  );
  return Number(count);
}

async function waitForTakenOn(stack: Stack, expected: number, untilMs: number): Promise<number> {
  let seen = await takenOnCount(stack);
  while (seen < expected && Date.now() < untilMs) {
    await sleep(500);
    seen = await takenOnCount(stack);
  }
  return seen;
}

/** Acknowledgement reminders delivered (DATA_DIR/outbox/*.eml, one file per notice; the file name has its kind). */
function remindersDelivered(stack: Stack): number {
  try {
    return readdirSync(path.join(stack.dataDir, 'outbox')).filter((file) => file.includes('acknowledgement-reminder'))
      .length;
  } catch {
    return 0;
  }
}

/** Waits until every reminder due in the run has gone out (or a generous limit); when the last went out, if it did. */
async function waitForReminders(stack: Stack, expected: number, lastDueMs: number) {
  const waitLimit = lastDueMs + Math.max(120_000, expected * 20);
  let seen = 0;
  let allRecordedAt: number | undefined;
  while (Date.now() < waitLimit) {
    seen = remindersDelivered(stack);
    if (seen >= expected && Date.now() > lastDueMs) {
      allRecordedAt = Date.now();
      break;
    }
    await sleep(1_000);
  }
  return { seen, allRecordedAt, waitedSeconds: (waitLimit - lastDueMs) / 1000 };
}

/** Acknowledgement reminder entries (the workflow's own record of when the timer fired) from the register, by reference. */
async function reminderEntriesFromRegister(stack: Stack): Promise<Map<string, { at: string; dueAt: string }>> {
  const store = process.env.BENCH_DATABASE_URL
    ? await openPostgres(process.env.BENCH_DATABASE_URL)
    : await openPglite(path.join(stack.dataDir, 'register'));
  try {
    const rows = await store.query<{ ref: string; at: string | Date; due_at: string; hours_before: string }>(
      `SELECT ref, at, entry->>'dueAt' AS due_at, entry->>'hoursBefore' AS hours_before FROM complaint_entries
        WHERE type = 'reminder-issued' AND entry->>'deadline' = 'acknowledgement'`,
    );
    // The reminder was due hoursBefore (hours) before the deadline it is about.
    return new Map(
      rows.map((row) => [
        row.ref,
        {
          at: new Date(row.at).toISOString(),
          dueAt: new Date(Date.parse(row.due_at) - Number(row.hours_before) * 3_600_000).toISOString(),
        },
      ]),
    );
  } finally {
    await store.close();
  }
}

/**
 * Where the lateness comes from, for a sample: the server firing the timer (TimerFired − due), then the workflow
 * task that records the reminder waiting to be picked up by the worker (WorkflowTaskStarted − TimerFired).
 */
async function timerSplit(stack: Stack, sample: ScaleComplaint[]) {
  const fired: number[] = [];
  const pickedUp: number[] = [];
  for (const complaint of sample) {
    const history = await stack.client.workflow.getHandle(complaint.ref).fetchHistory();
    const events = history.events ?? [];
    const dueMs = Date.parse(complaint.dueAt);
    const ms = (event: (typeof events)[number]) =>
      Number(String(event.eventTime?.seconds ?? 0)) * 1000 + Math.floor((event.eventTime?.nanos ?? 0) / 1e6);
    const index = events.findIndex((event) => event.timerFiredEventAttributes && ms(event) >= dueMs - 5);
    const timerEvent = events[index];
    if (index < 0 || !timerEvent) continue;
    fired.push(ms(timerEvent) - dueMs);
    const next = events.slice(index).find((event) => event.workflowTaskStartedEventAttributes);
    if (next) pickedUp.push(ms(next) - ms(timerEvent));
  }
  return { sampled: sample.length, timerFiredLateMs: summarise(fired), workflowTaskPickupMs: summarise(pickedUp) };
}

type ScaleStart = Awaited<ReturnType<typeof startScaleComplaints>>;

function scaleFigures(options: BenchOptions, scale: ScaleStart, startSeconds: number, startErrors: number) {
  return {
    complaints: options.scale,
    started: scale.started.length,
    startFailures: startErrors,
    how: 'started with the client as the API starts them (complaintStartOptions), without the read-back query',
    calibration: {
      complaints: scale.calibration,
      perSecond: round(scale.calibrationRate),
      note: 'received 6 days ago: overdue from the start (the list test finds them); not measured for lateness',
    },
    notDueInRun: scale.started.filter((c) => c.cohort === -2).length,
    startSeconds: round(startSeconds),
    takenOnBeforeFirstDue: scale.takenOn,
    startPerSecond: round(scale.started.length / startSeconds),
    startLatencyMs: summarise(scale.runs.flatMap((run) => run.steps.start?.latenciesMs ?? [])),
    cohorts: options.cohorts,
    perCohort: scale.perCohort,
    cohortGapSeconds: options.cohortGapSeconds,
    firstDueAt: new Date(scale.firstDueMs).toISOString(),
  };
}

export type ScaleResult = ReturnType<typeof scaleFigures> & {
  memoryMiB: Record<string, Record<string, number>>;
  remindersDelivered: number;
  remindersExpected: number;
  lastReminderDeliveredAfterLastDueSeconds: number | null;
  lateStarts: number;
  timerSplitSample: Awaited<ReturnType<typeof timerSplit>>;
  lateness?: Awaited<ReturnType<typeof scaleLateness>>;
  bareTimers: Awaited<ReturnType<typeof baselineTimerBurst>>;
};

/** Starts the complaints, waits for their reminders; the complaints started (for the read and replay phases). */
export async function runScalePhase(
  stack: Stack,
  options: BenchOptions,
  recorder: BenchRecorder,
  runTag: string,
): Promise<ScaleComplaint[]> {
  const startedAt = performance.now();
  const scale = await recorder.measure('scale-start', () => {
    say(
      `scale: starting ${options.scale} complaints; ${options.due} of them received days ago, so that their acknowledgement reminders fall due in ${options.cohorts} cohorts ${options.cohortGapSeconds}s apart`,
    );
    return startScaleComplaints(stack, options, runTag);
  });
  const startSeconds = (performance.now() - startedAt) / 1000;
  if (!scale.allTakenOn)
    recorder.problem(
      `scale: the worker had taken on only ${scale.takenOn} of ${options.scale} complaints 2s before the first cohort fell due`,
    );
  const cohortComplaints = scale.started.filter((c) => c.cohort >= 0);
  const lastDueMs = scale.firstDueMs + (options.cohorts - 1) * options.cohortGapSeconds * 1000;
  const startErrors = scale.runs.reduce((sum, run) => sum + (run.steps.start?.errors ?? 0), 0);
  say(`scale: ${scale.started.length} started in ${startSeconds.toFixed(0)}s (${startErrors} failed)`);
  if (startErrors > 0)
    recorder.problem(
      `scale: ${startErrors} starts failed: ${scale.runs.flatMap((run) => run.steps.start?.errorSamples ?? [])[0] ?? ''}`,
    );

  // All open, timers pending: the memory of N open complaints on one worker.
  const untilFirst = scale.firstDueMs - Date.now();
  const [openMemory, openMemoryLate] = await recorder.measure('scale-open', async () => {
    const justStarted = recorder.sampler.sample().rssMiB;
    if (untilFirst > 0) await sleep(Math.max(0, untilFirst - 1_000));
    return [justStarted, recorder.sampler.sample().rssMiB];
  });
  if (untilFirst < 0)
    recorder.problem(
      `scale: starting took longer than planned; the first cohort fell due ${(-untilFirst / 1000).toFixed(0)}s before all had started`,
    );

  const expected = cohortComplaints.length;
  const reminders = await recorder.measure('scale-due', () => {
    say(
      `scale: reminders falling due ${new Date(scale.firstDueMs).toISOString().slice(11, 19)} … ${new Date(lastDueMs).toISOString().slice(11, 19)}; waiting for every reminder to go out`,
    );
    return waitForReminders(stack, expected, lastDueMs);
  });
  const { seen, allRecordedAt } = reminders;
  if (allRecordedAt === undefined)
    recorder.problem(
      `scale: only ${seen} of ${expected} reminders went out within ${reminders.waitedSeconds}s of the last due time`,
    );
  say(
    `scale: ${seen} of ${expected} reminders delivered${allRecordedAt ? `, the last within ${((allRecordedAt - lastDueMs) / 1000).toFixed(1)}s of the last due time` : ''}`,
  );

  const bareTimers = await recorder.measure('scale-baseline-due', () => baselineTimerBurst(stack, scale.perCohort));

  const lastCohort = cohortComplaints.filter((c) => c.cohort === options.cohorts - 1);
  const split = await timerSplit(
    stack,
    lastCohort.slice(0, 100).concat(cohortComplaints.filter((c) => c.cohort === 0).slice(0, 100)),
  );
  recorder.result.scale = {
    ...scaleFigures(options, scale, startSeconds, startErrors),
    memoryMiB: {
      allOpenJustStarted: openMemory,
      allOpenBeforeFirstDue: openMemoryLate,
      peakWhileDue: recorder.sampler.peak(['scale-due']),
      peakWhileStarting: recorder.sampler.peak(['scale-start']),
    },
    remindersDelivered: seen,
    remindersExpected: expected,
    lastReminderDeliveredAfterLastDueSeconds: allRecordedAt ? round((allRecordedAt - lastDueMs) / 1000) : null,
    lateStarts: untilFirst < 0 ? cohortComplaints.length : 0,
    timerSplitSample: split,
    bareTimers,
  };
  return scale.started;
}

/**
 * The floor under the reminders' lateness on this machine: `count` bare timer workflows (bench/baseline-workflow.ts) on
 * the baseline worker, all due at one instant once they have all started, as one cohort of complaints is; lateness =
 * the workflow time of the task each timer fired in − the due time, as the complaints' is measured.
 */
async function baselineTimerBurst(stack: Stack, count: number) {
  const client = stack.baselineClient;
  const tag = Date.now().toString(36);
  // Due once all have started: the start rate of the complaints' cohorts is about that of these, with a margin.
  const dueAtMs = Math.ceil((Date.now() + 10_000 + count * 25) / 1000) * 1000;
  say(`scale: ${count} bare timer workflows due at ${new Date(dueAtMs).toISOString().slice(11, 19)} (the baseline)`);
  const ids: string[] = [];
  const started = await runLoop({
    concurrency: 32,
    count,
    iteration: async (i) => {
      const workflowId = `bench-timer-${tag}-${i}`;
      await client.workflow.start('baselineTimerWorkflow', {
        taskQueue: stack.baselineTaskQueue,
        workflowId,
        args: [dueAtMs],
      });
      ids.push(workflowId);
    },
  });
  const lateStart = Date.now() > dueAtMs;
  const late: number[] = [];
  for (const id of ids) {
    const firedAtMs = (await client.workflow.getHandle(id).result()) as number;
    late.push(firedAtMs - dueAtMs);
  }
  return {
    workflows: ids.length,
    startFailures: count - ids.length,
    lateStart,
    elapsedStartSeconds: round(started.seconds),
    latenessMs: summarise(late),
  };
}

/** After the workers have stopped: each due reminder's lateness, from the register's reminder-issued entries. */
export async function scaleLateness(stack: Stack, complaints: readonly ScaleComplaint[]) {
  const entries = await reminderEntriesFromRegister(stack);
  const late: number[] = [];
  const byCohort = new Map<number, number[]>();
  let missing = 0;
  for (const complaint of complaints) {
    if (complaint.cohort < 0) continue;
    const entry = entries.get(complaint.ref);
    if (!entry) {
      missing++;
      continue;
    }
    const ms = Date.parse(entry.at) - Date.parse(entry.dueAt);
    late.push(ms);
    byCohort.set(complaint.cohort, [...(byCohort.get(complaint.cohort) ?? []), ms]);
  }
  return {
    source: 'register: the reminder-issued entries (workflow time `at` − (dueAt − hoursBefore h))',
    measured: late.length,
    missing,
    allMs: summarise(late),
    byCohortMs: [...byCohort.entries()]
      .sort(([a], [b]) => a - b)
      .map(([cohort, values]) => ({ cohort, ...summarise(values) })),
  };
}
