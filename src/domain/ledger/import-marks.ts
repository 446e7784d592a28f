import type { FileKind } from '../import/vocabulary.js';
import { rowLabel } from './sheets.js';

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

/** What two rows of a file are when one repeats the other: a roster's rows are people, the other files' entities. */
const SAME_ONE: Record<FileKind, { same: string; other: string; keys: string }> = {
  registry: { same: '同一主体', other: '另一主体', keys: '统一社会信用代码（或注册号）' },
  annual_report: { same: '同一主体', other: '另一主体', keys: '统一社会信用代码（或注册号）' },
  abnormal_list: { same: '同一主体', other: '另一主体', keys: '统一社会信用代码（或注册号）' },
  untrustworthy_list: { same: '同一主体', other: '另一主体', keys: '统一社会信用代码（或注册号）' },
  roster: { same: '同一人', other: '另一人', keys: '身份证号（无身份证号的，姓名或出生日期）' },
};

/** The 重复标记 of a refused repeat; `sheets`: those its job read together (the kept row is then named with its sheet). */
export function duplicateMark(kind: FileKind, dupKey: string, sheets: readonly string[] | null = null): string {
  const [tag, kept] = dupKey.split('@');
  return `重复：与原文件${rowLabel(Number(kept), sheets)}${SAME_ONE[kind].same}，未导入（标记 ${tag}）`;
}

/** The tag and kept row a 重复标记 cell names, or null when the cell is empty or not XGZ's mark. */
export function readDuplicateMark(cell: string | undefined): { tag: string; keptRow: number } | null {
  const m = /第\s*(\d+)\s*行.*标记\s*([0-9a-f]{8})/.exec(cell ?? '');
  return m ? { tag: m[2], keptRow: Number(m[1]) } : null;
}

export const duplicateAgainReason = (kind: FileKind, keptRow: number) => {
  const { same, other, keys } = SAME_ONE[kind];
  return `该行在原文件中与第 ${keptRow} 行是${same}（重复行），不会导入，以免覆盖第 ${keptRow} 行的数据。若其实是${other}，请改正其${keys}；若确要以此行为准，请清空"${DUPLICATE_MARK_HEADER}"列后再导入`;
};
