import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { forbidden } from '../../http/errors.js';
import { schemaOf } from '../../http/contract.js';
import { listExportRoute } from '../../http/export-route.js';
import {
  assignStations,
  deleteStationRule,
  exportUnassigned,
  listStationRules,
  listUnassigned as unassignedList,
} from './contract.js';
import { followEntityChange } from '../entities/index.js';
import { assignStation, deleteRule, listRules, listUnassigned, unassignedExportItems } from './service.js';

const TAGS = ['市场主体'];

/**
 * 待分配基层所: the county's list of entities no station was found for, bulk assignment (chosen
 * rows, or every address naming a road, street or keyword), and the keyword rules remembered
 * for the next imports.
 */
export async function stationAssignmentRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(unassignedList.path, {
    config: { access: 'data.read' },
    schema: {
      ...schemaOf(unassignedList, TAGS),
      querystring: unassignedList.query,
      response: { 200: unassignedList.response },
    },
    handler: (req) => req.scoped(({ db }) => listUnassigned(db, req.query)),
  });

  listExportRoute(app, {
    ...exportUnassigned,
    tags: TAGS,
    summary: '导出待分配基层所的市场主体（xlsx，导出留痕）',
    action: 'entity.unassigned_export',
    objectType: 'entity',
    read: unassignedExportItems,
    file: '待分配基层所',
    sheet: '待分配基层所',
    columns: [
      { header: '统一社会信用代码', width: 22, value: (e) => e.uscc },
      { header: '注册号', width: 18, value: (e) => e.regNo },
      { header: '名称', width: 36, value: (e) => e.name },
      { header: '主体类型', width: 14, value: (e) => e.kindLabel },
      { header: '住所', width: 44, value: (e) => e.address },
      { header: '县区', width: 12, value: (e) => e.countyName },
    ],
  });

  r.post(assignStations.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(assignStations, TAGS),
      body: assignStations.body,
      response: { 200: assignStations.response },
    },
    handler: (req) => {
      if (req.user!.scopeKey.length > 6) throw forbidden('基层所由县级及以上市场监管局分配');
      return req.scoped(async (sc) => {
        const res = await assignStation(sc.db, req.user!.id, req.body);
        sc.audit({
          action: 'entity.assign_station',
          objectType: 'jurisdiction',
          objectId: res.station.code,
          detail: {
            stationCode: res.station.code,
            assigned: res.assigned,
            keyword: req.body.keyword ?? null,
            entityIds: req.body.entityIds?.slice(0, 100) ?? null,
            ruleId: res.ruleId,
          },
        });
        // Their cases and the running visit plans naming them go to the station along with them.
        await followEntityChange(sc, res.ids, { source: 'entity', label: `分配基层所（${res.station.name}）` });
        return { assigned: res.assigned, ruleId: res.ruleId };
      });
    },
  });

  r.get(listStationRules.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(listStationRules, TAGS), response: { 200: listStationRules.response } },
    handler: (req) => req.scoped(async ({ db }) => ({ items: await listRules(db) })),
  });

  r.delete(deleteStationRule.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(deleteStationRule, TAGS), params: deleteStationRule.params },
    handler: async (req, reply) => {
      await req.scoped(async ({ db, audit }) => {
        const gone = await deleteRule(db, req.params.id);
        audit({
          action: 'station_rule.delete',
          objectType: 'station_rule',
          objectId: gone.id,
          detail: { before: gone },
        });
      });
      return reply.code(204).send();
    },
  });
}
