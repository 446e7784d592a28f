import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import type { Selectable } from 'kysely';
import type { BureauUnitTable } from '../../db/schema.js';
import { LEVEL_LABEL, unitKindAllowed } from '../../domain/jurisdiction/codes.js';
import { badRequest, notFound } from '../../http/errors.js';
import { offsetOf, underNode } from '../../http/paging.js';
import { schemaOf } from '../../http/contract.js';
import { createUnit, listUnits, unitSummary, updateUnit } from './contract.js';

/**
 * Bureau units: the "小个专"党委 a province/city/county bureau sets up, and the 党建工作指导站
 * at a station. One active unit of each kind per node.
 */

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


const snapshot = (u: Selectable<BureauUnitTable>) => ({ name: u.name, foundedOn: u.founded_on, leaderName: u.leader_name, staffCount: u.staff_count, note: u.note, status: u.status });

export async function unitRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(listUnits.path, {
    config: { access: 'units.read' },
    schema: { ...schemaOf(listUnits, ['党委与指导站']), querystring: listUnits.query, response: { 200: listUnits.response } },
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

  r.get(unitSummary.path, {
    config: { access: 'units.read' },
    schema: { ...schemaOf(unitSummary, ['党委与指导站']), params: unitSummary.params, response: { 200: unitSummary.response } },
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

  r.post(createUnit.path, {
    config: { access: 'units.manage' },
    schema: { ...schemaOf(createUnit, ['党委与指导站']), body: createUnit.body, response: { 201: createUnit.response } },
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

  r.patch(updateUnit.path, {
    config: { access: 'units.manage' },
    schema: { ...schemaOf(updateUnit, ['党委与指导站']), params: updateUnit.params, body: updateUnit.body, response: { 200: updateUnit.response } },
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
