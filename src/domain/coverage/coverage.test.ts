import { describe, expect, it } from 'vitest';
import { addToTally, coverageFlags, coverageRates, emptyTally, type EntityFacts } from './coverage.js';

const facts = (o: Partial<EntityFacts> = {}): EntityFacts => ({ status: 'active', linkedMembers: 0, declaredMembers: 0, orgs: [], liaison: false, instructor: false, ...o });
const org = (setupMode: string, status: 'preparing' | 'established' | 'dissolved' = 'established', body: 'party' | 'league' = 'party') => ({ setupMode, status, body });

describe('coverage flags', () => {
  it('an entity of its own organization is covered, standalone, and has party work', () => {
    expect(coverageFlags(facts({ orgs: [org('standalone')] }))).toEqual({ operating: true, withMembers: false, ownOrg: true, anyOrg: true, work: true });
  });

  it('joint, affiliated, zone, station and industry organizations cover but are not its own', () => {
    for (const mode of ['joint', 'affiliated', 'zone', 'station', 'industry']) {
      expect(coverageFlags(facts({ orgs: [org(mode)] }))).toMatchObject({ ownOrg: false, anyOrg: true, work: true });
    }
  });

  it('organizations in preparation, dissolved ones and Youth League ones do not cover', () => {
    const f = coverageFlags(facts({ orgs: [org('standalone', 'preparing'), org('joint', 'dissolved'), org('standalone', 'established', 'league')] }));
    expect(f).toMatchObject({ ownOrg: false, anyOrg: false, work: false });
  });

  it('a liaison gives work coverage without organization coverage', () => {
    expect(coverageFlags(facts({ liaison: true }))).toMatchObject({ anyOrg: false, work: true });
  });

  it('an instructor assigned gives work coverage without organization coverage, also beside an organization in preparation', () => {
    expect(coverageFlags(facts({ instructor: true }))).toMatchObject({ anyOrg: false, work: true });
    expect(coverageFlags(facts({ instructor: true, orgs: [org('joint', 'preparing')] }))).toMatchObject({ anyOrg: false, work: true });
  });

  it('members found on the roster or declared in the annual report both count', () => {
    expect(coverageFlags(facts({ linkedMembers: 1 })).withMembers).toBe(true);
    expect(coverageFlags(facts({ declaredMembers: 2 })).withMembers).toBe(true);
    expect(coverageFlags(facts()).withMembers).toBe(false);
  });
});

describe('tallies and rates', () => {
  it('count operating entities only, in numerators and denominators', () => {
    let t = emptyTally();
    t = addToTally(t, coverageFlags(facts({ orgs: [org('standalone')], linkedMembers: 3 })));
    t = addToTally(t, coverageFlags(facts({ orgs: [org('joint')], declaredMembers: 1 })));
    t = addToTally(t, coverageFlags(facts({ liaison: true })));
    t = addToTally(t, coverageFlags(facts()));
    t = addToTally(t, coverageFlags(facts({ status: 'revoked', orgs: [org('standalone')] })));
    expect(t).toEqual({ operating: 4, withMembers: 2, ownOrg: 1, anyOrg: 2, work: 3, membersOwnOrg: 1, membersAnyOrg: 2 });
    expect(coverageRates(t)).toEqual({ orgCoverage: 0.5, standaloneRate: 0.25, workCoverage: 0.75, orgCoverageWithMembers: 1, standaloneRateWithMembers: 0.5 });
  });

  it('a rate with nothing to divide by is null, not 0 or NaN', () => {
    expect(coverageRates(emptyTally())).toEqual({ orgCoverage: null, standaloneRate: null, workCoverage: null, orgCoverageWithMembers: null, standaloneRateWithMembers: null });
  });
});
