import { pinyin } from 'pinyin-pro';
import { distance } from 'fastest-levenshtein';

/**
 * Field comparisons for record linkage. Each returns an agreement level; the scoring model
 * (fellegi-sunter.ts) gives every level a weight. Levels are explainable words, shown to the
 * station staff who verify a link.
 */
export type NameLevel = 'exact' | 'homophone' | 'one_char' | 'different';
export type DateLevel = 'exact' | 'transposed' | 'month' | 'different' | 'missing';
export type ValueLevel = 'same' | 'different' | 'missing';

// Names repeat a great deal: their pinyin is computed once each (the cache is emptied when large).
const sounds = new Map<string, string>();
function toneless(s: string): string {
  let v = sounds.get(s);
  if (v === undefined) {
    if (sounds.size > 500_000) sounds.clear();
    v = pinyin(s, { toneType: 'none', type: 'string', nonZh: 'consecutive' }).replace(/\s+/g, ' ');
    sounds.set(s, v);
  }
  return v;
}

/** Same name; the same sound written with other characters (王伟/王玮); one character different; or different. */
export function compareNames(a: string, b: string): NameLevel {
  const x = a.replace(/\s/g, '');
  const y = b.replace(/\s/g, '');
  if (x === y) return 'exact';
  if (x.length === y.length && toneless(x) === toneless(y)) return 'homophone';
  if (x.length === y.length && x.length >= 2 && distance(x, y) === 1 && x[0] === y[0]) return 'one_char';
  return 'different';
}

/** Dates as YYYY-MM-DD. Two swapped digits or one wrong digit in the date count as a typo. */
export function compareDates(a: string | null | undefined, b: string | null | undefined): DateLevel {
  if (!a || !b) return 'missing';
  if (a === b) return 'exact';
  // One side known to the month only ('1980-03'): the month agrees or not; a typo cannot be told.
  if (a.length !== b.length) return a.slice(0, 7) === b.slice(0, 7) ? 'month' : 'different';
  const x = a.replaceAll('-', '');
  const y = b.replaceAll('-', '');
  const diff = [...x].map((c, i) => (c === y[i] ? -1 : i)).filter((i) => i >= 0);
  if (diff.length === 1) return 'transposed';
  if (diff.length === 2 && diff[1] === diff[0] + 1 && x[diff[0]] === y[diff[1]] && x[diff[1]] === y[diff[0]])
    return 'transposed';
  return 'different';
}

export function compareValues(a: string | null | undefined, b: string | null | undefined): ValueLevel {
  if (!a || !b) return 'missing';
  return a === b ? 'same' : 'different';
}
