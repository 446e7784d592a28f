import { coverageFlags, coverageRates, emptyTally, type EntityFacts } from '../coverage/coverage.js';

/**
 * Coverage of the new employment sector: the two coverages (src/domain/coverage) applied to
 * platforms and delivery stations rather than to market entities. A platform or station is
 * operating while active / open; it has an organization when an established party organization
 * serves it (linked to it) or covers the market entity it is registered as; it has party work
 * when it has an organization, an instructor assigned to it, or its market entity has work
 * coverage. The view `new_employment_coverage_facts` (migration 0017) is held equal to this.
 */
export type UnitFacts = {
  operating: boolean;
  /** Organizations linked to the platform or station itself. */
  orgs: EntityFacts['orgs'];
  /** An instructor's assignment in force to the platform or station itself. */
  instructor: boolean;
  /** The market entity it is registered as, where there is one. */
  entity: EntityFacts | null;
};

export type UnitFlags = { operating: boolean; anyOrg: boolean; work: boolean };

export function unitCoverage(f: UnitFacts): UnitFlags {
  // The unit's own links read through the same definition as an entity's (established party organizations only).
  const own = coverageFlags({
    status: 'active',
    linkedMembers: 0,
    declaredMembers: 0,
    orgs: f.orgs,
    liaison: false,
    instructor: f.instructor,
  });
  const entity = f.entity ? coverageFlags(f.entity) : null;
  return { operating: f.operating, anyOrg: own.anyOrg || !!entity?.anyOrg, work: own.work || !!entity?.work };
}

export type UnitTally = { operating: number; anyOrg: number; work: number };
export const emptyUnitTally = (): UnitTally => ({ operating: 0, anyOrg: 0, work: 0 });

/** Adds one unit (units not operating add nothing, as entities not operating add nothing). */
export function addUnit(t: UnitTally, f: UnitFlags): UnitTally {
  if (!f.operating) return t;
  return { operating: t.operating + 1, anyOrg: t.anyOrg + (f.anyOrg ? 1 : 0), work: t.work + (f.work ? 1 : 0) };
}

/** 组织覆盖率 and 工作覆盖率 of the units, by the same ratio as the entities' rates. */
export function unitRates(t: UnitTally): { orgCoverage: number | null; workCoverage: number | null } {
  const r = coverageRates({ ...emptyTally(), operating: t.operating, anyOrg: t.anyOrg, work: t.work });
  return { orgCoverage: r.orgCoverage, workCoverage: r.workCoverage };
}
