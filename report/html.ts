import { keysOf, serviceAreaWords, type Words } from '../domain/words';
import type { AnnualReportBundle } from './annual';
import type { TargetsMet } from '../domain/annual-report';
import { renderMarkdown, standingLabel, stageLabel, targetsText } from './markdown';
import { periodDates } from './annual';
import { escapeHtml } from '../notifications/render';

// The annual report as one printable HTML page for a committee paper: the same text and tables as the
// markdown, and charts drawn here as inline SVG (no script, no web fonts, nothing fetched: it prints and opens
// offline).

/** Just enough markdown for what renderMarkdown writes: headings, paragraphs, pipe tables. */
export function markdownToHtml(markdown: string): string {
  const out: string[] = [];
  const blocks = markdown.trim().split(/\n{2,}/);
  for (const block of blocks) {
    const heading = /^(#{1,4}) (.*)$/.exec(block);
    if (heading) {
      const level = heading[1]!.length;
      out.push(`<h${level}>${escapeHtml(heading[2]!)}</h${level}>`);
    } else if (block.startsWith('|')) {
      const rows = block.split('\n').filter((line) => !/^\|[-:| ]+\|$/.test(line));
      const cells = (line: string) =>
        line
          .replace(/^\||\|$/g, '')
          .split('|')
          .map((cell) => escapeHtml(cell.trim()));
      const [head, ...body] = rows;
      out.push(
        '<table>',
        `<thead><tr>${cells(head ?? '')
          .map((cell) => `<th>${cell}</th>`)
          .join('')}</tr></thead>`,
        `<tbody>${body
          .map(
            (line) =>
              `<tr>${cells(line)
                .map((cell, i) => (i === 0 ? `<th scope="row">${cell}</th>` : `<td>${cell}</td>`))
                .join('')}</tr>`,
          )
          .join('')}</tbody>`,
        '</table>',
      );
    } else {
      out.push(`<p>${escapeHtml(block).replace(/\n/g, ' ')}</p>`);
    }
  }
  return out.join('\n');
}

interface Bar {
  label: string;
  value: number;
  /** Shown instead of the value (e.g. "98.3%"). */
  text?: string;
}

const PALETTE = ['#1f4e79', '#2e75b6', '#9dc3e6', '#c55a11', '#f4b183', '#548235'];

/** Horizontal bars, one per item, scaled to `max` (default the largest value). */
export function horizontalBars(
  title: string,
  bars: readonly Bar[],
  options: { max?: number; colour?: string } = {},
): string {
  const width = 640;
  const labelWidth = 230;
  const rowHeight = 26;
  const height = 34 + bars.length * rowHeight;
  const max = options.max ?? Math.max(1, ...bars.map((bar) => bar.value));
  const plot = width - labelWidth - 130;
  const rows = bars
    .map((bar, i) => {
      const y = 30 + i * rowHeight;
      const w = Math.round((bar.value / max) * plot);
      return (
        `<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end">${escapeHtml(bar.label)}</text>` +
        `<rect x="${labelWidth}" y="${y + 3}" width="${Math.max(w, bar.value > 0 ? 2 : 0)}" height="${rowHeight - 8}" fill="${options.colour ?? PALETTE[i % PALETTE.length]}"/>` +
        `<text x="${labelWidth + w + 6}" y="${y + 15}">${escapeHtml(bar.text ?? String(bar.value))}</text>`
      );
    })
    .join('');
  return svg(title, width, height, rows);
}

/** Columns over a sequence (months), with the value above each. */
export function columns(title: string, bars: readonly Bar[]): string {
  const width = 640;
  const height = 220;
  const left = 30;
  const bottom = height - 30;
  const top = 40;
  const max = Math.max(1, ...bars.map((bar) => bar.value));
  const step = (width - left - 10) / Math.max(1, bars.length);
  const body = bars
    .map((bar, i) => {
      const h = Math.round((bar.value / max) * (bottom - top));
      const x = left + i * step + step * 0.15;
      const w = step * 0.7;
      return (
        `<rect x="${x.toFixed(1)}" y="${bottom - h}" width="${w.toFixed(1)}" height="${h}" fill="${PALETTE[1]}"/>` +
        `<text x="${(x + w / 2).toFixed(1)}" y="${bottom - h - 4}" text-anchor="middle">${bar.value}</text>` +
        `<text x="${(x + w / 2).toFixed(1)}" y="${bottom + 16}" text-anchor="middle">${escapeHtml(bar.label)}</text>`
      );
    })
    .join('');
  return svg(
    title,
    width,
    height,
    `<line x1="${left}" y1="${bottom}" x2="${width - 10}" y2="${bottom}" stroke="#444"/>${body}`,
  );
}

function svg(title: string, width: number, height: number, body: string): string {
  return (
    `<figure><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(title)}">` +
    `<title>${escapeHtml(title)}</title><text x="0" y="16" class="chart-title">${escapeHtml(title)}</text>${body}</svg></figure>`
  );
}

/** A target's bar: its percentage, labelled as the figures table has it ("98.3% (59 of 60)"). */
function targetBar(label: string, targets: TargetsMet): Bar {
  return { label, value: targets.percent ?? 0, text: targets.percent === null ? 'n/a' : targetsText(targets) };
}

const MONTH = new Intl.DateTimeFormat('en-GB', { month: 'short', timeZone: 'UTC' });

/** The printable page's style (A4, tables, charts): the report's page and the committee paper's. */
export const REPORT_STYLE = `
  @page { size: A4; margin: 18mm; }
  body { font-family: "Liberation Sans", Arial, Helvetica, sans-serif; color: #111; max-width: 190mm; margin: 0 auto; padding: 12px; line-height: 1.45; font-size: 11pt; }
  h1 { font-size: 18pt; border-bottom: 2px solid #1f4e79; padding-bottom: 4px; }
  h2 { font-size: 14pt; color: #1f4e79; margin-top: 1.4em; }
  h3 { font-size: 12pt; }
  table { border-collapse: collapse; width: 100%; margin: 0.6em 0 1em; page-break-inside: avoid; }
  th, td { border: 1px solid #bbb; padding: 3px 6px; font-size: 10pt; }
  thead th { background: #dde7f2; text-align: left; }
  tbody th { text-align: left; font-weight: normal; }
  td { text-align: right; }
  figure { margin: 0.8em 0; page-break-inside: avoid; }
  svg { max-width: 100%; height: auto; font-family: inherit; font-size: 12px; }
  svg .chart-title { font-weight: bold; font-size: 13px; }
  .charts { display: block; }
`;

/** The report's charts as inline SVG figures (the report's page and the committee paper's appendix). */
export function reportCharts(bundle: AnnualReportBundle, options: { byStage?: boolean } = {}): string[] {
  const { report } = bundle;
  const charts = [
    horizontalBars(
      'Complaints by service area',
      keysOf(serviceAreaWords).map((area) => ({
        label: serviceAreaWords[area].title,
        value: report.byServiceArea[area] ?? 0,
      })),
    ),
    columns(
      'Complaints received by month',
      bundle.byMonth.map(({ month, received }) => ({
        label: MONTH.format(new Date(`${month}-15T00:00:00Z`)),
        value: received,
      })),
    ),
    horizontalBars(
      'Where complaints stand at the end of the period',
      Object.entries(report.outcomes).map(([key, n]) => ({ label: standingLabel(key), value: n })),
    ),
    horizontalBars(
      'Targets met',
      [
        targetBar('Acknowledged on time', report.acknowledgedOnTime),
        targetBar('Completed on time', report.completedOnTime),
      ],
      { max: 100, colour: PALETTE[5] },
    ),
  ];
  if (options.byStage !== false)
    charts.push(
      horizontalBars(
        'Complaints by highest stage reached',
        Object.entries(report.byLevel).map(([stage, n]) => ({ label: stageLabel(stage, bundle.procedures), value: n })),
      ),
    );
  const compliments = Object.entries(report.complimentsByServiceArea);
  if (compliments.length > 0) {
    charts.push(
      horizontalBars(
        'Written compliments by service area',
        compliments.map(([area, n]) => ({
          label: (serviceAreaWords as Record<string, Words | undefined>)[area]?.title ?? area,
          value: n,
        })),
      ),
    );
  }
  return charts;
}

/**
 * A printable report page: the period in its title, the report's style, `body`, then the charts under `chartsHeading`
 * (the annual report's HTML and the committee paper's).
 */
export function reportPage(
  bundle: AnnualReportBundle,
  page: { title: string; body: string; chartsHeading: string; charts: readonly string[] },
): string {
  const { first, last } = periodDates(bundle.period);
  return `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>${escapeHtml(page.title)} (${first} to ${last})</title>
<style>${REPORT_STYLE}</style>
</head>
<body>
${page.body}
<h2>${escapeHtml(page.chartsHeading)}</h2>
<div class="charts">
${page.charts.join('\n')}
</div>
</body>
</html>
`;
}

export function renderHtml(bundle: AnnualReportBundle, options: { title?: string } = {}): string {
  const title = options.title ?? 'Social Work complaints and compliments: annual report';
  const body = markdownToHtml(renderMarkdown(bundle, { title }));
  return reportPage(bundle, { title, body, chartsHeading: 'Charts', charts: reportCharts(bundle) });
}
