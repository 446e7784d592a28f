/** 三亮's entrance: the staff routes (records, plaques, the exit reviews' plaque side) and the public verification and report page. */
export { sanliangRoutes } from './routes.js';
export { sanliangPublicRoutes } from './public.js';
export { actOnPlaque } from './queries.js';
