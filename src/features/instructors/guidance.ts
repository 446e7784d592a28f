import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import { GUIDANCE_KIND_LABEL, guidanceRefusal, type GuidanceKind } from '../../domain/instructors/instructors.js';
import { badRequest, notFound } from '../../http/errors.js';
import { containing, pageFrom, underNode } from '../../http/paging.js';
import { schemaOf } from '../../http/contract.js';
import { createGuidance, exportGuidance, listGuidance, updateGuidance } from './contract.js';
import { sendXlsx } from '../../http/xlsx.js';
import { loadInstructor } from './routes.js';
import { today } from '../../domain/time/zone.js';

type Tx = Transaction<DB>;

type Filters = { under?: string; instructorId?: number; entityId?: number; kind?: string; from?: string; to?: string; followUp?: string; q?: string };


async function filtered(db: Tx, f: Filters) {
  let q = db.selectFrom('guidance_record as g')
    .innerJoin('instructor as i', 'i.id', 'g.instructor_id').innerJoin('person as p', 'p.id', 'i.person_id')
    .leftJoin('entity as e', 'e.id', 'g.entity_id').leftJoin('party_org as o', 'o.id', 'g.org_id').leftJoin('app_user as u', 'u.id', 'g.created_by')
    .select(['g.id', 'g.instructor_id', 'p.name as instructor_name', 'g.on_date', 'g.kind', 'g.entity_id', 'e.name as entity_name', 'g.org_id', 'o.name as org_name',
      'g.content', 'g.follow_up', 'g.follow_up_done', 'u.display_name as created_by']);
  if (f.under) q = q.where(await underNode(db, 'g.scope_key', f.under));
  if (f.instructorId) q = q.where('g.instructor_id', '=', f.instructorId);
  if (f.entityId) q = q.where('g.entity_id', '=', f.entityId);
  if (f.kind) q = q.where('g.kind', '=', f.kind as GuidanceKind);
  if (f.from) q = q.where('g.on_date', '>=', f.from);
  if (f.to) q = q.where('g.on_date', '<=', f.to);
  if (f.followUp === 'open') q = q.where('g.follow_up', 'is not', null).where('g.follow_up_done', '=', false);
  if (f.followUp === 'done') q = q.where('g.follow_up_done', '=', true);
  if (f.q) q = q.where((eb) => eb.or([eb('e.name', 'like', containing(f.q!)), eb('o.name', 'like', containing(f.q!)), eb('g.content', 'like', containing(f.q!))]));
  return q;
}

type Row = Awaited<ReturnType<Awaited<ReturnType<typeof filtered>>['execute']>>[number];
const toItem = (g: Row) => ({
  id: g.id, instructorId: g.instructor_id, instructorName: g.instructor_name, onDate: g.on_date, kind: g.kind, kindLabel: GUIDANCE_KIND_LABEL[g.kind],
  entityId: g.entity_id, entityName: g.entity_name, orgId: g.org_id, orgName: g.org_name, content: g.content, followUp: g.follow_up, followUpDone: g.follow_up_done, createdBy: g.created_by,
});

/** Guidance records (指导记录): what an instructor did where, and what is to follow. */
export async function guidanceRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(listGuidance.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(listGuidance, ['党建指导员']), querystring: listGuidance.query, response: { 200: listGuidance.response } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const q = await filtered(db, req.query);
        return pageFrom(q, req.query, (q) => q.orderBy('g.on_date', 'desc').orderBy('g.id', 'desc'), toItem);
      }),
  });

  r.get(exportGuidance.path, {
    config: { access: 'data.read' },
    schema: { tags: ['党建指导员'], summary: '导出指导记录（xlsx，导出留痕）', querystring: exportGuidance.query },
    handler: async (req, reply) => {
      const rows = await req.scoped(async ({ db, audit }) => {
        const rows = await (await filtered(db, req.query)).orderBy('g.on_date', 'desc').limit(100_000).execute();
        audit({ action: 'guidance.export', objectType: 'guidance_record', detail: { filters: req.query, rows: rows.length } });
        return rows.map(toItem);
      });
      return sendXlsx(reply, `指导记录-${today()}.xlsx`, '指导记录', [
        { header: '日期', width: 12, value: (g) => g.onDate },
        { header: '指导员', width: 10, value: (g) => g.instructorName },
        { header: '方式', width: 12, value: (g) => g.kindLabel },
        { header: '市场主体', width: 30, value: (g) => g.entityName },
        { header: '党组织', width: 30, value: (g) => g.orgName },
        { header: '指导内容', width: 50, value: (g) => g.content },
        { header: '后续事项', width: 30, value: (g) => g.followUp },
        { header: '后续办结', width: 10, value: (g) => (g.followUp ? (g.followUpDone ? '已办结' : '未办结') : '') },
        { header: '登记人', width: 10, value: (g) => g.createdBy },
      ], rows);
    },
  });

  r.post(createGuidance.path, {
    config: { access: 'guidance.write' },
    schema: { ...schemaOf(createGuidance, ['党建指导员']), body: createGuidance.body, response: { 201: createGuidance.response } },
    handler: async (req, reply) => {
      const b = req.body;
      const refusal = guidanceRefusal(b.onDate, today());
      if (refusal) throw badRequest(refusal.message, [refusal]);
      if (!b.entityId && !b.orgId) throw badRequest('请选择指导的市场主体或党组织', [{ field: 'entityId', message: '请选择市场主体或党组织' }]);
      const id = await req.scoped(async ({ db, audit }) => {
        const instructor = await loadInstructor(db, b.instructorId);
        const where = b.entityId
          ? await db.selectFrom('entity').select('scope_key').where('id', '=', b.entityId).executeTakeFirst()
          : await db.selectFrom('party_org').select('scope_key').where('id', '=', b.orgId!).executeTakeFirst();
        if (!where) throw notFound(b.entityId ? '市场主体' : '党组织');
        const row = await db.insertInto('guidance_record').values({
          instructor_id: instructor.id, entity_id: b.entityId ?? null, org_id: b.orgId ?? null, on_date: b.onDate, kind: b.kind, content: b.content,
          follow_up: b.followUp || null, scope_key: where.scope_key, created_by: req.user!.id,
        }).returning('id').executeTakeFirstOrThrow();
        audit({ action: 'guidance.create', objectType: 'guidance_record', objectId: row.id, detail: { instructorId: instructor.id, entityId: b.entityId ?? null, orgId: b.orgId ?? null, kind: b.kind } });
        return row.id;
      });
      return reply.code(201).send({ id });
    },
  });

  r.patch(updateGuidance.path, {
    config: { access: 'guidance.write' },
    schema: { ...schemaOf(updateGuidance, ['党建指导员']), params: updateGuidance.params, body: updateGuidance.body, response: { 200: updateGuidance.response } },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const before = await db.selectFrom('guidance_record').selectAll().where('id', '=', req.params.id).executeTakeFirst();
        if (!before) throw notFound('指导记录');
        const followUp = req.body.followUp === undefined ? before.follow_up : req.body.followUp;
        const done = req.body.followUpDone ?? before.follow_up_done;
        if (done && !followUp) throw badRequest('没有后续事项，无需办结', [{ field: 'followUpDone', message: '请先填写后续事项' }]);
        await db.updateTable('guidance_record').set({ follow_up: followUp, follow_up_done: done }).where('id', '=', before.id).execute();
        audit({ action: 'guidance.update', objectType: 'guidance_record', objectId: before.id, detail: { followUpDone: done } });
        return { id: before.id, followUpDone: done };
      }),
  });
}
