import { hearingStage, type AnnualReport, type TargetsMet } from '../domain/annual-report';
import {
  spsoBuckets,
  type SpsoBucket,
  type SpsoIndicators,
  type SpsoProcedureIndicators,
} from '../domain/spso-indicators';
import type { Procedure } from '../domain/procedure';
import { listProcedures } from '../domain/procedures';
import { categoryWords, keysOf, serviceAreaWords, standingWords, type Words } from '../domain/words';
import { periodDates, type AnnualReportBundle } from './annual';
import { rootCauseTitle } from '../domain/root-causes';

// The annual report as a committee would read it: paragraphs in the manner of section 4.10–4.11 of the 2011
// Customer Care Officer Report, the figures in tables, and the previous period alongside when there is one.

/** A stage's name from the procedure data ("level-2" → "Level 2"): the report's procedures first, then any. */
export function stageLabel(stageId: string, procedures: readonly Procedure[] = []): string {
  for (const procedure of [...procedures, ...listProcedures()]) {
    const stage = procedure.stages.find((candidate) => candidate.id === stageId);
    if (stage) return stage.name;
  }
  return stageId;
}

/** A standing's words, for a key of the report's `outcomes` (any other key as it is). */
export function standingLabel(key: string): string {
  return (standingWords as Record<string, Words | undefined>)[key]?.phrase ?? key;
}

/** The Ombudsman and the hearing stage (e.g. the Complaints Review Committee) of the report's procedures. */
export function appealNames(procedures: readonly Procedure[]): { ombudsman: string; hearing: string | undefined } {
  const unique = (names: Array<string | undefined>) => [...new Set(names.filter((name) => name !== undefined))];
  const hearings = unique(procedures.map((procedure) => hearingStage(procedure)))
    .map((stage) => stageLabel(stage, procedures))
    .filter((name, i, names) => names.indexOf(name) === i);
  return {
    ombudsman: list(unique(procedures.map((procedure) => procedure.ombudsman.name))),
    hearing: hearings.length > 0 ? list(hearings) : undefined,
  };
}

const LONG_DATE = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});

export function longDate(isoDate: string): string {
  return LONG_DATE.format(new Date(`${isoDate}T12:00:00Z`));
}

const LONDON_TIME = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** Whether the period runs from a London midnight to a London midnight (whole days). */
function wholeDays(period: AnnualReportBundle['period']): boolean {
  return [period.from, period.to].every((instant) => LONDON_TIME.format(new Date(instant)) === '00:00');
}

export function periodLabel(bundlePeriod: AnnualReportBundle['period']): string {
  const { first, last } = periodDates(bundlePeriod);
  if (
    wholeDays(bundlePeriod) &&
    first.endsWith('-01-01') &&
    last.endsWith('-12-31') &&
    first.slice(0, 4) === last.slice(0, 4)
  )
    return `the ${first.slice(0, 4)} calendar year`;
  return `the period ${longDate(first)} to ${longDate(last)}`;
}

/** "1 January 2011 to 31 December 2011", with London times when the period does not run midnight to midnight. */
export function periodSpan(period: AnnualReportBundle['period']): string {
  if (wholeDays(period)) {
    const { first, last } = periodDates(period);
    return `${longDate(first)} to ${longDate(last)}`;
  }
  const at = (instant: string) =>
    `${longDate(periodDates({ from: instant, to: new Date(Date.parse(instant) + 1).toISOString() }).first)} ${LONDON_TIME.format(new Date(instant))}`;
  return `${at(period.from)} to ${at(period.to)} (London time, the end excluded)`;
}

const pct = (value: number | null) => (value === null ? 'n/a' : `${value}%`);
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** "a, b and c" */
function list(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function entries<K extends string>(counts: Partial<Record<K, number>>): Array<[K, number]> {
  return (Object.entries(counts) as Array<[K, number]>).filter(([, n]) => n > 0);
}

function levelsSentence(report: AnnualReport, procedures: readonly Procedure[]): string {
  return list(entries(report.byLevel).map(([stage, n]) => `${n} ${stageLabel(stage, procedures)}`));
}

/** "98.3% (59 of 60)" */
export function targetsText(t: TargetsMet): string {
  return `${pct(t.percent)} (${t.met} of ${t.of})`;
}

function topCategories(report: AnnualReport): string[] {
  const sorted = entries(report.byCategory).sort((a, b) => b[1] - a[1]);
  const top = sorted[0]?.[1] ?? 0;
  const second = sorted[1]?.[1] ?? 0;
  // The highest, and the next when it is close (as the 2011 report names two).
  return sorted
    .filter(([, n]) => n === top || (n === second && second >= top * 0.75))
    .slice(0, 2)
    .map(([category]) => categoryWords[category].phrase);
}

export function renderMarkdown(bundle: AnnualReportBundle, options: { title?: string } = {}): string {
  const { report, procedures } = bundle;
  const period = periodLabel(bundle.period);
  const appeal = appealNames(procedures);
  const lines: string[] = [];
  lines.push(`# ${options.title ?? 'Social Work complaints and compliments: annual report'}`, '');
  lines.push(
    `Period: ${periodSpan(bundle.period)}. Complaints received in the period, as they stood at its end; compliments received in it.`,
    '',
  );

  lines.push('## Complaints', '', ...complaintsParagraphs(bundle, period, appeal));
  lines.push('### Figures', '', ...figuresTable(bundle, appeal), '');
  if (bundle.spso) lines.push(...spsoSection(bundle.spso));
  lines.push(...learningSection(bundle));
  lines.push('## Compliments', '', complimentsParagraph(report, period), '');
  return `${lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}

/** The committee's paragraphs on the complaints, in the manner of the 2011 report. */
export function complaintsParagraphs(
  bundle: Pick<AnnualReportBundle, 'report' | 'previous' | 'procedures'>,
  period: string,
  appeal: ReturnType<typeof appealNames>,
): string[] {
  const { report, previous, procedures } = bundle;
  const lines: string[] = [];
  if (report.total === 0) return [`No complaints were recorded in ${period}.`, ''];
  const areas = list(entries(report.byServiceArea).map(([area, n]) => `${n} ${serviceAreaWords[area].phrase}`));
  const partial = report.outcomes['partially-upheld'] ?? 0;
  const outcomesSentence =
    `Of these ${report.total} complaints, ${report.outcomes.upheld ?? 0} (${pct(report.upheldPercent)}) were upheld` +
    (partial > 0 ? `, ${partial} partially upheld` : '') +
    ` whereas ${report.outcomes['not-upheld'] ?? 0} (${pct(report.notUpheldPercent)}) were not upheld.`;
  const ongoing = report.outcomes.ongoing ?? 0;
  const withdrawn = report.outcomes.withdrawn ?? 0;
  const resolved = report.outcomes.resolved ?? 0;
  const rest = [
    ongoing > 0
      ? `Investigations on ${plural(ongoing, 'complaint')} are still ongoing.`
      : 'No investigation is still ongoing.',
    resolved > 0 ? `${plural(resolved, 'complaint was', 'complaints were')} resolved.` : '',
    withdrawn > 0 ? `${plural(withdrawn, 'complaint was', 'complaints were')} withdrawn.` : '',
  ].filter(Boolean);
  const top = topCategories(report);
  lines.push(
    `A total of ${plural(report.total, 'complaint')}, ${levelsSentence(report, procedures)}, were recorded in ${period}. ` +
      `These include ${areas} complaints. ${outcomesSentence} ${rest.join(' ')}` +
      (top.length ? ` The highest numbers of complaints feature ${list(top).replace(/ and /, ' or ')}.` : ''),
    '',
  );
  if (previous) {
    lines.push(
      `The figures for ${periodLabel(previous.period).replace(/^the (\d{4}) calendar year$/, '$1')} were ${plural(previous.report.total, 'complaint')}, ${levelsSentence(previous.report, procedures) || 'none at any level'}.`,
      '',
    );
  }
  const was = (current: number | null, before: number | null | undefined) =>
    previous && before !== undefined ? `${pct(current)} (${pct(before)} the previous period)` : pct(current);
  lines.push(
    `Acknowledgement targets were achieved in ${was(report.acknowledgedOnTime.percent, previous?.report.acknowledgedOnTime.percent)} of cases and ` +
      `completion targets (set by procedures or agreed with the complainant) in ${was(report.completedOnTime.percent, previous?.report.completedOnTime.percent)} of cases. ` +
      (report.extensions > 0
        ? `Timescales were extended by mutual agreement in ${plural(report.extensions, 'case')}.`
        : 'No timescale was extended.'),
    '',
  );
  const hearings = report.committeeHearings;
  const referrals = report.spsoReferrals;
  lines.push(
    hearings === 0 && referrals === 0
      ? appeal.hearing
        ? `No complaint went to the ${appeal.hearing} or the ${appeal.ombudsman} during ${period}.`
        : `No complaint was referred to the ${appeal.ombudsman} during ${period}.`
      : `${appeal.hearing ? `${plural(hearings, 'complaint went', 'complaints went')} to the ${appeal.hearing} and ` : ''}${plural(referrals, 'complaint was', 'complaints were')} referred to the ${appeal.ombudsman} during ${period}.`,
    '',
  );
  return lines;
}

/** The figures table, with the previous period alongside when there is one. */
export function figuresTable(
  bundle: Pick<AnnualReportBundle, 'report' | 'previous' | 'procedures'>,
  appeal: ReturnType<typeof appealNames>,
  options: { compliments?: boolean } = {},
): string[] {
  const { report, previous, procedures } = bundle;
  const lines: string[] = [];
  const header = previous ? '| | This period | Previous period |\n|---|---:|---:|' : '| | This period |\n|---|---:|';
  const row = (label: string, current: string | number, before?: string | number) =>
    previous ? `| ${label} | ${current} | ${before ?? ''} |` : `| ${label} | ${current} |`;
  const p = previous?.report;
  lines.push(header);
  lines.push(row('Complaints received', report.total, p?.total));
  // Every row either period has, so that each column adds up (a stage or outcome of the previous period's
  // procedures only is a row with 0 this period, and the other way round).
  for (const stage of unionKeys(report.byLevel, p?.byLevel))
    lines.push(
      row(
        `— at ${stageLabel(stage, procedures)} (highest stage reached)`,
        report.byLevel[stage] ?? 0,
        p?.byLevel[stage] ?? 0,
      ),
    );
  for (const area of keysOf(serviceAreaWords)) {
    if (report.byServiceArea[area] || p?.byServiceArea[area])
      lines.push(
        row(`— ${serviceAreaWords[area].title}`, report.byServiceArea[area] ?? 0, p?.byServiceArea[area] ?? 0),
      );
  }
  for (const category of keysOf(categoryWords)) {
    if (report.byCategory[category] || p?.byCategory[category])
      lines.push(
        row(
          `— about ${categoryWords[category].phrase}`,
          report.byCategory[category] ?? 0,
          p?.byCategory[category] ?? 0,
        ),
      );
  }
  for (const key of unionKeys(report.outcomes, p?.outcomes))
    lines.push(row(`Outcome: ${standingLabel(key)}`, report.outcomes[key] ?? 0, p?.outcomes[key] ?? 0));
  lines.push(row('Upheld (of concluded)', pct(report.upheldPercent), p ? pct(p.upheldPercent) : undefined));
  lines.push(row('Not upheld (of concluded)', pct(report.notUpheldPercent), p ? pct(p.notUpheldPercent) : undefined));
  lines.push(
    row(
      'Acknowledged on time',
      targetsText(report.acknowledgedOnTime),
      p ? targetsText(p.acknowledgedOnTime) : undefined,
    ),
  );
  lines.push(
    row('Completed on time', targetsText(report.completedOnTime), p ? targetsText(p.completedOnTime) : undefined),
  );
  lines.push(row('Extensions agreed', report.extensions, p?.extensions));
  // A hearings row only where a procedure has a hearing stage (or a period had hearings): none under the model ones.
  if (appeal.hearing || report.committeeHearings || p?.committeeHearings)
    lines.push(row(`${appeal.hearing ?? 'Review'} hearings`, report.committeeHearings, p?.committeeHearings));
  lines.push(row(`Referrals to the ${appeal.ombudsman}`, report.spsoReferrals, p?.spsoReferrals));
  if (options.compliments !== false) lines.push(row('Written compliments', report.compliments, p?.compliments));
  return lines;
}

/** Learning from complaints: root causes by service area, and "You said, we did" fit to publish. */
export function learningSection(bundle: AnnualReportBundle): string[] {
  const { learning, rootCauses } = bundle;
  const lines = ['## Learning from complaints', ''];
  lines.push(
    learning.outcomes === 0
      ? 'No outcome was given in the period.'
      : `At least one root cause was recorded for ${learning.withRootCause} of the ${plural(learning.outcomes, 'outcome')} given in the period.`,
    '',
  );
  const actions = learning.improvementActions;
  lines.push(
    `Improvement actions agreed in the period: ${actions.agreed}; completed by its end: ${actions.completed}; overdue at its end: ${actions.overdue}.`,
    '',
  );
  const areas = keysOf(serviceAreaWords).filter((area) => learning.rootCausesByServiceArea[area]);
  if (areas.length > 0) {
    const codes = [...new Set(areas.flatMap((area) => Object.keys(learning.rootCausesByServiceArea[area] ?? {})))];
    lines.push(`| Root cause | ${areas.map((area) => serviceAreaWords[area].title).join(' | ')} |`);
    lines.push(`|---|${areas.map(() => '---:').join('|')}|`);
    for (const code of codes)
      lines.push(
        `| ${rootCauseTitle(code, rootCauses)} | ${areas.map((area) => learning.rootCausesByServiceArea[area]?.[code] ?? 0).join(' | ')} |`,
      );
    lines.push('');
  }
  if (learning.youSaidWeDid.length > 0) {
    lines.push('### You said, we did', '');
    for (const item of learning.youSaidWeDid)
      lines.push(
        `- **You said** (${serviceAreaWords[item.serviceArea].phrase}, about ${categoryWords[item.category].phrase}): **we did:** ${item.learned.replace(/\s+/g, ' ')}`,
      );
    lines.push('');
  }
  return lines;
}

/** The keys of both, in the current period's order, then the previous period's others. */
function unionKeys(current: Record<string, number>, previous: Record<string, number> | undefined): string[] {
  return [...new Set([...Object.keys(current), ...Object.keys(previous ?? {})])];
}

export function complimentsParagraph(report: AnnualReport, period: string): string {
  const byArea = entries(report.complimentsByServiceArea).map(
    ([area, n]) => `${n} about ${serviceAreaWords[area].phrase}`,
  );
  return report.compliments === 0
    ? `No written compliments were recorded centrally in ${period}.`
    : `The Department has recorded centrally ${plural(report.compliments, 'written compliment')} about services in ${period}: ${list(byArea)}. ` +
        'There are probably many more not recorded. These written compliments give the Director an opportunity to respond to the individual or team involved.';
}

const SPSO_BUCKET_TITLES: Record<SpsoBucket, string> = {
  'stage-1': 'Stage 1',
  'stage-2': 'Stage 2 (direct)',
  escalated: 'Stage 2 after escalation',
};

/** One procedure version's indicators: the period's figures by bucket, then its quarters. */
function spsoProcedureLines(entry: SpsoProcedureIndicators, population: number | null): string[] {
  const { year, timescales } = entry;
  const cells = (cell: (bucket: SpsoBucket) => string | number) => spsoBuckets.map(cell).join(' | ');
  const outcomeKeys = [...new Set(spsoBuckets.flatMap((bucket) => Object.keys(year.outcomes[bucket])))];
  const perThousand =
    entry.receivedPerThousand !== null
      ? `, ${entry.receivedPerThousand} per 1,000 population (population ${population?.toLocaleString('en-GB')})`
      : ' (set POPULATION for the rate per 1,000 population)';
  return [
    // Its public name and version (a paper for councillors names no internal id).
    `### ${entry.procedure.name}, version ${entry.procedure.version}`,
    '',
    `${plural(year.received, 'complaint')} received under this procedure${perThousand}; ${plural(year.closures.total, 'closure')} ` +
      'counted over the stages concluded in the period. Working days are counted by the procedure’s rule from the ' +
      'start of the stage (for Stage 2 after escalation, from the escalation); extensions do not change the timescale figures.',
    '',
    `| | ${cells((bucket) => SPSO_BUCKET_TITLES[bucket])} |`,
    '|---|---:|---:|---:|',
    `| Closures (share of all) | ${cells((bucket) => `${year.closures[bucket]} (${pct(year.closureShare[bucket])})`)} |`,
    ...outcomeKeys.map((key) => `| — ${standingLabel(key)} | ${cells((bucket) => year.outcomes[bucket][key] ?? 0)} |`),
    `| Average working days | ${cells((bucket) => year.averageWorkingDays[bucket] ?? 'n/a')} |`,
    `| Closed within timescale | ${cells((bucket) => `${targetsText(year.withinTimescale[bucket])} within ${timescales[bucket]}`)} |`,
    `| Extensions authorised | ${cells((bucket) => `${year.extended[bucket].count} (${pct(year.extended[bucket].percent)})`)} |`,
    '',
    `Learning: ${year.learning.withRootCause} of ${plural(year.learning.closures, 'closure')} recorded at least one root cause; ${plural(year.learning.actionsAgreed, 'improvement action')} agreed, ${year.learning.actionsCompleted} completed.`,
    '',
    '| Quarter | Received | Closures | Stage 1 within timescale | Stage 2 within timescale | After escalation within timescale |',
    '|---|---:|---:|---:|---:|---:|',
    ...entry.quarters.map(
      (quarter) =>
        `| ${quarter.label} (${periodSpan(quarter)}) | ${quarter.figures.received} | ${quarter.figures.closures.total} | ` +
        `${cells((bucket) => targetsText(quarter.figures.withinTimescale[bucket]))} |`,
    ),
    '',
  ];
}

export function spsoSection(spso: SpsoIndicators): string[] {
  return [
    "## The Ombudsman's complaints performance indicators",
    '',
    'For each working-day procedure version, each complaint counted under its own.',
    '',
    ...spso.procedures.flatMap((entry) => spsoProcedureLines(entry, spso.population)),
  ];
}
