import { randomUUID } from 'node:crypto';
import type { z } from 'zod';

// Form helpers: GOV.UK error summaries from zod issues, and the Idempotency-Key each rendered form carries (a
// hidden field) so that the same form sent twice records its action once (api/complaint-service.ts: the service's
// idempotency rule answers a repeat with the first answer).

export interface FieldError {
  /** The field's id in the form (its path joined by '-'). */
  field: string;
  text: string;
  href: string;
}

export function fieldId(path: ReadonlyArray<PropertyKey>): string {
  return path.map(String).join('-') || 'form';
}

/** What a form calls a field in its error messages ("Enter the complainant's full name"); `choose`: from a list. */
export interface FieldName {
  name: string;
  choose?: boolean;
}
export type FieldNames = Readonly<Record<string, FieldName>>;

export const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * GOV.UK's kind of message for a named field's problem (zod's own are for developers: "Too small: expected string to
 * have >=1 characters"). Messages a schema states itself (the domain's rules) are kept.
 */
function govukMessage(issue: z.core.$ZodRawIssue, named: FieldName): string | undefined {
  const { name } = named;
  const empty = issue.input === undefined || issue.input === '';
  const limit = (bound: unknown, word: string) =>
    issue.origin === 'string' ? `${capitalised(name)} must be ${String(bound)} characters or ${word}` : undefined;
  switch (issue.code) {
    case 'invalid_type':
      if (empty) return `${named.choose ? 'Select' : 'Enter'} ${name}`;
      return issue.expected === 'number' || issue.expected === 'int'
        ? `${capitalised(name)} must be a whole number, like 5`
        : undefined;
    case 'invalid_value':
      return `Select ${name}`;
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) <= 1) return `Enter ${name}`;
      return limit(issue.minimum, 'more') ?? `${capitalised(name)} must be ${String(issue.minimum)} or more`;
    case 'too_big':
      return limit(issue.maximum, 'fewer') ?? `${capitalised(name)} must be ${String(issue.maximum)} or fewer`;
    case 'invalid_format':
      if (issue.format === 'email') return `Enter ${name} in the correct format, like name@example.org`;
      if (issue.format === 'date') return `${capitalised(name)} must be a real date`;
      return `Enter ${name} in the correct format`;
    default:
      return undefined;
  }
}

/** A form's fields checked by the API's own schema, with messages in GOV.UK's words for the fields named. */
export function checkForm<S extends z.ZodType>(schema: S, body: unknown, names: FieldNames) {
  return schema.safeParse(body, {
    error: (issue) => {
      const named = names[fieldId(issue.path ?? [])];
      return named ? govukMessage(issue, named) : undefined;
    },
  });
}

/** The problems as the error summary lists them; a rule's own message is given after the field's name. */
export function fieldErrors(error: z.ZodError, names: FieldNames = {}): FieldError[] {
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  for (const issue of error.issues) {
    const field = fieldId(issue.path);
    if (seen.has(field)) continue;
    seen.add(field);
    const named = names[field];
    const text =
      named && !/^[A-Z]/.test(issue.message) ? `${capitalised(named.name)}: ${issue.message}` : issue.message;
    errors.push({ field, text, href: `#${field}` });
  }
  return errors;
}

/**
 * Field errors named as the page's inputs are (`<form>-<field>`), so the summary links to them; `input` names the
 * input a body path's error belongs to when the form's input is not named as the body's field.
 */
export function formFieldErrors(
  form: string,
  error: z.ZodError,
  names: FieldNames = {},
  input: (field: string) => string = (field) => field,
): FieldError[] {
  return fieldErrors(error, names).map((problem) => {
    const field = `${form}-${input(problem.field)}`;
    return { ...problem, field, href: `#${field}` };
  });
}

/** errors by field, for each input's errorMessage. */
export function errorsByField(errors: readonly FieldError[]): Record<string, { text: string }> {
  return Object.fromEntries(errors.map((error) => [error.field, { text: error.text }]));
}

export function newFormKey(): string {
  return randomUUID();
}

/** The form's key when it is one we could have made (a UUID), else a new one (nothing to repeat). */
export function formKey(value: unknown): string {
  return typeof value === 'string' && /^[0-9a-f-]{36}$/.test(value) ? value : newFormKey();
}

/** A checkbox or yes/no radio as a boolean. */
export const yes = (value: unknown) => value === 'yes' || value === 'true' || value === 'on';
/** A text field: undefined when empty. */
export const filled = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value : undefined);
