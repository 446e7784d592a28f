/** The party organizations' entrance: their routes, and the reads other features share (where an org sits, loading one). */
export { orgRoutes } from './routes.js';
export { proposalRoutes } from './proposals.js';
export { loadOrg, orgPlace, notLeft, lapsedStandalone } from './queries.js';
export { findingsOf, refuseOn } from './queries.js';
export { registerDeclaredOrgs } from './declared.js';
