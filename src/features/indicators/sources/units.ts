import { sql } from 'kysely';
import type { Measure } from '../measure.js';

/** The bureaus' own units: "小个专" party committees and guidance posts in force, where they are set up. */
export const unitMeasures: Measure[] = [
  {
    keys: ['xgzCommittees', 'guidancePosts'],
    from: sql`bureau_unit u`,
    scope: 'u.scope_key',
    where: () => sql`u.status = 'active'`,
    select: () =>
      sql`count(*) FILTER (WHERE u.kind = 'xgz_committee')::int AS "xgzCommittees", count(*) FILTER (WHERE u.kind = 'guidance_post')::int AS "guidancePosts"`,
  },
];
