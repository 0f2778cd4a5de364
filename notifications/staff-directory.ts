import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { describeIssues } from '../domain/actions';
import { ServiceAreaSchema, serviceAreas } from '../domain/vocabulary';
import { serviceAreaWords } from '../domain/words';

// Who gets the staff notices: officers (with their manager) and a team mailbox per service area, from a file
// named by STAFF_DIRECTORY_PATH (YAML or JSON; see config/staff-directory.example.yaml). Without a file, every
// staff notice goes to a placeholder mailbox per service area at council.example (`npm start` out of the box).

const text = (max: number) => z.string().trim().min(1).max(max);
const staffId = text(200);

export const StaffMemberSchema = z
  .object({
    /** The id officers are assigned by (the `officer.id` of the assign action). */
    id: staffId,
    name: text(200),
    email: z.email().max(320),
    /** Id of this person's manager, copied on response-deadline breaches. */
    manager: staffId.optional(),
  })
  .strict();
export type StaffMember = z.infer<typeof StaffMemberSchema>;

// A team is named and managed as a person is (its name shown in greetings and headers, e.g. "Community Care
// complaints team"; its manager copied on response breaches when no case officer, or no manager of theirs, is
// known); its mailbox gets the staff notices of complaints with no case officer, and complainants' replies.
export const ServiceAreaTeamSchema = StaffMemberSchema.pick({ name: true, manager: true })
  .extend({ mailbox: z.email().max(320) })
  .strict();
export type ServiceAreaTeam = z.infer<typeof ServiceAreaTeamSchema>;

export const StaffDirectorySchema = z
  .object({
    organisation: z
      .object({
        /** Signs every message, e.g. "Dundee City Council, Social Work". */
        name: text(200),
        /** How complainants reach the complaints team (shown in letters). */
        phone: text(50).optional(),
        website: z.url().optional(),
        /** Where the complainant may go after the final stage (the Ombudsman named by the procedure). */
        ombudsmanWebsite: z.url().default('https://www.spso.org.uk'),
      })
      .strict(),
    /** One team per service area; every service area must be routed. */
    serviceAreas: z.record(ServiceAreaSchema, ServiceAreaTeamSchema),
    officers: z.array(StaffMemberSchema).default([]),
  })
  .strict()
  .superRefine((directory, ctx) => {
    const ids = new Set<string>();
    directory.officers.forEach((officer, i) => {
      if (ids.has(officer.id))
        ctx.addIssue({ code: 'custom', path: ['officers', i, 'id'], message: `"${officer.id}" is listed twice` });
      ids.add(officer.id);
    });
    directory.officers.forEach((officer, i) => {
      if (officer.manager === undefined) return;
      if (officer.manager === officer.id)
        ctx.addIssue({
          code: 'custom',
          path: ['officers', i, 'manager'],
          message: 'an officer cannot be their own manager',
        });
      else if (!ids.has(officer.manager))
        ctx.addIssue({
          code: 'custom',
          path: ['officers', i, 'manager'],
          message: `"${officer.manager}" is not in officers`,
        });
    });
    for (const area of serviceAreas) {
      const manager = directory.serviceAreas[area]?.manager;
      if (manager !== undefined && !ids.has(manager)) {
        ctx.addIssue({
          code: 'custom',
          path: ['serviceAreas', area, 'manager'],
          message: `"${manager}" is not in officers`,
        });
      }
    }
  });

export type StaffDirectory = z.output<typeof StaffDirectorySchema>;

/** A staff directory file that cannot be used; the message is one line naming the file and the problem. */
export class StaffDirectoryError extends Error {
  override readonly name = 'StaffDirectoryError';
}

/** Validates a directory given as data (parsed YAML/JSON, or built in code). */
export function parseStaffDirectory(data: unknown, source = 'staff directory'): StaffDirectory {
  const result = StaffDirectorySchema.safeParse(data);
  if (!result.success) throw new StaffDirectoryError(`Invalid ${source}: ${describeIssues(result.error)}`);
  return result.data;
}

/** Reads and validates STAFF_DIRECTORY_PATH: `.json` as JSON, anything else as YAML (a superset of JSON). */
export function loadStaffDirectory(file: string): StaffDirectory {
  const source = `staff directory ${file}`;
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (err) {
    throw new StaffDirectoryError(`Cannot read ${source}: ${(err as Error).message}`);
  }
  let data: unknown;
  try {
    data = path.extname(file).toLowerCase() === '.json' ? JSON.parse(raw) : parseYaml(raw);
  } catch (err) {
    throw new StaffDirectoryError(
      `Invalid ${source}: not valid ${path.extname(file).toLowerCase() === '.json' ? 'JSON' : 'YAML'} (${(err as Error).message.split('\n')[0]})`,
    );
  }
  return parseStaffDirectory(data, source);
}

/** The domain of the placeholder mailboxes: reserved for examples (RFC 2606), so nothing real receives them. */
export const PLACEHOLDER_MAIL_DOMAIN = 'council.example';

/**
 * The directory used when STAFF_DIRECTORY_PATH is not set: no officers, and one team mailbox per service area,
 * `<service-area>.complaints@council.example`. Officers' own addresses still come from the assign action.
 */
export function defaultStaffDirectory(): StaffDirectory {
  return parseStaffDirectory(
    {
      organisation: { name: 'Social Work Department' },
      serviceAreas: Object.fromEntries(
        serviceAreas.map((area) => [
          area,
          {
            name: `${serviceAreaWords[area].title} complaints team`,
            mailbox: `${area}.complaints@${PLACEHOLDER_MAIL_DOMAIN}`,
          },
        ]),
      ),
    },
    'built-in staff directory',
  );
}

/** The configured directory, or the built-in one when no file is configured. */
export function staffDirectoryFor(staffDirectoryPath: string | undefined): {
  directory: StaffDirectory;
  source: string;
} {
  if (!staffDirectoryPath)
    return {
      directory: defaultStaffDirectory(),
      source: `built-in (placeholder mailboxes at ${PLACEHOLDER_MAIL_DOMAIN}; set STAFF_DIRECTORY_PATH)`,
    };
  return { directory: loadStaffDirectory(staffDirectoryPath), source: path.resolve(staffDirectoryPath) };
}

export function findStaffMember(directory: StaffDirectory, id: string): StaffMember | undefined {
  return directory.officers.find((officer) => officer.id === id);
}
