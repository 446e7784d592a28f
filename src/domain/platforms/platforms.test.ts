import { describe, expect, it } from 'vitest';
import { addUnit, emptyUnitTally, unitCoverage, unitRates, type UnitFacts } from './coverage.js';
import { monthEnds, riderSeries, ridersAsOf } from './riders.js';
import { approverProblem, cardProblem, cardState, expiringBy } from './orgs.js';
import type { EntityFacts } from '../coverage/coverage.js';

const org = (o: Partial<EntityFacts['orgs'][number]> = {}): EntityFacts['orgs'][number] => ({
  body: 'party',
  setupMode: 'mobile',
  status: 'established',
  ...o,
});
const entity = (o: Partial<EntityFacts> = {}): EntityFacts => ({
  status: 'active',
  linkedMembers: 0,
  declaredMembers: 0,
  orgs: [],
  liaison: false,
  instructor: false,
  ...o,
});
const unit = (o: Partial<UnitFacts> = {}): UnitFacts => ({
  operating: true,
  orgs: [],
  instructor: false,
  entity: null,
  ...o,
});

describe('sector coverage of platforms and stations', () => {
  it('an established party organization serving the unit gives both coverages', () => {
    expect(unitCoverage(unit({ orgs: [org()] }))).toEqual({ operating: true, anyOrg: true, work: true });
  });
  it('organizations in preparation, dissolved, or of the Youth League do not cover', () => {
    for (const o of [org({ status: 'preparing' }), org({ status: 'dissolved' }), org({ body: 'league' })]) {
      expect(unitCoverage(unit({ orgs: [o] }))).toEqual({ operating: true, anyOrg: false, work: false });
    }
  });
  it('an instructor assigned to the unit is party work, not an organization', () => {
    expect(unitCoverage(unit({ instructor: true }))).toEqual({ operating: true, anyOrg: false, work: true });
  });
  it('the registered market entity lends its coverage: its organization, its liaison or instructor', () => {
    expect(unitCoverage(unit({ entity: entity({ orgs: [org({ setupMode: 'standalone' })] }) }))).toMatchObject({
      anyOrg: true,
      work: true,
    });
    expect(unitCoverage(unit({ entity: entity({ liaison: true }) }))).toMatchObject({ anyOrg: false, work: true });
    expect(unitCoverage(unit({ entity: entity({ instructor: true }) }))).toMatchObject({ anyOrg: false, work: true });
    expect(unitCoverage(unit({ entity: entity() }))).toMatchObject({ anyOrg: false, work: false });
  });
  it('only operating units count, in numerator and denominator; rates are null with none', () => {
    let t = emptyUnitTally();
    t = addUnit(t, unitCoverage(unit({ orgs: [org()] })));
    t = addUnit(t, unitCoverage(unit({ instructor: true })));
    t = addUnit(t, unitCoverage(unit()));
    t = addUnit(t, unitCoverage(unit({ operating: false, orgs: [org()] })));
    expect(t).toEqual({ operating: 3, anyOrg: 1, work: 2 });
    expect(unitRates(t)).toEqual({ orgCoverage: 1 / 3, workCoverage: 2 / 3 });
    expect(unitRates(emptyUnitTally())).toEqual({ orgCoverage: null, workCoverage: null });
  });
});

describe('riders counted over time', () => {
  const counts = [
    { stationId: 1, asOf: '2026-01-10', riders: 30 },
    { stationId: 1, asOf: '2026-03-01', riders: 45 },
    { stationId: 2, asOf: '2026-02-15', riders: 12 },
  ];
  const stations = [
    { id: 1, closedOn: null },
    { id: 2, closedOn: '2026-04-01' },
  ];
  it("takes each station's latest count on or before the date", () => {
    expect(ridersAsOf(counts, stations, '2026-01-09')).toBe(0);
    expect(ridersAsOf(counts, stations, '2026-01-10')).toBe(30);
    expect(ridersAsOf(counts, stations, '2026-02-28')).toBe(42);
    expect(ridersAsOf(counts, stations, '2026-03-01')).toBe(57);
  });
  it('a closed station counts none from its closing day', () => {
    expect(ridersAsOf(counts, stations, '2026-03-31')).toBe(57);
    expect(ridersAsOf(counts, stations, '2026-04-01')).toBe(45);
  });
  it('draws month ends up to today', () => {
    expect(monthEnds(3, '2026-03-15')).toEqual(['2026-01-31', '2026-02-28', '2026-03-15']);
    expect(monthEnds(2, '2024-03-02')).toEqual(['2024-02-29', '2024-03-02']);
    expect(monthEnds(2, '2026-01-05')).toEqual(['2025-12-31', '2026-01-05']);
    expect(riderSeries(counts, stations, monthEnds(4, '2026-04-20'))).toEqual([
      { date: '2026-01-31', riders: 30 },
      { date: '2026-02-28', riders: 42 },
      { date: '2026-03-31', riders: 57 },
      { date: '2026-04-20', riders: 45 },
    ]);
  });
});

describe('mobile-member branches and cards', () => {
  it('a mobile-member branch is approved by an established committee at county level or higher', () => {
    for (const level of ['nation', 'province', 'city', 'county'] as const)
      expect(approverProblem({ level, status: 'established', isCommittee: true })).toBeNull();
    expect(approverProblem({ level: 'station', status: 'established', isCommittee: true })).toBe(
      '流动党员党支部须经县级或县级以上党委批准',
    );
    expect(approverProblem({ level: 'county', status: 'established', isCommittee: false })).toBe(
      '批准单位应为党委（行业党委）',
    );
    expect(approverProblem({ level: 'county', status: 'preparing', isCommittee: true })).toBe(
      '批准的党委须为已建立的党委',
    );
  });
  it('a card is valid through its expiry day, expiring within 30 days, then expired; a returned card is returned', () => {
    const today = '2026-06-01';
    expect(cardState({ expiresOn: '2026-08-01', returnedOn: null }, today)).toBe('valid');
    expect(cardState({ expiresOn: '2026-07-02', returnedOn: null }, today)).toBe('valid');
    expect(cardState({ expiresOn: '2026-07-01', returnedOn: null }, today)).toBe('expiring');
    expect(cardState({ expiresOn: today, returnedOn: null }, today)).toBe('expiring');
    expect(cardState({ expiresOn: '2026-05-31', returnedOn: null }, today)).toBe('expired');
    expect(cardState({ expiresOn: '2026-05-31', returnedOn: '2026-05-01' }, today)).toBe('returned');
    expect(expiringBy(today)).toBe('2026-07-01');
  });
  it('a card is issued no later than today and expires after it was issued', () => {
    expect(cardProblem({ issuedOn: '2026-06-02', expiresOn: '2027-06-01' }, '2026-06-01')?.field).toBe('issuedOn');
    expect(cardProblem({ issuedOn: '2026-06-01', expiresOn: '2026-06-01' }, '2026-06-01')?.field).toBe('expiresOn');
    expect(cardProblem({ issuedOn: '2026-01-01', expiresOn: '2027-01-01' }, '2026-06-01')).toBeNull();
  });
});
