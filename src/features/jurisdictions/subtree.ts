// Moved to src/db/subtree.ts (scope helpers are plumbing); features still importing this path are
// listed in test/structure/layers.test.ts and should import from db/subtree.ts instead.
export { figuresByChild, nodeInScope, type Node } from '../../db/subtree.js';
