import type { AssessmentItem } from './scoring.js';

/**
 * Replacing a jurisdiction's items for a year without losing what the assessed jurisdiction did:
 * each item keeps its row (and so the evidence attached to it) under a stable key — the indicator
 * for an indicator item, the name for a manual one. An existing item whose key is gone is removed,
 * unless evidence is attached to it: then the whole change is refused, saying which item and how
 * many files (the level above changes weight, score or basis instead, or the assessed
 * jurisdiction withdraws its files first). Pure.
 */
export type ExistingItem = {
  id: number;
  kind: 'indicator' | 'manual';
  indicator: string | null;
  label: string | null;
  files: number;
};

export const itemKey = (i: {
  kind: 'indicator' | 'manual';
  indicator?: string | null;
  label?: string | null;
}): string => (i.kind === 'indicator' ? `indicator:${i.indicator}` : `manual:${(i.label ?? '').trim()}`);

export type ReplacePlan =
  | { ok: true; update: { id: number; item: AssessmentItem }[]; insert: AssessmentItem[]; remove: number[] }
  | { ok: false; field: string; message: string };

export function planReplacement(
  existing: readonly ExistingItem[],
  items: readonly AssessmentItem[],
  assessedName: string,
): ReplacePlan {
  const byKey = new Map(existing.map((e) => [itemKey(e), e]));
  const wanted = new Set(items.map(itemKey));
  const held = existing.filter((e) => !wanted.has(itemKey(e)) && e.files > 0);
  if (held.length) {
    const names = held.map((e) => `"${e.label}"（${e.files} 个文件）`).join('、');
    return {
      ok: false,
      field: 'items',
      message: `人工评分项${names}已有${assessedName}提交的佐证材料，不能删除或改名；如需调整，请修改分值、评分或依据，或请${assessedName}先撤回佐证材料`,
    };
  }
  const update: { id: number; item: AssessmentItem }[] = [];
  const insert: AssessmentItem[] = [];
  for (const i of items) {
    const e = byKey.get(itemKey(i));
    if (e) update.push({ id: e.id, item: i });
    else insert.push(i);
  }
  return { ok: true, update, insert, remove: existing.filter((e) => !wanted.has(itemKey(e))).map((e) => e.id) };
}
