import type { FastifyInstance } from 'fastify';
import { accessRoute } from '../api/access-recorder';
import { requireRole } from '../api/auth';
import { endOfLondonDay, londonDate, shiftIsoDate } from '../domain/calendar';
import { serviceAreaWords } from '../domain/words';
import type { CountBy, RegisterCounts } from '../register';
import { countCases, listCases } from './case-list';
import type { WebContext } from './plugin';
import { pageContext } from './views';

// The managers' team page: open, due this week and overdue complaints per case officer and per service area, and
// the open complaints with a way to reassign each (its page's Assign form). The reports page: web/annual-report.ts.

interface Counts {
  key: string;
  label: string;
  href: string;
  open: number;
  dueThisWeek: number;
  overdue: number;
}

const OPEN = 'open,awaiting-escalation';
/**
 * Due this week: an open complaint (not one awaiting escalation) whose next deadline is by the week's end and not
 * yet missed (the worklist's Due this week tab; missed ones are counted as overdue).
 */
const DUE_STATUS = ['open'];

function ordered(rows: Counts[]): Counts[] {
  return rows.sort((a, b) => b.overdue - a.overdue || b.open - a.open || a.label.localeCompare(b.label));
}

const officerRow = (counts: RegisterCounts) =>
  counts.key === null
    ? { key: '', label: 'Unassigned', href: '/?tab=unassigned' }
    : {
        key: counts.key,
        label: counts.officerName ?? counts.key,
        href: `/?tab=open&officer=${encodeURIComponent(counts.key)}`,
      };

const areaRow = (counts: RegisterCounts) => ({
  key: counts.key ?? '',
  label: serviceAreaWords[counts.key as keyof typeof serviceAreaWords]?.title ?? counts.key ?? '',
  href: `/?tab=open&serviceArea=${counts.key ?? ''}`,
});

export function reportPages(app: FastifyInstance, context: WebContext): void {
  app.get('/team', { config: { browser: true }, onRequest: requireRole('manager') }, async (request, reply) => {
    const nowMs = context.now();
    const due = {
      status: DUE_STATUS,
      nextDeadlineBefore: new Date(endOfLondonDay(shiftIsoDate(londonDate(nowMs), 7))).toISOString(),
    };
    const caller = request.caller!;
    // Counts and the next 100 deadlines: the register counts (no row is read in full), and the page shows no
    // personal data, so none is opened or logged.
    const tally = async (by: CountBy, rowOf: typeof officerRow) =>
      ordered(
        (await countCases(context.reads, { status: OPEN }, by, due)).map((counts) => ({
          ...rowOf(counts),
          open: counts.total,
          dueThisWeek: counts.due,
          overdue: counts.overdue,
        })),
      );
    const [byOfficer, byArea, cases] = await Promise.all([
      tally('case-officer', officerRow),
      tally('service-area', areaRow),
      listCases(
        context.reads,
        { viewer: { id: caller.id, roles: caller.roles }, route: accessRoute(request) },
        { filters: { status: OPEN }, sort: 'next-deadline', pageSize: 100 },
        nowMs,
        { personalData: false },
      ),
    ]);
    return reply.view('team.njk', {
      ...pageContext(request, reply, context, 'Team'),
      byOfficer,
      byArea,
      cases: cases.rows,
    });
  });
}
