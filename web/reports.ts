import type { FastifyInstance } from 'fastify';
import type { WebContext } from './plugin';

// Compliments, reports and the team page: not built yet (see the README's web application section).
export function reportPages(_app: FastifyInstance, _context: WebContext): void {}
