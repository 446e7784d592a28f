/** The exit feature's entrance: credit lists, the effects of a status or listing change, and the reviews staff confirm. */
export { writeCreditBatch } from './credit-writer.js';
export { auditExitEffects, type ExitChange } from './effects.js';
export { exitRoutes } from './routes.js';
