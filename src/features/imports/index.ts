/**
 * The imports feature's entrance for other features: the templates registry (every import kind,
 * with its columns), a job as callers see it and a job queued, the column plan of a stored file and its checks,
 * and the per-account gate. The exchange (system-to-system delivery) runs its batches through these.
 */
export { TEMPLATES, type ImportKind } from '../../jobs/import/templates.js';
export { importRoutes } from './routes.js';
export { toJob } from './queries.js';
export { addImportJob } from './writes.js';
export { assertFullRoster, assertStartable, mappingFor, previewFile } from './service.js';
export { ImportGate } from './gate.js';
export { readLocalAccess, type LocalAccess } from './local.js';
