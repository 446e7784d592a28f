import { z } from 'zod';
import { CAMPAIGN_THEME_LABEL } from '../../domain/recognition/campaigns.js';
import { AWARD_LEVEL_LABEL, HONOUR_ACTION_LABEL, HONOUR_STATE_LABEL } from '../../domain/recognition/honours.js';
import {
  POINT_KIND_LABEL,
  POINT_LEVEL_LABEL,
  POINT_STATUS_LABEL,
  POINT_SUBJECT_LABEL,
  REVIEW_OUTCOME_LABEL,
} from '../../domain/recognition/points.js';
import { DECISION_LABEL, RECOMMENDATION_STATE_LABEL } from '../../domain/recognition/recommendations.js';
import { CLASS_LEVEL_LABEL, SECRETARY_STATUS_LABEL } from '../../domain/recognition/training.js';
import {
  attachment,
  codesOf,
  date,
  endpoint,
  historyLine,
  idKeyParam,
  idParam,
  pageOf,
  pageQuery,
  subtreeFigures,
  timestamp,
  underQuery,
  year,
  type ItemOf,
  type ResponseOf,
} from '../../http/contract.js';

/**
 * Recognition and education (pure), shared with the web: honours, contact and demonstration
 * points, point recommendations, secretary training and campaigns — their lists, figures, details
 * and writes. The codes come from the domain's label maps.
 */
const created = z.object({ id: z.number() });

// ── Honours ───────────────────────────────────────────────────────────────────────────────
const honourState = codesOf(HONOUR_STATE_LABEL);
const awardLevel = codesOf(AWARD_LEVEL_LABEL);
const honourKind = z.string().regex(/^[a-z_]{1,40}$/, '荣誉类型代码无效');

export const honourFilters = {
  under: underQuery,
  kind: honourKind.optional(),
  state: honourState.optional(),
  level: awardLevel.optional(),
  year: year.optional(),
  flagged: z.enum(['true', 'false']).optional(),
  q: z.string().trim().max(40).optional(),
};

export const honourItem = z.object({
  id: z.number(),
  kind: z.string(),
  kindLabel: z.string(),
  subjectName: z.string(),
  entityId: z.number().nullable(),
  zoneId: z.number().nullable(),
  memberId: z.number().nullable(),
  state: honourState,
  stateLabel: z.string(),
  nominatedOn: z.string(),
  level: awardLevel.nullable(),
  levelLabel: z.string().nullable(),
  year: z.number().nullable(),
  awardedOn: z.string().nullable(),
  revokedOn: z.string().nullable(),
  revokeReason: z.string().nullable(),
  nominationNote: z.string().nullable(),
  reviewNote: z.string().nullable(),
  flagged: z.boolean(),
  flagReason: z.string().nullable(),
  actions: z.array(codesOf(HONOUR_ACTION_LABEL)),
});

export const listHonours = endpoint({
  method: 'GET',
  path: '/honours',
  summary: '荣誉台账（党员示范岗、党员明星经营户、诚信企业、诚信示范市场等）',
  query: z.strictObject({ ...pageQuery, ...honourFilters }),
  response: pageOf(honourItem),
});

/** Honours as xlsx (the export is audited). */
export const exportHonours = {
  path: '/honours/export',
  summary: '导出荣誉台账（xlsx，导出留痕）',
  query: z.strictObject(honourFilters),
} as const;

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

export const nominateHonour = endpoint({
  method: 'POST',
  path: '/honours',
  summary: '提名（荣誉类型见代码表 honor_kind）',
  body: z.strictObject({
    kind: honourKind,
    entityId: z.number().int().positive().optional(),
    zoneId: z.number().int().positive().optional(),
    memberId: z.number().int().positive().optional(),
    nominatedOn: date.optional(),
    note: z.string().trim().max(1000).optional(),
  }),
  status: 201,
  response: created,
});

export const getHonour = endpoint({
  method: 'GET',
  path: '/honours/:id',
  summary: '荣誉详情与变更记录',
  params: idParam,
  response: honourItem.extend({
    violations: z.array(z.object({ id: z.number(), occurredOn: z.string(), description: z.string() })),
    history: z.array(
      historyLine.extend({
        state: z.string().nullable(),
        stateLabel: z.string().nullable(),
        flagReason: z.string().nullable(),
      }),
    ),
  }),
});

export const actOnHonour = endpoint({
  method: 'POST',
  path: '/honours/:id/actions',
  summary: '审核通过 / 审核不通过（须理由）/ 授予（级别、年度）/ 撤销（须理由）/ 复核后保留（须理由）',
  params: idParam,
  body: z.strictObject({
    action: codesOf(HONOUR_ACTION_LABEL),
    reason: z.string().trim().max(500).optional(),
    level: awardLevel.optional(),
    year: z.number().int().optional(),
  }),
  response: z.object({ id: z.number(), state: honourState, stateLabel: z.string(), action: z.string() }),
});

export const listViolations = endpoint({
  method: 'GET',
  path: '/entities/:id/violations',
  summary: '市场主体的严重违法违规记录',
  params: idParam,
  response: z.object({
    items: z.array(
      z.object({
        id: z.number(),
        occurredOn: z.string(),
        description: z.string(),
        recordedAt: timestamp,
        recordedBy: z.string().nullable(),
      }),
    ),
  }),
});

export const recordViolation = endpoint({
  method: 'POST',
  path: '/entities/:id/violations',
  summary: '记录严重违法违规行为（该主体的荣誉随即标记待复核）',
  params: idParam,
  body: z.strictObject({
    occurredOn: date,
    description: z.string().trim().min(4, '请简要说明违法违规情况（至少 4 个字）').max(500),
  }),
  status: 201,
  response: z.object({ id: z.number(), flaggedHonours: z.number() }),
});

// ── Contact and demonstration points ──────────────────────────────────────────────────────
const pointKind = codesOf(POINT_KIND_LABEL);
const pointLevel = codesOf(POINT_LEVEL_LABEL);
const pointSubject = codesOf(POINT_SUBJECT_LABEL);
const pointStatus = codesOf(POINT_STATUS_LABEL);

export const pointFilters = {
  under: underQuery,
  kind: pointKind.optional(),
  level: pointLevel.optional(),
  subjectType: pointSubject.optional(),
  status: pointStatus.optional(),
  year: year.optional(),
  reviewDue: z.enum(['true', 'false']).optional(),
  q: z.string().trim().max(40).optional(),
};

export const pointItem = z.object({
  id: z.number(),
  kind: pointKind,
  kindLabel: z.string(),
  level: pointLevel,
  levelLabel: z.string(),
  subjectType: pointSubject,
  subjectTypeLabel: z.string(),
  subjectId: z.number(),
  subjectName: z.string(),
  designatedOn: z.string(),
  responsible: z.string(),
  criteria: z.array(z.string()),
  criteriaCount: z.number(),
  evidence: z.string().nullable(),
  status: pointStatus,
  statusLabel: z.string(),
  revokedOn: z.string().nullable(),
  revokeReason: z.string().nullable(),
  lastReviewYear: z.number().nullable(),
  reviewDue: z.boolean(),
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

const responsibleName = z.string().trim().min(2, '负责人姓名至少 2 个字').max(20);
const criteria = z.array(z.string().max(40)).max(30);
const evidence = z.string().trim().max(2000);

export const designatePoint = endpoint({
  method: 'POST',
  path: '/points',
  summary: '命名联系点或示范点（市场主体、党组织、市场园区楼宇）',
  body: z.strictObject({
    kind: pointKind,
    level: pointLevel,
    subjectType: pointSubject,
    subjectId: z.number().int().positive(),
    designatedOn: date,
    responsibleName: responsibleName.optional(),
    responsibleUserId: z.number().int().positive().optional(),
    criteria: criteria.default([]),
    evidence: evidence.optional(),
  }),
  status: 201,
  response: created,
});

export const getPoint = endpoint({
  method: 'GET',
  path: '/points/:id',
  summary: '联系点、示范点详情：条件、复核记录',
  params: idParam,
  response: pointItem.extend({
    responsibleName: z.string().nullable(),
    reviews: z.array(
      z.object({
        id: z.number(),
        year: z.number(),
        outcome: codesOf(REVIEW_OUTCOME_LABEL),
        outcomeLabel: z.string(),
        reason: z.string().nullable(),
        reviewedOn: z.string(),
        reviewer: z.string().nullable(),
      }),
    ),
  }),
});

export const updatePoint = endpoint({
  method: 'PATCH',
  path: '/points/:id',
  summary: '修改负责人、条件清单、佐证材料说明',
  params: idParam,
  body: z.strictObject({
    responsibleName: responsibleName.nullable().optional(),
    responsibleUserId: z.number().int().positive().nullable().optional(),
    criteria: criteria.optional(),
    evidence: evidence.nullable().optional(),
  }),
  response: created,
});

export const reviewPoint = endpoint({
  method: 'POST',
  path: '/points/:id/reviews',
  summary: '年度复核：保留或撤销（撤销须说明理由），每年一次',
  params: idParam,
  body: z.strictObject({
    year: z.number().int().min(2000).max(2100),
    outcome: codesOf(REVIEW_OUTCOME_LABEL),
    reason: z.string().trim().max(500).optional(),
    reviewedOn: date.optional(),
  }),
  status: 201,
  response: created,
});

// ── Point recommendations ─────────────────────────────────────────────────────────────────
const recommendationState = codesOf(RECOMMENDATION_STATE_LABEL);

export const recommendationItem = z.object({
  id: z.number(),
  kind: pointKind,
  kindLabel: z.string(),
  level: pointLevel,
  levelLabel: z.string(),
  subjectType: pointSubject,
  subjectTypeLabel: z.string(),
  subjectId: z.number(),
  subjectName: z.string(),
  reason: z.string(),
  fromCode: z.string(),
  fromName: z.string(),
  toCode: z.string(),
  state: recommendationState,
  stateLabel: z.string(),
  reviewReason: z.string().nullable(),
  createdAt: z.string(),
  reviewedAt: z.string().nullable(),
  /** The caller's node is the one the recommendation went to, and it awaits review. */
  reviewable: z.boolean(),
  /** The caller's node recommended it and it was returned: it may send it again. */
  resendable: z.boolean(),
});

export const listRecommendations = endpoint({
  method: 'GET',
  path: '/point-recommendations',
  summary: '联系点、示范点推荐：报给本级审核的（incoming）与本级报出的（outgoing）',
  query: z.strictObject({
    ...pageQuery,
    direction: z.enum(['incoming', 'outgoing']).optional(),
    state: recommendationState.optional(),
  }),
  response: pageOf(recommendationItem),
});

const reasonText = z.string().trim().min(4, '请填写推荐理由（至少 4 个字）').max(2000, '推荐理由不超过 2000 字');

export const getRecommendation = endpoint({
  method: 'GET',
  path: '/point-recommendations/:id',
  summary: '推荐详情：理由、材料、审核结果',
  params: idParam,
  response: recommendationItem.extend({ attachments: z.array(attachment) }),
});

export const recommendPoint = endpoint({
  method: 'POST',
  path: '/point-recommendations',
  summary: '向上级推荐联系点或示范点（理由；材料用附件上传）',
  body: z.strictObject({
    kind: codesOf(POINT_KIND_LABEL, '请选择联系点或示范点'),
    subjectType: codesOf(POINT_SUBJECT_LABEL, '请选择推荐对象类型'),
    subjectId: z.number().int().positive('请选择推荐对象'),
    reason: reasonText,
  }),
  status: 201,
  response: created,
});

export const reviewRecommendation = endpoint({
  method: 'POST',
  path: '/point-recommendations/:id/review',
  summary: '审核下级推荐：选定、退回（补充材料）或不予采纳（须说明理由）；选定后按命名规则另行命名',
  params: idParam,
  body: z.strictObject({
    decision: codesOf(DECISION_LABEL, '请选择审核结果'),
    reason: z.string().trim().max(500, '理由不超过 500 字').optional(),
  }),
  response: recommendationItem,
});

export const resubmitRecommendation = endpoint({
  method: 'POST',
  path: '/point-recommendations/:id/resubmit',
  summary: '补充后重新报送退回的推荐',
  params: idParam,
  body: z.strictObject({ reason: reasonText }),
  response: recommendationItem,
});

// ── Secretary training ────────────────────────────────────────────────────────────────────
const classLevel = codesOf(CLASS_LEVEL_LABEL);
const secretaryStatus = codesOf(SECRETARY_STATUS_LABEL);

export const trainingFilters = {
  under: underQuery,
  level: classLevel.optional(),
  year: year.optional(),
  q: z.string().trim().max(40).optional(),
};

export const trainingItem = z.object({
  id: z.number(),
  name: z.string(),
  level: classLevel,
  levelLabel: z.string(),
  startsOn: z.string(),
  endsOn: z.string(),
  place: z.string().nullable(),
  organizer: z.string(),
  mine: z.boolean(),
  trainees: z.number(),
  attended: z.number(),
  completed: z.number(),
});

export const listTrainings = endpoint({
  method: 'GET',
  path: '/trainings',
  summary: '书记培训班（本级及上级举办的）',
  query: z.strictObject({ ...pageQuery, ...trainingFilters }),
  response: pageOf(trainingItem),
});

const indicator = z.object({
  secretaries: z.number(),
  trained: z.number(),
  pending: z.number(),
  share: z.number().nullable(),
});
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
  status: secretaryStatus.optional(),
  newOrgs: z.enum(['true', 'false']).optional(),
  q: z.string().trim().max(40).optional(),
};

export const listSecretaries = endpoint({
  method: 'GET',
  path: '/trainings/secretaries',
  summary: '在任书记及其培训情况（指标背后的名单；可选为学员）',
  query: z.strictObject({ ...pageQuery, ...secretaryFilters }),
  response: pageOf(
    z.object({
      id: z.number(),
      name: z.string(),
      orgId: z.number(),
      orgName: z.string(),
      place: z.string(),
      foundedOn: z.string().nullable(),
      termStart: z.string(),
      termEnd: z.string(),
      windowEnd: z.string(),
      trainedOn: z.string().nullable(),
      status: secretaryStatus,
      statusLabel: z.string(),
    }),
  ),
});

const classFields = {
  name: z.string().trim().min(2, '名称至少 2 个字').max(60),
  startsOn: date,
  endsOn: date,
  place: z.string().trim().max(100).optional(),
};

export const createTraining = endpoint({
  method: 'POST',
  path: '/trainings',
  summary: '举办书记培训班（级别不高于本级：总局示范 / 省 / 市 / 县）',
  body: z.strictObject({ ...classFields, level: classLevel }),
  status: 201,
  response: created,
});

export const getTraining = endpoint({
  method: 'GET',
  path: '/trainings/:id',
  summary: '培训班详情：学员（本辖区）、出勤与结业',
  params: idParam,
  response: trainingItem.extend({
    traineeList: z.array(
      z.object({
        id: z.number(),
        officerId: z.number(),
        name: z.string(),
        orgName: z.string(),
        termStart: z.string(),
        attended: z.boolean(),
        completed: z.boolean(),
      }),
    ),
  }),
});

export const updateTraining = endpoint({
  method: 'PATCH',
  path: '/trainings/:id',
  summary: '修改培训班',
  params: idParam,
  body: z.strictObject(classFields).partial(),
  response: created,
});

export const addTrainees = endpoint({
  method: 'POST',
  path: '/trainings/:id/trainees',
  summary: '登记学员（举办单位辖区内的党组织书记）',
  params: idParam,
  body: z.strictObject({ officerIds: z.array(z.number().int().positive()).min(1, '请选择学员').max(500) }),
  response: z.object({ added: z.number() }),
});

export const updateTrainee = endpoint({
  method: 'PATCH',
  path: '/trainings/:id/trainees/:key',
  summary: '登记出勤与结业（结业须先出勤）',
  params: idKeyParam,
  body: z.strictObject({ attended: z.boolean().optional(), completed: z.boolean().optional() }),
  response: z.object({ id: z.number(), attended: z.boolean(), completed: z.boolean() }),
});

export const removeTrainee = endpoint({
  method: 'DELETE',
  path: '/trainings/:id/trainees/:key',
  summary: '移除学员',
  params: idKeyParam,
  status: 204,
  response: z.null(),
});

// ── Campaigns (学习教育) ───────────────────────────────────────────────────────────────────
const campaignTheme = codesOf(CAMPAIGN_THEME_LABEL);

export const campaignFilters = {
  under: underQuery,
  theme: campaignTheme.optional(),
  year: year.optional(),
  q: z.string().trim().max(40).optional(),
};

export const campaignItem = z.object({
  id: z.number(),
  name: z.string(),
  theme: campaignTheme,
  themeLabel: z.string(),
  startsOn: z.string(),
  endsOn: z.string(),
  description: z.string().nullable(),
  organizer: z.string(),
  jurisdictionCode: z.string(),
  mine: z.boolean(),
  cancelled: z.boolean(),
  cancelReason: z.string().nullable(),
  orgs: z.number(),
  members: z.number(),
  activities: z.number(),
  participants: z.number(),
});

export const listCampaigns = endpoint({
  method: 'GET',
  path: '/campaigns',
  summary: '学习教育活动（本级及上级部署的）',
  query: z.strictObject({ ...pageQuery, ...campaignFilters }),
  response: pageOf(campaignItem),
});

const campaignFigures = z.object({
  campaigns: z.number(),
  orgs: z.number(),
  members: z.number(),
  activities: z.number(),
  participants: z.number(),
});
export const campaignStats = endpoint({
  method: 'GET',
  path: '/campaigns/stats',
  summary: '学习教育参与情况：参加组织、党员、活动次数与人次，按下级辖区（可限定某一活动或年度）',
  query: z.strictObject({
    under: underQuery,
    campaignId: z.coerce.number().int().positive().optional(),
    year: year.optional(),
  }),
  response: subtreeFigures(campaignFigures).extend({ own: campaignFigures }),
});

const campaignFields = {
  name: z.string().trim().min(2, '名称至少 2 个字').max(60),
  theme: campaignTheme,
  startsOn: date,
  endsOn: date,
  description: z.string().trim().max(1000).optional(),
};

export const createCampaign = endpoint({
  method: 'POST',
  path: '/campaigns',
  summary: '部署学习教育活动（默认本级部署）',
  body: z.strictObject({
    ...campaignFields,
    jurisdictionCode: z
      .string()
      .regex(/^\d{6,9}$/, '辖区代码应为 6 或 9 位数字')
      .optional(),
  }),
  status: 201,
  response: created,
});

export const getCampaign = endpoint({
  method: 'GET',
  path: '/campaigns/:id',
  summary: '学习教育活动详情：参加的组织（本辖区）、活动记录',
  params: idParam,
  response: campaignItem.extend({
    orgList: z.array(z.object({ id: z.number(), name: z.string(), members: z.number() })),
    activityList: z.array(
      z.object({
        id: z.number(),
        heldOn: z.string(),
        title: z.string(),
        participants: z.number(),
        note: z.string().nullable(),
        orgId: z.number().nullable(),
        org: z.string().nullable(),
      }),
    ),
  }),
});

export const updateCampaign = endpoint({
  method: 'PATCH',
  path: '/campaigns/:id',
  summary: '修改学习教育活动（部署单位）',
  params: idParam,
  body: z.strictObject(campaignFields).partial(),
  response: created,
});

export const cancelCampaign = endpoint({
  method: 'POST',
  path: '/campaigns/:id/cancel',
  summary: '取消学习教育活动（写明原因，部署单位）；下发的任务随之撤销',
  params: idParam,
  body: z.strictObject({ reason: z.string().trim().min(1, '请写明取消原因').max(500) }),
  status: 204,
  response: z.null(),
});

export const addCampaignOrg = endpoint({
  method: 'POST',
  path: '/campaigns/:id/orgs',
  summary: '登记参加的党组织与参加党员数（默认取该组织登记的党员数）',
  params: idParam,
  body: z.strictObject({
    orgId: z.number().int().positive(),
    members: z.number().int().min(0).max(100_000).optional(),
  }),
  status: 204,
  response: z.null(),
});

export const removeCampaignOrg = endpoint({
  method: 'DELETE',
  path: '/campaigns/:id/orgs/:key',
  summary: '移出参加的党组织',
  params: idKeyParam,
  status: 204,
  response: z.null(),
});

export const recordActivity = endpoint({
  method: 'POST',
  path: '/campaigns/:id/activities',
  summary: '记录开展的活动（日期、名称、参加人数、备注；可注明组织）',
  params: idParam,
  body: z.strictObject({
    heldOn: date,
    title: z.string().trim().min(2, '活动名称至少 2 个字').max(80),
    participants: z.number().int().min(0, '参加人数不能为负').max(100_000),
    orgId: z.number().int().positive().optional(),
    note: z.string().trim().max(1000).optional(),
  }),
  status: 201,
  response: created,
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
export type HonourDetail = ResponseOf<typeof getHonour>;
export type PointDetail = ResponseOf<typeof getPoint>;
export type RecommendationDetail = ResponseOf<typeof getRecommendation>;
export type TrainingDetail = ResponseOf<typeof getTraining>;
export type CampaignDetail = ResponseOf<typeof getCampaign>;
