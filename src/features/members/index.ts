/** The party members' entrance: the routes the server registers (the roster writer belongs to the import pipeline). */
export { memberRoutes } from './routes.js';
