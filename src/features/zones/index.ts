/** The zones' (markets, parks, buildings, districts) entrance: their routes. */
export { zoneRoutes } from './routes.js';
