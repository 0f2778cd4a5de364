import type { FastifyReply, FastifyRequest } from 'fastify';
import type nunjucks from 'nunjucks';
import { londonTime } from '../audit/timeline';
import type { Caller, Role } from '../api/auth';
import type { WebContext } from './plugin';

// What every page's template gets (the layout: council, signed-in person, navigation, CSRF token for sign-out) and
// the template filters.

export interface PageContext {
  title: string;
  council: WebContext['council'];
  caller: Caller | null;
  csrfToken: string;
  navigation: Array<{ text: string; href: string; active: boolean }>;
  currentPath: string;
}

const pages: Array<{ text: string; href: string; roles: readonly Role[] }> = [
  { text: 'Worklist', href: '/', roles: ['case-officer', 'manager', 'auditor'] },
  { text: 'Record a complaint', href: '/record', roles: ['intake'] },
  { text: 'Team', href: '/team', roles: ['manager'] },
  { text: 'Compliments', href: '/compliments/browse', roles: ['intake', 'case-officer', 'manager', 'auditor'] },
  { text: 'Reports', href: '/reports', roles: ['case-officer', 'manager', 'auditor'] },
  { text: 'Letters to post', href: '/letters-to-post', roles: ['intake', 'case-officer', 'manager', 'auditor'] },
];

export function pageContext(
  request: FastifyRequest,
  reply: FastifyReply,
  context: WebContext,
  title: string,
): PageContext {
  const caller = request.caller;
  const currentPath = request.url.split('?')[0] ?? '/';
  return {
    title,
    council: context.council,
    caller,
    csrfToken: reply.generateCsrf(),
    navigation: caller
      ? pages
          .filter((page) => page.roles.some((role) => caller.roles.includes(role)))
          .map((page) => ({
            text: page.text,
            href: page.href,
            active: page.href === '/' ? currentPath === '/' : currentPath.startsWith(page.href),
          }))
      : [],
    currentPath,
  };
}

/** A page's title, "Error: " first while it shows errors (GOV.UK's pattern: a screen reader hears it first). */
export function pageTitle(title: string, errors: readonly unknown[]): string {
  return errors.length > 0 ? `Error: ${title}` : title;
}

export function configureViews(env: nunjucks.Environment): void {
  env.addFilter('londonTime', (iso: string | undefined) => londonTime(iso));
  // MoJ Frontend's timeline formats its dates with a `date` filter (its own apps bring one): London time here.
  env.addFilter('date', (iso: string | undefined) => londonTime(iso));
  env.addFilter('londonDay', (iso: string | undefined) => (iso ? londonTime(iso).slice(0, 10) : '-'));
  env.addFilter('shorten', (text: string | undefined, max = 80) =>
    !text ? '' : text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`,
  );
}
