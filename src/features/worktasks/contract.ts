import { z } from 'zod';
import { attachment, endpoint, idParam, pageOf, place, type ItemOf, type ResponseOf } from '../../http/contract.js';

/** Request and response shapes of notices and tasks (工作任务 · 通知). Pure: the web imports them. */

const code = z.string().regex(/^\d{6,9}$/, '辖区代码应为 6 或 9 位数字');
export const linkKind = z.enum(['visit', 'appeal', 'case', 'import', 'report']);
export const figureSpec = z.strictObject({
  key: z
    .string()
    .trim()
    .regex(/^[a-z][a-z0-9_]{0,39}$/, '数字项代码应为小写字母开头的字母、数字或下划线'),
  label: z.string().trim().min(1, '请填写数字项名称').max(40),
  unit: z.string().trim().max(10).optional(),
});

export const newDeployment = z.strictObject({
  kind: z.enum(['notice', 'task']),
  title: z.string().trim().min(1, '请填写标题').max(200),
  body: z.string().trim().min(1, '请填写正文或任务要求').max(20000),
  receiptRequired: z.boolean().default(true),
  /** A task's deadline (ISO date-time or YYYY-MM-DD, the end of that day in China time). */
  dueAt: z.string().trim().optional(),
  remindDays: z.number().int().min(0).max(60).default(3),
  /** What comes back: the evidence asked for, in words (never a compulsory photo or check-in). */
  evidence: z.string().trim().max(2000).optional(),
  figures: z.array(figureSpec).max(20).default([]),
  /** The nodes it goes to; or, with levels, every node of those levels below the issuer. */
  targets: z.array(code).max(2000).default([]),
  levels: z
    .array(z.enum(['province', 'city', 'county', 'station']))
    .max(4)
    .default([]),
  /** Passing down part of a task received: the caller's own target row of the parent. */
  parentTargetId: z.number().int().positive().optional(),
});
export type NewDeployment = z.infer<typeof newDeployment>;

/** A change to a deployment already issued: what changes, and a word to the nodes on why. */
export const reviseBody = z.strictObject({
  title: newDeployment.shape.title.optional(),
  body: newDeployment.shape.body.optional(),
  dueAt: z.string().trim().optional(),
  evidence: z.string().trim().max(2000).optional(),
  note: z.string().trim().min(1, '请说明修改的内容或原因（接收单位会看到）').max(500),
});
export const withdrawBody = z.strictObject({ reason: z.string().trim().min(1, '撤回须写明原因').max(500) });

export const replyBody = z.strictObject({
  text: z.string().trim().min(1, '请填写办理情况').max(20000),
  figures: z.record(z.string(), z.number()).optional(),
  links: z
    .array(z.strictObject({ kind: linkKind, id: z.number().int().positive() }))
    .max(50)
    .default([]),
});
export const returnBody = z.strictObject({ reason: z.string().trim().min(1, '退回须写明原因').max(2000) });

export const listQuery = z.strictObject({
  box: z.enum(['received', 'issued']).default('received'),
  kind: z.enum(['notice', 'task']).optional(),
  open: z.enum(['true', 'false']).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
});

export const boardStatus = z.enum(['pending', 'received', 'done', 'returned', 'overdue']);
export const counts = z.object({
  total: z.number(),
  pending: z.number(),
  received: z.number(),
  done: z.number(),
  returned: z.number(),
  overdue: z.number(),
  late: z.number(),
});

export const deploymentSummary = z.object({
  id: z.number(),
  kind: z.enum(['notice', 'task']),
  kindLabel: z.string(),
  title: z.string(),
  issuer: place,
  dueAt: z.string().nullable(),
  receiptRequired: z.boolean(),
  createdAt: z.string(),
  createdByName: z.string(),
  parentTargetId: z.number().nullable(),
  /** For the received box: the caller's own target row. */
  mine: z
    .object({
      targetId: z.number(),
      state: z.string(),
      stateLabel: z.string(),
      status: boardStatus,
      late: z.boolean(),
      returnReason: z.string().nullable(),
    })
    .nullable(),
  /** For the issued box: the board's tiles. */
  counts: counts.nullable(),
  /** The ledger record this task is (a visit plan, an assistance program, a campaign, a report period, an assessment year): its body, one click away. */
  source: z.object({ type: z.string(), label: z.string(), path: z.string() }).nullable(),
  /** Cancelled with its record: no more receipts or replies. */
  closedAt: z.string().nullable(),
  closedReason: z.string().nullable(),
});

export const link = z.object({ kind: linkKind, id: z.number(), label: z.string(), path: z.string() });
export const event = z.object({
  action: z.string(),
  note: z.string().nullable(),
  late: z.boolean(),
  at: z.string(),
  byName: z.string(),
});

export const target = z.object({
  id: z.number(),
  deploymentId: z.number(),
  node: place,
  state: z.string(),
  stateLabel: z.string(),
  status: boardStatus,
  statusLabel: z.string(),
  receivedAt: z.string().nullable(),
  receivedByName: z.string().nullable(),
  repliedAt: z.string().nullable(),
  repliedByName: z.string().nullable(),
  replyText: z.string().nullable(),
  replyFigures: z.record(z.string(), z.number()).nullable(),
  links: z.array(link),
  late: z.boolean(),
  /** No enabled account at the node may receive or reply: nobody there will see it (open one, or act another way). */
  noAccount: z.boolean(),
  returnReason: z.string().nullable(),
  returnedAt: z.string().nullable(),
  /** The issuer accepted the reply (reviewed; it stands). */
  acceptedAt: z.string().nullable(),
  acceptedByName: z.string().nullable(),
  attachments: z.array(attachment),
  /** Sub-tasks this node passed down, with their boards' tiles. */
  passedDown: z.array(z.object({ id: z.number(), title: z.string(), counts })),
});

export const deploymentDetail = deploymentSummary.extend({
  body: z.string(),
  evidence: z.string().nullable(),
  figures: z.array(figureSpec),
  remindDays: z.number(),
  attachments: z.array(attachment),
  /** The task this one was passed down from (when the caller can see it). */
  parent: z.object({ id: z.number().nullable(), title: z.string(), issuerName: z.string() }).nullable(),
  /** The caller's own target row, in full (a recipient's view). */
  own: target.nullable(),
  /** Whether the caller issued it (may return replies, see the board). */
  issuedByMe: z.boolean(),
});

export const board = z.object({
  id: z.number(),
  title: z.string(),
  kind: z.enum(['notice', 'task']),
  dueAt: z.string().nullable(),
  asOf: z.string(),
  counts,
  targets: z.array(target),
  /** By the issuer's direct children (a city's counties), the most behind first; with what their targets passed down. */
  areas: z.array(
    z.object({
      code: z.string(),
      name: z.string(),
      counts,
      passedDown: counts.nullable(),
      /** Its targets' ids (the board's list filtered to the area). */
      targetIds: z.array(z.number()),
    }),
  ),
});

const TARGET_WITH_EVENTS = target.extend({ events: z.array(event) });

export const issueDeployment = endpoint({
  method: 'POST',
  path: '/deployments',
  summary: '下发通知或工作任务（到下级单位或层级；或转派本单位收到的任务）',
  body: newDeployment,
  status: 201,
  response: z.object({
    id: z.number(),
    /** Receiving units with no account that may sign or reply: nobody there will see it. */
    withoutAccount: z.array(z.object({ code: z.string(), name: z.string() })),
  }),
});
export const reviseDeployment = endpoint({
  method: 'PATCH',
  path: '/deployments/:id',
  summary: '修改已下发的通知或任务（标题、正文、截止时间、回复要求；须说明，未办结的单位收到提醒）',
  params: idParam,
  body: reviseBody,
  status: 204,
  response: z.null(),
});
export const withdrawDeployment = endpoint({
  method: 'POST',
  path: '/deployments/:id/withdraw',
  summary: '撤回已下发的通知或任务（须写明原因；各单位转派到下级的一并撤回）',
  params: idParam,
  body: withdrawBody,
  status: 204,
  response: z.null(),
});
export const deploymentList = endpoint({
  method: 'GET',
  path: '/deployments',
  summary: '收到的（本单位须签收、回复的）或本单位下发的通知与任务',
  query: listQuery,
  response: pageOf(deploymentSummary),
});
export const getDeployment = endpoint({
  method: 'GET',
  path: '/deployments/:id',
  summary: '通知或任务详情（附件；本单位的签收与回复）',
  params: idParam,
  response: deploymentDetail,
});
export const getBoard = endpoint({
  method: 'GET',
  path: '/deployments/:id/board',
  summary: '办理情况：各单位未签收、已签收、已办结、退回、逾期（实时）',
  params: idParam,
  response: board,
});
export const getTarget = endpoint({
  method: 'GET',
  path: '/deployment-targets/:id',
  summary: '某单位的签收与回复（附件、关联记录、经过、转派的下级任务）',
  params: idParam,
  response: TARGET_WITH_EVENTS,
});
export const receiveTarget = endpoint({
  method: 'POST',
  path: '/deployment-targets/:id/receive',
  summary: '签收',
  params: idParam,
  status: 204,
  response: z.null(),
});
export const replyTarget = endpoint({
  method: 'POST',
  path: '/deployment-targets/:id/reply',
  summary: '回复任务（办理情况、要求的数字、关联已有记录；附件另传）。截止后仍可回复，标记逾期',
  params: idParam,
  body: replyBody,
  response: z.object({ late: z.boolean() }),
});
export const returnTarget = endpoint({
  method: 'POST',
  path: '/deployment-targets/:id/return',
  summary: '退回回复（须写明原因），接收单位重新办理',
  params: idParam,
  body: returnBody,
  status: 204,
  response: z.null(),
});

export const acceptTarget = endpoint({
  method: 'POST',
  path: '/deployment-targets/:id/accept',
  summary: '采纳回复（下发单位审阅后确认；采纳后不再退回）',
  params: idParam,
  status: 204,
  response: z.null(),
});

export type DeploymentSummary = ItemOf<typeof deploymentList>;
export type DeploymentDetail = ResponseOf<typeof getDeployment>;
export type Board = ResponseOf<typeof getBoard>;
export type Target = z.input<typeof target>;
