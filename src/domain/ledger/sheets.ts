/** The sheet of an XLSX error report that holds the rows to correct and import again. */
export const CORRECTIONS_SHEET = '待修正数据';
/**
 * Sheets that explain a file rather than hold its rows: the template's notes (and what other
 * systems' templates call theirs), the error report's list.
 */
const HELPER_SHEETS = new Set(['填写说明', '填报说明', '填表说明', '使用说明', '导入说明', '说明', '错误明细']);

export type SheetChoice = { sheet: string } | { ask: string[]; problem: string };

/**
 * Which sheet of a workbook to import: the one asked for (it must exist); else the error
 * report's 待修正数据; else the only sheet that is not a note, an error list or blank (`empty`:
 * the sheets with no value, as Excel's untouched Sheet1 beside the data's Sheet2); else the user
 * must choose.
 */
export function chooseSheet(
  names: string[],
  requested?: string | null,
  empty: ReadonlySet<string> = new Set(),
): SheetChoice {
  if (requested) {
    if (names.includes(requested)) return { sheet: requested };
    return { ask: names, problem: `工作簿中没有名为"${requested}"的工作表，可选：${names.join('、')}` };
  }
  if (names.includes(CORRECTIONS_SHEET)) return { sheet: CORRECTIONS_SHEET };
  const data = names.filter((n) => !HELPER_SHEETS.has(n) && !empty.has(n));
  if (data.length === 1) return { sheet: data[0] };
  if (names.length === 1) return { sheet: names[0] };
  return { ask: names, problem: `工作簿有 ${names.length} 个工作表（${names.join('、')}），请选择要导入的工作表` };
}
