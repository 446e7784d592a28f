/** The appeals feature's entrance for other features: free text from the public as it is kept (the plaque page's reports use it). */
export { maskFreeText, sealFreeText } from './free-text.js';
export { appealRoutes } from './routes.js';
export { openStateList, overdueRows } from './queries.js';
/** The plaque door (sanliang's public reports and their handling) raises and resolves its cases in the one case engine. */
export { newTrackingCode, raiseCase, resolveWithPlaqueReport, trackingHash } from './engine.js';
export { plaqueUnit } from './queries.js';
export { moveCase, type Mover } from './engine.js';
export { coveringUnits, placeUnit } from './queries.js';
