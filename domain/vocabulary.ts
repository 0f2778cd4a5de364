import { z } from 'zod';

// The words of the complaints domain, shared by the workflow, the API, the register and the report.

export const serviceAreas = ['community-care', 'childrens-services', 'criminal-justice', 'general'] as const;
export const ServiceAreaSchema = z.enum(serviceAreas);
export type ServiceArea = z.infer<typeof ServiceAreaSchema>;

export const categories = [
  'staff-attitude',
  'service-standards',
  'communication',
  'delay',
  'decision',
  'other',
] as const;
export const CategorySchema = z.enum(categories);
export type Category = z.infer<typeof CategorySchema>;

export const channels = ['letter', 'email', 'phone', 'in-person', 'web-form'] as const;
export const ChannelSchema = z.enum(channels);
export type Channel = z.infer<typeof ChannelSchema>;

/** Every outcome any procedure knows; a procedure lists the ones it allows at each stage. */
export const outcomes = ['upheld', 'partially-upheld', 'not-upheld', 'resolved'] as const;
export const OutcomeSchema = z.enum(outcomes);
export type Outcome = z.infer<typeof OutcomeSchema>;

export const complaintStatuses = ['open', 'awaiting-escalation', 'closed', 'withdrawn'] as const;
export const ComplaintStatusSchema = z.enum(complaintStatuses);
export type ComplaintStatus = z.infer<typeof ComplaintStatusSchema>;

/**
 * The keyword (an OpenAPI extension) under which a schema states, in words, a rule of its own that JSON Schema cannot
 * express (a refinement); the API's document adds it to the field's description (api/app.ts), and
 * tests/api/openapi-constraints.test.ts fails when a refined field states none. Derived schemas inherit it.
 */
export const STATED_RULE = 'x-rule';

// Years outside this range are well-formed ISO text but no date a complaint can have, and JavaScript's Date reads
// years below 100 as 19xx: refused here, once, rather than failing deep inside date arithmetic.
const YEARS_MESSAGE = 'must be in the years 1900 to 9998';
function withinCalendarRange(value: string): boolean {
  const year = Number(value.slice(0, 4));
  return year >= 1900 && year <= 9998;
}

/** ISO-8601 instant with an offset, e.g. 2026-03-01T09:30:00Z. */
export const InstantSchema = z.iso
  .datetime({ offset: true })
  .refine(withinCalendarRange, YEARS_MESSAGE)
  .meta({ [STATED_RULE]: 'In the years 1900 to 9998.' });

/** ISO local date, e.g. 2026-12-25. */
export const LocalDateSchema = z.iso
  .date()
  .refine(withinCalendarRange, YEARS_MESSAGE)
  .meta({ [STATED_RULE]: 'In the years 1900 to 9998.' });

// Text from outside (HTTP bodies and queries, Signals and Updates from other systems) is checked once, here, for
// characters no person writes and the register cannot keep: PostgreSQL refuses NUL in text and jsonb (22021,
// 22P05) and jsonb refuses an unpaired UTF-16 surrogate (22P02), so such a value, once accepted, made every register
// write of its complaint fail for ever (issue 18). The rule: no C0 or C1 control character (U+0000 to U+001F,
// U+007F to U+009F) except tab and line feed, and a carriage return only as the CR LF a browser's textarea sends
// (kept as sent); no unpaired surrogate. The message says which character and where, never the text itself.
// eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
const UNSAFE_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ud800-\udfff]|\r(?!\n)/u;

const UNSAFE_TEXT_EVERYWHERE = new RegExp(UNSAFE_TEXT.source, 'gu');
const codePointName = (character: string) => `U+${character.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;

/** Why `value` is not plain text (the first offending character and its position), or undefined when it is. */
export function textProblem(value: string): string | undefined {
  const found = UNSAFE_TEXT.exec(value);
  if (!found) return undefined;
  const unit = found[0].charCodeAt(0);
  const what = unit >= 0xd800 && unit <= 0xdfff ? 'an unpaired surrogate' : unit === 0 ? 'NUL' : 'a control character';
  return `contains ${what} (${codePointName(found[0])}) at character ${found.index + 1}; text may hold tab, line feed and CR LF line breaks but no other control characters`;
}

/** `value` with each character the text rule refuses written as its code point, e.g. `<U+0000>` (messages about input). */
export function plainTextOf(value: string): string {
  return value.replace(UNSAFE_TEXT_EVERYWHERE, (character) => `<${codePointName(character)}>`);
}

/** The text rule in words, for the API's document. */
export const PLAIN_TEXT_RULE =
  'Plain text: no NUL, no control character other than tab, line feed and CR LF, no unpaired surrogate.';

/** Whether `value` is plain text (see textProblem). */
export const isPlainText = (value: string): boolean => !UNSAFE_TEXT.test(value);

/**
 * THE schema of text from outside: a string that is plain text. Every text field of a body, a query or a message
 * is built on it (`TextSchema.trim().min(1).max(200)`); the exceptions are values a tighter schema already confines
 * (enums, references, ISO dates, e-mail addresses, ids matched by a pattern).
 */
export const TextSchema = z
  .string()
  .refine(isPlainText, {
    error: (issue) => (typeof issue.input === 'string' ? textProblem(issue.input) : undefined) ?? 'not plain text',
  })
  .meta({ [STATED_RULE]: PLAIN_TEXT_RULE });

const actorShape = (text: typeof TextSchema) => ({
  id: text.min(1).max(200),
  name: text.min(1).max(200).optional(),
  role: text.min(1).max(100).optional(),
});

/** Who did something. The API fills it from the caller's token; timers act as `system`. */
export const ActorSchema = z.object(actorShape(TextSchema)).strict();
export type Actor = z.infer<typeof ActorSchema>;

/**
 * An actor as recorded (in responses): the same fields on a plain string. PostgreSQL keeps control characters other
 * than NUL, so what was recorded before the text rule may hold them, and a response schema that refused them would
 * turn that complaint's every answer into a 500.
 */
export const RecordedActorSchema = z.object(actorShape(z.string()));
