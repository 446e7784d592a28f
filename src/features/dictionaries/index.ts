/** The code lists' entrance: the route, and one code list read as code → label. */
export { dictionaryRoutes } from './routes.js';
export { codeList } from './queries.js';
