import type { Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import {
  EXIT_CAUSE_LABEL,
  EXIT_EFFECT_LABEL,
  EXIT_STATE_LABEL,
  exitActions,
  type ExitEffect,
} from '../../domain/exit/exit.js';
import type { z } from 'zod';
import { EXIT_LIST_LIMIT, type ExitReview, type listExitReviews } from './contract.js';

/** Exit reviews within the caller's scope (row-level security), newest first, with their automatic effects. */
export async function exitReviews(
  db: Transaction<DB>,
  f: { state?: z.output<(typeof listExitReviews)['query']>['state']; entityId?: number; id?: number; limit?: number },
): Promise<ExitReview[]> {
  let q = db
    .selectFrom('exit_review as r')
    .innerJoin('entity as e', 'e.id', 'r.entity_id')
    .selectAll('r')
    .select('e.name as entity_name');
  if (f.state === 'live') q = q.where('r.state', 'in', ['open', 'lift_pending']);
  else if (f.state) q = q.where('r.state', '=', f.state);
  if (f.entityId) q = q.where('r.entity_id', '=', f.entityId);
  if (f.id) q = q.where('r.id', '=', f.id);
  const rows = await q
    .orderBy('r.id', 'desc')
    .limit(f.limit ?? EXIT_LIST_LIMIT)
    .execute();
  const effects = rows.length
    ? await db
        .selectFrom('exit_effect as x')
        .leftJoin('sanliang_plaque as p', (j) =>
          j.onRef('p.id', '=', 'x.object_id').on('x.object_type', '=', 'sanliang_plaque'),
        )
        .select(['x.review_id', 'x.effect', 'x.object_type', 'x.object_id', 'x.at', 'p.number as plaque_number'])
        .where(
          'x.review_id',
          'in',
          rows.map((r) => r.id),
        )
        .orderBy('x.id')
        .execute()
    : [];
  return rows.map((r) => ({
    id: Number(r.id),
    entityId: Number(r.entity_id),
    entityName: r.entity_name,
    cause: r.cause,
    causeLabel: EXIT_CAUSE_LABEL[r.cause],
    reason: r.reason,
    state: r.state,
    stateLabel: EXIT_STATE_LABEL[r.state],
    suspends: r.suspends,
    openedAt: r.opened_at,
    clearedAt: r.cleared_at,
    reviewedAt: r.reviewed_at,
    reviewNote: r.review_note,
    closedAt: r.closed_at,
    closeNote: r.close_note,
    actions: exitActions(r.state),
    effects: effects
      .filter((x) => Number(x.review_id) === Number(r.id))
      .map((x) => ({
        effect: x.effect,
        label: EXIT_EFFECT_LABEL[x.effect as ExitEffect] ?? x.effect,
        objectType: x.object_type,
        objectId: Number(x.object_id),
        objectLabel: x.plaque_number ?? null,
        at: x.at,
      })),
  }));
}
