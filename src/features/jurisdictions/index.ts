/** The jurisdiction tree's entrance: the routes the server registers. */
export { jurisdictionRoutes } from './routes.js';
export { seedJurisdictions } from './seed.js';
