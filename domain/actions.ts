import { z } from 'zod';
import type { ActionName } from './action-names';
import { withSealedFieldsSetAside } from './personal-fields';
import { RootCauseCodeSchema } from './root-causes';
import {
  ActorSchema,
  InstantSchema,
  LocalDateSchema,
  OutcomeSchema,
  STATED_RULE,
  TextSchema,
  plainTextOf,
} from './vocabulary';

export { actionNames, type ActionName } from './action-names';

// What officers (and other systems) can do to a complaint. Each body schema is what the HTTP API accepts;
// the workflow receives the same body plus the actor, as a Temporal Update or Signal of the same name.

// Every free-text field is the one text schema (domain/vocabulary.ts), trimmed. So a Signal from another system
// that carries NUL, another control character or an unpaired surrogate is refused here too, and recorded as an
// action-rejected event instead of a note the register can never store. This narrows what Signals were accepted
// before; no recorded history (tests/histories) carries such text, and a history that did could never have written
// its register batch (PostgreSQL refuses the value), so no complaint that worked changes course.
const text = (max: number) => TextSchema.trim().min(1).max(max);

const officerShape = (text: (max: number) => typeof TextSchema) => ({
  id: text(200),
  name: text(200).optional(),
  email: z.email().max(320).optional(),
});
export const OfficerSchema = z.object(officerShape(text)).strict();
export type Officer = z.infer<typeof OfficerSchema>;
/** An officer as recorded (responses): on a plain string, as RecordedActorSchema (domain/vocabulary.ts) says why. */
export const RecordedOfficerSchema = z.object(officerShape((max) => z.string().trim().min(1).max(max)));

const actionBodySchemaBuilders = {
  acknowledge: () => z.object({ note: text(5_000).optional() }).strict(),
  assign: () => z.object({ officer: OfficerSchema }).strict(),
  'record-outcome': () =>
    z
      .object({
        outcome: OutcomeSchema,
        findings: text(20_000).optional(),
        actionsTaken: text(20_000).optional(),
        rootCauses: z
          .array(RootCauseCodeSchema)
          .min(1)
          .max(20)
          .refine((codes) => new Set(codes).size === codes.length, 'each root cause once')
          .meta({ [STATED_RULE]: "Each root cause once; codes of the organisation's root-cause taxonomy." })
          .optional()
          .describe('Why it happened: codes of the root-cause taxonomy (GET /root-causes), several allowed'),
        learned: text(20_000)
          .optional()
          .describe(
            'What the council learned from the complaint: written for publication (the annual report quotes it), name no one; not sealed, kept after an erasure',
          ),
      })
      .strict(),
  'request-escalation': () =>
    z
      .object({
        to: z
          .string()
          .regex(/^[a-z0-9-]+$/)
          .optional()
          .describe('The stage asked for; defaults to the next stage'),
        bypass: z
          .boolean()
          .optional()
          .describe("At the complainant's request, skip the next stage (e.g. the Director review)"),
      })
      .strict(),
  'grant-extension': () =>
    z
      .object({
        days: z
          .number()
          .int()
          .positive()
          .max(365)
          .optional()
          .describe("Days added to the response deadline, in the stage's kind of days"),
        newDeadline: InstantSchema.optional().describe('Or: the new response deadline'),
        reason: text(2_000).min(5, 'give the reason for the extension'),
        agreedWithComplainant: z.boolean(),
      })
      .strict()
      .refine((body) => (body.days === undefined) !== (body.newDeadline === undefined), {
        message: 'give either days or newDeadline, not both',
        path: ['days'],
      })
      .meta({ [STATED_RULE]: 'Give either days or newDeadline, not both.' }),
  withdraw: () => z.object({ reason: text(2_000).optional() }).strict(),
  'refer-to-ombudsman': () =>
    z.object({ reference: text(100).optional().describe("The Ombudsman's case reference, when known") }).strict(),
  'add-note': () => z.object({ text: text(10_000) }).strict(),
  // Two forms: days to add and remove (what a calendar change sends), or the whole list (the form recorded histories
  // hold, kept working for them and for other systems that send it).
  'update-calendar': () =>
    z
      .object({
        holidays: z
          .array(LocalDateSchema)
          .max(1_000)
          .optional()
          .describe('Or: the whole list of holidays in Europe/London, YYYY-MM-DD, replacing it'),
        add: z.array(LocalDateSchema).max(1_000).optional().describe('Days (YYYY-MM-DD) the council is closed'),
        remove: z.array(LocalDateSchema).max(1_000).optional().describe('Days (YYYY-MM-DD) it works after all'),
      })
      .strict()
      .refine((body) => (body.holidays === undefined) !== (body.add === undefined && body.remove === undefined), {
        message: 'give add and/or remove, or holidays (the whole list), not both',
        path: ['add'],
      })
      .meta({ [STATED_RULE]: 'Give add and/or remove, or holidays (the whole list), not both.' }),
  'migrate-procedure': () =>
    z
      .object({
        to: z
          .string()
          .regex(/^[a-z0-9-]+@[1-9][0-9]{0,5}$/, 'a procedure version as id@version, e.g. spso-social-work-2017@1')
          .describe('The procedure version the complaint moves to (id@version)'),
        reason: text(2_000).min(5, 'give the reason for the move'),
      })
      .strict(),
  // Issue 14: the reason is kept in the timeline and the destruction log after the erasure (who, when, why): sealed
  // under a key the erasure does not destroy (domain/personal-fields.ts ERASURE_RECORD_KEY), so it stays readable.
  'erase-personal-data': () =>
    z
      .object({
        reason: text(2_000)
          .min(5, 'give the reason for the erasure')
          .describe(
            'Why (kept after the erasure, encrypted, for managers: name no one in it), e.g. a request under UK GDPR article 17',
          ),
      })
      .strict(),
} satisfies Record<ActionName, () => z.ZodType>;

/**
 * The body schema of each action, built on first use and then kept: workflow code loads this module for every
 * complaint that receives an action (workflows/action-parsing.ts), and a complaint usually needs two or three of
 * these, so building all of them each time was a measurable share of the worker's CPU (bench/README.md).
 */
export const actionBodySchemas = builtOnFirstUse(actionBodySchemaBuilders);

function builtOnFirstUse<B extends Record<string, () => unknown>>(
  builders: B,
): { readonly [K in keyof B]: ReturnType<B[K]> } {
  const schemas = {} as { [K in keyof B]: ReturnType<B[K]> };
  for (const name of Object.keys(builders) as Array<keyof B>) {
    Object.defineProperty(schemas, name, {
      enumerable: true,
      configurable: true,
      get() {
        const schema = builders[name]!();
        Object.defineProperty(schemas, name, { value: schema, enumerable: true });
        return schema;
      },
    });
  }
  return schemas;
}

export type ActionBody<A extends ActionName> = z.infer<(typeof actionBodySchemas)[A]>;

/** The message an Update or Signal carries: the body and who is acting. */
export type ActionInput<A extends ActionName> = ActionBody<A> & { actor: z.infer<typeof ActorSchema> };

export type ComplaintCommand = { [A in ActionName]: { action: A } & ActionInput<A> }[ActionName];

/** Validates an Update/Signal payload (the API validates earlier; other systems may send anything). */
export function parseCommand(
  action: ActionName,
  payload: unknown,
): { ok: true; command: ComplaintCommand } | { ok: false; reason: string } {
  if (typeof payload !== 'object' || payload === null) return { ok: false, reason: 'the message must be an object' };
  const { actor, ...body } = payload as Record<string, unknown>;
  const parsedActor = ActorSchema.safeParse(actor);
  if (!parsedActor.success) return { ok: false, reason: `actor: ${describeIssues(parsedActor.error)}` };
  // A personal field arrives sealed (domain/personal-fields.ts): checked as text by the API before it was sealed.
  const aside = withSealedFieldsSetAside(body);
  const parsedBody = actionBodySchemas[action].safeParse(aside.payload);
  if (!parsedBody.success) return { ok: false, reason: describeIssues(parsedBody.error) };
  const parsed = aside.restore(parsedBody.data as object);
  return { ok: true, command: { action, actor: parsedActor.data, ...parsed } as ComplaintCommand };
}

/**
 * The issues in one line. It becomes an action-rejected event's `reason`, which the register keeps, so it must be
 * plain text itself: zod's messages may quote what was sent (an unknown key, for one), and any character the text
 * rule refuses is written as its code point (`<U+0000>`) instead.
 */
export function describeIssues(error: z.ZodError): string {
  const described = error.issues
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
  return plainTextOf(described);
}
