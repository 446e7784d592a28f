import { z } from 'zod';
import {
  FEEDBACK_CATEGORY_LABEL,
  FEEDBACK_STATE_LABEL,
  PLAQUE_ACTION_LABEL,
  PLAQUE_STATE_LABEL,
  RECORD_STATUS_LABEL,
  SANLIANG_KIND_LABEL,
} from '../../domain/sanliang/plaque.js';
import {
  codesOf,
  date,
  endpoint,
  idParam,
  pageOf,
  pageQuery,
  subtreeFigures,
  underQuery,
  type ItemOf,
  type ResponseOf,
} from '../../http/contract.js';

/** 三亮's contract (pure), shared with the web: records, plaques, the public's reports and the public plaque page. */
const kind = codesOf(SANLIANG_KIND_LABEL);
const recordStatus = codesOf(RECORD_STATUS_LABEL);
const category = codesOf(FEEDBACK_CATEGORY_LABEL);

export const recordFilters = {
  under: underQuery,
  kind: kind.optional(),
  status: recordStatus.optional(),
  plaque: z.enum(['valid', 'none']).optional(),
  review: z.enum(['true']).optional(),
  q: z.string().trim().max(40).optional(),
};
export const feedbackFilters = {
  under: underQuery,
  state: codesOf(FEEDBACK_STATE_LABEL).optional(),
  category: category.optional(),
};

export const recordItem = z.object({
  id: z.number(),
  kind: kind,
  kindLabel: z.string(),
  memberId: z.number(),
  memberName: z.string().nullable(),
  entityId: z.number(),
  entityName: z.string(),
  entityStatus: z.string(),
  needsReview: z.boolean(),
  countyName: z.string(),
  stationName: z.string().nullable(),
  postName: z.string().nullable(),
  duties: z.string(),
  commitment: z.string(),
  shownOn: z.string(),
  status: recordStatus,
  statusLabel: z.string(),
  withdrawnOn: z.string().nullable(),
  withdrawReason: z.string().nullable(),
  /** suspended: an exit review (注销、吊销、名单) holds the plaque back from the public page (暂停公示). */
  plaque: z.object({ id: z.number(), number: z.string(), issuedOn: z.string(), suspended: z.boolean() }).nullable(),
  openFeedback: z.number(),
});
export const plaqueItem = z.object({
  id: z.number(),
  number: z.string(),
  state: codesOf(PLAQUE_STATE_LABEL),
  stateLabel: z.string(),
  issuedOn: z.string(),
  revokedOn: z.string().nullable(),
  revokeReason: z.string().nullable(),
  replacesId: z.number().nullable(),
});
export const feedbackItem = z.object({
  id: z.number(),
  /** The random receipt the reporter was given, to find the report when they call. */
  receipt: z.string(),
  recordId: z.number(),
  number: z.string(),
  plaqueState: z.string(),
  entityName: z.string(),
  category: z.string(),
  categoryLabel: z.string(),
  content: z.string(),
  state: z.string(),
  stateLabel: z.string(),
  handlingNote: z.string().nullable(),
  handledBy: z.string().nullable(),
  handledAt: z.string().nullable(),
  createdAt: z.string(),
});
const figures = z.object({
  members: z.number(),
  records: z.number(),
  memberOperators: z.number(),
  memberPosts: z.number(),
  entities: z.number(),
  validPlaques: z.number(),
  withdrawn: z.number(),
});
const issued = z.object({ id: z.number(), number: z.string() });
const reasonBody = z.strictObject({ reason: z.string().trim().max(200, '原因不超过 200 字') });

export const listRecords = endpoint({
  method: 'GET',
  path: '/sanliang',
  summary: '三亮台账（共产党员经营户、党员示范岗）',
  query: z.strictObject({ ...pageQuery, ...recordFilters }),
  response: pageOf(recordItem),
});

/** The ledger as xlsx (the export is audited). */
export const exportRecords = { path: '/sanliang/export', query: z.strictObject(recordFilters) } as const;

export const participation = endpoint({
  method: 'GET',
  path: '/sanliang/participation',
  summary: '三亮参与情况：本级、下级对比（按辖区子树）与逐月变化',
  query: z.strictObject({ under: underQuery, months: z.coerce.number().int().min(1).max(36).default(12) }),
  response: subtreeFigures(figures).extend({
    unassigned: figures,
    months: z.array(
      z.object({
        month: z.string(),
        members: z.number(),
        started: z.number(),
        withdrawn: z.number(),
        issued: z.number(),
        revoked: z.number(),
      }),
    ),
  }),
});

export const createRecord = endpoint({
  method: 'POST',
  path: '/sanliang',
  summary: '新建三亮记录（选党员与市场主体）',
  body: z.strictObject({
    kind: kind,
    memberId: z.number().int().positive(),
    entityId: z.number().int().positive(),
    postName: z.string().trim().min(2, '岗位名称至少 2 个字').max(40, '岗位名称不超过 40 个字').optional(),
    duties: z.string().trim().min(2, '请填写亮职责的内容').max(500, '职责不超过 500 字'),
    commitment: z.string().trim().min(2, '请填写承诺内容').max(1000, '承诺不超过 1000 字'),
    shownOn: date,
  }),
  status: 201,
  response: z.object({ id: z.number() }),
});

export const getRecord = endpoint({
  method: 'GET',
  path: '/sanliang/:id',
  summary: '三亮记录详情：牌匾（含已撤销）、群众反映、可做的操作',
  params: idParam,
  response: recordItem.extend({
    plaques: z.array(plaqueItem),
    actions: z.array(codesOf(PLAQUE_ACTION_LABEL)),
    feedback: z.array(feedbackItem),
  }),
});

export const updateRecord = endpoint({
  method: 'PATCH',
  path: '/sanliang/:id',
  summary: '修改三亮记录（岗位、职责、承诺、亮牌日期）；已退出的不能修改',
  params: idParam,
  body: z.strictObject({
    postName: z.string().trim().min(2, '岗位名称至少 2 个字').max(40).nullable().optional(),
    duties: z.string().trim().min(2, '请填写亮职责的内容').max(500).optional(),
    commitment: z.string().trim().min(2, '请填写承诺内容').max(1000).optional(),
    shownOn: date.optional(),
  }),
  response: z.object({ id: z.number() }),
});

export const deleteRecord = endpoint({
  method: 'DELETE',
  path: '/sanliang/:id',
  summary: '删除误录的三亮记录（未发过牌匾的才能删除；已发牌的请撤销牌匾）',
  params: idParam,
  status: 204,
  response: z.null(),
});

export const issuePlaque = endpoint({
  method: 'POST',
  path: '/sanliang/:id/plaques',
  summary: '发牌：为三亮记录发放编号牌匾（一条记录同时只有一块有效牌匾）',
  params: idParam,
  status: 201,
  response: issued,
});

export const revokePlaque = endpoint({
  method: 'POST',
  path: '/plaques/:id/revoke',
  summary: '撤销牌匾（退出机制：持牌人不再符合条件），三亮记录随之退出',
  params: idParam,
  body: reasonBody,
  response: z.object({ id: z.number(), state: z.literal('revoked') }),
});

export const reissuePlaque = endpoint({
  method: 'POST',
  path: '/plaques/:id/reissue',
  summary: '补发牌匾（遗失、损毁、信息变更）：原牌匾作废，发新编号',
  params: idParam,
  body: reasonBody,
  status: 201,
  response: issued,
});

export const getPlaque = endpoint({
  method: 'GET',
  path: '/plaques/:id',
  summary: '牌匾（供打印）：编号、状态、核验链接与所属三亮记录',
  params: idParam,
  response: plaqueItem.extend({ verifyUrl: z.string(), record: recordItem }),
});

/** The plaque's QR code as PNG (an image, not JSON). */
export const plaqueQr = { path: '/plaques/:id/qr.png', params: idParam } as const;

export const listFeedback = endpoint({
  method: 'GET',
  path: '/plaque-feedback',
  summary: '群众对牌匾的反映（基层所待办）',
  query: z.strictObject({ ...pageQuery, ...feedbackFilters }),
  response: pageOf(feedbackItem),
});

/** The public's reports as xlsx (the export is audited). */
export const exportFeedback = { path: '/plaque-feedback/export', query: z.strictObject(feedbackFilters) } as const;

export const handleFeedback = endpoint({
  method: 'POST',
  path: '/plaque-feedback/:id/handle',
  summary: '处理群众反映：待处理 → 已处理（须填写处理情况）',
  params: idParam,
  body: z.strictObject({ note: z.string().trim().max(1000, '处理情况不超过 1000 字') }),
  response: z.object({ id: z.number(), state: z.literal('handled') }),
});

// ── The public side (no login) ─────────────────────────────────────────────────────────────
/** The plaque's public token (from its QR code): 32 hex characters, unguessable; the printed number is not a key here. */
const tokenParam = z.strictObject({ token: z.string().max(40, '核验码过长') });

export const verifyPlaque = endpoint({
  method: 'GET',
  path: '/public/plaques/:token',
  summary: '三亮牌匾核验（扫码打开）：是否有效、市场主体、党员（姓名脱敏）、职责与承诺',
  params: tokenParam,
  response: z.object({
    number: z.string(),
    verdict: z.enum(['valid', 'revoked', 'suspended']),
    title: z.string(),
    detail: z.string(),
    kind: z.string(),
    kindLabel: z.string(),
    entityName: z.string().nullable(),
    memberName: z.string().nullable(),
    postName: z.string().nullable(),
    duties: z.string().nullable(),
    commitment: z.string().nullable(),
    issuedOn: z.string().nullable(),
    revokedOn: z.string().nullable(),
    area: z.string().nullable(),
  }),
});

export const reportPlaqueProblem = endpoint({
  method: 'POST',
  path: '/public/plaques/:token/feedback',
  summary: '对牌匾反映问题（转至所在地基层所处理）',
  params: tokenParam,
  body: z.strictObject({
    category: codesOf(FEEDBACK_CATEGORY_LABEL, '请选择问题类别'),
    content: z.string().trim().min(5, '请具体说明问题（至少 5 个字）').max(500, '内容不超过 500 字'),
  }),
  status: 201,
  response: z.object({ receipt: z.string(), code: z.string(), message: z.string() }),
});

export type SanliangRow = ItemOf<typeof listRecords>;
export type PlaqueRow = z.input<typeof plaqueItem>;
export type FeedbackRow = ItemOf<typeof listFeedback>;
export type Participation = ResponseOf<typeof participation>;
export type PlaqueInfo = ResponseOf<typeof getPlaque>;
export type PublicPlaque = ResponseOf<typeof verifyPlaque>;
