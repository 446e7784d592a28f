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
  {
    keys: ['assignmentsInForce'],
    from: sql`instructor_assignment a`,
    scope: 'a.scope_key',
    where: () => sql`a.end_on IS NULL`,
    select: () => sql`count(*)::int AS "assignmentsInForce"`,
  },
  {
    keys: ['guidanceThisYear'],
    from: sql`guidance_record g`,
    scope: 'g.scope_key',
    where: () => sql`g.on_date >= ${`${localDate().slice(0, 4)}-01-01`}::date`,
    select: () => sql`count(*)::int AS "guidanceThisYear"`,
  },
];
