import { sql, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import { Problem, notFound } from '../../http/errors.js';
import { checkOrg, type OrgKind, type RuleFinding, type SetupMode } from '../../domain/orgs/rules.js';
import type { RuleSettings } from '../../domain/settings/settings.js';

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
 * Full members an organization counts for the rules: those whose org relation it holds; while
 * none are registered yet (an organization in preparation), the members found in its entities.
 */
export async function fullMembersOf(db: Tx, orgId: number): Promise<{ registered: number; found: number; count: number }> {
  const { rows } = await sql<{ registered: number; found: number }>`
    SELECT (SELECT count(*)::int FROM party_org_member om JOIN member m ON m.id = om.member_id WHERE om.org_id = ${orgId} AND m.membership = 'full') AS registered,
           (SELECT count(DISTINCT l.member_id)::int FROM party_org_entity pe JOIN member_link l ON l.entity_id = pe.entity_id
              JOIN member m ON m.id = l.member_id WHERE pe.org_id = ${orgId} AND coalesce(m.membership, 'full') = 'full') AS found`.execute(db);
  const { registered, found } = rows[0];
  return { registered, found, count: registered > 0 ? registered : found };
}

/** The rule findings on an organization as it stands in the ledger. */
export async function findingsOf(db: Tx, orgId: number, rules: RuleSettings): Promise<RuleFinding[]> {
  const org = await loadOrg(db, orgId);
  const units = await db.selectFrom('party_org_entity').select(sql<number>`count(*)::int`.as('n')).where('org_id', '=', orgId).executeTakeFirstOrThrow();
  const officers = await db.selectFrom('party_org_officer as o')
    .leftJoin('member as m', 'm.person_id', 'o.person_id')
    .select(['o.role', sql<string | null>`CASE WHEN m.membership = 'full' THEN (m.join_date + interval '1 year')::date::text END`.as('full_since')])
    .where('o.org_id', '=', orgId).where('o.term_end', '>=', sql<string>`current_date`).execute();
  return checkOrg({
    kind: org.kind as OrgKind, setupMode: org.setup_mode as SetupMode, units: units.n, fullMembers: (await fullMembersOf(db, orgId)).count,
    officers: officers.map((o) => ({ role: o.role, fullSince: o.full_since })),
  }, rules, new Date().toISOString().slice(0, 10));
}

/** Refuses a change the rules refuse; warnings pass and are shown on the organization's page. */
export function refuseOn(findings: RuleFinding[]): void {
  const refusals = findings.filter((f) => f.severity === 'refuse');
  if (refusals.length) throw new Problem(422, '不符合党组织设置规定', refusals.map((f) => f.message).join('；'), refusals.map((f) => ({ field: f.rule, message: f.message })));
}
