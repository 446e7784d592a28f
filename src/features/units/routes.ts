import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { schemaOf } from '../../http/contract.js';
import { createUnit, listUnits, unitSummary, updateUnit } from './contract.js';
import { unitPage, unitSummaryOf } from './queries.js';
import { addUnit, changeUnit } from './writes.js';

/**
 * Bureau units: the "小个专"党委 a province/city/county bureau sets up, and the 党建工作指导站
 * at a station. One active unit of each kind per node.
 */
export async function unitRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(listUnits.path, {
    config: { access: 'units.read' },
    schema: {
      ...schemaOf(listUnits, ['党委与指导站']),
      querystring: listUnits.query,
      response: { 200: listUnits.response },
    },
    handler: (req) => req.scoped(({ db }) => unitPage(db, req.query)),
  });

  r.get(unitSummary.path, {
    config: { access: 'units.read' },
    schema: {
      ...schemaOf(unitSummary, ['党委与指导站']),
      params: unitSummary.params,
      response: { 200: unitSummary.response },
    },
    handler: (req) => req.scoped(({ db }) => unitSummaryOf(db, req.params.code)),
  });

  r.post(createUnit.path, {
    config: { access: 'units.manage' },
    schema: {
      ...schemaOf(createUnit, ['党委与指导站']),
      body: createUnit.body,
      response: { 201: createUnit.response },
    },
    handler: async (req, reply) => {
      const unit = await req.scoped((sc) => addUnit(sc, req.body));
      reply.code(201);
      return unit;
    },
  });

  r.patch(updateUnit.path, {
    config: { access: 'units.manage' },
    schema: {
      ...schemaOf(updateUnit, ['党委与指导站']),
      params: updateUnit.params,
      body: updateUnit.body,
      response: { 200: updateUnit.response },
    },
    handler: (req) => req.scoped((sc) => changeUnit(sc, req.params.id, req.body)),
  });
}
