import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { schemaOf } from '../../http/contract.js';
import { nodeInScope } from '../../db/subtree.js';
import { newEmploymentFigures } from './contract.js';
import { sectorFiguresUnder } from './queries.js';
import { TAGS } from './tags.js';

/** The sector's figures by area (the dashboard's new-employment indicators count the same way). */
export async function newEmploymentFigureRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(newEmploymentFigures.path, {
    config: { access: 'data.read' },
    schema: {
      ...schemaOf(newEmploymentFigures, TAGS),
      querystring: newEmploymentFigures.query,
      response: { 200: newEmploymentFigures.response },
    },
    handler: (req) =>
      req.scoped(async ({ db }) => sectorFiguresUnder(db, await nodeInScope(db, req.user!, req.query.under))),
  });
}
