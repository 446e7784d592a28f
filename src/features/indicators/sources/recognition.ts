import { sql } from 'kysely';
import { SECRETARY_FROM, secretaryInOffice, trainedInTime } from '../../recognition/index.js';
import { localDate } from '../../../domain/time/zone.js';
import type { Measure } from '../measure.js';

/** The reference date of the training indicator: today in the deployment's zone, as the training page's default. */
const asOf = () => localDate();

/**
 * Contact and demonstration points in force, honours awarded and not revoked (both counted where
 * their subject is; honours from their tally, migration 0050), and the secretary training
 * indicator with the training ledger's own SQL.
 */
export const recognitionMeasures: Measure[] = [
  {
    keys: ['contactPoints', 'demoPoints'],
    from: sql`recognition_point p`,
    scope: 'p.scope_key',
    where: () => sql`p.status = 'active'`,
    select: () =>
      sql`count(*) FILTER (WHERE p.kind = 'contact')::int AS "contactPoints", count(*) FILTER (WHERE p.kind = 'demo')::int AS "demoPoints"`,
  },
  {
    keys: ['honoursAwarded'],
    from: sql`honour_tally h`,
    scope: 'h.scope_key',
    where: () => sql`h.state = 'awarded'`,
    select: () => sql`coalesce(sum(h.n), 0)::int AS "honoursAwarded"`,
  },
  {
    keys: ['secretaries', 'secretariesTrained'],
    from: SECRETARY_FROM,
    scope: 'f.scope_key',
    where: () => secretaryInOffice(asOf()),
    select: () =>
      sql`count(*)::int AS "secretaries", count(*) FILTER (WHERE ${trainedInTime(asOf())})::int AS "secretariesTrained"`,
  },
];
