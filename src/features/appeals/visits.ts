import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { routeCase } from '../../domain/cases/routing.js';
import { badRequest, forbidden, notFound } from '../../http/errors.js';
import { actorOf, closeDeployed, deployVisitPlan } from '../worktasks/index.js';
import { pageFrom, underNode } from '../../http/paging.js';
import { schemaOf } from '../../http/contract.js';
import { cancelVisitPlan, createVisit, createVisitPlan, getVisit, listVisitPlans, listVisits } from './contract.js';
import { raiseCase } from './engine.js';
import { placeUnit, visitLines } from './queries.js';


/**
 * 大走访大调研: visit plans (who visits which entities in a period) and visit records (date,
 * entity, what was learned). Problems and needs found on a visit are raised as cases of the
 * visit door, each routed to the county bureau's business line it names. Nothing here asks for
 * a photo, a location check-in or a count of visits per person (基层减负).
 */
export async function visitRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { settings } = app.ctx;

  r.get(listVisitPlans.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(listVisitPlans, ['走访']), querystring: listVisitPlans.query, response: { 200: listVisitPlans.response } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        let q = db.selectFrom('visit_plan as p').innerJoin('jurisdiction as j', 'j.code', 'p.jurisdiction_code')
          .select((eb) => ['p.id', 'p.title', 'p.visitor_name', 'p.starts_on', 'p.ends_on', 'p.entity_ids', 'p.cancelled_at', 'p.cancel_reason', 'j.name as jurisdiction_name',
            eb.selectFrom('visit_record as v').select((e) => e.fn.count<number>('v.entity_id').distinct().as('n')).whereRef('v.plan_id', '=', 'p.id').as('visited')]);
        if (req.query.under) q = q.where(await underNode(db, 'p.scope_key', req.query.under));
        return pageFrom(q, req.query, (q) => q.orderBy('p.starts_on', 'desc').orderBy('p.id', 'desc'), (p) => ({
          id: Number(p.id), title: p.title, visitorName: p.visitor_name, startsOn: String(p.starts_on), endsOn: String(p.ends_on), entities: p.entity_ids.length, visited: Number(p.visited ?? 0), jurisdictionName: p.jurisdiction_name, cancelled: p.cancelled_at !== null, cancelReason: p.cancel_reason,
        }));
      }),
  });

  r.post(createVisitPlan.path, {
    config: { access: 'guidance.write' },
    schema: { ...schemaOf(createVisitPlan, ['走访']), body: createVisitPlan.body, response: { 201: createVisitPlan.response } },
    handler: async (req, reply) => {
      const b = req.body;
      if (b.endsOn < b.startsOn) throw badRequest('结束日期不能早于开始日期', [{ field: 'endsOn', message: '结束日期不能早于开始日期' }]);
      const id = await req.scoped(async (s) => {
        const { db, audit } = s;
        const ids = [...new Set(b.entityIds)];
        const found = await db.selectFrom('entity').select('id').where('id', 'in', ids).execute();
        if (found.length !== ids.length) throw notFound('市场主体');
        const me = req.user!;
        const row = await db.insertInto('visit_plan').values({ title: b.title, jurisdiction_code: me.jurisdictionCode, scope_key: me.scopeKey, visitor_name: b.visitorName, visitor_id: me.id, starts_on: b.startsOn, ends_on: b.endsOn, entity_ids: ids, created_by: me.id })
          .returning('id').executeTakeFirstOrThrow();
        audit({ action: 'visit_plan.create', objectType: 'visit_plan', objectId: row.id, detail: { entities: ids.length } });
        // The plan reaches the stations of its entities as a task (the plan is its body).
        await deployVisitPlan(s, actorOf(me), Number(row.id), new Date());
        return row.id;
      });
      return reply.code(201).send({ id: Number(id) });
    },
  });

  r.post(cancelVisitPlan.path, {
    config: { access: 'guidance.write' },
    schema: { ...schemaOf(cancelVisitPlan, ['走访']), params: cancelVisitPlan.params, body: cancelVisitPlan.body, response: { 204: cancelVisitPlan.response } },
    handler: async (req, reply) => {
      await req.scoped(async (s) => {
        const p = await s.db.selectFrom('visit_plan').select(['id', 'jurisdiction_code', 'scope_key', 'cancelled_at']).where('id', '=', req.params.id).executeTakeFirst();
        if (!p) throw notFound('走访计划');
        if (!p.scope_key.startsWith(req.user!.scopeKey)) throw forbidden('上级的走访计划只能由上级取消');
        if (p.cancelled_at) return;
        const now = new Date();
        await s.db.updateTable('visit_plan').set({ cancelled_at: now, cancel_reason: req.body.reason }).where('id', '=', p.id).execute();
        await closeDeployed(s, actorOf(req.user!), 'visit_plan', p.jurisdiction_code, String(p.id), `走访计划已取消：${req.body.reason}`, now);
        s.audit({ action: 'visit_plan.cancel', objectType: 'visit_plan', objectId: p.id, detail: { reason: req.body.reason } });
      });
      return reply.code(204).send(null);
    },
  });

  r.get(listVisits.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(listVisits, ['走访']), querystring: listVisits.query, response: { 200: listVisits.response } },
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

  r.post(createVisit.path, {
    config: { access: 'guidance.write' },
    schema: { ...schemaOf(createVisit, ['走访']), body: createVisit.body, response: { 201: createVisit.response } },
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

  r.get(getVisit.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(getVisit, ['走访']), params: getVisit.params, response: { 200: getVisit.response } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const v = await db.selectFrom('visit_record as v').innerJoin('entity as e', 'e.id', 'v.entity_id').select(['v.id', 'v.visited_on', 'v.visitor_name', 'v.learned', 'e.name as entity_name']).where('v.id', '=', req.params.id).executeTakeFirst();
        if (!v) throw notFound('走访记录');
        const cases = await db.selectFrom('appeal_case').select(['id', 'category', 'state']).where('visit_id', '=', v.id).orderBy('id').execute();
        return { id: Number(v.id), visitedOn: String(v.visited_on), visitorName: v.visitor_name, learned: v.learned, entityName: v.entity_name, cases: cases.map((c) => ({ id: Number(c.id), line: c.category, state: c.state })) };
      }),
  });
}
