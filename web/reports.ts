import type { FastifyInstance } from 'fastify';
import { accessRoute } from '../api/access-recorder';
import { requireRole } from '../api/auth';
import { endOfLondonDay, londonDate, shiftIsoDate } from '../domain/calendar';
import { serviceAreaWords } from '../domain/words';
import { allCases, type CaseRow } from './case-list';
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

function tally(
  rows: readonly CaseRow[],
  keyOf: (row: CaseRow) => { key: string; label: string; href: string },
  weekEndMs: number,
) {
  const table = new Map<string, Counts>();
  for (const row of rows) {
    const { key, label, href } = keyOf(row);
    const counts = table.get(key) ?? { key, label, href, open: 0, dueThisWeek: 0, overdue: 0 };
    counts.open += 1;
    if (row.status === 'open' && row.nextDeadlineAt && Date.parse(row.nextDeadlineAt) <= weekEndMs)
      counts.dueThisWeek += 1;
    if (row.overdue) counts.overdue += 1;
    table.set(key, counts);
  }
  return [...table.values()].sort((a, b) => b.overdue - a.overdue || b.open - a.open || a.label.localeCompare(b.label));
}

export function reportPages(app: FastifyInstance, context: WebContext): void {
  app.get('/team', { config: { browser: true }, onRequest: requireRole('manager') }, async (request, reply) => {
    const nowMs = context.now();
    const weekEndMs = endOfLondonDay(shiftIsoDate(londonDate(nowMs), 7));
    const caller = request.caller!;
    const rows = await allCases(
      context.reads,
      { viewer: { id: caller.id, roles: caller.roles }, route: accessRoute(request) },
      { status: 'open,awaiting-escalation' },
      'next-deadline',
      nowMs,
    );
    const byOfficer = tally(
      rows,
      (row) =>
        row.officer
          ? {
              key: row.officer.id,
              label: row.officer.name ?? row.officer.id,
              href: `/?tab=open&officer=${encodeURIComponent(row.officer.id)}`,
            }
          : { key: '', label: 'Unassigned', href: '/?tab=unassigned' },
      weekEndMs,
    );
    const byArea = tally(
      rows,
      (row) => ({
        key: row.serviceArea,
        label: serviceAreaWords[row.serviceArea as keyof typeof serviceAreaWords]?.title ?? row.serviceArea,
        href: `/?tab=open&serviceArea=${row.serviceArea}`,
      }),
      weekEndMs,
    );
    return reply.view('team.njk', {
      ...pageContext(request, reply, context, 'Team'),
      byOfficer,
      byArea,
      cases: rows.slice(0, 100),
    });
  });
}
