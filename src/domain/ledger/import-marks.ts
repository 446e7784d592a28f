/**
 * The columns XGZ adds to the 待修正数据 sheet of an error report. 原行号 is the row's number
 * in the file first imported. 重复标记 marks a row refused because its key repeated an
 * earlier row of its file, with a short tag of that key: importing the report again refuses
 * the row while its key still carries the tag (a corrected key imports normally).
 */
export const ORIGINAL_ROW_HEADER = '原行号';
export const DUPLICATE_MARK_HEADER = '重复标记';
/** Columns of a report that are XGZ's own, never the source file's: not carried into the next report. */
export const REPORT_HEADERS = new Set([ORIGINAL_ROW_HEADER, DUPLICATE_MARK_HEADER]);

/** dup_key as stored with a rejection: the key's tag and the row that kept the key. */
export const duplicateKey = (tag: string, keptRow: number) => `${tag}@${keptRow}`;

export function duplicateMark(dupKey: string): string {
  const [tag, kept] = dupKey.split('@');
  return `重复：与原文件第 ${kept} 行同一主体，未导入（标记 ${tag}）`;
}

/** The tag and kept row a 重复标记 cell names, or null when the cell is empty or not XGZ's mark. */
export function readDuplicateMark(cell: string | undefined): { tag: string; keptRow: number } | null {
  const m = /第\s*(\d+)\s*行.*标记\s*([0-9a-f]{8})/.exec(cell ?? '');
  return m ? { tag: m[2], keptRow: Number(m[1]) } : null;
}

export const duplicateAgainReason = (keptRow: number) =>
  `该行在原文件中与第 ${keptRow} 行是同一主体（重复行），不会导入，以免覆盖第 ${keptRow} 行的数据。若它其实是另一主体，请改正其统一社会信用代码（或注册号、身份证号）；若确要以此行为准，请清空"${DUPLICATE_MARK_HEADER}"列后再导入`;
