/**
 * Merged cells. A hand-kept sheet merges a value over the rows it stands for (所在党支部 over its
 * members, 登记机关 over its entities, a header cell over the two rows of a two-row header); the
 * file stores it in the merge's first cell only, and the rows below would read empty where the
 * user sees the value. A vertical merge's value is given to every row it covers (in its first
 * column: columns of a merge are one cell to the eye); horizontal-only merges (a title over the
 * table) change nothing.
 */

/** A merged range, rows and columns numbered from 1 as Excel shows them. */
export type Merge = { top: number; left: number; bottom: number; right: number };

/** How many merges a sheet may declare before the rest are ignored (a sheet is not a merge list). */
export const MAX_MERGES = 100_000;

/** A column's letters (A, AB) as its number from 1. */
export const columnNumber = (letters: string): number =>
  [...letters.toUpperCase()].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0);

/** "A5:B9" (or "C3", a merge of one cell) as a range; null for anything else. */
export function mergeOf(ref: string): Merge | null {
  const m = /^\$?([A-Za-z]{1,3})\$?(\d{1,7})(?::\$?([A-Za-z]{1,3})\$?(\d{1,7}))?$/.exec(ref.trim());
  if (!m) return null;
  const [a, b] = [
    { c: columnNumber(m[1]), r: Number(m[2]) },
    { c: columnNumber(m[3] ?? m[1]), r: Number(m[4] ?? m[2]) },
  ];
  return {
    top: Math.min(a.r, b.r),
    left: Math.min(a.c, b.c),
    bottom: Math.max(a.r, b.r),
    right: Math.max(a.c, b.c),
  };
}

/** Merges right of this column are not filled: no table of ours is that wide, and a crafted file could make every row that wide. */
const MAX_FILLED_COLUMN = 256;

/**
 * A function to call with every row in order (its number and cells): it fills the cells the
 * sheet's vertical merges cover below their first row with that row's value, in place. Merges
 * never overlap in a file Excel wrote; if one claims to, the later one in its column wins, so a
 * row costs at most one step per column.
 */
export function mergeFiller(merges: Merge[]): (rowNo: number, cells: string[]) => string[] {
  const starting = new Map<number, Merge[]>();
  for (const m of merges)
    if (m.bottom > m.top && m.left <= MAX_FILLED_COLUMN) starting.set(m.top, [...(starting.get(m.top) ?? []), m]);
  if (!starting.size) return (_rowNo, cells) => cells;
  const active = new Map<number, { bottom: number; value: string }>(); // by column (from 1)
  return (rowNo, cells) => {
    for (const [col, a] of active) {
      if (a.bottom < rowNo) {
        active.delete(col);
        continue;
      }
      while (cells.length < col) cells.push('');
      if (cells[col - 1] === '') cells[col - 1] = a.value;
    }
    for (const m of starting.get(rowNo) ?? []) active.set(m.left, { bottom: m.bottom, value: cells[m.left - 1] ?? '' });
    return cells;
  };
}
