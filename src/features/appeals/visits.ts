import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { routeCase } from '../../domain/cases/routing.js';
import { badRequest, notFound } from '../../http/errors.js';
import { idParam, pageFrom, pageOf, pageQuery, underNode } from '../../http/paging.js';
import { raiseCase } from './engine.js';
import { placeUnit, visitLines } from './queries.js';

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD');
const under = z.string().regex(/^\d{6,9}$/, '辖区代码应为 6 或 9 位数字').optional();

/**
 * 大走访大调研: visit plans (who visits which entities in a period) and visit records (date,
 * entity, what was learned). Problems and needs found on a visit are raised as cases of the
 * visit door, each routed to the county bureau's business line it names. Nothing here asks for
 * a photo, a location check-in or a count of visits per person (基层减负).
 */
export async function visitRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { settings } = app.ctx;

  const planItem = z.object({ id: z.number(), title: z.string(), visitorName: z.string(), startsOn: z.string(), endsOn: z.string(), entities: z.number(), visited: z.number(), jurisdictionName: z.string() });
  r.get('/visit-plans', {
    config: { access: 'data.read' },
    schema: { tags: ['走访'], summary: '走访计划（谁在什么期间走访哪些市场主体，已走访几户）', querystring: z.strictObject({ ...pageQuery, under }), response: { 200: pageOf(planItem) } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        let q = db.selectFrom('visit_plan as p').innerJoin('jurisdiction as j', 'j.code', 'p.jurisdiction_code')
          .select((eb) => ['p.id', 'p.title', 'p.visitor_name', 'p.starts_on', 'p.ends_on', 'p.entity_ids', 'j.name as jurisdiction_name',
            eb.selectFrom('visit_record as v').select((e) => e.fn.count<number>('v.entity_id').distinct().as('n')).whereRef('v.plan_id', '=', 'p.id').as('visited')]);
        if (req.query.under) q = q.where(await underNode(db, 'p.scope_key', req.query.under));
        return pageFrom(q, req.query, (q) => q.orderBy('p.starts_on', 'desc').orderBy('p.id', 'desc'), (p) => ({
          id: Number(p.id), title: p.title, visitorName: p.visitor_name, startsOn: String(p.starts_on), endsOn: String(p.ends_on), entities: p.entity_ids.length, visited: Number(p.visited ?? 0), jurisdictionName: p.jurisdiction_name,
        }));
      }),
  });

  r.post('/visit-plans', {
    config: { access: 'guidance.write' },
    schema: {
      tags: ['走访'], summary: '新建走访计划',
      body: z.strictObject({
        title: z.string().trim().min(2, '请填写计划名称').max(60),
        visitorName: z.string().trim().min(2, '请填写走访人').max(40),
        startsOn: date, endsOn: date,
        entityIds: z.array(z.number().int().positive()).min(1, '请选择要走访的市场主体').max(500, '一个计划最多 500 户'),
      }),
      response: { 201: z.object({ id: z.number() }) },
    },
    handler: async (req, reply) => {
      const b = req.body;
      if (b.endsOn < b.startsOn) throw badRequest('结束日期不能早于开始日期', [{ field: 'endsOn', message: '结束日期不能早于开始日期' }]);
      const id = await req.scoped(async ({ db, audit }) => {
        const ids = [...new Set(b.entityIds)];
        const found = await db.selectFrom('entity').select('id').where('id', 'in', ids).execute();
        if (found.length !== ids.length) throw notFound('市场主体');
        const me = req.user!;
        const row = await db.insertInto('visit_plan').values({ title: b.title, jurisdiction_code: me.jurisdictionCode, scope_key: me.scopeKey, visitor_name: b.visitorName, visitor_id: me.id, starts_on: b.startsOn, ends_on: b.endsOn, entity_ids: ids, created_by: me.id })
          .returning('id').executeTakeFirstOrThrow();
        audit({ action: 'visit_plan.create', objectType: 'visit_plan', objectId: row.id, detail: { entities: ids.length } });
        return row.id;
      });
      return reply.code(201).send({ id: Number(id) });
    },
  });

  const visitItem = z.object({ id: z.number(), planId: z.number().nullable(), entityId: z.number(), entityName: z.string(), visitedOn: z.string(), visitorName: z.string(), learned: z.string(), problems: z.number() });
  r.get('/visits', {
    config: { access: 'data.read' },
    schema: { tags: ['走访'], summary: '走访记录（日期、市场主体、了解到的情况、提出的问题数）', querystring: z.strictObject({ ...pageQuery, under, planId: z.coerce.number().int().positive().optional() }), response: { 200: pageOf(visitItem) } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        let q = db.selectFrom('visit_record as v').innerJoin('entity as e', 'e.id', 'v.entity_id')
          .select((eb) => ['v.id', 'v.plan_id', 'v.entity_id', 'e.name as entity_name', 'v.visited_on', 'v.visitor_name', 'v.learned',
            eb.selectFrom('appeal_case as c').select((e) => e.fn.countAll<number>().as('n')).whereRef('c.visit_id', '=', 'v.id').as('problems')]);
        if (req.query.under) q = q.where(await underNode(db, 'v.scope_key', req.query.under));
        if (req.query.planId) q = q.where('v.plan_id', '=', req.query.planId);
        return pageFrom(q, req.query, (q) => q.orderBy('v.visited_on', 'desc').orderBy('v.id', 'desc'), (v) => ({
          id: Number(v.id), planId: v.plan_id == null ? null : Number(v.plan_id), entityId: Number(v.entity_id), entityName: v.entity_name, visitedOn: String(v.visited_on), visitorName: v.visitor_name, learned: v.learned, problems: Number(v.problems ?? 0),
        }));
      }),
  });

  r.post('/visits', {
    config: { access: 'guidance.write' },
    schema: {
      tags: ['走访'], summary: '登记走访：日期、市场主体、了解到的情况；发现的问题和诉求按业务条线转办（照片、定位均不要求）',
      body: z.strictObject({
        planId: z.number().int().positive().optional(),
        entityId: z.number({ error: '请选择市场主体' }).int().positive(),
        visitedOn: date,
        visitorName: z.string().trim().min(2, '请填写走访人').max(40),
        learned: z.string().trim().min(2, '请填写了解到的情况').max(2000, '不超过 2000 字'),
        problems: z.array(z.strictObject({
          line: z.string().regex(/^[a-z_]{1,40}$/, '请选择业务条线'),
          content: z.string().trim().min(5, '请具体说明问题或诉求（至少 5 个字）').max(1000, '不超过 1000 字'),
        })).max(20).default([]),
      }),
      response: { 201: z.object({ id: z.number(), caseIds: z.array(z.number()) }) },
    },
    handler: async (req, reply) => {
      const b = req.body;
      if (b.visitedOn > new Date().toISOString().slice(0, 10)) throw badRequest('走访日期不能晚于今天', [{ field: 'visitedOn', message: '走访日期不能晚于今天' }]);
      const d = await settings.get('cases');
      const out = await req.scoped(async ({ db, audit }) => {
        const entity = await db.selectFrom('entity').select(['id', 'county_code', 'station_code', 'scope_key']).where('id', '=', b.entityId).executeTakeFirst();
        if (!entity) throw notFound('市场主体');
        if (b.planId && !(await db.selectFrom('visit_plan').select('id').where('id', '=', b.planId).executeTakeFirst())) throw notFound('走访计划');
        const lines = await visitLines(db);
        const bad = b.problems.findIndex((p) => !lines.has(p.line));
        if (bad >= 0) throw badRequest('业务条线不存在', [{ field: `problems.${bad}.line`, message: '业务条线不存在' }]);
        const me = req.user!;
        const visit = await db.insertInto('visit_record').values({ plan_id: b.planId ?? null, entity_id: entity.id, county_code: entity.county_code, scope_key: entity.scope_key, visited_on: b.visitedOn, visitor_name: b.visitorName, learned: b.learned, created_by: me.id })
          .returning('id').executeTakeFirstOrThrow();
        const now = new Date();
        const caseIds: number[] = [];
        for (const p of b.problems) {
          const routed = routeCase({ door: 'visit', category: p.line, place: { code: entity.county_code, level: 'county', parentCode: null } });
          if (!routed.ok) throw badRequest(routed.reason);
          const unit = await placeUnit(db, routed.unit);
          // Raised by the caller's own node: a station keeps following what it handed to the county's line.
          caseIds.push(await raiseCase(db, { door: 'visit', category: p.line, content: p.content, entityId: entity.id, visitId: visit.id, unit, raisedKey: me.scopeKey, raisedBy: me.id }, { actor: 'staff', actorId: me.id }, d, now));
        }
        audit({ action: 'visit.create', objectType: 'visit_record', objectId: visit.id, detail: { entityId: entity.id, problems: caseIds } });
        return { id: Number(visit.id), caseIds: caseIds.map(Number) };
      });
      return reply.code(201).send(out);
    },
  });

  r.get('/visits/:id', {
    config: { access: 'data.read' },
    schema: { tags: ['走访'], summary: '走访记录详情与由此提出的问题', params: idParam },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const v = await db.selectFrom('visit_record as v').innerJoin('entity as e', 'e.id', 'v.entity_id').select(['v.id', 'v.visited_on', 'v.visitor_name', 'v.learned', 'e.name as entity_name']).where('v.id', '=', req.params.id).executeTakeFirst();
        if (!v) throw notFound('走访记录');
        const cases = await db.selectFrom('appeal_case').select(['id', 'category', 'state']).where('visit_id', '=', v.id).orderBy('id').execute();
        return { id: Number(v.id), visitedOn: String(v.visited_on), visitorName: v.visitor_name, learned: v.learned, entityName: v.entity_name, cases: cases.map((c) => ({ id: Number(c.id), line: c.category, state: c.state })) };
      }),
  });
}
