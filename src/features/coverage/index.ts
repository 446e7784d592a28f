/** The two coverages' entrance: the route, and the tallies the indicators and guidance posts read. */
export { coverageRoutes } from './routes.js';
export { recomputeTally, tallyUnder, withRates } from './queries.js';
