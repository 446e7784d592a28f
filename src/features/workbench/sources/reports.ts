import { sql } from 'kysely';
import { FORMS, FORM_CODES, dueOn, periodLabel } from '../../../domain/reports/forms.js';
import { periodDue, urgencyOf } from '../../../domain/worktasks/todo.js';
import type { TodoItem } from '../contract.js';
import { DAY_MS, type TodoContext, type TodoSource } from './types.js';
import { deadlineOf } from '../../../domain/time/zone.js';

type Row = {
  t: 'own' | 'review';
  id: number | null;
  form: string;
  period: string;
  state: string | null;
  return_reason: string | null;
  outdated_reason: string | null;
  version: number | null;
  n: number;
};
/** The end of a report's due day (China time), as its 待办 item's deadline. */
const dueOf = (c: TodoContext) =>
  FORM_CODES.map((code) => ({ code, f: FORMS[code], ...periodDue(FORMS[code], c.today) }));

/**
 * Statistical reports: the node's own report for the period now due (not yet submitted), its
 * returned reports, its submitted reports a child's later version made 待更新, the reports it
 * submitted once and has prepared again (returned or 待更新) but not yet sent up (the level above
 * no longer counts them, whatever the period), and the level
 * below's submissions awaiting its review (not yet 审核通过, nor 待更新: one the level below must
 * consolidate again cannot be passed; while its own report for that period is not yet submitted). Stations report too (the county consolidates them); the nation reports to no one.
 */
export const reportTodos: TodoSource<Row[]> = {
  kind: 'report',
  label: '统计报表',
  select: (c) =>
    c.level === 'nation'
      ? null
      : sql`(SELECT coalesce(json_agg(u), '[]'::json) FROM (
      SELECT 'own' AS t, r.id, r.form, r.period, r.state, r.return_reason, r.outdated_reason, r.version, 1 AS n FROM report r
      WHERE r.jurisdiction_code = ${c.code} AND (r.state = 'returned' OR r.outdated_at IS NOT NULL
        OR (r.state = 'draft' AND r.version > 0) OR (r.form, r.period) IN (${sql.join(dueOf(c).map((d) => sql`(${d.code}, ${d.period})`))}))
      UNION ALL
      SELECT 'review', NULL, x.form, x.period, NULL, NULL, NULL, NULL, x.n FROM (
        SELECT ch.form, ch.period, count(*)::int AS n FROM report ch JOIN jurisdiction j ON j.code = ch.jurisdiction_code
        WHERE j.parent_code = ${c.code} AND ch.state = 'submitted' AND ch.accepted_at IS NULL AND ch.outdated_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM report o WHERE o.jurisdiction_code = ${c.code} AND o.form = ch.form AND o.period = ch.period AND o.state = 'submitted')
        GROUP BY ch.form, ch.period ORDER BY ch.period, ch.form LIMIT 20) x) u)`,
  items: (rows, c) => {
    const out: TodoItem[] = [];
    const dueNow = dueOf(c);
    for (const d of dueNow) {
      const own = rows.find((r) => r.t === 'own' && r.form === d.code && r.period === d.period);
      if (own?.state === 'submitted' || own?.state === 'returned') continue;
      const due = deadlineOf(d.dueOn);
      out.push({
        key: `report:due:${d.code}:${d.period}`,
        kind: 'report',
        kindLabel: '统计报表',
        title: `上报${d.f.title}（${d.label}）`,
        detail: own ? '已生成，尚未上报' : '尚未生成',
        count: 1,
        dueAt: due.toISOString(),
        urgency: urgencyOf(due, c.now, 7 * DAY_MS),
        link: `/reports?form=${d.code}&period=${encodeURIComponent(d.period)}`,
      });
    }
    for (const r of rows) {
      const f = FORMS[r.form as keyof typeof FORMS];
      if (!f) continue;
      if (r.t === 'own' && r.state === 'returned') {
        out.push({
          key: `report:returned:${r.id}`,
          kind: 'report',
          kindLabel: '统计报表',
          title: `重新上报（已退回）：${f.title}（${periodLabel(f.period, r.period)}）`,
          detail: `退回原因：${r.return_reason}`,
          count: 1,
          dueAt: null,
          urgency: 'overdue',
          link: `/reports?form=${r.form}&period=${encodeURIComponent(r.period)}&open=${r.id}`,
        });
      } else if (r.t === 'own' && r.state === 'submitted' && r.outdated_reason !== null) {
        out.push({
          key: `report:outdated:${r.id}`,
          kind: 'report',
          kindLabel: '统计报表',
          title: `更新已上报的报表（待更新）：${f.title}（${periodLabel(f.period, r.period)}）`,
          detail: r.outdated_reason,
          count: 1,
          dueAt: null,
          urgency: 'new',
          link: `/reports?form=${r.form}&period=${encodeURIComponent(r.period)}&open=${r.id}`,
        });
      } else if (
        r.t === 'own' &&
        r.state === 'draft' &&
        r.version &&
        !dueNow.some((d) => d.code === r.form && d.period === r.period)
      ) {
        // Submitted once, prepared again: until it goes up, the level above has no version of it in force.
        const due = deadlineOf(dueOn(f, r.period));
        out.push({
          key: `report:redo:${r.id}`,
          kind: 'report',
          kindLabel: '统计报表',
          title: `重新上报：${f.title}（${periodLabel(f.period, r.period)}）`,
          detail: `已重新生成，尚未上报第 ${r.version + 1} 版；上报前，上级汇总不计入本级`,
          count: 1,
          dueAt: due.toISOString(),
          urgency: urgencyOf(due, c.now, 7 * DAY_MS, true),
          link: `/reports?form=${r.form}&period=${encodeURIComponent(r.period)}&open=${r.id}`,
        });
      } else if (r.t === 'review') {
        out.push({
          key: `report:review:${r.form}:${r.period}`,
          kind: 'report',
          kindLabel: '统计报表',
          title: `审核下级上报：${f.title}（${periodLabel(f.period, r.period)}）`,
          detail: `下级已上报 ${r.n} 份待审核：审核通过或退回，再汇总上报`,
          count: r.n,
          dueAt: null,
          urgency: 'normal',
          link: `/reports?form=${r.form}&period=${encodeURIComponent(r.period)}`,
        });
      }
    }
    return out;
  },
};
