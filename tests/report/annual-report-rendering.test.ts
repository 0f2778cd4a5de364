import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComplaintEvent } from '../../domain/complaint';
import { getProcedure } from '../../domain/procedures';
import { openPgliteInMemory, registerOver, type Register } from '../../register';
import { recordEvents } from '../support/test-register';
import { buildAnnualReport, previousPeriod, resolvePeriod } from '../../report/annual';
import { renderHtml } from '../../report/html';
import { renderMarkdown } from '../../report/markdown';
import { defaultPaperSettings, renderCommitteePaperMarkdown } from '../../report/committee-paper';
import { defaultStaffDirectory } from '../../notifications/staff-directory';
import { serviceAreaWords } from '../../domain/words';

// The report read from the register and written for a committee: the previous period alongside when the register
// has complaints in it, the SPSO indicators when complaints ran under that procedure, charts in the HTML.

const actor = { id: 'officer' };
let register: Register;

const record = (ref: string, procedureId: string, receivedAt: string, events: Array<[number, ComplaintEvent]>) =>
  recordEvents(register, { ref, procedureId, receivedAt }, events);

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
        rootCauses: ['delay', 'communication'],
        learned: 'Officers now phone back | the same day',
      },
    ],
  ]);
  // 2014 under the 2011 procedure only, 2015 under the model procedure only: the comparison's rows differ.
  await record('R-2014-1', 'dundee-swd-2011', '2014-03-03T09:00:00Z', [
    [1, { type: 'acknowledged', stage: 'level-1' }],
    [9, { type: 'outcome-recorded', stage: 'level-1', outcome: 'upheld' }],
  ]);
  await record('R-2014-2', 'dundee-swd-2011', '2014-05-05T09:00:00Z', []);
  await record('R-2015-1', 'spso-mchp', '2015-06-01T09:00:00Z', [
    [2, { type: 'outcome-recorded', stage: 'stage-1', outcome: 'resolved' }],
  ]);
  await register.recordCompliment(
    { serviceArea: 'general', team: 'welfare rights', receivedAt: '2011-03-03', summary: 'Letter of thanks' },
    actor,
    new Date(),
  );
});

afterAll(async () => {
  await register?.close();
});

/** The figures table's rows as cells: ['', label, this period, previous period, ''] (the figures table only). */
function figureRows(markdown: string): string[][] {
  const table = markdown.slice(markdown.indexOf('| | This period | Previous period |'));
  return table
    .slice(0, table.search(/\n\n|$/))
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| | '))
    .map((line) => line.split('|').map((cell) => cell.trim()));
}

/** Both columns: every breakdown of the complaints received (stage, service area, category, outcome) adds up to it. */
function expectColumnsAddUp(rows: string[][], received: [string, string]): void {
  const totals = rows.find((cells) => cells[1] === 'Complaints received')!;
  expect([totals[2], totals[3]]).toEqual(received);
  const serviceAreas = new Set(Object.values(serviceAreaWords).map((words) => `— ${words.title}`));
  const column = (pick: (label: string) => boolean, index: 2 | 3) =>
    rows.filter((cells) => pick(cells[1]!)).reduce((sum, cells) => sum + Number(cells[index]), 0);
  for (const index of [2, 3] as const) {
    const total = Number(totals[index]);
    expect(column((label) => label.endsWith('(highest stage reached)'), index)).toBe(total);
    expect(column((label) => serviceAreas.has(label), index)).toBe(total);
    expect(column((label) => label.startsWith('— about '), index)).toBe(total);
    expect(column((label) => label.startsWith('Outcome: '), index)).toBe(total);
  }
}

describe('periods', () => {
  it('dates are whole London days, `to` inclusive; the previous period of whole months is the same months before', () => {
    expect(resolvePeriod('2011-01-01', '2011-12-31')).toEqual({
      from: '2011-01-01T00:00:00.000Z',
      to: '2012-01-01T00:00:00.000Z',
    });
    expect(resolvePeriod('2011-06-01', '2011-06-30')).toEqual({
      from: '2011-05-31T23:00:00.000Z',
      to: '2011-06-30T23:00:00.000Z',
    });
    expect(previousPeriod(resolvePeriod('2013-01-01', '2013-12-31'))).toEqual(
      resolvePeriod('2012-01-01', '2012-12-31'),
    );
    expect(previousPeriod({ from: '2011-01-10T12:00:00.000Z', to: '2011-01-20T12:00:00.000Z' })).toEqual({
      from: '2010-12-31T12:00:00.000Z',
      to: '2011-01-10T12:00:00.000Z',
    });
    expect(() => resolvePeriod('2011-12-31', '2011-01-01')).toThrow(/must end after it starts/);
  });
});

describe('rendered report', () => {
  it('compares with the previous period when there is one, and adds the SPSO indicators', async () => {
    const bundle = await buildAnnualReport(register, resolvePeriod('2011-01-01', '2011-12-31'), {
      procedures: [{ id: 'dundee-swd-2011', version: 1 }],
      population: 150_000,
    });
    expect(bundle.report.total).toBe(2);
    expect(bundle.previous?.report.total).toBe(1);
    expect(bundle.spso?.procedures.map((entry) => entry.year.closures['stage-1'])).toEqual([1]);
    expect(bundle.byMonth).toHaveLength(12);
    expect(bundle.byMonth.find((m) => m.month === '2011-02')?.received).toBe(1);

    const md = renderMarkdown(bundle);
    expect(md).toContain('were recorded in the 2011 calendar year');
    expect(md).toContain('The figures for 2010 were 1 complaint, 1 Level 1.');
    expect(md).toContain('| | This period | Previous period |');
    expect(md).toContain("## The Ombudsman's complaints performance indicators");
    expect(md).toContain('### SPSO model complaints handling procedure (two stages), version 1');
    expect(md).not.toMatch(/spso-mchp|dundee-swd/);
    expect(md).toContain('## Learning from complaints');
    expect(md).toContain('At least one root cause was recorded for 1 of the 2 outcomes given in the period.');
    expect(md).toContain('| Root cause | Criminal Justice Services |');
    expect(md).toContain('| Delay | 1 |');
    expect(md).toContain(
      '- **You said** (Criminal Justice Services, about staff attitude): **we did:** Officers now phone back | the same day',
    );
    expect(md).toContain('1 written compliment about services in the 2011 calendar year: 1 about general social work.');

    const html = renderHtml(bundle);
    for (const chart of [
      'Complaints by service area',
      'Complaints received by month',
      'Where complaints stand at the end of the period',
      'Targets met',
    ]) {
      expect(html).toContain(`<title>${chart}</title>`);
    }
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  });

  it('shows every row either period has, so that each column of the comparison adds up', async () => {
    const bundle = await buildAnnualReport(register, resolvePeriod('2015-01-01', '2015-12-31'));
    expect(bundle.previous?.report.total).toBe(2);
    const rows = figureRows(renderMarkdown(bundle));
    expectColumnsAddUp(rows, ['1', '2']);
    // The previous period's Level 1 row is there, with 0 this period.
    expect(rows.find((cells) => cells[1] === '— at Level 1 (highest stage reached)')?.slice(2, 4)).toEqual(['0', '2']);
  });

  it("in the committee paper, each procedure's section compares with its own complaints of the period before", async () => {
    const bundle = await buildAnnualReport(register, resolvePeriod('2015-01-01', '2015-12-31'));
    const paper = renderCommitteePaperMarkdown(bundle, defaultPaperSettings().frontMatter('2016-01-11'));
    const sections = paper.split(/^#### Figures: /m).slice(1);
    expect(sections.map((section) => section.split('\n')[0])).toEqual([
      'SPSO model complaints handling procedure (two stages)',
      'Social Work complaints procedure (2011, four stages)',
    ]);
    // The model procedure had 1 complaint in 2015 and none in 2014; the 2011 procedure none in 2015 and 2 in 2014.
    expectColumnsAddUp(figureRows(sections[0]!.split('\n\n')[1]!), ['1', '0']);
    expectColumnsAddUp(figureRows(sections[1]!.split('\n\n')[1]!), ['0', '2']);
  });

  it('says so when there is nothing to report, with no comparison', async () => {
    const bundle = await buildAnnualReport(register, resolvePeriod('2005-01-01', '2005-12-31'));
    expect(bundle.previous).toBeUndefined();
    expect(bundle.spso).toBeUndefined();
    const md = renderMarkdown(bundle);
    expect(md).toContain('No complaints were recorded in the 2005 calendar year.');
    expect(md).toContain('No written compliments were recorded centrally in the 2005 calendar year.');
  });
});

describe('the words', () => {
  it('one wording per service area in the report and the staff directory; appeal names from the procedure data', async () => {
    const bundle = await buildAnnualReport(register, resolvePeriod('2011-01-01', '2011-12-31'), {
      procedures: [{ id: 'dundee-swd-2011', version: 1 }],
    });
    const md = renderMarkdown(bundle);
    // R-2011-1 and R-2011-2 are criminal justice complaints.
    expect(md).toContain(`| — ${serviceAreaWords['criminal-justice'].title} | 2 |`);
    const directory = defaultStaffDirectory();
    for (const [area, words] of Object.entries(serviceAreaWords))
      expect(directory.serviceAreas[area as keyof typeof serviceAreaWords]?.name).toBe(
        `${words.title} complaints team`,
      );
    const dundee = getProcedure({ id: 'dundee-swd-2011', version: 1 });
    const committee = dundee.stages.find((stage) => stage.id === 'committee')!.name;
    expect(md).toContain(`| ${committee} hearings | 0 |`);
    expect(md).toContain(`| Referrals to the ${dundee.ombudsman.name} | 0 |`);
    expect(md).toContain(`No complaint went to the ${committee} or the ${dundee.ombudsman.name} during`);
  });
});
