import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { nodeInScope } from '../../db/subtree.js';
import { schemaOf } from '../../http/contract.js';
import { getCoverage } from './contract.js';
import { coverageOf } from './queries.js';

/** The two coverages for any node of the user's subtree: its figures, its children, and the splits. */
export async function coverageRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(getCoverage.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(getCoverage, ['两个覆盖']), querystring: getCoverage.query, response: { 200: getCoverage.response } },
    handler: (req) => req.scoped(async ({ db }) => coverageOf(db, await nodeInScope(db, req.user!, req.query.under))),
  });
}
