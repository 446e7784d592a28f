import type { Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Decision, RecommendationState } from '../../domain/recognition/recommendations.js';

type Tx = Transaction<DB>;

export const SUBJECT_TABLE = { entity: 'entity', org: 'party_org', zone: 'zone', platform: 'platform' } as const;
export type SubjectType = keyof typeof SUBJECT_TABLE;

/** Recommendations the caller sees (row-level security: those of its subtree), newest first. */
export function recommendationList(db: Tx) {
  return db.selectFrom('point_recommendation as r')
    .innerJoin('jurisdiction as f', 'f.code', 'r.from_code')
    .select(['r.id', 'r.kind', 'r.level', 'r.subject_type', 'r.subject_id', 'r.subject_name', 'r.reason', 'r.from_code', 'f.name as from_name', 'r.to_code', 'r.state',
      'r.review_reason', 'r.created_at', 'r.reviewed_at', 'r.scope_key']);
}
export type RecommendationRow = Awaited<ReturnType<ReturnType<typeof recommendationList>['execute']>>[number];

export const recommendationById = (db: Tx, id: number) => recommendationList(db).where('r.id', '=', id).executeTakeFirst();

/** A subject the caller may recommend: visible in its scope. */
export function subjectOf(db: Tx, type: SubjectType, id: number) {
  return db.selectFrom(SUBJECT_TABLE[type]).select(['name', 'scope_key']).where('id', '=', id).executeTakeFirst();
}

export async function insertRecommendation(db: Tx, v: {
  kind: 'contact' | 'demo'; level: 'province' | 'city' | 'county'; subjectType: SubjectType; subjectId: number; subjectName: string; reason: string;
  fromCode: string; toCode: string; scopeKey: string; by: number;
}) {
  const open = await db.selectFrom('point_recommendation').select('id').where('kind', '=', v.kind).where('subject_type', '=', v.subjectType)
    .where('subject_id', '=', v.subjectId).where('to_code', '=', v.toCode).where('state', 'in', ['pending', 'returned']).executeTakeFirst();
  if (open) return null;
  return db.insertInto('point_recommendation').values({
    kind: v.kind, level: v.level, subject_type: v.subjectType, subject_id: v.subjectId, subject_name: v.subjectName, reason: v.reason,
    from_code: v.fromCode, to_code: v.toCode, scope_key: v.scopeKey, recommended_by: v.by,
  }).returning('id').executeTakeFirstOrThrow();
}

const TO_STATE: Record<Decision, RecommendationState> = { select: 'selected', return: 'returned', reject: 'rejected' };

export async function decide(db: Tx, id: number, decision: Decision, reason: string | null, by: number) {
  await db.updateTable('point_recommendation')
    .set({ state: TO_STATE[decision], review_reason: reason, reviewed_by: by, reviewed_at: new Date(), updated_at: new Date() })
    .where('id', '=', id).where('state', '=', 'pending').execute();
}

export async function resubmit(db: Tx, id: number, reason: string) {
  await db.updateTable('point_recommendation').set({ state: 'pending', reason, review_reason: null, reviewed_by: null, reviewed_at: null, updated_at: new Date() })
    .where('id', '=', id).where('state', '=', 'returned').execute();
}
