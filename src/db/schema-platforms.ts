import type { ColumnType, Generated } from 'kysely';

/** Kysely types of migration 0017_platforms.sql (new employment groups, assistance programs); DB extends them. */

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;

import type { AssistanceOutcome, PlatformBusiness } from '../domain/platforms/labels.js';
export type { AssistanceOutcome, PlatformBusiness };

export interface PlatformTable {
  id: Generated<number>;
  name: string;
  business: PlatformBusiness;
  entity_id: number | null;
  headquarters: string | null;
  status: ColumnType<'active' | 'exited', 'active' | 'exited' | undefined, 'active' | 'exited'>;
  note: string | null;
  jurisdiction_code: string;
  scope_key: string;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface PlatformPartnerTable {
  id: Generated<number>;
  platform_id: number;
  name: string;
  entity_id: number | null;
  contact_name: string | null;
  note: string | null;
  county_code: string;
  station_code: string | null;
  scope_key: string;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface DeliveryStationTable {
  id: Generated<number>;
  platform_id: number;
  partner_id: number | null;
  name: string;
  address: string | null;
  entity_id: number | null;
  status: ColumnType<'open' | 'closed', 'open' | 'closed' | undefined, 'open' | 'closed'>;
  opened_on: string | null;
  closed_on: string | null;
  note: string | null;
  county_code: string;
  station_code: string | null;
  scope_key: string;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface RiderCountTable {
  id: Generated<number>;
  delivery_station_id: number;
  as_of: string;
  riders: number;
  recorded_by: number | null;
  scope_key: string;
  created_at: CreatedAt;
}

export interface RiderPersonTable {
  id: Generated<number>;
  delivery_station_id: number;
  person_id: number;
  role: 'member' | 'activist';
  member_id: number | null;
  since: string;
  left_on: string | null;
  scope_key: string;
  created_at: CreatedAt;
}

export interface PartyOrgUnitTable {
  id: Generated<number>;
  org_id: number;
  platform_id: number | null;
  delivery_station_id: number | null;
  scope_key: string;
}

export interface MobileCardTable {
  id: Generated<number>;
  member_id: number;
  org_id: number;
  card_no: string;
  issued_by: string;
  issued_on: string;
  expires_on: string;
  returned_on: string | null;
  scope_key: string;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface NewEmploymentCoverageFactsView {
  unit_type: 'platform' | 'delivery_station';
  unit_id: number;
  platform_id: number;
  scope_key: string;
  operating: boolean;
  any_org: boolean;
  work: boolean;
}

export interface AssistanceProgramTable {
  id: Generated<number>;
  name: string;
  business_line: string;
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

export interface AssistanceEntityTable {
  id: Generated<number>;
  program_id: number;
  entity_id: number;
  joined_on: string;
  problem: string | null;
  actions: string | null;
  outcome: ColumnType<AssistanceOutcome, AssistanceOutcome | undefined, AssistanceOutcome>;
  outcome_note: string | null;
  scope_key: string;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface PlatformTables {
  platform: PlatformTable;
  platform_partner: PlatformPartnerTable;
  delivery_station: DeliveryStationTable;
  rider_count: RiderCountTable;
  rider_person: RiderPersonTable;
  party_org_unit: PartyOrgUnitTable;
  mobile_card: MobileCardTable;
  new_employment_coverage_facts: NewEmploymentCoverageFactsView;
  assistance_program: AssistanceProgramTable;
  assistance_entity: AssistanceEntityTable;
}
