import { sql } from 'kysely';
import type { TodoItem } from '../contract.js';
import { DAY_MS, type TodoSource } from './types.js';

/** Discovery cases (核实线索) at the account's node still to verify: new ones (this week) and the rest. */
export const caseTodos: TodoSource<{ fresh: number; older: number }> = {
  kind: 'case',
  label: '核实线索',
  ownStatement: true,
  select: (c) => {
    const weekAgo = new Date(c.now.getTime() - 7 * DAY_MS);
    return sql`(SELECT json_build_object('fresh', count(*) FILTER (WHERE created_at >= ${weekAgo}), 'older', count(*) FILTER (WHERE created_at < ${weekAgo}))
      FROM discovery_case WHERE scope_key = ${c.scopeKey} AND state IN ('open', 'contacted'))`;
  },
  items: ({ fresh, older }) => {
    const out: TodoItem[] = [];
    if (fresh)
      out.push({
        key: 'case:new',
        kind: 'case',
        kindLabel: '核实线索',
        title: `新的核实线索 ${fresh} 条`,
        detail: '近 7 天比对、报到或完整名册导入产生，待联系核实',
        count: fresh,
        dueAt: null,
        urgency: 'new',
        link: '/discovery',
      });
    if (older)
      out.push({
        key: 'case:open',
        kind: 'case',
        kindLabel: '核实线索',
        title: `待核实的线索 ${older} 条`,
        detail: '确认、排除（写明原因）或转接组织关系；名册中已不存在的党员记录核实结果',
        count: older,
        dueAt: null,
        urgency: 'normal',
        link: '/discovery',
      });
    return out;
  },
};
