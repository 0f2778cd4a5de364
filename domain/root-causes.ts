import { z } from 'zod';
import { TextSchema } from './vocabulary';

// Why a complaint happened, as the organisation words it: the root-cause taxonomy is data (ROOT_CAUSES_PATH, read by
// platform/procedure-files.ts `rootCauseTaxonomyFor`; absent: the shipped one below). An outcome may record several
// root causes by code (domain/actions.ts record-outcome `rootCauses`); the API refuses a code the organisation's
// taxonomy does not have (api/routes/actions.ts). Recorded codes stay as they were when the taxonomy changes: the
// report prints a code the taxonomy no longer names as the code itself.

export const RootCauseCodeSchema = z
  .string()
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'a code of lower-case letters, digits and hyphens')
  .max(60);

export const RootCauseSchema = z
  .object({
    code: RootCauseCodeSchema,
    title: TextSchema.trim().min(1).max(200),
    description: TextSchema.trim().max(2_000).optional(),
  })
  .strict();
export type RootCause = z.infer<typeof RootCauseSchema>;

export const RootCauseTaxonomySchema = z
  .object({ rootCauses: z.array(RootCauseSchema).min(1).max(200) })
  .strict()
  .superRefine((taxonomy, ctx) => {
    const seen = new Set<string>();
    taxonomy.rootCauses.forEach((cause, index) => {
      if (seen.has(cause.code))
        ctx.addIssue({ code: 'custom', path: ['rootCauses', index, 'code'], message: `duplicate code ${cause.code}` });
      seen.add(cause.code);
    });
  });
export type RootCauseTaxonomy = z.infer<typeof RootCauseTaxonomySchema>;

/** The shipped taxonomy (the codes shared/scenarios/README.md names), for an organisation that configures none. */
export const DEFAULT_ROOT_CAUSES: RootCauseTaxonomy = {
  rootCauses: [
    { code: 'communication', title: 'Communication', description: 'What we told, or did not tell, the person' },
    { code: 'staff-attitude', title: 'Staff attitude', description: 'How our staff behaved towards the person' },
    {
      code: 'policy-or-procedure',
      title: 'Policy or procedure',
      description: 'Our policy or procedure was unclear, wrong or not followed',
    },
    { code: 'delay', title: 'Delay', description: 'We took too long' },
    { code: 'quality-of-service', title: 'Quality of service', description: 'The service fell short of its standard' },
    { code: 'resources', title: 'Resources', description: 'Not enough staff, money or places' },
    { code: 'other', title: 'Other' },
  ],
};

/** The codes of `codes` that the taxonomy does not have. */
export function unknownRootCauses(codes: readonly string[], taxonomy: RootCauseTaxonomy): string[] {
  const known = new Set(taxonomy.rootCauses.map((cause) => cause.code));
  return codes.filter((code) => !known.has(code));
}

/** A code's title in the taxonomy; the code itself when the taxonomy no longer has it. */
export function rootCauseTitle(code: string, taxonomy: RootCauseTaxonomy): string {
  return taxonomy.rootCauses.find((cause) => cause.code === code)?.title ?? code;
}
