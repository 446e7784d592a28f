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

const column = (letters: string) => [...letters.toUpperCase()].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0);

/** "A5:B9" (or "C3", a merge of one cell) as a range; null for anything else. */
export function mergeOf(ref: string): Merge | null {
  const m = /^\$?([A-Za-z]{1,3})\$?(\d{1,7})(?::\$?([A-Za-z]{1,3})\$?(\d{1,7}))?$/.exec(ref.trim());
  if (!m) return null;
  const [a, b] = [
    { c: column(m[1]), r: Number(m[2]) },
    { c: column(m[3] ?? m[1]), r: Number(m[4] ?? m[2]) },
  ];
  return {
    top: Math.min(a.r, b.r),
    left: Math.min(a.c, b.c),
    bottom: Math.max(a.r, b.r),
    right: Math.max(a.c, b.c),
  };
}

/**
 * A function to call with every row in order (its number and cells): it fills the cells the
 * sheet's vertical merges cover below their first row with that row's value, in place.
 */
export function mergeFiller(merges: Merge[]): (rowNo: number, cells: string[]) => string[] {
  const starting = new Map<number, Merge[]>();
  for (const m of merges) if (m.bottom > m.top) starting.set(m.top, [...(starting.get(m.top) ?? []), m]);
  if (!starting.size) return (_rowNo, cells) => cells;
  let active: { m: Merge; value: string }[] = [];
  return (rowNo, cells) => {
    if (active.length) active = active.filter((a) => a.m.bottom >= rowNo);
    for (const a of active) {
      while (cells.length < a.m.left) cells.push('');
      if (cells[a.m.left - 1] === '') cells[a.m.left - 1] = a.value;
    }
    for (const m of starting.get(rowNo) ?? []) active.push({ m, value: cells[m.left - 1] ?? '' });
    return cells;
  };
}
