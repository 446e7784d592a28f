import { z } from 'zod';
import { endpoint, idParam, type ResponseOf } from '../../http/contract.js';

/** Shapes of the workbench (工作台): 待办 items, notifications, the digest. Pure: the web imports them. */
export const notification = z.object({
  id: z.number(),
  kind: z.string(),
  title: z.string(),
  body: z.string().nullable(),
  link: z.string().nullable(),
  createdAt: z.string(),
  read: z.boolean(),
});
export const notificationList = z.object({ unread: z.number(), items: z.array(notification) });
export const digestQuery = z.strictObject({
  day: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD')
    .optional(),
});

export const todoKind = z.enum([
  'deployment',
  'case',
  'appeal',
  'report',
  'term',
  'org',
  'honour',
  'exit',
  'card',
  'import',
  'guidance',
]);
export const todoItem = z.object({
  /** Stable key of the item (kind and what it is about). */
  key: z.string(),
  kind: todoKind,
  kindLabel: z.string(),
  title: z.string(),
  detail: z.string().nullable(),
  /** How many records the item stands for (a group such as "12 条新线索"), or 1. */
  count: z.number(),
  dueAt: z.string().nullable(),
  urgency: z.enum(['overdue', 'due_soon', 'new', 'normal']),
  /** Where to do it, one click away (a path of the web app). */
  link: z.string(),
});
export type TodoItem = z.infer<typeof todoItem>;
export const todoList = z.object({ asOf: z.string(), items: z.array(todoItem) });

export const getTodos = endpoint({
  method: 'GET',
  path: '/workbench',
  summary: '今日待办：本账号所在单位要办的事，按到期先后（逾期、即将到期、新、其余），每项一键直达办理处',
  query: z.strictObject({
    kind: z
      .array(todoKind)
      .or(todoKind.transform((k) => [k]))
      .optional(),
  }),
  response: todoList,
});
export const listNotifications = endpoint({
  method: 'GET',
  path: '/notifications',
  summary: '本人的消息（最新在前）与未读数',
  query: z.strictObject({
    unread: z.enum(['true', 'false']).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  }),
  response: notificationList,
});
export const unreadNotifications = endpoint({
  method: 'GET',
  path: '/notifications/unread-count',
  summary: '未读消息数（铃铛）',
  response: z.object({ unread: z.number() }),
});
export const readNotification = endpoint({
  method: 'POST',
  path: '/notifications/:id/read',
  summary: '标记一条消息已读',
  params: idParam,
  status: 204,
  response: z.null(),
});
export const readAllNotifications = endpoint({
  method: 'POST',
  path: '/notifications/read-all',
  summary: '全部标记已读',
  response: z.object({ marked: z.number() }),
});
export const getDigest = endpoint({
  method: 'GET',
  path: '/notifications/digest',
  summary: '每日摘要：某日（默认今天，北京时间）收到的消息按类别汇总',
  query: digestQuery,
  response: z.object({
    day: z.string(),
    groups: z.array(z.object({ kind: z.string(), label: z.string(), count: z.number(), items: z.array(notification) })),
  }),
});
export type Notification = z.infer<typeof notification>;
export type Digest = ResponseOf<typeof getDigest>;

export const NOTIFICATION_KIND_LABELS: Record<string, string> = {
  'deployment.notice': '通知',
  'deployment.task': '工作任务',
  'deployment.reply': '下级回复',
  'deployment.return': '退回',
  'deployment.accept': '回复已采纳',
  'deployment.remind': '到期提醒',
  'deployment.overdue': '逾期',
  'deployment.update': '通知或任务更新',
  'deployment.close': '通知或任务撤销',
  'report.submitted': '下级报表待审核',
  'report.returned': '报表退回',
  'report.accepted': '报表审核通过',
  'appeal.routed': '新转来的诉求',
  'appeal.escalated': '督办的诉求',
  'appeal.reopened': '要求重新办理的诉求',
  'case.new': '新的核实线索',
  'honour.flagged': '荣誉待复核',
  'import.attention': '导入待处理',
};
