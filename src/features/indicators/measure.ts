import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import { toCounts, type CountKey, type Counts } from '../../domain/indicators/registry.js';

export type Db = Transaction<DB> | Kysely<DB>;

/**
 * One query of an indicator source: the rows it counts (`from`, narrowed by `where`), the column
 * holding their scope key, and the select list naming each count it yields by its registry key.
 * `select` and `where` are built at query time (a figure may depend on today's date).
 */
export type Measure = {
  keys: readonly CountKey[];
  from: RawBuilder<unknown>;
  /**
   * The same rows summed per county (scope keys cut to a county's six characters), under the same
   * alias: read instead of `from` when the node and the grouping are at most a county's key long,
   * where they give the same counts from fewer rows (sums only: a distinct count cannot be summed).
   */
  county?: RawBuilder<unknown>;
  scope: string;
  /**
   * Every count in `select` is a sum, so the total is the sum of the groups: read with the groups
   * only, no GROUPING SETS, which Citus cannot run over a distributed table (the case tally).
   */
  additive?: true;
  where?: () => RawBuilder<unknown>;
  select: () => RawBuilder<unknown>;
};

/** The counts under a scope key, in total and for each group of rows sharing the first `depth` characters of their scope key. */
export type Measured = { total: Counts; groups: Map<string, Counts> };

/** A county's key length. */
const COUNTY = 6;

/**
 * One measure over the rows under `under`, grouped by scope key prefix of length `depth` (the
 * length of the children's keys): one pass over the rows gives the total and every group, and
 * distinct counts (a member linked in two stations) stay right in both because the total is its
 * own grouping set. Rows hanging on the node itself group under the node's own key.
 */
function measureQuery(m: Measure, under: string, depth: number) {
  const scope = sql.ref(m.scope);
  const from = m.county && under.length <= COUNTY && depth <= COUNTY ? m.county : m.from;
  // A literal, not a parameter: the grouping expression must be the same expression in SELECT and GROUP BY.
  const prefix = sql`left(${scope}, ${sql.lit(Math.trunc(depth))})`;
  return sql`
    SELECT ${m.additive ? sql`0` : sql`GROUPING(${prefix})`} AS whole, ${prefix} AS key, ${m.select()}
    FROM ${from}
    WHERE ${scope} >= ${under} AND ${scope} < ${`${under}~`} ${m.where ? sql`AND ${m.where()}` : sql``}
    GROUP BY ${m.additive ? prefix : sql`GROUPING SETS ((${prefix}), ())`}`;
}

type Row = Record<string, number | string | null> & { whole: number; key: string | null };

/**
 * Every measure, merged: each count comes from exactly one measure (a test holds the registry and
 * the sources to that). All measures go in one statement, each one's rows as a JSON array: one
 * round trip instead of one a measure (some thirty; under many clerks at once the round trips, not
 * the counting, were most of a dashboard call's time).
 */
export async function measureAll(
  db: Db,
  measures: readonly Measure[],
  under: string,
  depth: number,
): Promise<Measured> {
  const total: Record<string, number> = {};
  const groups = new Map<string, Record<string, number>>();
  if (!measures.length) return { total: toCounts(total), groups: new Map() };
  const columns = measures.map(
    (m, i) =>
      sql`(SELECT coalesce(json_agg(q), '[]') FROM (${measureQuery(m, under, depth)}) q) AS ${sql.ref(`m${i}`)}`,
  );
  const { rows } = await sql<Record<string, Row[] | string>>`SELECT ${sql.join(columns)}`.execute(db);
  measures.forEach((m, i) => {
    // An additive measure's total starts at nought and takes each group's counts.
    if (m.additive) for (const k of m.keys) total[k] = 0;
    const value = rows[0][`m${i}`];
    for (const row of (typeof value === 'string' ? JSON.parse(value) : value) as Row[]) {
      const into = Number(row.whole) === 1 ? total : (groups.get(row.key!) ?? groups.set(row.key!, {}).get(row.key!)!);
      for (const k of m.keys) into[k] = Number(row[k] ?? 0);
      if (m.additive) for (const k of m.keys) total[k] += Number(row[k] ?? 0);
    }
  });
  return { total: toCounts(total), groups: new Map([...groups].map(([k, v]) => [k, toCounts(v)])) };
}
