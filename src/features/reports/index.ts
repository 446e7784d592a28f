/**
 * The reports feature's entrance for other features (the 待办 workbench of #10 reads it): which of
 * a node's reports need its attention — one a child's later submission made outdated (it must be
 * consolidated and submitted again), or one the level above returned.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Node } from '../../db/subtree.js';

type Db = Transaction<DB> | Kysely<DB>;

export type ReportAttention = {
  id: number;
  form: string;
  period: string;
  kind: 'outdated' | 'returned';
  since: string;
  reason: string;
};

export async function reportsNeedingAttention(db: Db, node: Pick<Node, 'code'>): Promise<ReportAttention[]> {
  const { rows } = await sql<{
    id: number;
    form: string;
    period: string;
    state: string;
    outdated_at: Date | null;
    outdated_reason: string | null;
    returned_at: Date | null;
    return_reason: string | null;
  }>`
    SELECT id, form, period, state, outdated_at, outdated_reason, returned_at, return_reason FROM report
    WHERE jurisdiction_code = ${node.code} AND ((state = 'submitted' AND outdated_at IS NOT NULL) OR state = 'returned')
    ORDER BY period DESC, form`.execute(db);
  return rows.map((r) =>
    r.state === 'returned'
      ? {
          id: r.id,
          form: r.form,
          period: r.period,
          kind: 'returned' as const,
          since: new Date(r.returned_at!).toISOString(),
          reason: r.return_reason ?? '',
        }
      : {
          id: r.id,
          form: r.form,
          period: r.period,
          kind: 'outdated' as const,
          since: new Date(r.outdated_at!).toISOString(),
          reason: r.outdated_reason ?? '',
        },
  );
}

export { reportRoutes } from './routes.js';
export { snapshotOfMonth } from './service.js';
