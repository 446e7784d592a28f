import { setImmediate as otherWorkFirst } from 'node:timers/promises';

/**
 * Turns of the event loop given back by a long synchronous loop: `await turn()` after each item;
 * once `ms` have passed since the last turn, the loop's other work (requests, timers, I/O) runs
 * first. Writing an export of 40,000 rows held every other request for 5.4 s, and an import's batch
 * of rows for 0.8 s (`npm run bench -- export`, `npm run bench -- import`; issue 18).
 */
export function turns(ms = 20): () => Promise<void> {
  let since = performance.now();
  return async () => {
    if (performance.now() - since < ms) return;
    await otherWorkFirst();
    since = performance.now();
  };
}
