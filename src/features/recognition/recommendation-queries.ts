import type { Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import { POINT_KIND_LABEL, POINT_LEVEL_LABEL, POINT_SUBJECT_LABEL } from '../../domain/recognition/points.js';
import { RECOMMENDATION_STATE_LABEL, type RecommendationState } from '../../domain/recognition/recommendations.js';
import { notFound } from '../../http/errors.js';
import { pageFrom } from '../../http/paging.js';
import { attachmentsOf } from '../attachments/index.js';

/** The point recommendations' reads: the list, one recommendation, the subject recommended (or designated), the node recommended to. */

type Tx = Transaction<DB>;
type Me = { jurisdictionCode: string };

export const SUBJECT_TABLE = { entity: 'entity', org: 'party_org', zone: 'zone', platform: 'platform' } as const;
export type SubjectType = keyof typeof SUBJECT_TABLE;

/** Recommendations the caller sees (row-level security: those of its subtree), newest first. */
function recommendationList(db: Tx) {
  return db
    .selectFrom('point_recommendation as r')
    .innerJoin('jurisdiction as f', 'f.code', 'r.from_code')
    .select([
      'r.id',
      'r.kind',
      'r.level',
      'r.subject_type',
      'r.subject_id',
      'r.subject_name',
      'r.reason',
      'r.from_code',
      'f.name as from_name',
      'r.to_code',
      'r.state',
      'r.review_reason',
      'r.created_at',
      'r.reviewed_at',
      'r.scope_key',
    ]);
}
type RecommendationRow = Awaited<ReturnType<ReturnType<typeof recommendationList>['execute']>>[number];

export const recommendationById = (db: Tx, id: number) =>
  recommendationList(db).where('r.id', '=', id).executeTakeFirst();

/** A recommendation as the caller's node sees it: whether it may review it or send it again. */
export const itemFor = (me: Me) => (x: RecommendationRow) => ({
  id: Number(x.id),
  kind: x.kind,
  kindLabel: POINT_KIND_LABEL[x.kind],
  level: x.level,
  levelLabel: POINT_LEVEL_LABEL[x.level],
  subjectType: x.subject_type,
  subjectTypeLabel: POINT_SUBJECT_LABEL[x.subject_type],
  subjectId: Number(x.subject_id),
  subjectName: x.subject_name,
  reason: x.reason,
  fromCode: x.from_code,
  fromName: x.from_name,
  toCode: x.to_code,
  state: x.state,
  stateLabel: RECOMMENDATION_STATE_LABEL[x.state],
  reviewReason: x.review_reason,
  createdAt: new Date(x.created_at).toISOString(),
  reviewedAt: x.reviewed_at ? new Date(x.reviewed_at).toISOString() : null,
  reviewable: x.state === 'pending' && x.to_code === me.jurisdictionCode,
  resendable: x.state === 'returned' && x.from_code === me.jurisdictionCode,
});

type Filters = { direction?: 'incoming' | 'outgoing'; state?: RecommendationState; page: number; pageSize: number };

/** One page of the recommendations sent to the caller's node (incoming), sent by it (outgoing), or both; newest first. */
export function recommendationsPage(db: Tx, me: Me, f: Filters) {
  let q = recommendationList(db);
  if (f.direction === 'incoming') q = q.where('r.to_code', '=', me.jurisdictionCode);
  if (f.direction === 'outgoing') q = q.where('r.from_code', '=', me.jurisdictionCode);
  if (f.state) q = q.where('r.state', '=', f.state);
  return pageFrom(q, f, (q) => q.orderBy('r.created_at', 'desc').orderBy('r.id', 'desc'), itemFor(me));
}

/** One recommendation with its files. */
export async function recommendationDetail(db: Tx, me: Me, id: number) {
  const x = await recommendationById(db, id);
  if (!x) throw notFound('推荐');
  return {
    ...itemFor(me)(x),
    attachments: (await attachmentsOf(db, 'point_recommendation', [Number(x.id)])).get(Number(x.id)) ?? [],
  };
}

/** A subject the caller may recommend: visible in its scope. */
export function subjectOf(db: Tx, type: SubjectType, id: number) {
  return db.selectFrom(SUBJECT_TABLE[type]).select(['name', 'scope_key']).where('id', '=', id).executeTakeFirst();
}

/** The node above the given one (the one a recommendation goes to); null at the top. */
export async function parentCodeOf(db: Tx, code: string) {
  const j = await db
    .selectFrom('jurisdiction')
    .select('parent_code')
    .where('code', '=', code)
    .executeTakeFirstOrThrow();
  return j.parent_code;
}
