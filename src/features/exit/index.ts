/** The exit feature's entrance: the effects of a status or listing change, and the reviews staff confirm. */
export { auditExitEffects, type ExitChange } from './effects.js';
export { exitRoutes } from './routes.js';
