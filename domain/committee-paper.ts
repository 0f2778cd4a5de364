import { complaintsAtPeriodEnd, type ReportPeriod } from './annual-report';
import type { TimelineEntry } from './complaint';

// The committee paper's rules that are not wording: which complaints each procedure's section counts (complaints
// under different procedures are reported in their own sections, never mixed in one list), and what the front
// matter holds. Pure: no clock, no I/O; the date of the paper is given.

/** The paper's front matter and fixed sections, from configuration (platform/config.ts PAPER_*), as the 2012 paper. */
export interface CommitteePaperFrontMatter {
  council: string;
  /** "Social Work and Health Committee". */
  committee: string;
  /** The meeting's date (YYYY-MM-DD), when known. */
  meetingDate?: string;
  /** "163-2012". */
  reportNumber?: string;
  /** Who reports: "Director of Social Work". */
  reportBy: string;
  /** Who signs: the author's name, above `reportBy`. */
  author?: string;
  /** The paper's date (YYYY-MM-DD). */
  date: string;
  financialImplications: string;
  policyImplications: string;
  consultations: string;
  backgroundPapers: string;
}

/**
 * Each procedure's complaints (by procedure id, every version together), under the procedure each complaint stood
 * under at the period's end (a complaint moved to another procedure is counted under the new one), in the order the
 * procedures first appear among the complaints received.
 */
export function timelinesByProcedure(
  timelines: readonly (readonly TimelineEntry[])[],
  period: ReportPeriod,
): Map<string, Array<readonly TimelineEntry[]>> {
  const groups = new Map<string, Array<readonly TimelineEntry[]>>();
  const counted = timelines
    .map((timeline) => ({ timeline, state: complaintsAtPeriodEnd([timeline], period)[0] }))
    .filter((item) => item.state !== undefined)
    .sort((a, b) => Date.parse(a.state!.receivedAt) - Date.parse(b.state!.receivedAt));
  for (const { timeline, state } of counted) {
    const group = groups.get(state!.procedure.id) ?? [];
    group.push(timeline);
    groups.set(state!.procedure.id, group);
  }
  return groups;
}
