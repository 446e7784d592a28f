// The labels come from the domain rules the server uses, so the UI and the API never word a code differently.
export { ORG_KIND_LABEL, SETUP_MODE_LABEL, ORG_STATUS_LABEL, OFFICER_ROLE_LABEL } from '@domain/orgs/rules';
export { ZONE_KIND_LABEL } from '@domain/orgs/grouping';
export { COVERAGE_FILTERS, type CoverageFilter } from '@domain/coverage/coverage';
export { SOURCE_LABEL, TARGET_LABEL, GUIDANCE_KIND_LABEL, INSTRUCTOR_STATUS_LABEL } from '@domain/instructors/instructors';

export const BODY_LABEL: Record<string, string> = { party: '党组织', league: '团组织' };
export { BUSINESS_LABEL, PLATFORM_STATUS_LABEL, STATION_STATUS_LABEL, RIDER_ROLE_LABEL, OUTCOME_LABEL } from '@domain/platforms/labels';
export { CARD_STATE_LABEL } from '@domain/platforms/orgs';
