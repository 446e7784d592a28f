import { sql } from 'kysely';
import { KIND_LABELS } from '../../../domain/worktasks/rules.js';
import { urgencyOf } from '../../../domain/worktasks/todo.js';
import { FORMS, FORM_CODES } from '../../../domain/reports/forms.js';
import { periodDue } from '../../../domain/worktasks/todo.js';
import { at, DAY_MS, type TodoContext, type TodoSource } from './types.js';

/**
 * A report period's task that the reports source already lists (the report due now, or returned)
 * is that item, not a second one: one thing to do, one line.
 */
const reportKeysDue = (c: TodoContext) => FORM_CODES.map((code) => `${code}:${periodDue(FORMS[code], c.today).period}`);

type Row = {
  id: number;
  deployment_id: number;
  state: string;
  kind: 'notice' | 'task';
  title: string;
  due_at: string | null;
  remind_days: number;
  return_reason: string | null;
  issuer: string;
};

type Review = {
  deployment_id: number;
  title: string;
  replies: number;
  late: number;
  /** The deadline of the task it was passed down from (the unit answers above by then), if any. */
  answer_by: string | null;
};

/**
 * Notices to receive and tasks to answer (or answer again after a return) at the account's node;
 * and the replies to the tasks its node issued (or passed down) still to review: one item per task,
 * until each reply is accepted or returned. A report period's replies are reviewed as reports.
 */
export const deploymentTodos: TodoSource<{ own: Row[]; review: Review[] }> = {
  kind: 'deployment',
  label: '通知与任务',
  select: (c) => sql`json_build_object('own', (SELECT coalesce(json_agg(x), '[]'::json) FROM (
      SELECT t.id, t.deployment_id, t.state, d.kind, d.title, d.due_at, d.remind_days, t.return_reason, j.name AS issuer
      FROM deployment_target t JOIN deployment d ON d.id = t.deployment_id JOIN jurisdiction j ON j.code = d.issuer_code
      WHERE t.node_code = ${c.code} AND t.scope_key = ${c.scopeKey} AND d.closed_at IS NULL
        AND NOT (d.source_type IS NOT NULL AND d.source_type = 'report_period' AND (t.state = 'returned' OR d.source_key IN (${sql.join(reportKeysDue(c))})))
        AND (CASE WHEN d.kind = 'task' THEN t.state <> 'replied' ELSE d.receipt_required AND t.state = 'pending' END)
      ORDER BY d.due_at NULLS LAST, d.id LIMIT 100) x),
    'review', (SELECT coalesce(json_agg(y), '[]'::json) FROM (
      SELECT d.id AS deployment_id, d.title, count(*)::int AS replies, count(*) FILTER (WHERE t.late)::int AS late, p.due_at AS answer_by
      FROM deployment d JOIN deployment_target t ON t.deployment_id = d.id AND t.state = 'replied' AND t.accepted_at IS NULL
        LEFT JOIN deployment p ON p.id = d.parent_deployment_id
      WHERE d.issuer_code = ${c.code} AND d.scope_key = ${c.scopeKey} AND d.kind = 'task' AND d.closed_at IS NULL
        AND d.source_type IS DISTINCT FROM 'report_period'
      GROUP BY d.id, d.title, p.due_at
      ORDER BY p.due_at NULLS LAST, d.id LIMIT 100) y))`,
  items: (v, c) => [
    ...v.own.map((r) => {
      const due = at(r.due_at);
      const verb =
        r.kind === 'notice'
          ? '签收通知'
          : r.state === 'returned'
            ? '重新办理（已退回）'
            : r.state === 'pending'
              ? '签收并回复任务'
              : '回复任务';
      return {
        key: `deployment:${r.id}`,
        kind: 'deployment' as const,
        kindLabel: KIND_LABELS[r.kind],
        title: `${verb}：${r.title}`,
        detail: r.state === 'returned' ? `退回原因：${r.return_reason}` : `${r.issuer}下发`,
        count: 1,
        dueAt: due?.toISOString() ?? null,
        // A reply sent back is to do again now: it ranks with the new items, not below them.
        urgency: urgencyOf(
          due,
          c.now,
          Math.max(1, r.remind_days) * DAY_MS,
          r.state === 'pending' || r.state === 'returned',
        ),
        link: `/work/${r.deployment_id}`,
      };
    }),
    ...v.review.map((r) => {
      const due = at(r.answer_by);
      return {
        key: `deployment-review:${r.deployment_id}`,
        kind: 'deployment' as const,
        kindLabel: '下级回复',
        title: `审阅下级回复：${r.title}`,
        detail: `${r.replies} 个单位已回复${r.late ? `（其中逾期 ${r.late} 个）` : ''}，待采纳或退回${due ? '；本单位须在上级任务截止前回复' : ''}`,
        count: r.replies,
        dueAt: due?.toISOString() ?? null,
        urgency: urgencyOf(due, c.now, 3 * DAY_MS, true),
        link: `/work/${r.deployment_id}`,
      };
    }),
  ],
};
