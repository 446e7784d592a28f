/** Global setup for projects that run on PGlite only (the browser tests): see pgliteOnly. */
export { pgliteOnly as default } from './databases.js';
