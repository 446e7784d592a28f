import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  CASE_CONDITION,
  DISCOVERY_KINDS,
  caseKey,
  casesHeld,
  decisionBasisChanged,
  type EntityFacts,
  type FoundMember,
  whyResolved,
} from './conditions.js';

const member = (id: number, o: Partial<FoundMember> = {}): FoundMember => ({
  member: id,
  role: id * 10,
  method: 'exact',
  score: 99,
  levels: null,
  vouched: true,
  status: 'normal',
  orgRelation: '外地某社区党支部',
  ...o,
});
const entity = (o: Partial<EntityFacts> = {}): EntityFacts => ({
  entityId: 1,
  name: '甲科技有限公司',
  scopeKey: '320102',
  status: 'active',
  areas: ['鼓楼区'],
  declared: null,
  orgForm: null,
  reportYear: 2025,
  orgs: [],
  registered: [],
  found: [],
  ...o,
});
const kinds = (e: EntityFacts) =>
  casesHeld(e)
    .map((c) => c.kind)
    .sort();

describe('the conditions of discovery cases', () => {
  it('states each kind in words', () => {
    for (const k of DISCOVERY_KINDS) expect(CASE_CONDITION[k].length).toBeGreaterThan(10);
  });

  it('raises each kind while its condition holds', () => {
    expect(kinds(entity({ found: [member(1)] }))).toEqual(['entity_without_org', 'hidden_member', 'pocket_member']);
    expect(kinds(entity({ declared: 2 }))).toEqual(['declared_not_found', 'entity_without_org']);
    expect(kinds(entity({ declared: 1, found: [member(1)] }))).toEqual(['entity_without_org', 'pocket_member']);
    // A member only the report vouches for counts for nothing.
    expect(kinds(entity({ declared: 1, found: [member(1, { vouched: false })] }))).toEqual([
      'declared_not_found',
      'entity_without_org',
    ]);
    expect(kinds(entity({ found: [member(1)], status: 'revoked' }))).toEqual([]);
  });

  it('个体转企业: a keeper gone on to an enterprise has no cases of their own in the 个体; other members and the declared count stay', () => {
    const converted = member(1, { convertedTo: '甲五金有限公司' });
    const shop = (o: Partial<EntityFacts>) => entity({ name: '甲五金店', ...o });
    expect(kinds(shop({ found: [converted] }))).toEqual([]);
    // The 个体's own report declared them: the count is met, no 申报有党员但未找到.
    expect(kinds(shop({ declared: 1, found: [converted] }))).toEqual(['entity_without_org']);
    // A staff member found beside the keeper is the 个体's own.
    expect(
      casesHeld(shop({ found: [converted, member(2)] }))
        .filter((c) => c.memberId !== null)
        .map((c) => `${c.kind}:${c.memberId}`)
        .sort(),
    ).toEqual(['hidden_member:2', 'pocket_member:2']);
    for (const k of ['pocket_member', 'hidden_member'] as const)
      expect(whyResolved(k, 1, shop({ found: [converted] }))).toContain('已转为企业"甲五金有限公司"');
    expect(whyResolved('entity_without_org', null, shop({ found: [converted] }))).toContain('已转为企业');
  });

  it('counts no member whose membership has ended, and says so when their case closes', () => {
    for (const status of ['transferred_out', 'stopped', 'deceased']) {
      const e = entity({ declared: 1, found: [member(1, { status })] });
      expect(kinds(e)).toEqual(['declared_not_found', 'entity_without_org']);
      expect(whyResolved('hidden_member', 1, e, status)).toMatch(
        /^该党员(组织关系已转出|已停止党籍|已去世)，不再计为本主体的党员$/,
      );
    }
    // Without the member's status the reason is the general one.
    expect(whyResolved('pocket_member', 1, entity())).toMatch(/^该党员已不再关联到本主体/);
  });

  it('says why a condition no longer holds', () => {
    const e = entity({ found: [member(1)] });
    expect(whyResolved('entity_without_org', null, { ...e, orgs: ['某联合党支部'] })).toBe(
      '已建立或纳入党组织：某联合党支部',
    );
    expect(whyResolved('entity_without_org', null, { ...e, orgForm: 1 })).toBe('最新年报（2025年度）填报已建立党组织');
    expect(whyResolved('pocket_member', 1, { ...e, registered: [1] })).toBe('该党员已在覆盖本主体的党组织登记');
    expect(whyResolved('pocket_member', 1, { ...e, found: [member(1, { status: 'mobile' })] })).toBe(
      '该党员已登记为流动党员',
    );
    expect(whyResolved('pocket_member', 1, { ...e, found: [member(1, { orgRelation: '甲科技党支部' })] })).toContain(
      '甲科技党支部',
    );
    expect(whyResolved('pocket_member', 1, { ...e, found: [] })).toContain('不再关联');
    expect(whyResolved('hidden_member', 1, { ...e, declared: 1 })).toBe(
      '最新年报（2025年度）申报党员 1 名，不少于找到的 1 名',
    );
    expect(whyResolved('declared_not_found', null, { ...e, declared: 1 })).toBe('已在名册中找到 1 名党员');
    expect(whyResolved('declared_not_found', null, entity({ declared: 0 }))).toBe('最新年报（2025年度）未申报党员');
    expect(whyResolved('hidden_member', 1, { ...e, status: 'deregistered' })).toBe('市场主体已注销');
  });

  it('a case that stops holding is always given a reason, and one that holds is never resolved (random facts)', () => {
    const found = fc.array(
      fc.record({
        member: fc.integer({ min: 1, max: 4 }),
        vouched: fc.boolean(),
        status: fc.constantFrom('normal', 'mobile'),
        orgRelation: fc.constantFrom(null, '外地党支部', '甲科技党支部', '鼓楼党工委'),
      }),
      { maxLength: 4 },
    );
    const facts = fc
      .record({
        status: fc.constantFrom('active', 'active', 'revoked'),
        declared: fc.option(fc.nat({ max: 4 })),
        orgForm: fc.option(fc.constantFrom(0, 1)),
        orgs: fc.constantFrom<string[]>([], ['某联合党支部']),
        registered: fc.subarray([1, 2, 3, 4]),
        found,
      })
      .map((f) => entity({ ...f, found: f.found.map((x) => member(x.member, x)) }));
    fc.assert(
      fc.property(facts, facts, (a, b) => {
        const now = new Set(casesHeld(b).map((c) => caseKey(c.kind, c.entityId, c.memberId)));
        for (const c of casesHeld(a)) {
          if (now.has(caseKey(c.kind, c.entityId, c.memberId))) continue;
          expect(whyResolved(c.kind, c.memberId, b).length).toBeGreaterThan(4);
        }
      }),
      { seed: 15, numRuns: 500 },
    );
  });
});

describe('what a decision on a case rests on', () => {
  const pocket = {
    entity: '甲',
    reportYear: 2024,
    declared: 0,
    found: 1,
    orgRelation: '某社区党支部',
    memberStatus: 'normal',
  };
  it('a report year or a member count does not reopen a pocket case; its org relation does', () => {
    expect(decisionBasisChanged('pocket_member', pocket, { ...pocket, reportYear: 2025, declared: 2 })).toBe(false);
    expect(decisionBasisChanged('pocket_member', pocket, { ...pocket, orgRelation: '另一党支部' })).toBe(true);
  });
  it('the counts reopen the count-based kinds, the year alone does not; unknown evidence before counts as changed', () => {
    const e = { entity: '甲', reportYear: 2024, declared: 0, found: 1, orgForm: 0 };
    expect(decisionBasisChanged('hidden_member', e, { ...e, reportYear: 2025 })).toBe(false);
    expect(decisionBasisChanged('entity_without_org', e, { ...e, declared: 3 })).toBe(true);
    expect(decisionBasisChanged('declared_not_found', null, e)).toBe(true);
  });
});
