import { stringify } from 'csv-stringify/sync';
import { complaintsAtPeriodEnd, standing, type ComplimentRecord, type ReportPeriod } from '../domain/annual-report';
import type { TimelineEntry } from '../domain/complaint';
import { procedureKey } from '../domain/procedure';
import { spsoClosures } from '../domain/spso-indicators';
import type { Register } from '../register';
import { complimentRecords } from '../register';

// CSV exports for the Ombudsman's returns and councillors' questions: the register's complaints received in a
// period (one row per complaint per stage, as they stood at its end) and the compliments received in it. No
// complainant's name, address or summary: figures and dates only. Quoting by csv-stringify (RFC 4180: a field
// with a comma, quote or line break is quoted, quotes doubled); a header row names the columns.

export const exportKinds = ['complaints', 'compliments'] as const;
export type ExportKind = (typeof exportKinds)[number];

const complaintColumns = [
  'ref',
  'received_at',
  'procedure',
  'service_area',
  'category',
  'channel',
  'serious',
  'stage_number',
  'stage',
  'stage_name',
  'stage_started_at',
  'acknowledgement_due_at',
  'acknowledged_at',
  'response_due_at',
  'extensions',
  'responded_at',
  'outcome',
  'response_on_time',
  'ombudsman_bucket',
  'working_days_taken',
  'within_timescale',
  'root_causes',
  'escalated_at',
  'standing_at_period_end',
] as const;

type Row = Record<(typeof complaintColumns)[number], string | number | boolean | undefined>;

/** One row per complaint per stage, for the complaints received in the period, as they stood at its end. */
export function complaintsCsv(timelines: readonly (readonly TimelineEntry[])[], period: ReportPeriod): string {
  // The Ombudsman's figures of each concluded stage, by the one rule (domain/spso-indicators.ts).
  const closures = new Map(
    spsoClosures(timelines, period).map((closure) => [`${closure.ref}@${closure.concludedAt}`, closure]),
  );
  const rows: Row[] = [];
  for (const state of complaintsAtPeriodEnd(timelines, period)) {
    state.stages.forEach((record, index) => {
      const closure = record.response.metAt ? closures.get(`${state.ref}@${record.response.metAt}`) : undefined;
      rows.push({
        ref: state.ref,
        received_at: state.receivedAt,
        procedure: procedureKey(state.procedure),
        service_area: state.details.serviceArea,
        category: state.details.category,
        channel: state.details.channel,
        serious: state.details.serious,
        stage_number: index + 1,
        stage: record.stage,
        stage_name: record.name,
        stage_started_at: record.startedAt,
        acknowledgement_due_at: record.acknowledgement?.dueAt,
        acknowledged_at: record.acknowledgement?.metAt,
        response_due_at: record.response.dueAt,
        extensions: record.response.extensions.length,
        responded_at: record.response.metAt,
        outcome: record.response.outcome,
        response_on_time: record.response.onTime,
        ombudsman_bucket: closure?.bucket,
        working_days_taken: closure?.workingDays,
        within_timescale: closure?.withinTimescale,
        root_causes: (record.response.rootCauses ?? []).join(';'),
        escalated_at: record.escalatedAt,
        standing_at_period_end: standing(state),
      });
    });
  }
  return stringify(rows, { header: true, columns: [...complaintColumns], cast: { boolean: (value) => String(value) } });
}

/** The compliments received in the period, one row each. */
export function complimentsCsv(compliments: readonly ComplimentRecord[]): string {
  return stringify(
    compliments.map((compliment) => ({
      id: compliment.id,
      received_at: compliment.receivedAt,
      service_area: compliment.serviceArea,
      team: compliment.team,
      summary: compliment.summary,
    })),
    { header: true, columns: ['id', 'received_at', 'service_area', 'team', 'summary'] },
  );
}

/** The export of `kind` for the period, read from the register. */
export async function exportCsv(register: Register, kind: ExportKind, period: ReportPeriod): Promise<string> {
  if (kind === 'compliments') return complimentsCsv(complimentRecords(await register.compliments(period)));
  return complaintsCsv(await register.timelinesOfComplaintsReceived(period), period);
}
