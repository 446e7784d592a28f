import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { schemaOf } from '../../http/contract.js';
import {
  createStation,
  deleteStation,
  getJurisdiction,
  jurisdictionChildren,
  listStations,
  updateStation,
} from './contract.js';
import { childNodes, nodeAt, stationPage } from './queries.js';
import { addStation, changeStation, removeStation } from './writes.js';

/** The jurisdiction tree (GB/T 2260 divisions, read-only) and the stations county bureaus create under it. */
export async function jurisdictionRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(getJurisdiction.path, {
    config: { access: 'jurisdiction.read' },
    schema: {
      ...schemaOf(getJurisdiction, ['辖区']),
      params: getJurisdiction.params,
      response: { 200: getJurisdiction.response },
    },
    handler: (req) => req.scoped(({ db }) => nodeAt(db, req.params.code)),
  });

  r.get(jurisdictionChildren.path, {
    config: { access: 'jurisdiction.read' },
    schema: {
      ...schemaOf(jurisdictionChildren, ['辖区']),
      params: jurisdictionChildren.params,
      response: { 200: jurisdictionChildren.response },
    },
    handler: (req) => req.scoped(({ db }) => childNodes(db, req.params.code)),
  });

  r.get(listStations.path, {
    config: { access: 'jurisdiction.read' },
    schema: {
      ...schemaOf(listStations, ['辖区']),
      querystring: listStations.query,
      response: { 200: listStations.response },
    },
    handler: (req) => req.scoped(({ db }) => stationPage(db, req.query)),
  });

  r.post(createStation.path, {
    config: { access: 'jurisdiction.manage' },
    schema: {
      ...schemaOf(createStation, ['辖区']),
      body: createStation.body,
      response: { 201: createStation.response },
    },
    handler: async (req, reply) => {
      const node = await req.scoped((sc) => addStation(sc, req.body));
      reply.code(201);
      return node;
    },
  });

  r.patch(updateStation.path, {
    config: { access: 'jurisdiction.manage' },
    schema: {
      ...schemaOf(updateStation, ['辖区']),
      params: updateStation.params,
      body: updateStation.body,
      response: { 200: updateStation.response },
    },
    handler: (req) => req.scoped((sc) => changeStation(sc, req.params.code, req.body)),
  });

  r.delete(deleteStation.path, {
    config: { access: 'jurisdiction.manage' },
    schema: {
      ...schemaOf(deleteStation, ['辖区']),
      params: deleteStation.params,
      response: { 204: deleteStation.response },
    },
    handler: async (req, reply) => {
      await req.scoped((sc) => removeStation(sc, req.params.code));
      reply.code(204);
      return null;
    },
  });
}
