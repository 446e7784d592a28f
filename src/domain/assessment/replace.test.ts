import { describe, expect, it } from 'vitest';
import { planReplacement } from './replace.js';
import type { AssessmentItem } from './scoring.js';

const manual = (label: string, weight = 10): AssessmentItem => ({
  kind: 'manual',
  label,
  weight,
  manualScore: null,
  evidence: null,
});
const ind: AssessmentItem = { kind: 'indicator', indicator: 'orgCoverage', target: 0.5, weight: 20 };

describe('replacing assessment items', () => {
  const existing = [
    { id: 1, kind: 'indicator' as const, indicator: 'orgCoverage', label: null, files: 0 },
    { id: 2, kind: 'manual' as const, indicator: null, label: '阵地建设', files: 2 },
    { id: 3, kind: 'manual' as const, indicator: null, label: '宣传工作', files: 0 },
  ];

  it('keeps each item in its row by its key, so attached evidence stays with it', () => {
    const p = planReplacement(existing, [{ ...ind, weight: 30 }, manual(' 阵地建设', 15), manual('新项目')], '玄武区');
    expect(p).toEqual({
      ok: true,
      update: [
        { id: 1, item: { ...ind, weight: 30 } },
        { id: 2, item: manual(' 阵地建设', 15) },
      ],
      insert: [manual('新项目')],
      remove: [3],
    });
  });

  it('refuses to remove or rename an item with evidence, naming it and its files', () => {
    const p = planReplacement(existing, [ind, manual('阵地建设工作')], '玄武区');
    expect(p.ok).toBe(false);
    if (!p.ok)
      expect(p.message).toBe(
        '人工评分项"阵地建设"（2 个文件）已有玄武区提交的佐证材料，不能删除或改名；如需调整，请修改分值、评分或依据，或请玄武区先撤回佐证材料',
      );
  });

  it('removes an item without evidence', () => {
    const p = planReplacement(existing, [manual('阵地建设')], '玄武区');
    expect(p.ok && p.remove).toEqual([1, 3]);
  });
});
