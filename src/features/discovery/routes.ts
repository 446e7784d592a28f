import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql, type Transaction } from 'kysely';
import { z } from 'zod';
import type { DB } from '../../db/schema.js';
import { decryptField } from '../../crypto/field.js';
import { maskPhone } from '../../domain/identifiers/id-number.js';
import { ACTION_LABEL, STATE_LABEL, allowedActions, transition, type CaseKind, type CaseState } from '../../domain/cases/workflow.js';
import { badRequest, conflict, notFound } from '../../http/errors.js';
import { idParam, offsetOf, pageOf, pageQuery, underNode } from '../../http/paging.js';
import { runDiscovery } from '../../jobs/discovery/run.js';
import { memberFromReport } from './self-report.js';

export const KIND_LABEL: Record<CaseKind, string> = { hidden_member: '隐形党员', pocket_member: '口袋党员', entity_without_org: '有党员未建组织', declared_not_found: '申报有党员但未找到', self_report: '党员报到（本人报告）' };
const kind = z.enum(['hidden_member', 'pocket_member', 'entity_without_org', 'declared_not_found', 'self_report']);
const state = z.enum(['open', 'contacted', 'confirmed', 'dismissed', 'transferred']);
const run = z.object({ id: z.number(), status: z.string(), step: z.string().nullable(), counts: z.record(z.string(), z.number()), error: z.string().nullable(), startedAt: z.date(), finishedAt: z.date().nullable() });
const toRun = (r: { id: number; status: string; step: string | null; counts: unknown; error: string | null; started_at: Date; finished_at: Date | null }) => ({
  id: r.id, status: r.status, step: r.step, counts: (r.counts ?? {}) as Record<string, number>, error: r.error, startedAt: r.started_at, finishedAt: r.finished_at,
});

async function loadCase(db: Transaction<DB>, id: number) {
  const c = await db.selectFrom('discovery_case').selectAll().where('id', '=', id).executeTakeFirst();
  if (!c) throw notFound('线索');
  return c;
}

/** 查找党员: discovery runs and the verification work list (组织找党员). */
export async function discoveryRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post('/discovery/runs', {
    config: { access: 'data.write' },
    schema: { tags: ['查找党员'], summary: '在本辖区运行一次比对（后台进行）', response: { 202: run } },
    handler: async (req, reply) => {
      const row = await req.scoped(async ({ db }) => {
        const busy = await db.selectFrom('discovery_run').select('id').where('status', '=', 'running').where('started_at', '>', new Date(Date.now() - 3_600_000)).executeTakeFirst();
        if (busy) throw conflict('本辖区已有比对在进行，请稍候');
        return db.insertInto('discovery_run').values({ scope_key: req.user!.scopeKey, created_by: req.user!.id, step: '排队' }).returningAll().executeTakeFirstOrThrow();
      });
      const who = req.principal();
      const running: Promise<unknown> = runDiscovery(app.ctx, who, row.id)
        .catch((err) => req.log.error({ err }, 'discovery failed'))
        .finally(() => app.discoveryRuns.delete(running));
      app.discoveryRuns.add(running);
      return reply.code(202).send(toRun(row));
    },
  });

  r.get('/discovery/runs/:id', {
    config: { access: 'data.read' },
    schema: { tags: ['查找党员'], summary: '比对进度', params: idParam, response: { 200: run } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const row = await db.selectFrom('discovery_run').selectAll().where('id', '=', req.params.id).executeTakeFirst();
        if (!row) throw notFound('比对任务');
        return toRun(row);
      }),
  });

  r.get('/cases', {
    config: { access: 'data.read' },
    schema: {
      tags: ['查找党员'],
      summary: '核实线索（本辖区）',
      querystring: z.strictObject({ ...pageQuery, kind: kind.optional(), state: state.optional(), under: z.string().regex(/^\d{6,9}$/).optional() }),
      response: { 200: pageOf(z.object({ id: z.number(), kind, kindLabel: z.string(), state, stateLabel: z.string(), entityId: z.number().nullable(), entityName: z.string(), stationName: z.string().nullable(), memberName: z.string().nullable(), updatedAt: z.date(), actions: z.array(z.string()) })) },
    },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        let base = db.selectFrom('discovery_case as d').leftJoin('entity as e', 'e.id', 'd.entity_id').leftJoin('self_report as sr', 'sr.id', 'd.self_report_id');
        if (req.query.kind) base = base.where('d.kind', '=', req.query.kind);
        if (req.query.state) base = base.where('d.state', '=', req.query.state);
        if (req.query.under) base = base.where(await underNode(db, 'd.scope_key', req.query.under));
        const [{ total }] = await base.select(sql<number>`count(*)::int`.as('total')).execute();
        const rows = await base
          .leftJoin('jurisdiction as st', 'st.code', 'e.station_code')
          .leftJoin('member as m', 'm.id', 'd.member_id')
          .leftJoin('person as p', 'p.id', 'm.person_id')
          .select(['d.id', 'd.kind', 'd.state', 'd.entity_id', 'st.name as station_name', 'd.updated_at'])
          .select(sql<string>`coalesce(e.name, sr.entity_text)`.as('entity_name'))
          .select(sql<string | null>`coalesce(p.name, sr.name)`.as('member_name'))
          .orderBy(sql`CASE d.state WHEN 'open' THEN 0 WHEN 'contacted' THEN 1 ELSE 2 END`).orderBy('d.id', 'desc')
          .limit(req.query.pageSize).offset(offsetOf(req.query)).execute();
        return {
          items: rows.map((c) => ({ id: c.id, kind: c.kind, kindLabel: KIND_LABEL[c.kind], state: c.state as CaseState, stateLabel: STATE_LABEL[c.state as CaseState], entityId: c.entity_id, entityName: c.entity_name, stationName: c.station_name, memberName: c.member_name, updatedAt: c.updated_at, actions: allowedActions(c.kind, c.state as CaseState) })),
          total, page: req.query.page, pageSize: req.query.pageSize,
        };
      }),
  });

  r.get('/cases/:id', {
    config: { access: 'data.read' },
    schema: { tags: ['查找党员'], summary: '线索详情：证据与处理记录', params: idParam },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const c = await loadCase(db, req.params.id);
        const entity = c.entity_id ? await db.selectFrom('entity').select(['id', 'name', 'uscc']).where('id', '=', c.entity_id).executeTakeFirstOrThrow() : null;
        const report = c.self_report_id ? await db.selectFrom('self_report').selectAll().where('id', '=', c.self_report_id).executeTakeFirstOrThrow() : null;
        const member = c.member_id
          ? await db.selectFrom('member as m').innerJoin('person as p', 'p.id', 'm.person_id').select(['m.id', 'p.name', 'p.birth_date', 'p.phone_enc', 'm.org_relation', 'm.member_status', 'm.membership', 'm.confidence', 'm.sources']).where('m.id', '=', c.member_id).executeTakeFirst()
          : null;
        const raisedBy = c.raised_by ? await db.selectFrom('app_user').select('display_name').where('id', '=', c.raised_by).executeTakeFirst() : null;
        const raised = { id: 0, at: c.created_at, action: 'raised', from_state: null, to_state: 'open', detail: null, display_name: raisedBy?.display_name ?? (c.kind === 'self_report' ? '党员本人（报到）' : null) };
        const moves = await db.selectFrom('case_event as ev').leftJoin('app_user as u', 'u.id', 'ev.actor_id').select(['ev.id', 'ev.at', 'ev.action', 'ev.from_state', 'ev.to_state', 'ev.detail', 'u.display_name']).where('ev.case_id', '=', c.id).orderBy('ev.id').execute();
        const events = [raised, ...moves];
        return {
          id: c.id, kind: c.kind, kindLabel: KIND_LABEL[c.kind], state: c.state, stateLabel: STATE_LABEL[c.state as CaseState], evidence: c.evidence, entity,
          report: report && { name: report.name, phone: maskPhone(decryptField(app.ctx.keys, report.phone_enc)), entityText: report.entity_text, orgRelation: report.org_relation, reportedAt: report.created_at },
          member: member && { id: member.id, name: member.name, birthDate: member.birth_date, phone: member.phone_enc ? maskPhone(decryptField(app.ctx.keys, member.phone_enc)) : null, orgRelation: member.org_relation, memberStatus: member.member_status, membership: member.membership, confidence: member.confidence, sources: member.sources },
          events: events.map((e) => ({ id: e.id, at: e.at, action: e.action, actionLabel: ACTION_LABEL[e.action as 'confirm'] ?? ({ raised: '发现线索', reopened: '证据变化，重新核实', evidence_changed: '证据更新' } as Record<string, string>)[e.action] ?? e.action, from: e.from_state, to: e.to_state, detail: e.detail, actor: e.display_name ?? '系统' })),
          actions: allowedActions(c.kind, c.state as CaseState),
        };
      }),
  });

  r.post('/cases/:id/actions', {
    config: { access: 'data.write' },
    schema: {
      tags: ['查找党员'],
      summary: '处理线索：记录联系、确认、排除（须写原因）、记录组织关系转接、重新核实',
      params: idParam,
      body: z.strictObject({
        action: z.enum(['contact', 'confirm', 'dismiss', 'transfer', 'reopen']),
        reason: z.string().trim().max(500).optional(),
        contact: z.strictObject({ date: z.iso.date('日期格式应为 YYYY-MM-DD'), way: z.enum(['visit', 'phone', 'message', 'other']), outcome: z.string().trim().min(1, '请填写联系结果').max(500) }).optional(),
        transfer: z.strictObject({ from: z.string().trim().min(1, '请填写转出党组织').max(200), to: z.string().trim().min(1, '请填写转入党组织').max(200), date: z.iso.date('日期格式应为 YYYY-MM-DD') }).optional(),
      }),
    },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const c = await loadCase(db, req.params.id);
        const b = req.body;
        const move = transition(c.kind, c.state as CaseState, b.action);
        if (!move.ok) throw conflict(move.reason);
        if (b.action === 'dismiss' && !b.reason) throw badRequest('排除线索须写明原因', [{ field: 'reason', message: '请填写排除原因' }]);
        if (b.action === 'contact' && !b.contact) throw badRequest('请填写联系情况', [{ field: 'contact', message: '请填写联系日期、方式和结果' }]);
        if (b.action === 'transfer' && !b.transfer) throw badRequest('请填写组织关系转接情况', [{ field: 'transfer', message: '请填写转出、转入党组织和日期' }]);
        await db.updateTable('discovery_case').set({ state: move.to, updated_at: new Date() }).where('id', '=', c.id).execute();
        const detail = { reason: b.reason, contact: b.contact, transfer: b.transfer };
        await db.insertInto('case_event').values({ case_id: c.id, actor_id: req.user!.id, action: b.action, from_state: c.state, to_state: move.to, detail: JSON.stringify(detail), scope_key: c.scope_key }).execute();
        if (c.self_report_id && b.action === 'confirm') await memberFromReport(db, app.ctx.keys, c.self_report_id, c.scope_key);
        if (c.member_id && b.action === 'confirm') {
          await sql`UPDATE member SET confidence = 'confirmed', sources = (SELECT array_agg(DISTINCT s) FROM unnest(sources || ARRAY['staff']) s), updated_at = now() WHERE id = ${c.member_id}`.execute(db);
        }
        if (c.member_id && b.action === 'transfer') {
          await db.updateTable('member').set({ org_relation: b.transfer!.to, updated_at: new Date() }).where('id', '=', c.member_id).execute();
        }
        audit({ action: `case.${b.action}`, objectType: 'discovery_case', objectId: c.id, detail: { kind: c.kind, from: c.state, to: move.to, ...detail } });
        return { id: c.id, state: move.to, stateLabel: STATE_LABEL[move.to] };
      }),
  });
}
