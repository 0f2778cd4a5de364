import type { CommitteePaperFrontMatter } from '../domain/committee-paper';
import { logoFromFile, renderA4, type DocumentBlock, type DocumentHeader } from '../documents/pdf';
import { escapeHtml } from '../notifications/render';
import { configSchema, type AppConfig } from '../platform/config';
import { type AnnualReportBundle, type ProcedureReport } from './annual';
import { reportCharts, reportPage } from './html';
import {
  appealNames,
  complaintsParagraphs,
  complimentsParagraph,
  figuresTable,
  learningSection,
  longDate,
  periodLabel,
  spsoSection,
} from './markdown';

// The annual report as the committee paper the 2012 one is (shared/seed/): the front matter (report to, on, by,
// number), 1.0 purpose, 2.0 recommendations, 3.0 financial implications, 4.0 the main text (the complaints, one
// section per procedure, never mixed in one list; the Ombudsman's indicators; learning; compliments), 5.0 policy
// implications, 6.0 consultations, 7.0 background papers, the signature and the date. The figures are those of
// report/annual.ts unchanged; this file only writes them. One Markdown text; the HTML and the PDF are made from it.

export type { CommitteePaperFrontMatter };

/** The front matter from configuration; `date` (the paper's, YYYY-MM-DD) is the caller's: today unless configured. */
export function paperFrontMatterFrom(
  config: Pick<
    AppConfig,
    | 'COUNCIL_NAME'
    | 'PAPER_COMMITTEE'
    | 'PAPER_MEETING_DATE'
    | 'PAPER_REPORT_NUMBER'
    | 'PAPER_REPORT_BY'
    | 'PAPER_AUTHOR'
    | 'PAPER_DATE'
    | 'PAPER_FINANCIAL_IMPLICATIONS'
    | 'PAPER_POLICY_IMPLICATIONS'
    | 'PAPER_CONSULTATIONS'
    | 'PAPER_BACKGROUND_PAPERS'
  >,
  today: string,
): CommitteePaperFrontMatter {
  return {
    council: config.COUNCIL_NAME,
    committee: config.PAPER_COMMITTEE,
    ...(config.PAPER_MEETING_DATE ? { meetingDate: config.PAPER_MEETING_DATE } : {}),
    ...(config.PAPER_REPORT_NUMBER ? { reportNumber: config.PAPER_REPORT_NUMBER } : {}),
    reportBy: config.PAPER_REPORT_BY,
    ...(config.PAPER_AUTHOR ? { author: config.PAPER_AUTHOR } : {}),
    date: config.PAPER_DATE ?? today,
    financialImplications: config.PAPER_FINANCIAL_IMPLICATIONS,
    policyImplications: config.PAPER_POLICY_IMPLICATIONS,
    consultations: config.PAPER_CONSULTATIONS,
    backgroundPapers: config.PAPER_BACKGROUND_PAPERS,
  };
}

/** The paper's configuration as the report route and `npm run report` use it: the front matter for a day, the logo. */
export interface PaperSettings {
  frontMatter: (today: string) => CommitteePaperFrontMatter;
  logo?: DocumentHeader['logo'];
}

const PAPER_KEYS = {
  COUNCIL_NAME: true,
  PAPER_COMMITTEE: true,
  PAPER_MEETING_DATE: true,
  PAPER_REPORT_NUMBER: true,
  PAPER_REPORT_BY: true,
  PAPER_AUTHOR: true,
  PAPER_DATE: true,
  PAPER_FINANCIAL_IMPLICATIONS: true,
  PAPER_POLICY_IMPLICATIONS: true,
  PAPER_CONSULTATIONS: true,
  PAPER_BACKGROUND_PAPERS: true,
} as const;

export function paperSettingsFrom(
  config: Parameters<typeof paperFrontMatterFrom>[0] & Pick<AppConfig, 'COUNCIL_LOGO_PATH'>,
): PaperSettings {
  const logo = logoFromFile(config.COUNCIL_LOGO_PATH);
  return { frontMatter: (today) => paperFrontMatterFrom(config, today), ...(logo ? { logo } : {}) };
}

/** The configuration's defaults (no PAPER_* set): for an app built without configuration (tests). */
export function defaultPaperSettings(): PaperSettings {
  return paperSettingsFrom({ ...configSchema.pick(PAPER_KEYS).parse({}), COUNCIL_LOGO_PATH: undefined });
}

/** What the paper is on: "Complaints and compliments report 2011" (or the period's dates). */
export function paperSubject(bundle: AnnualReportBundle): string {
  const period = periodLabel(bundle.period);
  const year = /^the (\d{4}) calendar year$/.exec(period)?.[1];
  return `Complaints and compliments report ${year ?? period.replace(/^the period /, '')}`;
}

/** The front matter lines, each a line of its own (Markdown hard breaks). */
function frontMatterLines(bundle: AnnualReportBundle, front: CommitteePaperFrontMatter): string[] {
  const meeting = front.meetingDate ? ` - ${longDate(front.meetingDate)}` : '';
  return [
    `**Report to:** ${front.committee}${meeting}`,
    `**Report on:** ${paperSubject(bundle)}`,
    `**Report by:** ${front.reportBy}`,
    ...(front.reportNumber ? [`**Report no:** ${front.reportNumber}`] : []),
  ].map((line, i, all) => (i < all.length - 1 ? `${line}  ` : line));
}

/** A section's own headings one level down and numbered: its "## Title" becomes "### 4.n Title". */
function numbered(lines: readonly string[], number: string): string[] {
  return lines.map((line) =>
    line.startsWith('## ') ? `### ${number} ${line.slice(3)}` : line.startsWith('### ') ? `#${line}` : line,
  );
}

/** One procedure's complaints: the committee's paragraphs and the figures, the previous period alongside. */
function procedureSection(bundle: AnnualReportBundle, entry: ProcedureReport, number: string): string[] {
  const period = periodLabel(bundle.period);
  const appeal = appealNames([entry.procedure]);
  const part = {
    report: entry.report,
    procedures: [entry.procedure],
    ...(bundle.previous && entry.previous
      ? { previous: { period: bundle.previous.period, report: entry.previous } }
      : {}),
  };
  return [
    `### ${number} Complaints under the ${entry.procedure.name}`,
    '',
    ...complaintsParagraphs(part, period, appeal),
    `#### Figures: ${entry.procedure.name}`,
    '',
    ...figuresTable(part, appeal, { compliments: false }),
    '',
  ];
}

function mainText(bundle: AnnualReportBundle): string[] {
  const lines = ['## 4.0 Main text', ''];
  let section = 0;
  const next = () => `4.${++section}`;
  for (const entry of bundle.byProcedure) lines.push(...procedureSection(bundle, entry, next()));
  if (bundle.spso) lines.push(...numbered(spsoSection(bundle.spso), next()));
  lines.push(...numbered(learningSection(bundle), next()));
  lines.push(`### ${next()} Compliments`, '', complimentsParagraph(bundle.report, periodLabel(bundle.period)), '');
  return lines;
}

/** The committee paper as Markdown. */
export function renderCommitteePaperMarkdown(bundle: AnnualReportBundle, front: CommitteePaperFrontMatter): string {
  const procedures = bundle.byProcedure.map((entry) => entry.procedure.name);
  const lines = [
    `# ${front.council}`,
    '',
    ...frontMatterLines(bundle, front),
    '',
    '## 1.0 Purpose of report',
    '',
    `1.1 To inform the members of the ${front.committee} on the management and operation of the ` +
      `${procedures.length === 1 ? 'complaints procedure' : 'complaints procedures'}` +
      `${procedures.length > 0 ? ` (${procedures.join('; ')})` : ''} during ${periodLabel(bundle.period)}, ` +
      'on what was learned from complaints, and on the compliments received.',
    '',
    '## 2.0 Recommendations',
    '',
    `It is recommended that the ${front.committee}:`,
    '',
    '2.1 note the contents of this report; and',
    '',
    `2.2 authorise the ${front.reportBy} to publish it according to the statutory requirements.`,
    '',
    '## 3.0 Financial implications',
    '',
    front.financialImplications,
    '',
    ...mainText(bundle),
    '## 5.0 Policy implications',
    '',
    front.policyImplications,
    '',
    '## 6.0 Consultations',
    '',
    front.consultations,
    '',
    '## 7.0 Background papers',
    '',
    front.backgroundPapers,
    '',
    ...[front.author, front.reportBy]
      .filter((line) => line !== undefined)
      .map((line, i, all) => (i < all.length - 1 ? `${line}  ` : line)),
    '',
    `DATE: ${longDate(front.date)}`,
  ];
  return `${lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}

/** A block of the paper's Markdown (the subset renderMarkdown and this file write). */
export type PaperBlock =
  | { kind: 'heading'; level: number; text: string }
  | { kind: 'paragraph'; text: string }
  | { kind: 'lines'; lines: string[] }
  | { kind: 'list'; items: string[] }
  | { kind: 'table'; head: string[]; rows: string[][] };

/** The paper's Markdown as blocks: headings, paragraphs, hard-broken lines, lists and pipe tables. */
export function paperBlocks(markdown: string): PaperBlock[] {
  const cells = (line: string) =>
    line
      .replace(/^\||\|$/g, '')
      .split('|')
      .map((cell) => cell.trim());
  return markdown
    .trim()
    .split(/\n{2,}/)
    .map((block): PaperBlock => {
      const heading = /^(#{1,6}) (.*)$/.exec(block);
      if (heading) return { kind: 'heading', level: heading[1]!.length, text: heading[2]! };
      const lines = block.split('\n');
      if (block.startsWith('|')) {
        const [head, ...rows] = lines.filter((line) => !/^\|[-:| ]+\|$/.test(line));
        return { kind: 'table', head: cells(head ?? ''), rows: rows.map(cells) };
      }
      if (lines.every((line) => line.startsWith('- '))) return { kind: 'list', items: lines.map((l) => l.slice(2)) };
      if (lines.length > 1 && lines.slice(0, -1).every((line) => line.endsWith('  ')))
        return { kind: 'lines', lines: lines.map((line) => line.trimEnd()) };
      return { kind: 'paragraph', text: lines.join(' ') };
    });
}

/** **bold** as <strong>, the rest escaped. */
function inlineHtml(text: string): string {
  return escapeHtml(text).replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>');
}

const plainText = (text: string) => text.replace(/\*\*(.+?)\*\*/g, '$1');

function blockHtml(block: PaperBlock): string {
  switch (block.kind) {
    case 'heading':
      return `<h${block.level}>${inlineHtml(block.text)}</h${block.level}>`;
    case 'paragraph':
      return `<p>${inlineHtml(block.text)}</p>`;
    case 'lines':
      return `<p>${block.lines.map(inlineHtml).join('<br>')}</p>`;
    case 'list':
      return `<ul>${block.items.map((item) => `<li>${inlineHtml(item)}</li>`).join('')}</ul>`;
    case 'table':
      return [
        '<table>',
        `<thead><tr>${block.head.map((cell) => `<th scope="col">${inlineHtml(cell)}</th>`).join('')}</tr></thead>`,
        `<tbody>${block.rows
          .map(
            (row) =>
              `<tr>${row.map((cell, i) => (i === 0 ? `<th scope="row">${inlineHtml(cell)}</th>` : `<td>${inlineHtml(cell)}</td>`)).join('')}</tr>`,
          )
          .join('')}</tbody>`,
        '</table>',
      ].join('\n');
  }
}

/** The committee paper as one printable HTML page: the Markdown's text and tables, and the report's charts. */
export function renderCommitteePaperHtml(bundle: AnnualReportBundle, front: CommitteePaperFrontMatter): string {
  return reportPage(bundle, {
    title: `${front.council}: ${paperSubject(bundle)}`,
    body: paperBlocks(renderCommitteePaperMarkdown(bundle, front)).map(blockHtml).join('\n'),
    chartsHeading: 'Appendix: charts',
    charts: reportCharts(bundle, { byStage: bundle.byProcedure.length <= 1 }),
  });
}

/** A table in the PDF: one line per row, "Row: column heading value; ..." (readable at any width). */
function tableLines(block: Extract<PaperBlock, { kind: 'table' }>): string[] {
  return block.rows.map((row) => {
    const [label, ...values] = row;
    const named = values.map((value, i) => {
      const heading = block.head[i + 1] ?? '';
      return heading ? `${heading}: ${value}` : value;
    });
    return `${label ? `${label} - ` : ''}${named.join('; ')}`;
  });
}

function pdfBlocks(blocks: readonly PaperBlock[]): DocumentBlock[] {
  return blocks.flatMap((block): DocumentBlock[] => {
    switch (block.kind) {
      case 'heading':
        return block.level === 1 ? [] : [{ kind: 'heading', text: plainText(block.text) }];
      case 'paragraph':
        return [{ kind: 'paragraph', text: plainText(block.text) }];
      case 'lines':
        return [{ kind: 'paragraph', text: block.lines.map(plainText).join('\n') }];
      case 'list':
        return [{ kind: 'paragraph', text: block.items.map((item) => `- ${plainText(item)}`).join('\n') }];
      case 'table':
        return [{ kind: 'paragraph', text: tableLines(block).map(plainText).join('\n') }];
    }
  });
}

/** The committee paper as an A4 PDF (documents/pdf.ts): the council's name and logo at the head, the same text. */
export async function renderCommitteePaperPdf(
  bundle: AnnualReportBundle,
  front: CommitteePaperFrontMatter,
  header: Omit<DocumentHeader, 'organisationName'> = {},
): Promise<Uint8Array> {
  return renderA4({
    header: { organisationName: front.council, ...header },
    title: `${front.council}: ${paperSubject(bundle)}`,
    ...(front.reportNumber ? { dateLine: `Report no ${front.reportNumber}` } : {}),
    blocks: pdfBlocks(paperBlocks(renderCommitteePaperMarkdown(bundle, front))),
    createdAt: new Date(`${front.date}T12:00:00Z`),
  });
}
