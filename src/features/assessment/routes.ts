import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql, type Transaction } from 'kysely';
import { z } from 'zod';
import type { DB } from '../../db/schema.js';
import { INDICATORS, valuesOf, type IndicatorKey } from '../../domain/indicators/registry.js';
import { itemsProblem, rankByTotal, scoreAll, type AssessmentItem } from '../../domain/assessment/scoring.js';
import { Problem } from '../../http/errors.js';
import { codeParam } from '../../http/paging.js';
import { sendXlsx } from '../../http/xlsx.js';
import { figuresWithChildren } from '../indicators/service.js';
import { nodeInScope, type Node } from '../jurisdictions/subtree.js';
import { snapshotOfMonth } from '../reports/service.js';

type Tx = Transaction<DB>;
const INDICATOR_KEYS = Object.keys(INDICATORS) as [IndicatorKey, ...IndicatorKey[]];
const year = z.coerce.number().int().min(2000, '年度不早于 2000 年').max(2100, '年度不晚于 2100 年');
const under = z.string().regex(/^\d{6,9}$/, '辖区代码应为 6 或 9 位数字').optional();

const itemIn = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('indicator'), indicator: z.enum(INDICATOR_KEYS), target: z.number().positive('目标值应大于 0'), weight: z.number() }),
  z.strictObject({ kind: z.literal('manual'), label: z.string().trim().min(1, '人工评分项须填写名称').max(100), weight: z.number(), manualScore: z.number().nullable().default(null), evidence: z.string().trim().max(2000).nullable().default(null) }),
]);
const itemOut = z.object({
  kind: z.enum(['indicator', 'manual']), indicator: z.string().nullable(), label: z.string(), unit: z.string().nullable(), target: z.number().nullable(),
  weight: z.number(), manualScore: z.number().nullable(), evidence: z.string().nullable(), actual: z.number().nullable(), score: z.number(),
});
const childOut = z.object({ code: z.string(), name: z.string(), level: z.string(), items: z.array(itemOut), total: z.number(), weight: z.number(), rank: z.number().nullable() });

/** The items set for each child of the node for a year, as the domain's items. */
async function itemsByChild(db: Tx, node: Node, y: number) {
  const rows = await db.selectFrom('assessment_item as a').innerJoin('jurisdiction as j', 'j.code', 'a.jurisdiction_code')
    .select(['a.jurisdiction_code', 'a.kind', 'a.indicator', 'a.label', 'a.evidence', sql<number | null>`a.target::float8`.as('target'), sql<number>`a.weight::float8`.as('weight'), sql<number | null>`a.manual_score::float8`.as('manual_score')])
    .where('j.parent_code', '=', node.code).where('a.year', '=', y).orderBy('a.id').execute();
  const out = new Map<string, AssessmentItem[]>();
  for (const r of rows) {
    const item: AssessmentItem = r.kind === 'indicator'
      ? { kind: 'indicator', indicator: r.indicator as IndicatorKey, target: r.target!, weight: r.weight }
      : { kind: 'manual', label: r.label!, weight: r.weight, manualScore: r.manual_score, evidence: r.evidence };
    out.set(r.jurisdiction_code, [...(out.get(r.jurisdiction_code) ?? []), item]);
  }
  return out;
}

/**
 * The figures a year is scored on: a closed year's December snapshot when there is one (the year as
 * it ended), otherwise live figures (the dashboard's measures, one pass).
 */
async function basisOf(db: Tx, node: Node, y: number) {
  const december = y < new Date().getFullYear() ? await snapshotOfMonth(db, node, `${y}-12`) : null;
  if (december) return { source: 'snapshot' as const, asOf: `${y}-12`, children: december.children };
  return { source: 'live' as const, asOf: new Date().toISOString().slice(0, 10), children: (await figuresWithChildren(db, node)).children };
}

/** Every child of the node scored for the year and ranked; children with no items are listed unranked. */
async function scoreChildren(db: Tx, node: Node, y: number) {
  const items = await itemsByChild(db, node, y);
  const { source, asOf, children } = await basisOf(db, node, y);
  const scored = children.map((c) => {
    const list = items.get(c.code) ?? [];
    const s = scoreAll(list, valuesOf(c.counts));
    return {
      code: c.code, name: c.name, level: c.level, total: s.total, weight: s.weight,
      items: s.items.map((i) => ({
        kind: i.kind, indicator: i.kind === 'indicator' ? i.indicator : null, label: i.kind === 'indicator' ? INDICATORS[i.indicator].label : i.label,
        unit: i.kind === 'indicator' ? INDICATORS[i.indicator].unit : null, target: i.kind === 'indicator' ? i.target : null, weight: i.weight,
        manualScore: i.kind === 'manual' ? i.manualScore : null, evidence: i.kind === 'manual' ? i.evidence : null, actual: i.actual, score: i.score,
      })),
    };
  });
  const ranked = new Map(rankByTotal(scored.filter((c) => c.items.length)).map((c) => [c.code, c.rank]));
  return {
    source, asOf,
    children: scored.map((c) => ({ ...c, rank: ranked.get(c.code) ?? null })).sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity) || a.code.localeCompare(b.code)),
  };
}

/** 年度目标责任考核: targets and manual items per sub-jurisdiction and year, set by the level above; scored from live figures; ranked; exported. */
export async function assessmentRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/assessments', {
    config: { access: 'data.read' },
    schema: {
      tags: ['年度考核'], summary: '某年度各下级的考核项目、自动评分（已结束年度按该年 12 月快照，否则按实时数据）、人工评分与排名',
      querystring: z.strictObject({ year, under }),
      response: { 200: z.object({ node: z.object({ code: z.string(), name: z.string(), level: z.string() }), year: z.number(), source: z.enum(['live', 'snapshot']), asOf: z.string(), children: z.array(childOut) }) },
    },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const node = await nodeInScope(db, req.user!, req.query.under);
        return { node: { code: node.code, name: node.name, level: node.level }, year: req.query.year, ...(await scoreChildren(db, node, req.query.year)) };
      }),
  });

  r.put('/assessments/:code', {
    config: { access: 'data.write' },
    schema: {
      tags: ['年度考核'], summary: '设置某下级某年度的考核项目（整表替换；仅直接上级）：指标目标、分值，人工评分项的评分与依据',
      params: codeParam, body: z.strictObject({ year, items: z.array(itemIn).max(50) }),
    },
    handler: async (req, reply) => {
      await req.scoped(async ({ db, audit }) => {
        const target = await nodeInScope(db, req.user!, req.params.code);
        const parent = await db.selectFrom('jurisdiction').select('parent_code').where('code', '=', target.code).executeTakeFirstOrThrow();
        if (parent.parent_code !== req.user!.jurisdictionCode) throw new Problem(403, '无权操作', '考核项目由直接上级设置');
        const items = req.body.items as AssessmentItem[];
        const problem = itemsProblem(items);
        if (problem) throw new Problem(422, '不符合规定', problem.message, [problem]);
        const before = await db.selectFrom('assessment_item').select(['kind', 'indicator', 'label', 'target', 'weight', 'manual_score', 'evidence'])
          .where('jurisdiction_code', '=', target.code).where('year', '=', req.body.year).orderBy('id').execute();
        await db.deleteFrom('assessment_item').where('jurisdiction_code', '=', target.code).where('year', '=', req.body.year).execute();
        if (items.length) {
          await db.insertInto('assessment_item').values(items.map((i) => ({
            year: req.body.year, jurisdiction_code: target.code, scope_key: target.scope_key, kind: i.kind, weight: i.weight,
            ...(i.kind === 'indicator' ? { indicator: i.indicator, target: i.target } : { label: i.label, manual_score: i.manualScore, evidence: i.evidence }),
          }))).execute();
        }
        audit({ action: 'assessment.set', objectType: 'assessment_item', objectId: `${target.code}/${req.body.year}`, detail: { before, after: items } });
      });
      return reply.code(204).send();
    },
  });

  r.get('/assessments/export', {
    config: { access: 'data.read' },
    schema: { tags: ['年度考核'], summary: '导出年度考核结果（xlsx：排名与明细，导出留痕）', querystring: z.strictObject({ year, under }) },
    handler: async (req, reply) => {
      const { node, children } = await req.scoped(async ({ db, audit }) => {
        const node = await nodeInScope(db, req.user!, req.query.under);
        const { children } = await scoreChildren(db, node, req.query.year);
        audit({ action: 'assessment.export', objectType: 'assessment_item', objectId: `${node.code}/${req.query.year}`, detail: { rows: children.length } });
        return { node, children };
      });
      const pct = (unit: string | null, v: number | null) => (v === null ? null : unit === '%' ? `${(v * 100).toFixed(1)}%` : v);
      return sendXlsx(reply, `${node.name}${req.query.year}年度目标责任考核.xlsx`, '考核排名', [
        { header: '排名', width: 8, value: (c) => c.rank },
        { header: '辖区', width: 20, value: (c) => c.name },
        { header: '得分', width: 10, value: (c) => c.total },
        { header: '满分', width: 10, value: (c) => c.weight },
      ], children, [{
        name: '考核明细',
        headers: ['辖区', '考核项目', '类别', '目标值', '实际值', '分值', '得分', '评分依据'],
        rows: children.flatMap((c) => c.items.map((i) => [c.name, i.label, i.kind === 'indicator' ? '指标（自动评分）' : '人工评分', pct(i.unit, i.target), pct(i.unit, i.actual), i.weight, i.score, i.evidence])),
      }]);
    },
  });
}
