/** The party members' entrance: the routes the server registers (the roster writer is the import pipeline's, jobs/import/writers). */
export { memberRoutes } from './routes.js';
export { memberOffLine } from './writes.js';
