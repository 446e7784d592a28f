import type { RuleSettings } from '../settings/settings.js';
import { ORG_KIND_LABEL, orgKindFor, type OrgKind } from './rules.js';

/**
 * Deterministic proposals for setting up party organizations among entities that have none
 * (DOMAIN.md "Rules for party organizations"): standalone where an entity has enough full
 * members; otherwise a joint branch with neighbours, tightest location first (zone, then the
 * station's individual businesses, then the station's other entities); otherwise affiliation;
 * and work coverage for entities with no members at all. Nothing here reads or writes data.
 */
export type ZoneKind = 'market' | 'park' | 'building' | 'district';
export type Candidate = {
  entityId: number;
  name: string;
  kind: 'enterprise' | 'individual' | 'cooperative';
  countyCode: string;
  stationCode: string | null;
  stationName: string | null;
  zones: { id: number; kind: ZoneKind; name: string }[];
  fullMembers: number;
  /** full + probationary */
  members: number;
  hasOrg: boolean;
  hasWork: boolean;
};
export type ProposalMode = 'standalone' | 'zone' | 'joint' | 'station' | 'affiliated' | 'work';
/** Each proposal mode in words, in the order the web lists them. */
export const PROPOSAL_MODE_LABEL: Record<ProposalMode, string> = {
  standalone: '单独组建',
  zone: '依托区域联合组建',
  station: '个体工商户联合党支部',
  joint: '同所联合组建',
  affiliated: '挂靠组建',
  work: '工作覆盖',
};
export const PROPOSAL_MODES = Object.keys(PROPOSAL_MODE_LABEL) as ProposalMode[];
/** A proposal's state in words, in the order the web lists them. */
export const PROPOSAL_STATE_LABEL = { open: '待处理', accepted: '已采纳', rejected: '不采纳' } as const;
export type Proposal = {
  mode: ProposalMode;
  orgKind: OrgKind | null;
  countyCode: string;
  stationCode: string | null;
  zoneId: number | null;
  entityIds: number[];
  fullMembers: number;
  members: number;
  explanation: string;
  suggestedName: string;
};

export const ZONE_KIND_LABEL: Record<ZoneKind, string> = {
  building: '楼宇',
  market: '专业市场',
  park: '园区',
  district: '商圈',
};
export const AFFILIATED_TARGET = '挂靠所在乡镇（街道）或村（社区）党组织';
/** Tightest location first: members in one building meet most easily. */
const ZONE_ORDER: ZoneKind[] = ['building', 'market', 'park', 'district'];
const MODE_RANK: Record<ProposalMode, number> = {
  standalone: 0,
  zone: 1,
  station: 2,
  joint: 3,
  affiliated: 4,
  work: 5,
};

type Caps = { minFull: number; maxUnits: number; maxFull: number };
type Group = { items: Candidate[]; full: number };
type Place = { countyCode: string; stationCode: string | null; zoneId: number | null };

export function proposeSetups(cands: Candidate[], s: RuleSettings): Proposal[] {
  const open = prepare(cands);
  const out: Proposal[] = [];
  const joint: Candidate[] = [];
  for (const c of open) {
    if (c.members < 1) continue;
    if (c.fullMembers >= s.standaloneMinFullMembers) out.push(standaloneProposal(c, s));
    else joint.push(c);
  }
  const placed = new Set<number>();
  out.push(...zoneProposals(joint, placed, s));
  out.push(...stationProposals(joint, placed, s));
  out.push(...joint.filter((c) => !placed.has(c.entityId)).map((c) => affiliatedProposal(c, s)));
  out.push(...workProposals(open));
  return out.sort(compareProposals);
}

/**
 * An upper bound on how many joint candidates any valid grouping could place, whatever locations
 * it used. Groups never span counties, so counties are independent. In a county with n joint
 * candidates holding F full members, groups are disjoint and each needs at least
 * `standaloneMinFullMembers` full members, so there are at most floor(F / min) groups; each holds
 * at most `jointBranchMaxUnits` units; and at most n entities exist to place. So the county places
 * at most min(n, maxUnits × floor(F / min)); dropping the other caps only loosens the bound.
 */
export function jointUpperBound(cands: Candidate[], s: RuleSettings): { candidates: number; bound: number } {
  const byCounty = new Map<string, { n: number; full: number }>();
  for (const c of prepare(cands)) {
    if (c.members < 1 || c.fullMembers >= s.standaloneMinFullMembers) continue;
    const t = byCounty.get(c.countyCode) ?? { n: 0, full: 0 };
    byCounty.set(c.countyCode, { n: t.n + 1, full: t.full + c.fullMembers });
  }
  let candidates = 0;
  let bound = 0;
  for (const { n, full } of byCounty.values()) {
    candidates += n;
    bound += Math.min(n, s.jointBranchMaxUnits * Math.floor(full / s.standaloneMinFullMembers));
  }
  return { candidates, bound };
}

/** Sorted by id (so input order never matters), without organized entities; members includes full. */
function prepare(cands: Candidate[]): Candidate[] {
  const sorted = [...cands].sort((a, b) => a.entityId - b.entityId);
  sorted.forEach((c, i) => {
    if (i > 0 && sorted[i - 1].entityId === c.entityId) throw new Error(`市场主体 ${c.entityId} 重复`);
  });
  return sorted.filter((c) => !c.hasOrg).map((c) => ({ ...c, members: Math.max(c.members, c.fullMembers) }));
}

const capsOf = (s: RuleSettings): Caps => ({
  minFull: s.standaloneMinFullMembers,
  maxUnits: s.jointBranchMaxUnits,
  maxFull: s.branchMaxMembers,
});

// ---- zone level -------------------------------------------------------------------------------

type ZonePool = { countyCode: string; id: number; kind: ZoneKind; name: string; entities: Candidate[] };

function zoneProposals(joint: Candidate[], placed: Set<number>, s: RuleSettings): Proposal[] {
  const zones = indexZones(joint);
  const out: Proposal[] = [];
  // Every building before any market, and so on: an entity in several zones is tried in its tightest first.
  for (const kind of ZONE_ORDER) {
    for (const z of zones.filter((zone) => zone.kind === kind)) {
      const groups = packPool(
        z.entities.filter((c) => !placed.has(c.entityId)),
        capsOf(s),
      );
      groups.forEach((g, i) => {
        markPlaced(g, placed);
        const where = `同一${ZONE_KIND_LABEL[z.kind]} ${z.name}，${g.items.length} 家单位，正式党员 ${g.full} 名`;
        const place = { countyCode: z.countyCode, stationCode: commonStation(g), zoneId: z.id };
        out.push(groupProposal('zone', g, place, where, `${z.name}联合党支部${ordinal(i, groups.length)}`));
      });
    }
  }
  return out;
}

/** Zones keyed by county + zone id (ids are only unique within a county), in county, id order. */
function indexZones(joint: Candidate[]): ZonePool[] {
  const zones = new Map<string, ZonePool>();
  for (const c of joint) {
    for (const z of c.zones) {
      const key = JSON.stringify([c.countyCode, z.id]);
      const pool = zones.get(key) ?? { countyCode: c.countyCode, id: z.id, kind: z.kind, name: z.name, entities: [] };
      zones.set(key, pool);
      if (pool.entities.at(-1) !== c) pool.entities.push(c);
    }
  }
  return [...zones.values()].sort((a, b) => compareStrings(a.countyCode, b.countyCode) || a.id - b.id);
}

// ---- station level ----------------------------------------------------------------------------

function stationProposals(joint: Candidate[], placed: Set<number>, s: RuleSettings): Proposal[] {
  const out: Proposal[] = [];
  for (const pool of stationPools(joint.filter((c) => !placed.has(c.entityId)))) {
    const head = pool[0];
    const place: Place = { countyCode: head.countyCode, stationCode: head.stationCode, zoneId: null };
    const label = stationLabel(pool);
    // Scattered individual businesses first join a station-based branch of their own kind;
    // without a station there is nothing to base it on.
    if (place.stationCode !== null) {
      const groups = packPool(
        pool.filter((c) => c.kind === 'individual'),
        capsOf(s),
      );
      groups.forEach((g, i) => {
        markPlaced(g, placed);
        const where = `同一基层所 ${label.name}，个体工商户 ${g.items.length} 家，正式党员 ${g.full} 名`;
        out.push(
          groupProposal('station', g, place, where, `${label.name}个体工商户联合党支部${ordinal(i, groups.length)}`),
        );
      });
    }
    const groups = packPool(
      pool.filter((c) => !placed.has(c.entityId)),
      capsOf(s),
    );
    groups.forEach((g, i) => {
      markPlaced(g, placed);
      const where = `${label.where}，${g.items.length} 家单位，正式党员 ${g.full} 名`;
      out.push(groupProposal('joint', g, place, where, `${label.name}辖区联合党支部${ordinal(i, groups.length)}`));
    });
  }
  return out;
}

/** Candidates per county + station (null station last in its county), each pool in id order. */
function stationPools(cands: Candidate[]): Candidate[][] {
  const pools = new Map<string, Candidate[]>();
  for (const c of cands) {
    const key = JSON.stringify([c.countyCode, c.stationCode]);
    const pool = pools.get(key);
    if (pool) pool.push(c);
    else pools.set(key, [c]);
  }
  return [...pools.values()].sort(
    (a, b) => compareStrings(a[0].countyCode, b[0].countyCode) || compareStations(a[0].stationCode, b[0].stationCode),
  );
}

function stationLabel(pool: Candidate[]): { name: string; where: string } {
  const { countyCode, stationCode } = pool[0];
  if (stationCode === null)
    return { name: `县（区）${countyCode}`, where: `同一县（区）${countyCode}（未划分基层所）` };
  const name = pool.find((c) => c.stationName)?.stationName ?? `基层所${stationCode}`;
  return { name, where: `同一基层所 ${name}辖区` };
}

// ---- packing one pool -------------------------------------------------------------------------

/**
 * Greedy packing of one pool into joint branches that keep every cap. First form as many groups
 * as possible, since each group can then take in up to maxUnits entities; then put the leftovers
 * (including probationary-only entities) into the groups with the fewest units.
 */
function packPool(pool: Candidate[], caps: Caps): Group[] {
  const buckets = new FullBuckets(
    pool.filter((c) => c.fullMembers > 0),
    caps.minFull,
  );
  const groups: Group[] = [];
  for (let g = formGroup(buckets, caps); g; g = formGroup(buckets, caps)) groups.push(g);
  const inGroup = new Set(groups.flatMap((g) => g.items));
  // More full members first: they are the ones worth placing in the tighter location.
  const leftovers = pool
    .filter((c) => !inGroup.has(c))
    .sort((a, b) => b.fullMembers - a.fullMembers || a.entityId - b.entityId);
  for (const c of leftovers) {
    const g = roomiest(groups, c, caps);
    if (g) addTo(g, c);
  }
  return groups;
}

/**
 * One group: open with the largest full count, then add the largest count that does not
 * overshoot the threshold, else the smallest that passes it. For threshold 3 this pairs 2+1
 * while both exist, then 1+1+1 or 2+2: exact fits first wastes no full members, so the most
 * groups come out. Null when the pool cannot make another group within the caps.
 */
function formGroup(buckets: FullBuckets, caps: Caps): Group | null {
  const first = buckets.takeAtMost(caps.minFull - 1);
  if (!first) return null;
  const g: Group = { items: [first], full: first.fullMembers };
  while (g.full < caps.minFull) {
    if (g.items.length >= caps.maxUnits) return null;
    const need = caps.minFull - g.full;
    const next = buckets.takeAtMost(need) ?? buckets.takeSmallestAbove(need);
    if (!next) return null;
    addTo(g, next);
  }
  return g.full <= caps.maxFull ? g : null;
}

function roomiest(groups: Group[], c: Candidate, caps: Caps): Group | undefined {
  let best: Group | undefined;
  for (const g of groups) {
    const fits = g.items.length < caps.maxUnits && g.full + c.fullMembers <= caps.maxFull;
    if (fits && (!best || g.items.length < best.items.length)) best = g;
  }
  return best;
}

function addTo(g: Group, c: Candidate): void {
  g.items.push(c);
  g.full += c.fullMembers;
}

/** Joint candidates by full-member count (1 … threshold − 1), each bucket in id order. */
class FullBuckets {
  private readonly lists: Candidate[][];
  private readonly heads: number[];
  constructor(cands: Candidate[], threshold: number) {
    this.lists = Array.from({ length: threshold }, () => []);
    for (const c of cands) this.lists[c.fullMembers].push(c);
    this.heads = this.lists.map(() => 0);
  }
  /** The candidate with the largest full count ≤ max. */
  takeAtMost(max: number): Candidate | undefined {
    for (let f = Math.min(max, this.lists.length - 1); f >= 1; f--) if (this.has(f)) return this.take(f);
    return undefined;
  }
  /** The candidate with the smallest full count > min. */
  takeSmallestAbove(min: number): Candidate | undefined {
    for (let f = min + 1; f < this.lists.length; f++) if (this.has(f)) return this.take(f);
    return undefined;
  }
  private has(f: number): boolean {
    return this.heads[f] < this.lists[f].length;
  }
  private take(f: number): Candidate {
    return this.lists[f][this.heads[f]++];
  }
}

// ---- single-entity and work proposals ---------------------------------------------------------

function standaloneProposal(c: Candidate, s: RuleSettings): Proposal {
  const kind = orgKindFor(c.fullMembers, s);
  const size =
    kind === 'general_branch'
      ? `；超过 ${s.branchMaxMembers} 名，宜设党总支`
      : kind === 'committee'
        ? `；超过 ${s.generalBranchMaxMembers} 名，宜设基层党委`
        : '';
  return {
    ...single('standalone', c, kind),
    explanation: `正式党员 ${c.fullMembers} 名，达到单独组建条件（≥${s.standaloneMinFullMembers} 名）${size}`,
    suggestedName: `${c.name}${ORG_KIND_LABEL[kind]}`,
  };
}

function affiliatedProposal(c: Candidate, s: RuleSettings): Proposal {
  const why = `${memberPhrase(c)}，不足 ${s.standaloneMinFullMembers} 名且就近无法组成联合党支部`;
  return {
    ...single('affiliated', c, null),
    explanation: `${why}，${AFFILIATED_TARGET}（也可挂靠行业协会、商会、个私协会或产业链龙头企业党组织）`,
    suggestedName: AFFILIATED_TARGET,
  };
}

const single = (mode: ProposalMode, c: Candidate, orgKind: OrgKind | null) => ({
  mode,
  orgKind,
  countyCode: c.countyCode,
  stationCode: c.stationCode,
  zoneId: null,
  entityIds: [c.entityId],
  fullMembers: c.fullMembers,
  members: c.members,
});

/** Entities with no members and no party work, one task list per county + station. */
function workProposals(open: Candidate[]): Proposal[] {
  return stationPools(open.filter((c) => c.members < 1 && !c.hasWork)).map((pool): Proposal => {
    const label = stationLabel(pool);
    return {
      mode: 'work',
      orgKind: null,
      countyCode: pool[0].countyCode,
      stationCode: pool[0].stationCode,
      zoneId: null,
      entityIds: pool.map((c) => c.entityId),
      fullMembers: 0,
      members: 0,
      explanation: `${label.where}，${pool.length} 家市场主体暂无党员、暂无党建工作：指派党建工作指导员（暂无指导员名册时先建待办任务）并开展"组织找党员"`,
      suggestedName: `${label.name}党建工作覆盖`,
    };
  });
}

// ---- helpers ----------------------------------------------------------------------------------

function groupProposal(
  mode: ProposalMode,
  g: Group,
  place: Place,
  explanation: string,
  suggestedName: string,
): Proposal {
  const entityIds = g.items.map((c) => c.entityId).sort((a, b) => a - b);
  const members = g.items.reduce((n, c) => n + c.members, 0);
  return {
    mode,
    orgKind: 'joint_branch',
    ...place,
    entityIds,
    fullMembers: g.full,
    members,
    explanation,
    suggestedName,
  };
}

/** Names the probationary members too: they explain why a unit without full members is listed. */
function memberPhrase(c: Candidate): string {
  const probationary = c.members - c.fullMembers;
  return `正式党员 ${c.fullMembers} 名${probationary > 0 ? `，预备党员 ${probationary} 名` : ''}`;
}

function markPlaced(g: Group, placed: Set<number>): void {
  for (const c of g.items) placed.add(c.entityId);
}

/** The group's station when all its entities share one; a zone may straddle stations. */
function commonStation(g: Group): string | null {
  const code = g.items[0].stationCode;
  return g.items.every((c) => c.stationCode === code) ? code : null;
}

const CN_DIGITS = '一二三四五六七八九十';
/** "（一）", "（二）" … to tell apart several branches from one pool; nothing when there is one. */
const ordinal = (i: number, total: number): string =>
  total < 2 ? '' : `（${i < CN_DIGITS.length ? CN_DIGITS[i] : i + 1}）`;

function compareProposals(a: Proposal, b: Proposal): number {
  return (
    compareStrings(a.countyCode, b.countyCode) ||
    MODE_RANK[a.mode] - MODE_RANK[b.mode] ||
    a.entityIds[0] - b.entityIds[0]
  );
}

const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const compareStations = (a: string | null, b: string | null): number =>
  a === b ? 0 : a === null ? 1 : b === null ? -1 : compareStrings(a, b);
