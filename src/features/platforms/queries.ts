import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import { forbidden, notFound } from '../../http/errors.js';

type Tx = Transaction<DB>;

// The same date, area filter and today as the other ledgers.
export { date, today, underQuery } from '../recognition/shared.js';

/** A market entity the caller reads (RLS), to link a platform, partner firm or station to. */
export async function linkedEntity(db: Tx, id: number | null | undefined) {
  if (!id) return null;
  const e = await db.selectFrom('entity').select(['id', 'name']).where('id', '=', id).executeTakeFirst();
  if (!e) throw notFound('市场主体');
  return e;
}

export async function loadPlatform(db: Tx, id: number) {
  const p = await db.selectFrom('platform').selectAll().where('id', '=', id).executeTakeFirst();
  if (!p) throw notFound('平台企业');
  return p;
}

/** A platform is changed by the subtree of the bureau that registered it; below, it is read to record local presence. */
export function mustOwnPlatform(p: { scope_key: string }, scopeKey: string) {
  if (!p.scope_key.startsWith(scopeKey)) throw forbidden('该平台企业由上级登记，只能由登记单位修改；本级可登记其合作商和配送站点');
}

export async function loadStation(db: Tx, id: number) {
  const s = await db.selectFrom('delivery_station').selectAll().where('id', '=', id).executeTakeFirst();
  if (!s) throw notFound('配送站点');
  return s;
}

/** The latest rider count of a station (LATERAL: riders, as_of). */
export const latestCount = (stationId: RawBuilder<unknown>) =>
  sql`LATERAL (SELECT c.riders, c.as_of::text AS as_of FROM rider_count c WHERE c.delivery_station_id = ${stationId} ORDER BY c.as_of DESC LIMIT 1)`;

/**
 * Riders at each date under a scope key: each station's latest count on or before the date,
 * stations closed by then not counted (src/domain/platforms/riders.ts, held equal by the tests).
 */
export async function riderSeriesSql(db: Tx, scopeKey: string, dates: string[]) {
  const { rows } = await sql<{ date: string; riders: number }>`
    SELECT d.day::text AS date, coalesce(sum(x.riders), 0)::int AS riders
    FROM unnest(${dates}::date[]) AS d(day)
    LEFT JOIN LATERAL (
      SELECT (SELECT c.riders FROM rider_count c WHERE c.delivery_station_id = s.id AND c.as_of <= d.day ORDER BY c.as_of DESC LIMIT 1) AS riders
      FROM delivery_station s WHERE starts_with(s.scope_key, ${scopeKey}) AND (s.closed_on IS NULL OR s.closed_on > d.day)
    ) x ON true
    GROUP BY d.day ORDER BY d.day`.execute(db);
  return rows;
}

/** Coverage flags of one platform or station, from the view (its definition is the domain's). */
export async function unitFlags(db: Tx, type: 'platform' | 'delivery_station', id: number) {
  const f = await db.selectFrom('new_employment_coverage_facts').select(['operating', 'any_org', 'work']).where('unit_type', '=', type).where('unit_id', '=', id).executeTakeFirst();
  return { anyOrg: !!f?.any_org, work: !!f?.work };
}

/** Which organizations serve a platform or station, and which instructors are assigned to it now. */
export async function unitWork(db: Tx, column: 'platform_id' | 'delivery_station_id', id: number) {
  const orgs = await db.selectFrom('party_org_unit as u').innerJoin('party_org as o', 'o.id', 'u.org_id')
    .select(['u.id as link_id', 'o.id', 'o.name', 'o.kind', 'o.setup_mode', 'o.status']).where(`u.${column}`, '=', id).orderBy('o.name').execute();
  const instructors = await db.selectFrom('instructor_assignment as a').innerJoin('instructor as i', 'i.id', 'a.instructor_id').innerJoin('person as p', 'p.id', 'i.person_id')
    .select(['a.id', 'a.instructor_id', 'p.name', 'a.start_on']).where(`a.${column}`, '=', id).where('a.end_on', 'is', null).orderBy('a.start_on').execute();
  return {
    orgs: orgs.map((o) => ({ linkId: o.link_id, id: o.id, name: o.name, kind: o.kind, setupMode: o.setup_mode, status: o.status })),
    instructors: instructors.map((a) => ({ assignmentId: a.id, instructorId: a.instructor_id, name: a.name, startOn: a.start_on })),
  };
}

/** Changes recorded on these rows (ledger_history), newest first. */
export async function historyOf(db: Tx, parts: { type: string; id: number }[], related: { type: string; key: string; id: number }[] = []) {
  const own = parts.map((p) => sql<boolean>`(h.object_type = ${p.type} AND h.object_id = ${p.id})`);
  const rel = related.map((r) => sql<boolean>`(h.object_type = ${r.type} AND coalesce(h.after->>${r.key}, h.before->>${r.key}) = ${String(r.id)})`);
  const rows = await db.selectFrom('ledger_history as h').leftJoin('app_user as u', 'u.id', 'h.actor_id')
    .select(['h.at', 'h.object_type', 'h.op', 'u.display_name as actor'])
    .where(sql<boolean>`(${sql.join([...own, ...rel], sql` OR `)})`)
    .orderBy('h.at', 'desc').limit(100).execute();
  return rows.map((h) => ({ at: h.at, objectType: h.object_type, op: h.op, actor: h.actor ?? '系统' }));
}
