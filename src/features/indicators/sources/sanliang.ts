import { sql } from 'kysely';
import type { Measure } from '../measure.js';

/** 三亮: members with an active record, and valid plaques (counted where their record is). */
export const sanliangMeasures: Measure[] = [{
  keys: ['sanliangParticipants', 'validPlaques'],
  from: sql`sanliang s LEFT JOIN sanliang_plaque pl ON pl.record_id = s.id AND pl.state = 'valid'`,
  scope: 's.scope_key',
  select: () => sql`count(DISTINCT s.member_id) FILTER (WHERE s.status = 'active')::int AS "sanliangParticipants", count(pl.id)::int AS "validPlaques"`,
}];
