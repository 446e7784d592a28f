import { sql } from 'kysely';
import type { Measure } from '../measure.js';

/** Assistance programs (where the running node is) and the entities helped, by outcome (where each entity is), as the assistance figures count them with no year chosen. */
export const assistanceMeasures: Measure[] = [
  {
    keys: ['assistancePrograms'],
    from: sql`assistance_program a`,
    scope: 'a.scope_key',
    select: () => sql`count(*)::int AS "assistancePrograms"`,
  },
  {
    keys: ['assistedEntities', 'assistedResolved', 'assistedImproved', 'assistedUnresolved', 'assistedOngoing'],
    from: sql`assistance_entity ae`,
    scope: 'ae.scope_key',
    select:
      () => sql`count(*)::int AS "assistedEntities", count(*) FILTER (WHERE ae.outcome = 'resolved')::int AS "assistedResolved",
      count(*) FILTER (WHERE ae.outcome = 'improved')::int AS "assistedImproved", count(*) FILTER (WHERE ae.outcome = 'unresolved')::int AS "assistedUnresolved",
      count(*) FILTER (WHERE ae.outcome = 'ongoing')::int AS "assistedOngoing"`,
  },
];
