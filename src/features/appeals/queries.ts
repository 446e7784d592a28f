import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import { badRequest, notFound } from '../../http/errors.js';
import { containing, pageFrom, underNode } from '../../http/paging.js';
import { planProgress } from '../../domain/worktasks/visit-plan.js';
import {
  DOOR_LABEL,
  OPEN_STATES,
  RIDER_CATEGORY_LABEL,
  SATISFACTION_LABEL,
  STATE_LABEL,
  TIMED_STEPS,
  type CaseDoor,
  type CaseState,
  type RiderCategory,
  type TimedStep,
} from '../../domain/cases/engine.js';
import { quantilesFromBuckets } from '../../domain/cases/step-times.js';
import { FEEDBACK_CATEGORY_LABEL } from '../../domain/sanliang/plaque.js';
import { routeCase, type Unit } from '../../domain/cases/routing.js';
import { entityNameWithStatus } from '../../domain/ledger/labels.js';
import type { Node } from '../../db/subtree.js';
import type { PlacedUnit } from './engine.js';
import type { PlatformBusiness } from '../../db/schema-platforms.js';

type Tx = Transaction<DB>;

/** A unit with the scope key and county of its node, read with whatever connection the caller holds. */
export async function placeUnit(db: Kysely<DB> | Tx, unit: Unit): Promise<PlacedUnit> {
  const j = await db
    .selectFrom('jurisdiction')
    .select(['scope_key', 'level', 'parent_code'])
    .where('code', '=', unit.code)
    .executeTakeFirst();
  if (!j) throw notFound('承办单位');
  return { ...unit, scopeKey: j.scope_key, countyCode: j.level === 'station' ? j.parent_code! : unit.code };
}

/** The unit that answers a report from the plaque page: the plaque's station (else its county), by the routing rules. */
export async function plaqueUnit(db: Kysely<DB>, scopeKey: string, category: string): Promise<PlacedUnit> {
  const j = await db
    .selectFrom('jurisdiction')
    .select(['code', 'level', 'parent_code'])
    .where('scope_key', '=', scopeKey)
    .executeTakeFirstOrThrow();
  const routed = routeCase({
    door: 'plaque',
    category,
    place: { code: j.code, level: j.level, parentCode: j.parent_code },
  });
  if (!routed.ok) throw notFound('承办单位');
  return placeUnit(db, routed.unit);
}

/**
 * The units above a place that may answer a rider's rights problem: the named platform's active
 * contact point on a node covering the place, and the nearest established rider industry committee.
 */
export async function coveringUnits(db: Kysely<DB> | Tx, placeKey: string, platformId?: number) {
  const nearest = (rows: { code: string; ref: number }[]) =>
    rows[0] ? { code: rows[0].code, ref: Number(rows[0].ref) } : null;
  const platformContact = platformId
    ? nearest(
        (
          await sql<{ code: string; ref: number }>`
    SELECT j.code, p.id AS ref FROM recognition_point rp JOIN platform p ON p.id = rp.platform_id JOIN jurisdiction j ON j.scope_key = rp.scope_key
    WHERE rp.platform_id = ${platformId} AND rp.kind = 'contact' AND rp.status = 'active' AND p.status = 'active' AND starts_with(${placeKey}, rp.scope_key)
    ORDER BY length(rp.scope_key) DESC LIMIT 1`.execute(db)
        ).rows,
      )
    : null;
  const committee = nearest(
    (
      await sql<{ code: string; ref: number }>`
    SELECT j.code, o.id AS ref FROM party_org o JOIN jurisdiction j ON j.scope_key = o.scope_key
    WHERE o.sector = 'riders' AND o.kind = 'committee' AND o.body = 'party' AND o.status = 'established' AND starts_with(${placeKey}, o.scope_key)
    ORDER BY length(o.scope_key) DESC, o.id LIMIT 1`.execute(db)
    ).rows,
  );
  return { platformContact, committee };
}

export const servicePostItem = (p: {
  id: number;
  name: string;
  address: string;
  opening_hours: string;
  offers: string[];
  phone: string | null;
  area_name: string;
  longitude: unknown;
  latitude: unknown;
}) => ({
  id: Number(p.id),
  name: p.name,
  address: p.address,
  openingHours: p.opening_hours,
  offers: p.offers,
  phone: p.phone,
  areaName: p.area_name,
  longitude: p.longitude == null ? null : Number(p.longitude),
  latitude: p.latitude == null ? null : Number(p.latitude),
});

/** The visit door's business lines (a configurable dictionary list). */
export async function visitLines(db: Tx): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom('dictionary')
    .select(['code', 'label'])
    .where('kind', '=', 'business_line')
    .orderBy('sort_order')
    .execute();
  return new Map(rows.map((r) => [r.code, r.label]));
}

export function categoryLabel(door: CaseDoor, category: string, lines: Map<string, string>): string {
  if (door === 'rider') return RIDER_CATEGORY_LABEL[category as keyof typeof RIDER_CATEGORY_LABEL] ?? category;
  if (door === 'plaque') return FEEDBACK_CATEGORY_LABEL[category as keyof typeof FEEDBACK_CATEGORY_LABEL] ?? category;
  return lines.get(category) ?? category;
}

export type CaseFilters = {
  under?: string;
  door?: CaseDoor;
  category?: string;
  state?: CaseState;
  overdue?: 'true';
  escalated?: 'true';
  q?: string;
};

/** The work list: cases the caller's subtree answers for or raised, with the filters applied. */
export async function filteredCases(db: Tx, f: CaseFilters, me: { scopeKey: string }, now = new Date()) {
  let q = db
    .selectFrom('appeal_case as c')
    .innerJoin('jurisdiction as u', 'u.code', 'c.unit_code')
    .leftJoin('platform as up', 'up.id', 'c.unit_platform_id')
    .leftJoin('party_org as uo', 'uo.id', 'c.unit_org_id')
    .leftJoin('jurisdiction as a', 'a.code', 'c.area_code')
    .leftJoin('service_post as p', 'p.id', 'c.service_post_id')
    .leftJoin('entity as e', 'e.id', 'c.entity_id')
    .select([
      'c.id',
      'c.door',
      'c.category',
      'c.content',
      'c.state',
      'c.unit_kind',
      'c.unit_code',
      'c.unit_line',
      'c.scope_key',
      'c.created_at',
      'c.due_at',
      'c.escalation_level',
      'c.escalated_key',
      'c.public_reply',
      'c.satisfaction',
      'c.reopen_count',
      'c.visit_id',
      'c.entity_id',
      'c.contact_enc',
      'u.name as unit_name',
      'up.name as unit_platform',
      'uo.name as unit_org',
      'a.name as area_name',
      'p.name as post_name',
      'e.name as entity_name',
      'e.status as entity_status',
    ]);
  if (f.under) q = q.where(await underNode(db, 'c.scope_key', f.under));
  if (f.door) q = q.where('c.door', '=', f.door);
  if (f.category) q = q.where('c.category', '=', f.category);
  if (f.state) q = q.where('c.state', '=', f.state);
  if (f.overdue) q = q.where('c.state', 'in', OPEN_STATES).where('c.due_at', '<', now);
  // Escalated to the caller's own level: the level above sees what its units left overdue.
  if (f.escalated) q = q.where('c.escalated_key', '=', me.scopeKey);
  if (f.q) q = q.where('c.content', 'like', containing(f.q));
  return q;
}

/**
 * The responsible unit as people call it: the station or bureau (with its business line), the
 * platform's contact point, or the committee. Names the reader may not see (a committee above the
 * raising station) fall back to the node's name.
 */
export function unitName(
  c: {
    unit_kind: string;
    unit_name: string;
    unit_line: string | null;
    unit_platform?: string | null;
    unit_org?: string | null;
  },
  lines: Map<string, string>,
): string {
  if (c.unit_kind === 'platform' && c.unit_platform) return `${c.unit_platform}党建联系点（${c.unit_name}）`;
  if (c.unit_kind === 'committee' && c.unit_org) return c.unit_org;
  return c.unit_line ? `${c.unit_name}·${lines.get(c.unit_line) ?? c.unit_line}` : c.unit_name;
}

type CaseListRow = Awaited<ReturnType<Awaited<ReturnType<typeof filteredCases>>['execute']>>[number];
export const toCaseItem =
  (lines: Map<string, string>, now = new Date()) =>
  (c: CaseListRow) => {
    const due = c.due_at ? new Date(c.due_at) : null;
    return {
      id: Number(c.id),
      door: c.door,
      doorLabel: DOOR_LABEL[c.door],
      category: c.category,
      categoryLabel: categoryLabel(c.door, c.category, lines),
      content: c.content,
      state: c.state,
      stateLabel: STATE_LABEL[c.state],
      unitName: unitName(c, lines),
      unitKind: c.unit_kind,
      unitCode: c.unit_code,
      unitLine: c.unit_line,
      place: c.post_name ? `${c.area_name ?? ''} ${c.post_name}`.trim() : c.area_name,
      // An appeal about a business since 注销/吊销 stays open (somebody raised it and is owed an answer); its handler sees the status.
      entityName: c.entity_name === null ? null : entityNameWithStatus(c.entity_name, c.entity_status!),
      hasContact: !!c.contact_enc,
      createdAt: new Date(c.created_at).toISOString(),
      dueAt: due?.toISOString() ?? null,
      overdue: !!due && OPEN_STATES.includes(c.state) && due < now,
      escalationLevel: c.escalation_level,
      escalated: c.escalation_level > 0,
      reply: c.public_reply,
      satisfaction: c.satisfaction,
      reopenCount: c.reopen_count,
    };
  };

// ── Figures ─────────────────────────────────────────────────────────────────────────────
/** The open states as an SQL list, for `state IN (…)` in hand-written queries (literals: the partial indexes' predicate must match). */
export const openStateList = sql.join(OPEN_STATES.map((s) => sql.lit(s)));

/**
 * The open cases past due at `now`, as rows (scope_key, n) to sum: whole days from the kept due
 * tally (migration 0021), today's from the cases themselves (an index range of one day). One
 * definition for the figures and the dashboard.
 */
export function overdueRows(now: RawBuilder<unknown> = sql`now()`) {
  const today = sql`(${now} AT TIME ZONE 'UTC')::date`;
  return sql`(SELECT d.scope_key, d.n FROM appeal_due_tally d WHERE d.due_on < ${today}
    UNION ALL SELECT c.scope_key, 1 FROM appeal_case c WHERE c.state IN (${openStateList}) AND c.due_at >= ${today}::timestamp AT TIME ZONE 'UTC' AND c.due_at < ${now})`;
}
const STEP_COLS = Object.keys(TIMED_STEPS) as TimedStep[];

/** A unit account's own cases in the shape of appeal_tally (0021's trigger writes the same columns). */
const ownCaseTally = sql`(SELECT scope_key, door, category, state, escalation_level > 0 AS escalated, 1 AS n,
  (satisfaction IS NOT NULL)::int AS rated, coalesce(satisfaction, 0) AS stars FROM appeal_case)`;
/** …in the shape of appeal_step_tally. */
const ownStepTally = sql`(SELECT c.scope_key, v.step, xgz_step_bucket(v.ms) AS bucket, 1 AS n FROM appeal_case c
  CROSS JOIN LATERAL (VALUES ('route', c.route_ms), ('accept', c.accept_ms), ('resolve', c.resolve_ms), ('feedback', c.feedback_ms)) v(step, ms)
  WHERE v.ms IS NOT NULL)`;
/** …its open cases past due, as rows (scope_key, n) like overdueRows. */
const ownOverdue = (now: RawBuilder<unknown>) =>
  sql`(SELECT c.scope_key, 1 AS n FROM appeal_case c WHERE c.state IN (${openStateList}) AND c.due_at < ${now})`;

/**
 * The case figures of a node's subtree: counts by door, category and state; median and 90th
 * percentile of each step's time (hours); overdue; satisfaction; visits and entities visited —
 * for the node and for each child. Counts and step times come from the trigger-kept tallies
 * (migration 0021), overdue (which moves with the clock) from the open cases' index. Scope keys
 * are code prefixes and a node's children share one key length, so grouping by the key's first
 * L characters gives every child (and the rows at the node itself, whose keys are shorter).
 *
 * A unit account (a platform's contact point, a rider industry committee) reads none of the
 * tallies (migrations 0069, 0088: they hold the county's cases), so its figures are counted from
 * the cases it can read, its own, the same way; visits are not its to read and come back null,
 * not 0 (round 7: its 数字 tab showed 0 cases beside the cases in its list).
 */
export async function caseFigures(db: Tx, node: Node, now = new Date(), unit = false) {
  const kids = await db
    .selectFrom('jurisdiction')
    .select(['code', 'name', 'level', 'scope_key'])
    .where('parent_code', '=', node.code)
    .orderBy('code')
    .execute();
  const len = Math.max(node.scope_key.length, ...kids.map((k) => k.scope_key.length));
  const under = (col: string) =>
    sql`${sql.ref(col)} >= ${node.scope_key} AND ${sql.ref(col)} < ${`${node.scope_key}~`}`;
  const groups = (
    await sql<{
      k: string;
      door: CaseDoor;
      category: string;
      state: CaseState;
      n: number;
      escalated: number;
      rated: number;
      stars: number;
    }>`
    SELECT left(t.scope_key, ${len}) AS k, t.door, t.category, t.state, sum(t.n)::int AS n, coalesce(sum(t.n) FILTER (WHERE t.escalated), 0)::int AS escalated,
      sum(t.rated)::int AS rated, sum(t.stars)::int AS stars
    FROM ${unit ? ownCaseTally : sql`appeal_tally`} t WHERE ${under('t.scope_key')} GROUP BY 1, 2, 3, 4 HAVING sum(t.n) > 0`.execute(
      db,
    )
  ).rows;
  const overdue = new Map(
    (
      await sql<{ k: string; n: number }>`
    SELECT left(o.scope_key, ${len}) AS k, sum(o.n)::int AS n FROM ${unit ? ownOverdue(sql`${now}::timestamptz`) : overdueRows(sql`${now}::timestamptz`)} o WHERE ${under('o.scope_key')} GROUP BY 1`.execute(
        db,
      )
    ).rows.map((r) => [r.k, r.n]),
  );
  const buckets = (
    await sql<{ step: TimedStep; bucket: number; n: number }>`
    SELECT t.step, t.bucket, sum(t.n)::int AS n FROM ${unit ? ownStepTally : sql`appeal_step_tally`} t WHERE ${under('t.scope_key')} GROUP BY 1, 2`.execute(
      db,
    )
  ).rows;
  const lines = await visitLines(db);
  const visits = unit
    ? []
    : (
        await sql<{ k: string | null; visits: number; entities: number }>`
    SELECT left(v.scope_key, ${len}) AS k, count(*)::int AS visits, count(DISTINCT v.entity_id)::int AS entities
    FROM visit_record v WHERE ${under('v.scope_key')} GROUP BY ROLLUP (1)`.execute(db)
      ).rows;
  const noVisits = { visits: unit ? null : 0, entities: unit ? null : 0 };

  /** Sums of the grouped rows that pass `keep`. */
  const sum = (keep: (g: (typeof groups)[number]) => boolean) => {
    const t = { total: 0, open: 0, escalated: 0, rated: 0, stars: 0, rider: 0, visit: 0, plaque: 0 };
    for (const g of groups.filter(keep)) {
      t.total += g.n;
      t.rated += g.rated;
      t.stars += g.stars;
      t[g.door] += g.n;
      if (OPEN_STATES.includes(g.state)) Object.assign(t, { open: t.open + g.n, escalated: t.escalated + g.escalated });
    }
    return t;
  };
  const tally = (key: (g: (typeof groups)[number]) => string) => {
    const out: Record<string, number> = {};
    for (const g of groups) out[key(g)] = (out[key(g)] ?? 0) + g.n;
    return out;
  };
  const avg = (t: { rated: number; stars: number }) => (t.rated ? Math.round((t.stars / t.rated) * 100) / 100 : null);
  // Hundredths of an hour (36 s): a step done in minutes is not rounded to 0 (the web words it, durationText).
  const hours = (v: number | null) => (v == null ? null : Math.round((v / 3_600_000) * 100) / 100);
  const all = sum(() => true);
  const visitTotal = visits.find((v) => v.k === null) ?? noVisits;
  return {
    node: { code: node.code, name: node.name, level: node.level },
    total: {
      total: all.total,
      open: all.open,
      overdue: [...overdue.values()].reduce((a, n) => a + n, 0),
      escalated: all.escalated,
      satisfaction: avg(all),
      rated: all.rated,
      visits: visitTotal.visits,
      entitiesVisited: visitTotal.entities,
    },
    byDoor: tally((g) => g.door),
    byCategory: tally((g) => `${g.door}:${g.category}`),
    categoryLabels: Object.fromEntries(
      groups.map((g) => [
        `${g.door}:${g.category}`,
        `${DOOR_LABEL[g.door]}·${categoryLabel(g.door, g.category, lines)}`,
      ]),
    ),
    byState: tally((g) => g.state),
    steps: STEP_COLS.map((s) => {
      const [p50, p90] = quantilesFromBuckets(
        buckets.filter((b) => b.step === s),
        [0.5, 0.9],
      );
      return { step: s, label: TIMED_STEPS[s], p50Hours: hours(p50), p90Hours: hours(p90) };
    }),
    children: kids.map((kid) => {
      const t = sum((g) => g.k === kid.scope_key);
      const v = visits.find((x) => x.k === kid.scope_key) ?? noVisits;
      return {
        code: kid.code,
        name: kid.name,
        level: kid.level,
        total: t.total,
        open: t.open,
        overdue: overdue.get(kid.scope_key) ?? 0,
        rider: t.rider,
        visit: t.visit,
        plaque: t.plaque,
        satisfaction: avg(t),
        visits: v.visits,
        entitiesVisited: v.entities,
      };
    }),
  };
}

// ── Named reads the routes call ────────────────────────────────────────────────────────────
/** One page of the work list: open cases by due date first (the work to do), then the rest newest first. */
export async function casePage(db: Tx, f: CaseFilters & { page: number; pageSize: number }, me: { scopeKey: string }) {
  const lines = await visitLines(db);
  return pageFrom(
    await filteredCases(db, f, me),
    f,
    (q) =>
      q
        .orderBy(sql`c.state IN (${openStateList})`, 'desc')
        .orderBy('c.due_at', 'asc')
        .orderBy('c.id', 'desc'),
    toCaseItem(lines),
  );
}

/** A case as the drawer shows it: the list row plus its comment, masked-content marker and step times, or undefined. */
export async function caseDetailRow(db: Tx, id: number, me: { scopeKey: string }) {
  const [row] = await (
    await filteredCases(db, {}, me)
  )
    .where('c.id', '=', id)
    .select(['c.feedback_comment', 'c.content_enc', 'c.route_ms', 'c.accept_ms', 'c.resolve_ms', 'c.feedback_ms'])
    .execute();
  return row;
}

/** A case's trail, oldest first. */
export const caseEvents = (db: Tx, caseId: number) =>
  db
    .selectFrom('appeal_event as ev')
    .leftJoin('app_user as u', 'u.id', 'ev.actor_id')
    .select(['ev.id', 'ev.at', 'ev.actor', 'ev.action', 'ev.from_state', 'ev.to_state', 'ev.note', 'u.display_name'])
    .where('ev.case_id', '=', caseId)
    .orderBy('ev.id')
    .execute();

/** A case's encrypted contact and original content, with the scope that may reveal them. */
export const caseSecrets = (db: Tx, id: number) =>
  db
    .selectFrom('appeal_case')
    .select(['id', 'scope_key', 'contact_enc', 'content_enc'])
    .where('id', '=', id)
    .executeTakeFirst();

/** Where a case lies (read before locking it: the raising unit sees a case it may not lock). */
export const caseScope = (db: Tx, id: number) =>
  db.selectFrom('appeal_case').select('scope_key').where('id', '=', id).executeTakeFirst();

/** A case about to move: locked, so two moves cannot cross. */
export const caseForUpdate = (db: Tx, id: number) =>
  db.selectFrom('appeal_case').selectAll().where('id', '=', id).forUpdate().executeTakeFirstOrThrow();

/** A jurisdiction node by code (a transfer's target or a service post's place), or undefined. */
export const nodeByCode = (db: Tx, code: string) =>
  db
    .selectFrom('jurisdiction')
    .select(['code', 'level', 'parent_code', 'scope_key'])
    .where('code', '=', code)
    .executeTakeFirst();

/** The code of the node just above the one holding a scope key (where a case may be handed up to). */
export const parentOfScope = async (db: Tx, scopeKey: string) =>
  (await db.selectFrom('jurisdiction').select('parent_code').where('scope_key', '=', scopeKey).executeTakeFirst())
    ?.parent_code ?? null;

/** One page of the service posts, by name. */
export async function servicePostPage(db: Tx, f: { under?: string; page: number; pageSize: number }) {
  let q = db
    .selectFrom('service_post as p')
    .innerJoin('jurisdiction as j', 'j.code', 'p.jurisdiction_code')
    .select([
      'p.id',
      'p.name',
      'p.address',
      'p.opening_hours',
      'p.offers',
      'p.phone',
      'p.longitude',
      'p.latitude',
      'p.active',
      'p.jurisdiction_code',
      'j.name as area_name',
    ]);
  if (f.under) q = q.where(await underNode(db, 'p.scope_key', f.under));
  return pageFrom(
    q,
    f,
    (q) => q.orderBy('p.name'),
    (p) => ({ ...servicePostItem(p), active: p.active, jurisdictionCode: p.jurisdiction_code }),
  );
}

export const servicePostById = (db: Tx, id: number) =>
  db.selectFrom('service_post').selectAll().where('id', '=', id).executeTakeFirst();

// ── Visits (大走访大调研) ──────────────────────────────────────────────────────────────────
/**
 * One page of visit plans, newest first, with their progress (planProgress): an entity 注销/吊销/迁出
 * before it was visited is listed as needing no visit, not counted as planned.
 */
export async function visitPlanPage(db: Tx, f: { under?: string; page: number; pageSize: number }) {
  let q = db
    .selectFrom('visit_plan as p')
    .innerJoin('jurisdiction as j', 'j.code', 'p.jurisdiction_code')
    .select([
      'p.id',
      'p.title',
      'p.visitor_name',
      'p.starts_on',
      'p.ends_on',
      'p.entity_ids',
      'p.cancelled_at',
      'p.cancel_reason',
      'j.name as jurisdiction_name',
    ]);
  if (f.under) q = q.where(await underNode(db, 'p.scope_key', f.under));
  const page = await pageFrom(
    q,
    f,
    (q) => q.orderBy('p.starts_on', 'desc').orderBy('p.id', 'desc'),
    (p) => p,
  );
  const progress = await plansProgress(
    db,
    page.items.map((p) => ({ id: Number(p.id), entityIds: p.entity_ids.map(Number) })),
  );
  return {
    ...page,
    items: page.items.map((p) => {
      const g = progress.get(Number(p.id))!;
      return {
        id: Number(p.id),
        title: p.title,
        visitorName: p.visitor_name,
        startsOn: String(p.starts_on),
        endsOn: String(p.ends_on),
        entities: g.planned,
        visited: g.visited,
        noVisit: g.noVisit,
        jurisdictionName: p.jurisdiction_name,
        cancelled: p.cancelled_at !== null,
        cancelReason: p.cancel_reason,
      };
    }),
  };
}

/**
 * The progress of some plans: their entities as they stand now and the ones visited under them (a
 * visit recorded under a plan counts for it, named in the plan or not). An entity the caller does
 * not see is counted as planned, as it was named.
 */
export async function plansProgress(
  db: Tx,
  plans: { id: number; entityIds: number[] }[],
): Promise<Map<number, ReturnType<typeof planProgress>>> {
  const planIds = plans.map((p) => p.id);
  const visits = planIds.length
    ? await db
        .selectFrom('visit_record')
        .select(['plan_id', 'entity_id'])
        .distinct()
        .where('plan_id', 'in', planIds)
        .execute()
    : [];
  const visited = new Set(visits.map((v) => `${v.plan_id}|${v.entity_id}`));
  const ids = [...new Set([...plans.flatMap((p) => p.entityIds), ...visits.map((v) => Number(v.entity_id))])];
  const rows = ids.length
    ? await db.selectFrom('entity').select(['id', 'name', 'status']).where('id', 'in', ids).execute()
    : [];
  const entity = new Map(rows.map((e) => [Number(e.id), e]));
  return new Map(
    plans.map((p) => {
      const named = [
        ...new Set([
          ...p.entityIds,
          ...visits.filter((v) => Number(v.plan_id) === p.id).map((v) => Number(v.entity_id)),
        ]),
      ];
      return [
        p.id,
        planProgress(
          named.map((id) => ({
            id,
            name: entity.get(id)?.name ?? '',
            status: entity.get(id)?.status ?? 'active',
            visited: visited.has(`${p.id}|${id}`),
          })),
        ),
      ];
    }),
  );
}

/** One page of visit records, newest first, with how many problems each raised. */
export async function visitPage(db: Tx, f: { under?: string; planId?: number; page: number; pageSize: number }) {
  let q = db
    .selectFrom('visit_record as v')
    .innerJoin('entity as e', 'e.id', 'v.entity_id')
    .select((eb) => [
      'v.id',
      'v.plan_id',
      'v.entity_id',
      'e.name as entity_name',
      'v.visited_on',
      'v.visitor_name',
      'v.learned',
      eb
        .selectFrom('appeal_case as c')
        .select((e) => e.fn.countAll<number>().as('n'))
        .whereRef('c.visit_id', '=', 'v.id')
        .as('problems'),
    ]);
  if (f.under) q = q.where(await underNode(db, 'v.scope_key', f.under));
  if (f.planId) q = q.where('v.plan_id', '=', f.planId);
  return pageFrom(
    q,
    f,
    (q) => q.orderBy('v.visited_on', 'desc').orderBy('v.id', 'desc'),
    (v) => ({
      id: Number(v.id),
      planId: v.plan_id == null ? null : Number(v.plan_id),
      entityId: Number(v.entity_id),
      entityName: v.entity_name,
      visitedOn: String(v.visited_on),
      visitorName: v.visitor_name,
      learned: v.learned,
      problems: Number(v.problems ?? 0),
    }),
  );
}

/** How many of these entities the caller's scope sees. */
export const visibleEntityCount = async (db: Tx, ids: number[]) =>
  (await db.selectFrom('entity').select('id').where('id', 'in', ids).execute()).length;
/** The entity a visit was made to: where it lies. */
export const visitedEntity = (db: Tx, id: number) =>
  db
    .selectFrom('entity')
    .select(['id', 'county_code', 'station_code', 'scope_key'])
    .where('id', '=', id)
    .executeTakeFirst();
export const visitPlanById = (db: Tx, id: number) =>
  db
    .selectFrom('visit_plan')
    .select(['id', 'jurisdiction_code', 'scope_key', 'cancelled_at'])
    .where('id', '=', id)
    .executeTakeFirst();

/** A visit with the cases it raised, or null. */
export async function visitDetail(db: Tx, id: number) {
  const v = await db
    .selectFrom('visit_record as v')
    .innerJoin('entity as e', 'e.id', 'v.entity_id')
    .select(['v.id', 'v.visited_on', 'v.visitor_name', 'v.learned', 'e.name as entity_name'])
    .where('v.id', '=', id)
    .executeTakeFirst();
  if (!v) return null;
  const cases = await db
    .selectFrom('appeal_case')
    .select(['id', 'category', 'state'])
    .where('visit_id', '=', v.id)
    .orderBy('id')
    .execute();
  return {
    id: Number(v.id),
    visitedOn: String(v.visited_on),
    visitorName: v.visitor_name,
    learned: v.learned,
    entityName: v.entity_name,
    cases: cases.map((c) => ({ id: Number(c.id), line: c.category, state: c.state })),
  };
}

// ── The public door ──────────────────────────────────────────────────────────────────────────
/** Active service posts in an area (read outside any scope: posts are public places). */
export async function publicServicePostList(db: Kysely<DB>, area?: string) {
  let q = db
    .selectFrom('service_post as p')
    .innerJoin('jurisdiction as j', 'j.code', 'p.jurisdiction_code')
    .select([
      'p.id',
      'p.name',
      'p.address',
      'p.opening_hours',
      'p.offers',
      'p.phone',
      'p.longitude',
      'p.latitude',
      'j.name as area_name',
    ])
    .where('p.active', '=', true);
  if (area) q = q.where(sql<boolean>`starts_with(p.jurisdiction_code, ${area})`);
  return (await q.orderBy('p.county_code').orderBy('p.name').limit(200).execute()).map(servicePostItem);
}

/** The place a rider chose (a county or station, or a service post's), with its parent's scope key: one read, and the unit found without another. */
export async function riderPlace(db: Kysely<DB>, areaCode?: string, postId?: number) {
  let q = db
    .selectFrom('jurisdiction as j')
    .leftJoin('jurisdiction as up', 'up.code', 'j.parent_code')
    .select(['j.code', 'j.level', 'j.parent_code', 'j.scope_key', 'up.scope_key as parent_key']);
  q = postId
    ? q
        .innerJoin('service_post as p', 'p.jurisdiction_code', 'j.code')
        .where('p.id', '=', postId)
        .where('p.active', '=', true)
    : q.where('j.code', '=', areaCode!);
  const j = await q.executeTakeFirst();
  if (!j && postId) throw badRequest('所选驿站不存在或已停用', [{ field: 'servicePostId', message: '驿站不存在' }]);
  if (!j || (j.level !== 'county' && j.level !== 'station'))
    throw badRequest('请选择所在县（区）或基层所', [{ field: 'areaCode', message: '区域不存在' }]);
  const place = { code: j.code, level: j.level, parentCode: j.parent_code };
  const county = j.level === 'station' ? j.parent_code! : j.code;
  const keyOf = (code: string) => (code === j.code ? j.scope_key : code === j.parent_code ? j.parent_key : null);
  return {
    place,
    key: j.scope_key,
    county: { code: county, scopeKey: j.level === 'station' ? j.parent_key! : j.scope_key },
    unitOf: async (u: Unit): Promise<PlacedUnit> =>
      keyOf(u.code)
        ? { ...u, scopeKey: keyOf(u.code)!, countyCode: county }
        : { ...(await placeUnit(db, u)), countyCode: county },
  };
}

/** The case a tracking code's hash opens (id and scope), through the one SECURITY DEFINER function, or undefined. */
export const caseByTrackingHash = async (db: Tx, hash: string) =>
  (await sql<{ id: number; scope_key: string }>`SELECT * FROM xgz_appeal_locate(${hash})`.execute(db)).rows[0];

const PUBLIC_STEP: Record<string, string> = {
  intake: '提交诉求',
  route: `已${TIMED_STEPS.route}至承办单位`,
  accept: '承办单位已签收',
  resolve: '已办结并答复',
  feedback: '已评价',
  reopen: '要求重新办理',
  close: '已关闭',
};

/** A case as its tracking code shows it to the public: state, unit, reply, and whether it may still be rated or reopened (within reopenDays of its resolution). */
export async function trackedCase(db: Tx, id: number, reopenDays: number) {
  const c = await db
    .selectFrom('appeal_case as c')
    .innerJoin('jurisdiction as j', 'j.code', 'c.unit_code')
    .leftJoin('platform as up', 'up.id', 'c.unit_platform_id')
    .leftJoin('party_org as uo', 'uo.id', 'c.unit_org_id')
    .select([
      'c.state',
      'c.category',
      'c.created_at',
      'c.public_reply',
      'c.resolved_at',
      'c.satisfaction',
      'c.unit_kind',
      'j.name as unit_name',
      'up.name as unit_platform',
      'uo.name as unit_org',
    ])
    .where('c.id', '=', id)
    .executeTakeFirstOrThrow();
  // Only the moves the public may know of: no notes, no staff, no internal transfers' details.
  const events = await db
    .selectFrom('appeal_event')
    .select(['action', 'at'])
    .where('case_id', '=', id)
    .where('action', 'in', ['intake', 'route', 'accept', 'resolve', 'feedback', 'reopen', 'close'])
    .orderBy('id')
    .execute();
  const resolvedAt = c.resolved_at ? new Date(c.resolved_at) : null;
  const until = resolvedAt ? new Date(resolvedAt.getTime() + reopenDays * 86_400_000) : null;
  return {
    state: c.state,
    stateLabel: STATE_LABEL[c.state],
    categoryLabel: RIDER_CATEGORY_LABEL[c.category as RiderCategory] ?? c.category,
    submittedAt: new Date(c.created_at).toISOString(),
    unitName: unitName({ ...c, unit_line: null }, new Map()),
    steps: events.map((e) => ({
      action: e.action,
      label: PUBLIC_STEP[e.action] ?? e.action,
      at: new Date(e.at).toISOString(),
    })),
    reply: c.public_reply,
    resolvedAt: resolvedAt?.toISOString() ?? null,
    satisfaction: c.satisfaction,
    satisfactionLabel: c.satisfaction ? SATISFACTION_LABEL[c.satisfaction as 1] : null,
    canFeedback: c.state === 'resolved',
    canReopen: !!until && (c.state === 'resolved' || c.state === 'closed') && Date.now() <= until.getTime(),
    reopenUntil: until?.toISOString() ?? null,
  };
}

/** Active platforms a rider in this county may name: registered above or in it, or with an open station there. */
export async function platformsServing(db: Kysely<DB>, county: string) {
  const { rows } = await sql<{ id: number; name: string; business: PlatformBusiness }>`
    SELECT p.id, p.name, p.business FROM platform p
    WHERE p.status = 'active' AND (starts_with(${county}, p.scope_key)
      OR EXISTS (SELECT 1 FROM delivery_station s WHERE s.platform_id = p.id AND s.county_code = ${county} AND s.status = 'open'))
    ORDER BY p.name LIMIT 100`.execute(db);
  return rows;
}
