import type { ColumnType, Generated } from 'kysely';

/** Kysely types of migration 0034_credit_exit.sql (credit lists, exit reviews and their effects); DB extends them. */

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface CreditListingTable {
  id: Generated<number>;
  list: 'abnormal' | 'untrustworthy';
  entity_id: number;
  scope_key: string;
  listed_on: string;
  listed_reason: string;
  listed_authority: string | null;
  removed_on: string | null;
  removed_reason: string | null;
  removed_authority: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ExitReviewTable {
  id: Generated<number>;
  entity_id: number;
  scope_key: string;
  cause: 'deregistered' | 'revoked' | 'abnormal' | 'untrustworthy';
  listing_id: number | null;
  reason: string;
  state: ColumnType<
    'open' | 'reviewed' | 'lift_pending' | 'closed',
    'open' | undefined,
    'open' | 'reviewed' | 'lift_pending' | 'closed'
  >;
  suspends: boolean;
  opened_at: Timestamp;
  cleared_at: Timestamp | null;
  reviewed_at: Timestamp | null;
  reviewed_by: number | null;
  review_note: string | null;
  closed_at: Timestamp | null;
  closed_by: number | null;
  close_note: string | null;
}

export interface ExitEffectTable {
  id: Generated<number>;
  review_id: number;
  entity_id: number;
  scope_key: string;
  effect: string;
  object_type: string;
  object_id: number;
  cause: string;
  listing_id: number | null;
  tx: number;
  at: Timestamp;
}

export interface ExitTables {
  credit_listing: CreditListingTable;
  exit_review: ExitReviewTable;
  exit_effect: ExitEffectTable;
}
