import { sql } from 'kysely';
import type { Measure } from '../measure.js';

/** Instructors in post, assignments in force, and the operating entities those assignments reach (view instructor_reach, migration 0011). */
export const instructorMeasures: Measure[] = [
  { keys: ['instructorsActive'], from: sql`instructor i`, scope: 'i.scope_key', where: () => sql`i.status = 'active'`, select: () => sql`count(*)::int AS "instructorsActive"` },
  { keys: ['assignmentsInForce'], from: sql`instructor_assignment a`, scope: 'a.scope_key', where: () => sql`a.end_on IS NULL`, select: () => sql`count(*)::int AS "assignmentsInForce"` },
  // Counted where the entity is (an instructor of the county may reach an entity of a station).
  // The entity is looked up per reached row (OFFSET 0 keeps the planner from turning the lookup
  // into a join that reads every entity of the subtree): the cost follows the assignments, not the ledger.
  {
    keys: ['entitiesReached'],
    from: sql`instructor_reach r CROSS JOIN LATERAL (SELECT x.scope_key FROM entity x WHERE x.id = r.entity_id AND x.status = 'active' OFFSET 0) e`,
    scope: 'e.scope_key',
    select: () => sql`count(DISTINCT r.entity_id)::int AS "entitiesReached"`,
  },
];
