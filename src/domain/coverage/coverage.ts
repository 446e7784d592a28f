/**
 * The two coverages (两个覆盖), as DOMAIN.md defines them after the 2012 central guidance.
 * Only operating (存续) entities count, in the numerator and in the denominator. The database
 * keeps the same flags per entity (view `entity_coverage_facts`, migration 0008) and tallies
 * them per scope key; tests check both against these functions.
 */

/** What the ledger knows about one entity that bears on coverage. */
export type EntityFacts = {
  status: 'active' | 'deregistered' | 'revoked' | 'moved_out';
  /** Roster members linked to a person in one of its roles. */
  linkedMembers: number;
  /** Members its latest annual report declares (incl. probationary). */
  declaredMembers: number;
  /** Organizations whose coverage includes it. */
  orgs: { body: 'party' | 'league'; setupMode: string; status: 'preparing' | 'established' | 'dissolved' }[];
  /** A liaison (联络员) is named in its roles. */
  liaison: boolean;
  /** An instructor's assignment in force reaches it: directly, through a zone it lies in, or through an organization covering it (筹建 too). */
  instructor: boolean;
};

export type CoverageFlags = {
  /** 存续: counts in every denominator. */
  operating: boolean;
  /** Has members, found on the roster or declared in its latest annual report. */
  withMembers: boolean;
  /** Covered by an established party organization of its own (单独建). */
  ownOrg: boolean;
  /** Covered by any established party organization: its own, joint, affiliated, zone, station or industry. */
  anyOrg: boolean;
  /** 工作覆盖: an organization, or party work (a liaison or instructor assigned). */
  work: boolean;
};

export function coverageFlags(f: EntityFacts): CoverageFlags {
  // Organizations in preparation (筹建) or dissolved do not cover; Youth League ones are another ledger line.
  const orgs = f.orgs.filter((o) => o.body === 'party' && o.status === 'established');
  const anyOrg = orgs.length > 0;
  return {
    operating: f.status === 'active',
    withMembers: f.linkedMembers > 0 || f.declaredMembers > 0,
    ownOrg: orgs.some((o) => o.setupMode === 'standalone'),
    anyOrg,
    work: anyOrg || f.liaison || f.instructor,
  };
}

/** Counts of operating entities; the `members*` counts are among entities with members. */
export type Tally = {
  operating: number;
  withMembers: number;
  ownOrg: number;
  anyOrg: number;
  work: number;
  membersOwnOrg: number;
  membersAnyOrg: number;
};

export const emptyTally = (): Tally => ({ operating: 0, withMembers: 0, ownOrg: 0, anyOrg: 0, work: 0, membersOwnOrg: 0, membersAnyOrg: 0 });

/** Adds one entity's flags to a tally (entities that are not operating add nothing). */
export function addToTally(t: Tally, f: CoverageFlags): Tally {
  if (!f.operating) return t;
  const n = (b: boolean) => (b ? 1 : 0);
  return {
    operating: t.operating + 1,
    withMembers: t.withMembers + n(f.withMembers),
    ownOrg: t.ownOrg + n(f.ownOrg),
    anyOrg: t.anyOrg + n(f.anyOrg),
    work: t.work + n(f.work),
    membersOwnOrg: t.membersOwnOrg + n(f.withMembers && f.ownOrg),
    membersAnyOrg: t.membersAnyOrg + n(f.withMembers && f.anyOrg),
  };
}

export type Rates = {
  /** 组织覆盖率 = entities in any organization ÷ operating entities. */
  orgCoverage: number | null;
  /** 单独组建率 = entities with their own organization ÷ operating entities. */
  standaloneRate: number | null;
  /** 工作覆盖率 = entities with an organization or party work ÷ operating entities. */
  workCoverage: number | null;
  /** 组织覆盖率 among entities with members. */
  orgCoverageWithMembers: number | null;
  /** 单独组建率 among entities with members. */
  standaloneRateWithMembers: number | null;
};

const ratio = (a: number, b: number) => (b === 0 ? null : a / b);

export function coverageRates(t: Tally): Rates {
  return {
    orgCoverage: ratio(t.anyOrg, t.operating),
    standaloneRate: ratio(t.ownOrg, t.operating),
    workCoverage: ratio(t.work, t.operating),
    orgCoverageWithMembers: ratio(t.membersAnyOrg, t.withMembers),
    standaloneRateWithMembers: ratio(t.membersOwnOrg, t.withMembers),
  };
}

/**
 * 新设 (newly registered, the priority targets): registered in the current calendar month or the
 * 11 before it. Calendar months, so the coverage tallies (kept by month) and the entity list agree.
 * Returns the first day of the earliest such month, YYYY-MM-DD.
 */
export function newSince(today = new Date()): string {
  const d = new Date(today.getFullYear(), today.getMonth() - 11, 1);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-01`;
}

/** The lists behind the figures: which entities a figure counts. */
export const COVERAGE_FILTERS = {
  operating: '存续主体',
  with_members: '有党员的主体',
  own_org: '单独建立党组织的主体',
  any_org: '党组织覆盖的主体',
  work: '工作覆盖的主体',
  members_no_org: '有党员但未覆盖党组织的主体',
  no_work: '尚未工作覆盖的主体',
} as const;
export type CoverageFilter = keyof typeof COVERAGE_FILTERS;
