import { sql } from 'kysely';
import { OPEN_STATES } from '../../../domain/cases/engine.js';
import type { Measure } from '../measure.js';

const open = sql.raw(`c.state IN (${OPEN_STATES.map((s) => `'${s}'`).join(',')})`);

/** 诉求与走访: cases counted where their responsible unit is (overdue as of the moment measured), and visits where the entity is. */
export const appealMeasures: Measure[] = [{
  keys: ['appealsReceived', 'appealsOpen', 'appealsOverdue', 'appealsRated', 'appealsSatisfied'],
  from: sql`appeal_case c`,
  scope: 'c.scope_key',
  select: () => sql`count(*)::int AS "appealsReceived", count(*) FILTER (WHERE ${open})::int AS "appealsOpen", count(*) FILTER (WHERE ${open} AND c.due_at < now())::int AS "appealsOverdue",
    count(c.satisfaction)::int AS "appealsRated", count(*) FILTER (WHERE c.satisfaction >= 4)::int AS "appealsSatisfied"`,
}, {
  keys: ['visits', 'entitiesVisited'],
  from: sql`visit_record v`,
  scope: 'v.scope_key',
  select: () => sql`count(*)::int AS "visits", count(DISTINCT v.entity_id)::int AS "entitiesVisited"`,
}];
