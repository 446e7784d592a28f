// The labels come from the domain rules the server uses, so the UI and the API never word a code differently.
export { BODY_LABEL, ORG_KIND_LABEL, SETUP_MODE_LABEL, ORG_STATUS_LABEL, OFFICER_ROLE_LABEL } from '@domain/orgs/rules';
export { ZONE_KIND_LABEL } from '@domain/orgs/grouping';
export { COVERAGE_FILTERS, type CoverageFilter } from '@domain/coverage/coverage';
export {
  SOURCE_LABEL,
  TARGET_LABEL,
  GUIDANCE_KIND_LABEL,
  INSTRUCTOR_STATUS_LABEL,
} from '@domain/instructors/instructors';

export {
  BUSINESS_LABEL,
  PLATFORM_STATUS_LABEL,
  STATION_STATUS_LABEL,
  RIDER_ROLE_LABEL,
  OUTCOME_LABEL,
} from '@domain/platforms/labels';
export { CARD_STATE_LABEL, RIDER_ORG_TYPE_LABEL } from '@domain/platforms/orgs';
export {
  ENTITY_KIND_LABEL,
  ENTITY_ROLE_LABEL,
  ENTITY_STATUS_LABEL,
  MEMBERSHIP_LABEL,
  MEMBER_SOURCE_LABEL,
  MEMBER_STATUS_LABEL,
} from '@domain/ledger/labels';
import { ENTITY_STATUS_LABEL } from '@domain/ledger/labels';

/** An entity's registration status as [label, tag colour]: the label from the domain, the colour the UI's. */
const STATUS_COLOUR: Record<keyof typeof ENTITY_STATUS_LABEL, string> = {
  active: 'green',
  deregistered: 'default',
  revoked: 'red',
  moved_out: 'orange',
};
export const ENTITY_STATUS: Record<string, [string, string]> = Object.fromEntries(
  Object.entries(ENTITY_STATUS_LABEL).map(([k, label]) => [
    k,
    [label, STATUS_COLOUR[k as keyof typeof ENTITY_STATUS_LABEL]],
  ]),
);
