import { sql } from 'kysely';
import type { TodoItem } from '../contract.js';
import { at, DAY_MS, type TodoSource } from './types.js';

/**
 * Escalated cases are counted up to a cap: a level with more than that many cases escalated to it
 * needs to know there are very many, not the exact figure, and each counted case costs the
 * row-level security check (a county with 17k escalated cases in the 1M bench took ~65 ms to count).
 */
const ESCALATED_CAP = 999;

type Value = {
  overdue: number;
  soon: number;
  fresh: number;
  reopened: number;
  first_due: string | null;
  escalated: number;
};

/**
 * Appeals (诉求) at the account's node: overdue, due within a day, new (awaiting acceptance), reopened
 * by the person who raised them and not taken up again (back at 已签收 with a fresh deadline weeks
 * off, they were in no other line until due), and those escalated to it.
 */
export const appealTodos: TodoSource<Value> = {
  kind: 'appeal',
  label: '诉求',
  select: (c) => {
    const soon = new Date(c.now.getTime() + DAY_MS);
    return sql`(SELECT json_build_object(
        'overdue', count(*) FILTER (WHERE due_at < ${c.now}),
        'soon', count(*) FILTER (WHERE due_at >= ${c.now} AND due_at < ${soon}),
        'fresh', count(*) FILTER (WHERE state = 'routed' AND (due_at IS NULL OR due_at >= ${soon})),
        'reopened', count(*) FILTER (WHERE state = 'accepted' AND reopen_count > 0 AND (due_at IS NULL OR due_at >= ${soon})),
        'first_due', min(due_at) FILTER (WHERE due_at >= ${c.now}),
        'escalated', (SELECT count(*) FROM (SELECT 1 FROM appeal_case e WHERE e.escalated_key = ${c.scopeKey} AND e.state IN ('intake','routed','accepted','handling') LIMIT ${ESCALATED_CAP + 1}) x))
      FROM appeal_case WHERE scope_key = ${c.scopeKey} AND state IN ('intake','routed','accepted','handling'))`;
  },
  items: (r) => {
    const out: TodoItem[] = [];
    const item = (
      key: string,
      title: string,
      detail: string,
      count: number,
      urgency: TodoItem['urgency'],
      dueAt: string | null = null,
    ): TodoItem => ({
      key: `appeal:${key}`,
      kind: 'appeal',
      kindLabel: '诉求',
      title,
      detail,
      count,
      dueAt,
      urgency,
      link: '/appeals',
    });
    if (r.overdue)
      out.push(item('overdue', `超时未办的诉求 ${r.overdue} 件`, '已超过本环节时限，将逐级督办', r.overdue, 'overdue'));
    if (r.soon)
      out.push(
        item(
          'soon',
          `24 小时内到期的诉求 ${r.soon} 件`,
          '请及时签收、办理或办结答复',
          r.soon,
          'due_soon',
          at(r.first_due)?.toISOString() ?? null,
        ),
      );
    if (r.fresh) out.push(item('new', `新转来的诉求 ${r.fresh} 件`, '待签收', r.fresh, 'new'));
    if (r.reopened)
      out.push(
        item('reopened', `被要求重新办理的诉求 ${r.reopened} 件`, '提出人对答复不满意，请再次办理', r.reopened, 'new'),
      );
    if (r.escalated) {
      const many = r.escalated > ESCALATED_CAP;
      out.push(
        item(
          'escalated',
          `督办到本级的诉求 ${many ? `${ESCALATED_CAP} 件以上` : `${r.escalated} 件`}`,
          '下级超时未办，督办到本级',
          many ? ESCALATED_CAP : r.escalated,
          'overdue',
        ),
      );
    }
    return out;
  },
};
