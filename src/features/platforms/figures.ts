import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql, type RawBuilder } from 'kysely';
import { z } from 'zod';
import { unitRates } from '../../domain/platforms/coverage.js';
import { expiringBy } from '../../domain/platforms/orgs.js';
import { monthEnds } from '../../domain/platforms/riders.js';
import { figuresByChild, nodeInScope } from '../jurisdictions/subtree.js';
import { riderSeriesSql, today, underQuery } from './queries.js';

type Counts = {
  platforms: number; partners: number; stations: number; riders: number; member_riders: number; activists: number;
  committees: number; mobile_branches: number; cards_valid: number; cards_expiring: number;
  platforms_operating: number; platforms_org: number; platforms_work: number; stations_operating: number; stations_org: number; stations_work: number;
};

/**
 * The figures of one area (its scope key k), each a scalar subquery. Platforms count where they
 * are registered; their presence (partner firms, stations, riders) where it is. Coverage counts
 * come from the view that carries the domain's definition.
 */
const sectorFigures = (k: RawBuilder<string>) => {
  const t = today();
  const unit = (type: string, flag: string) =>
    sql`(SELECT count(*)::int FROM new_employment_coverage_facts f WHERE f.unit_type = ${type} AND starts_with(f.scope_key, ${k}) AND f.operating${flag ? sql.raw(` AND f.${flag}`) : sql``})`;
  return sql`
    (SELECT count(*)::int FROM platform p WHERE starts_with(p.scope_key, ${k}) AND p.status = 'active') AS platforms,
    (SELECT count(*)::int FROM platform_partner pp WHERE starts_with(pp.scope_key, ${k})) AS partners,
    (SELECT count(*)::int FROM delivery_station s WHERE starts_with(s.scope_key, ${k}) AND s.status = 'open') AS stations,
    (SELECT coalesce(sum((SELECT c.riders FROM rider_count c WHERE c.delivery_station_id = s.id ORDER BY c.as_of DESC LIMIT 1)), 0)::int
       FROM delivery_station s WHERE starts_with(s.scope_key, ${k}) AND s.status = 'open') AS riders,
    (SELECT count(*)::int FROM rider_person r WHERE starts_with(r.scope_key, ${k}) AND r.role = 'member' AND r.left_on IS NULL) AS member_riders,
    (SELECT count(*)::int FROM rider_person r WHERE starts_with(r.scope_key, ${k}) AND r.role = 'activist' AND r.left_on IS NULL) AS activists,
    (SELECT count(*)::int FROM party_org o WHERE starts_with(o.scope_key, ${k}) AND o.sector = 'riders' AND o.kind = 'committee' AND o.setup_mode = 'industry' AND o.status = 'established') AS committees,
    (SELECT count(*)::int FROM party_org o WHERE starts_with(o.scope_key, ${k}) AND o.setup_mode = 'mobile' AND o.status = 'established') AS mobile_branches,
    (SELECT count(*)::int FROM mobile_card c WHERE starts_with(c.scope_key, ${k}) AND c.returned_on IS NULL AND c.expires_on >= ${t}::date) AS cards_valid,
    (SELECT count(*)::int FROM mobile_card c WHERE starts_with(c.scope_key, ${k}) AND c.returned_on IS NULL AND c.expires_on BETWEEN ${t}::date AND ${expiringBy(t)}::date) AS cards_expiring,
    ${unit('platform', '')} AS platforms_operating, ${unit('platform', 'any_org')} AS platforms_org, ${unit('platform', 'work')} AS platforms_work,
    ${unit('delivery_station', '')} AS stations_operating, ${unit('delivery_station', 'any_org')} AS stations_org, ${unit('delivery_station', 'work')} AS stations_work`;
};

/** One area's counts as the API shows them, with the sector's two coverage rates for platforms and stations. */
const present = (c: Counts) => ({
  platforms: c.platforms, partners: c.partners, stations: c.stations, riders: c.riders, memberRiders: c.member_riders, activists: c.activists,
  committees: c.committees, mobileBranches: c.mobile_branches, cardsValid: c.cards_valid, cardsExpiring: c.cards_expiring,
  platformCoverage: { operating: c.platforms_operating, anyOrg: c.platforms_org, work: c.platforms_work, ...unitRates({ operating: c.platforms_operating, anyOrg: c.platforms_org, work: c.platforms_work }) },
  stationCoverage: { operating: c.stations_operating, anyOrg: c.stations_org, work: c.stations_work, ...unitRates({ operating: c.stations_operating, anyOrg: c.stations_org, work: c.stations_work }) },
});

export async function newEmploymentFigureRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/new-employment/figures', {
    config: { access: 'data.read' },
    schema: {
      tags: ['新业态新就业群体'],
      summary: '新业态数字：本级与下级的平台、站点、骑手、党员骑手、行业党委、流动党员党支部、活动证、行业两个覆盖，近 12 个月骑手数',
      querystring: z.strictObject({ under: underQuery }),
    },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const node = await nodeInScope(db, req.user!, req.query.under);
        const f = await figuresByChild<Counts>(db, node, sectorFigures);
        // Stations under the node by platform: the sector's coverage where each platform is present.
        const byPlatform = await db.selectFrom('new_employment_coverage_facts as f').innerJoin('platform as p', 'p.id', 'f.platform_id')
          .select(['p.id', 'p.name', sql<number>`count(*)::int`.as('operating'), sql<number>`count(*) FILTER (WHERE f.any_org)::int`.as('any_org'), sql<number>`count(*) FILTER (WHERE f.work)::int`.as('work')])
          .where('f.unit_type', '=', 'delivery_station').where('f.operating', '=', true).where(sql<boolean>`starts_with(f.scope_key, ${node.scope_key})`)
          .groupBy(['p.id', 'p.name']).orderBy(sql`count(*)`, 'desc').limit(30).execute();
        return {
          node: f.node,
          total: present(f.total),
          children: f.children.map((c) => ({ code: c.code, name: c.name, level: c.level, ...present(c) })),
          byPlatform: byPlatform.map((p) => ({ id: p.id, name: p.name, operating: p.operating, anyOrg: p.any_org, work: p.work, ...unitRates({ operating: p.operating, anyOrg: p.any_org, work: p.work }) })),
          riderSeries: await riderSeriesSql(db, node.scope_key, monthEnds(12, today())),
        };
      }),
  });
}
