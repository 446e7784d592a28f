/** The guidance posts' entrance: the routes the server registers. */
export { guidancePostRoutes } from './routes.js';
