import { sql } from 'kysely';
import type { Measure } from '../measure.js';

/**
 * 三亮: members with an active record, and valid plaques, counted where the record is (a plaque
 * takes its record's scope key when issued), both from trigger-kept tallies (migration 0045): the
 * members with an active record per scope key, made distinct by the few members with records
 * under several keys (sanliang_spread: −1 per key, +1 per member, within each group, as the
 * members found are), and the plaques per scope key and state.
 */
export const sanliangMeasures: Measure[] = [
  {
    keys: ['sanliangParticipants'],
    from: sql`(SELECT t.scope_key, t.participants AS n, NULL::bigint AS member_id FROM sanliang_tally t
               UNION ALL SELECT s.scope_key, -1, s.member_id FROM sanliang_spread s) sp`,
    scope: 'sp.scope_key',
    select: () => sql`(coalesce(sum(sp.n), 0) + count(DISTINCT sp.member_id))::int AS "sanliangParticipants"`,
  },
  {
    keys: ['validPlaques'],
    from: sql`sanliang_plaque_tally pl`,
    scope: 'pl.scope_key',
    where: () => sql`pl.state = 'valid'`,
    select: () => sql`coalesce(sum(pl.n), 0)::int AS "validPlaques"`,
  },
];
