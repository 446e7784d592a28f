import { sql } from 'kysely';
import type { Measure } from '../measure.js';

/** Youth League organizations (party_org with body 'league') established, and their members, each person once. */
export const leagueMeasures: Measure[] = [
  {
    keys: ['leagueOrgs'],
    from: sql`party_org o`,
    scope: 'o.scope_key',
    where: () => sql`o.body = 'league' AND o.status = 'established'`,
    select: () => sql`count(*)::int AS "leagueOrgs"`,
  },
  {
    keys: ['leagueMembers'],
    from: sql`(SELECT m.scope_key, m.person_id FROM party_org_member m JOIN party_org o ON o.id = m.org_id WHERE o.body = 'league' AND o.status = 'established') lm`,
    scope: 'lm.scope_key',
    select: () => sql`count(DISTINCT lm.person_id)::int AS "leagueMembers"`,
  },
];
