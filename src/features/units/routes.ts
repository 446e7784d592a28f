import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Selectable } from 'kysely';
import type { BureauUnitTable } from '../../db/schema.js';
import { LEVEL_LABEL, unitKindAllowed } from '../../domain/jurisdiction/codes.js';
import { badRequest, notFound } from '../../http/errors.js';
import { codeParam, idParam, offsetOf, pageOf, pageQuery, underNode } from '../../http/paging.js';

/**
 * Bureau units: the "小个专"党委 a province/city/county bureau sets up, and the 党建工作指导站
 * at a station. One active unit of each kind per node.
 */
const kind = z.enum(['xgz_committee', 'guidance_post']);
const unit = z.object({
  id: z.number(),
  kind,
  jurisdictionCode: z.string(),
  jurisdictionName: z.string(),
  name: z.string(),
  foundedOn: z.string().nullable(),
  leaderName: z.string().nullable(),
  staffCount: z.number(),
  note: z.string().nullable(),
  status: z.enum(['active', 'dissolved']),
});
const editable = z.strictObject({
  name: z.string().trim().min(2, '名称至少 2 个字').max(80, '名称不超过 80 个字'),
  foundedOn: z.iso.date('成立日期格式应为 YYYY-MM-DD').nullable().optional(),
  leaderName: z.string().trim().max(30, '负责人姓名不超过 30 个字').nullable().optional(),
  staffCount: z.number().int().min(0).max(100000).optional(),
  note: z.string().trim().max(500, '备注不超过 500 个字').nullable().optional(),
});

const toUnit = (u: Selectable<BureauUnitTable> & { jurisdiction_name: string }) => ({
  id: u.id,
  kind: u.kind,
  jurisdictionCode: u.jurisdiction_code,
  jurisdictionName: u.jurisdiction_name,
  name: u.name,
  foundedOn: u.founded_on,
  leaderName: u.leader_name,
  staffCount: u.staff_count,
  note: u.note,
  status: u.status,
});

const counts = z.object({ code: z.string(), name: z.string(), level: z.string(), committees: z.number(), guidancePosts: z.number(), stations: z.number() });

const snapshot = (u: Selectable<BureauUnitTable>) => ({ name: u.name, foundedOn: u.founded_on, leaderName: u.leader_name, staffCount: u.staff_count, note: u.note, status: u.status });

export async function unitRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/units', {
    config: { access: 'units.read' },
    schema: {
      tags: ['党委与指导站'],
      summary: '"小个专"党委与党建工作指导站列表',
      querystring: z.strictObject({ ...pageQuery, kind: kind.optional(), under: z.string().regex(/^\d{6,9}$/).optional(), status: z.enum(['active', 'dissolved']).optional() }),
      response: { 200: pageOf(unit) },
    },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const { kind: k, under, status } = req.query;
        let base = db.selectFrom('bureau_unit as u').innerJoin('jurisdiction as j', 'j.code', 'u.jurisdiction_code');
        if (k) base = base.where('u.kind', '=', k);
        if (status) base = base.where('u.status', '=', status);
        if (under) base = base.where(await underNode(db, 'u.scope_key', under));
        const [{ total }] = await base.select(sql<number>`count(*)::int`.as('total')).execute();
        const rows = await base.selectAll('u').select('j.name as jurisdiction_name').orderBy('u.scope_key').orderBy('u.id').limit(req.query.pageSize).offset(offsetOf(req.query)).execute();
        return { items: rows.map(toUnit), total, page: req.query.page, pageSize: req.query.pageSize };
      }),
  });

  r.get('/units/summary/:code', {
    config: { access: 'units.read' },
    schema: {
      tags: ['党委与指导站'],
      summary: '本级及各下级辖区的党委、指导站与基层所数量',
      params: codeParam,
      response: { 200: z.object({ self: counts, children: z.array(counts) }) },
    },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const rows = await db
          .selectFrom('jurisdiction as c')
          .select(['c.code', 'c.name', 'c.level'])
          .select(sql<number>`(SELECT count(*)::int FROM bureau_unit u WHERE u.status = 'active' AND u.kind = 'xgz_committee' AND starts_with(u.scope_key, c.scope_key))`.as('committees'))
          .select(sql<number>`(SELECT count(*)::int FROM bureau_unit u WHERE u.status = 'active' AND u.kind = 'guidance_post' AND starts_with(u.scope_key, c.scope_key))`.as('guidancePosts'))
          .select(sql<number>`(SELECT count(*)::int FROM jurisdiction s WHERE s.level = 'station' AND starts_with(s.scope_key, c.scope_key))`.as('stations'))
          .where((eb) => eb.or([eb('c.code', '=', req.params.code), eb('c.parent_code', '=', req.params.code)]))
          .orderBy('c.code')
          .execute();
        const self = rows.find((r) => r.code === req.params.code);
        if (!self) throw notFound('辖区');
        return { self, children: rows.filter((r) => r !== self) };
      }),
  });

  r.post('/units', {
    config: { access: 'units.manage' },
    schema: { tags: ['党委与指导站'], summary: '新建党委或指导站', body: editable.extend({ kind, jurisdictionCode: z.string().regex(/^\d{6,9}$/, '辖区代码应为 6 或 9 位数字') }), response: { 201: unit } },
    handler: (req, reply) =>
      req.scoped(async ({ db, audit }) => {
        const b = req.body;
        const j = await db.selectFrom('jurisdiction').select(['code', 'name', 'level', 'scope_key']).where('code', '=', b.jurisdictionCode).executeTakeFirst();
        if (!j) throw notFound('辖区');
        if (!unitKindAllowed(b.kind, j.level)) {
          const what = b.kind === 'guidance_post' ? '党建工作指导站只能设在基层所' : '"小个专"党委只能设在省、市、县级';
          throw badRequest(`${what}（所选辖区为${LEVEL_LABEL[j.level]}）`, [{ field: 'jurisdictionCode', message: what }]);
        }
        const row = await db
          .insertInto('bureau_unit')
          .values({ kind: b.kind, jurisdiction_code: j.code, scope_key: j.scope_key, name: b.name, founded_on: b.foundedOn ?? null, leader_name: b.leaderName ?? null, staff_count: b.staffCount ?? 0, note: b.note ?? null })
          .returningAll()
          .executeTakeFirstOrThrow();
        audit({ action: 'unit.create', objectType: 'bureau_unit', objectId: row.id, detail: { after: snapshot(row) } });
        reply.code(201);
        return toUnit({ ...row, jurisdiction_name: j.name });
      }),
  });

  r.patch('/units/:id', {
    config: { access: 'units.manage' },
    schema: { tags: ['党委与指导站'], summary: '修改党委或指导站（含撤销）', params: idParam, body: editable.partial().extend({ status: z.enum(['active', 'dissolved']).optional() }), response: { 200: unit } },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const before = await db.selectFrom('bureau_unit as u').innerJoin('jurisdiction as j', 'j.code', 'u.jurisdiction_code').selectAll('u').select('j.name as jurisdiction_name').where('u.id', '=', req.params.id).executeTakeFirst();
        if (!before) throw notFound('党委或指导站');
        const b = req.body;
        const row = await db
          .updateTable('bureau_unit')
          .set({
            name: b.name ?? before.name,
            founded_on: b.foundedOn === undefined ? before.founded_on : b.foundedOn,
            leader_name: b.leaderName === undefined ? before.leader_name : b.leaderName,
            staff_count: b.staffCount ?? before.staff_count,
            note: b.note === undefined ? before.note : b.note,
            status: b.status ?? before.status,
            updated_at: new Date(),
          })
          .where('id', '=', before.id)
          .returningAll()
          .executeTakeFirstOrThrow();
        audit({ action: 'unit.update', objectType: 'bureau_unit', objectId: row.id, detail: { before: snapshot(before), after: snapshot(row) } });
        return toUnit({ ...row, jurisdiction_name: before.jurisdiction_name });
      }),
  });
}
