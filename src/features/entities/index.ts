/**
 * The market entities' entrance: their routes (the ledger, the entity page's records and work), and the
 * import's registry and annual-report writers with the row type the other import writers share.
 */
export { entityRoutes } from './routes.js';
export { entityWorkRoutes } from './work.js';
export { writeRegistryBatch, type IdentityChange, type Numbered } from './registry-writer.js';
export { writeAnnualReportBatch } from './annual-report-writer.js';
