import { z } from 'zod';
import { COUNT_KEYS, RATE_KEYS, type CountKey, type RateKey } from '../../domain/indicators/registry.js';
import { endpoint, place, underQuery, type ResponseOf } from '../../http/contract.js';

/** The indicators' contract (pure), shared with the web: the dashboard and its monthly snapshots. */

/** Every indicator of the registry: counts are numbers, rates a share or null (nothing to divide by). Reports' rows carry them too. */
export const values = z.object({
  ...Object.fromEntries(COUNT_KEYS.map((k) => [k, z.number()])),
  ...Object.fromEntries(RATE_KEYS.map((k) => [k, z.number().nullable()])),
} as { [K in CountKey]: z.ZodNumber } & { [K in RateKey]: z.ZodNullable<z.ZodNumber> });
export type Values = z.infer<typeof values>;

export const getDashboard = endpoint({
  method: 'GET',
  path: '/dashboard',
  summary: '数据看板：本级全部指标、下级对比（下钻）、按月趋势（月度快照 + 本月实时）、漏斗',
  query: z.strictObject({ under: underQuery, months: z.coerce.number().int().min(2).max(36).default(12) }),
  response: z.object({
    node: place,
    figures: values,
    unassigned: values,
    children: z.array(values.extend(place.shape)),
    trend: z.array(values.extend({ period: z.string(), live: z.boolean(), takenAt: z.string() })),
    funnel: z.array(
      z.object({ key: z.enum(COUNT_KEYS as [CountKey, ...CountKey[]]), label: z.string(), value: z.number() }),
    ),
  }),
});

export const listSnapshots = endpoint({
  method: 'GET',
  path: '/dashboard/snapshots',
  summary: '月度指标快照（每月一条，同月重取以最新为准）：某辖区各月全部指标',
  query: z.strictObject({
    under: underQuery,
    from: z
      .string()
      .regex(/^\d{4}-\d{2}$/, '月份格式应为 YYYY-MM')
      .optional(),
  }),
  response: z.object({
    node: place,
    snapshots: z.array(
      z.object({ period: z.string(), takenAt: z.string(), trigger: z.enum(['schedule', 'demand']), values }),
    ),
  }),
});

export const takeSnapshotsNow = endpoint({
  method: 'POST',
  path: '/dashboard/snapshots',
  summary: '立即为本辖区及下级各辖区取本月快照（替换本月已有快照）',
  status: 201,
  response: z.object({ period: z.string(), nodes: z.number() }),
});

export type Dashboard = ResponseOf<typeof getDashboard>;
