import { sql } from 'kysely';
import type { Measure } from '../measure.js';
import { openStateList, overdueRows } from '../../appeals/index.js';

/**
 * 诉求与走访: cases counted where their responsible unit is, from the trigger-kept case tally
 * (migration 0021; above a county its per-county sums, 0046); overdue as of the moment measured (the kept due days and today's cases);
 * visits where the entity is.
 */
export const appealMeasures: Measure[] = [
  {
    keys: ['appealsReceived', 'appealsOpen', 'appealsClosed', 'visitProblems', 'appealsRated', 'appealsSatisfied'],
    from: sql`appeal_tally t`,
    county: sql`appeal_tally_county t`,
    scope: 't.scope_key',
    select:
      () => sql`coalesce(sum(t.n), 0)::int AS "appealsReceived", coalesce(sum(t.n) FILTER (WHERE t.state IN (${openStateList})), 0)::int AS "appealsOpen",
    coalesce(sum(t.n) FILTER (WHERE t.state IN ('resolved', 'closed')), 0)::int AS "appealsClosed", coalesce(sum(t.n) FILTER (WHERE t.door = 'visit'), 0)::int AS "visitProblems",
    coalesce(sum(t.rated), 0)::int AS "appealsRated", coalesce(sum(t.satisfied), 0)::int AS "appealsSatisfied"`,
  },
  {
    keys: ['appealsOverdue'],
    from: sql`${overdueRows()} o`,
    scope: 'o.scope_key',
    select: () => sql`coalesce(sum(o.n), 0)::int AS "appealsOverdue"`,
  },
  {
    keys: ['visits', 'entitiesVisited'],
    from: sql`visit_record v`,
    scope: 'v.scope_key',
    select: () => sql`count(*)::int AS "visits", count(DISTINCT v.entity_id)::int AS "entitiesVisited"`,
  },
];
