import { sql } from 'kysely';
import type { TodoItem } from '../contract.js';
import { subtree, type TodoSource } from './types.js';

/**
 * Exit reviews in the subtree: entities deregistered, revoked or on a credit list, whose plaques
 * are suspended and honours and points flagged (to review), and those removed from the list,
 * whose plaques wait for staff to confirm their return.
 */
export const exitTodos: TodoSource<{ open: number; lift: number }> = {
  kind: 'exit',
  label: '退出复核',
  select: (c) => {
    const [lo, hi] = subtree(c.scopeKey);
    return sql`(SELECT json_build_object('open', count(*) FILTER (WHERE state = 'open'), 'lift', count(*) FILTER (WHERE state = 'lift_pending'))
      FROM exit_review WHERE scope_key >= ${lo} AND scope_key < ${hi} AND state IN ('open', 'lift_pending'))`;
  },
  items: ({ open, lift }) => {
    const out: TodoItem[] = [];
    if (open)
      out.push({
        key: 'exit:open',
        kind: 'exit',
        kindLabel: '退出复核',
        title: `${open} 户主体注销、吊销或列入失信名单，待复核`,
        detail: '牌匾已暂停公示，荣誉与联系点已标记，请复核',
        count: open,
        dueAt: null,
        urgency: 'due_soon',
        link: '/exit-reviews',
      });
    if (lift)
      out.push({
        key: 'exit:lift',
        kind: 'exit',
        kindLabel: '退出复核',
        title: `${lift} 户主体已移出名单或恢复存续，待确认恢复公示`,
        detail: '确认后牌匾恢复有效',
        count: lift,
        dueAt: null,
        urgency: 'normal',
        link: '/exit-reviews',
      });
    return out;
  },
};
