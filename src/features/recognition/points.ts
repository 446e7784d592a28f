import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import {
  POINT_KIND_LABEL, POINT_LEVEL_LABEL, POINT_LEVELS, POINT_STATUS_LABEL, POINT_SUBJECT_LABEL, REVIEW_OUTCOME_LABEL, criteriaProblem, mayDesignate, reviewDue, reviewProblem, type PointLevel, type PointSubject,
} from '../../domain/recognition/points.js';
import { badRequest, forbidden, notFound } from '../../http/errors.js';
import { containing, pageFrom, underNode } from '../../http/paging.js';
import { sendXlsx, type Column } from '../../http/xlsx.js';
import { areaNode, childOf, childrenOf, codeList, ownNode, refusal, today } from './shared.js';
import { schemaOf } from '../../http/contract.js';
import { designatePoint, exportPoints, getPoint, listPoints, pointCounts, reviewPoint, updatePoint } from './contract.js';

type Tx = Transaction<DB>;
const tags = ['联系点示范点'];

type Filters = { under?: string; kind?: string; level?: string; subjectType?: string; status?: string; year?: number; reviewDue?: string; q?: string };

function pointList(db: Tx) {
  return db.selectFrom('recognition_point as p')
    .leftJoin('app_user as u', 'u.id', 'p.responsible_user_id')
    .select(['p.id', 'p.kind', 'p.level', 'p.subject_type', 'p.entity_id', 'p.org_id', 'p.zone_id', 'p.platform_id', 'p.subject_name', 'p.designated_on', 'p.responsible_name', 'u.display_name as responsible_user',
      'p.criteria', 'p.evidence', 'p.status', 'p.revoked_on', 'p.revoke_reason', 'p.scope_key'])
    .select(sql<number[]>`coalesce((SELECT array_agg(r.year::int ORDER BY r.year) FROM point_review r WHERE r.point_id = p.id), '{}')`.as('reviewed_years'));
}

/** Standing points named before this year and not reviewed this year. */
const dueSql = (y: number) => sql<boolean>`p.status = 'active' AND extract(year FROM p.designated_on) < ${y} AND NOT EXISTS (SELECT 1 FROM point_review r WHERE r.point_id = p.id AND r.year = ${y})`;

async function filtered(db: Tx, f: Filters) {
  let q = pointList(db);
  if (f.under) q = q.where(await underNode(db, 'p.scope_key', f.under));
  if (f.kind) q = q.where('p.kind', '=', f.kind as 'contact');
  if (f.level) q = q.where('p.level', '=', f.level as 'county');
  if (f.subjectType) q = q.where('p.subject_type', '=', f.subjectType as 'entity');
  if (f.status) q = q.where('p.status', '=', f.status as 'active');
  if (f.year) q = q.where(sql<boolean>`extract(year FROM p.designated_on) = ${f.year}`);
  if (f.reviewDue) {
    const due = dueSql(Number(today().slice(0, 4)));
    q = q.where(f.reviewDue === 'true' ? due : sql<boolean>`NOT (${due})`);
  }
  if (f.q) q = q.where('p.subject_name', 'like', containing(f.q));
  return q;
}

type Row = Awaited<ReturnType<ReturnType<typeof pointList>['execute']>>[number];
const toItem = (p: Row) => ({
  id: p.id, kind: p.kind, kindLabel: POINT_KIND_LABEL[p.kind], level: p.level, levelLabel: POINT_LEVEL_LABEL[p.level], subjectType: p.subject_type, subjectTypeLabel: POINT_SUBJECT_LABEL[p.subject_type],
  subjectId: (p.entity_id ?? p.org_id ?? p.zone_id ?? p.platform_id)!, subjectName: p.subject_name, designatedOn: p.designated_on,
  responsible: [p.responsible_name, p.responsible_user].filter(Boolean).join(' / '), criteria: p.criteria, criteriaCount: p.criteria.length,
  evidence: p.evidence, status: p.status, statusLabel: POINT_STATUS_LABEL[p.status], revokedOn: p.revoked_on, revokeReason: p.revoke_reason,
  lastReviewYear: p.reviewed_years.at(-1) ?? null,
  reviewDue: reviewDue({ status: p.status, designatedOn: p.designated_on, reviewedYears: p.reviewed_years }, today()),
});

/** The designated subject, in the caller's scope: its name and the scope key the point takes. */
async function subjectOf(db: Tx, type: PointSubject, id: number) {
  const table = ({ entity: 'entity', org: 'party_org', zone: 'zone', platform: 'platform' } as const)[type];
  const row = await db.selectFrom(table).select(['name', 'scope_key']).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound(POINT_SUBJECT_LABEL[type]);
  return row;
}

async function loadPoint(db: Tx, id: number) {
  const p = await db.selectFrom('recognition_point').selectAll().where('id', '=', id).executeTakeFirst();
  if (!p) throw notFound('联系点/示范点');
  return p;
}

/** The caller's bureau must be at the point's level or above (a county bureau names county points). */
async function mustDesignate(db: Tx, userCode: string, level: PointLevel) {
  const me = await ownNode(db, userCode);
  if (!mayDesignate(me.level, level)) throw forbidden(`${POINT_LEVEL_LABEL[level]}的联系点、示范点由${POINT_LEVEL_LABEL[level].replace('级', '')}级或以上市场监管部门命名和复核`);
}

async function checkCriteria(db: Tx, kind: 'contact' | 'demo', checked: string[]) {
  const [contact, demo] = await Promise.all([codeList(db, 'contact_point_criterion'), codeList(db, 'demo_point_criterion')]);
  const p = criteriaProblem(kind, checked, { contact: [...contact.keys()], demo: [...demo.keys()] }, Object.fromEntries([...contact, ...demo]));
  if (p) throw refusal(p);
}

async function checkResponsible(db: Tx, name: string | null | undefined, userId: number | null | undefined) {
  if (!name && !userId) throw badRequest('请填写负责的局领导或工作人员', [{ field: 'responsibleName', message: '请填写负责人姓名或选择账号' }]);
  if (userId && !(await db.selectFrom('app_user').select('id').where('id', '=', userId).executeTakeFirst())) throw notFound('负责人账号');
}

const EXPORT_COLUMNS: Column<ReturnType<typeof toItem>>[] = [
  { header: '类别', width: 8, value: (p) => p.kindLabel },
  { header: '级别', width: 8, value: (p) => p.levelLabel },
  { header: '对象类型', width: 12, value: (p) => p.subjectTypeLabel },
  { header: '对象名称', width: 36, value: (p) => p.subjectName },
  { header: '命名日期', width: 12, value: (p) => p.designatedOn },
  { header: '负责人', width: 16, value: (p) => p.responsible },
  { header: '具备条件数', width: 10, value: (p) => p.criteriaCount },
  { header: '佐证材料说明', width: 40, value: (p) => p.evidence },
  { header: '状态', width: 8, value: (p) => p.statusLabel },
  { header: '最近复核年度', width: 12, value: (p) => p.lastReviewYear },
  { header: '撤销原因', width: 30, value: (p) => p.revokeReason },
];

/** Contact and demonstration points: designations, yearly reviews, counts by level and area. */
export async function pointRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(listPoints.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(listPoints, tags), querystring: listPoints.query, response: { 200: listPoints.response } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const q = await filtered(db, req.query);
        return pageFrom(q, req.query, (q) => q.orderBy('p.designated_on', 'desc').orderBy('p.id', 'desc'), toItem);
      }),
  });

  r.get(exportPoints.path, {
    config: { access: 'data.read' },
    schema: { tags, summary: '导出联系点、示范点台账（xlsx，导出留痕）', querystring: exportPoints.query },
    handler: async (req, reply) => {
      const rows = await req.scoped(async ({ db, audit }) => {
        const rows = await (await filtered(db, req.query)).orderBy('p.designated_on', 'desc').orderBy('p.id', 'desc').limit(100_000).execute();
        audit({ action: 'point.export', objectType: 'recognition_point', detail: { filters: req.query, rows: rows.length } });
        return rows.map(toItem);
      });
      return sendXlsx(reply, `联系点示范点-${today()}.xlsx`, '联系点示范点', EXPORT_COLUMNS, rows);
    },
  });

  r.get(pointCounts.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(pointCounts, tags), querystring: pointCounts.query, response: { 200: pointCounts.response } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const node = await areaNode(db, req.query.under ?? req.user!.jurisdictionCode);
        const rows = await db.selectFrom('recognition_point as p')
          .select(['p.kind', 'p.level', childOf(node, sql.ref('p.scope_key')).as('child'), sql<number>`count(*)::int`.as('n')])
          .where('p.status', '=', 'active').where(sql<boolean>`starts_with(p.scope_key, ${node.scope_key})`)
          .groupBy(['p.kind', 'p.level', 'child']).execute();
        const sum = (keep: (x: (typeof rows)[number]) => boolean) => ({
          contact: rows.filter((x) => x.kind === 'contact' && keep(x)).reduce((a, x) => a + x.n, 0),
          demo: rows.filter((x) => x.kind === 'demo' && keep(x)).reduce((a, x) => a + x.n, 0),
        });
        return {
          node: { code: node.code, name: node.name, level: node.level },
          total: sum(() => true),
          byLevel: POINT_LEVELS.map((level) => ({ level, label: POINT_LEVEL_LABEL[level], ...sum((x) => x.level === level) })),
          children: (await childrenOf(db, node)).map((c) => ({ ...c, ...sum((x) => x.child === c.code) })),
          own: sum((x) => x.child === null),
        };
      }),
  });

  r.post(designatePoint.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(designatePoint, tags), body: designatePoint.body, response: { 201: designatePoint.response } },
    handler: async (req, reply) => {
      const b = req.body;
      const id = await req.scoped(async ({ db, audit }) => {
        await mustDesignate(db, req.user!.jurisdictionCode, b.level);
        await checkResponsible(db, b.responsibleName, b.responsibleUserId);
        await checkCriteria(db, b.kind, b.criteria);
        if (b.designatedOn > today()) throw badRequest('命名日期不能晚于今天', [{ field: 'designatedOn', message: '命名日期不能晚于今天' }]);
        const subject = await subjectOf(db, b.subjectType, b.subjectId);
        const row = await db.insertInto('recognition_point').values({
          kind: b.kind, level: b.level, subject_type: b.subjectType, entity_id: b.subjectType === 'entity' ? b.subjectId : null, org_id: b.subjectType === 'org' ? b.subjectId : null,
          zone_id: b.subjectType === 'zone' ? b.subjectId : null, platform_id: b.subjectType === 'platform' ? b.subjectId : null, subject_name: subject.name, designated_on: b.designatedOn, responsible_name: b.responsibleName ?? null,
          responsible_user_id: b.responsibleUserId ?? null, criteria: [...new Set(b.criteria)], evidence: b.evidence ?? null, scope_key: subject.scope_key,
        }).returning('id').executeTakeFirstOrThrow();
        audit({ action: 'point.create', objectType: 'recognition_point', objectId: row.id, detail: { kind: b.kind, level: b.level, subjectType: b.subjectType, subjectId: b.subjectId } });
        return row.id;
      });
      return reply.code(201).send({ id });
    },
  });

  r.get(getPoint.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(getPoint, tags), params: getPoint.params, response: { 200: getPoint.response } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const p = await pointList(db).where('p.id', '=', req.params.id).executeTakeFirst();
        if (!p) throw notFound('联系点/示范点');
        const reviews = await db.selectFrom('point_review as r').leftJoin('app_user as u', 'u.id', 'r.reviewer_id')
          .select(['r.id', 'r.year', 'r.outcome', 'r.reason', 'r.reviewed_on', 'u.display_name as reviewer']).where('r.point_id', '=', p.id).orderBy('r.year', 'desc').execute();
        return {
          ...toItem(p), responsibleName: p.responsible_name,
          reviews: reviews.map((x) => ({ id: x.id, year: x.year, outcome: x.outcome, outcomeLabel: REVIEW_OUTCOME_LABEL[x.outcome], reason: x.reason, reviewedOn: x.reviewed_on, reviewer: x.reviewer })),
        };
      }),
  });

  r.patch(updatePoint.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(updatePoint, tags), params: updatePoint.params, body: updatePoint.body, response: { 200: updatePoint.response } },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const b = req.body;
        const before = await loadPoint(db, req.params.id);
        if (before.status === 'revoked') throw refusal({ status: 409, reason: '该点已撤销，不能修改' });
        await mustDesignate(db, req.user!.jurisdictionCode, before.level);
        const name = b.responsibleName === undefined ? before.responsible_name : b.responsibleName;
        const userId = b.responsibleUserId === undefined ? before.responsible_user_id : b.responsibleUserId;
        await checkResponsible(db, name, userId);
        const criteria = b.criteria ? [...new Set(b.criteria)] : before.criteria;
        await checkCriteria(db, before.kind, criteria);
        await db.updateTable('recognition_point').set({
          responsible_name: name, responsible_user_id: userId, criteria, evidence: b.evidence === undefined ? before.evidence : b.evidence, updated_at: new Date(),
        }).where('id', '=', before.id).execute();
        audit({ action: 'point.update', objectType: 'recognition_point', objectId: before.id, detail: { before: { responsibleName: before.responsible_name, criteria: before.criteria }, after: { responsibleName: name, criteria } } });
        return { id: before.id };
      }),
  });

  r.post(reviewPoint.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(reviewPoint, tags), params: reviewPoint.params, body: reviewPoint.body, response: { 201: reviewPoint.response } },
    handler: async (req, reply) => {
      const b = req.body;
      const id = await req.scoped(async ({ db, audit }) => {
        const p = await loadPoint(db, req.params.id);
        await mustDesignate(db, req.user!.jurisdictionCode, p.level);
        const years = (await db.selectFrom('point_review').select('year').where('point_id', '=', p.id).execute()).map((x) => x.year);
        const problem = reviewProblem({ status: p.status, designatedOn: p.designated_on, reviewedYears: years }, b, today());
        if (problem) throw refusal(problem);
        const on = b.reviewedOn ?? today();
        const row = await db.insertInto('point_review').values({ point_id: p.id, year: b.year, outcome: b.outcome, reason: b.reason || null, reviewed_on: on, reviewer_id: req.user!.id, scope_key: p.scope_key })
          .returning('id').executeTakeFirstOrThrow();
        if (b.outcome === 'revoke') await db.updateTable('recognition_point').set({ status: 'revoked', revoked_on: on, revoke_reason: b.reason!, updated_at: new Date() }).where('id', '=', p.id).execute();
        audit({ action: 'point.review', objectType: 'recognition_point', objectId: p.id, detail: { year: b.year, outcome: b.outcome, reason: b.reason ?? null } });
        return row.id;
      });
      return reply.code(201).send({ id });
    },
  });
}
