import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { schemaOf } from '../../http/contract.js';
import { pageFrom } from '../../http/paging.js';
import type { Column } from '../../http/xlsx.js';
import {
  addRider,
  createStation,
  exportStations,
  getStation,
  listStations,
  recordRiderCount,
  revealRider,
  riderLeaves,
  updateStation,
} from './contract.js';
import { riderIdentity, stationDetail, stationsFiltered, toStation } from './queries.js';
import { changeStation, countRiders, registerRider, registerStation, riderLeaves as leave } from './writes.js';
import { TAGS } from './tags.js';
import { listExportRoute, exportReadRows } from '../../http/export-route.js';

const STATION_COLUMNS: Column<ReturnType<typeof toStation>>[] = [
  { header: '配送站点', width: 24, value: (s) => s.name },
  { header: '平台企业', width: 20, value: (s) => s.platformName },
  { header: '业态', width: 10, value: (s) => s.businessLabel },
  { header: '合作商', width: 24, value: (s) => s.partnerName },
  { header: '县区', width: 10, value: (s) => s.countyName },
  { header: '基层所', width: 16, value: (s) => s.stationName },
  { header: '地址', width: 30, value: (s) => s.address },
  { header: '状态', width: 8, value: (s) => s.statusLabel },
  { header: '骑手数（最新）', width: 12, value: (s) => s.riders },
  { header: '统计日期', width: 12, value: (s) => s.ridersAsOf },
  { header: '党员骑手', width: 10, value: (s) => s.memberRiders },
  { header: '入党积极分子', width: 12, value: (s) => s.activists },
  { header: '组织覆盖', width: 10, value: (s) => (s.anyOrg ? '是' : '否') },
  { header: '工作覆盖', width: 10, value: (s) => (s.work ? '是' : '否') },
];

/** Delivery stations, their rider counts and the member and activist riders on record. */
export async function stationRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const keys = app.ctx.keys;

  r.get(listStations.path, {
    config: { access: 'data.read' },
    schema: {
      ...schemaOf(listStations, TAGS),
      querystring: listStations.query,
      response: { 200: listStations.response },
    },
    handler: (req) =>
      req.scoped(async ({ db }) =>
        pageFrom(
          await stationsFiltered(db, req.query),
          req.query,
          (q) => q.orderBy('s.county_code').orderBy('s.name').orderBy('s.id'),
          toStation,
        ),
      ),
  });

  listExportRoute(app, {
    ...exportStations,
    tags: TAGS,
    action: 'delivery_station.export',
    objectType: 'delivery_station',
    read: async (db, q) =>
      (await stationsFiltered(db, q))
        .orderBy('s.county_code')
        .orderBy('s.name')
        .limit(exportReadRows())
        .execute()
        .then((rows) => rows.map(toStation)),
    file: '配送站点',
    sheet: '配送站点',
    columns: STATION_COLUMNS,
  });

  r.post(createStation.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(createStation, TAGS), body: createStation.body, response: { 201: createStation.response } },
    handler: async (req, reply) => {
      const id = await req.scoped((sc) => registerStation(sc, req.body));
      return reply.code(201).send({ id });
    },
  });

  r.get(getStation.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(getStation, TAGS), params: getStation.params, response: { 200: getStation.response } },
    handler: (req) => req.scoped(({ db }) => stationDetail(db, keys, req.params.id)),
  });

  r.patch(updateStation.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(updateStation, TAGS),
      params: updateStation.params,
      body: updateStation.body,
      response: { 200: updateStation.response },
    },
    handler: (req) => req.scoped((sc) => changeStation(sc, req.params.id, req.body)),
  });

  r.post(recordRiderCount.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(recordRiderCount, TAGS),
      params: recordRiderCount.params,
      body: recordRiderCount.body,
      response: { 201: recordRiderCount.response },
    },
    handler: async (req, reply) => {
      const id = await req.scoped((sc) => countRiders(sc, req.user!, req.params.id, req.body));
      return reply.code(201).send({ id });
    },
  });

  r.post(addRider.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(addRider, TAGS),
      params: addRider.params,
      body: addRider.body,
      response: { 201: addRider.response },
    },
    handler: async (req, reply) => {
      const id = await req.scoped((sc) => registerRider(sc, keys, req.params.id, req.body));
      return reply.code(201).send({ id });
    },
  });

  r.post(riderLeaves.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(riderLeaves, TAGS),
      params: riderLeaves.params,
      body: riderLeaves.body,
      response: { 200: riderLeaves.response },
    },
    handler: (req) => req.scoped((sc) => leave(sc, req.params.id, req.params.key, req.body.leftOn)),
  });

  r.post(revealRider.path, {
    config: { access: 'personal.reveal' },
    schema: { ...schemaOf(revealRider, TAGS), params: revealRider.params, response: { 200: revealRider.response } },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const x = await riderIdentity(db, keys, req.params.id, req.params.key);
        audit({
          action: 'personal.reveal',
          objectType: 'person',
          objectId: x.personId,
          detail: { riderId: x.riderId, deliveryStationId: x.stationId, fields: ['id_number', 'phone'] },
        });
        return { idNumber: x.idNumber, phone: x.phone };
      }),
  });
}
