import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import type { Jurisdiction } from '../../db/schema.js';
import { stationCode, stationParentAllowed } from '../../domain/jurisdiction/codes.js';
import { notFound } from '../../http/errors.js';
import { containing, offsetOf, underNode } from '../../http/paging.js';
import { schemaOf } from '../../http/contract.js';
import { createStation, deleteStation, getJurisdiction, jurisdictionChildren, listStations, updateStation } from './contract.js';
import { expectWritten } from '../../db/writes.js';


const toNode = (j: Jurisdiction & { child_count: number }) => ({
  code: j.code,
  parentCode: j.parent_code,
  level: j.level,
  name: j.name,
  address: j.address,
  servedAreas: j.served_areas,
  childCount: j.child_count,
});

const childCount = sql<number>`(SELECT count(*)::int FROM jurisdiction c WHERE c.parent_code = j.code)`.as('child_count');

/** The jurisdiction tree (GB/T 2260 divisions, read-only) and the stations county bureaus create under it. */
export async function jurisdictionRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(getJurisdiction.path, {
    config: { access: 'jurisdiction.read' },
    schema: { ...schemaOf(getJurisdiction, ['辖区']), params: getJurisdiction.params, response: { 200: getJurisdiction.response } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const j = await db.selectFrom('jurisdiction as j').selectAll('j').select(childCount).where('j.code', '=', req.params.code).executeTakeFirst();
        if (!j) throw notFound('辖区');
        return toNode(j);
      }),
  });

  r.get(jurisdictionChildren.path, {
    config: { access: 'jurisdiction.read' },
    schema: { ...schemaOf(jurisdictionChildren, ['辖区']), params: jurisdictionChildren.params, response: { 200: jurisdictionChildren.response } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const parent = await db.selectFrom('jurisdiction').select('code').where('code', '=', req.params.code).executeTakeFirst();
        if (!parent) throw notFound('辖区');
        const rows = await db.selectFrom('jurisdiction as j').selectAll('j').select(childCount).where('j.parent_code', '=', req.params.code).orderBy('j.code').execute();
        return rows.map(toNode);
      }),
  });

  r.get(listStations.path, {
    config: { access: 'jurisdiction.read' },
    schema: { ...schemaOf(listStations, ['辖区']), querystring: listStations.query, response: { 200: listStations.response } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const { under, q } = req.query;
        let base = db.selectFrom('jurisdiction as j').innerJoin('jurisdiction as county', 'county.code', 'j.parent_code').where('j.level', '=', 'station');
        if (under) base = base.where(await underNode(db, 'j.scope_key', under));
        if (q) base = base.where('j.name', 'like', containing(q));
        const [{ total }] = await base.select(sql<number>`count(*)::int`.as('total')).execute();
        const rows = await base
          .selectAll('j')
          .select(childCount)
          .select('county.name as county_name')
          .select(sql<boolean>`EXISTS (SELECT 1 FROM bureau_unit b WHERE b.jurisdiction_code = j.code AND b.kind = 'guidance_post' AND b.status = 'active')`.as('has_post'))
          .orderBy('j.code')
          .limit(req.query.pageSize)
          .offset(offsetOf(req.query))
          .execute();
        return { items: rows.map((j) => ({ ...toNode(j), countyName: j.county_name, hasGuidancePost: j.has_post })), total, page: req.query.page, pageSize: req.query.pageSize };
      }),
  });

  r.post(createStation.path, {
    config: { access: 'jurisdiction.manage' },
    schema: { ...schemaOf(createStation, ['辖区']), body: createStation.body, response: { 201: createStation.response } },
    handler: (req, reply) =>
      req.scoped(async ({ db, audit }) => {
        const { countyCode, suffix, name, address, servedAreas } = req.body;
        const county = await db
          .selectFrom('jurisdiction as j')
          .select(['j.code', 'j.level'])
          .select(sql<number>`(SELECT count(*)::int FROM jurisdiction c WHERE c.parent_code = j.code AND c.level = 'county')`.as('counties'))
          .where('j.code', '=', countyCode)
          .executeTakeFirst();
        if (!county || !stationParentAllowed(county.level, county.counties)) throw notFound('县级辖区');
        const code = stationCode(countyCode, suffix);
        const row = await db
          .insertInto('jurisdiction')
          .values({ code, parent_code: countyCode, level: 'station', name, scope_key: code, address: address ?? null, served_areas: servedAreas })
          .returningAll()
          .executeTakeFirstOrThrow();
        audit({ action: 'station.create', objectType: 'jurisdiction', objectId: code, detail: { after: { name, address, servedAreas } } });
        reply.code(201);
        return toNode({ ...row, child_count: 0 });
      }),
  });

  r.patch(updateStation.path, {
    config: { access: 'jurisdiction.manage' },
    schema: { ...schemaOf(updateStation, ['辖区']), params: updateStation.params, body: updateStation.body, response: { 200: updateStation.response } },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const before = await db.selectFrom('jurisdiction').selectAll().where('code', '=', req.params.code).where('level', '=', 'station').executeTakeFirst();
        if (!before) throw notFound('基层所');
        const { name, address, servedAreas } = req.body;
        const row = expectWritten(
          await db
            .updateTable('jurisdiction')
            .set({ name: name ?? before.name, address: address ?? before.address, served_areas: servedAreas ?? before.served_areas, updated_at: new Date() })
            .where('code', '=', before.code)
            .returningAll()
            .executeTakeFirst(),
          '基层所',
          { action: 'station.update', objectType: 'jurisdiction', objectId: before.code, detail: { after: { name, address } } },
        );
        audit({
          action: 'station.update',
          objectType: 'jurisdiction',
          objectId: before.code,
          detail: { before: { name: before.name, address: before.address, servedAreas: before.served_areas }, after: { name: row.name, address: row.address, servedAreas: row.served_areas } },
        });
        return toNode({ ...row, child_count: 0 });
      }),
  });

  r.delete(deleteStation.path, {
    config: { access: 'jurisdiction.manage' },
    schema: { ...schemaOf(deleteStation, ['辖区']), params: deleteStation.params, response: { 204: deleteStation.response } },
    handler: (req, reply) =>
      req.scoped(async ({ db, audit }) => {
        const before = await db.selectFrom('jurisdiction').selectAll().where('code', '=', req.params.code).where('level', '=', 'station').executeTakeFirst();
        if (!before) throw notFound('基层所');
        expectWritten(await db.deleteFrom('jurisdiction').where('code', '=', before.code).executeTakeFirst(), '基层所', { action: 'station.delete', objectType: 'jurisdiction', objectId: before.code });
        audit({ action: 'station.delete', objectType: 'jurisdiction', objectId: before.code, detail: { before: { name: before.name, address: before.address } } });
        reply.code(204);
        return null;
      }),
  });
}
