import type { AppContext } from '../http/context.js';
import { runDiscovery } from '../features/discovery/index.js';
import { asCityEditor } from './steps.js';

/**
 * A first discovery run over the demo city, as the city editor would start it from 查找党员:
 * it links the roster to people in the ledger and raises the cases the work list starts from, so
 * the demo's organizations find their members and the verification list is not empty.
 */
export async function registerDemoDiscovery(ctx: AppContext): Promise<Record<string, number>> {
  const { runId, who } = await asCityEditor(ctx, async ({ db, editorId, who }) => {
    const run = await db
      .insertInto('discovery_run')
      .values({ scope_key: who.scopeKey, created_by: editorId, step: '排队' })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { runId: run.id, who };
  });
  return runDiscovery(ctx, who, runId);
}
