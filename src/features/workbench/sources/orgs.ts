import { sql } from 'kysely';
import { subtree, type TodoSource } from './types.js';
import { lapsedStandalone } from '../../orgs/index.js';

/**
 * 单独建 organizations of the subtree whose entities no longer operate in their county (注销,
 * 吊销, 迁出, re-registered elsewhere): the county's 小个专党委 decides whether to dissolve them or
 * set them up anew. Asked of a county and the levels above, not of a station (the decision is
 * not its, and an entity of another station is out of its sight).
 */
export const orgTodos: TodoSource<{ n: number }> = {
  kind: 'org',
  label: '党组织',
  select: (c) => {
    if (c.level === 'station') return null;
    const [lo, hi] = subtree(c.scopeKey);
    return sql`(SELECT json_build_object('n', count(*)) FROM party_org o
      WHERE o.scope_key >= ${lo} AND o.scope_key < ${hi} AND ${lapsedStandalone('o')})`;
  },
  items: ({ n }) =>
    !n
      ? []
      : [
          {
            key: 'org:lapsed',
            kind: 'org',
            kindLabel: '党组织',
            title: `${n} 个单独建党组织的所在主体已注销、吊销或迁出本县`,
            detail: '请核实：撤销组织，或调整建立方式（联合建、挂靠）与覆盖单位',
            count: n,
            dueAt: null,
            urgency: 'due_soon',
            link: '/orgs?lapsed=true',
          },
        ],
};
