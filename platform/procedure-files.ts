import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { describeIssues } from '../domain/actions';
import { CouncilCalendarSchema, EMPTY_COUNCIL_CALENDAR, type CouncilCalendar } from '../domain/council-calendar';
import {
  DEFAULT_PROCEDURE_SCHEDULE,
  ProcedureScheduleSchema,
  type ProcedureSchedule,
} from '../domain/procedure-schedule';
import { DEFAULT_ROOT_CAUSES, RootCauseTaxonomySchema, type RootCauseTaxonomy } from '../domain/root-causes';
import { DEFAULT_RETENTION_SCHEDULE, RetentionScheduleSchema, type RetentionSchedule } from '../domain/retention';
import { ConfigError, type AppConfig } from './config';

// The procedure schedule and the council calendar: files named by the configuration (platform/config.ts), read
// and checked once when a process starts; a bad file stops it with one line naming the file and the field.

/** Reads and validates a configuration file: `.json` as JSON, anything else as YAML (a superset of JSON). */
export function readConfigFile<T extends z.ZodType>(file: string, schema: T, what: string): z.output<T> {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`Cannot read the ${what} ${file}: ${(err as Error).message}`);
  }
  let data: unknown;
  try {
    data = path.extname(file).toLowerCase() === '.json' ? JSON.parse(raw) : parseYaml(raw);
  } catch (err) {
    throw new ConfigError(`The ${what} ${file} is not valid YAML/JSON: ${(err as Error).message}`);
  }
  const result = schema.safeParse(data);
  if (!result.success) throw new ConfigError(`Invalid ${what} ${file}: ${describeIssues(result.error)}`);
  return result.data;
}

export function procedureScheduleFor(config: Pick<AppConfig, 'PROCEDURE_SCHEDULE_PATH'>): ProcedureSchedule {
  const file = config.PROCEDURE_SCHEDULE_PATH;
  return file ? readConfigFile(file, ProcedureScheduleSchema, 'procedure schedule') : DEFAULT_PROCEDURE_SCHEDULE;
}

export function councilCalendarFor(config: Pick<AppConfig, 'COUNCIL_CALENDAR_PATH'>): CouncilCalendar {
  const file = config.COUNCIL_CALENDAR_PATH;
  return file ? readConfigFile(file, CouncilCalendarSchema, 'council calendar') : EMPTY_COUNCIL_CALENDAR;
}

export function retentionScheduleFor(config: Pick<AppConfig, 'RETENTION_SCHEDULE_PATH'>): RetentionSchedule {
  const file = config.RETENTION_SCHEDULE_PATH;
  return file ? readConfigFile(file, RetentionScheduleSchema, 'retention schedule') : DEFAULT_RETENTION_SCHEDULE;
}

export function rootCauseTaxonomyFor(config: Pick<AppConfig, 'ROOT_CAUSES_PATH'>): RootCauseTaxonomy {
  const file = config.ROOT_CAUSES_PATH;
  return file ? readConfigFile(file, RootCauseTaxonomySchema, 'root-cause taxonomy') : DEFAULT_ROOT_CAUSES;
}
