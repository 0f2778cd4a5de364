import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComplaintEvent } from '../../domain/complaint';
import { configSchema } from '../../platform/config';
import { openPgliteInMemory, registerOver, type Register } from '../../register';
import { recordEvents } from '../support/test-register';
import { buildAnnualReport, resolvePeriod, type AnnualReportBundle } from '../../report/annual';
import {
  paperBlocks,
  paperSettingsFrom,
  renderCommitteePaperHtml,
  renderCommitteePaperMarkdown,
  renderCommitteePaperPdf,
  type CommitteePaperFrontMatter,
} from '../../report/committee-paper';
import { pdfText } from '../support/pdf-text';

// The annual report as the committee paper of shared/seed/: the front matter from configuration, the numbered
// sections, one section per procedure (never one list of both), the same text as Markdown, HTML and PDF.

const actor = { id: 'officer' };
let register: Register;
let bundle: AnnualReportBundle;
let front: CommitteePaperFrontMatter;

/** A complaint of the paper's register (children's services, or community care under the Ombudsman's procedure). */
const record = (ref: string, procedureId: string, receivedAt: string, events: Array<[number, ComplaintEvent]>) =>
  recordEvents(
    register,
    {
      ref,
      procedureId,
      receivedAt,
      details: {
        complainant: { name: 'Pat Quinn' },
        serviceArea: procedureId === 'spso-mchp' ? 'community-care' : 'childrens-services',
        category: 'delay',
        summary: 'private summary',
      },
    },
    events,
  );

beforeAll(async () => {
  register = await registerOver(await openPgliteInMemory());
  await record('R-2010-1', 'dundee-swd-2011', '2010-05-04T09:00:00Z', [
    [1, { type: 'acknowledged', stage: 'level-1' }],
    [20, { type: 'outcome-recorded', stage: 'level-1', outcome: 'upheld' }],
  ]);
  await record('R-2011-1', 'dundee-swd-2011', '2011-02-04T09:00:00Z', [
    [1, { type: 'acknowledged', stage: 'level-1' }],
    [10, { type: 'outcome-recorded', stage: 'level-1', outcome: 'not-upheld' }],
  ]);
  await record('R-2011-2', 'spso-mchp', '2011-06-06T09:00:00Z', [
    [
      2,
      {
        type: 'outcome-recorded',
        stage: 'stage-1',
        outcome: 'resolved',
        rootCauses: ['delay'],
        learned: 'Officers now phone back the same day',
      },
    ],
  ]);
  await register.recordCompliment(
    { serviceArea: 'general', team: 'welfare rights', receivedAt: '2011-03-03', summary: 'Letter of thanks' },
    actor,
    new Date(),
  );
  bundle = await buildAnnualReport(register, resolvePeriod('2011-01-01', '2011-12-31'), {
    procedures: [{ id: 'dundee-swd-2011', version: 1 }],
  });
  const config = configSchema.parse({
    COUNCIL_NAME: 'Angus Council',
    PAPER_COMMITTEE: 'Scrutiny and Audit Committee',
    PAPER_MEETING_DATE: '2012-04-23',
    PAPER_REPORT_NUMBER: '163-2012',
    PAPER_REPORT_BY: 'Director of Social Work',
    PAPER_AUTHOR: 'Alan G Baird',
    PAPER_FINANCIAL_IMPLICATIONS: 'There are no financial implications.',
  });
  front = paperSettingsFrom(config).frontMatter('2012-04-11');
});

afterAll(async () => {
  await register?.close();
});

describe('the committee paper', () => {
  it('has the front matter from configuration and the sections of the 2012 paper, in order', () => {
    const md = renderCommitteePaperMarkdown(bundle, front);
    expect(md.startsWith('# Angus Council\n')).toBe(true);
    expect(md).toContain('**Report to:** Scrutiny and Audit Committee - 23 April 2012  \n');
    expect(md).toContain('**Report on:** Complaints and compliments report 2011  \n');
    expect(md).toContain('**Report by:** Director of Social Work  \n**Report no:** 163-2012');
    expect(md).toContain('It is recommended that the Scrutiny and Audit Committee:');
    expect(md).toContain('## 3.0 Financial implications\n\nThere are no financial implications.');
    expect(md).toMatch(/Alan G Baird {2}\nDirector of Social Work\n\nDATE: 11 April 2012\n$/);
    const headings = paperBlocks(md)
      .filter((block) => block.kind === 'heading' && block.level === 2)
      .map((block) => (block.kind === 'heading' ? block.text : ''));
    expect(headings).toEqual([
      '1.0 Purpose of report',
      '2.0 Recommendations',
      '3.0 Financial implications',
      '4.0 Main text',
      '5.0 Policy implications',
      '6.0 Consultations',
      '7.0 Background papers',
    ]);
  });

  it('gives two procedures two sections, each counting only its own complaints', () => {
    const md = renderCommitteePaperMarkdown(bundle, front);
    const sections = md.split(/^### /m).slice(1);
    const fourStage = sections.find((s) => s.startsWith('4.1 Complaints under the Social Work complaints procedure'));
    const model = sections.find((s) =>
      s.startsWith('4.2 Complaints under the SPSO model complaints handling procedure'),
    );
    expect(fourStage).toBeDefined();
    expect(model).toBeDefined();
    expect(fourStage).toContain('A total of 1 complaint, 1 Level 1, were recorded in the 2011 calendar year.');
    expect(fourStage).toContain('The figures for 2010 were 1 complaint, 1 Level 1.');
    expect(fourStage).not.toMatch(/Stage 1|Community Care/);
    expect(model).toContain('A total of 1 complaint, 1 Stage 1');
    expect(model).not.toMatch(/Level 1|Children/);
    // The four-stage procedure's hearings by its Complaints Review Committee; the model procedure has none.
    expect(fourStage).toContain('| Complaints Review Committee hearings | 0 |');
    expect(model).not.toMatch(/hearings/i);
    // The Ombudsman's indicators, learning and compliments follow as their own numbered sections.
    expect(sections.map((s) => s.split('\n')[0])).toEqual(
      expect.arrayContaining([
        "4.3 The Ombudsman's complaints performance indicators",
        '4.4 Learning from complaints',
        '4.5 Compliments',
      ]),
    );
    expect(md).toContain('Officers now phone back the same day');
    expect(md).not.toMatch(/Pat Quinn|private summary/);
    // The paper's figures are the report's: the whole period's figures are unchanged.
    expect(bundle.report.total).toBe(2);
    expect(bundle.byProcedure.map((entry) => entry.report.total)).toEqual([1, 1]);
  });

  it('as HTML: the front matter on lines of its own, headings, tables and the charts', () => {
    const html = renderCommitteePaperHtml(bundle, front);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<strong>Report to:</strong> Scrutiny and Audit Committee - 23 April 2012<br>');
    expect(html).toContain('<h3>4.1 Complaints under the Social Work complaints procedure');
    expect(html).toContain('<h2>5.0 Policy implications</h2>');
    expect(html).toMatch(/<table>\n<thead><tr><th scope="col"><\/th><th scope="col">This period<\/th>/);
    expect(html.match(/<svg /g)?.length).toBeGreaterThanOrEqual(4);
    expect(html).not.toContain('**');
  });

  it('as PDF: the text read back has the council, the front matter, the sections and the tables', async () => {
    const { text, pages } = await pdfText(await renderCommitteePaperPdf(bundle, front));
    expect(pages.length).toBeGreaterThanOrEqual(2);
    for (const expected of [
      'Angus Council',
      'Report no 163-2012',
      'Report to: Scrutiny and Audit Committee - 23 April 2012',
      '1.0 Purpose of report',
      '4.1 Complaints under the Social Work complaints procedure',
      'Complaints received - This period: 1; Previous period: 1',
      '7.0 Background papers',
      'DATE: 11 April 2012',
    ])
      expect(text.replace(/\s+/g, ' ')).toContain(expected);
    expect(text).not.toContain('**');
  });
});
