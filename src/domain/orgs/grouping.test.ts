import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ruleSettings, type RuleSettings } from '../settings/settings.js';
import {
  AFFILIATED_TARGET,
  jointUpperBound,
  proposeSetups,
  type Candidate,
  type Proposal,
  type ZoneKind,
} from './grouping.js';
import { checkJointGroup, orgKindFor } from './rules.js';

const S = ruleSettings.parse({});
const GROUP_MODES = new Set(['zone', 'station', 'joint']);
const C1 = '320102';
const C2 = '320104';

/** An enterprise in county C1, station S1 (XX所), in no zone, with `full` full members. */
function cand(entityId: number, full: number, over: Partial<Candidate> = {}): Candidate {
  return {
    entityId,
    name: `单位${entityId}`,
    kind: 'enterprise',
    countyCode: C1,
    stationCode: 'S1',
    stationName: 'XX所',
    zones: [],
    fullMembers: full,
    members: full,
    hasOrg: false,
    hasWork: false,
    ...over,
  };
}
const zone = (id: number, kind: ZoneKind, name: string) => ({ id, kind, name });
const building = zone(1, 'building', 'XX大厦');
const ids = (ps: Proposal[]) => ps.map((p) => [p.mode, p.entityIds]);
const groupsOf = (ps: Proposal[]) => ps.filter((p) => GROUP_MODES.has(p.mode));
const placedCount = (ps: Proposal[]) => groupsOf(ps).reduce((n, p) => n + p.entityIds.length, 0);

describe('standalone proposals', () => {
  it('proposes a branch from 3 full members, nothing standalone at 2', () => {
    const out = proposeSetups([cand(1, 3), cand(2, 2)], S);
    expect(out[0]).toEqual({
      mode: 'standalone',
      orgKind: 'branch',
      countyCode: C1,
      stationCode: 'S1',
      zoneId: null,
      entityIds: [1],
      fullMembers: 3,
      members: 3,
      explanation: '正式党员 3 名，达到单独组建条件（≥3 名）',
      suggestedName: '单位1党支部',
    });
    expect(out.filter((p) => p.mode === 'standalone')).toHaveLength(1);
  });
  it('does not count probationary members: 2 full + 3 probationary is not standalone', () => {
    const out = proposeSetups([cand(1, 2, { members: 5 })], S);
    expect(out.map((p) => p.mode)).toEqual(['affiliated']);
    expect(out[0].members).toBe(5);
    expect(out[0].explanation).toContain('正式党员 2 名，预备党员 3 名');
  });
  it('sizes the organization: general branch above 50, committee above 100', () => {
    const out = proposeSetups([cand(1, 50), cand(2, 51, { members: 55 }), cand(3, 101)], S);
    expect(out.map((p) => [p.orgKind, p.suggestedName])).toEqual([
      ['branch', '单位1党支部'],
      ['general_branch', '单位2党总支'],
      ['committee', '单位3党委'],
    ]);
    expect(out[1].explanation).toBe('正式党员 51 名，达到单独组建条件（≥3 名）；超过 50 名，宜设党总支');
    expect(out[2].explanation).toContain('宜设基层党委');
  });
  it('skips entities that already have an organization', () => {
    expect(
      proposeSetups([cand(1, 5, { hasOrg: true }), cand(2, 0, { hasOrg: true }), cand(3, 1, { hasOrg: true })], S),
    ).toEqual([]);
  });
});

describe('joint proposals: hand-made cases', () => {
  it('groups a building with entities of 2 and 1 full members', () => {
    const out = proposeSetups([cand(1, 2, { zones: [building] }), cand(2, 1, { zones: [building] })], S);
    expect(out).toEqual([
      {
        mode: 'zone',
        orgKind: 'joint_branch',
        countyCode: C1,
        stationCode: 'S1',
        zoneId: 1,
        entityIds: [1, 2],
        fullMembers: 3,
        members: 3,
        explanation: '同一楼宇 XX大厦，2 家单位，正式党员 3 名',
        suggestedName: 'XX大厦联合党支部',
      },
    ]);
  });
  it('falls through to the station when the building alone is short: 1+1 in the building, 1 next door', () => {
    const out = proposeSetups([cand(1, 1, { zones: [building] }), cand(2, 1, { zones: [building] }), cand(3, 1)], S);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({
      mode: 'joint',
      orgKind: 'joint_branch',
      zoneId: null,
      stationCode: 'S1',
      entityIds: [1, 2, 3],
      fullMembers: 3,
    });
    expect(out[0].explanation).toBe('同一基层所 XX所辖区，3 家单位，正式党员 3 名');
    expect(out[0].suggestedName).toBe('XX所辖区联合党支部');
  });
  it('builds a station-based branch of individual businesses', () => {
    const ind = { kind: 'individual' as const };
    const out = proposeSetups(
      [cand(1, 1, ind), cand(2, 1, ind), cand(3, 1, ind), cand(4, 0, { ...ind, members: 1 })],
      S,
    );
    expect(out).toEqual([
      {
        mode: 'station',
        orgKind: 'joint_branch',
        countyCode: C1,
        stationCode: 'S1',
        zoneId: null,
        entityIds: [1, 2, 3, 4],
        fullMembers: 3,
        members: 4,
        explanation: '同一基层所 XX所，个体工商户 4 家，正式党员 3 名',
        suggestedName: 'XX所个体工商户联合党支部',
      },
    ]);
  });
  it('groups individual businesses among themselves first, then the others', () => {
    const ind = { kind: 'individual' as const };
    const out = proposeSetups(
      [cand(1, 1, ind), cand(2, 2), cand(3, 1, ind), cand(4, 1, { kind: 'cooperative' }), cand(5, 1, ind)],
      S,
    );
    expect(ids(out)).toEqual([
      ['station', [1, 3, 5]],
      ['joint', [2, 4]],
    ]);
  });
  it('lets short individual businesses join the enterprises of their station', () => {
    const out = proposeSetups([cand(1, 1, { kind: 'individual' }), cand(2, 1, { kind: 'individual' }), cand(3, 1)], S);
    expect(ids(out)).toEqual([['joint', [1, 2, 3]]]);
  });
  it('affiliates a lone 1-member entity in an otherwise empty county', () => {
    const out = proposeSetups([cand(1, 1, { countyCode: C2 }), cand(2, 2), cand(3, 1)], S);
    const lone = out.find((p) => p.entityIds.includes(1));
    expect(lone).toMatchObject({
      mode: 'affiliated',
      orgKind: null,
      countyCode: C2,
      entityIds: [1],
      suggestedName: AFFILIATED_TARGET,
    });
    expect(lone?.explanation).toContain(AFFILIATED_TARGET);
    expect(lone?.explanation).toContain('正式党员 1 名，不足 3 名');
  });
  it('never groups across counties, even with the same station code and zone id', () => {
    const out = proposeSetups(
      [
        cand(1, 1, { zones: [building] }),
        cand(2, 1, { zones: [building] }),
        cand(3, 1, { countyCode: C2, zones: [building] }),
      ],
      S,
    );
    expect(ids(out)).toEqual([
      ['affiliated', [1]],
      ['affiliated', [2]],
      ['affiliated', [3]],
    ]);
  });
  it('tries an entity in its tightest zone first: building before market', () => {
    const market = zone(1, 'market', 'XX市场');
    const tower = zone(2, 'building', 'YY大厦');
    const out = proposeSetups(
      [
        cand(1, 1, { zones: [market, tower] }),
        cand(2, 2, { zones: [market] }),
        cand(3, 2, { zones: [tower] }),
        cand(4, 1, { zones: [market] }),
      ],
      S,
    );
    expect(out.map((p) => [p.zoneId, p.entityIds, p.suggestedName])).toEqual([
      [2, [1, 3], 'YY大厦联合党支部'],
      [1, [2, 4], 'XX市场联合党支部'],
    ]);
    expect(out[1].explanation).toBe('同一专业市场 XX市场，2 家单位，正式党员 3 名');
  });
  it('moves on to a looser zone when the tightest cannot form a branch', () => {
    const park = zone(3, 'park', 'ZZ园区');
    const out = proposeSetups(
      [
        cand(1, 1, { zones: [building, park] }),
        cand(2, 1, { zones: [park] }),
        cand(3, 1, { zones: [park], stationCode: 'S2' }),
      ],
      S,
    );
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({
      mode: 'zone',
      zoneId: 3,
      entityIds: [1, 2, 3],
      stationCode: null,
      explanation: '同一园区 ZZ园区，3 家单位，正式党员 3 名',
    });
  });
  it('pairs 2+1 first, then 2+2', () => {
    const out = proposeSetups([cand(1, 2), cand(2, 2), cand(3, 2), cand(4, 1)], S);
    expect(out.map((p) => [p.entityIds, p.suggestedName])).toEqual([
      [[1, 4], 'XX所辖区联合党支部（一）'],
      [[2, 3], 'XX所辖区联合党支部（二）'],
    ]);
  });
  it('pairs 2+1 first, then 1+1+1', () => {
    const out = proposeSetups([cand(1, 1), cand(2, 1), cand(3, 2), cand(4, 1), cand(5, 1)], S);
    expect(ids(out)).toEqual([
      ['joint', [1, 3]],
      ['joint', [2, 4, 5]],
    ]);
  });
  it('puts leftovers into the group with the fewest units, and no group beyond 5 units', () => {
    const prob = (id: number) => cand(id, 0, { members: 1 });
    const two = proposeSetups([cand(1, 2), cand(2, 1), cand(3, 2), cand(4, 1), prob(5), prob(6), cand(7, 1)], S);
    expect(ids(two)).toEqual([
      ['joint', [1, 2, 6, 7]],
      ['joint', [3, 4, 5]],
    ]);
    const one = proposeSetups([cand(1, 1), cand(2, 1), cand(3, 1), prob(4), prob(5), prob(6), prob(7)], S);
    expect(ids(one)).toEqual([
      ['joint', [1, 2, 3, 4, 5]],
      ['affiliated', [6]],
      ['affiliated', [7]],
    ]);
  });
  it('keeps the full-member cap of a branch when it differs', () => {
    const p = ruleSettings.parse({ standaloneMinFullMembers: 5, branchMaxMembers: 10, jointBranchMaxUnits: 6 });
    expect(ids(proposeSetups([cand(1, 4), cand(2, 4), cand(3, 4)], p))).toEqual([
      ['joint', [1, 2]],
      ['affiliated', [3]],
    ]);
  });
  it('keeps the unit cap while forming a group', () => {
    const p = ruleSettings.parse({ standaloneMinFullMembers: 10, jointBranchMaxUnits: 2 });
    expect(ids(proposeSetups([cand(1, 9), cand(2, 1)], p))).toEqual([['joint', [1, 2]]]);
    expect(ids(proposeSetups([cand(1, 5), cand(2, 4), cand(3, 1)], p)).map(([m]) => m)).toEqual([
      'affiliated',
      'affiliated',
      'affiliated',
    ]);
  });
  it('without a station, groups the county remainder as a joint branch, not a station one', () => {
    const out = proposeSetups(
      [1, 2, 3].map((id) => cand(id, 1, { kind: 'individual', stationCode: null, stationName: null })),
      S,
    );
    expect(out).toEqual([
      expect.objectContaining({
        mode: 'joint',
        stationCode: null,
        explanation: '同一县（区）320102（未划分基层所），3 家单位，正式党员 3 名',
        suggestedName: '县（区）320102辖区联合党支部',
      }),
    ]);
  });
});

describe('work proposals', () => {
  it('lists entities with no members and no party work, one per county and station', () => {
    const none = (id: number, over: Partial<Candidate> = {}) => cand(id, 0, { members: 0, ...over });
    const out = proposeSetups(
      [
        none(4, { stationCode: 'S2', stationName: 'YY所' }),
        none(1),
        none(2, { hasWork: true }),
        none(3),
        none(5, { hasOrg: true }),
        none(6, { countyCode: C2 }),
      ],
      S,
    );
    expect(out.map((p) => [p.countyCode, p.mode, p.stationCode, p.entityIds])).toEqual([
      [C1, 'work', 'S1', [1, 3]],
      [C1, 'work', 'S2', [4]],
      [C2, 'work', 'S1', [6]],
    ]);
    for (const p of out) {
      expect(p.orgKind).toBeNull();
      expect(p.explanation).toContain('指派党建工作指导员（暂无指导员名册时先建待办任务）并开展"组织找党员"');
    }
    expect(out[0].explanation).toContain('2 家市场主体');
  });
});

describe('jointUpperBound', () => {
  it('sums min(n, 5 × floor(F / 3)) over counties', () => {
    const cs = [
      cand(1, 1),
      cand(2, 1),
      cand(3, 1),
      cand(4, 2),
      cand(5, 1, { countyCode: C2 }),
      cand(6, 1, { countyCode: C2 }),
    ];
    const extra = [cand(7, 3), cand(8, 1, { hasOrg: true }), cand(9, 0, { members: 0 }), cand(10, 0, { members: 2 })];
    expect(jointUpperBound([...cs, ...extra], S)).toEqual({ candidates: 7, bound: 5 });
    expect(jointUpperBound([], S)).toEqual({ candidates: 0, bound: 0 });
  });
  it('caps by units per group', () => {
    const cs = Array.from({ length: 12 }, (_, i) => cand(i + 1, i < 3 ? 1 : 0, { members: 1 }));
    expect(jointUpperBound(cs, S)).toEqual({ candidates: 12, bound: 5 });
    expect(placedCount(proposeSetups(cs, S))).toBe(5);
  });
});

describe('input handling', () => {
  it('refuses duplicate entity ids', () => {
    expect(() => proposeSetups([cand(1, 1), cand(1, 2)], S)).toThrow(/重复/);
  });
  it('orders proposals by county, then mode, then first entity', () => {
    const out = proposeSetups(
      [
        cand(9, 0, { members: 0, countyCode: C2 }),
        cand(8, 1, { countyCode: C2 }),
        cand(7, 5, { countyCode: C2 }),
        cand(6, 1),
        cand(5, 4),
        cand(3, 2),
      ],
      S,
    );
    expect(out.map((p) => [p.countyCode, p.mode, p.entityIds])).toEqual([
      [C1, 'standalone', [5]],
      [C1, 'joint', [3, 6]],
      [C2, 'standalone', [7]],
      [C2, 'affiliated', [8]],
      [C2, 'work', [9]],
    ]);
  });
});

// ---- properties on random candidate sets ------------------------------------------------------

const ZONES = [
  zone(1, 'building', 'A座'),
  zone(2, 'market', 'B市场'),
  zone(3, 'park', 'C园区'),
  zone(4, 'district', 'D商圈'),
  zone(5, 'building', 'E大厦'),
];

const candidateArb = (entityId: number) =>
  fc
    .record({
      county: fc.constantFrom(C1, C2, '320105'),
      station: fc.constantFrom('S1', 'S2', null),
      zones: fc.subarray(ZONES, { maxLength: 2 }),
      kind: fc.constantFrom('enterprise' as const, 'individual' as const, 'cooperative' as const),
      full: fc.oneof(
        { weight: 6, arbitrary: fc.integer({ min: 0, max: 2 }) },
        { weight: 1, arbitrary: fc.integer({ min: 3, max: 120 }) },
      ),
      prob: fc.integer({ min: 0, max: 3 }),
      hasOrg: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
      hasWork: fc.boolean(),
    })
    .map((r): Candidate => ({
      entityId,
      name: `单位${entityId}`,
      kind: r.kind,
      countyCode: r.county,
      stationCode: r.station,
      stationName: r.station ? `${r.station}所` : null,
      zones: r.zones,
      fullMembers: r.full,
      members: r.full + r.prob,
      hasOrg: r.hasOrg,
      hasWork: r.hasWork,
    }));

const candidatesArb = fc
  .uniqueArray(fc.integer({ min: 1, max: 10_000 }), { maxLength: 60 })
  .chain((idList) => fc.tuple(...idList.map(candidateArb)))
  .map((cs): Candidate[] => cs);

const settingsArb = fc
  .record({
    standaloneMinFullMembers: fc.integer({ min: 2, max: 5 }),
    jointBranchMaxUnits: fc.integer({ min: 2, max: 7 }),
    branchMaxMembers: fc.integer({ min: 10, max: 60 }),
  })
  .map((r) => ruleSettings.parse(r));

/** The invariants every output keeps, under any settings. */
function checkInvariants(cands: Candidate[], s: RuleSettings, out: Proposal[]): void {
  const byId = new Map(cands.map((c) => [c.entityId, c]));
  const seen = new Map<number, number>();
  for (const p of out) {
    const members = p.entityIds.map((id) => byId.get(id)!);
    expect(p.entityIds).toEqual([...p.entityIds].sort((a, b) => a - b));
    for (const c of members) {
      seen.set(c.entityId, (seen.get(c.entityId) ?? 0) + 1);
      expect(c.hasOrg).toBe(false);
      expect(c.countyCode).toBe(p.countyCode);
    }
    expect(p.fullMembers).toBe(members.reduce((n, c) => n + c.fullMembers, 0));
    expect(p.members).toBe(members.reduce((n, c) => n + c.members, 0));
    expect(p.explanation).toMatch(/[\u4e00-\u9fff]/);
    expect(p.suggestedName).toMatch(/[\u4e00-\u9fff]/);
    if (GROUP_MODES.has(p.mode)) {
      expect(p.orgKind).toBe('joint_branch');
      expect(checkJointGroup(members, s)).toEqual([]);
      expect(p.fullMembers).toBeGreaterThanOrEqual(s.standaloneMinFullMembers);
      expect(p.entityIds.length).toBeLessThanOrEqual(s.jointBranchMaxUnits);
      expect(p.fullMembers).toBeLessThanOrEqual(s.branchMaxMembers);
      for (const c of members) expect(c.fullMembers).toBeLessThan(s.standaloneMinFullMembers);
    }
    if (p.mode === 'zone') for (const c of members) expect(c.zones.some((z) => z.id === p.zoneId)).toBe(true);
    if (p.mode === 'station' || p.mode === 'joint') for (const c of members) expect(c.stationCode).toBe(p.stationCode);
    if (p.mode === 'station') for (const c of members) expect(c.kind).toBe('individual');
    if (p.mode === 'standalone') {
      expect(members[0].fullMembers).toBeGreaterThanOrEqual(s.standaloneMinFullMembers);
      expect(p.orgKind).toBe(orgKindFor(members[0].fullMembers, s));
    }
    if (p.mode === 'affiliated')
      expect([p.orgKind, members[0].fullMembers < s.standaloneMinFullMembers]).toEqual([null, true]);
    if (p.mode === 'work')
      for (const c of members) expect([c.members, c.hasWork, p.stationCode]).toEqual([0, false, c.stationCode]);
  }
  for (const c of cands) {
    const expected = c.hasOrg ? 0 : c.members >= 1 || !c.hasWork ? 1 : 0;
    expect(seen.get(c.entityId) ?? 0, `entity ${c.entityId}`).toBe(expected);
  }
  expect(placedCount(out)).toBeLessThanOrEqual(jointUpperBound(cands, s).bound);
}

describe('properties on random candidate sets', () => {
  it('keeps every cap, every county and every entity once, under the default settings', () => {
    fc.assert(
      fc.property(candidatesArb, (cs) => checkInvariants(cs, S, proposeSetups(cs, S))),
      { numRuns: 300 },
    );
  });
  it('keeps them under other provincial settings', () => {
    fc.assert(
      fc.property(candidatesArb, settingsArb, (cs, s) => checkInvariants(cs, s, proposeSetups(cs, s))),
      { numRuns: 300 },
    );
  });
  it('gives the same output for shuffled input', () => {
    const shuffled = candidatesArb.chain((cs) =>
      fc.tuple(fc.constant(cs), fc.shuffledSubarray(cs, { minLength: cs.length, maxLength: cs.length })),
    );
    fc.assert(
      fc.property(shuffled, settingsArb, ([cs, perm], s) => {
        expect(proposeSetups(perm, s)).toEqual(proposeSetups(cs, s));
      }),
      { numRuns: 200 },
    );
  });
  it('leaves no station with enough affiliated full members for another branch (default settings)', () => {
    fc.assert(
      fc.property(candidatesArb, (cs) => {
        const byId = new Map(cs.map((c) => [c.entityId, c]));
        const left = new Map<string, number>();
        for (const p of proposeSetups(cs, S).filter((x) => x.mode === 'affiliated')) {
          const key = `${p.countyCode}/${p.stationCode}`;
          left.set(key, (left.get(key) ?? 0) + byId.get(p.entityIds[0])!.fullMembers);
        }
        for (const full of left.values()) expect(full).toBeLessThan(S.standaloneMinFullMembers);
      }),
      { numRuns: 300 },
    );
  });
  it('places as many entities as the best grouping of a single pool (default settings)', () => {
    const poolArb = fc
      .array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })), { maxLength: 8 })
      .map((xs) => xs.map(([full, prob], i) => cand(i + 1, full, { members: Math.max(1, full + prob) })));
    fc.assert(
      fc.property(poolArb, (cs) => {
        expect(placedCount(proposeSetups(cs, S))).toBe(bestPlaced(cs, S));
      }),
      { numRuns: 300 },
    );
  });
});

/** Exhaustive optimum over all groupings of a small pool (set partitions plus an "unplaced" block). */
function bestPlaced(cs: Candidate[], s: RuleSettings): number {
  let best = 0;
  const groups: Candidate[][] = [];
  const walk = (i: number, placed: number): void => {
    if (i === cs.length) {
      if (groups.every((g) => checkJointGroup(g, s).length === 0)) best = Math.max(best, placed);
      return;
    }
    walk(i + 1, placed);
    for (const g of groups) {
      g.push(cs[i]);
      walk(i + 1, placed + 1);
      g.pop();
    }
    groups.push([cs[i]]);
    walk(i + 1, placed + 1);
    groups.pop();
  };
  walk(0, 0);
  return best;
}
