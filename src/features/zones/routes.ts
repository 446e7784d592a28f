import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { notFound, badRequest } from '../../http/errors.js';
import { containing, offsetOf } from '../../http/paging.js';
import { schemaOf } from '../../http/contract.js';
import { createZone, listZones, updateZone } from './contract.js';
import { expectWritten } from '../../db/writes.js';

const TAGS = ['区域'];

/** Zones: professional markets, parks, buildings and business districts, with the entities inside. */
export async function zoneRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(listZones.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(listZones, TAGS), querystring: listZones.query, response: { 200: listZones.response } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        let base = db.selectFrom('zone as z').innerJoin('jurisdiction as c', 'c.code', 'z.county_code');
        if (req.query.kind) base = base.where('z.kind', '=', req.query.kind);
        if (req.query.q) base = base.where('z.name', 'like', containing(req.query.q));
        const [{ total }] = await base.select(sql<number>`count(*)::int`.as('total')).execute();
        const rows = await base.select(['z.id', 'z.kind', 'z.name', 'z.address', 'z.county_code', 'c.name as county_name'])
          .select(sql<number>`(SELECT count(*)::int FROM entity_zone ez WHERE ez.zone_id = z.id)`.as('entities'))
          .orderBy('z.county_code').orderBy('z.name').limit(req.query.pageSize).offset(offsetOf(req.query)).execute();
        return { items: rows.map((z) => ({ id: z.id, kind: z.kind, name: z.name, address: z.address, countyCode: z.county_code, countyName: z.county_name, entities: z.entities })), total, page: req.query.page, pageSize: req.query.pageSize };
      }),
  });

  r.post(createZone.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(createZone, TAGS), body: createZone.body, response: { 201: createZone.response } },
    handler: (req, reply) =>
      req.scoped(async ({ db, audit }) => {
        const c = await db.selectFrom('jurisdiction').select(['code', 'scope_key', 'level']).where('code', '=', req.body.countyCode).executeTakeFirst();
        if (!c || c.level === 'station') throw notFound('县区');
        if (c.level !== 'county' && c.level !== 'city') throw badRequest('区域须建在县区', [{ field: 'countyCode', message: '请选择县区' }]);
        const row = await db.insertInto('zone').values({ kind: req.body.kind, name: req.body.name, address: req.body.address ?? null, county_code: c.code, scope_key: c.scope_key }).returning('id').executeTakeFirstOrThrow();
        audit({ action: 'zone.create', objectType: 'zone', objectId: row.id, detail: { after: req.body } });
        reply.code(201);
        return row;
      }),
  });

  r.patch(updateZone.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(updateZone, TAGS), params: updateZone.params, body: updateZone.body, response: { 200: updateZone.response } },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const z0 = await db.selectFrom('zone').selectAll().where('id', '=', req.params.id).executeTakeFirst();
        if (!z0) throw notFound('区域');
        const b = req.body;
        const entry = { action: 'zone.update', objectType: 'zone', objectId: z0.id, detail: { before: { name: z0.name, kind: z0.kind, address: z0.address }, after: b } };
        expectWritten(await db.updateTable('zone').set({ name: b.name ?? z0.name, kind: b.kind ?? z0.kind, address: b.address === undefined ? z0.address : b.address, updated_at: new Date() }).where('id', '=', z0.id).executeTakeFirst(), '区域', entry);
        audit(entry);
        return { id: z0.id };
      }),
  });
}
