/** Recognition's entrance: its routes, and the secretaries' training tallies the indicators read. */
export { recognitionRoutes } from './routes.js';
export { SECRETARY_FROM, secretaryInOffice, trainedInTime } from './training-queries.js';
export { subjectOf, type Nomination } from './honours.js';
