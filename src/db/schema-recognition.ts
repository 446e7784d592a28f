import type { ColumnType, Generated } from 'kysely';

/** Kysely types of migration 0013_recognition.sql (points, honours, violations, campaigns, training); DB extends them. */

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;

export type PointKind = 'contact' | 'demo';
export type PointLevel = 'province' | 'city' | 'county';
export type HonourState = 'nominated' | 'approved' | 'rejected' | 'awarded' | 'revoked';
export type AwardLevel = 'nation' | 'province' | 'city' | 'county';

export interface RecognitionPointTable {
  id: Generated<number>;
  kind: PointKind;
  level: PointLevel;
  subject_type: 'entity' | 'org' | 'zone' | 'platform';
  entity_id: number | null;
  org_id: number | null;
  zone_id: number | null;
  platform_id: number | null;
  subject_name: string;
  designated_on: string;
  responsible_name: string | null;
  responsible_user_id: number | null;
  criteria: ColumnType<string[], string[] | undefined, string[]>;
  evidence: string | null;
  status: ColumnType<'active' | 'revoked', 'active' | 'revoked' | undefined, 'active' | 'revoked'>;
  revoked_on: string | null;
  revoke_reason: string | null;
  /** Flagged for review by an exit cause (migration 0034). */
  flagged_at: Timestamp | null;
  flag_reason: string | null;
  scope_key: string;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface PointReviewTable {
  id: Generated<number>;
  point_id: number;
  year: number;
  outcome: 'keep' | 'revoke';
  reason: string | null;
  reviewed_on: string;
  reviewer_id: number | null;
  scope_key: string;
  created_at: CreatedAt;
}

export interface EntityViolationTable {
  id: Generated<number>;
  entity_id: number;
  occurred_on: string;
  description: string;
  recorded_by: number | null;
  scope_key: string;
  created_at: CreatedAt;
}

export interface HonourTable {
  id: Generated<number>;
  kind: string;
  entity_id: number | null;
  zone_id: number | null;
  member_id: number | null;
  subject_name: string;
  state: ColumnType<HonourState, HonourState | undefined, HonourState>;
  nominated_on: string;
  nomination_note: string | null;
  review_note: string | null;
  level: AwardLevel | null;
  year: number | null;
  awarded_on: string | null;
  revoked_on: string | null;
  revoke_reason: string | null;
  flagged_at: Date | null;
  flag_reason: string | null;
  scope_key: string;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export type CampaignTheme = 'party_history' | 'theme_education' | 'yearly_theme' | 'other';

export interface CampaignTable {
  id: Generated<number>;
  name: string;
  theme: CampaignTheme;
  starts_on: string;
  ends_on: string;
  description: string | null;
  jurisdiction_code: string;
  scope_key: string;
  created_at: CreatedAt;
  updated_at: Timestamp;
  cancelled_at: ColumnType<Date | string | null, Date | string | null | undefined, Date | string | null>;
  cancel_reason: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface CampaignOrgTable {
  campaign_id: number;
  org_id: number;
  members: number;
  scope_key: string;
}

export interface CampaignActivityTable {
  id: Generated<number>;
  campaign_id: number;
  org_id: number | null;
  held_on: string;
  title: string;
  participants: number;
  note: string | null;
  scope_key: string;
  created_at: CreatedAt;
}

export interface TrainingClassTable {
  id: Generated<number>;
  name: string;
  level: AwardLevel;
  starts_on: string;
  ends_on: string;
  place: string | null;
  jurisdiction_code: string;
  scope_key: string;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface TrainingTraineeTable {
  id: Generated<number>;
  class_id: number;
  officer_id: number;
  attended: ColumnType<boolean, boolean | undefined, boolean>;
  completed: ColumnType<boolean, boolean | undefined, boolean>;
  scope_key: string;
}

export interface RecognitionTables {
  recognition_point: RecognitionPointTable;
  point_review: PointReviewTable;
  entity_violation: EntityViolationTable;
  honour: HonourTable;
  campaign: CampaignTable;
  campaign_org: CampaignOrgTable;
  campaign_activity: CampaignActivityTable;
  training_class: TrainingClassTable;
  training_trainee: TrainingTraineeTable;
}
