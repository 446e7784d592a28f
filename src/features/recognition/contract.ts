import { z } from 'zod';
import { HONOUR_ACTION_LABEL, type HonourAction } from '../../domain/recognition/honours.js';
import { date, endpoint, pageOf, pageQuery, subtreeFigures, underQuery, year, type ItemOf, type ResponseOf } from '../../http/contract.js';

/**
 * Recognition and education (pure), shared with the web: the lists and figures of honours,
 * contact and demonstration points, point recommendations, secretary training and campaigns.
 * (Their writes still declare their schemas beside the routes.)
 */

// ── Honours ───────────────────────────────────────────────────────────────────────────────
export const HONOUR_STATES = ['nominated', 'approved', 'rejected', 'awarded', 'revoked'] as const;
export const HONOUR_LEVELS = ['nation', 'province', 'city', 'county'] as const;

export const honourFilters = {
  under: underQuery,
  kind: z.string().regex(/^[a-z_]{1,40}$/, '荣誉类型代码无效').optional(),
  state: z.enum(HONOUR_STATES).optional(),
  level: z.enum(HONOUR_LEVELS).optional(),
  year: year.optional(),
  flagged: z.enum(['true', 'false']).optional(),
  q: z.string().trim().max(40).optional(),
};

export const honourItem = z.object({
  id: z.number(), kind: z.string(), kindLabel: z.string(), subjectName: z.string(), entityId: z.number().nullable(), zoneId: z.number().nullable(), memberId: z.number().nullable(),
  state: z.enum(HONOUR_STATES), stateLabel: z.string(), nominatedOn: z.string(), level: z.string().nullable(), levelLabel: z.string().nullable(), year: z.number().nullable(),
  awardedOn: z.string().nullable(), revokedOn: z.string().nullable(), revokeReason: z.string().nullable(), nominationNote: z.string().nullable(), reviewNote: z.string().nullable(),
  flagged: z.boolean(), flagReason: z.string().nullable(), actions: z.array(z.enum(Object.keys(HONOUR_ACTION_LABEL) as [HonourAction, ...HonourAction[]])),
});

export const listHonours = endpoint({
  method: 'GET',
  path: '/honours',
  summary: '荣誉台账（党员示范岗、党员明星经营户、诚信企业、诚信示范市场等）',
  query: z.strictObject({ ...pageQuery, ...honourFilters }),
  response: pageOf(honourItem),
});

/** Honours as xlsx (the export is audited). */
export const exportHonours = { path: '/honours/export', summary: '导出荣誉台账（xlsx，导出留痕）', query: z.strictObject(honourFilters) } as const;

const honourTally = z.object({ awarded: z.number(), pending: z.number(), flagged: z.number() });
export const honourCounts = endpoint({
  method: 'GET',
  path: '/honours/counts',
  summary: '荣誉数：有效授予、在审、待复核，按类型、按下级辖区（可限定年度）',
  query: z.strictObject({ under: underQuery, year: year.optional() }),
  response: subtreeFigures(honourTally).extend({
    byKind: z.array(honourTally.extend({ kind: z.string(), label: z.string() })),
    own: honourTally,
  }),
});

// ── Contact and demonstration points ──────────────────────────────────────────────────────
export const POINT_KINDS = ['contact', 'demo'] as const;
export const POINT_LEVELS = ['province', 'city', 'county'] as const;
// 'platform': 外卖平台党建联系点 (migration 0017), scoped as the platform is.
export const POINT_SUBJECTS = ['entity', 'org', 'zone', 'platform'] as const;

export const pointFilters = {
  under: underQuery,
  kind: z.enum(POINT_KINDS).optional(),
  level: z.enum(POINT_LEVELS).optional(),
  subjectType: z.enum(POINT_SUBJECTS).optional(),
  status: z.enum(['active', 'revoked']).optional(),
  year: year.optional(),
  reviewDue: z.enum(['true', 'false']).optional(),
  q: z.string().trim().max(40).optional(),
};

export const pointItem = z.object({
  id: z.number(), kind: z.enum(POINT_KINDS), kindLabel: z.string(), level: z.enum(POINT_LEVELS), levelLabel: z.string(), subjectType: z.enum(POINT_SUBJECTS), subjectTypeLabel: z.string(),
  subjectId: z.number(), subjectName: z.string(), designatedOn: z.string(), responsible: z.string(), criteria: z.array(z.string()), criteriaCount: z.number(),
  evidence: z.string().nullable(), status: z.enum(['active', 'revoked']), statusLabel: z.string(), revokedOn: z.string().nullable(), revokeReason: z.string().nullable(),
  lastReviewYear: z.number().nullable(), reviewDue: z.boolean(),
});

export const listPoints = endpoint({
  method: 'GET',
  path: '/points',
  summary: '联系点、示范点台账',
  query: z.strictObject({ ...pageQuery, ...pointFilters }),
  response: pageOf(pointItem),
});

/** Points as xlsx (the export is audited). */
export const exportPoints = { path: '/points/export', query: z.strictObject(pointFilters) } as const;

const pointTally = z.object({ contact: z.number(), demo: z.number() });
export const pointCounts = endpoint({
  method: 'GET',
  path: '/points/counts',
  summary: '在册联系点、示范点数：按级别、按下级辖区',
  query: z.strictObject({ under: underQuery }),
  response: subtreeFigures(pointTally).extend({
    byLevel: z.array(pointTally.extend({ level: z.string(), label: z.string() })),
    own: pointTally,
  }),
});

// ── Point recommendations ─────────────────────────────────────────────────────────────────
export const RECOMMENDATION_STATES = ['pending', 'selected', 'returned', 'rejected'] as const;

export const recommendationItem = z.object({
  id: z.number(), kind: z.string(), kindLabel: z.string(), level: z.string(), levelLabel: z.string(), subjectType: z.string(), subjectTypeLabel: z.string(),
  subjectId: z.number(), subjectName: z.string(), reason: z.string(), fromCode: z.string(), fromName: z.string(), toCode: z.string(),
  state: z.enum(RECOMMENDATION_STATES), stateLabel: z.string(), reviewReason: z.string().nullable(), createdAt: z.string(), reviewedAt: z.string().nullable(),
  /** The caller's node is the one the recommendation went to, and it awaits review. */
  reviewable: z.boolean(),
  /** The caller's node recommended it and it was returned: it may send it again. */
  resendable: z.boolean(),
});

export const listRecommendations = endpoint({
  method: 'GET',
  path: '/point-recommendations',
  summary: '联系点、示范点推荐：报给本级审核的（incoming）与本级报出的（outgoing）',
  query: z.strictObject({ ...pageQuery, direction: z.enum(['incoming', 'outgoing']).optional(), state: z.enum(RECOMMENDATION_STATES).optional() }),
  response: pageOf(recommendationItem),
});

// ── Secretary training ────────────────────────────────────────────────────────────────────
export const CLASS_LEVELS = ['nation', 'province', 'city', 'county'] as const;

export const trainingFilters = {
  under: underQuery,
  level: z.enum(CLASS_LEVELS).optional(),
  year: year.optional(),
  q: z.string().trim().max(40).optional(),
};

export const trainingItem = z.object({
  id: z.number(), name: z.string(), level: z.enum(CLASS_LEVELS), levelLabel: z.string(), startsOn: z.string(), endsOn: z.string(), place: z.string().nullable(),
  organizer: z.string(), mine: z.boolean(), trainees: z.number(), attended: z.number(), completed: z.number(),
});

export const listTrainings = endpoint({
  method: 'GET',
  path: '/trainings',
  summary: '书记培训班（本级及上级举办的）',
  query: z.strictObject({ ...pageQuery, ...trainingFilters }),
  response: pageOf(trainingItem),
});

const indicator = z.object({ secretaries: z.number(), trained: z.number(), pending: z.number(), share: z.number().nullable() });
const indicatorPair = z.object({ all: indicator, newOrgs: indicator });
export const trainingIndicator = endpoint({
  method: 'GET',
  path: '/trainings/indicator',
  summary: '书记任职 12 个月内参加培训的比例（全部书记、当年新建组织书记），按下级辖区',
  query: z.strictObject({ under: underQuery, asOf: date.optional() }),
  response: subtreeFigures(indicatorPair).extend({ asOf: z.string(), own: indicatorPair }),
});

export const secretaryFilters = {
  under: underQuery,
  asOf: date.optional(),
  status: z.enum(['trained', 'pending', 'overdue']).optional(),
  newOrgs: z.enum(['true', 'false']).optional(),
  q: z.string().trim().max(40).optional(),
};

export const listSecretaries = endpoint({
  method: 'GET',
  path: '/trainings/secretaries',
  summary: '在任书记及其培训情况（指标背后的名单；可选为学员）',
  query: z.strictObject({ ...pageQuery, ...secretaryFilters }),
  response: pageOf(z.object({
    id: z.number(), name: z.string(), orgId: z.number(), orgName: z.string(), place: z.string(), foundedOn: z.string().nullable(), termStart: z.string(), termEnd: z.string(),
    windowEnd: z.string(), trainedOn: z.string().nullable(), status: z.enum(['trained', 'pending', 'overdue']), statusLabel: z.string(),
  })),
});

// ── Campaigns (学习教育) ───────────────────────────────────────────────────────────────────
export const CAMPAIGN_THEMES = ['party_history', 'theme_education', 'yearly_theme', 'other'] as const;

export const campaignFilters = {
  under: underQuery,
  theme: z.enum(CAMPAIGN_THEMES).optional(),
  year: year.optional(),
  q: z.string().trim().max(40).optional(),
};

export const campaignItem = z.object({
  id: z.number(), name: z.string(), theme: z.enum(CAMPAIGN_THEMES), themeLabel: z.string(), startsOn: z.string(), endsOn: z.string(), description: z.string().nullable(),
  organizer: z.string(), jurisdictionCode: z.string(), mine: z.boolean(), cancelled: z.boolean(), cancelReason: z.string().nullable(), orgs: z.number(), members: z.number(), activities: z.number(), participants: z.number(),
});

export const listCampaigns = endpoint({
  method: 'GET',
  path: '/campaigns',
  summary: '学习教育活动（本级及上级部署的）',
  query: z.strictObject({ ...pageQuery, ...campaignFilters }),
  response: pageOf(campaignItem),
});

const campaignFigures = z.object({ campaigns: z.number(), orgs: z.number(), members: z.number(), activities: z.number(), participants: z.number() });
export const campaignStats = endpoint({
  method: 'GET',
  path: '/campaigns/stats',
  summary: '学习教育参与情况：参加组织、党员、活动次数与人次，按下级辖区（可限定某一活动或年度）',
  query: z.strictObject({ under: underQuery, campaignId: z.coerce.number().int().positive().optional(), year: year.optional() }),
  response: subtreeFigures(campaignFigures).extend({ own: campaignFigures }),
});

export type HonourRow = ItemOf<typeof listHonours>;
export type HonourCounts = ResponseOf<typeof honourCounts>;
export type PointRow = ItemOf<typeof listPoints>;
export type PointCounts = ResponseOf<typeof pointCounts>;
export type RecommendationRow = ItemOf<typeof listRecommendations>;
export type TrainingRow = ItemOf<typeof listTrainings>;
export type TrainingIndicator = ResponseOf<typeof trainingIndicator>;
export type SecretaryRow = ItemOf<typeof listSecretaries>;
export type CampaignRow = ItemOf<typeof listCampaigns>;
