import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { actorFor, requireRole } from '../api/auth';
import { ApiError } from '../api/errors';
import { NewComplimentSchema, periodEnd, periodStart } from '../domain/compliments';
import { serviceAreas } from '../domain/vocabulary';
import { serviceAreaWords } from '../domain/words';
import { checkForm, errorsByField, type FieldError, fieldErrors, type FieldNames, filled } from './forms';
import { periodFromQuery } from './period';
import type { WebContext } from './plugin';
import { pageContext, pageTitle } from './views';

// Compliments in the browser: record one (the API's NewComplimentSchema, the register's recordCompliment, the API's
// roles: api/routes/compliments.ts), and browse those received in a period, by service area. The pages' paths are
// not the API's (/compliments answers JSON to a bearer token).

export const COMPLIMENT_RECORDERS = ['intake', 'case-officer', 'manager'] as const;
export const COMPLIMENT_READERS = ['auditor', 'manager', 'case-officer', 'intake'] as const;

const names: FieldNames = {
  serviceArea: { name: 'the service area', choose: true },
  team: { name: 'the team or service praised' },
  receivedAt: { name: 'the date it was received' },
  summary: { name: 'what the compliment says' },
};

/** The form's fields as the API's body (the date from its three boxes). */
export function complimentBodyOf(form: Record<string, unknown>): Record<string, unknown> {
  const day = filled(form['receivedAt-day']);
  const month = filled(form['receivedAt-month']);
  const year = filled(form['receivedAt-year']);
  const receivedAt =
    day || month || year
      ? `${year ?? ''}-${String(month ?? '').padStart(2, '0')}-${String(day ?? '').padStart(2, '0')}`
      : '';
  return {
    serviceArea: filled(form.serviceArea) ?? '',
    team: filled(form.team) ?? '',
    receivedAt,
    summary: filled(form.summary) ?? '',
  };
}

const areaTitle = (area: string) => serviceAreaWords[area as keyof typeof serviceAreaWords]?.title ?? area;

export function complimentRoutes(app: FastifyInstance, context: WebContext): void {
  const register = () => {
    if (!context.register)
      throw new ApiError(503, 'no-register', 'Compliments are kept in the register: none is set up');
    return context.register;
  };

  const renderForm = (
    request: FastifyRequest,
    reply: FastifyReply,
    form: Record<string, unknown>,
    errors: FieldError[],
  ) =>
    reply.view('compliment-record.njk', {
      ...pageContext(request, reply, context, pageTitle('Record a compliment', errors)),
      form,
      errors,
      byField: errorsByField(errors),
      serviceAreas: serviceAreas.map((value) => ({
        value,
        text: areaTitle(value),
        selected: form.serviceArea === value,
      })),
    });

  const recorders = { config: { browser: true }, onRequest: requireRole(...COMPLIMENT_RECORDERS) };
  app.get('/compliments/record', recorders, (request, reply) => renderForm(request, reply, {}, []));

  app.post('/compliments/record', { ...recorders, preHandler: app.csrfProtection }, async (request, reply) => {
    const form = (request.body ?? {}) as Record<string, unknown>;
    const parsed = checkForm(NewComplimentSchema, complimentBodyOf(form), names);
    if (!parsed.success) {
      const errors = fieldErrors(parsed.error, names).map((error) =>
        error.field === 'receivedAt' ? { ...error, href: '#receivedAt-day' } : error,
      );
      return renderForm(request, reply.code(400), form, errors);
    }
    const compliment = await register().recordCompliment(
      parsed.data,
      actorFor(request.caller!, request.actingRole!),
      new Date(context.now()),
    );
    const day = compliment.receivedAt.slice(0, 10);
    return reply.redirect(`/compliments/browse?recorded=1&from=${day}&serviceArea=${compliment.serviceArea}`, 303);
  });

  app.get(
    '/compliments/browse',
    { config: { browser: true }, onRequest: requireRole(...COMPLIMENT_READERS) },
    async (request, reply) => {
      const { period, errors, asked } = periodFromQuery(request.query, context.now());
      const area = serviceAreas.find((value) => value === asked.serviceArea);
      const all = errors.length
        ? []
        : await register().compliments({ from: periodStart(period.from), to: periodEnd(period.to) });
      const shown = area ? all.filter((compliment) => compliment.serviceArea === area) : all;
      const mayRecord = request.caller!.roles.some((role) =>
        (COMPLIMENT_RECORDERS as readonly string[]).includes(role),
      );
      return reply.view('compliments.njk', {
        ...pageContext(request, reply, context, pageTitle('Compliments', errors)),
        errors,
        byField: errorsByField(errors),
        period: errors.length ? { from: asked.from, to: asked.to } : period,
        serviceAreas: [
          { value: '', text: 'All service areas' },
          ...serviceAreas.map((value) => ({ value, text: areaTitle(value), selected: value === area })),
        ],
        compliments: shown.map((compliment) => ({
          ...compliment,
          serviceAreaTitle: areaTitle(compliment.serviceArea),
        })),
        recorded: (request.query as Record<string, unknown>).recorded === '1',
        mayRecord,
      });
    },
  );
}
