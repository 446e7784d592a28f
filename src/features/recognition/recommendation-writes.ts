import type { Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import { expectMoved } from '../../db/writes.js';
import type { Decision, RecommendationState } from '../../domain/recognition/recommendations.js';
import type { SubjectType } from './recommendation-queries.js';

/** The point recommendations' writes. The routes check who may make them and record the audit lines. */

type Tx = Transaction<DB>;

/** Records a recommendation unless one of the same kind for the subject is still open (pending or returned) at the node it goes to; then null. */
export async function insertRecommendation(
  db: Tx,
  v: {
    kind: 'contact' | 'demo';
    level: 'province' | 'city' | 'county';
    subjectType: SubjectType;
    subjectId: number;
    subjectName: string;
    reason: string;
    fromCode: string;
    toCode: string;
    scopeKey: string;
    by: number;
  },
) {
  const open = await db
    .selectFrom('point_recommendation')
    .select('id')
    .where('kind', '=', v.kind)
    .where('subject_type', '=', v.subjectType)
    .where('subject_id', '=', v.subjectId)
    .where('to_code', '=', v.toCode)
    .where('state', 'in', ['pending', 'returned'])
    .executeTakeFirst();
  if (open) return null;
  return db
    .insertInto('point_recommendation')
    .values({
      kind: v.kind,
      level: v.level,
      subject_type: v.subjectType,
      subject_id: v.subjectId,
      subject_name: v.subjectName,
      reason: v.reason,
      from_code: v.fromCode,
      to_code: v.toCode,
      scope_key: v.scopeKey,
      recommended_by: v.by,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
}

const TO_STATE: Record<Decision, RecommendationState> = { select: 'selected', return: 'returned', reject: 'rejected' };

/** The reviewing node's decision on a pending recommendation (409 if another reviewer decided it meanwhile). */
export async function decideRecommendation(db: Tx, id: number, decision: Decision, reason: string | null, by: number) {
  const moved = await db
    .updateTable('point_recommendation')
    .set({
      state: TO_STATE[decision],
      review_reason: reason,
      reviewed_by: by,
      reviewed_at: new Date(),
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .where('state', '=', 'pending')
    .executeTakeFirst();
  expectMoved(moved, '该推荐');
}

/** The recommending node sends a returned recommendation again, with its reasons amended (409 if it was sent meanwhile). */
export async function resendRecommendation(db: Tx, id: number, reason: string) {
  const moved = await db
    .updateTable('point_recommendation')
    .set({
      state: 'pending',
      reason,
      review_reason: null,
      reviewed_by: null,
      reviewed_at: null,
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .where('state', '=', 'returned')
    .executeTakeFirst();
  expectMoved(moved, '该推荐');
}
