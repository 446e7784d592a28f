/** The sheet of an XLSX error report that holds the rows to correct and import again. */
export const CORRECTIONS_SHEET = '待修正数据';
/**
 * Sheets that explain a file rather than hold its rows: the template's notes, by whatever name
 * other systems' templates and clerks give them (填写说明, 字段说明, 填写须知, 导入须知（必读）,
 * 注意事项, 填报要求), and the error report's list.
 */
const HELPER_SHEET = /说明|须知|注意事项|填写要求|填报要求|^错误明细$/;

/** The sheets that may hold a file's rows: neither notes, an error list nor blank. */
export const dataSheets = (names: readonly string[], empty: ReadonlySet<string> = new Set()): string[] =>
  names.filter((n) => !HELPER_SHEET.test(n.trim()) && !empty.has(n));

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
  const data = dataSheets(names, empty);
  if (data.length === 1) return { sheet: data[0] };
  if (names.length === 1) return { sheet: names[0] };
  return { ask: names, problem: `工作簿有 ${names.length} 个工作表（${names.join('、')}），请选择要导入的工作表` };
}

/**
 * Rows of a job that reads several sheets (a roster exported one sheet per 党支部) are told apart
 * by their sheet: a row's reference is its sheet's place × SHEET_ROW_SPAN + its row number as
 * Excel shows it, so references stay distinct, in file order, and fit the int the tables keep.
 */
export const SHEET_ROW_SPAN = 2 ** 21; // above Excel's 1,048,576 rows
/** The most sheets one import takes (references stay below 2^31). */
export const MAX_SHEETS = Math.floor(2 ** 31 / SHEET_ROW_SPAN) - 1;

export const sheetRowRef = (sheetAt: number, rowNo: number): number => sheetAt * SHEET_ROW_SPAN + rowNo;

/** Where a row reference points: its sheet's name (null for a job reading one sheet or a CSV) and its row number. */
export function rowPlace(ref: number, sheets: readonly string[] | null): { sheet: string | null; rowNo: number } {
  if (!sheets?.length) return { sheet: null, rowNo: ref };
  return { sheet: sheets[Math.floor(ref / SHEET_ROW_SPAN)] ?? null, rowNo: ref % SHEET_ROW_SPAN };
}

/** A row as a person names it: 第 3 行, or 工作表"第二党支部"第 3 行 when the job read several sheets. */
export function rowLabel(ref: number, sheets: readonly string[] | null): string {
  const { sheet, rowNo } = rowPlace(ref, sheets);
  return sheet === null ? `第 ${rowNo} 行` : `工作表"${sheet}"第 ${rowNo} 行`;
}

/**
 * The data sheets (chooseSheet's candidates) one import may take together: all of them when each
 * has the header of the first, name for name in the same order (the same system's export, one
 * sheet per branch); else why not, naming the first sheet whose header differs.
 */
export function sheetsOfOneShape(
  headers: readonly { sheet: string; headers: readonly string[] }[],
): { sheets: string[] } | { problem: string } {
  const [first, ...rest] = headers;
  if (headers.length > MAX_SHEETS)
    return { problem: `工作簿有 ${headers.length} 个有数据的工作表，一次最多导入 ${MAX_SHEETS} 个` };
  // Unnamed columns at the right (empty, or only formatted) make no difference.
  const key = (h: readonly string[]) => {
    const names = h.map((x) => x.trim());
    while (names.length && !names[names.length - 1]) names.pop();
    return JSON.stringify(names);
  };
  const other = rest.find((s) => key(s.headers) !== key(first.headers));
  if (!other) return { sheets: headers.map((s) => s.sheet) };
  const a = new Set(first.headers.filter(Boolean));
  const b = new Set(other.headers.filter(Boolean));
  const only = (x: Set<string>, y: Set<string>) => [...x].filter((h) => !y.has(h));
  // Sheets with no column in common (a cover's title over the data's sheet) differ, no more to say.
  const diff = ![...a].some((h) => b.has(h))
    ? ['没有相同的列']
    : [
        only(b, a).length ? `多出"${only(b, a).join('、')}"` : '',
        only(a, b).length ? `缺少"${only(a, b).join('、')}"` : '',
      ].filter(Boolean);
  return {
    problem: `工作表"${other.sheet}"的列与"${first.sheet}"不同（${diff.join('，') || '列的顺序不同'}），不能一次导入`,
  };
}
