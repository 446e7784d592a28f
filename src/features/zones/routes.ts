import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { schemaOf } from '../../http/contract.js';
import { createZone, listZones, updateZone } from './contract.js';
import { zonePage } from './queries.js';
import { addZone, changeZone } from './writes.js';

const TAGS = ['区域'];

/** Zones: professional markets, parks, buildings and business districts, with the entities inside. */
export async function zoneRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(listZones.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(listZones, TAGS), querystring: listZones.query, response: { 200: listZones.response } },
    handler: (req) => req.scoped(({ db }) => zonePage(db, req.query)),
  });

  r.post(createZone.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(createZone, TAGS), body: createZone.body, response: { 201: createZone.response } },
    handler: async (req, reply) => {
      const row = await req.scoped((sc) => addZone(sc, req.body));
      reply.code(201);
      return row;
    },
  });

  r.patch(updateZone.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(updateZone, TAGS),
      params: updateZone.params,
      body: updateZone.body,
      response: { 200: updateZone.response },
    },
    handler: (req) => req.scoped((sc) => changeZone(sc, req.params.id, req.body)),
  });
}
