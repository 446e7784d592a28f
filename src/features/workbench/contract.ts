import { z } from 'zod';

/** Shapes of the workbench (工作台): 待办 items, notifications, the digest. Pure: the web imports them. */
export const notification = z.object({ id: z.number(), kind: z.string(), title: z.string(), body: z.string().nullable(), link: z.string().nullable(), createdAt: z.string(), read: z.boolean() });
export const notificationList = z.object({ unread: z.number(), items: z.array(notification) });
export const digestQuery = z.strictObject({ day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD').optional() });

export const todoKind = z.enum(['deployment', 'case', 'appeal', 'report', 'term', 'honour', 'exit', 'card', 'import']);
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

export const NOTIFICATION_KIND_LABELS: Record<string, string> = {
  'deployment.notice': '通知', 'deployment.task': '工作任务', 'deployment.reply': '下级回复', 'deployment.return': '退回',
  'deployment.remind': '到期提醒', 'deployment.overdue': '逾期', 'deployment.update': '任务更新', 'deployment.close': '任务撤销',
  'report.submitted': '下级报表待审核', 'report.returned': '报表退回', 'appeal.routed': '新转来的诉求', 'appeal.escalated': '督办的诉求',
  'case.new': '新的核实线索', 'honour.flagged': '荣誉待复核', 'import.attention': '导入待处理',
};
