/** The market entities' entrance: their routes (the ledger, the entity page's records and work). */
export { entityRoutes } from './routes.js';
export { entityWorkRoutes } from './work.js';
export { followEntityChange } from './follow.js';
