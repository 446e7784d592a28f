import { sql } from 'kysely';
import type { Scoped } from '../../db/scoped.js';
import { decideExit } from '../../domain/exit/exit.js';
import { conflict, notFound } from '../../http/errors.js';
import { auditExitEffects } from './effects.js';
import { exitReviews } from './queries.js';

/** The exit reviews' writes: each checks the review's state, records its audit line and returns the review. */

/** Notes an open exit review as reviewed by the user. */
export async function markExitReviewed({ db, audit }: Scoped, id: number, userId: number, note: string) {
  const rv = await db
    .selectFrom('exit_review')
    .select(['id', 'state'])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!rv) throw notFound('退出复核');
  const d = decideExit(rv.state, 'review');
  if (!d.ok) throw conflict(d.message);
  await db
    .updateTable('exit_review')
    .set({ state: 'reviewed', reviewed_at: new Date(), reviewed_by: userId, review_note: note })
    .where('id', '=', rv.id)
    .execute();
  audit({
    action: 'exit.review',
    objectType: 'exit_review',
    objectId: rv.id,
    detail: { from: rv.state, to: 'reviewed', note },
  });
  return (await exitReviews(db, { id: rv.id }))[0];
}

/** Closes an exit review and gives the plaques back, auditing what the database function restored. */
export async function liftExitReview({ db, audit }: Scoped, id: number, userId: number, note: string) {
  // Read under the caller's scope first: the function runs as its owner.
  const rv = await db
    .selectFrom('exit_review')
    .select(['id', 'state'])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!rv) throw notFound('退出复核');
  const d = decideExit(rv.state, 'lift');
  if (!d.ok) throw conflict(d.message);
  await sql`SELECT xgz_exit_lift(${rv.id}::bigint, ${userId}::bigint, ${note}::text)`.execute(db);
  audit({
    action: 'exit.lift',
    objectType: 'exit_review',
    objectId: rv.id,
    detail: { from: rv.state, to: 'closed', note },
  });
  await auditExitEffects(db, audit, {
    type: 'request',
    action: 'exit.lift',
    objectType: 'exit_review',
    objectId: rv.id,
  });
  return (await exitReviews(db, { id: rv.id }))[0];
}
