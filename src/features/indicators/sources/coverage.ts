import { sql } from 'kysely';
import { newSince } from '../../../domain/coverage/coverage.js';
import type { CountKey } from '../../../domain/indicators/registry.js';
import { hostDateOf } from '../../../domain/time/zone.js';
import type { Measure } from '../measure.js';

const KINDS = { kindEnterprise: 'enterprise', kindIndividual: 'individual', kindCooperative: 'cooperative' } as const;
/** Registry key → column of coverage_tally. */
const TALLY = {
  operating: 'operating',
  withMembers: 'with_members',
  ownOrg: 'own_org',
  anyOrg: 'any_org',
  work: 'work',
  membersOwnOrg: 'members_own_org',
  membersAnyOrg: 'members_any_org',
  entitiesReached: 'instructor',
} as const;

/**
 * Entities, the two coverages and the entities instructors reach, from the trigger-kept coverage
 * tallies (migrations 0008, 0019; above a county their per-county sums, 0044): the
 * dimension 'all' for the coverage counts, 'kind' for the kinds, 'reg_month' from newSince() on
 * for the new ones. Operating entities only, as the coverage domain defines them.
 */
export const coverageMeasures: Measure[] = [
  {
    keys: [...Object.keys(TALLY), ...Object.keys(KINDS)] as CountKey[],
    from: sql`coverage_tally t`,
    county: sql`coverage_tally_county t`,
    scope: 't.scope_key',
    where: () => sql`t.dim IN ('all', 'kind')`,
    select: () =>
      sql.join([
        ...Object.entries(TALLY).map(
          ([key, col]) =>
            sql`coalesce(sum(${sql.ref(`t.${col}`)}) FILTER (WHERE t.dim = 'all'), 0)::int AS ${sql.ref(key)}`,
        ),
        ...Object.entries(KINDS).map(
          ([key, kind]) =>
            sql`coalesce(sum(t.operating) FILTER (WHERE t.dim = 'kind' AND t.value = ${kind}), 0)::int AS ${sql.ref(key)}`,
        ),
      ]),
  },
  // Its own query: the months before newSince() are most of the tally's rows and count for nothing here.
  {
    keys: ['newEntities'],
    from: sql`coverage_tally t`,
    county: sql`coverage_tally_county t`,
    scope: 't.scope_key',
    where: () => sql`t.dim = 'reg_month' AND t.value >= ${newSince(hostDateOf()).slice(0, 7)}`,
    select: () => sql`coalesce(sum(t.operating), 0)::int AS "newEntities"`,
  },
];
