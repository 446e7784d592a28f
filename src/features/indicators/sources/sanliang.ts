import { sql } from 'kysely';
import type { Measure } from '../measure.js';

/**
 * 三亮: members with an active record, and valid plaques, counted where the record is (a plaque
 * takes its record's scope key when issued; neither moves). Two queries: the distinct count reads
 * only the active records (a partial index, migration 0019), the plaques only the valid plaques.
 */
export const sanliangMeasures: Measure[] = [
  {
    keys: ['sanliangParticipants'],
    from: sql`sanliang s`,
    scope: 's.scope_key',
    where: () => sql`s.status = 'active'`,
    select: () => sql`count(DISTINCT s.member_id)::int AS "sanliangParticipants"`,
  },
  {
    keys: ['validPlaques'],
    from: sql`sanliang_plaque pl`,
    scope: 'pl.scope_key',
    where: () => sql`pl.state = 'valid'`,
    select: () => sql`count(*)::int AS "validPlaques"`,
  },
];
