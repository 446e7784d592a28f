import type { Transaction } from 'kysely';
import type { DB } from '../db/schema.js';
import type { Keys } from '../crypto/keys.js';
import { insertUnidentified } from '../features/persons/index.js';
import { orgPlace } from '../features/orgs/index.js';

/** The demo's instructor login (its password printed at first start like the others'). */
export const DEMO_INSTRUCTOR = { username: 'instructor', name: '周志明', phone: '13912340618' };

/** The demo instructor's record at a station, made with the demo's accounts so its login is bound from the start. */
export async function insertDemoInstructor(db: Transaction<DB>, keys: Keys, station: string): Promise<number> {
  const [personId] = await insertUnidentified(db, keys, [{ name: DEMO_INSTRUCTOR.name, phone: DEMO_INSTRUCTOR.phone }]);
  const { id } = await db
    .insertInto('instructor')
    .values({
      person_id: personId,
      source: 'station',
      workplace: '基层所党建工作指导员',
      ...(await orgPlace(db, station)),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}
