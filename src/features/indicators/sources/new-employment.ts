import { sql } from 'kysely';
import { localDate } from '../../../domain/time/zone.js';
import type { Measure } from '../measure.js';

/**
 * New employment groups, as the sector's figures page counts them (src/features/platforms/figures.ts):
 * platforms where registered, their presence (partner firms, delivery stations, riders) where it
 * is; rider organizations; valid mobile-member cards; the sector's coverage from the view that
 * carries the domain's definition (new_employment_coverage_facts).
 */
export const newEmploymentMeasures: Measure[] = [
  {
    keys: ['platforms'],
    from: sql`platform p`,
    scope: 'p.scope_key',
    where: () => sql`p.status = 'active'`,
    select: () => sql`count(*)::int AS "platforms"`,
  },
  {
    keys: ['platformPartners'],
    from: sql`platform_partner pp`,
    scope: 'pp.scope_key',
    select: () => sql`count(*)::int AS "platformPartners"`,
  },
  {
    keys: ['deliveryStations', 'riders'],
    // Each open station with its latest rider count.
    from: sql`(SELECT s.scope_key, (SELECT c.riders FROM rider_count c WHERE c.delivery_station_id = s.id ORDER BY c.as_of DESC LIMIT 1) AS riders
               FROM delivery_station s WHERE s.status = 'open') ds`,
    scope: 'ds.scope_key',
    select: () => sql`count(*)::int AS "deliveryStations", coalesce(sum(ds.riders), 0)::int AS "riders"`,
  },
  {
    keys: ['memberRiders'],
    from: sql`rider_person r`,
    scope: 'r.scope_key',
    where: () => sql`r.role = 'member' AND r.left_on IS NULL`,
    select: () => sql`count(*)::int AS "memberRiders"`,
  },
  {
    keys: ['riderCommittees', 'mobileBranches'],
    from: sql`party_org o`,
    scope: 'o.scope_key',
    where: () =>
      sql`o.body = 'party' AND o.status = 'established' AND (o.sector = 'riders' OR o.setup_mode = 'mobile')`,
    select:
      () => sql`count(*) FILTER (WHERE o.sector = 'riders' AND o.kind = 'committee' AND o.setup_mode = 'industry')::int AS "riderCommittees",
      count(*) FILTER (WHERE o.setup_mode = 'mobile')::int AS "mobileBranches"`,
  },
  {
    keys: ['mobileCardsValid'],
    from: sql`mobile_card mc`,
    scope: 'mc.scope_key',
    where: () => sql`mc.returned_on IS NULL AND mc.expires_on >= ${localDate()}::date`,
    select: () => sql`count(*)::int AS "mobileCardsValid"`,
  },
  {
    keys: ['platformsAnyOrg', 'stationsAnyOrg', 'stationsWork'],
    from: sql`new_employment_coverage_facts f`,
    scope: 'f.scope_key',
    where: () => sql`f.operating`,
    select: () => sql`count(*) FILTER (WHERE f.unit_type = 'platform' AND f.any_org)::int AS "platformsAnyOrg",
      count(*) FILTER (WHERE f.unit_type = 'delivery_station' AND f.any_org)::int AS "stationsAnyOrg",
      count(*) FILTER (WHERE f.unit_type = 'delivery_station' AND f.work)::int AS "stationsWork"`,
  },
];
