import { sql, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import { TRAINING_WINDOW_MONTHS, emptyIndicator, withShare, type Indicator } from '../../domain/recognition/training.js';
import { childOf } from './shared.js';

type Node = { code: string; scope_key: string };
type Counts = { child: string | null; new_org: boolean; secretaries: number; trained: number; pending: number };
export type AreaIndicator = { all: Indicator; newOrgs: Indicator };

/**
 * The training indicator of src/domain/recognition/training.ts in one query over the node's
 * subtree, split by the node's children (child NULL: hangs on the node itself). A test on a
 * random ledger holds it equal to the domain function.
 */
/**
 * The definition's two parts as SQL over `party_org_officer f JOIN party_org o ON o.id = f.org_id`,
 * shared with the dashboard's indicator source (src/features/indicators/sources/training.ts):
 * a secretary in office on `asOf`, and trained in time (a completed class ending within the window, not after `asOf`).
 */
export const SECRETARY_FROM = sql`party_org_officer f JOIN party_org o ON o.id = f.org_id`;
export const secretaryInOffice = (asOf: string) =>
  sql<boolean>`f.role = 'secretary' AND o.body = 'party' AND o.status <> 'dissolved' AND f.term_start <= ${asOf}::date AND f.term_end >= ${asOf}::date`;
export const trainedInTime = (asOf: string) =>
  sql<boolean>`EXISTS (SELECT 1 FROM training_trainee t JOIN training_class c ON c.id = t.class_id
    WHERE t.officer_id = f.id AND t.completed AND c.ends_on >= f.term_start
      AND c.ends_on <= (f.term_start + make_interval(months => ${TRAINING_WINDOW_MONTHS}::int))::date AND c.ends_on <= ${asOf}::date)`;

export async function indicatorCounts(db: Transaction<DB>, node: Node, asOf: string): Promise<Counts[]> {
  const { rows } = await sql<Counts>`
    WITH s AS (
      SELECT f.scope_key,
        coalesce(extract(year FROM o.founded_on) = extract(year FROM ${asOf}::date), false) AS new_org,
        ${trainedInTime(asOf)} AS trained,
        (f.term_start + make_interval(months => ${TRAINING_WINDOW_MONTHS}::int))::date >= ${asOf}::date AS window_open
      FROM ${SECRETARY_FROM}
      WHERE ${secretaryInOffice(asOf)} AND starts_with(f.scope_key, ${node.scope_key}))
    SELECT x.child, x.new_org, count(*)::int AS secretaries, count(*) FILTER (WHERE x.trained)::int AS trained,
      count(*) FILTER (WHERE NOT x.trained AND x.window_open)::int AS pending
    FROM (SELECT s.*, ${childOf(node, sql.ref('s.scope_key'))} AS child FROM s) x
    GROUP BY x.child, x.new_org`.execute(db);
  return rows;
}

/** Folds the counts of the rows kept into the two indicators. */
export function fold(rows: Counts[], keep: (r: Counts) => boolean = () => true): AreaIndicator {
  const all = { secretaries: 0, trained: 0, pending: 0 };
  const newOrgs = { secretaries: 0, trained: 0, pending: 0 };
  for (const r of rows.filter(keep)) for (const t of r.new_org ? [all, newOrgs] : [all]) {
    t.secretaries += r.secretaries;
    t.trained += r.trained;
    t.pending += r.pending;
  }
  return { all: all.secretaries ? withShare(all) : emptyIndicator(), newOrgs: newOrgs.secretaries ? withShare(newOrgs) : emptyIndicator() };
}
