/** The auth feature's entrance for other features: ending an account's sessions (accounts end them on a reset, a role change, a binding change). */
export { endSessionsOf } from './sessions.js';
export { authRoutes } from './routes.js';
