import { z } from 'zod';
import {
  date,
  endpoint,
  idParam,
  pageOf,
  pageQuery,
  patchOf,
  place,
  underQuery,
  type ItemOf,
  type ResponseOf,
} from '../../http/contract.js';
import { DOORS, RIDER_CATEGORY_LABEL, STATES, type CaseState, type RiderCategory } from '../../domain/cases/engine.js';
import { OFFER_LABEL, type Offer } from '../../domain/cases/service-posts.js';
import { phoneField } from '../../domain/ledger/rows.js';

/**
 * 诉求 (one case engine, several doors) and 大走访大调研: the staff's work list, a case and its
 * moves, figures, service posts, visit plans and records, and the public door (pure), shared with the web.
 */
const state = z.enum(STATES as [CaseState, ...CaseState[]]);
const created = z.object({ id: z.number() });
const STAFF_ACTIONS = ['accept', 'note', 'resolve', 'route', 'close'] as const;
export type StaffAction = (typeof STAFF_ACTIONS)[number];

// ── Cases ─────────────────────────────────────────────────────────────────────────────────
export const appealFilters = {
  under: underQuery,
  door: z.enum(DOORS as ['rider', 'visit', 'plaque']).optional(),
  category: z
    .string()
    .regex(/^[a-z_]{1,40}$/, '类别代码不正确')
    .optional(),
  state: state.optional(),
  overdue: z.enum(['true']).optional(),
  escalated: z.enum(['true']).optional(),
  q: z.string().trim().max(40).optional(),
};

export const caseItem = z.object({
  id: z.number(),
  door: z.string(),
  doorLabel: z.string(),
  category: z.string(),
  categoryLabel: z.string(),
  content: z.string(),
  state,
  stateLabel: z.string(),
  unitName: z.string(),
  unitKind: z.string(),
  unitCode: z.string(),
  unitLine: z.string().nullable(),
  place: z.string().nullable(),
  entityName: z.string().nullable(),
  hasContact: z.boolean(),
  createdAt: z.string(),
  dueAt: z.string().nullable(),
  overdue: z.boolean(),
  escalationLevel: z.number(),
  escalated: z.boolean(),
  reply: z.string().nullable(),
  satisfaction: z.number().nullable(),
  reopenCount: z.number(),
});

export const listAppeals = endpoint({
  method: 'GET',
  path: '/appeals',
  summary: '诉求工作台（本单位承办、本单位提出、督办到本级的）',
  query: z.strictObject({ ...pageQuery, ...appealFilters }),
  response: pageOf(caseItem),
});

/** Cases as xlsx (the export is audited; contact phones are not exported). */
export const exportAppeals = {
  path: '/appeals/export',
  summary: '导出诉求（xlsx，导出留痕；联系电话不导出）',
  query: z.strictObject(appealFilters),
} as const;

const tally = z.record(z.string(), z.number());
export const appealFigures = endpoint({
  method: 'GET',
  path: '/appeals/figures',
  summary: '诉求与走访数字：按来源、类别、状态，各环节用时中位数与 90% 分位，超时、满意度、走访（按辖区子树与下级）',
  query: z.strictObject({ under: underQuery }),
  response: z.object({
    node: place,
    total: z.object({
      total: z.number(),
      open: z.number(),
      overdue: z.number(),
      escalated: z.number(),
      satisfaction: z.number().nullable(),
      rated: z.number(),
      /** Null for an account that reads no visits (a unit account): not a 0 that is not true. */
      visits: z.number().nullable(),
      entitiesVisited: z.number().nullable(),
    }),
    byDoor: tally,
    byCategory: tally,
    categoryLabels: z.record(z.string(), z.string()),
    byState: tally,
    steps: z.array(
      z.object({
        step: z.string(),
        label: z.string(),
        p50Hours: z.number().nullable(),
        p90Hours: z.number().nullable(),
      }),
    ),
    children: z.array(
      place.extend({
        total: z.number(),
        open: z.number(),
        overdue: z.number(),
        rider: z.number(),
        visit: z.number(),
        plaque: z.number(),
        satisfaction: z.number().nullable(),
        visits: z.number().nullable(),
        entitiesVisited: z.number().nullable(),
      }),
    ),
  }),
});

const eventItem = z.object({
  id: z.number(),
  at: z.string(),
  actor: z.string(),
  actorName: z.string().nullable(),
  action: z.string(),
  actionLabel: z.string(),
  fromState: z.string().nullable(),
  toState: z.string(),
  note: z.string().nullable(),
});

export const getAppeal = endpoint({
  method: 'GET',
  path: '/appeals/:id',
  summary: '诉求详情：办理经过、可做的操作（联系电话脱敏）',
  params: idParam,
  response: caseItem.extend({
    contact: z.string().nullable(),
    contentMasked: z.boolean(),
    events: z.array(eventItem),
    actions: z.array(z.string()),
    mine: z.boolean(),
    feedbackComment: z.string().nullable(),
    stepHours: z.array(z.object({ step: z.string(), label: z.string(), hours: z.number().nullable() })),
  }),
});

export const revealAppeal = endpoint({
  method: 'POST',
  path: '/appeals/:id/reveal',
  summary: '查看提出人留下的完整联系电话和诉求原文（原文中的身份证号、电话显示时已脱敏；留痕；只有承办单位可以）',
  params: idParam,
  response: z.object({ phone: z.string().nullable(), content: z.string().nullable() }),
});

export const actOnAppeal = endpoint({
  method: 'POST',
  path: '/appeals/:id/actions',
  summary: '办理诉求：签收、记录办理情况、办结答复（公开给提出人）、转办、关闭',
  params: idParam,
  body: z.strictObject({
    action: z.enum(STAFF_ACTIONS, { error: '请选择操作' }),
    note: z.string().trim().min(2, '请填写说明').max(1000, '说明不超过 1000 字').optional(),
    reply: z.string().trim().min(5, '请填写给提出人的答复（至少 5 个字）').max(1000, '答复不超过 1000 字').optional(),
    unitCode: z
      .string()
      .regex(/^\d{2,9}$/, '请选择承办单位')
      .optional(),
    line: z
      .string()
      .regex(/^[a-z_]{1,40}$/, '业务条线代码不正确')
      .optional(),
  }),
  response: z.object({ id: z.number(), state }),
});

// ── Service posts (驿站) ───────────────────────────────────────────────────────────────────
const publicPost = z.object({
  id: z.number(),
  name: z.string(),
  address: z.string(),
  openingHours: z.string(),
  offers: z.array(z.string()),
  phone: z.string().nullable(),
  areaName: z.string(),
  longitude: z.number().nullable(),
  latitude: z.number().nullable(),
});
export const postBody = z.strictObject({
  name: z.string().trim().min(2, '请填写驿站名称').max(60, '名称不超过 60 字'),
  jurisdictionCode: z.string().regex(/^\d{6}(\d{3})?$/, '请选择所在县（区）或基层所'),
  address: z.string().trim().min(2, '请填写地址').max(200),
  openingHours: z.string().trim().min(2, '请填写开放时间').max(100),
  offers: z
    .array(z.enum(Object.keys(OFFER_LABEL) as [Offer, ...Offer[]], { error: '服务项目不正确' }))
    .max(10)
    .default([]),
  phone: z
    .string()
    .trim()
    .regex(/^[\d-]{7,20}$/, '电话格式不正确')
    .optional(),
  longitude: z.number().min(73).max(136).optional(),
  latitude: z.number().min(3).max(54).optional(),
});

export const listServicePosts = endpoint({
  method: 'GET',
  path: '/service-posts',
  summary: '骑手驿站（位置、开放时间、服务项目）',
  query: z.strictObject({ ...pageQuery, under: underQuery }),
  response: pageOf(publicPost.extend({ active: z.boolean(), jurisdictionCode: z.string() })),
});

export const createServicePost = endpoint({
  method: 'POST',
  path: '/service-posts',
  summary: '登记骑手驿站',
  body: postBody,
  status: 201,
  response: created,
});

export const updateServicePost = endpoint({
  method: 'PATCH',
  path: '/service-posts/:id',
  summary: '修改骑手驿站（开放时间、服务项目、停用）',
  params: idParam,
  body: patchOf(postBody.omit({ jurisdictionCode: true })).extend({ active: z.boolean().optional() }),
  response: created,
});

// ── Visits (大走访大调研) ───────────────────────────────────────────────────────────────────
export const listVisitPlans = endpoint({
  method: 'GET',
  path: '/visit-plans',
  summary: '走访计划（谁在什么期间走访哪些市场主体，已走访几户；已注销、吊销或迁出而未走访的主体不计入，列为无需走访）',
  query: z.strictObject({ ...pageQuery, under: underQuery }),
  response: pageOf(
    z.object({
      id: z.number(),
      title: z.string(),
      visitorName: z.string(),
      startsOn: z.string(),
      endsOn: z.string(),
      /** The entities still to visit or visited (not those 注销/吊销/迁出 before a visit). */
      entities: z.number(),
      visited: z.number(),
      /** The plan's entities 注销/吊销/迁出 before they were visited: kept in its history, not counted. */
      noVisit: z.array(z.object({ entityId: z.number(), name: z.string(), note: z.string() })),
      jurisdictionName: z.string(),
      cancelled: z.boolean(),
      cancelReason: z.string().nullable(),
    }),
  ),
});

export const createVisitPlan = endpoint({
  method: 'POST',
  path: '/visit-plans',
  summary: '新建走访计划',
  body: z.strictObject({
    title: z.string().trim().min(2, '请填写计划名称').max(60),
    visitorName: z.string().trim().min(2, '请填写走访人').max(40),
    startsOn: date,
    endsOn: date,
    entityIds: z.array(z.number().int().positive()).min(1, '请选择要走访的市场主体').max(500, '一个计划最多 500 户'),
  }),
  status: 201,
  response: created,
});

export const cancelVisitPlan = endpoint({
  method: 'POST',
  path: '/visit-plans/:id/cancel',
  summary: '取消走访计划（写明原因）；下发到基层所的走访任务随之撤销',
  params: idParam,
  body: z.strictObject({ reason: z.string().trim().min(1, '请写明取消原因').max(500) }),
  status: 204,
  response: z.null(),
});

export const listVisits = endpoint({
  method: 'GET',
  path: '/visits',
  summary: '走访记录（日期、市场主体、了解到的情况、提出的问题数）',
  query: z.strictObject({ ...pageQuery, under: underQuery, planId: z.coerce.number().int().positive().optional() }),
  response: pageOf(
    z.object({
      id: z.number(),
      planId: z.number().nullable(),
      entityId: z.number(),
      entityName: z.string(),
      visitedOn: z.string(),
      visitorName: z.string(),
      learned: z.string(),
      problems: z.number(),
    }),
  ),
});

export const createVisit = endpoint({
  method: 'POST',
  path: '/visits',
  summary: '登记走访：日期、市场主体、了解到的情况；发现的问题和诉求按业务条线转办（照片、定位均不要求）',
  body: z.strictObject({
    planId: z.number().int().positive().optional(),
    entityId: z.number({ error: '请选择市场主体' }).int().positive(),
    visitedOn: date,
    visitorName: z.string().trim().min(2, '请填写走访人').max(40),
    learned: z.string().trim().min(2, '请填写了解到的情况').max(2000, '不超过 2000 字'),
    problems: z
      .array(
        z.strictObject({
          line: z.string().regex(/^[a-z_]{1,40}$/, '请选择业务条线'),
          content: z.string().trim().min(5, '请具体说明问题或诉求（至少 5 个字）').max(1000, '不超过 1000 字'),
        }),
      )
      .max(20)
      .default([]),
  }),
  status: 201,
  response: z.object({ id: z.number(), caseIds: z.array(z.number()) }),
});

export const getVisit = endpoint({
  method: 'GET',
  path: '/visits/:id',
  summary: '走访记录详情与由此提出的问题',
  params: idParam,
  response: z.object({
    id: z.number(),
    visitedOn: z.string(),
    visitorName: z.string(),
    learned: z.string(),
    entityName: z.string(),
    cases: z.array(z.object({ id: z.number(), line: z.string(), state })),
  }),
});

// ── The public door (诉求直通) ─────────────────────────────────────────────────────────────
const trackingParam = z.strictObject({ code: z.string().max(64, '查询码格式不正确') });

export const publicServicePosts = endpoint({
  method: 'GET',
  path: '/public/service-posts',
  summary: '骑手驿站（供诉求页选择）：位置、开放时间、提供的服务',
  query: z.strictObject({
    area: z
      .string()
      .regex(/^\d{2,9}$/, '区域代码应为数字')
      .optional(),
  }),
  response: z.array(publicPost),
});

export const publicPlatforms = endpoint({
  method: 'GET',
  path: '/public/platforms',
  summary: '平台企业（供诉求页选择“所属平台”）：在所选区域有配送站点或在其上级登记的在营平台',
  query: z.strictObject({ area: z.string().regex(/^\d{6}(\d{3})?$/, '区域代码应为县（区）或基层所代码') }),
  response: z.array(z.object({ id: z.number(), name: z.string(), business: z.string(), businessLabel: z.string() })),
});

export const submitAppeal = endpoint({
  method: 'POST',
  path: '/public/appeals',
  summary: '骑手诉求直通：提交诉求（可匿名），返回查询码（只显示一次）',
  body: z
    .strictObject({
      category: z.enum(Object.keys(RIDER_CATEGORY_LABEL) as [RiderCategory, ...RiderCategory[]], {
        error: '请选择诉求类别',
      }),
      content: z.string().trim().min(5, '请具体说明遇到的问题（至少 5 个字）').max(1000, '诉求内容不超过 1000 字'),
      phone: phoneField.optional(),
      areaCode: z
        .string()
        .regex(/^\d{6}(\d{3})?$/, '请选择所在县（区）或基层所')
        .optional(),
      servicePostId: z.number().int().positive('请选择驿站').optional(),
      platformId: z.number().int().positive('请选择平台').optional(),
    })
    .refine((b) => b.areaCode || b.servicePostId, { message: '请选择所在区域或驿站', path: ['areaCode'] }),
  status: 201,
  response: z.object({ code: z.string(), message: z.string() }),
});

export const trackAppeal = endpoint({
  method: 'GET',
  path: '/public/appeals/:code',
  summary: '凭查询码查询诉求进度：状态、各环节时间、承办单位的答复',
  params: trackingParam,
  response: z.object({
    state,
    stateLabel: z.string(),
    categoryLabel: z.string(),
    submittedAt: z.string(),
    unitName: z.string(),
    steps: z.array(z.object({ action: z.string(), label: z.string(), at: z.string() })),
    reply: z.string().nullable(),
    resolvedAt: z.string().nullable(),
    satisfaction: z.number().nullable(),
    satisfactionLabel: z.string().nullable(),
    canFeedback: z.boolean(),
    canReopen: z.boolean(),
    reopenUntil: z.string().nullable(),
  }),
});

export const appealFeedback = endpoint({
  method: 'POST',
  path: '/public/appeals/:code/feedback',
  summary: '评价办理结果（满意度 1–5），或在规定天数内要求重新办理',
  params: trackingParam,
  body: z.discriminatedUnion(
    'action',
    [
      z.strictObject({
        action: z.literal('feedback'),
        satisfaction: z.number({ error: '请选择满意度' }).int().min(1, '满意度为 1–5').max(5, '满意度为 1–5'),
        comment: z.string().trim().max(500, '评价不超过 500 字').optional(),
      }),
      z.strictObject({
        action: z.literal('reopen'),
        comment: z.string().trim().min(5, '请说明仍未解决的问题（至少 5 个字）').max(500, '说明不超过 500 字'),
      }),
    ],
    { error: '请选择评价或要求重新办理' },
  ),
  response: z.object({ state, stateLabel: z.string(), message: z.string() }),
});

export type CaseRow = ItemOf<typeof listAppeals>;
export type CaseDetail = ResponseOf<typeof getAppeal>;
export type AppealFigures = ResponseOf<typeof appealFigures>;
export type VisitPlanRow = ItemOf<typeof listVisitPlans>;
export type VisitRow = ItemOf<typeof listVisits>;
export type ServicePostRow = ItemOf<typeof listServicePosts>;
export type PublicServicePost = ResponseOf<typeof publicServicePosts>[number];
export type AppealProgress = ResponseOf<typeof trackAppeal>;
