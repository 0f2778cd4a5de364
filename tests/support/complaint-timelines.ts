import type { ComplaintCommand } from '../../domain/actions';
import {
  applyEvent,
  decide,
  initialState,
  nextScheduledEvent,
  receiveComplaint,
  type ComplaintState,
  type TimelineEntry,
} from '../../domain/complaint';
import type { HolidayCalendar } from '../../domain/calendar';
import { getProcedure } from '../../domain/procedures';
import type { ComplaintDetails } from '../../domain/intake';
import type { Category, ServiceArea } from '../../domain/vocabulary';

// Complaints run through the real rules (decide / applyEvent / the clock's scheduled events) without Temporal, as
// the register would hold their timelines: for the report's and the indicators' counting rules.

const DAY = 86_400_000;

export type TimelineStep = [day: number, command: Omit<ComplaintCommand, 'actor'> & Record<string, unknown>];

export interface TimelineOptions {
  /** Day 0 (epoch ms); day d is start + d × 24 h. */
  start: number;
  procedure?: string;
  version?: number;
  serious?: boolean;
  serviceArea?: ServiceArea;
  category?: Category;
  holidays?: HolidayCalendar;
  /** The clock runs to this day after the last step (default 400). */
  until?: number;
  /** The complainant and the summary (default: Pat, "s"). */
  details?: Pick<ComplaintDetails, 'complainant' | 'summary'>;
}

const officer = { id: 'officer', role: 'manager' };

/** A complaint received on `day`, then the commands on their days, with every timer firing in between. */
export function complaintTimeline(
  ref: string,
  day: number,
  steps: readonly TimelineStep[],
  options: TimelineOptions,
): TimelineEntry[] {
  const { start } = options;
  let procedure = getProcedure({ id: options.procedure ?? 'dundee-swd-2011', version: options.version ?? 1 });
  const at = start + day * DAY;
  const first = receiveComplaint({
    ref,
    procedure,
    receivedAtMs: at,
    holidays: options.holidays ?? [],
    details: {
      complainant: { name: 'Pat' },
      serviceArea: options.serviceArea ?? 'community-care',
      category: options.category ?? 'delay',
      channel: 'letter',
      summary: 's',
      serious: options.serious ?? false,
      ...options.details,
    },
  });
  const state: ComplaintState = initialState({ ...first, seq: 1, at: new Date(at).toISOString(), actor: officer });
  const record = (event: TimelineEntry | Omit<TimelineEntry, 'seq' | 'at' | 'actor'>, atMs: number) => {
    applyEvent(state, {
      ...event,
      seq: state.timeline.length + 1,
      at: new Date(atMs).toISOString(),
      actor: officer,
    } as TimelineEntry);
    procedure = getProcedure(state.procedure);
  };
  const runClockUntil = (untilMs: number) => {
    for (
      let next = nextScheduledEvent(state, procedure, untilMs);
      next && next.atMs <= untilMs;
      next = nextScheduledEvent(state, procedure, untilMs)
    ) {
      record(next.event as TimelineEntry, next.atMs);
    }
  };
  for (const [stepDay, command] of steps) {
    const now = start + stepDay * DAY;
    runClockUntil(now - 1);
    const decision = decide(state, { ...command, actor: officer } as ComplaintCommand, now, procedure);
    if (!decision.ok) throw new Error(`${ref} day ${stepDay}: ${decision.reason}`);
    for (const event of decision.events) record(event as TimelineEntry, now);
  }
  runClockUntil(start + (options.until ?? 400) * DAY);
  return state.timeline;
}
