/** The reports feature's entrance: its routes and the month's snapshot (the 待办 workbench reads the reports itself, workbench/sources/reports.ts). */
export { reportRoutes } from './routes.js';
export { snapshotOfMonth } from './service.js';
