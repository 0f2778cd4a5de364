import { describe, expect, it } from 'vitest';
import { scottishPublicHolidays } from '../../domain/scottish-holidays';
import { complaintsCsv, complimentsCsv } from '../../report/exports';
import { complaintTimeline, type TimelineStep } from '../support/complaint-timelines';

// The CSV exports (report/exports.ts): one row per complaint per stage, the Ombudsman's figures of each concluded
// stage by the indicators' rule, and quoting that survives commas, quotes and line breaks.

const START = Date.parse('2031-04-01T09:00:00Z'); // Tuesday 1 April 2031, 10:00 London
const PERIOD = { from: '2031-03-31T23:00:00.000Z', to: '2032-03-31T23:00:00.000Z' };
const options = { start: START, procedure: 'spso-mchp-2020', holidays: scottishPublicHolidays(2030, 2033) };

describe('CSV exports', () => {
  it('writes one row per complaint per stage, with the working days of each concluded stage', () => {
    const steps: TimelineStep[] = [
      [1, { action: 'record-outcome', outcome: 'not-upheld', rootCauses: ['delay', 'communication'] }],
      [3, { action: 'request-escalation' }],
      [6, { action: 'acknowledge' }],
    ];
    const csv = complaintsCsv(
      [complaintTimeline('SP-1', 0, steps, options), complaintTimeline('SP-2', 2, [], options)],
      PERIOD,
    );
    const lines = csv.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    const header = lines[0]!.split(',');
    expect(header.slice(0, 3)).toEqual(['ref', 'received_at', 'procedure']);
    const cell = (line: number, column: string) => lines[line]!.split(',')[header.indexOf(column)];
    expect([cell(1, 'ref'), cell(1, 'stage'), cell(1, 'outcome'), cell(1, 'working_days_taken')]).toEqual([
      'SP-1',
      'stage-1',
      'not-upheld',
      '2',
    ]);
    expect([cell(1, 'within_timescale'), cell(1, 'root_causes'), cell(1, 'ombudsman_bucket')]).toEqual([
      'true',
      'delay;communication',
      'stage-1',
    ]);
    expect([cell(2, 'ref'), cell(2, 'stage_number'), cell(2, 'stage'), cell(2, 'outcome')]).toEqual([
      'SP-1',
      '2',
      'stage-2',
      '',
    ]);
    expect([cell(3, 'ref'), cell(3, 'standing_at_period_end')]).toEqual(['SP-2', 'ongoing']);
    expect(csv).not.toContain('Pat'); // no complainant's name
  });

  it('quotes fields with commas, quotes and line breaks (RFC 4180)', () => {
    const csv = complimentsCsv([
      {
        id: 'c-1',
        serviceArea: 'general',
        team: 'Welfare rights, north',
        receivedAt: '2031-05-01T09:00:00.000Z',
        summary: 'Said "thank you"\nto the whole team',
      },
    ]);
    expect(csv).toBe(
      'id,received_at,service_area,team,summary\n' +
        'c-1,2031-05-01T09:00:00.000Z,general,"Welfare rights, north","Said ""thank you""\nto the whole team"\n',
    );
  });
});
