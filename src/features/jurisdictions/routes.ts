import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Jurisdiction } from '../../db/schema.js';
import { STATION_SUFFIX, stationCode, stationParentAllowed } from '../../domain/jurisdiction/codes.js';
import { notFound } from '../../http/errors.js';
import { codeParam, containing, offsetOf, pageOf, pageQuery, underNode } from '../../http/paging.js';

const node = z.object({
  code: z.string(),
  parentCode: z.string().nullable(),
  level: z.enum(['nation', 'province', 'city', 'county', 'station']),
  name: z.string(),
  address: z.string().nullable(),
  servedAreas: z.array(z.string()),
  childCount: z.number(),
});

const stationBody = z.strictObject({
  name: z.string().trim().min(2, '名称至少 2 个字').max(60, '名称不超过 60 个字'),
  address: z.string().trim().max(200, '地址不超过 200 个字').optional(),
  servedAreas: z.array(z.string().trim().min(1).max(40)).max(60, '服务的乡镇（街道）不超过 60 个').default([]),
});

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

  r.get('/jurisdictions/:code', {
    config: { access: 'jurisdiction.read' },
    schema: { tags: ['辖区'], summary: '辖区节点', params: codeParam, response: { 200: node } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const j = await db.selectFrom('jurisdiction as j').selectAll('j').select(childCount).where('j.code', '=', req.params.code).executeTakeFirst();
        if (!j) throw notFound('辖区');
        return toNode(j);
      }),
  });

  r.get('/jurisdictions/:code/children', {
    config: { access: 'jurisdiction.read' },
    schema: { tags: ['辖区'], summary: '下级辖区（逐级加载）', params: codeParam, response: { 200: z.array(node) } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const parent = await db.selectFrom('jurisdiction').select('code').where('code', '=', req.params.code).executeTakeFirst();
        if (!parent) throw notFound('辖区');
        const rows = await db.selectFrom('jurisdiction as j').selectAll('j').select(childCount).where('j.parent_code', '=', req.params.code).orderBy('j.code').execute();
        return rows.map(toNode);
      }),
  });

  r.get('/stations', {
    config: { access: 'jurisdiction.read' },
    schema: {
      tags: ['辖区'],
      summary: '基层市场监管所列表',
      querystring: z.strictObject({ ...pageQuery, under: z.string().regex(/^\d{6}$/).optional(), q: z.string().trim().max(40).optional() }),
      response: { 200: pageOf(node.extend({ countyName: z.string(), hasGuidancePost: z.boolean() })) },
    },
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

  r.post('/stations', {
    config: { access: 'jurisdiction.manage' },
    schema: {
      tags: ['辖区'],
      summary: '新建基层所（县局）',
      body: stationBody.extend({
        countyCode: z.string().regex(/^\d{6}$/, '所属县级辖区代码应为 6 位数字'),
        suffix: z.string().regex(STATION_SUFFIX, '所代码应为 3 位数字，在本县内唯一'),
      }),
      response: { 201: node },
    },
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

  r.patch('/stations/:code', {
    config: { access: 'jurisdiction.manage' },
    schema: { tags: ['辖区'], summary: '修改基层所', params: codeParam, body: stationBody.partial(), response: { 200: node } },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const before = await db.selectFrom('jurisdiction').selectAll().where('code', '=', req.params.code).where('level', '=', 'station').executeTakeFirst();
        if (!before) throw notFound('基层所');
        const { name, address, servedAreas } = req.body;
        const row = await db
          .updateTable('jurisdiction')
          .set({ name: name ?? before.name, address: address ?? before.address, served_areas: servedAreas ?? before.served_areas, updated_at: new Date() })
          .where('code', '=', before.code)
          .returningAll()
          .executeTakeFirstOrThrow();
        audit({
          action: 'station.update',
          objectType: 'jurisdiction',
          objectId: before.code,
          detail: { before: { name: before.name, address: before.address, servedAreas: before.served_areas }, after: { name: row.name, address: row.address, servedAreas: row.served_areas } },
        });
        return toNode({ ...row, child_count: 0 });
      }),
  });

  r.delete('/stations/:code', {
    config: { access: 'jurisdiction.manage' },
    schema: { tags: ['辖区'], summary: '删除基层所（无账号、无指导站时）', params: codeParam, response: { 204: z.null() } },
    handler: (req, reply) =>
      req.scoped(async ({ db, audit }) => {
        const before = await db.selectFrom('jurisdiction').selectAll().where('code', '=', req.params.code).where('level', '=', 'station').executeTakeFirst();
        if (!before) throw notFound('基层所');
        await db.deleteFrom('jurisdiction').where('code', '=', before.code).execute();
        audit({ action: 'station.delete', objectType: 'jurisdiction', objectId: before.code, detail: { before: { name: before.name, address: before.address } } });
        reply.code(204);
        return null;
      }),
  });
}
