import { complaintsAtPeriodEnd, inPeriod, type ReportPeriod } from './annual-report';
import type { TimelineEntry } from './complaint';
import { improvementActionCounts, type ImprovementAction, type ImprovementActionCounts } from './improvement-actions';
import type { Category, ServiceArea } from './vocabulary';

// What the council learned from complaints, for the report's learning section: the root causes recorded at the
// outcomes given in the period (complaints received in it), by service area, and the "You said, we did" list
// (what the complaint was about, in the words of domain/words.ts, and what was learned: no personal details).
// Pure: no clock, no I/O.

export interface YouSaidWeDid {
  serviceArea: ServiceArea;
  category: Category;
  /** When the outcome was given (ISO). */
  concludedAt: string;
  learned: string;
}

export interface LearningSummary {
  /** Outcomes given in the period. */
  outcomes: number;
  /** Of which at least one root cause was recorded. */
  withRootCause: number;
  /** Root-cause code → outcomes that recorded it, per service area (areas and codes with none absent). */
  rootCausesByServiceArea: Partial<Record<ServiceArea, Record<string, number>>>;
  youSaidWeDid: YouSaidWeDid[];
  /** Improvement actions agreed in the period, and how they stood at its end (completed, overdue). */
  improvementActions: ImprovementActionCounts;
}

export function learningSummary(
  timelines: readonly (readonly TimelineEntry[])[],
  period: ReportPeriod,
  actions: readonly ImprovementAction[] = [],
): LearningSummary {
  const summary: LearningSummary = {
    outcomes: 0,
    withRootCause: 0,
    rootCausesByServiceArea: {},
    youSaidWeDid: [],
    improvementActions: improvementActionCounts(actions, period),
  };
  for (const state of complaintsAtPeriodEnd(timelines, period)) {
    const { serviceArea, category } = state.details;
    for (const record of state.stages) {
      const { metAt, outcome, rootCauses = [], learned } = record.response;
      if (!outcome || !metAt || !inPeriod(metAt, period)) continue;
      summary.outcomes += 1;
      if (rootCauses.length > 0) summary.withRootCause += 1;
      const counts = (summary.rootCausesByServiceArea[serviceArea] ??= {});
      for (const code of rootCauses) counts[code] = (counts[code] ?? 0) + 1;
      if (Object.keys(counts).length === 0) delete summary.rootCausesByServiceArea[serviceArea];
      if (learned) summary.youSaidWeDid.push({ serviceArea, category, concludedAt: metAt, learned });
    }
  }
  summary.youSaidWeDid.sort((a, b) => a.concludedAt.localeCompare(b.concludedAt));
  return summary;
}
