import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { COUNT_KEYS, toCounts, type Counts } from '../indicators/registry.js';
import {
  beyondTolerance,
  carriedMarks,
  consolidate,
  differences,
  unreported,
  type ChildSubmission,
} from './consolidation.js';
import { reportTransition } from './workflow.js';

const child = (
  code: string,
  state: ChildSubmission['state'],
  total: Partial<Counts> | null,
  missing: ChildSubmission['missing'] = [],
): ChildSubmission => ({
  code,
  name: `所${code}`,
  state,
  version: state === 'submitted' ? 2 : null,
  submittedAt: state === 'submitted' ? '2026-10-08T02:00:00.000Z' : null,
  source: 'live',
  asOf: '2026-10-08',
  total: total ? toCounts(total) : null,
  missing,
});
const countsArb = fc.record(
  Object.fromEntries(COUNT_KEYS.map((k) => [k, fc.nat({ max: 1000 })])) as Record<keyof Counts, fc.Arbitrary<number>>,
);

describe('consolidation', () => {
  it('the total is the sum of the submitted children and the own rows, whatever they hold; unsubmitted children add nothing', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(countsArb, fc.constantFrom('submitted', 'draft', 'returned', null)), { maxLength: 6 }),
        countsArb,
        (kids, own) => {
          const children = kids.map(([c, state], i) => child(String(i), state, c));
          const rows = consolidate({ code: 'N' }, children, own);
          const total = rows.at(-1)!;
          for (const k of COUNT_KEYS) {
            expect(total.counts[k]).toBe(
              kids.filter(([, s]) => s === 'submitted').reduce((s, [c]) => s + c[k], 0) + own[k],
            );
          }
          expect(rows.filter((r) => r.kind === 'child').map((r) => r.code)).toEqual(
            children.filter((c) => c.state === 'submitted').map((c) => c.code),
          );
        },
      ),
    );
  });

  it('waits for children not submitted (a returned one too) unless marked; a mark on a child that has submitted no longer applies', () => {
    const children = [
      child('1', 'submitted', {}),
      child('2', 'returned', null),
      child('3', null, null),
      child('4', 'draft', null),
    ];
    const r = unreported(children, [{ code: '3' }, { code: '1' }]);
    expect(r.waiting.map((c) => c.code)).toEqual(['2', '4']);
    expect(r.marked.map((c) => c.code)).toEqual(['3']);
  });

  it("carries the level's own marks and those of its submitted children's versions, each once", () => {
    const below = { code: '9', name: '远所', reason: '停电', by: '甲县' };
    const children = [child('1', 'submitted', {}, [below]), child('2', 'returned', null, [{ ...below, code: '8' }])];
    expect(carriedMarks([{ code: '3', name: '所3', reason: '未报', by: '本市' }], children).map((m) => m.code)).toEqual(
      ['3', '9'],
    );
  });

  it('explains each difference from the live figures per child and flags totals beyond the tolerance', () => {
    const children = [child('1', 'submitted', { operating: 10 }), child('2', null, null), child('3', 'returned', null)];
    const d = differences({
      node: { code: 'N', name: '本县' },
      children,
      marks: [{ code: '2', name: '所2', reason: '人员调整', by: '本县' }],
      own: { counts: toCounts({ operating: 1 }), source: 'live', asOf: '2026-10-08' },
      live: {
        total: toCounts({ operating: 20, membersFound: 1 }),
        own: toCounts({ operating: 1 }),
        children: new Map([
          ['1', toCounts({ operating: 11 })],
          ['2', toCounts({ operating: 5 })],
          ['3', toCounts({ operating: 3 })],
        ]),
      },
      tolerance: 0.05,
    });
    const op = d.filter((x) => x.key === 'operating');
    expect(op.map((x) => [x.kind, x.code, x.consolidated, x.live, x.beyond])).toEqual([
      ['child', '1', 10, 11, false],
      ['child', '2', 0, 5, false],
      ['child', '3', 0, 3, false],
      ['total', 'N', 11, 20, true],
    ]);
    expect(op[0].explanation).toBe('所1于 2026-10-08 上报第 2 版（实时数据 2026-10-08），此后台账有变化');
    expect(op[1].explanation).toBe('所2缺报（人员调整），其数字未计入汇总');
    expect(op[2].explanation).toBe('所3的报表已退回、尚未重新上报，其数字未计入汇总');
    expect(op[3].explanation).toContain('所2缺报');
    // A count of people made distinct over the subtree says so.
    expect(d.find((x) => x.key === 'membersFound' && x.kind === 'total')!.explanation).toMatch(
      /^已找到的党员在全辖区按人（户）去重/,
    );
  });

  it('the tolerance is a share of the larger figure, and a difference of less than one never counts', () => {
    expect(beyondTolerance(100, 105, 0.05)).toBe(false);
    expect(beyondTolerance(100, 106, 0.05)).toBe(true);
    expect(beyondTolerance(0, 1, 0.05)).toBe(true);
    expect(beyondTolerance(3, 3, 0)).toBe(false);
  });

  it('a submission waits for children, then asks for an explanation of differences beyond the tolerance; an outdated submitted report may be prepared again', () => {
    const waiting = reportTransition('draft', 'submit', 'own', {
      waiting: [{ code: '1', name: '所1', state: 'returned' }],
    });
    expect(waiting).toMatchObject({
      ok: false,
      status: 422,
      field: 'missing',
      errors: [{ field: 'missing', message: '所1（1）已退回，尚未重新上报' }],
    });
    const diff = differences({
      node: { code: 'N', name: '本县' },
      children: [],
      marks: [],
      own: { counts: toCounts({ operating: 1 }), source: 'live', asOf: '' },
      live: { total: toCounts({ operating: 2 }), own: toCounts({ operating: 2 }), children: new Map() },
      tolerance: 0,
    }).filter((x) => x.beyond);
    expect(reportTransition('draft', 'submit', 'own', { unexplained: diff })).toMatchObject({
      ok: false,
      status: 422,
      field: 'explanation',
    });
    expect(reportTransition('draft', 'submit', 'own', { unexplained: diff, explanation: '已核实' })).toEqual({
      ok: true,
      to: 'submitted',
    });
    expect(reportTransition('submitted', 'prepare', 'own')).toMatchObject({ ok: false, status: 409 });
    expect(reportTransition('submitted', 'prepare', 'own', { outdated: true })).toEqual({ ok: true, to: 'draft' });
    expect(reportTransition('submitted', 'prepare', 'above', { outdated: true })).toMatchObject({
      ok: false,
      status: 403,
    });
  });
});
