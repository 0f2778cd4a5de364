// A change to the council's calendar told to every open complaint (issue 15): a page of open complaints at a time
// (listed from visibility), each told through its own update-calendar Update. Thin and durable: a worker or server
// that dies mid-way resumes at the page it was on (the activity at its last heartbeat), and a complaint already told
// answers its Update id instead of recording the change twice. Only types and pure code here.
import * as wf from '@temporalio/workflow';
import {
  addCounts,
  emptyCounts,
  type CalendarChange,
  type CalendarChangeActivities,
  type CalendarChangeCounts,
} from '../activities/contract';

export interface CalendarChangeInput {
  change: CalendarChange;
  /** Complaints per page (default 200). */
  pageSize?: number;
  /** Present when the batch continued as new: where it was and what it did so far. */
  resume?: { pageToken: string; counts: CalendarChangeCounts; pages: number };
}

export interface CalendarChangeProgress extends CalendarChangeCounts {
  pages: number;
  done: boolean;
}

export const calendarChangeProgressQuery = wf.defineQuery<CalendarChangeProgress>('calendarChangeProgress');

const { listOpenComplaints } = wf.proxyActivities<CalendarChangeActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});
const { retimeComplaints } = wf.proxyActivities<CalendarChangeActivities>({
  // A page of 200 complaints, each a query and an Update; the heartbeat says the attempt is alive.
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/** Pages per run before the batch continues as new (each page is about a dozen history events). */
const PAGES_PER_RUN = 100;

export async function calendarChangeWorkflow(input: CalendarChangeInput): Promise<CalendarChangeCounts> {
  const pageSize = input.pageSize ?? 200;
  let counts = input.resume?.counts ?? emptyCounts();
  let pages = input.resume?.pages ?? 0;
  let pageToken: string | null = input.resume?.pageToken ?? null;
  let done = false;
  wf.setHandler(calendarChangeProgressQuery, () => ({ ...counts, pages, done }));
  for (let inThisRun = 0; ; inThisRun++) {
    if (pageToken && (inThisRun >= PAGES_PER_RUN || wf.workflowInfo().continueAsNewSuggested)) {
      await wf.continueAsNew<typeof calendarChangeWorkflow>({ ...input, resume: { pageToken, counts, pages } });
    }
    const page = await listOpenComplaints({ pageSize, pageToken });
    if (page.refs.length > 0)
      counts = addCounts(counts, await retimeComplaints({ change: input.change, refs: page.refs }));
    pages += 1;
    pageToken = page.nextPageToken;
    if (!pageToken) break;
  }
  done = true;
  return counts;
}
