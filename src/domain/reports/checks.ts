/**
 * Consistency checks a report passes before it goes up (审核关系): each compares counts of one
 * row and explains a failure in Chinese. Live figures pass them by construction; a snapshot, a
 * definition changed between months or a ledger repaired since may not, and the level above
 * needs to know why before it adds the figures up.
 */
import { COUNTS, orgKindKey, setupModeKey, type CountKey, type Counts } from '../indicators/registry.js';
import { ORG_KIND_LABEL, SETUP_MODE_LABEL, type OrgKind, type SetupMode } from '../orgs/rules.js';

export type Check = { code: string; label: string; failure: (c: Counts) => string | null };
export type CheckFailure = { code: string; label: string; row: string; message: string };

const L = (k: CountKey) => COUNTS[k].label;
/** a ≤ b, else the two figures named with their values. */
const atMost = (code: string, a: CountKey, b: CountKey): Check => ({
  code,
  label: `${L(a)}不超过${L(b)}`,
  failure: (c) => (c[a] <= c[b] ? null : `${L(a)}（${c[a]}）多于${L(b)}（${c[b]}）`),
});
/** The parts add up to the whole, else both sums named. */
const addsUp = (code: string, label: string, whole: CountKey, parts: CountKey[]): Check => ({
  code,
  label,
  failure: (c) => {
    const sum = parts.reduce((s, k) => s + c[k], 0);
    return sum === c[whole] ? null : `${parts.map(L).join('、')}合计 ${sum}，与${L(whole)}（${c[whole]}）不符`;
  },
});

export const CHECKS: readonly Check[] = [
  atMost('org_le_entities', 'anyOrg', 'operating'),
  atMost('own_le_any', 'ownOrg', 'anyOrg'),
  atMost('any_le_work', 'anyOrg', 'work'),
  atMost('members_le_entities', 'withMembers', 'operating'),
  atMost('members_org_le_members', 'membersAnyOrg', 'withMembers'),
  addsUp('kinds_add_up', '主体按类型合计等于存续主体', 'operating', [
    'kindEnterprise',
    'kindIndividual',
    'kindCooperative',
  ]),
  addsUp(
    'org_kinds_add_up',
    '党组织按类型合计等于已建党组织',
    'orgsEstablished',
    (Object.keys(ORG_KIND_LABEL) as OrgKind[]).map(orgKindKey),
  ),
  addsUp(
    'org_modes_add_up',
    '党组织按建立方式合计等于已建党组织',
    'orgsEstablished',
    (Object.keys(SETUP_MODE_LABEL) as SetupMode[]).map(setupModeKey),
  ),
  atMost('trained_le_secretaries', 'secretariesTrained', 'secretaries'),
];

/** Every failure over the report's rows, each naming the row. */
export function runChecks(rows: readonly { name: string; counts: Counts }[]): CheckFailure[] {
  return rows.flatMap((r) =>
    CHECKS.flatMap((ch) => {
      const message = ch.failure(r.counts);
      return message ? [{ code: ch.code, label: ch.label, row: r.name, message: `${r.name}：${message}` }] : [];
    }),
  );
}
