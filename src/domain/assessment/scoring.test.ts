import { describe, expect, it } from 'vitest';
import { toCounts, valuesOf } from '../indicators/registry.js';
import { itemsProblem, rankByTotal, scoreAll, scoreItem, type AssessmentItem } from './scoring.js';

const values = valuesOf(toCounts({ operating: 100, anyOrg: 40, work: 90, instructorsActive: 3, contactPoints: 5 }));

describe('assessment scoring', () => {
  it('scores an indicator item min(actual ÷ target, 1) × weight', () => {
    expect(scoreItem({ kind: 'indicator', indicator: 'orgCoverage', target: 0.5, weight: 20 }, values)).toEqual({
      actual: 0.4,
      score: 16,
    });
    expect(scoreItem({ kind: 'indicator', indicator: 'workCoverage', target: 0.8, weight: 10 }, values)).toEqual({
      actual: 0.9,
      score: 10,
    }); // capped
    expect(scoreItem({ kind: 'indicator', indicator: 'instructorsActive', target: 9, weight: 15 }, values)).toEqual({
      actual: 3,
      score: 5,
    });
    // Nothing to divide by: no rate, no points.
    expect(scoreItem({ kind: 'indicator', indicator: 'trainingCompletion', target: 0.9, weight: 10 }, values)).toEqual({
      actual: null,
      score: 0,
    });
  });

  it('scores a manual item as the assessor did (0 until scored), and totals', () => {
    const items: AssessmentItem[] = [
      { kind: 'indicator', indicator: 'orgCoverage', target: 0.5, weight: 20 },
      { kind: 'manual', label: '党建工作创新', weight: 10, manualScore: 7.5, evidence: '经验材料获省局转发' },
      { kind: 'manual', label: '台账规范', weight: 5, manualScore: null, evidence: null },
    ];
    expect(scoreAll(items, values)).toMatchObject({
      total: 23.5,
      weight: 35,
      items: [{ score: 16 }, { score: 7.5, actual: null }, { score: 0 }],
    });
  });

  it('ranks by total, equal totals sharing a rank', () => {
    const ranked = rankByTotal([
      { code: 'a', total: 80 },
      { code: 'b', total: 92.5 },
      { code: 'c', total: 80 },
      { code: 'd', total: 60 },
    ]);
    expect(ranked.map((r) => [r.code, r.rank])).toEqual([
      ['b', 1],
      ['a', 2],
      ['c', 2],
      ['d', 4],
    ]);
  });

  it('refuses item lists it cannot score, in Chinese, naming the field', () => {
    const ind = (o: Partial<AssessmentItem> = {}) =>
      ({ kind: 'indicator', indicator: 'orgCoverage', target: 0.5, weight: 20, ...o }) as AssessmentItem;
    expect(itemsProblem([ind()])).toBeNull();
    expect(itemsProblem([ind({ weight: 0 })])).toEqual({
      field: 'items.0.weight',
      message: '分值应大于 0、不超过 100',
    });
    expect(itemsProblem([ind({ target: 80 })])).toMatchObject({
      field: 'items.0.target',
      message: '比率目标应在 0 至 100% 之间',
    });
    expect(itemsProblem([ind(), ind({ weight: 5 })])).toMatchObject({ field: 'items.1.indicator' });
    expect(
      itemsProblem([
        ind({ weight: 60 }),
        { kind: 'manual', label: '创新', weight: 50, manualScore: null, evidence: null },
      ]),
    ).toMatchObject({ field: 'items', message: '各项分值合计 110，超过 100 分' });
    expect(
      itemsProblem([{ kind: 'manual', label: '创新', weight: 10, manualScore: 11, evidence: '材料' }]),
    ).toMatchObject({ field: 'items.0.manualScore' });
    expect(itemsProblem([{ kind: 'manual', label: '创新', weight: 10, manualScore: 8, evidence: ' ' }])).toMatchObject({
      field: 'items.0.evidence',
      message: '人工评分须写明依据',
    });
  });
});
