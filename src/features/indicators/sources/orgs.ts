import { sql } from 'kysely';
import { ORG_KIND_LABEL, SETUP_MODE_LABEL, type OrgKind, type SetupMode } from '../../../domain/orgs/rules.js';
import { orgKindKey, setupModeKey, type CountKey } from '../../../domain/indicators/registry.js';
import type { Measure } from '../measure.js';

const KINDS = Object.keys(ORG_KIND_LABEL) as OrgKind[];
const MODES = Object.keys(SETUP_MODE_LABEL) as SetupMode[];

/** Party organizations (Youth League ones are another ledger line): established by kind and by setup mode, and those in preparation. */
export const orgMeasures: Measure[] = [
  {
    keys: ['orgsEstablished', 'orgsPreparing', ...KINDS.map(orgKindKey), ...MODES.map(setupModeKey)] as CountKey[],
    from: sql`party_org o`,
    scope: 'o.scope_key',
    where: () => sql`o.body = 'party'`,
    select: () =>
      sql.join([
        sql`count(*) FILTER (WHERE o.status = 'established')::int AS "orgsEstablished"`,
        sql`count(*) FILTER (WHERE o.status = 'preparing')::int AS "orgsPreparing"`,
        ...KINDS.map(
          (k) =>
            sql`count(*) FILTER (WHERE o.status = 'established' AND o.kind = ${k})::int AS ${sql.ref(orgKindKey(k))}`,
        ),
        ...MODES.map(
          (m) =>
            sql`count(*) FILTER (WHERE o.status = 'established' AND o.setup_mode = ${m})::int AS ${sql.ref(setupModeKey(m))}`,
        ),
      ]),
  },
];
