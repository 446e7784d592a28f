/** The annual assessment's entrance: the routes the server registers. */
export { assessmentRoutes } from './routes.js';
