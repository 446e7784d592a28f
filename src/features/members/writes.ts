import { sql, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { z } from 'zod';
import type { Scoped } from '../../db/scoped.js';
import { notFound } from '../../http/errors.js';
import type { markMember } from './contract.js';

/** The roster's writes from the web (the import pipeline writes through jobs/import/writers/roster.ts): each records its audit line. */

type StaffEntry = z.output<(typeof markMember)['body']>;

/** Staff mark a person of an entity as a party member (declared): the member is created or gains the source, and linked to the role. */
export async function markStaffMember(
  { db, audit }: Scoped,
  entityId: number,
  roleId: number,
  b: StaffEntry,
): Promise<{ memberId: number }> {
  const role = await db
    .selectFrom('entity_person')
    .select(['id', 'person_id', 'entity_id', 'scope_key'])
    .where('id', '=', roleId)
    .where('entity_id', '=', entityId)
    .executeTakeFirst();
  if (!role) throw notFound('人员');
  const memberId =
    (await memberOffLine(db, role.person_id)) ??
    (
      await sql<{
        id: number;
      }>`INSERT INTO member AS m (person_id, membership, org_relation, sources, confidence, scope_key)
    VALUES (${role.person_id}, ${b.membership ?? null}, ${b.orgRelation ?? null}, ARRAY['staff'], 'declared', ${role.scope_key})
    ON CONFLICT (person_id) DO UPDATE SET sources = xgz_sources_with(m.sources, ARRAY['staff']),
      membership = coalesce(m.membership, EXCLUDED.membership), org_relation = coalesce(m.org_relation, EXCLUDED.org_relation), updated_at = EXCLUDED.updated_at
    RETURNING m.id`.execute(db)
    ).rows[0].id;
  await db
    .insertInto('member_link')
    .values({
      member_id: memberId,
      entity_person_id: role.id,
      entity_id: role.entity_id,
      method: 'staff',
      score: 99,
      levels: JSON.stringify({ staff: 'entered' }),
      scope_key: role.scope_key,
    })
    .onConflict((oc) => oc.columns(['member_id', 'entity_person_id']).doNothing())
    .execute();
  audit({
    action: 'member.staff_entry',
    objectType: 'member',
    objectId: memberId,
    detail: { entityId: role.entity_id, roleId: role.id, note: b.note },
  });
  return { memberId };
}

/**
 * The member record of a person that a roster off the caller's line holds (another county's, seen
 * here through a link to an own entity): staff here link to it, and do not change it (round-5 probe).
 */
export async function memberOffLine(db: Transaction<DB>, personId: number): Promise<number | null> {
  const m = await db
    .selectFrom('member')
    .select('id')
    .where('person_id', '=', personId)
    .where(sql<boolean>`NOT xgz_on_line(scope_key)`)
    .executeTakeFirst();
  return m ? Number(m.id) : null;
}
