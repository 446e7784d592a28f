import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import { Problem, notFound } from '../../http/errors.js';
import { checkOrg, type OrgKind, type RuleFinding, type SetupMode } from '../../domain/orgs/rules.js';
import type { RuleSettings } from '../../domain/settings/settings.js';
import { today } from '../../domain/time/zone.js';

type Tx = Transaction<DB>;

/** The node an organization hangs on: a station, or a county (or a city without counties). */
export async function orgPlace(db: Tx, code: string) {
  const j = await db.selectFrom('jurisdiction').select(['code', 'parent_code', 'level', 'scope_key']).where('code', '=', code).executeTakeFirst();
  if (!j || !['station', 'county', 'city'].includes(j.level)) throw notFound('所属县（区）或基层所');
  return j.level === 'station' ? { county_code: j.parent_code!, station_code: j.code, scope_key: j.scope_key } : { county_code: j.code, station_code: null, scope_key: j.scope_key };
}

export async function loadOrg(db: Tx, id: number) {
  const org = await db.selectFrom('party_org').selectAll().where('id', '=', id).executeTakeFirst();
  if (!org) throw notFound('党组织');
  return org;
}

/**
 * An entity's members as the rules count them (a LATERAL subquery giving full_members and
 * members): found on the roster (full ones apart) or declared in its latest annual report,
 * whichever is more; a declared count is taken as full members until the roster says otherwise.
 * Proposals and organizations count with this one definition.
 */
export const entityMembers = (entityId: RawBuilder<unknown>) => sql`LATERAL (
  SELECT greatest(count(DISTINCT ml.member_id) FILTER (WHERE coalesce(m.membership, 'full') = 'full'), coalesce(d.n, 0))::int AS full_members,
         greatest(count(DISTINCT ml.member_id), coalesce(d.n, 0))::int AS members
  FROM (SELECT (SELECT a.party_members FROM annual_report a WHERE a.entity_id = ${entityId} ORDER BY a.year DESC LIMIT 1) AS n) d
  LEFT JOIN member_link ml ON ml.entity_id = ${entityId} LEFT JOIN member m ON m.id = ml.member_id
  GROUP BY d.n)`;

/**
 * Full members an organization counts for the rules: those whose org relation it holds; while
 * none are registered yet (an organization in preparation), those of its entities.
 */
export async function fullMembersOf(db: Tx, orgId: number): Promise<{ registered: number; found: number; count: number }> {
  const { rows } = await sql<{ registered: number; found: number }>`
    SELECT (SELECT count(*)::int FROM party_org_member om JOIN member m ON m.id = om.member_id WHERE om.org_id = ${orgId} AND m.membership = 'full') AS registered,
           (SELECT coalesce(sum(mc.full_members), 0)::int FROM party_org_entity pe CROSS JOIN ${entityMembers(sql.ref('pe.entity_id'))} mc WHERE pe.org_id = ${orgId}) AS found`.execute(db);
  const { registered, found } = rows[0];
  return { registered, found, count: registered > 0 ? registered : found };
}

/**
 * The rule findings on an organization as it stands in the ledger. The caller passes the row it
 * already holds (after its own change), and the member count when it has computed it.
 */
export async function findingsOf(db: Tx, org: { id: number; kind: string; setup_mode: string }, rules: RuleSettings, fullMembers?: number): Promise<RuleFinding[]> {
  const units = await db.selectFrom('party_org_entity').select(sql<number>`count(*)::int`.as('n')).where('org_id', '=', org.id).executeTakeFirstOrThrow();
  const officers = await db.selectFrom('party_org_officer as o')
    .leftJoin('member as m', 'm.person_id', 'o.person_id')
    .select(['o.role', sql<string | null>`CASE WHEN m.membership = 'full' THEN (m.join_date + interval '1 year')::date::text END`.as('full_since')])
    .where('o.org_id', '=', org.id).where('o.term_end', '>=', sql<string>`current_date`).execute();
  return checkOrg({
    kind: org.kind as OrgKind, setupMode: org.setup_mode as SetupMode, units: units.n, fullMembers: fullMembers ?? (await fullMembersOf(db, org.id)).count,
    officers: officers.map((o) => ({ role: o.role, fullSince: o.full_since })),
  }, rules, today());
}

/** Refuses a change the rules refuse; warnings pass and are shown on the organization's page. */
export function refuseOn(findings: RuleFinding[]): void {
  const refusals = findings.filter((f) => f.severity === 'refuse');
  if (refusals.length) throw new Problem(422, '不符合党组织设置规定', refusals.map((f) => f.message).join('；'), refusals.map((f) => ({ field: f.rule, message: f.message })));
}
