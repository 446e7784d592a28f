/** The assistance programs' entrance: the routes the server registers. */
export { assistanceRoutes } from './routes.js';
