import type { Scoped } from '../../db/scoped.js';
import { followEntities, type CaseChange } from '../discovery/index.js';
import { followVisitPlans } from '../worktasks/index.js';

/**
 * What follows entities whose registration status or station changed (an edit, a station assigned
 * from 待分配基层所), in the caller's transaction, after their rows moved (moveEntityRows): the
 * running visit plans that name them are deployed again to the stations that now hold them (a 注销
 * needs no visit; an entity moved is visited by its new station, and the old one, not yet having
 * taken the task, is no longer asked), and their discovery cases are derived again and moved into
 * the new station's sight. A registry import does both in its own batch hooks.
 */
export async function followEntityChange(sc: Scoped, entityIds: number[], change: CaseChange): Promise<void> {
  if (!entityIds.length) return;
  await followVisitPlans(sc, { id: sc.who.userId, name: sc.who.username ?? '系统' }, entityIds, new Date());
  await followEntities(sc, entityIds, change);
}
