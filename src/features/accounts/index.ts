/** The accounts feature's entrance: the routes the server registers. */
export { accountRoutes } from './routes.js';
