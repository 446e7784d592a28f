import { describe, expect, it } from 'vitest';
import { emptyCounts, type Counts } from '../indicators/registry.js';
import { differences, type ChildSubmission, type MissingMark } from './consolidation.js';

const counts = (operating: number): Counts => ({ ...emptyCounts(), operating });
const mark = (code: string, name: string): MissingMark => ({ code, name, reason: '未开通账号', by: '玄武区' });
const child = (over: Partial<ChildSubmission>): ChildSubmission => ({
  code: '320102',
  name: '玄武区',
  state: 'submitted',
  version: 1,
  submittedAt: '2026-12-05T08:00:00Z',
  source: 'live',
  asOf: '2026-12-05',
  total: counts(1580),
  missing: [],
  ...over,
});
const run = (c: ChildSubmission, live: number) =>
  differences({
    node: { code: '320100', name: '南京市' },
    children: [c],
    marks: [],
    own: null,
    live: { total: counts(live), own: emptyCounts(), children: new Map([[c.code, counts(live)]]) },
    tolerance: 0.05,
  }).find((d) => d.kind === 'child' && d.key === 'operating')!;

describe('a child whose version left units out as 缺报', () => {
  it('is short by their figures, and the explanation says so (not only that the ledger changed)', () => {
    const d = run(
      child({ missing: [mark('320102002', '锁金村市场监管所'), mark('320102003', '玄武湖市场监管所')] }),
      4697,
    );
    expect(d.explanation).toBe(
      '玄武区于 2026-12-05 上报第 1 版（实时数据 2026-12-05），其中锁金村市场监管所、玄武湖市场监管所缺报、数字未计入；上报后台账如有变化，也计入此差',
    );
  });

  it('names the first few when many were left out', () => {
    const many = ['甲所', '乙所', '丙所', '丁所', '戊所'].map((n, i) => mark(`32010200${i}`, n));
    expect(run(child({ missing: many }), 4697).explanation).toContain('其中甲所、乙所、丙所等 5 个单位缺报');
  });

  it('without marks, the difference is the ledger changing after the version went up', () => {
    expect(run(child({}), 1600).explanation).toBe(
      '玄武区于 2026-12-05 上报第 1 版（实时数据 2026-12-05），此后台账有变化',
    );
  });
});

describe('a difference the 缺报 units account for', () => {
  const station = (code: string, name: string, state: ChildSubmission['state'], n: number | null): ChildSubmission =>
    child({ code, name, state, version: state === 'submitted' ? 1 : null, total: n === null ? null : counts(n) });
  const county = (liveOf: Record<string, number>, extra = 0) =>
    differences({
      node: { code: '320104', name: '秦淮区' },
      children: [station('320104001', '甲所', null, null), station('320104002', '乙所', 'submitted', 40)],
      marks: [{ code: '320104001', name: '甲所', reason: '所长外出培训，数据未报', by: '秦淮区' }],
      own: null,
      live: {
        total: counts(liveOf['320104001'] + 40 + extra),
        own: emptyCounts(),
        children: new Map(Object.entries(liveOf).map(([k, v]) => [k, counts(v)])),
      },
      tolerance: 0.05,
    }).find((d) => d.kind === 'total' && d.key === 'operating')!;

  it('is explained by their reasons: not beyond the tolerance, no other explanation asked', () => {
    const d = county({ '320104001': 60 });
    expect([d.consolidated, d.live, d.beyond, d.byMissing]).toEqual([40, 100, false, true]);
    expect(d.explanation).toContain('差异来自缺报单位（甲所：所长外出培训，数据未报），缺报原因即差异说明');
  });

  it('still asks for an explanation when more than the 缺报 units differ', () => {
    const d = county({ '320104001': 60 }, 30);
    expect([d.beyond, d.byMissing]).toEqual([true, undefined]);
  });

  it('counts units a child version left out further down, by their live figures', () => {
    const run2 = (missingLive?: number) =>
      differences({
        node: { code: '320100', name: '南京市' },
        children: [child({ total: counts(40), missing: [mark('320102002', '锁金村市场监管所')] })],
        marks: [],
        own: null,
        live: {
          total: counts(100),
          own: emptyCounts(),
          children: new Map([['320102', counts(100)]]),
          ...(missingLive === undefined ? {} : { missing: new Map([['320102002', counts(missingLive)]]) }),
        },
        tolerance: 0.05,
      }).find((d) => d.kind === 'total' && d.key === 'operating')!;
    expect([run2(60).beyond, run2(60).byMissing]).toEqual([false, true]);
    // A report prepared before the units' live figures were kept: explained by hand, as before.
    expect(run2().beyond).toBe(true);
  });
});
