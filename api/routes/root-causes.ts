import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { RootCauseTaxonomySchema, type RootCauseTaxonomy } from '../../domain/root-causes';
import { READERS, requireRole } from '../auth';
import { errorResponses } from '../errors';

// The organisation's root-cause taxonomy (ROOT_CAUSES_PATH, else the shipped one): the codes an outcome may name.

export interface RootCauseRoutesOptions {
  rootCauses: RootCauseTaxonomy;
}

export const rootCauseRoutes: FastifyPluginAsyncZod<RootCauseRoutesOptions> = async (app, { rootCauses }) => {
  app.get(
    '/root-causes',
    {
      onRequest: requireRole(...READERS),
      schema: {
        tags: ['reports'],
        summary: "The organisation's root-cause taxonomy",
        description: `The codes record-outcome's rootCauses may name. Roles: ${READERS.join(', ')}.`,
        security: [{ bearer: [] }],
        response: { 200: RootCauseTaxonomySchema, ...errorResponses(401, 403) },
      },
    },
    async () => rootCauses,
  );
};

export default rootCauseRoutes;
