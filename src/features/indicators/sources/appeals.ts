import { sql } from 'kysely';
import { OPEN_STATES } from '../../../domain/cases/engine.js';
import type { Measure } from '../measure.js';

const states = sql.join(OPEN_STATES.map((s) => sql.lit(s)));

/**
 * 诉求与走访: cases counted where their responsible unit is, from the trigger-kept case tally
 * (migration 0021); overdue, which moves with the clock, from the open cases themselves (as of the
 * moment measured); visits where the entity is.
 */
export const appealMeasures: Measure[] = [{
  keys: ['appealsReceived', 'appealsOpen', 'appealsRated', 'appealsSatisfied'],
  from: sql`appeal_tally t`,
  scope: 't.scope_key',
  select: () => sql`coalesce(sum(t.n), 0)::int AS "appealsReceived", coalesce(sum(t.n) FILTER (WHERE t.state IN (${states})), 0)::int AS "appealsOpen",
    coalesce(sum(t.rated), 0)::int AS "appealsRated", coalesce(sum(t.satisfied), 0)::int AS "appealsSatisfied"`,
}, {
  keys: ['appealsOverdue'],
  from: sql`appeal_case c`,
  scope: 'c.scope_key',
  where: () => sql`c.state IN (${states}) AND c.due_at < now()`,
  select: () => sql`count(*)::int AS "appealsOverdue"`,
}, {
  keys: ['visits', 'entitiesVisited'],
  from: sql`visit_record v`,
  scope: 'v.scope_key',
  select: () => sql`count(*)::int AS "visits", count(DISTINCT v.entity_id)::int AS "entitiesVisited"`,
}];
