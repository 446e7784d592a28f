/** The units' entrance: the routes the server registers. */
export { unitRoutes } from './routes.js';
