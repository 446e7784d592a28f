import { sql } from 'kysely';
import { localDate } from '../../../domain/time/zone.js';
import type { Measure } from '../measure.js';

/** Instructors in post and assignments in force; the operating entities they reach come with the coverage tallies (sources/coverage.ts). */
export const instructorMeasures: Measure[] = [
  {
    keys: ['instructorsActive'],
    from: sql`instructor i`,
    scope: 'i.scope_key',
    where: () => sql`i.status = 'active'`,
    select: () => sql`count(*)::int AS "instructorsActive"`,
  },
  // From their tally (migration 0050). An instructor's account sees only its own assignments,
  // not the tally: for it alone the rows are counted (the second branch is planned away for others).
  {
    keys: ['assignmentsInForce'],
    from: sql`(SELECT t.scope_key, t.n FROM instructor_assignment_tally t WHERE t.state = 'in_force'
               UNION ALL SELECT r.scope_key, 1 FROM instructor_assignment r WHERE starts_with(xgz_bound(), 'instructor:') AND r.end_on IS NULL) a`,
    scope: 'a.scope_key',
    select: () => sql`coalesce(sum(a.n), 0)::int AS "assignmentsInForce"`,
  },
  {
    keys: ['guidanceThisYear'],
    from: sql`guidance_record g`,
    scope: 'g.scope_key',
    where: () => sql`g.on_date >= ${`${localDate().slice(0, 4)}-01-01`}::date`,
    select: () => sql`count(*)::int AS "guidanceThisYear"`,
  },
];
