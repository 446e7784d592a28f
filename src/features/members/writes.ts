import { sql } from 'kysely';
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
  const row = await sql<{
    id: number;
  }>`INSERT INTO member AS m (person_id, membership, org_relation, sources, confidence, scope_key)
    VALUES (${role.person_id}, ${b.membership ?? null}, ${b.orgRelation ?? null}, ARRAY['staff'], 'declared', ${role.scope_key})
    ON CONFLICT (person_id) DO UPDATE SET sources = (SELECT array_agg(DISTINCT s) FROM unnest(m.sources || ARRAY['staff']) s),
      membership = coalesce(m.membership, EXCLUDED.membership), org_relation = coalesce(m.org_relation, EXCLUDED.org_relation), updated_at = now()
    RETURNING m.id`.execute(db);
  const memberId = row.rows[0].id;
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
