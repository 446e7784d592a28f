import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { routeCase } from '../../domain/cases/routing.js';
import { badRequest, forbidden, notFound } from '../../http/errors.js';
import { actorOf, closeDeployed, deployVisitPlan } from '../worktasks/index.js';
import { schemaOf } from '../../http/contract.js';
import { cancelVisitPlan, createVisit, createVisitPlan, getVisit, listVisitPlans, listVisits } from './contract.js';
import { raiseCase } from './engine.js';
import {
  placeUnit,
  visibleEntityCount,
  visitDetail,
  visitedEntity,
  visitLines,
  visitPage,
  visitPlanById,
  visitPlanPage,
} from './queries.js';
import { insertVisit, insertVisitPlan, markVisitPlanCancelled } from './writes.js';
import { today } from '../../domain/time/zone.js';

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
    schema: {
      ...schemaOf(listVisitPlans, ['走访']),
      querystring: listVisitPlans.query,
      response: { 200: listVisitPlans.response },
    },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        return visitPlanPage(db, req.query);
      }),
  });

  r.post(createVisitPlan.path, {
    config: { access: 'guidance.write' },
    schema: {
      ...schemaOf(createVisitPlan, ['走访']),
      body: createVisitPlan.body,
      response: { 201: createVisitPlan.response },
    },
    handler: async (req, reply) => {
      const b = req.body;
      if (b.endsOn < b.startsOn)
        throw badRequest('结束日期不能早于开始日期', [{ field: 'endsOn', message: '结束日期不能早于开始日期' }]);
      const id = await req.scoped(async (s) => {
        const { db, audit } = s;
        const ids = [...new Set(b.entityIds)];
        if ((await visibleEntityCount(db, ids)) !== ids.length) throw notFound('市场主体');
        const me = req.user!;
        const row = await insertVisitPlan(db, me, {
          title: b.title,
          visitorName: b.visitorName,
          startsOn: b.startsOn,
          endsOn: b.endsOn,
          entityIds: ids,
        });
        audit({
          action: 'visit_plan.create',
          objectType: 'visit_plan',
          objectId: row.id,
          detail: { entities: ids.length },
        });
        // The plan reaches the stations of its entities as a task (the plan is its body).
        await deployVisitPlan(s, actorOf(me), Number(row.id), new Date());
        return row.id;
      });
      return reply.code(201).send({ id: Number(id) });
    },
  });

  r.post(cancelVisitPlan.path, {
    config: { access: 'guidance.write' },
    schema: {
      ...schemaOf(cancelVisitPlan, ['走访']),
      params: cancelVisitPlan.params,
      body: cancelVisitPlan.body,
      response: { 204: cancelVisitPlan.response },
    },
    handler: async (req, reply) => {
      await req.scoped(async (s) => {
        const p = await visitPlanById(s.db, req.params.id);
        if (!p) throw notFound('走访计划');
        if (!p.scope_key.startsWith(req.user!.scopeKey)) throw forbidden('上级的走访计划只能由上级取消');
        if (p.cancelled_at) return;
        const now = new Date();
        await markVisitPlanCancelled(s.db, p.id, req.body.reason, now);
        await closeDeployed(
          s,
          actorOf(req.user!),
          'visit_plan',
          p.jurisdiction_code,
          String(p.id),
          `走访计划已取消：${req.body.reason}`,
          now,
        );
        s.audit({
          action: 'visit_plan.cancel',
          objectType: 'visit_plan',
          objectId: p.id,
          detail: { reason: req.body.reason },
        });
      });
      return reply.code(204).send(null);
    },
  });

  r.get(listVisits.path, {
    config: { access: 'data.read' },
    schema: {
      ...schemaOf(listVisits, ['走访']),
      querystring: listVisits.query,
      response: { 200: listVisits.response },
    },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        return visitPage(db, req.query);
      }),
  });

  r.post(createVisit.path, {
    config: { access: 'guidance.write' },
    schema: { ...schemaOf(createVisit, ['走访']), body: createVisit.body, response: { 201: createVisit.response } },
    handler: async (req, reply) => {
      const b = req.body;
      if (b.visitedOn > today())
        throw badRequest('走访日期不能晚于今天', [{ field: 'visitedOn', message: '走访日期不能晚于今天' }]);
      const d = await settings.get('cases');
      const out = await req.scoped(async ({ db, audit }) => {
        const entity = await visitedEntity(db, b.entityId);
        if (!entity) throw notFound('市场主体');
        if (b.planId && !(await visitPlanById(db, b.planId))) throw notFound('走访计划');
        const lines = await visitLines(db);
        const bad = b.problems.findIndex((p) => !lines.has(p.line));
        if (bad >= 0)
          throw badRequest('业务条线不存在', [{ field: `problems.${bad}.line`, message: '业务条线不存在' }]);
        const me = req.user!;
        const visit = await insertVisit(db, entity, {
          planId: b.planId ?? null,
          visitedOn: b.visitedOn,
          visitorName: b.visitorName,
          learned: b.learned,
          by: me.id,
        });
        const now = new Date();
        const caseIds: number[] = [];
        for (const p of b.problems) {
          const routed = routeCase({
            door: 'visit',
            category: p.line,
            place: { code: entity.county_code, level: 'county', parentCode: null },
          });
          if (!routed.ok) throw badRequest(routed.reason);
          const unit = await placeUnit(db, routed.unit);
          // Raised by the caller's own node: a station keeps following what it handed to the county's line.
          caseIds.push(
            await raiseCase(
              db,
              {
                door: 'visit',
                category: p.line,
                content: p.content,
                entityId: entity.id,
                visitId: visit.id,
                unit,
                raisedKey: me.scopeKey,
                raisedBy: me.id,
              },
              { actor: 'staff', actorId: me.id },
              d,
              now,
            ),
          );
        }
        audit({
          action: 'visit.create',
          objectType: 'visit_record',
          objectId: visit.id,
          detail: { entityId: entity.id, problems: caseIds },
        });
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
        const v = await visitDetail(db, req.params.id);
        if (!v) throw notFound('走访记录');
        return v;
      }),
  });
}
