import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { FUNNEL, COUNTS, toCounts, valuesOf, type Counts } from '../../domain/indicators/registry.js';
import type { Node } from '../jurisdictions/subtree.js';
import { measureAll, type Db, type Measure } from './measure.js';
import { MEASURES } from './sources/index.js';

type Place = { code: string; name: string; level: string; scope_key: string };

/** The month a snapshot taken now belongs to (server time, as newSince counts months). */
export function periodOf(d = new Date()): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
}

/** The node's figures, each child's, and what hangs on the node itself (not yet under any child). */
export async function figuresWithChildren(db: Db, node: Node, measures: readonly Measure[] = MEASURES) {
  const children = (await sql<Place>`SELECT code, name, level, scope_key FROM jurisdiction WHERE parent_code = ${node.code} ORDER BY code`.execute(db)).rows;
  // Children's keys share one length (province 2, city 4, county 6, station 9): group by that prefix.
  const depth = children.length ? children[0].scope_key.length : node.scope_key.length;
  const { total, groups } = await measureAll(db, measures, node.scope_key, depth);
  const own = children.length ? groups.get(node.scope_key) ?? toCounts({}) : toCounts({});
  return {
    total,
    own,
    children: children.map((c) => ({ code: c.code, name: c.name, level: c.level, counts: groups.get(c.scope_key) ?? toCounts({}) })),
  };
}

/** The funnel stages, labelled from the registry. */
export const funnelOf = (c: Counts) => FUNNEL.map((key) => ({ key, label: COUNTS[key].label, value: c[key] }));

/** The node's snapshots, oldest first, from `from` (YYYY-MM) on. */
export async function snapshotsOf(db: Db, scopeKey: string, from = '0000-00') {
  const { rows } = await sql<{ period: string; counts: Record<string, number>; taken_at: Date; trigger: 'schedule' | 'demand' }>`
    SELECT period, counts, taken_at, trigger FROM indicator_snapshot WHERE scope_key = ${scopeKey} AND period >= ${from} ORDER BY period`.execute(db);
  return rows.map((r) => ({ period: r.period, takenAt: new Date(r.taken_at).toISOString(), trigger: r.trigger, counts: toCounts(r.counts) }));
}

/** The first month of a trend of `months` months ending with the current one. */
export function trendStart(months: number, d = new Date()): string {
  return periodOf(new Date(d.getFullYear(), d.getMonth() - (months - 1), 1));
}

/** Month by month from the snapshots, the current month from live figures (a snapshot of it, if any, is older than now). */
export async function trendOf(db: Db, scopeKey: string, live: Counts, months = 12) {
  const now = periodOf();
  const history = (await snapshotsOf(db, scopeKey, trendStart(months))).filter((s) => s.period !== now);
  return [...history.map((s) => ({ period: s.period, live: false, takenAt: s.takenAt, ...valuesOf(s.counts) })), { period: now, live: true, takenAt: new Date().toISOString(), ...valuesOf(live) }];
}

/**
 * Takes this month's snapshot for `under` and every node below it that has any data, replacing
 * the month's earlier one there. One pass per level of the tree (all the level's nodes at once),
 * with the same measures the dashboard uses. Returns the number of nodes written.
 */
export async function takeSnapshots(db: Db, under: string, trigger: 'schedule' | 'demand', takenBy: number | null, period = periodOf()): Promise<number> {
  const nodes = (await sql<{ code: string; scope_key: string }>`SELECT code, scope_key FROM jurisdiction WHERE scope_key >= ${under} AND scope_key < ${`${under}~`}`.execute(db)).rows;
  const codeOf = new Map(nodes.map((n) => [n.scope_key, n.code]));
  const depths = [...new Set(nodes.map((n) => n.scope_key.length))].filter((d) => d > under.length).sort((a, b) => a - b);
  const taken = new Map<string, Counts>();
  const keep = (key: string, c: Counts) => Object.values(c).some((v) => v !== 0) && codeOf.has(key) && taken.set(key, c);
  for (const depth of depths.length ? depths : [under.length]) {
    const { total, groups } = await measureAll(db, MEASURES, under, depth);
    keep(under, total);
    // Groups of a shorter key are rows hanging on a node above this level: that node's own pass counts them.
    for (const [key, c] of groups) if (key.length === depth) keep(key, c);
  }
  await sql`DELETE FROM indicator_snapshot WHERE period = ${period} AND scope_key >= ${under} AND scope_key < ${`${under}~`}`.execute(db);
  const rows = [...taken];
  for (let i = 0; i < rows.length; i += 1000) {
    const chunk = rows.slice(i, i + 1000);
    await sql`INSERT INTO indicator_snapshot (jurisdiction_code, scope_key, period, counts, trigger, taken_by)
      VALUES ${sql.join(chunk.map(([key, c]) => sql`(${codeOf.get(key)}, ${key}, ${period}, ${JSON.stringify(c)}::jsonb, ${trigger}, ${takenBy})`))}
      ON CONFLICT (scope_key, period) DO UPDATE SET counts = excluded.counts, taken_at = now(), trigger = excluded.trigger, taken_by = excluded.taken_by`.execute(db);
  }
  return rows.length;
}

/**
 * The whole tree's snapshot, as the system (the scheduled job, benchmarks): in its own transaction
 * with the scope set to the whole tree, since the views that count members read the scope (unset,
 * it would match nothing). Unless `always`, only when the month has no snapshot from the last day.
 */
export async function takeSystemSnapshots(db: Kysely<DB>, always: boolean): Promise<number | null> {
  return db.transaction().execute(async (tx) => {
    await sql`SELECT set_config('xgz.scope', '', true)`.execute(tx);
    if (!always && (await hasSnapshot(tx))) return null;
    return takeSnapshots(tx, '', 'schedule', null);
  });
}

/** Whether this month has a snapshot of the whole tree (the nation's row) taken within the last `maxAgeHours`. */
export async function hasSnapshot(db: Db, maxAgeHours = 24, period = periodOf()): Promise<boolean> {
  return (await sql`SELECT 1 FROM indicator_snapshot WHERE scope_key = '' AND period = ${period} AND taken_at > now() - make_interval(hours => ${maxAgeHours})`.execute(db)).rows.length > 0;
}
