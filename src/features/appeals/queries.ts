import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import { notFound } from '../../http/errors.js';
import { underNode } from '../../http/paging.js';
import { DOOR_LABEL, OPEN_STATES, RIDER_CATEGORY_LABEL, STATE_LABEL, TIMED_STEPS, type CaseDoor, type CaseState } from '../../domain/cases/engine.js';
import { FEEDBACK_CATEGORY_LABEL } from '../../domain/sanliang/plaque.js';
import { routeCase, type Unit } from '../../domain/cases/routing.js';
import type { Node } from '../jurisdictions/subtree.js';
import type { PlacedUnit } from './engine.js';

type Tx = Transaction<DB>;

/** A unit with the scope key and county of its node, read with whatever connection the caller holds. */
export async function placeUnit(db: Kysely<DB> | Tx, unit: Unit): Promise<PlacedUnit> {
  const j = await db.selectFrom('jurisdiction').select(['scope_key', 'level', 'parent_code']).where('code', '=', unit.code).executeTakeFirst();
  if (!j) throw notFound('承办单位');
  return { ...unit, scopeKey: j.scope_key, countyCode: j.level === 'station' ? j.parent_code! : unit.code };
}

/** The unit that answers a report from the plaque page: the plaque's station (else its county), by the routing rules. */
export async function plaqueUnit(db: Kysely<DB>, scopeKey: string, category: string): Promise<PlacedUnit> {
  const j = await db.selectFrom('jurisdiction').select(['code', 'level', 'parent_code']).where('scope_key', '=', scopeKey).executeTakeFirstOrThrow();
  const routed = routeCase({ door: 'plaque', category, place: { code: j.code, level: j.level, parentCode: j.parent_code } });
  if (!routed.ok) throw notFound('承办单位');
  return placeUnit(db, routed.unit);
}

export const servicePostItem = (p: { id: number; name: string; address: string; opening_hours: string; offers: string[]; phone: string | null; area_name: string; longitude: unknown; latitude: unknown }) => ({
  id: Number(p.id), name: p.name, address: p.address, openingHours: p.opening_hours, offers: p.offers, phone: p.phone, areaName: p.area_name,
  longitude: p.longitude == null ? null : Number(p.longitude), latitude: p.latitude == null ? null : Number(p.latitude),
});

/** The visit door's business lines (a configurable dictionary list). */
export async function visitLines(db: Tx): Promise<Map<string, string>> {
  const rows = await db.selectFrom('dictionary').select(['code', 'label']).where('kind', '=', 'visit_line').orderBy('sort_order').execute();
  return new Map(rows.map((r) => [r.code, r.label]));
}

export function categoryLabel(door: CaseDoor, category: string, lines: Map<string, string>): string {
  if (door === 'rider') return RIDER_CATEGORY_LABEL[category as keyof typeof RIDER_CATEGORY_LABEL] ?? category;
  if (door === 'plaque') return FEEDBACK_CATEGORY_LABEL[category as keyof typeof FEEDBACK_CATEGORY_LABEL] ?? category;
  return lines.get(category) ?? category;
}

export type CaseFilters = { under?: string; door?: CaseDoor; category?: string; state?: CaseState; overdue?: 'true'; escalated?: 'true'; q?: string };

/** The work list: cases the caller's subtree answers for or raised, with the filters applied. */
export async function filteredCases(db: Tx, f: CaseFilters, me: { scopeKey: string }, now = new Date()) {
  let q = db.selectFrom('appeal_case as c')
    .innerJoin('jurisdiction as u', 'u.code', 'c.unit_code')
    .leftJoin('jurisdiction as a', 'a.code', 'c.area_code')
    .leftJoin('service_post as p', 'p.id', 'c.service_post_id')
    .leftJoin('entity as e', 'e.id', 'c.entity_id')
    .select(['c.id', 'c.door', 'c.category', 'c.content', 'c.state', 'c.unit_kind', 'c.unit_code', 'c.unit_line', 'c.scope_key', 'c.created_at', 'c.due_at', 'c.escalation_level', 'c.escalated_key',
      'c.public_reply', 'c.satisfaction', 'c.reopen_count', 'c.visit_id', 'c.entity_id', 'c.contact_enc',
      'u.name as unit_name', 'a.name as area_name', 'p.name as post_name', 'e.name as entity_name']);
  if (f.under) q = q.where(await underNode(db, 'c.scope_key', f.under));
  if (f.door) q = q.where('c.door', '=', f.door);
  if (f.category) q = q.where('c.category', '=', f.category);
  if (f.state) q = q.where('c.state', '=', f.state);
  if (f.overdue) q = q.where('c.state', 'in', OPEN_STATES).where('c.due_at', '<', now);
  // Escalated to the caller's own level: the level above sees what its units left overdue.
  if (f.escalated) q = q.where('c.escalated_key', '=', me.scopeKey);
  if (f.q) q = q.where('c.content', 'like', `%${f.q.replace(/[%_\\]/g, '\\$&')}%`);
  return q;
}

type CaseListRow = Awaited<ReturnType<Awaited<ReturnType<typeof filteredCases>>['execute']>>[number];
export const toCaseItem = (lines: Map<string, string>, now = new Date()) => (c: CaseListRow) => {
  const due = c.due_at ? new Date(c.due_at) : null;
  return {
    id: Number(c.id), door: c.door, doorLabel: DOOR_LABEL[c.door], category: c.category, categoryLabel: categoryLabel(c.door, c.category, lines),
    content: c.content, state: c.state, stateLabel: STATE_LABEL[c.state],
    unitName: c.unit_line ? `${c.unit_name}·${lines.get(c.unit_line) ?? c.unit_line}` : c.unit_name, unitCode: c.unit_code, unitLine: c.unit_line,
    place: c.post_name ? `${c.area_name ?? ''} ${c.post_name}`.trim() : c.area_name, entityName: c.entity_name, hasContact: !!c.contact_enc,
    createdAt: new Date(c.created_at).toISOString(), dueAt: due?.toISOString() ?? null, overdue: !!due && OPEN_STATES.includes(c.state) && due < now,
    escalationLevel: c.escalation_level, escalated: c.escalation_level > 0, reply: c.public_reply, satisfaction: c.satisfaction, reopenCount: c.reopen_count,
  };
};

// ── Figures ─────────────────────────────────────────────────────────────────────────────
const STEP_COLS = Object.keys(TIMED_STEPS) as (keyof typeof TIMED_STEPS)[];

/**
 * The case figures of a node's subtree: counts by door, category and state; median and 90th
 * percentile of each step's time (hours); overdue; satisfaction; visits and entities visited —
 * for the node and for each child. One pass over the subtree per query, through the scope index.
 */
export async function caseFigures(db: Tx, node: Node, now = new Date()) {
  const range = sql`c.scope_key >= ${node.scope_key} AND c.scope_key < ${`${node.scope_key}~`}`;
  const open = sql.raw(`c.state IN (${OPEN_STATES.map((s) => `'${s}'`).join(',')})`);
  const pct = (col: string, p: number) => sql.raw(`percentile_cont(${p}) WITHIN GROUP (ORDER BY c.${col}_ms) / 3600000.0`);
  const totals = (await sql<Record<string, number | null>>`
    SELECT count(*)::int AS total, count(*) FILTER (WHERE ${open})::int AS open, count(*) FILTER (WHERE ${open} AND c.due_at < ${now})::int AS overdue,
      count(*) FILTER (WHERE c.escalation_level > 0 AND ${open})::int AS escalated,
      avg(c.satisfaction)::float8 AS satisfaction, count(c.satisfaction)::int AS rated,
      ${sql.join(STEP_COLS.flatMap((s) => [sql`${pct(s, 0.5)}::float8 AS ${sql.ref(`${s}_p50`)}`, sql`${pct(s, 0.9)}::float8 AS ${sql.ref(`${s}_p90`)}`]))}
    FROM appeal_case c WHERE ${range}`.execute(db)).rows[0];
  const groups = (await sql<{ door: CaseDoor; category: string; state: CaseState; n: number }>`
    SELECT c.door, c.category, c.state, count(*)::int AS n FROM appeal_case c WHERE ${range} GROUP BY 1, 2, 3`.execute(db)).rows;
  const children = (await sql<{ code: string; name: string; level: string; total: number; open: number; overdue: number; rider: number; visit: number; plaque: number; satisfaction: number | null }>`
    SELECT j.code, j.name, j.level, count(c.id)::int AS total, count(c.id) FILTER (WHERE ${open})::int AS open, count(c.id) FILTER (WHERE ${open} AND c.due_at < ${now})::int AS overdue,
      count(c.id) FILTER (WHERE c.door = 'rider')::int AS rider, count(c.id) FILTER (WHERE c.door = 'visit')::int AS visit, count(c.id) FILTER (WHERE c.door = 'plaque')::int AS plaque,
      avg(c.satisfaction)::float8 AS satisfaction
    FROM jurisdiction j LEFT JOIN appeal_case c ON c.scope_key >= j.scope_key AND c.scope_key < j.scope_key || '~'
    WHERE j.parent_code = ${node.code} GROUP BY j.code, j.name, j.level ORDER BY j.code`.execute(db)).rows;
  const visits = (await sql<{ code: string | null; total: boolean; visits: number; entities: number }>`
    SELECT j.code, GROUPING(j.code) = 1 AS total, count(*)::int AS visits, count(DISTINCT v.entity_id)::int AS entities
    FROM visit_record v LEFT JOIN jurisdiction j ON j.parent_code = ${node.code} AND v.scope_key >= j.scope_key AND v.scope_key < j.scope_key || '~'
    WHERE v.scope_key >= ${node.scope_key} AND v.scope_key < ${`${node.scope_key}~`}
    GROUP BY ROLLUP (j.code)`.execute(db)).rows;
  const visitsOf = (code: string) => visits.find((v) => v.code === code && !v.total) ?? { visits: 0, entities: 0 };
  const visitTotal = visits.find((v) => v.total) ?? { visits: 0, entities: 0 };
  const tally = <K extends string>(key: (g: (typeof groups)[number]) => K) => {
    const out: Record<string, number> = {};
    for (const g of groups) out[key(g)] = (out[key(g)] ?? 0) + g.n;
    return out;
  };
  const hours = (v: number | null | undefined) => (v == null ? null : Math.round(v * 10) / 10);
  return {
    node: { code: node.code, name: node.name, level: node.level },
    total: {
      total: totals.total ?? 0, open: totals.open ?? 0, overdue: totals.overdue ?? 0, escalated: totals.escalated ?? 0,
      satisfaction: totals.satisfaction == null ? null : Math.round(Number(totals.satisfaction) * 100) / 100, rated: totals.rated ?? 0,
      visits: visitTotal.visits, entitiesVisited: visitTotal.entities,
    },
    byDoor: tally((g) => g.door),
    byCategory: tally((g) => `${g.door}:${g.category}`),
    byState: tally((g) => g.state),
    steps: STEP_COLS.map((s) => ({ step: s, label: TIMED_STEPS[s], p50Hours: hours(totals[`${s}_p50`]), p90Hours: hours(totals[`${s}_p90`]) })),
    children: children.map((c) => ({ ...c, satisfaction: c.satisfaction == null ? null : Math.round(c.satisfaction * 100) / 100, visits: visitsOf(c.code).visits, entitiesVisited: visitsOf(c.code).entities })),
  };
}
