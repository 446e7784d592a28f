import type { FastifyInstance } from 'fastify';
import { platformResourceRoutes } from './platforms.js';
import { stationRoutes } from './stations.js';
import { riderOrgRoutes } from './orgs.js';
import { cardRoutes } from './cards.js';
import { newEmploymentFigureRoutes } from './figures.js';

/**
 * The new-employment sector's entrance: the server registers platformRoutes, one routes file per
 * resource (platforms with their partner firms, delivery stations with their riders, the riders'
 * committees and mobile branches, mobile cards) and the figures; the demo links units through linkUnits.
 */
export async function platformRoutes(app: FastifyInstance): Promise<void> {
  await platformResourceRoutes(app);
  await stationRoutes(app);
  await riderOrgRoutes(app);
  await cardRoutes(app);
  await newEmploymentFigureRoutes(app);
}

export { linkUnits } from './writes.js';
