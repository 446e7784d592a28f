/** The audit trail's entrance: the routes the server registers. */
export { auditRoutes } from './routes.js';
