import { ENTITY_STATUS_LABEL } from '../ledger/labels.js';

/** An entity a visit plan (走访计划) names, as it stands now. */
export type PlannedEntity = { id: number; name: string; status: string; visited: boolean };

/**
 * Whether a planned entity still asks for a visit: it operates, or it was visited already (then the
 * visit stays done in the plan, whatever became of it). One that was 注销/吊销/迁出 before anyone
 * went no longer exists to be visited: it stays in the plan's history but not in its count.
 */
export const stillPlanned = (e: Pick<PlannedEntity, 'status' | 'visited'>): boolean =>
  e.status === 'active' || e.visited;

/** What the plan says of an entity that no longer needs a visit: "已注销，无需走访". */
export const noVisitNeeded = (status: string): string =>
  `已${ENTITY_STATUS_LABEL[status as keyof typeof ENTITY_STATUS_LABEL] ?? '停业'}，无需走访`;

/**
 * A plan's progress: the entities still planned (the denominator), how many of them were visited,
 * and the ones no longer needing a visit, each with what the plan says of it.
 */
export function planProgress(entities: PlannedEntity[]): {
  planned: number;
  visited: number;
  noVisit: { entityId: number; name: string; note: string }[];
} {
  const kept = entities.filter(stillPlanned);
  return {
    planned: kept.length,
    visited: kept.filter((e) => e.visited).length,
    noVisit: entities
      .filter((e) => !stillPlanned(e))
      .map((e) => ({ entityId: e.id, name: e.name, note: noVisitNeeded(e.status) })),
  };
}
