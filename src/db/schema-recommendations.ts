import type { ColumnType, Generated } from 'kysely';

/** Kysely types of the 推荐 part of migration 0031_unit_logins.sql; DB extends them. */

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export type RecommendationState = 'pending' | 'selected' | 'returned' | 'rejected';

export interface PointRecommendationTable {
  id: Generated<number>;
  kind: 'contact' | 'demo';
  level: 'province' | 'city' | 'county';
  subject_type: 'entity' | 'org' | 'zone' | 'platform';
  subject_id: number;
  subject_name: string;
  reason: string;
  from_code: string;
  to_code: string;
  state: ColumnType<RecommendationState, RecommendationState | undefined, RecommendationState>;
  review_reason: string | null;
  recommended_by: number | null;
  reviewed_by: number | null;
  reviewed_at: Date | null;
  scope_key: string;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface RecommendationTables {
  point_recommendation: PointRecommendationTable;
}
