import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { notFound } from '../../http/errors.js';
import { schemaOf } from '../../http/contract.js';
import { ENTITY_TAGS, getEntityRecords, getEntityWork } from './contract.js';
import { entityRecords } from './records.js';
import { entityWork } from './queries.js';

/** The entity page's records and the party-building work that reaches the entity. */
export async function entityWorkRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(getEntityRecords.path, {
    config: { access: 'data.read' },
    schema: {
      ...schemaOf(getEntityRecords, ENTITY_TAGS),
      params: getEntityRecords.params,
      response: { 200: getEntityRecords.response },
    },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const out = await entityRecords(db, req.params.id);
        if (!out) throw notFound('市场主体');
        return out;
      }),
  });

  r.get(getEntityWork.path, {
    config: { access: 'data.read' },
    schema: {
      ...schemaOf(getEntityWork, ENTITY_TAGS),
      params: getEntityWork.params,
      response: { 200: getEntityWork.response },
    },
    handler: (req) => req.scoped(({ db }) => entityWork(db, req.params.id)),
  });
}
