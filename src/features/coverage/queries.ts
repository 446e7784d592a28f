import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Node } from '../../db/subtree.js';
import { SECTIONS } from '../../domain/ledger/industry.js';
import { ZONE_KIND_LABEL } from '../../domain/orgs/grouping.js';
import { ENTITY_KIND_LABEL } from '../../domain/ledger/labels.js';
import { coverageRates, emptyTally, newSince, type Tally } from '../../domain/coverage/coverage.js';
import type { CoverageData } from './contract.js';

const SUMS = sql`sum(t.operating)::int AS operating, sum(t.with_members)::int AS with_members, sum(t.own_org)::int AS own_org,
  sum(t.any_org)::int AS any_org, sum(t.work)::int AS work, sum(t.members_own_org)::int AS members_own_org, sum(t.members_any_org)::int AS members_any_org`;

type SumRow = { operating: number | null; with_members: number | null; own_org: number | null; any_org: number | null; work: number | null; members_own_org: number | null; members_any_org: number | null };

export const toTally = (r: SumRow | undefined): Tally =>
  r ? { operating: r.operating ?? 0, withMembers: r.with_members ?? 0, ownOrg: r.own_org ?? 0, anyOrg: r.any_org ?? 0, work: r.work ?? 0, membersOwnOrg: r.members_own_org ?? 0, membersAnyOrg: r.members_any_org ?? 0 } : emptyTally();

export const withRates = (t: Tally) => ({ ...t, ...coverageRates(t) });

/** Rows of a scope-key subtree: a range on the (dim, scope_key) index, so the nation's sum reads one row per station (per county, see below). */
const under = (key: string) => sql`t.scope_key >= ${key} AND t.scope_key < ${`${key}~`}`;

/** A county's key length: keys this long or shorter name a county or a node above it. */
const COUNTY = 6;

/**
 * The table to sum for a subtree: the per-county sums (migration 0044) when the subtree's key is no
 * longer than a county's, where they give the very same sums (a row's key cut to six characters
 * still lies under the node), else the stations' rows. `grouped` also asks for the node's
 * children's keys and its own rows, which the county sums keep apart only above a county.
 */
const tallyOf = (key: string, grouped = false) =>
  (grouped ? key.length < COUNTY : key.length <= COUNTY) ? sql`coverage_tally_county` : sql`coverage_tally`;

/** The tally of one dimension under a scope key, by value (values from `from` on, when given). */
export async function tallyBy(db: Transaction<DB> | Kysely<DB>, scopeKey: string, dim: string, from?: string): Promise<Map<string, Tally>> {
  const { rows } = await sql<SumRow & { value: string }>`SELECT t.value, ${SUMS} FROM ${tallyOf(scopeKey)} t
    WHERE t.dim = ${dim} AND ${under(scopeKey)} ${from === undefined ? sql`` : sql`AND t.value >= ${from}`} GROUP BY t.value`.execute(db);
  return new Map(rows.map((r) => [r.value, toTally(r)]));
}

/** Several dimensions at once (one round trip): by dimension, then value. */
export async function tallies(db: Transaction<DB> | Kysely<DB>, scopeKey: string, dims: string[]): Promise<Map<string, Map<string, Tally>>> {
  const { rows } = await sql<SumRow & { dim: string; value: string }>`SELECT t.dim, t.value, ${SUMS} FROM ${tallyOf(scopeKey)} t
    WHERE t.dim IN (${sql.join(dims)}) AND ${under(scopeKey)} GROUP BY t.dim, t.value`.execute(db);
  const out = new Map(dims.map((d) => [d, new Map<string, Tally>()]));
  for (const r of rows) out.get(r.dim)!.set(r.value, toTally(r));
  return out;
}

export async function tallyUnder(db: Transaction<DB> | Kysely<DB>, scopeKey: string): Promise<Tally> {
  return (await tallyBy(db, scopeKey, 'all')).get('') ?? emptyTally();
}

/** The node's children, each with its tally, and what hangs on the node itself (not yet under a child). */
export async function childTallies(db: Transaction<DB>, node: { code: string; scope_key: string }) {
  const { rows } = await sql<SumRow & { code: string; name: string; level: string }>`
    SELECT j.code, j.name, j.level, ${SUMS}
    FROM jurisdiction j LEFT JOIN ${tallyOf(node.scope_key, true)} t ON t.dim = 'all' AND t.scope_key >= j.scope_key AND t.scope_key < j.scope_key || '~'
    WHERE j.parent_code = ${node.code}
    GROUP BY j.code, j.name, j.level ORDER BY j.code`.execute(db);
  const { rows: own } = await sql<SumRow>`SELECT ${SUMS} FROM ${tallyOf(node.scope_key, true)} t WHERE t.dim = 'all' AND t.scope_key = ${node.scope_key}`.execute(db);
  return { children: rows.map((r) => ({ code: r.code, name: r.name, level: r.level, ...withRates(toTally(r)) })), own: toTally(own[0]) };
}

/** The same figure straight from the ledger, with no tally: what the incremental upkeep must always equal. */
export async function recomputeTally(db: Kysely<DB>, scopeKey: string): Promise<Tally> {
  const { rows } = await sql<SumRow>`
    SELECT count(*)::int AS operating, count(*) FILTER (WHERE with_members)::int AS with_members, count(*) FILTER (WHERE own_org)::int AS own_org,
      count(*) FILTER (WHERE any_org)::int AS any_org, count(*) FILTER (WHERE work)::int AS work,
      count(*) FILTER (WHERE with_members AND own_org)::int AS members_own_org, count(*) FILTER (WHERE with_members AND any_org)::int AS members_any_org
    FROM entity_coverage_facts WHERE operating AND starts_with(scope_key, ${scopeKey})`.execute(db);
  return toTally(rows[0]);
}

const KIND: Record<string, string> = ENTITY_KIND_LABEL;
const ZONE_KIND: Record<string, string> = ZONE_KIND_LABEL;

/** a + sign × b, figure by figure. */
const combine = (sign: 1 | -1) => (a: Tally, b: Tally): Tally => {
  const t = emptyTally();
  for (const k of Object.keys(t) as (keyof Tally)[]) t[k] = a[k] + sign * b[k];
  return t;
};

/** The zones' names by id (as text, the tally's value). */
async function zoneNames(db: Transaction<DB>, ids: number[]): Promise<Map<string, string>> {
  const rows = ids.length ? await db.selectFrom('zone').select(['id', 'name']).where('id', 'in', ids).execute() : [];
  return new Map(rows.map((z) => [String(z.id), z.name]));
}

/** The two coverages of a node: its figures, its children's, what hangs on it directly, and the splits. */
export async function coverageOf(db: Transaction<DB>, node: Node): Promise<CoverageData> {
  const key = node.scope_key;
  // One transaction is one connection: the queries run one after another anyway.
  const dims = await tallies(db, key, ['all', 'kind', 'industry', 'zone_kind', 'zone']);
  const [all, kind, industry, zoneKind, zones] = ['all', 'kind', 'industry', 'zone_kind', 'zone'].map((d) => dims.get(d)!);
  // Only the recent months are read: the established are the rest.
  const fresh = [...(await tallyBy(db, key, 'reg_month', newSince().slice(0, 7))).values()].reduce(combine(1), emptyTally());
  const total = all.get('') ?? emptyTally();
  const old = combine(-1)(total, fresh);
  const tree = await childTallies(db, node);
  // Largest first; equal ones by value, so the order (and the 30 zones shown) never hangs on the plan's.
  const ranked = (m: Map<string, Tally>) =>
    [...m].sort(([va, a], [vb, b]) => b.operating - a.operating || (va < vb ? -1 : va > vb ? 1 : 0));
  const rows = (m: [string, Tally][], label: (v: string) => string) => m.map(([value, t]) => ({ value, label: label(value), ...withRates(t) }));
  // Names only for the zones shown: a zone's visibility policy is a lookup per zone (~0.03 ms each, 18 ms for a province's 624).
  const topZones = ranked(zones).slice(0, 30);
  const nameOf = await zoneNames(db, topZones.map(([v]) => Number(v)));
  return {
    node: { code: node.code, name: node.name, level: node.level },
    total: withRates(total),
    unassigned: withRates(tree.own),
    children: tree.children,
    splits: {
      kind: rows(ranked(kind), (v) => KIND[v] ?? v),
      industry: rows(ranked(industry), (v) => (v ? `${v} ${SECTIONS.find((x) => x.code === v)?.label ?? ''}`.trim() : '未填行业')),
      zoneKind: rows(ranked(zoneKind), (v) => ZONE_KIND[v] ?? v),
      newness: [
        { value: 'new', label: '新设（近 12 个月）', ...withRates(fresh) },
        { value: 'established', label: '存量', ...withRates(old) },
      ],
      zones: rows(topZones, (v) => nameOf.get(v) ?? `区域 ${v}`),
    },
  };
}
