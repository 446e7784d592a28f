import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { FUNNEL, COUNTS, toCounts, valuesOf, type Counts } from '../../domain/indicators/registry.js';
import { addMonths, localMonth, startOfMonth } from '../../domain/time/zone.js';
import type { Node } from '../../db/subtree.js';
import { measureAll, type Db, type Measure } from './measure.js';
import { MEASURES } from './sources/index.js';

type Place = { code: string; name: string; level: string; scope_key: string };

/** The month a snapshot taken at `d` belongs to, in the deployment's time zone. */
export function periodOf(d = new Date()): string {
  return localMonth(d);
}

/** The node's figures, each child's, and what hangs on the node itself (not yet under any child). */
export async function figuresWithChildren(db: Db, node: Node, measures: readonly Measure[] = MEASURES) {
  const children = (
    await sql<Place>`SELECT code, name, level, scope_key FROM jurisdiction WHERE parent_code = ${node.code} ORDER BY code`.execute(
      db,
    )
  ).rows;
  // Children's keys share one length (province 2, city 4, county 6, station 9): group by that prefix.
  const depth = children.length ? children[0].scope_key.length : node.scope_key.length;
  const { total, groups } = await measureAll(db, measures, node.scope_key, depth);
  const own = children.length ? (groups.get(node.scope_key) ?? toCounts({})) : toCounts({});
  return {
    total,
    own,
    children: children.map((c) => ({
      code: c.code,
      name: c.name,
      level: c.level,
      counts: groups.get(c.scope_key) ?? toCounts({}),
    })),
  };
}

/** The funnel stages, labelled from the registry. */
export const funnelOf = (c: Counts) => FUNNEL.map((key) => ({ key, label: COUNTS[key].label, value: c[key] }));

/** The node's snapshots, oldest first, from `from` (YYYY-MM) on. */
export async function snapshotsOf(db: Db, scopeKey: string, from = '0000-00') {
  const { rows } = await sql<{
    period: string;
    counts: Record<string, number>;
    taken_at: Date;
    trigger: 'schedule' | 'demand';
  }>`
    SELECT period, counts, taken_at, trigger FROM indicator_snapshot WHERE scope_key = ${scopeKey} AND period >= ${from} ORDER BY period`.execute(
    db,
  );
  return rows.map((r) => ({
    period: r.period,
    takenAt: new Date(r.taken_at).toISOString(),
    trigger: r.trigger,
    counts: toCounts(r.counts),
  }));
}

/** The first month of a trend of `months` months ending with the current one. */
export function trendStart(months: number, d = new Date()): string {
  return addMonths(periodOf(d), -(months - 1));
}

/** Month by month from the snapshots, the current month from live figures (a snapshot of it, if any, is older than now). */
export async function trendOf(db: Db, scopeKey: string, live: Counts, months = 12) {
  const now = periodOf();
  const history = (await snapshotsOf(db, scopeKey, trendStart(months))).filter((s) => s.period !== now);
  return [
    ...history.map((s) => ({ period: s.period, live: false, takenAt: s.takenAt, ...valuesOf(s.counts) })),
    { period: now, live: true, takenAt: new Date().toISOString(), ...valuesOf(live) },
  ];
}

/**
 * Takes this month's snapshot for `under` and every node below it that has any data, replacing
 * the month's earlier one there. One pass per level of the tree (all the level's nodes at once),
 * with the same measures the dashboard uses. Returns the number of nodes written.
 */
export async function takeSnapshots(
  db: Db,
  under: string,
  trigger: 'schedule' | 'demand',
  takenBy: number | null,
  period = periodOf(),
  closing = false,
): Promise<number> {
  const nodes = (
    await sql<{
      code: string;
      scope_key: string;
    }>`SELECT code, scope_key FROM jurisdiction WHERE scope_key >= ${under} AND scope_key < ${`${under}~`}`.execute(db)
  ).rows;
  const codeOf = new Map(nodes.map((n) => [n.scope_key, n.code]));
  const depths = [...new Set(nodes.map((n) => n.scope_key.length))]
    .filter((d) => d > under.length)
    .sort((a, b) => a - b);
  const taken = new Map<string, Counts>();
  /** What hangs on each node itself (the report's 本级 line): the first pass below the node groups those rows under the node's own key. */
  const own = new Map<string, Counts>();
  const nonZero = (c: Counts) => Object.values(c).some((v) => v !== 0);
  const keep = (key: string, c: Counts) => nonZero(c) && codeOf.has(key) && taken.set(key, c);
  const passes = depths.length ? depths : [under.length];
  for (const depth of passes) {
    const { total, groups } = await measureAll(db, MEASURES, under, depth);
    keep(under, total);
    for (const [key, c] of groups) {
      // Groups of a shorter key are rows hanging on a node above this level: that node's total was its own level's pass.
      if (key.length === depth) keep(key, c);
      if ((key.length < depth || depth === passes.at(-1)) && !own.has(key) && nonZero(c)) own.set(key, c);
    }
  }
  if (!depths.length) own.set(under, taken.get(under) ?? toCounts({}));
  await sql`DELETE FROM indicator_snapshot WHERE period = ${period} AND scope_key >= ${under} AND scope_key < ${`${under}~`}`.execute(
    db,
  );
  const rows = [...taken];
  for (let i = 0; i < rows.length; i += 1000) {
    const chunk = rows.slice(i, i + 1000);
    await sql`INSERT INTO indicator_snapshot (jurisdiction_code, scope_key, period, counts, own, trigger, taken_by, closing)
      VALUES ${sql.join(chunk.map(([key, c]) => sql`(${codeOf.get(key)}, ${key}, ${period}, ${JSON.stringify(c)}::jsonb, ${own.has(key) ? JSON.stringify(own.get(key)) : null}::jsonb, ${trigger}, ${takenBy}, ${closing})`))}
      ON CONFLICT (scope_key, period) DO UPDATE SET counts = excluded.counts, own = excluded.own, taken_at = excluded.taken_at, trigger = excluded.trigger, taken_by = excluded.taken_by, closing = excluded.closing`.execute(
      db,
    );
  }
  return rows.length;
}

/**
 * The whole tree's snapshot, as the system (the scheduled job, benchmarks): in its own transaction
 * with the scope set to the whole tree, since the views that count members read the scope (unset,
 * it would match nothing). Unless `always`, only when the month has no snapshot from the last day.
 */
export async function takeSystemSnapshots(db: Kysely<DB>, always: boolean, now = new Date()): Promise<number | null> {
  return db.transaction().execute(async (tx) => {
    await sql`SET LOCAL xgz.scope = ''`.execute(tx); // SET, not set_config(): Citus passes it on to the workers
    if (!always && (await hasSnapshot(tx, 24, periodOf(now), now))) return null;
    return takeSnapshots(tx, '', 'schedule', null, periodOf(now));
  });
}

/**
 * The month that ended before `now` and still wants its period-end (closing) snapshot, or null:
 * the month before the current one, when it has no closing snapshot and the deployment was
 * running during it (a snapshot of it or of an earlier month exists). A first start has no past
 * months to close: their figures were never seen.
 */
export async function monthToClose(db: Db, now = new Date()): Promise<string | null> {
  const previous = addMonths(periodOf(now), -1);
  const {
    rows: [r],
  } = await sql<{ closed: boolean; ran: boolean }>`
    SELECT EXISTS (SELECT 1 FROM indicator_snapshot WHERE scope_key = '' AND period = ${previous} AND closing) AS closed,
      EXISTS (SELECT 1 FROM indicator_snapshot WHERE scope_key = '' AND period <= ${previous}) AS ran`.execute(db);
  return !r.closed && r.ran ? previous : null;
}

/**
 * One run of the snapshot schedule at `now`: closes the month just ended (at its end, or at the
 * first start after a missed end), then keeps the current month's snapshot no older than a day.
 * As the system, over the whole tree. Returns what it took.
 */
export async function snapshotTick(
  db: Kysely<DB>,
  now = new Date(),
): Promise<{ closed: string | null; current: number | null }> {
  return db.transaction().execute(async (tx) => {
    await sql`SET LOCAL xgz.scope = ''`.execute(tx); // SET, not set_config(): Citus passes it on to the workers
    const closed = await monthToClose(tx, now);
    if (closed) await takeSnapshots(tx, '', 'schedule', null, closed, true);
    const current = (await hasSnapshot(tx, 24, periodOf(now), now))
      ? null
      : await takeSnapshots(tx, '', 'schedule', null, periodOf(now));
    return { closed, current };
  });
}

/** How long until the next run: at most `everyMs`, and just after the current month ends in the deployment's zone. */
export const nextTickIn = (everyMs: number, now = new Date()) =>
  Math.max(1000, Math.min(everyMs, startOfMonth(addMonths(periodOf(now), 1)).getTime() - now.getTime() + 1000));

/** Whether this month has a snapshot of the whole tree (the nation's row) taken within the last `maxAgeHours`. */
export async function hasSnapshot(db: Db, maxAgeHours = 24, period = periodOf(), now = new Date()): Promise<boolean> {
  const since = new Date(now.getTime() - maxAgeHours * 3600_000);
  return (
    (
      await sql`SELECT 1 FROM indicator_snapshot WHERE scope_key = '' AND period = ${period} AND taken_at > ${since}`.execute(
        db,
      )
    ).rows.length > 0
  );
}
