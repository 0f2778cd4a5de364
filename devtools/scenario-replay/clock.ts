import { londonTimeOn, MS_PER_DAY, shiftIsoDate } from '../../domain/calendar';
import { startOfLondonDay } from '../../domain/compliments';

/** When a scenario's days happen (a clock of the replay). */
export interface ReplayClock {
  readonly startMs: number;
  dayStartsAt(day: number): number;
  afterDays(days: number): number;
  withinMargin(day: number, endedAtMs: number): boolean;
}

/**
 * When each scenario day's events happen on the replay's clock.
 *
 * A scenario says "day d" for the instant start + d × 24 h, and an action on the day of its deadline is on time
 * (`<=`). On a time-skipping Temporal server the clock still runs at wall-clock speed while the replay is acting
 * (time is skipped only between days), so the actions of a day land a few milliseconds after the instant they
 * aim at; a receipt or escalation then sits slightly later in its day than an action due on the same instant some
 * days later, which would make a deadline-day action late by milliseconds.
 *
 * So each day's events begin a little EARLIER in their 24 hours than the previous day's: day d begins at
 * start + d × 24 h + (lastDay − d) × step. Within a day the events follow in order as fast as they go; as long as
 * a day takes less than `step` of real time, anything done on day a is no later in its day than anything done on
 * an earlier day s, so "day s + n" is on time for a deadline n days after a day-s event, and day s + n + 1 is
 * late. Every event still falls within its own day (the offsets stay below 12 hours), so the period
 * [start, start + periodDays × 24 h) holds exactly the days [0, periodDays).
 */
export class ScenarioClock implements ReplayClock {
  /** Real time a day's events may take without affecting any deadline comparison. */
  readonly stepMs: number;

  constructor(
    readonly startMs: number,
    readonly lastDay: number,
    maxStepMs = 60_000,
  ) {
    this.stepMs = Math.max(1, Math.min(maxStepMs, Math.floor(MS_PER_DAY / 2 / (lastDay + 1))));
  }

  /** When the day's first event happens. */
  dayStartsAt(day: number): number {
    return this.startMs + day * MS_PER_DAY + (this.lastDay - day) * this.stepMs;
  }

  /** start + days × 24 h: the end of a period of that many days. */
  afterDays(days: number): number {
    return this.startMs + days * MS_PER_DAY;
  }

  /** Whether a day whose events ended at `endedAtMs` kept within its margin. */
  withinMargin(day: number, endedAtMs: number): boolean {
    return endedAtMs - this.dayStartsAt(day) < this.stepMs;
  }
}

/**
 * The clock of a scenario with a `startDate` (working-day scenarios): day d is the London date startDate + d, its
 * events from 10:00 London time; the period runs from the start of the first London day to the start of the day
 * after the last. Working-day deadlines end at the end of a London day, so a day's events may take up to 12 hours
 * of server time (to 22:00) without changing any comparison.
 */
export class DatedScenarioClock implements ReplayClock {
  readonly startMs: number;

  constructor(readonly startDate: string) {
    this.startMs = startOfLondonDay(startDate);
  }

  dayStartsAt(day: number): number {
    return londonTimeOn(shiftIsoDate(this.startDate, day), '10:00');
  }

  afterDays(days: number): number {
    return startOfLondonDay(shiftIsoDate(this.startDate, days));
  }

  withinMargin(day: number, endedAtMs: number): boolean {
    return endedAtMs < this.dayStartsAt(day) + 12 * 3_600_000;
  }
}
