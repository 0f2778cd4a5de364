import type { ReportPeriod } from '../../domain/annual-report';
import type { NewCompliment } from '../../domain/compliments';
import type { IntakeRequest } from '../../domain/intake';
import { DatedScenarioClock, ScenarioClock, type ReplayClock } from './clock';
import {
  actionFor,
  isSerious,
  lastScenarioDay,
  scenarioDays,
  scenarioProcedure,
  type Scenario,
  type ScenarioAction,
  type ScenarioStep,
} from './format';

// Replays a scenario day by day through a driver (the HTTP API: http-driver.ts) on a clock that the
// replay moves (the time-skipping server's). It knows nothing of any scenario's numbers: it does what the file
// says on the days it says, and returns the period the report covers.

export type ActionResult = { ok: true } | { ok: false; code: string; message: string };

/** How the replay reaches the product. */
export interface ScenarioDriver {
  /** Records a complaint (as intake would), received at `intake.receivedAt`. */
  receive(intake: IntakeRequest & { ref: string; receivedAt: string }): Promise<void>;
  /** Does an action on a complaint (as its case officer or manager would); a refusal is a result, not an error. */
  act(ref: string, action: ScenarioAction): Promise<ActionResult>;
  recordCompliment(compliment: NewCompliment): Promise<void>;
}

/** The replay's clock: a time-skipping server's. */
export interface ScenarioTime {
  now(): Promise<number>;
  /** Moves the clock forward to `epochMs` (timers due on the way fire); nothing when it is already there. */
  advanceTo(epochMs: number): Promise<void>;
}

export interface ReplayProgress {
  day: number;
  steps: number;
  done: number;
  total: number;
}

export interface ReplayOptions {
  driver: ScenarioDriver;
  time: ScenarioTime;
  onProgress?: (progress: ReplayProgress) => void;
  /** Called after each day's events (the crash test stops and restarts the worker here). */
  afterDay?: (day: number) => Promise<void>;
}

export interface Refusal {
  day: number;
  ref: string;
  event: string;
  code: string;
  message: string;
}

export interface ReplayResult {
  /** [start, start + periodDays × 24 h) as ISO instants. */
  period: ReportPeriod;
  /** Actions the product refused (the scenario asked for something the procedure does not allow then). */
  refusals: Refusal[];
  /** Days whose events took longer than the clock's margin (deadline comparisons on them may be off by ms). */
  slowDays: number[];
  refs: string[];
}

export async function replayScenario(scenario: Scenario, options: ReplayOptions): Promise<ReplayResult> {
  const { driver, time } = options;
  const procedure = scenarioProcedure(scenario);
  const days = scenarioDays(scenario);
  const clock: ReplayClock = scenario.startDate
    ? new DatedScenarioClock(scenario.startDate)
    : new ScenarioClock(await time.now(), lastScenarioDay(scenario));
  if (scenario.startDate && clock.startMs < (await time.now()))
    throw new Error(
      `The scenario starts on ${scenario.startDate}, before the replay's clock: use a date in the future`,
    );
  const total = days.reduce((n, { steps }) => n + steps.length, 0);
  const refusals: Refusal[] = [];
  const slowDays: number[] = [];
  let done = 0;

  const perform = async (day: number, step: ScenarioStep, at: number): Promise<void> => {
    switch (step.kind) {
      case 'receive': {
        const { ref, complainant, serviceArea, category, channel, summary } = step.complaint;
        const { id, version } = procedure;
        const serious = isSerious(step.complaint, procedure);
        const receivedAt = new Date(at).toISOString();
        const details = { complainant, serviceArea, category, channel, summary, serious };
        await driver.receive({ ref, ...details, receivedAt, procedure: { id, version } });
        return;
      }
      case 'act': {
        const result = await driver.act(step.complaint.ref, actionFor(step.event));
        if (!result.ok)
          refusals.push({
            day,
            ref: step.complaint.ref,
            event: step.event.type,
            code: result.code,
            message: result.message,
          });
        return;
      }
      case 'compliment': {
        const { serviceArea, team, summary } = step.compliment;
        await driver.recordCompliment({ serviceArea, team, summary, receivedAt: new Date(at).toISOString() });
        return;
      }
    }
  };

  for (const { day, steps } of days) {
    const dayStart = clock.dayStartsAt(day);
    await time.advanceTo(dayStart);
    for (const step of steps) {
      await perform(day, step, dayStart);
      done += 1;
    }
    if (!clock.withinMargin(day, await time.now())) slowDays.push(day);
    options.onProgress?.({ day, steps: steps.length, done, total });
    await options.afterDay?.(day);
  }

  // The period's last timers (breaches, escalation windows ending) fire on the way to its end.
  const end = clock.afterDays(scenario.periodDays);
  await time.advanceTo(end);
  return {
    period: { from: new Date(clock.startMs).toISOString(), to: new Date(end).toISOString() },
    refusals,
    slowDays,
    refs: scenario.complaints.map((complaint) => complaint.ref),
  };
}
