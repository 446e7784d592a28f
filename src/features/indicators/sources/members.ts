import { sql } from 'kysely';
import type { Measure } from '../measure.js';

/** Members on the roster (by the bureau holding the roster row), members found in entities (by the link's entity), open discovery cases. */
export const memberMeasures: Measure[] = [
  // Through member_scope (migration 0015): the roster rows of the caller's scope, without member's per-row policy function.
  { keys: ['membersOnRoster'], from: sql`member_scope m`, scope: 'm.scope_key', select: () => sql`count(*)::int AS "membersOnRoster"` },
  // Distinct: a member found in two entities is one member found.
  { keys: ['membersFound'], from: sql`member_link l`, scope: 'l.scope_key', select: () => sql`count(DISTINCT l.member_id)::int AS "membersFound"` },
  // Still to verify: neither confirmed, dismissed nor transferred.
  { keys: ['casesOpen'], from: sql`discovery_case c`, scope: 'c.scope_key', where: () => sql`c.state IN ('open', 'contacted')`, select: () => sql`count(*)::int AS "casesOpen"` },
];
