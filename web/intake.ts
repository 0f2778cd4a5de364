import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { accessRoute } from '../api/access-recorder';
import { actorFor, requireRole } from '../api/auth';
import { ApiError } from '../api/errors';
import { ComplaintRefSchema, IntakeSchema } from '../domain/intake';
import { categories, channels, serviceAreas, TextSchema } from '../domain/vocabulary';
import { categoryWords, channelWords, serviceAreaWords, statusWords } from '../domain/words';
import {
  checkForm,
  errorsByField,
  type FieldError,
  fieldErrors,
  type FieldNames,
  filled,
  formKey,
  newFormKey,
  yes,
} from './forms';
import type { WebContext } from './plugin';
import { pageContext, pageTitle } from './views';

// Record a complaint (intake): first a look-up of existing complaints by the complainant's name or e-mail, so
// that a repeat contact is not recorded twice (the register's search: api/complaint-reads.ts earlierContacts); then the form, checked by the API's own IntakeSchema and recorded
// through the same service (api/complaint-service.ts intake, with the form's Idempotency-Key).

const LookupSchema = z.object({ lookup: TextSchema.trim().max(200).optional() });

/** The form's fields (named by their path in IntakeSchema, joined by '-') as the intake body. */
export function intakeBodyOf(form: Record<string, unknown>): Record<string, unknown> {
  const day = filled(form['eventOn-day']);
  const month = filled(form['eventOn-month']);
  const year = filled(form['eventOn-year']);
  const eventOn =
    day || month || year
      ? `${year ?? ''}-${String(month ?? '').padStart(2, '0')}-${String(day ?? '').padStart(2, '0')}`
      : undefined;
  const representativeName = filled(form['representative-name']);
  const pick = (record: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
  return pick({
    complainant: pick({
      name: filled(form['complainant-name']) ?? '',
      email: filled(form['complainant-email']),
      phone: filled(form['complainant-phone']),
      address: filled(form['complainant-address']),
    }),
    representative: representativeName
      ? pick({
          name: representativeName,
          relationship: filled(form['representative-relationship']),
          email: filled(form['representative-email']),
          consentGiven: yes(form['representative-consentGiven']),
        })
      : undefined,
    serviceArea: filled(form.serviceArea),
    category: filled(form.category),
    channel: filled(form.channel),
    summary: filled(form.summary) ?? '',
    eventOn,
    serious: yes(form.serious),
  });
}

/** What the error messages call the form's fields. */
const names: FieldNames = {
  'complainant-name': { name: "the complainant's full name" },
  'complainant-email': { name: "the complainant's e-mail address" },
  'complainant-phone': { name: "the complainant's telephone number" },
  'complainant-address': { name: "the complainant's address" },
  'representative-name': { name: "the representative's name" },
  'representative-relationship': { name: "the representative's relationship to the complainant" },
  'representative-email': { name: "the representative's e-mail address" },
  serviceArea: { name: 'the service area', choose: true },
  category: { name: 'the category', choose: true },
  channel: { name: 'how the complaint was received', choose: true },
  summary: { name: 'what the complaint is about' },
  eventOn: { name: 'the date of the event' },
};

const choices = (values: readonly string[], words: Record<string, { title: string }>, chosen: unknown) =>
  values.map((value) => ({ value, text: words[value]!.title, checked: chosen === value, selected: chosen === value }));

export function intakeRoutes(app: FastifyInstance, context: WebContext): void {
  const render = async (
    request: FastifyRequest,
    reply: FastifyReply,
    form: Record<string, unknown>,
    errors: FieldError[],
  ) => {
    const lookup = LookupSchema.safeParse(request.query);
    const term = lookup.success ? lookup.data.lookup : undefined;
    const by = { viewer: request.caller!, route: accessRoute(request) };
    const matches = term ? await context.reads.earlierContacts(term, 20, by) : undefined;
    return reply.view('intake.njk', {
      ...pageContext(request, reply, context, pageTitle('Record a complaint', errors)),
      lookup: term ?? '',
      matches: matches?.map((row) => ({
        ...row,
        serviceAreaTitle: serviceAreaWords[row.serviceArea as keyof typeof serviceAreaWords]?.title ?? row.serviceArea,
        statusTitle: statusWords[row.status as keyof typeof statusWords]?.title ?? row.status,
      })),
      form,
      errors,
      byField: errorsByField(errors),
      serviceAreas: choices(serviceAreas, serviceAreaWords, form.serviceArea),
      categories: choices(categories, categoryWords, form.category),
      channels: choices(channels, channelWords, form.channel),
      formKey: newFormKey(),
    });
  };

  app.get('/record', { config: { browser: true }, onRequest: requireRole('intake') }, async (request, reply) =>
    render(request, reply, {}, []),
  );

  app.post(
    '/record',
    { config: { browser: true }, onRequest: requireRole('intake'), preHandler: app.csrfProtection },
    async (request, reply) => {
      const form = (request.body ?? {}) as Record<string, unknown>;
      const parsed = checkForm(IntakeSchema, intakeBodyOf(form), names);
      if (!parsed.success) {
        const errors = fieldErrors(parsed.error, names).map((error) =>
          error.field === 'eventOn' ? { ...error, href: '#eventOn-day' } : error,
        );
        return render(request, reply.code(400), form, errors);
      }
      let ref: string;
      try {
        const result = await context.complaints.intake(parsed.data, {
          actor: actorFor(request.caller!, request.actingRole!),
          idempotencyKey: formKey(form.idempotencyKey),
        });
        ref = result.ref;
      } catch (error) {
        if (!(error instanceof ApiError) || error.statusCode >= 500) throw error;
        return render(request, reply.code(error.statusCode), form, [
          { field: 'form', text: error.message, href: '#complainant-name' },
        ]);
      }
      return reply.redirect(`/record/recorded/${encodeURIComponent(ref)}`, 303);
    },
  );

  app.get(
    '/record/recorded/:ref',
    { config: { browser: true }, onRequest: requireRole('intake') },
    async (request, reply) => {
      const ref = ComplaintRefSchema.safeParse((request.params as { ref?: unknown }).ref);
      if (!ref.success) throw new ApiError(404, 'not-found', 'There is no complaint with that reference');
      return reply.view('recorded.njk', {
        ...pageContext(request, reply, context, 'Complaint recorded'),
        ref: ref.data,
      });
    },
  );
}
