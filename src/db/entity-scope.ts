import { sql, type Transaction } from 'kysely';
import type { DB } from './schema.js';

/**
 * Tables whose rows belong to one entity and carry its scope: they move with it to another station.
 * member_link: the members found in it (by any method: a run's name match and a staff link as well
 * as an ID number) count where it is; work_task: the 组建 work (选派指导员, 组织找党员) is its
 * station's to do; recognition_point: a 联系点/示范点 named on the entity is kept in contact with and
 * reviewed each year by the station that holds it, and counted there (as its honours are), also
 * after a move to another county, which takes the designation along as it takes the honours.
 */
const ENTITY_SCOPED = [
  'entity_person',
  'member_link',
  'work_task',
  'entity_zone',
  'annual_report',
  'credit_listing',
  'exit_review',
  'exit_effect',
  'sanliang',
  'honour',
  'entity_violation',
  'recognition_point',
] as const;

/**
 * Moves the rows that follow entities to their new scope (the entities themselves are updated by the
 * caller); returns the entities' own organizations that went along (moveOwnOrgs), for the audit.
 */
export async function moveEntityRows(db: Transaction<DB>, entityIds: number[], scopeKey: string): Promise<number[]> {
  if (!entityIds.length) return [];
  for (const t of ENTITY_SCOPED)
    await db.updateTable(t).set({ scope_key: scopeKey }).where('entity_id', 'in', entityIds).execute();
  // A 三亮 record's plaques and the public's reports on them go where the record went.
  const records = db.selectFrom('sanliang').select('id').where('entity_id', 'in', entityIds);
  for (const t of ['sanliang_plaque', 'plaque_feedback'] as const)
    await db.updateTable(t).set({ scope_key: scopeKey }).where('record_id', 'in', records).execute();
  // A point's yearly reviews go with it: left behind, the new station is asked for a year already reviewed.
  const points = db.selectFrom('recognition_point').select('id').where('entity_id', 'in', entityIds);
  await db.updateTable('point_review').set({ scope_key: scopeKey }).where('point_id', 'in', points).execute();
  await moveWithinReach(db, 'entity_id', entityIds, scopeKey);
  return moveOwnOrgs(db, entityIds);
}

/**
 * An organization formed by the entity alone (单独建, covering it and no other) is the entity's own:
 * held by a station, it goes to the entity's new place within the county, with its covered entity,
 * members, officers (and their training), 联系点 (and reviews), mobile-member cards, and the
 * instructors' assignments to it within their reach, so the station that now guides the entity holds
 * its organization and counts it. One the county holds stays with the county, a joint one stays
 * with the station of its other units. A move to another county leaves it where it is: it belongs to
 * its county's 小个专党委, and moving it across counties (隶属关系调整) is the party committees'
 * decision, not a registry fact. A 撤销 one is history. The change feed and the ledger history
 * follow through party_org's own triggers. Returns the organizations moved.
 */
async function moveOwnOrgs(db: Transaction<DB>, entityIds: number[]): Promise<number[]> {
  const moved = (
    await sql<{
      id: number;
      scope_key: string;
    }>`UPDATE party_org o SET scope_key = e.scope_key, station_code = e.station_code, updated_at = now()
      FROM party_org_entity pe JOIN entity e ON e.id = pe.entity_id
      WHERE pe.org_id = o.id AND e.id = ANY(${entityIds}::bigint[]) AND o.setup_mode = 'standalone' AND o.status <> 'dissolved'
        AND o.station_code IS NOT NULL AND o.county_code = e.county_code AND o.scope_key <> e.scope_key
        AND NOT EXISTS (SELECT 1 FROM party_org_entity x WHERE x.org_id = o.id AND x.entity_id <> e.id)
      RETURNING o.id, o.scope_key`.execute(db)
  ).rows;
  for (const { id, scope_key } of moved) {
    for (const t of ORG_SCOPED) await db.updateTable(t).set({ scope_key }).where('org_id', '=', id).execute();
    const officers = db.selectFrom('party_org_officer').select('id').where('org_id', '=', id);
    await db.updateTable('training_trainee').set({ scope_key }).where('officer_id', 'in', officers).execute();
    const points = db.selectFrom('recognition_point').select('id').where('org_id', '=', id);
    await db.updateTable('point_review').set({ scope_key }).where('point_id', 'in', points).execute();
    await moveWithinReach(db, 'org_id', [id], scope_key);
  }
  return moved.map((o) => o.id);
}

/** Tables whose rows belong to one organization: they go where it goes. */
const ORG_SCOPED = [
  'party_org_entity',
  'party_org_member',
  'party_org_officer',
  'recognition_point',
  'mobile_card',
] as const;

/**
 * Rows on an entity that are also another unit's work follow the entity as far as that unit reaches:
 * an entity in an assistance program (帮扶) is counted where it is, and an instructor's assignment to
 * it is its work coverage, seen by the station that holds it; a move inside the program's or the
 * instructor's jurisdiction (another station of the county) takes them along. A move beyond it (the
 * entity re-registered in another county) leaves them as the record of the help given and the
 * guidance assigned, with the bureau that runs the program or the instructor: the new county did
 * not take part in either, and ending them is for the bureau that holds them. Read as the mover: a
 * program or an instructor it cannot see is left as it is.
 *
 * What stays where it is, by decision: an organization's coverage of the entity (party_org_entity)
 * is the organization's, in its scope (the entity's own organization goes along, moveOwnOrgs), and the two coverages count the entity where it is from the
 * facts whoever holds the link (the 组建建议 read them too, orgs/queries.ts); a 组建建议's entities
 * (org_proposal_entity) are not moved: an open proposal drops a unit that left its area, as it drops
 * a 注销 one (migration 0249; its 组建 work, work_task, moves), a decided one is history; a visit
 * (visit_record) is the visiting station's work and counted for it. A member's self-report
 * (self_report) goes with its case, when not yet decided, in followEntityChange (discovery).
 */
async function moveWithinReach(
  db: Transaction<DB>,
  on: 'entity_id' | 'org_id',
  ids: number[],
  scopeKey: string,
): Promise<void> {
  for (const [t, owner, key] of WITHIN_REACH.filter(([t]) => on === 'entity_id' || t === 'instructor_assignment'))
    await sql`UPDATE ${sql.table(t)} r SET scope_key = ${scopeKey} FROM ${sql.table(owner)} o
      WHERE o.id = ${sql.ref(`r.${key}`)} AND ${sql.ref(`r.${on}`)} = ANY(${ids}::bigint[]) AND starts_with(${scopeKey}, o.scope_key)`.execute(
      db,
    );
}

/** The rows moveWithinReach moves: table, the unit whose work they are, the key to it (an organization's: the assignments to it). */
const WITHIN_REACH = [
  ['assistance_entity', 'assistance_program', 'program_id'],
  ['instructor_assignment', 'instructor', 'instructor_id'],
] as const;

/**
 * An entity awaiting a station (待分配基层所): operating, held at its county with no station. The
 * county's list to assign from and its 待办 count the same ones (a 注销 entity needs no station).
 */
export const awaitingStation = (alias: string) =>
  sql<boolean>`(${sql.ref(`${alias}.station_code`)} IS NULL AND ${sql.ref(`${alias}.status`)} = 'active')`;
