/** Recognition's entrance: its routes, the secretaries' training tallies the indicators read, and the honoured subject the demo nominates. */
export { recognitionRoutes } from './routes.js';
export { SECRETARY_FROM, secretaryInOffice, trainedInTime } from './training-queries.js';
export { nominatedSubject, type Nomination } from './honour-queries.js';
