import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import { notFound } from '../../http/errors.js';
import { offsetOf, underNode } from '../../http/paging.js';
import type { CaseKind, CaseState } from '../../domain/cases/workflow.js';
import { memberBirthShown, readablePhone } from '../persons/index.js';
import { exportReadRows } from '../../http/export-route.js';

type Tx = Transaction<DB>;

/** A discovery run of the caller's scope. */
export const runById = (db: Tx, id: number) =>
  db.selectFrom('discovery_run').selectAll().where('id', '=', id).executeTakeFirst();

/** A run of the caller's scope still going within the last hour (an older one is taken as dead). */
export const runningRun = (db: Tx) =>
  db
    .selectFrom('discovery_run')
    .select('id')
    .where('status', '=', 'running')
    .where('started_at', '>', new Date(Date.now() - 3_600_000))
    .executeTakeFirst();

export async function loadCase(db: Tx, id: number) {
  const c = await db.selectFrom('discovery_case').selectAll().where('id', '=', id).executeTakeFirst();
  if (!c) throw notFound('线索');
  return c;
}
export type CaseRow = Awaited<ReturnType<typeof loadCase>>;

type CaseFilters = { kind?: CaseKind; state?: CaseState[]; under?: string };

/**
 * The work list's cases under the filters: system-closed cases only when asked for by state.
 * Cases alone, and the names they show read by id after (`caseNames`): on Citus the cases are
 * distributed and entity, self_report and member are not, and a join of the two kinds crashed the
 * coordinator (bench/README.md, "The case group").
 */
async function filteredCases(db: Tx, f: CaseFilters) {
  let base = db.selectFrom('discovery_case as d');
  if (f.kind) base = base.where('d.kind', '=', f.kind);
  base = f.state?.length ? base.where('d.state', 'in', f.state) : base.where('d.state', '<>', 'resolved');
  if (f.under) base = base.where(await underNode(db, 'd.scope_key', f.under));
  return base;
}

/** The filtered cases in the list's order: open and contacted cases first, newest first. */
const caseColumns = (base: Awaited<ReturnType<typeof filteredCases>>) =>
  base
    .select(['d.id', 'd.kind', 'd.state', 'd.entity_id', 'd.self_report_id', 'd.member_id', 'd.updated_at'])
    .select(sql<string | null>`d.evidence->>'orgRelation'`.as('org_relation'))
    .orderBy(sql`CASE d.state WHEN 'open' THEN 0 WHEN 'contacted' THEN 1 ELSE 2 END`)
    .orderBy('d.id', 'desc');

type ListedCase = Awaited<ReturnType<ReturnType<typeof caseColumns>['execute']>>[number];

const idsOf = (values: (number | string | null)[]) => [...new Set(values.filter((v) => v !== null).map(Number))];

/** The list's rows of some cases: the names of their entities (and stations), self-reports and members, read by id. */
async function caseNames(db: Tx, cases: ListedCase[]) {
  const entityIds = idsOf(cases.map((c) => c.entity_id));
  const reportIds = idsOf(cases.map((c) => c.self_report_id));
  const memberIds = idsOf(cases.map((c) => c.member_id));
  // One after another: they share the transaction's connection.
  const entities = entityIds.length
    ? await db
        .selectFrom('entity as e')
        .leftJoin('jurisdiction as st', 'st.code', 'e.station_code')
        .select(['e.id', 'e.name', 'st.name as station_name'])
        .where('e.id', '=', sql<number>`ANY(${entityIds}::bigint[])`)
        .execute()
    : [];
  const reports = reportIds.length
    ? await db
        .selectFrom('self_report')
        .select(['id', 'entity_text', 'name'])
        .where('id', '=', sql<number>`ANY(${reportIds}::bigint[])`)
        .execute()
    : [];
  const members = memberIds.length
    ? await db
        .selectFrom('member as m')
        .innerJoin('person as p', 'p.id', 'm.person_id')
        .select(['m.id', 'p.name'])
        .where('m.id', '=', sql<number>`ANY(${memberIds}::bigint[])`)
        .execute()
    : [];
  const entity = new Map(entities.map((e) => [Number(e.id), e]));
  const report = new Map(reports.map((r) => [Number(r.id), r]));
  const member = new Map(members.map((m) => [Number(m.id), m.name]));
  return cases.map((c) => {
    const e = c.entity_id === null ? undefined : entity.get(Number(c.entity_id));
    const sr = c.self_report_id === null ? undefined : report.get(Number(c.self_report_id));
    return {
      id: c.id,
      kind: c.kind,
      state: c.state,
      entity_id: c.entity_id,
      station_name: e?.station_name ?? null,
      updated_at: c.updated_at,
      // A resolved case stays with the station that worked it; its entity may since have moved out of sight.
      // A member missing from a full roster is about no entity: the organization the roster carried stands there.
      entity_name:
        c.kind === 'roster_absent'
          ? `党组织：${c.org_relation ?? '—'}`
          : (e?.name ?? sr?.entity_text ?? '（已移出本辖区的市场主体）'),
      member_name: (c.member_id === null ? undefined : member.get(Number(c.member_id))) ?? sr?.name ?? null,
    };
  });
}

/** One page of the work list. */
export async function casePage(db: Tx, f: CaseFilters & { page: number; pageSize: number }) {
  const base = await filteredCases(db, f);
  const [{ total }] = await base.select(sql<number>`count(*)::int`.as('total')).execute();
  const rows = await caseNames(db, await caseColumns(base).limit(f.pageSize).offset(offsetOf(f)).execute());
  return { rows, total };
}

/** The whole filtered work list, as the list shows it, for its Excel export (at most 100,000 rows). */
export async function caseExportRows(db: Tx, f: CaseFilters) {
  return caseNames(
    db,
    await caseColumns(await filteredCases(db, f))
      .limit(exportReadRows())
      .execute(),
  );
}

/** What a case's detail shows beside the case: its entity, self-report and member, and its trail (the system's "raised" line first). */
export async function caseParts(db: Tx, c: CaseRow) {
  const entity = c.entity_id
    ? ((await db
        .selectFrom('entity')
        .select(['id', 'name', 'uscc'])
        .where('id', '=', c.entity_id)
        .executeTakeFirst()) ?? null)
    : null;
  const report = c.self_report_id
    ? await db.selectFrom('self_report').selectAll().where('id', '=', c.self_report_id).executeTakeFirstOrThrow()
    : null;
  const member = c.member_id
    ? await db
        .selectFrom('member as m')
        .innerJoin('person as p', 'p.id', 'm.person_id')
        .select([
          'm.id',
          'p.name',
          memberBirthShown('m', 'p').as('birth_date'),
          'p.id_enc',
          readablePhone('p').as('phone_enc'),
          'm.org_relation',
          'm.member_status',
          'm.membership',
          'm.confidence',
          'm.sources',
        ])
        .where('m.id', '=', c.member_id)
        .executeTakeFirst()
    : null;
  const raisedBy = c.raised_by
    ? await db.selectFrom('app_user').select('display_name').where('id', '=', c.raised_by).executeTakeFirst()
    : null;
  const raised = {
    id: 0,
    at: c.created_at,
    action: 'raised',
    from_state: null,
    to_state: 'open',
    detail: null,
    display_name: raisedBy?.display_name ?? (c.kind === 'self_report' ? '党员本人（报到）' : null),
  };
  // The trail alone, then its actors' names by id: on Citus the trail is distributed and app_user
  // is not, and their LEFT JOIN crashed the coordinator (as the case list's did).
  const trail = await db
    .selectFrom('case_event')
    .select(['id', 'at', 'action', 'from_state', 'to_state', 'detail', 'actor_id'])
    .where('case_id', '=', c.id)
    .where('county_code', '=', c.county_code)
    .orderBy('id')
    .execute();
  const actorIds = idsOf(trail.map((ev) => ev.actor_id));
  const actors = new Map(
    (actorIds.length
      ? await db.selectFrom('app_user').select(['id', 'display_name']).where('id', 'in', actorIds).execute()
      : []
    ).map((u) => [Number(u.id), u.display_name]),
  );
  const moves = trail.map(({ actor_id, ...ev }) => ({
    ...ev,
    display_name: (actor_id === null ? undefined : actors.get(Number(actor_id))) ?? null,
  }));
  // A case raised by a change (not a run) has its own "raised" line, naming the change.
  const events = moves[0]?.action === 'raised' ? moves : [raised, ...moves];
  return { entity, report, member: member ?? null, events };
}

// ── The public self-report (read outside any scope) ─────────────────────────────────────────
/** The public cascader's next level: a node's children, stations left out. */
export const publicChildren = (db: Kysely<DB>, code: string) =>
  db
    .selectFrom('jurisdiction')
    .select(['code', 'name', 'level'])
    .where('parent_code', '=', code)
    .where('level', '<>', 'station')
    .orderBy('code')
    .execute();

export const nodeByCode = (db: Kysely<DB>, code: string) =>
  db.selectFrom('jurisdiction').select(['code', 'scope_key', 'level']).where('code', '=', code).executeTakeFirst();

/** The entity a self-report names: by its code, else by its exact name in that county. */
export const reportedEntity = (db: Kysely<DB>, b: { uscc?: string; entityName: string }, countyCode: string) =>
  db
    .selectFrom('entity')
    .select(['id', 'scope_key', 'county_code'])
    .where((eb) =>
      b.uscc ? eb('uscc', '=', b.uscc) : eb.and([eb('name', '=', b.entityName), eb('county_code', '=', countyCode)]),
    )
    .executeTakeFirst();
