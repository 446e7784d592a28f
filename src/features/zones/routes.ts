import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ZONE_KIND_LABEL } from '../../domain/orgs/grouping.js';
import { schemaOf } from '../../http/contract.js';
import { listExportRoute } from '../../http/export-route.js';
import { createZone, exportZones, listZones, updateZone } from './contract.js';
import { zoneExportItems, zonePage } from './queries.js';
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

  listExportRoute(app, {
    ...exportZones,
    tags: TAGS,
    summary: '导出专业市场、园区、楼宇、商圈（xlsx，导出留痕）',
    action: 'zone.export',
    objectType: 'zone',
    read: zoneExportItems,
    file: '市场园区楼宇商圈',
    sheet: '区域',
    columns: [
      { header: '类型', width: 10, value: (z) => ZONE_KIND_LABEL[z.kind] },
      { header: '名称', width: 30, value: (z) => z.name },
      { header: '地址', width: 40, value: (z) => z.address },
      { header: '县区', width: 12, value: (z) => z.countyName },
      { header: '区域内主体数', width: 12, value: (z) => z.entities },
    ],
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
