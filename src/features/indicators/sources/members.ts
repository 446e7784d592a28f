import { sql } from 'kysely';
import type { Measure } from '../measure.js';

/**
 * Members on the roster (where the roster row is held) and members found in entities (where the
 * link's entity is), from the trigger-kept member_tally (migration 0015): sums per scope key,
 * made distinct by the few members found under several keys (member_found_spread: −1 per key,
 * +1 per member, within each group). And open discovery cases, from their tally (migration 0045).
 */
export const memberMeasures: Measure[] = [
  {
    keys: ['membersOnRoster', 'membersFound'],
    from: sql`(SELECT t.scope_key, t.on_roster AS roster, t.found, NULL::bigint AS member_id FROM member_tally t
               UNION ALL SELECT s.scope_key, 0, -1, s.member_id FROM member_found_spread s) m`,
    scope: 'm.scope_key',
    select: () =>
      sql`coalesce(sum(m.roster), 0)::int AS "membersOnRoster", (coalesce(sum(m.found), 0) + count(DISTINCT m.member_id))::int AS "membersFound"`,
  },
  // Still to verify: neither confirmed, dismissed nor transferred; from the trigger-kept count per scope key and state (migration 0045).
  {
    keys: ['casesOpen'],
    from: sql`discovery_case_tally c`,
    scope: 'c.scope_key',
    additive: true, // on Citus the tally is distributed with its cases
    where: () => sql`c.state IN ('open', 'contacted')`,
    select: () => sql`coalesce(sum(c.n), 0)::int AS "casesOpen"`,
  },
];
