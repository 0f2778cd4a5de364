import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  AnnualReportQuerySchema,
  AnnualReportSchema,
  ReportQuerySchema,
  type ReportPeriod,
} from '../../domain/annual-report';
import { spsoIndicators, SpsoIndicatorsSchema } from '../../domain/spso-indicators';
import type { RootCauseTaxonomy } from '../../domain/root-causes';
import type { ProcedureRef } from '../../domain/procedure';
import { DEFAULT_PROCEDURE_ID, findProcedure } from '../../domain/procedures';
import type { Register } from '../../register';
import { buildAnnualReport, resolvePeriod } from '../../report/annual';
import {
  defaultPaperSettings,
  renderCommitteePaperHtml,
  renderCommitteePaperMarkdown,
  renderCommitteePaperPdf,
  type PaperSettings,
} from '../../report/committee-paper';
import { londonDate } from '../../domain/calendar';
import { exportCsv, exportKinds } from '../../report/exports';
import { READERS, requireRole } from '../auth';
import { sendPdf } from './letters';
import { badRequest, errorResponses } from '../errors';

// The annual performance report from the complaints register, and the Ombudsman's indicators. Officers, managers
// and auditors may read them. JSON has exactly the keys of the report format; md and html are for a committee
// paper (the same as `npm run report`).

export interface ReportRoutesOptions {
  register: Register;
  /** The configured default procedure (DEFAULT_PROCEDURE): its stages and outcomes are always listed. */
  defaultProcedure?: string;
  /** Population served (POPULATION), for complaints per 1,000 population. */
  population?: number | null;
  /** The root-cause taxonomy, for the learning section's titles. */
  rootCauses?: RootCauseTaxonomy;
  /** The committee paper's front matter and logo (PAPER_*, COUNCIL_NAME, COUNCIL_LOGO_PATH); absent: the defaults. */
  paper?: PaperSettings;
}

function periodOf(from: string, to: string): ReportPeriod {
  try {
    return resolvePeriod(from, to);
  } catch (error) {
    // Both are valid dates (the schema checked them): what can be wrong is their order.
    throw badRequest('invalid-request', (error as Error).message, [
      { in: 'querystring', path: 'to', message: 'must be after from' },
    ]);
  }
}

/** The CSV exports of the register (report/exports.ts): GET /reports/complaints.csv and /reports/compliments.csv. */
function exportRoutes(app: Parameters<FastifyPluginAsyncZod>[0], register: Register): void {
  for (const kind of exportKinds) {
    app.get(
      `/reports/${kind}.csv`,
      {
        onRequest: requireRole(...READERS),
        schema: {
          tags: ['reports'],
          summary: kind === 'complaints' ? 'The complaints register as CSV' : 'The compliments as CSV',
          description:
            (kind === 'complaints'
              ? "The complaints received in the period, one row per complaint per stage, as they stood at its end (no personal details): for the SPSO returns and councillors' questions. "
              : 'The compliments received in the period, one row each. ') +
            `RFC 4180 quoting, a header row. Roles: ${READERS.join(', ')}.`,
          security: [{ bearer: [] }],
          querystring: ReportQuerySchema,
          response: {
            200: { description: 'CSV with a header row', content: { 'text/csv': { schema: z.string() } } },
            ...errorResponses(400, 401, 403),
          },
        },
      },
      async (request, reply) => {
        const csv = await exportCsv(register, kind, periodOf(request.query.from, request.query.to));
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${kind}-${request.query.from}-${request.query.to}.csv"`)
          .serializer((payload: unknown) => payload as string)
          .send(csv as never);
      },
    );
  }
}

/** GET /reports/annual: the figures, or the committee paper (report/committee-paper.ts) as md, html or pdf. */
const annualReportRouteSchema = {
  tags: ['reports'],
  summary: 'The annual performance report',
  description:
    'Complaints received in the period, as they stood at its end, and compliments received in it. format=json (default): the figures; ' +
    'md, html (with charts) and pdf: the committee paper (front matter from configuration; a section per procedure; compared ' +
    `with the previous period when there is one). Roles: ${READERS.join(', ')}.`,
  security: [{ bearer: [] }],
  querystring: AnnualReportQuerySchema,
  response: {
    // By format: the figures as JSON, the paper as Markdown, the page as HTML (found by the fuzzer: undocumented).
    200: {
      description:
        'The figures (format=json), or the committee paper as Markdown (md), a printable page (html) or PDF (pdf)',
      content: {
        'application/json': { schema: AnnualReportSchema },
        'text/markdown': { schema: z.string() },
        'text/html': { schema: z.string() },
        'application/pdf': { schema: z.string().describe('PDF bytes') },
      },
    },
    ...errorResponses(400, 401, 403),
  },
};

export const reportRoutes: FastifyPluginAsyncZod<ReportRoutesOptions> = async (
  app,
  { register, defaultProcedure = DEFAULT_PROCEDURE_ID, population = null, rootCauses, paper = defaultPaperSettings() },
) => {
  const procedure = findProcedure(defaultProcedure);
  const procedures: ProcedureRef[] = procedure ? [{ id: procedure.id, version: procedure.version }] : [];

  app.get(
    '/reports/annual',
    {
      onRequest: requireRole(...READERS),
      schema: annualReportRouteSchema,
    },
    async (request, reply) => {
      const { from, to, format } = request.query;
      const bundle = await buildAnnualReport(register, periodOf(from, to), {
        procedures,
        population,
        ...(rootCauses ? { rootCauses } : {}),
        compare: format !== 'json',
      });
      if (format === 'json') return bundle.report;
      const front = paper.frontMatter(londonDate(Date.now()));
      if (format === 'pdf') {
        const pdf = await renderCommitteePaperPdf(bundle, front, paper.logo ? { logo: paper.logo } : {});
        sendPdf(reply, pdf, `annual-report-${from}-${to}`);
        return reply;
      }
      const text =
        format === 'md' ? renderCommitteePaperMarkdown(bundle, front) : renderCommitteePaperHtml(bundle, front);
      return reply
        .type(format === 'md' ? 'text/markdown; charset=utf-8' : 'text/html; charset=utf-8')
        .serializer((payload: unknown) => payload as string)
        .send(text as never);
    },
  );

  app.get(
    '/reports/spso',
    {
      onRequest: requireRole(...READERS),
      schema: {
        tags: ['reports'],
        summary: "The Ombudsman's complaints performance indicators",
        description:
          'Per working-day procedure version (each complaint under its own), for the period and its quarters: the stages ' +
          `concluded in the period by complaints received in it (domain/spso-indicators.ts). Roles: ${READERS.join(', ')}.`,
        security: [{ bearer: [] }],
        querystring: ReportQuerySchema,
        response: { 200: SpsoIndicatorsSchema, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const period = periodOf(request.query.from, request.query.to);
      const [timelines, actions] = await Promise.all([
        register.timelinesOfComplaintsReceived(period),
        register.improvementActions.list(),
      ]);
      return spsoIndicators({ period, timelines, population, actions });
    },
  );

  exportRoutes(app, register);
};

export default reportRoutes;
