import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { z } from 'zod';
import { notFound, badRequest } from '../../http/errors.js';
import { containing, idParam, offsetOf, pageOf, pageQuery } from '../../http/paging.js';

const kind = z.enum(['market', 'park', 'building', 'district']);
const zone = z.object({ id: z.number(), kind, name: z.string(), address: z.string().nullable(), countyCode: z.string(), countyName: z.string(), entities: z.number() });
const editable = z.strictObject({ name: z.string().trim().min(2, '名称至少 2 个字').max(100), kind, address: z.string().trim().max(300).nullable().optional() });

/** Zones: professional markets, parks, buildings and business districts, with the entities inside. */
export async function zoneRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/zones', {
    config: { access: 'data.read' },
    schema: { tags: ['区域'], summary: '专业市场、园区、楼宇、商圈', querystring: z.strictObject({ ...pageQuery, kind: kind.optional(), q: z.string().trim().max(60).optional() }), response: { 200: pageOf(zone) } },
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

  r.post('/zones', {
    config: { access: 'data.write' },
    schema: { tags: ['区域'], summary: '新建区域', body: editable.extend({ countyCode: z.string().regex(/^\d{6}$/, '县区代码应为 6 位') }), response: { 201: z.object({ id: z.number() }) } },
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

  r.patch('/zones/:id', {
    config: { access: 'data.write' },
    schema: { tags: ['区域'], summary: '修改区域', params: idParam, body: editable.partial(), response: { 200: z.object({ id: z.number() }) } },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const z0 = await db.selectFrom('zone').selectAll().where('id', '=', req.params.id).executeTakeFirst();
        if (!z0) throw notFound('区域');
        const b = req.body;
        await db.updateTable('zone').set({ name: b.name ?? z0.name, kind: b.kind ?? z0.kind, address: b.address === undefined ? z0.address : b.address, updated_at: new Date() }).where('id', '=', z0.id).execute();
        audit({ action: 'zone.update', objectType: 'zone', objectId: z0.id, detail: { before: { name: z0.name, kind: z0.kind, address: z0.address }, after: b } });
        return { id: z0.id };
      }),
  });
}
