/**
 * The configurable code lists of this module (honour kinds, point criteria): what an edit may
 * do. Codes are the stored keys, so a code still used by a record cannot be removed (rename its
 * label instead); codes and labels are unique within a list.
 */
export const EDITABLE_LISTS = {
  honor_kind: '荣誉类型',
  contact_point_criterion: '联系点条件清单',
  demo_point_criterion: '示范点附加条件清单',
  business_line: '业务条线（走访问题转办、帮扶项目）',
} as const;
export type EditableList = keyof typeof EDITABLE_LISTS;

export type Entry = { code: string; label: string };

/** Why the new list cannot replace the old one (a Chinese reason and the field), or null. */
export function listProblem(after: Entry[], inUse: Set<string>): { field: string; message: string } | null {
  if (!after.length) return { field: 'entries', message: '清单至少保留一项' };
  const codes = new Set<string>();
  const labels = new Set<string>();
  for (const [i, e] of after.entries()) {
    if (codes.has(e.code)) return { field: `entries.${i}.code`, message: `代码 ${e.code} 重复` };
    if (labels.has(e.label)) return { field: `entries.${i}.label`, message: `名称"${e.label}"重复` };
    codes.add(e.code);
    labels.add(e.label);
  }
  const removed = [...inUse].filter((c) => !codes.has(c));
  if (removed.length) return { field: 'entries', message: `仍有记录使用，不能删除：${removed.join('、')}（可改名）` };
  return null;
}
