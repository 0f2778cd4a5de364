// `npm run report -- --from <date|instant> --to <date|instant> [--format json|md|html] [--out <file>] [--no-compare]`
// The annual performance report from the configured register (DATABASE_URL, or PGlite under DATA_DIR/register).
// Dates are whole days in Europe/London, `--to` inclusive (--from 2011-01-01 --to 2011-12-31); instants are exact
// and `--to` exclusive. json: exactly the figures of the report format; md: text and tables for a committee
// paper; html: a printable page with charts. md and html compare with the previous period when the register has
// complaints in it, and add the Ombudsman's indicators for complaints under working-day procedures.
// --export complaints|compliments: instead, the CSV export for the period (report/exports.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { reportFormats } from '../domain/annual-report';
import { findProcedure } from '../domain/procedures';
import { loadConfigOrExit } from '../platform/config';
import { rootCauseTaxonomyFor } from '../platform/procedure-files';
import { openRegister } from '../register';
import { buildAnnualReport, resolvePeriod } from '../report/annual';
import { renderHtml } from '../report/html';
import { renderMarkdown } from '../report/markdown';
import { exportCsv, exportKinds, type ExportKind } from '../report/exports';

const USAGE =
  'usage: npm run report -- --from <YYYY-MM-DD|instant> --to <YYYY-MM-DD|instant> [--format json|md|html] [--out <file>] [--title <text>] [--no-compare] [--export complaints|compliments]';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      format: { type: 'string', default: 'json' },
      out: { type: 'string' },
      title: { type: 'string' },
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
  const write = (text: string, what: string) => {
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
    const title = values.title ? { title: values.title } : {};
    const text =
      format === 'json'
        ? `${JSON.stringify(bundle.report, null, 2)}\n`
        : format === 'md'
          ? renderMarkdown(bundle, title)
          : renderHtml(bundle, title);
    write(text, 'Report');
    return 0;
  } finally {
    await register.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
