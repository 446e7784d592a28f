/** The deployment settings' entrance: the routes the server registers. */
export { settingRoutes } from './routes.js';
