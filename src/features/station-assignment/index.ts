/** The station assignment's entrance: the routes the server registers. */
export { stationAssignmentRoutes } from './routes.js';
