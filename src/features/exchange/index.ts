/** The exchange feature (issue 15): service accounts for other systems and the exchange API they call. */
export { exchangeRoutes } from './routes.js';
export { serviceAccountRoutes } from './service-accounts.js';
