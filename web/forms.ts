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

export function fieldErrors(error: z.ZodError, labels: Record<string, string> = {}): FieldError[] {
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  for (const issue of error.issues) {
    const field = fieldId(issue.path);
    if (seen.has(field)) continue;
    seen.add(field);
    const label = labels[field];
    errors.push({ field, text: label ? `${label}: ${issue.message}` : issue.message, href: `#${field}` });
  }
  return errors;
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
