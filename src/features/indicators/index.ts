/** The indicators' entrance: the dashboard routes, the figures of a node with its children, the sources and the report values. */
export { dashboardRoutes } from './routes.js';
export { values } from './contract.js';
export { figuresWithChildren } from './service.js';
export { SOURCES } from './sources/index.js';
export type { Db } from './measure.js';
export { takeSystemSnapshots } from './service.js';
