import type { FastifyInstance, FastifyReply } from 'fastify';
import { READERS, requireRole } from '../api/auth';
import { ApiError } from '../api/errors';
import type { ProcedureRef } from '../domain/procedure';
import { DEFAULT_PROCEDURE_ID, findProcedure } from '../domain/procedures';
import { buildAnnualReport, resolvePeriod } from '../report/annual';
import { exportCsv } from '../report/exports';
import { renderHtml } from '../report/html';
import { renderMarkdown } from '../report/markdown';
import { errorsByField } from './forms';
import { type ChosenPeriod, periodFromQuery } from './period';
import type { WebContext } from './plugin';
import { pageContext, pageTitle } from './views';

// The reports page: the annual report for a chosen period inside the layout, as report/html.ts renders it (its
// text, tables, charts and the Ombudsman's indicators: the page takes the report's body, it does not render it
// again), and its downloads (Markdown, the printable HTML page, the register's complaints as CSV), the same
// functions as GET /reports/annual and /reports/complaints.csv, through the web session. Roles: the API's (READERS).

/** The report's body without its document around it, its headings one level down (the page has the h1). */
export function reportBodyForPage(html: string): string {
  const body = /<body[^>]*>([\s\S]*)<\/body>/i.exec(html)?.[1] ?? '';
  return body.replace(/<(\/?)h([1-5])(\s|>)/gi, (_, slash: string, level: string, after: string) => {
    return `<${slash}h${Number(level) + 1}${after}`;
  });
}

function reportOptions(context: WebContext) {
  const procedure = findProcedure(context.reports.defaultProcedure ?? DEFAULT_PROCEDURE_ID);
  const procedures: ProcedureRef[] = procedure ? [{ id: procedure.id, version: procedure.version }] : [];
  return {
    procedures,
    population: context.reports.population ?? null,
    ...(context.reports.rootCauses ? { rootCauses: context.reports.rootCauses } : {}),
  };
}

const downloads = ['annual.md', 'annual.html', 'complaints.csv'] as const;
type Download = (typeof downloads)[number];

function downloadLinks(period: ChosenPeriod) {
  const query = `from=${period.from}&to=${period.to}`;
  return [
    { text: 'The report as Markdown (for a committee paper)', href: `/reports/download/annual.md?${query}` },
    { text: 'The report as a printable page (HTML, with charts)', href: `/reports/download/annual.html?${query}` },
    {
      text: "The register's complaints received in the period (CSV)",
      href: `/reports/download/complaints.csv?${query}`,
    },
  ];
}

export function annualReportPages(app: FastifyInstance, context: WebContext): void {
  const register = () => {
    if (!context.register) throw new ApiError(503, 'no-register', 'Reports are made from the register: none is set up');
    return context.register;
  };
  const readers = { config: { browser: true }, onRequest: requireRole(...READERS) };

  app.get('/reports', readers, async (request, reply) => {
    const { period, errors, asked } = periodFromQuery(request.query, context.now());
    let report = '';
    let spsoShown = false;
    if (errors.length === 0) {
      const bundle = await buildAnnualReport(register(), resolvePeriod(period.from, period.to), {
        ...reportOptions(context),
        compare: true,
      });
      report = reportBodyForPage(renderHtml(bundle));
      spsoShown = bundle.spso !== undefined;
    }
    return reply.view('reports.njk', {
      ...pageContext(request, reply, context, pageTitle('Reports', errors)),
      errors,
      byField: errorsByField(errors),
      period: errors.length ? { from: asked.from, to: asked.to } : period,
      report,
      spsoShown,
      downloads: errors.length ? [] : downloadLinks(period),
    });
  });

  app.get('/reports/download/:file', readers, async (request, reply) => {
    const file = downloads.find((name) => name === (request.params as { file?: string }).file);
    if (!file) throw new ApiError(404, 'not-found', 'There is no such download');
    const { period, errors } = periodFromQuery(request.query, context.now());
    if (errors.length) throw new ApiError(400, 'invalid-request', errors.map((error) => error.text).join('; '));
    return sendDownload(reply, file, period, context, register());
  });
}

async function sendDownload(
  reply: FastifyReply,
  file: Download,
  period: ChosenPeriod,
  context: WebContext,
  register: NonNullable<WebContext['register']>,
) {
  const resolved = resolvePeriod(period.from, period.to);
  const name = `${file.replace('.', `-${period.from}-${period.to}.`)}`;
  let body: string;
  let type: string;
  if (file === 'complaints.csv') {
    body = await exportCsv(register, 'complaints', resolved);
    type = 'text/csv; charset=utf-8';
  } else {
    const bundle = await buildAnnualReport(register, resolved, { ...reportOptions(context), compare: true });
    body = file === 'annual.md' ? renderMarkdown(bundle) : renderHtml(bundle);
    type = file === 'annual.md' ? 'text/markdown; charset=utf-8' : 'text/html; charset=utf-8';
  }
  return reply.type(type).header('content-disposition', `attachment; filename="${name}"`).send(body);
}
