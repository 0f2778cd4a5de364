import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CouncilCalendarSchema, councilHolidays, EMPTY_COUNCIL_CALENDAR } from '../../domain/council-calendar';
import {
  DEFAULT_PROCEDURE_SCHEDULE,
  procedureInForce,
  ProcedureScheduleSchema,
  singleProcedureSchedule,
} from '../../domain/procedure-schedule';
import { procedureKey } from '../../domain/procedure';
import { getProcedure } from '../../domain/procedures';
import { councilHolidayCalendar, defaultHolidayCalendar } from '../../domain/scottish-holidays';
import { ConfigError } from '../../platform/config';
import { councilCalendarFor, procedureScheduleFor, readConfigFile } from '../../platform/procedure-files';
import { repoRoot } from '../../platform/repo-root';

const inForce = (instant: string) => {
  const procedure = procedureInForce(DEFAULT_PROCEDURE_SCHEDULE, Date.parse(instant));
  return procedure ? procedureKey(procedure) : undefined;
};
const example = (name: string) => path.join(repoRoot(), 'config', name);

describe('the procedure schedule', () => {
  it('the shipped default at its boundaries, by the London day of receipt', () => {
    expect(inForce('2011-06-01T10:00:00Z')).toBe('dundee-swd-2011@2');
    expect(inForce('2017-03-31T12:00:00Z')).toBe('dundee-swd-2011@2');
    expect(inForce('2017-03-31T22:59:59Z')).toBe('dundee-swd-2011@2'); // 23:59:59 BST on 31 March
    expect(inForce('2017-03-31T23:00:00Z')).toBe('spso-social-work-2017@1'); // 00:00 BST on 1 April
    expect(inForce('2017-04-01T10:00:00Z')).toBe('spso-social-work-2017@1');
    expect(inForce('2021-03-31T22:59:59Z')).toBe('spso-social-work-2017@1');
    expect(inForce('2021-03-31T23:00:00Z')).toBe('spso-mchp-2020@1');
    expect(inForce('2021-04-01T10:00:00Z')).toBe('spso-mchp-2020@1');
    expect(inForce('2026-12-02T10:00:00Z')).toBe('spso-mchp-2020@1');
  });

  it('the example file is the shipped default, and is what applies without PROCEDURE_SCHEDULE_PATH', () => {
    const file = example('procedure-schedule.example.yaml');
    expect(readConfigFile(file, ProcedureScheduleSchema, 'procedure schedule')).toEqual(DEFAULT_PROCEDURE_SCHEDULE);
    expect(procedureScheduleFor({})).toBe(DEFAULT_PROCEDURE_SCHEDULE);
    expect(procedureScheduleFor({ PROCEDURE_SCHEDULE_PATH: file })).toEqual(DEFAULT_PROCEDURE_SCHEDULE);
  });

  it('refuses unknown versions, periods out of order and a later period without a date', () => {
    const bad = (periods: unknown) => ProcedureScheduleSchema.safeParse({ periods }).error?.issues[0]?.message;
    expect(bad([{ procedure: 'spso-mchp-2020@9' }])).toBe('must name a published procedure version');
    expect(bad([{ procedure: 'spso-mchp-2020' }])).toMatch(/must be a procedure version/);
    expect(
      bad([
        { procedure: 'dundee-swd-2011@1' },
        { from: '2021-04-01', procedure: 'spso-mchp-2020@1' },
        { from: '2017-04-01', procedure: 'spso-social-work-2017@1' },
      ]),
    ).toBe('periods must be in date order');
    expect(bad([{ procedure: 'dundee-swd-2011@1' }, { procedure: 'spso-mchp-2020@1' }])).toMatch(/from date/);
  });

  it('a schedule that starts at a date has no procedure before it; one procedure applies always', () => {
    const later = ProcedureScheduleSchema.parse({ periods: [{ from: '2021-04-01', procedure: 'spso-mchp-2020@1' }] });
    expect(procedureInForce(later, Date.parse('2020-01-01T00:00:00Z'))).toBeUndefined();
    const single = singleProcedureSchedule(getProcedure({ id: 'spso-mchp', version: 1 }));
    expect(procedureInForce(single, Date.parse('2001-01-01T00:00:00Z'))?.id).toBe('spso-mchp');
  });
});

describe('the council calendar', () => {
  it('adds local holidays and closures to the bank holidays, removes worked days, names every one', () => {
    const calendar = readConfigFile(example('council-calendar.example.yaml'), CouncilCalendarSchema, 'calendar');
    const { holidays, names } = councilHolidayCalendar(2026, calendar);
    expect(holidays).toContain('2027-03-29'); // Easter Monday, a local holiday
    expect(holidays).toContain('2026-12-30'); // a closure
    expect(holidays).not.toContain('2027-08-02'); // the summer bank holiday, worked
    expect(holidays).toContain('2027-03-26'); // Good Friday, a bank holiday
    expect(names['2027-03-29']).toBe('Easter Monday');
    expect(names['2026-12-25']).toBe('Christmas Day');
    expect(names['2026-12-30']).toBe('Offices closed between Christmas and New Year');
    expect(holidays).toEqual([...holidays].sort());
    expect(councilCalendarFor({ COUNCIL_CALENDAR_PATH: example('council-calendar.example.yaml') })).toEqual(calendar);
  });

  it('without a file, the Scottish bank holidays exactly as before', () => {
    expect(councilHolidayCalendar(2026, EMPTY_COUNCIL_CALENDAR).holidays).toEqual(defaultHolidayCalendar(2026));
    expect(councilCalendarFor({})).toEqual(EMPTY_COUNCIL_CALENDAR);
  });

  it('a weekend closure is not listed, a day named twice keeps both names', () => {
    const { holidays, names } = councilHolidays(
      [{ date: '2026-12-25', name: 'Christmas Day' }],
      {
        ...EMPTY_COUNCIL_CALENDAR,
        localHolidays: [{ date: '2026-12-25', name: 'Council Christmas' }],
        closures: [{ date: '2026-12-26', name: 'Saturday closure' }],
      },
      '2026-01-01',
      '2026-12-31',
    );
    expect(holidays).toEqual(['2026-12-25']);
    expect(names).toEqual({ '2026-12-25': 'Christmas Day; Council Christmas' });
  });

  it('a bad file stops the process with one line naming the file and the field', () => {
    const file = example('staff-directory.example.yaml');
    expect(() => councilCalendarFor({ COUNCIL_CALENDAR_PATH: file })).toThrow(ConfigError);
    expect(() => councilCalendarFor({ COUNCIL_CALENDAR_PATH: file })).toThrow(
      /Invalid council calendar .*staff-directory/,
    );
    expect(() => procedureScheduleFor({ PROCEDURE_SCHEDULE_PATH: '/no/such/file.yaml' })).toThrow(/Cannot read/);
  });
});
