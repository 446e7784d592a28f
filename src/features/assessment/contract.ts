import { z } from 'zod';
import { INDICATORS, type IndicatorKey } from '../../domain/indicators/registry.js';
import { attachment, codeParam, endpoint, place, underQuery, year, type ResponseOf } from '../../http/contract.js';

/** The annual assessment's contract (pure), shared with the web. */
export const INDICATOR_KEYS = Object.keys(INDICATORS) as [IndicatorKey, ...IndicatorKey[]];
const source = z.enum(['live', 'snapshot']);

/** An item as the level above sets it: an indicator with its target, or a manual item with its score and grounds. */
export const itemIn = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('indicator'),
    indicator: z.enum(INDICATOR_KEYS),
    target: z.number().positive('目标值应大于 0'),
    weight: z.number(),
  }),
  z.strictObject({
    kind: z.literal('manual'),
    label: z.string().trim().min(1, '人工评分项须填写名称').max(100),
    weight: z.number(),
    manualScore: z.number().nullable().default(null),
    evidence: z.string().trim().max(2000).nullable().default(null),
  }),
]);

/** An item scored: the figure it was scored on, and its score. */
export const scoredItem = z.object({
  kind: z.enum(['indicator', 'manual']),
  indicator: z.enum(INDICATOR_KEYS).nullable(),
  label: z.string(),
  unit: z.string().nullable(),
  target: z.number().nullable(),
  weight: z.number(),
  manualScore: z.number().nullable(),
  evidence: z.string().nullable(),
  actual: z.number().nullable(),
  score: z.number(),
});
const scoredChild = z.object({
  code: z.string(),
  name: z.string(),
  level: z.string(),
  items: z.array(scoredItem),
  total: z.number(),
  weight: z.number(),
  rank: z.number().nullable(),
});

/** One item of the caller's own assessment, with its files (manual items take evidence). */
export const ownItem = scoredItem.extend({ id: z.number(), attachments: z.array(attachment) });

/** 本级考核: what the assessed jurisdiction sees of its own year — targets, weights, live score, rank among its siblings. */
export const ownAssessment = z.object({
  node: place,
  year: z.number(),
  source,
  asOf: z.string(),
  total: z.number(),
  weight: z.number(),
  rank: z.number().nullable(),
  ranked: z.number(),
  evidenceDeadline: z.string(),
  evidenceOpen: z.boolean(),
  items: z.array(ownItem),
});

const yearUnder = z.strictObject({ year, under: underQuery });

export const listAssessments = endpoint({
  method: 'GET',
  path: '/assessments',
  summary: '某年度各下级的考核项目、自动评分（已结束年度按该年 12 月快照，否则按实时数据）、人工评分与排名',
  query: yearUnder,
  response: z.object({ node: place, year: z.number(), source, asOf: z.string(), children: z.array(scoredChild) }),
});

export const getOwnAssessment = endpoint({
  method: 'GET',
  path: '/assessments/mine',
  summary: '本级的年度考核：考核项目、分值、实时得分、在同级中的排名（只含本级明细）及人工评分项的佐证材料',
  query: z.strictObject({ year: year.optional() }),
  response: ownAssessment,
});

export const setAssessmentItems = endpoint({
  method: 'PUT',
  path: '/assessments/:code',
  summary: '设置某下级某年度的考核项目（整表替换；仅直接上级）：指标目标、分值，人工评分项的评分与依据',
  params: codeParam,
  body: z.strictObject({ year, items: z.array(itemIn).max(50) }),
  status: 204,
  response: z.null(),
});

/** The year's results as xlsx (ranking and detail; the export is audited). */
export const exportAssessments = { path: '/assessments/export', query: yearUnder } as const;

export type Assessments = ResponseOf<typeof listAssessments>;
export type ScoredChild = z.input<typeof scoredChild>;
export type ScoredItem = z.input<typeof scoredItem>;
export type OwnAssessment = ResponseOf<typeof getOwnAssessment>;
