import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { COUNT_KEYS, RATE_KEYS, valuesOf, type CountKey, type RateKey } from '../../domain/indicators/registry.js';
import { nodeInScope } from '../jurisdictions/subtree.js';
import { figuresWithChildren, funnelOf, periodOf, snapshotsOf, takeSnapshots, trendOf } from './service.js';
import { snapshotSchedule } from './schedule.js';

const under = z.string().regex(/^\d{6,9}$/, '辖区代码应为 6 或 9 位数字').optional();
/** Every indicator of the registry: counts are numbers, rates a share or null (nothing to divide by). */
export const values = z.object({
  ...Object.fromEntries(COUNT_KEYS.map((k) => [k, z.number()])),
  ...Object.fromEntries(RATE_KEYS.map((k) => [k, z.number().nullable()])),
} as { [K in CountKey]: z.ZodNumber } & { [K in RateKey]: z.ZodNullable<z.ZodNumber> });
const place = { code: z.string(), name: z.string(), level: z.string() };

/** 数据看板: every indicator for a node of the caller's subtree, its children for drill-down, the monthly trend and the funnel; and the monthly snapshots. */
export async function dashboardRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  snapshotSchedule(app);

  r.get('/dashboard', {
    config: { access: 'data.read' },
    schema: {
      tags: ['数据看板'],
      summary: '数据看板：本级全部指标、下级对比（下钻）、按月趋势（月度快照 + 本月实时）、漏斗',
      querystring: z.strictObject({ under, months: z.coerce.number().int().min(2).max(36).default(12) }),
      response: {
        200: z.object({
          node: z.object(place),
          figures: values,
          unassigned: values,
          children: z.array(values.extend(place)),
          trend: z.array(values.extend({ period: z.string(), live: z.boolean(), takenAt: z.string() })),
          funnel: z.array(z.object({ key: z.string(), label: z.string(), value: z.number() })),
        }),
      },
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

  r.get('/dashboard/snapshots', {
    config: { access: 'data.read' },
    schema: {
      tags: ['数据看板'],
      summary: '月度指标快照（每月一条，同月重取以最新为准）：某辖区各月全部指标',
      querystring: z.strictObject({ under, from: z.string().regex(/^\d{4}-\d{2}$/, '月份格式应为 YYYY-MM').optional() }),
      response: {
        200: z.object({
          node: z.object(place),
          snapshots: z.array(z.object({ period: z.string(), takenAt: z.string(), trigger: z.enum(['schedule', 'demand']), values })),
        }),
      },
    },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const node = await nodeInScope(db, req.user!, req.query.under);
        const snapshots = await snapshotsOf(db, node.scope_key, req.query.from);
        return { node: { code: node.code, name: node.name, level: node.level }, snapshots: snapshots.map((s) => ({ period: s.period, takenAt: s.takenAt, trigger: s.trigger, values: valuesOf(s.counts) })) };
      }),
  });

  r.post('/dashboard/snapshots', {
    config: { access: 'data.write' },
    schema: { tags: ['数据看板'], summary: '立即为本辖区及下级各辖区取本月快照（替换本月已有快照）' },
    handler: async (req, reply) => {
      const result = await req.scoped(async ({ db, audit }) => {
        const period = periodOf();
        const nodes = await takeSnapshots(db, req.user!.scopeKey, 'demand', req.user!.id, period);
        audit({ action: 'indicator.snapshot', objectType: 'indicator_snapshot', detail: { period, nodes } });
        return { period, nodes };
      });
      return reply.code(201).send(result);
    },
  });
}
