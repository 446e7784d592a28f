import { isEnded, type CaseKind, type EndedStatus } from './workflow.js';

/**
 * The conditions that raise discovery cases (组织找党员), as pure rules over one entity's facts.
 * A case is open while its condition holds; when a change makes it false, the case closes itself
 * with the reason whyResolved gives; when it holds again, a new case is raised. A full discovery
 * run and the incremental path (on each import batch, organization edit, entity change) both
 * derive the cases of an entity with casesHeld, so they agree.
 */
/** The kinds derived from an entity's facts (a self-report is raised by the public, a roster absence by a full roster's end). */
export type DiscoveryKind = Exclude<CaseKind, 'self_report' | 'roster_absent'>;
export const DISCOVERY_KINDS: DiscoveryKind[] = [
  'hidden_member',
  'pocket_member',
  'entity_without_org',
  'declared_not_found',
];

/** What each kind of case says is so, in the words the work list shows. */
export const CASE_CONDITION: Record<DiscoveryKind, string> = {
  hidden_member: '主体中找到的党员多于其最新年报申报的党员人数',
  pocket_member: '在主体中找到的党员，组织关系既不在覆盖该主体的党组织，也不指向主体或其所在地，且未登记为流动党员',
  entity_without_org: '主体有党员（找到或年报申报），但既未建立也未纳入党组织',
  declared_not_found: '最新年报申报有党员，但名册中一人也未找到',
};

/** The condition of a roster_absent case (raised at a full roster's end, features/discovery/absent.ts). */
export const ROSTER_ABSENT_CONDITION =
  '该党员曾在本辖区导入的党员名册中，其所在党组织的最新完整名册中已没有此人（可能已转出、停止党籍、去世，或名册有遗漏）';

/** A roster member linked to one of the entity's roles. vouched: someone other than the report vouches for them (roster, staff, the member). */
export type FoundMember = {
  member: number;
  role: number;
  method: string;
  score: number;
  levels: unknown;
  vouched: boolean;
  status: string;
  orgRelation: string | null;
  /**
   * 个体转企业: the member keeps this 个体工商户 (经营者) and is the legal representative of an operating
   * enterprise registered on or after it (the registry shows the enterprise beside the old 个体 while
   * both are 存续): the enterprise's name. The member's own cases are held on that enterprise only.
   */
  convertedTo?: string | null;
};

export type EntityFacts = {
  entityId: number;
  name: string;
  scopeKey: string;
  /** 存续 (active) or not: 注销, 吊销, 迁出. */
  status: string;
  /** Names that place the entity: the station's served areas and the county's name. */
  areas: string[];
  /** The latest annual report's member count, organization form and year (null: no report). */
  declared: number | null;
  orgForm: number | null;
  reportYear: number | null;
  /** Party organizations (not dissolved) covering the entity, by name. */
  orgs: string[];
  /** Members registered with an organization covering the entity. */
  registered: number[];
  found: FoundMember[];
};

export type HeldCase = {
  kind: DiscoveryKind;
  entityId: number;
  memberId: number | null;
  scopeKey: string;
  evidence: Record<string, unknown>;
};

/** Whether an org relation (free text from the roster) names the entity or its area. */
export function relationCovers(orgRelation: string | null, entity: { name: string; areas: string[] }): boolean {
  if (!orgRelation) return false;
  const core = entity.name.replace(/(有限责任公司|股份有限公司|有限公司|公司)$/, '');
  return (
    (core.length >= 2 && orgRelation.includes(core)) ||
    entity.areas.some((a) => a.length >= 2 && orgRelation.includes(a.replace(/(街道|镇|乡)$/, '')))
  );
}

// A member whose membership has ended (已转出, 停止党籍, 去世) is no party member found in the entity.
const vouchedFound = (e: EntityFacts) => e.found.filter((f) => f.vouched && !isEnded(f.status));
const distinctMembers = (found: FoundMember[]) => [...new Set(found.map((f) => f.member))];
// The members whose own cases the entity holds: not a keeper whose business went on as an enterprise.
const ownFound = (found: FoundMember[]) => found.filter((f) => !f.convertedTo);

/** Why a converted keeper's cases are not held here (个体转企业), or null. */
const convertedReason = (f: FoundMember | undefined) =>
  f?.convertedTo
    ? `该党员经营的个体工商户已转为企业"${f.convertedTo}"（经营者相同，企业登记在后），在该企业核实，不在本主体重复核实`
    : null;

/** Why a found member is not a pocket member (null: they are one). */
function notPocket(e: EntityFacts, f: FoundMember): string | null {
  if (f.status === 'mobile') return '该党员已登记为流动党员';
  if (e.registered.includes(f.member)) return '该党员已在覆盖本主体的党组织登记';
  if (relationCovers(f.orgRelation, { name: e.name, areas: [...e.areas, ...e.orgs] }))
    return `该党员的组织关系已在"${f.orgRelation}"，覆盖本主体或其所在地`;
  return null;
}

/** The cases whose condition holds for an entity now. Only operating entities raise cases. */
export function casesHeld(e: EntityFacts): HeldCase[] {
  if (e.status !== 'active') return [];
  const found = vouchedFound(e);
  const distinct = distinctMembers(found);
  const declared = e.declared ?? 0;
  const base = { entity: e.name, reportYear: e.reportYear, declared, found: distinct.length };
  const out: HeldCase[] = [];
  const at = { entityId: e.entityId, scopeKey: e.scopeKey };
  // A keeper found here and in the enterprise this 个体 became is verified once, on the enterprise
  // (one person, one business): the member's cases are not raised here. The counts still hold them:
  // the 个体's own report declared them.
  const own = ownFound(found);
  if (distinct.length > declared) {
    for (const f of own)
      out.push({
        kind: 'hidden_member',
        ...at,
        memberId: f.member,
        evidence: { ...base, method: f.method, score: f.score, levels: f.levels },
      });
  }
  for (const f of own) {
    if (!notPocket(e, f))
      out.push({
        kind: 'pocket_member',
        ...at,
        memberId: f.member,
        evidence: { ...base, orgRelation: f.orgRelation, memberStatus: f.status, method: f.method, score: f.score },
      });
  }
  if ((own.length > 0 || declared > 0) && !e.orgForm && !e.orgs.length)
    out.push({ kind: 'entity_without_org', ...at, memberId: null, evidence: { ...base, orgForm: e.orgForm } });
  if (declared > 0 && distinct.length === 0)
    out.push({ kind: 'declared_not_found', ...at, memberId: null, evidence: base });
  return out;
}

const STATUS_LABEL: Record<string, string> = {
  deregistered: '已注销',
  revoked: '已被吊销营业执照',
  moved_out: '已迁出',
};

const ENDED_LABEL: Record<EndedStatus, string> = {
  transferred_out: '组织关系已转出',
  stopped: '已停止党籍',
  deceased: '已去世',
};

/**
 * Why a case's condition no longer holds, given the entity's facts now (null: the entity is gone)
 * and the status of the case's member now, when known. Called for a case casesHeld no longer derives.
 */
export function whyResolved(
  kind: DiscoveryKind,
  memberId: number | null,
  e: EntityFacts | null,
  memberStatus?: string,
): string {
  if (!e) return '市场主体已不在台账中';
  if (e.status !== 'active') return `市场主体${STATUS_LABEL[e.status] ?? '已不在存续状态'}`;
  const found = vouchedFound(e);
  const distinct = distinctMembers(found);
  const declared = e.declared ?? 0;
  const mine = found.find((x) => x.member === memberId);
  const gone = isEnded(memberStatus)
    ? `该党员${ENDED_LABEL[memberStatus]}，不再计为本主体的党员`
    : '该党员已不再关联到本主体（名册或登记信息变更，或已在其他主体找到）';
  switch (kind) {
    case 'hidden_member':
      if (memberId !== null && !distinct.includes(memberId)) return gone;
      if (convertedReason(mine)) return convertedReason(mine)!;
      return `最新年报（${e.reportYear ?? '—'}年度）申报党员 ${declared} 名，不少于找到的 ${distinct.length} 名`;
    case 'pocket_member':
      return convertedReason(mine) ?? (mine && notPocket(e, mine)) ?? gone;
    case 'entity_without_org':
      if (e.orgs.length) return `已建立或纳入党组织：${e.orgs.join('、')}`;
      if (e.orgForm) return `最新年报（${e.reportYear ?? '—'}年度）填报已建立党组织`;
      return convertedReason(found.find((f) => f.convertedTo)) ?? '主体已无找到或申报的党员';
    case 'declared_not_found':
      if (distinct.length) return `已在名册中找到 ${distinct.length} 名党员`;
      return `最新年报（${e.reportYear ?? '—'}年度）未申报党员`;
  }
}

/**
 * What a person's decision on a case rests on, by kind: the evidence that, changed, makes a
 * confirmed or dismissed case worth verifying again. Not the report year, the entity's name or how
 * the member was matched: a new year's report that says the same, or a report's member count, does
 * not undo a decision on a member's org relation (a dismissed pocket case was reopened by any report).
 */
const DECISION_BASIS: Record<DiscoveryKind, readonly string[]> = {
  hidden_member: ['declared', 'found'],
  pocket_member: ['orgRelation', 'memberStatus'],
  entity_without_org: ['declared', 'found', 'orgForm'],
  declared_not_found: ['declared', 'found'],
};

/** Whether a decided case's evidence changed in what its decision rests on (unknown before: it did). */
export function decisionBasisChanged(
  kind: DiscoveryKind,
  before: Record<string, unknown> | null,
  after: Record<string, unknown>,
): boolean {
  if (!before) return true;
  return DECISION_BASIS[kind].some((k) => JSON.stringify(before[k] ?? null) !== JSON.stringify(after[k] ?? null));
}

/** The key a case is unique on while not resolved. */
export const caseKey = (kind: string, entityId: number, memberId: number | null) =>
  `${kind}|${entityId}|${memberId ?? 0}`;
