import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import { AWARD_LEVEL_LABEL, HONOUR_ACTION_LABEL, HONOUR_STATE_LABEL, honourActions, honourTransition, nominationProblem } from '../../domain/recognition/honours.js';
import { badRequest, notFound } from '../../http/errors.js';
import { containing, pageFrom, underNode } from '../../http/paging.js';
import { sendXlsx, type Column } from '../../http/xlsx.js';
import { areaNode, childOf, childrenOf, codeList, refusal, today } from './shared.js';
import { schemaOf, type BodyOf } from '../../http/contract.js';
import { actOnHonour, exportHonours, getHonour, honourCounts, listHonours, listViolations, nominateHonour, recordViolation } from './contract.js';

type Tx = Transaction<DB>;
const tags = ['荣誉'];

type Filters = { under?: string; kind?: string; state?: string; level?: string; year?: number; flagged?: string; q?: string };

function honourList(db: Tx) {
  return db.selectFrom('honour as h')
    .leftJoin('dictionary as d', (j) => j.on('d.kind', '=', 'honor_kind').onRef('d.code', '=', 'h.kind'))
    .select(['h.id', 'h.kind', 'd.label as kind_label', 'h.subject_name', 'h.entity_id', 'h.zone_id', 'h.member_id', 'h.state', 'h.nominated_on', 'h.level', 'h.year', 'h.awarded_on',
      'h.revoked_on', 'h.revoke_reason', 'h.nomination_note', 'h.review_note', 'h.flagged_at', 'h.flag_reason', 'h.scope_key']);
}

async function filtered(db: Tx, f: Filters) {
  let q = honourList(db);
  if (f.under) q = q.where(await underNode(db, 'h.scope_key', f.under));
  if (f.kind) q = q.where('h.kind', '=', f.kind);
  if (f.state) q = q.where('h.state', '=', f.state as 'awarded');
  if (f.level) q = q.where('h.level', '=', f.level as 'city');
  if (f.year) q = q.where('h.year', '=', f.year);
  if (f.flagged) q = q.where('h.flagged_at', f.flagged === 'true' ? 'is not' : 'is', null);
  if (f.q) q = q.where('h.subject_name', 'like', containing(f.q));
  return q;
}

type Row = Awaited<ReturnType<ReturnType<typeof honourList>['execute']>>[number];
const toItem = (h: Row) => ({
  id: h.id, kind: h.kind, kindLabel: h.kind_label ?? h.kind, subjectName: h.subject_name, entityId: h.entity_id, zoneId: h.zone_id, memberId: h.member_id,
  state: h.state, stateLabel: HONOUR_STATE_LABEL[h.state], nominatedOn: h.nominated_on, level: h.level, levelLabel: h.level ? AWARD_LEVEL_LABEL[h.level] : null, year: h.year,
  awardedOn: h.awarded_on, revokedOn: h.revoked_on, revokeReason: h.revoke_reason, nominationNote: h.nomination_note, reviewNote: h.review_note,
  flagged: h.flagged_at !== null, flagReason: h.flag_reason, actions: honourActions({ state: h.state, flagged: h.flagged_at !== null }),
});

export type Nomination = BodyOf<typeof nominateHonour>;

/** The honoured subject in the caller's scope: its display name and the scope key the honour takes (the demo nominates through it too). */
export async function subjectOf(db: Tx, b: Nomination) {
  const zone = b.zoneId ? await db.selectFrom('zone').select(['name', 'kind', 'scope_key']).where('id', '=', b.zoneId).executeTakeFirst() : null;
  if (b.zoneId && !zone) throw notFound('专业市场');
  const problem = nominationProblem(b.kind, { entityId: b.entityId, zoneKind: zone?.kind, memberId: b.memberId });
  if (problem) throw badRequest(problem.message, [problem]);
  if (!b.entityId) return { name: zone!.name, scope_key: zone!.scope_key, entity_id: null, zone_id: b.zoneId!, member_id: null };
  const entity = await db.selectFrom('entity').select(['id', 'name', 'status', 'scope_key']).where('id', '=', b.entityId).executeTakeFirst();
  if (!entity) throw notFound('市场主体');
  if (entity.status !== 'active') throw refusal({ status: 422, field: 'entityId', reason: `${entity.name}不在存续状态，不能提名` });
  let name = entity.name;
  if (b.memberId) {
    // The member must work in the entity (hold a role there), as the honour names both.
    const m = await db.selectFrom('member as m').innerJoin('person as p', 'p.id', 'm.person_id').select('p.name')
      .where('m.id', '=', b.memberId)
      .where((w) => w.exists(w.selectFrom('entity_person as ep').select('ep.id').whereRef('ep.person_id', '=', 'm.person_id').where('ep.entity_id', '=', entity.id)))
      .executeTakeFirst();
    if (!m) throw badRequest('该党员不在所选市场主体的人员中', [{ field: 'memberId', message: '请选择在该主体任职或就业的党员' }]);
    name = `${m.name}（${entity.name}）`;
  }
  return { name, scope_key: entity.scope_key, entity_id: entity.id, zone_id: b.zoneId ?? null, member_id: b.memberId ?? null };
}

async function loadHonour(db: Tx, id: number) {
  const h = await db.selectFrom('honour').selectAll().where('id', '=', id).executeTakeFirst();
  if (!h) throw notFound('荣誉');
  return h;
}

const EXPORT_COLUMNS: Column<ReturnType<typeof toItem>>[] = [
  { header: '荣誉类型', width: 14, value: (h) => h.kindLabel },
  { header: '获评对象', width: 36, value: (h) => h.subjectName },
  { header: '状态', width: 10, value: (h) => h.stateLabel },
  { header: '提名日期', width: 12, value: (h) => h.nominatedOn },
  { header: '级别', width: 8, value: (h) => h.levelLabel },
  { header: '年度', width: 8, value: (h) => h.year },
  { header: '授予日期', width: 12, value: (h) => h.awardedOn },
  { header: '待复核', width: 8, value: (h) => (h.flagged ? '是' : '') },
  { header: '复核原因', width: 30, value: (h) => h.flagReason },
  { header: '撤销日期', width: 12, value: (h) => h.revokedOn },
  { header: '撤销理由', width: 30, value: (h) => h.revokeReason },
];

/** Honours: nomination → review → award → revoke, flagged for review when the entity's standing turns bad; serious violations staff record. */
export async function honourRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(listHonours.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(listHonours, tags), querystring: listHonours.query, response: { 200: listHonours.response } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const q = await filtered(db, req.query);
        // Flagged honours first: they wait for someone.
        return pageFrom(q, req.query, (q) => q.orderBy(sql`h.flagged_at IS NULL`).orderBy('h.nominated_on', 'desc').orderBy('h.id', 'desc'), toItem);
      }),
  });

  r.get(exportHonours.path, {
    config: { access: 'data.read' },
    schema: { tags, summary: exportHonours.summary, querystring: exportHonours.query },
    handler: async (req, reply) => {
      const rows = await req.scoped(async ({ db, audit }) => {
        const rows = await (await filtered(db, req.query)).orderBy('h.nominated_on', 'desc').orderBy('h.id', 'desc').limit(100_000).execute();
        audit({ action: 'honour.export', objectType: 'honour', detail: { filters: req.query, rows: rows.length } });
        return rows.map(toItem);
      });
      return sendXlsx(reply, `荣誉台账-${today()}.xlsx`, '荣誉', EXPORT_COLUMNS, rows);
    },
  });

  r.get(honourCounts.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(honourCounts, tags), querystring: honourCounts.query, response: { 200: honourCounts.response } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const node = await areaNode(db, req.query.under ?? req.user!.jurisdictionCode);
        let q = db.selectFrom('honour as h')
          .select(['h.kind', childOf(node, sql.ref('h.scope_key')).as('child'),
            sql<number>`count(*) FILTER (WHERE h.state = 'awarded')::int`.as('awarded'),
            sql<number>`count(*) FILTER (WHERE h.state IN ('nominated', 'approved'))::int`.as('pending'),
            sql<number>`count(*) FILTER (WHERE h.flagged_at IS NOT NULL AND h.state IN ('nominated', 'approved', 'awarded'))::int`.as('flagged')])
          .where(sql<boolean>`starts_with(h.scope_key, ${node.scope_key})`).groupBy(['h.kind', 'child']);
        if (req.query.year) q = q.where('h.year', '=', req.query.year);
        const rows = await q.execute();
        const sum = (keep: (x: (typeof rows)[number]) => boolean) => rows.filter(keep).reduce((a, x) => ({ awarded: a.awarded + x.awarded, pending: a.pending + x.pending, flagged: a.flagged + x.flagged }), { awarded: 0, pending: 0, flagged: 0 });
        const kinds = await codeList(db, 'honor_kind');
        return {
          node: { code: node.code, name: node.name, level: node.level },
          total: sum(() => true),
          byKind: [...kinds].map(([kind, label]) => ({ kind, label, ...sum((x) => x.kind === kind) })),
          children: (await childrenOf(db, node)).map((c) => ({ ...c, ...sum((x) => x.child === c.code) })),
          own: sum((x) => x.child === null),
        };
      }),
  });

  r.post(nominateHonour.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(nominateHonour, tags), body: nominateHonour.body, response: { 201: nominateHonour.response } },
    handler: async (req, reply) => {
      const b = req.body;
      const id = await req.scoped(async ({ db, audit }) => {
        const kinds = await codeList(db, 'honor_kind');
        if (!kinds.has(b.kind)) throw badRequest('荣誉类型不在代码表中', [{ field: 'kind', message: '请选择荣誉类型' }]);
        const on = b.nominatedOn ?? today();
        if (on > today()) throw badRequest('提名日期不能晚于今天', [{ field: 'nominatedOn', message: '提名日期不能晚于今天' }]);
        const s = await subjectOf(db, b);
        const row = await db.insertInto('honour').values({ kind: b.kind, entity_id: s.entity_id, zone_id: s.zone_id, member_id: s.member_id, subject_name: s.name, nominated_on: on, nomination_note: b.note ?? null, scope_key: s.scope_key })
          .returning('id').executeTakeFirstOrThrow();
        audit({ action: 'honour.nominate', objectType: 'honour', objectId: row.id, detail: { kind: b.kind, entityId: s.entity_id, zoneId: s.zone_id, memberId: s.member_id } });
        return row.id;
      });
      return reply.code(201).send({ id });
    },
  });

  r.get(getHonour.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(getHonour, tags), params: getHonour.params, response: { 200: getHonour.response } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const h = await honourList(db).where('h.id', '=', req.params.id).executeTakeFirst();
        if (!h) throw notFound('荣誉');
        const history = await db.selectFrom('ledger_history as x').leftJoin('app_user as u', 'u.id', 'x.actor_id')
          .select(['x.at', 'x.op', sql<string | null>`x.after->>'state'`.as('state'), sql<string | null>`x.after->>'flag_reason'`.as('flag_reason'), 'u.display_name as actor'])
          .where('x.object_type', '=', 'honour').where('x.object_id', '=', h.id).orderBy('x.at', 'desc').limit(100).execute();
        const violations = h.entity_id ? await db.selectFrom('entity_violation').select(['id', 'occurred_on', 'description']).where('entity_id', '=', h.entity_id).orderBy('occurred_on', 'desc').execute() : [];
        return {
          ...toItem(h),
          violations: violations.map((v) => ({ id: v.id, occurredOn: v.occurred_on, description: v.description })),
          history: history.map((x) => ({ at: x.at, op: x.op, state: x.state, stateLabel: x.state ? HONOUR_STATE_LABEL[x.state as 'awarded'] ?? x.state : null, flagReason: x.flag_reason, actor: x.actor ?? '系统' })),
        };
      }),
  });

  r.post(actOnHonour.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(actOnHonour, tags), params: actOnHonour.params, body: actOnHonour.body, response: { 200: actOnHonour.response } },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const b = req.body;
        const h = await loadHonour(db, req.params.id);
        const now = today();
        const t = honourTransition({ state: h.state, flagged: h.flagged_at !== null }, b.action, { reason: b.reason, level: b.level, year: b.year, today: now });
        if (!t.ok) throw refusal(t);
        const set = {
          state: t.to,
          updated_at: new Date(),
          ...(t.clearsFlag ? { flagged_at: null, flag_reason: null } : {}),
          ...(b.action === 'approve' || b.action === 'reject' ? { review_note: b.reason ?? null } : {}),
          ...(b.action === 'award' ? { level: b.level!, year: b.year!, awarded_on: now } : {}),
          ...(b.action === 'revoke' ? { revoked_on: now, revoke_reason: b.reason! } : {}),
        };
        await db.updateTable('honour').set(set).where('id', '=', h.id).execute();
        audit({ action: `honour.${b.action}`, objectType: 'honour', objectId: h.id, detail: { from: h.state, to: t.to, reason: b.reason ?? null, level: b.level ?? null, year: b.year ?? null, flagReason: h.flag_reason } });
        return { id: h.id, state: t.to, stateLabel: HONOUR_STATE_LABEL[t.to], action: HONOUR_ACTION_LABEL[b.action] };
      }),
  });

  r.get(listViolations.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(listViolations, tags), params: listViolations.params, response: { 200: listViolations.response } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const e = await db.selectFrom('entity').select('id').where('id', '=', req.params.id).executeTakeFirst();
        if (!e) throw notFound('市场主体');
        const rows = await db.selectFrom('entity_violation as v').leftJoin('app_user as u', 'u.id', 'v.recorded_by')
          .select(['v.id', 'v.occurred_on', 'v.description', 'v.created_at', 'u.display_name as recorded_by']).where('v.entity_id', '=', e.id).orderBy('v.occurred_on', 'desc').execute();
        return { items: rows.map((v) => ({ id: v.id, occurredOn: v.occurred_on, description: v.description, recordedAt: v.created_at, recordedBy: v.recorded_by })) };
      }),
  });

  r.post(recordViolation.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(recordViolation, tags), params: recordViolation.params, body: recordViolation.body, response: { 201: recordViolation.response } },
    handler: async (req, reply) => {
      const b = req.body;
      const out = await req.scoped(async ({ db, audit }) => {
        const e = await db.selectFrom('entity').select(['id', 'scope_key']).where('id', '=', req.params.id).executeTakeFirst();
        if (!e) throw notFound('市场主体');
        if (b.occurredOn > today()) throw badRequest('发生日期不能晚于今天', [{ field: 'occurredOn', message: '发生日期不能晚于今天' }]);
        const row = await db.insertInto('entity_violation').values({ entity_id: e.id, occurred_on: b.occurredOn, description: b.description, recorded_by: req.user!.id, scope_key: e.scope_key })
          .returning('id').executeTakeFirstOrThrow();
        // The trigger has flagged the entity's live honours; say how many the caller can see.
        const flagged = await db.selectFrom('honour').select(sql<number>`count(*)::int`.as('n')).where('entity_id', '=', e.id).where('flagged_at', 'is not', null).where('state', 'in', ['nominated', 'approved', 'awarded']).executeTakeFirstOrThrow();
        audit({ action: 'entity.violation_add', objectType: 'entity', objectId: e.id, detail: { violationId: row.id, occurredOn: b.occurredOn, flaggedHonours: flagged.n } });
        return { id: row.id, flaggedHonours: flagged.n };
      });
      return reply.code(201).send(out);
    },
  });
}
