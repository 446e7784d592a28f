/** The instructors' entrance: their routes, the guidance log and an instructor's own view. */
export { instructorRoutes } from './routes.js';
export { guidanceRoutes } from './guidance.js';
