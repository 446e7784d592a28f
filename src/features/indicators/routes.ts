import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { valuesOf } from '../../domain/indicators/registry.js';
import { nodeInScope } from '../../db/subtree.js';
import { schemaOf } from '../../http/contract.js';
import { heavyWork } from '../../http/heavy-work.js';
import { getDashboard, listSnapshots, takeSnapshotsNow } from './contract.js';
import { figuresWithChildren, funnelOf, periodOf, snapshotsOf, takeSnapshots, trendOf } from './service.js';
import { snapshotSchedule } from './schedule.js';

const tags = ['数据看板'];

/** 数据看板: every indicator for a node of the caller's subtree, its children for drill-down, the monthly trend and the funnel; and the monthly snapshots. */
export async function dashboardRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  snapshotSchedule(app);

  r.get(getDashboard.path, {
    config: { access: 'data.read' },
    schema: {
      ...schemaOf(getDashboard, tags),
      querystring: getDashboard.query,
      response: { 200: getDashboard.response },
    },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const node = await nodeInScope(db, req.user!, req.query.under);
        const { total, own, children } = await figuresWithChildren(db, node);
        return {
          node: { code: node.code, name: node.name, level: node.level },
          figures: valuesOf(total),
          unassigned: valuesOf(own),
          children: children.map((c) => ({ code: c.code, name: c.name, level: c.level, ...valuesOf(c.counts) })),
          trend: await trendOf(db, node.scope_key, total, req.query.months),
          funnel: funnelOf(total),
        };
      }),
  });

  r.get(listSnapshots.path, {
    config: { access: 'data.read' },
    schema: {
      ...schemaOf(listSnapshots, tags),
      querystring: listSnapshots.query,
      response: { 200: listSnapshots.response },
    },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const node = await nodeInScope(db, req.user!, req.query.under);
        const snapshots = await snapshotsOf(db, node.scope_key, req.query.from);
        return {
          node: { code: node.code, name: node.name, level: node.level },
          snapshots: snapshots.map((s) => ({
            period: s.period,
            takenAt: s.takenAt,
            trigger: s.trigger,
            values: valuesOf(s.counts),
          })),
        };
      }),
  });

  r.post(takeSnapshotsNow.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(takeSnapshotsNow, tags), response: { 201: takeSnapshotsNow.response } },
    // Measures every node of the area (1.8-3.6 s for a province): once a minute per account and
    // once at a time per area (round 16; it had no limit).
    handler: async (req, reply) => {
      const result = await heavyWork(app.ctx.db, 'snapshot', req.user!, () =>
        req.scoped(async ({ db, audit }) => {
          const period = periodOf();
          const nodes = await takeSnapshots(db, req.user!.scopeKey, 'demand', req.user!.id, period);
          audit({ action: 'indicator.snapshot', objectType: 'indicator_snapshot', detail: { period, nodes } });
          return { period, nodes };
        }),
      );
      return reply.code(201).send(result);
    },
  });
}
