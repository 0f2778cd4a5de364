// `npm run report -- --from <date|instant> --to <date|instant> [--format json|md|html|pdf] [--out <file>] [--no-compare]`
// The annual performance report from the configured register (DATABASE_URL, or PGlite under DATA_DIR/register).
// Dates are whole days in Europe/London, `--to` inclusive (--from 2011-01-01 --to 2011-12-31); instants are exact
// and `--to` exclusive. json: exactly the figures of the report format; md, html (with charts) and pdf: the
// committee paper (report/committee-paper.ts; front matter from PAPER_* and COUNCIL_NAME, --report-number,
// --paper-date and --meeting-date override), compared with the previous period when the register has complaints in
// it, with the Ombudsman's indicators for complaints under working-day procedures. --plain: md or html as the
// report alone (no front matter; --title names it).
// --export complaints|compliments: instead, the CSV export for the period (report/exports.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { reportFormats } from '../domain/annual-report';
import { findProcedure } from '../domain/procedures';
import { loadConfigOrExit, type AppConfig } from '../platform/config';
import { rootCauseTaxonomyFor } from '../platform/procedure-files';
import { openRegister } from '../register';
import { buildAnnualReport, resolvePeriod, type AnnualReportBundle } from '../report/annual';
import { renderHtml } from '../report/html';
import { renderMarkdown } from '../report/markdown';
import {
  paperSettingsFrom,
  renderCommitteePaperHtml,
  renderCommitteePaperMarkdown,
  renderCommitteePaperPdf,
} from '../report/committee-paper';
import { londonDate } from '../domain/calendar';
import { exportCsv, exportKinds, type ExportKind } from '../report/exports';

const USAGE =
  'usage: npm run report -- --from <YYYY-MM-DD|instant> --to <YYYY-MM-DD|instant> [--format json|md|html|pdf] [--out <file>] [--report-number <text>] [--paper-date <YYYY-MM-DD>] [--meeting-date <YYYY-MM-DD>] [--plain [--title <text>]] [--no-compare] [--export complaints|compliments]';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      format: { type: 'string', default: 'json' },
      out: { type: 'string' },
      title: { type: 'string' },
      plain: { type: 'boolean', default: false },
      'report-number': { type: 'string' },
      'paper-date': { type: 'string' },
      'meeting-date': { type: 'string' },
      'no-compare': { type: 'boolean', default: false },
      export: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const format = values.format as (typeof reportFormats)[number];
  const exportKind = values.export as ExportKind | undefined;
  if (
    !values.from ||
    !values.to ||
    !reportFormats.includes(format) ||
    (exportKind !== undefined && !exportKinds.includes(exportKind))
  ) {
    console.error(USAGE);
    return 1;
  }
  const period = resolvePeriod(values.from, values.to);
  const config = loadConfigOrExit();
  const procedure = findProcedure(config.DEFAULT_PROCEDURE);
  const register = await openRegister(config);
  const write = (text: string | Uint8Array, what: string) => {
    if (values.out) {
      mkdirSync(path.dirname(path.resolve(values.out)), { recursive: true });
      writeFileSync(values.out, text);
      console.error(`${what} for ${period.from} to ${period.to} (exclusive) written to ${values.out}`);
    } else {
      process.stdout.write(text);
    }
  };
  try {
    if (exportKind) {
      write(await exportCsv(register, exportKind, period), `CSV of the ${exportKind}`);
      return 0;
    }
    const bundle = await buildAnnualReport(register, period, {
      procedures: procedure ? [{ id: procedure.id, version: procedure.version }] : [],
      population: config.POPULATION ?? null,
      rootCauses: rootCauseTaxonomyFor(config),
      compare: !values['no-compare'],
    });
    write(await reportText(bundle, format, values, config), 'Report');
    return 0;
  } finally {
    await register.close();
  }
}

type Values = { plain?: boolean; title?: string } & Partial<
  Record<'report-number' | 'paper-date' | 'meeting-date', string>
>;

async function reportText(
  bundle: AnnualReportBundle,
  format: (typeof reportFormats)[number],
  values: Values,
  config: AppConfig,
): Promise<string | Uint8Array> {
  if (format === 'json') return `${JSON.stringify(bundle.report, null, 2)}\n`;
  if (values.plain && format !== 'pdf') {
    const title = values.title ? { title: values.title } : {};
    return format === 'md' ? renderMarkdown(bundle, title) : renderHtml(bundle, title);
  }
  const settings = paperSettingsFrom({
    ...config,
    ...(values['report-number'] ? { PAPER_REPORT_NUMBER: values['report-number'] } : {}),
    ...(values['paper-date'] ? { PAPER_DATE: isoDay(values['paper-date']) } : {}),
    ...(values['meeting-date'] ? { PAPER_MEETING_DATE: isoDay(values['meeting-date']) } : {}),
  });
  const front = settings.frontMatter(londonDate(Date.now()));
  if (format === 'pdf') return renderCommitteePaperPdf(bundle, front, settings.logo ? { logo: settings.logo } : {});
  return format === 'md' ? renderCommitteePaperMarkdown(bundle, front) : renderCommitteePaperHtml(bundle, front);
}

function isoDay(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value)))
    throw new RangeError(`${value} is not a date (YYYY-MM-DD)`);
  return value;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
