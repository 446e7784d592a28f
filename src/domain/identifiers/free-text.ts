import { maskIdNumber, maskPhone } from './id-number.js';

/**
 * Personal numbers typed into free text (a public appeal, a plaque report): resident ID numbers
 * (18 characters, or the old 15 digits) and phone numbers (mobiles, with or without +86 and
 * separators; landlines with an area code). Found anywhere in the text, not inside a longer run
 * of digits, and replaced by the same masks the platform shows elsewhere.
 *
 * A number is looked for in runs of digits of any script (full-width ３, bold 𝟑, circled ③,
 * Arabic-Indic ٣) with up to three characters that are neither letters nor digits between them
 * (spaces of any kind, － ． 。 ‐ − * brackets, newlines). Invisible format characters (zero-width
 * space or joiner, word joiner, soft hyphen: \p{Cf}) are dropped first. Only a run that holds a
 * number is rewritten (in ASCII digits); the rest of the text is kept as typed.
 *
 * Chinese numerals count as digits too ("一三八〇〇一三八〇〇〇", "幺三八…", 壹贰叁 and ○ for zero):
 * a run of them is a number only when it holds a phone or an ID number, so dates (二〇二四年),
 * amounts (三千五百元) and counts keep their characters. A Chinese numeral at either end of a
 * run may belong to the next word (13800138000一直没人接): up to three of them are tried as text.
 *
 * Letters typed for digits count as digits too (138OO138OOO, l38 OOl3 8OOO: O or o for 0, I or l
 * for 1, in Latin, full-width, Greek or Cyrillic form), but only as a word of their own: a run of
 * letters made of nothing else, touching no other letter of those scripts. So Hello, OIL, Tool or
 * iPhone stay words, while a phone written with them is masked; and like Chinese numerals such a
 * word at either end of a run is tried as text first (lol 13800138000 keeps its lol).
 */
// Each value's characters: everyday, 大写 (financial), traditional, and spoken (幺 1, 洞 0, 拐 7, 勾 9).
const HAN_DIGITS: Record<string, number> = Object.fromEntries(
  ['〇零○洞', '一幺壹', '二贰貳', '三叁參', '四肆', '五伍', '六陆陸', '七柒拐', '八捌', '九玖勾'].flatMap(
    (chars, value) => [...chars].map((c) => [c, value]),
  ),
);
const HAN = `[${Object.keys(HAN_DIGITS).join('')}]`;
const LETTER_DIGITS: Record<string, number> = Object.fromEntries(
  ['OoＯｏΟοОо', 'IlＩｌΙІ'].flatMap((chars, value) => [...chars].map((c) => [c, value])),
);
const WORD_LETTER = '[\\p{Script=Latin}\\p{Script=Greek}\\p{Script=Cyrillic}]';
// A word made only of letters that look like digits (OO, l, lOl): never a part of a longer word.
const LETTERS = `(?<!${WORD_LETTER})[${Object.keys(LETTER_DIGITS).join('')}]+(?!${WORD_LETTER})`;
const isWordDigit = (c: string): boolean => c in HAN_DIGITS || c in LETTER_DIGITS;
const HAN_EDGE = 3;
const MASKED = '\uE000'; // a masked digit while a run is worked on
const DIGIT = `(?:[\\p{Nd}\\p{No}]|${HAN}|${LETTERS})`;
const SEP = '[^\\p{L}\\p{N}○]{0,3}'; // ○ is a zero, not a separator
const RUN = new RegExp(`(?<!${DIGIT})${DIGIT}(?:${SEP}${DIGIT})+(?:${SEP}[XxＸｘ])?(?!${DIGIT})`, 'gu');
// In a file name Chinese numerals are words (张三); one written as a phone is caught as free text first.
const NUM = '[\\p{Nd}\\p{No}]';
const LONG_RUN = new RegExp(`${NUM}(?:[^\\p{L}\\p{N}]?${NUM}){9,}(?:[^\\p{L}\\p{N}]?(?:${NUM}|[XxＸｘ]))`, 'gu');
const ID_DIGITS = /^(\d{17}[0-9Xx]|\d{15})$/;
const MOBILE_DIGITS = /^(86)?1[3-9]\d{9}$/;
const WHOLE_NUMBER =
  /^(?:\d{6}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx]|(?:86)?1[3-9]\d{9})$/;

const PATTERNS: { re: RegExp; mask: (digits: string) => string }[] = [
  // 18-character ID (last may be X), or 15-digit old ID; also written with spaces every few digits.
  { re: /(?<![0-9])(\d{6}[ -]?(?:18|19|20)\d{2}[ -]?\d{2}[ -]?\d{2}[ -]?\d{3}[0-9Xx])(?![0-9])/g, mask: maskIdNumber },
  { re: /(?<![0-9])(\d{15})(?![0-9])/g, mask: maskIdNumber },
  // Mobile: 1[3-9]x xxxx xxxx, optionally +86 / 86 in front and - or spaces between groups.
  { re: /(?<![0-9])((?:\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4})(?![0-9])/g, mask: maskPhone },
  // Landline: 0 + 2–3 digit area code, then 7–8 digits, optionally separated or in brackets.
  { re: /(?<![0-9])(\(?0\d{2,3}\)?[ -]?\d{7,8})(?![0-9])/g, mask: maskPhone },
];

export type Redacted = { text: string; found: number };

export function redactFreeText(text: string): Redacted {
  let found = 0;
  const out = text.replace(/\p{Cf}/gu, '').replace(RUN, (run) => {
    const r = maskRunAsTyped(run);
    found += r.found;
    return r.text;
  });
  return { text: out, found };
}

/**
 * A run with its numbers masked, or as typed when it holds none. Chinese numerals at its ends
 * may be words (张三, 一直, 三天): the run is also tried without up to HAN_EDGE of them at each end
 * (and the separators next to them), those kept as typed. The reading that masks the most digits
 * wins, so a name's 三 before an ID number neither joins the number nor shows its digits.
 */
function maskRunAsTyped(run: string): Redacted {
  const chars = Array.from(run);
  const digitAt = chars.flatMap((c, i) => (/^[\p{Nd}\p{No}]$/u.test(c) || isWordDigit(c) ? [i] : []));
  const isHan = (k: number) => isWordDigit(chars[digitAt[k]]);
  // A run far longer than a number with words at its ends is tried once, as a whole.
  const edge = chars.length > 80 ? 0 : HAN_EDGE;
  let best: (Redacted & { from: number; to: number; score: number }) | null = null;
  for (let lead = 0; lead <= edge && lead < digitAt.length; lead++) {
    if (lead > 0 && !isHan(lead - 1)) break;
    for (let trail = 0; trail <= edge && lead + trail < digitAt.length - 1; trail++) {
      if (trail > 0 && !isHan(digitAt.length - trail)) break;
      const from = lead ? digitAt[lead] : 0;
      const to = trail ? digitAt[digitAt.length - 1 - trail] + 1 : chars.length;
      const core = asciiDigits(chars.slice(from, to).join(''));
      const r = maskRun(core);
      if (!r.found) continue;
      // Masked digits first; between equals, the reading that is exactly one well-formed number.
      const score = 2 * (r.text.split('*').length - 1) + (WHOLE_NUMBER.test(core.replace(/[^0-9Xx]/g, '')) ? 1 : 0);
      if (!best || score > best.score) best = { ...r, from, to, score };
    }
  }
  if (!best) return { text: run, found: 0 };
  const core = chars.slice(best.from, best.to);
  return {
    text: chars.slice(0, best.from).join('') + keepAsTyped(core, best.text) + chars.slice(best.to).join(''),
    found: best.found,
  };
}

/**
 * Free text with its numbers masked but for the texts kept, where they stand whole: a message's own
 * examples ("固定电话（如 025-83456789）", a date's "（如 …、20240315）" read as an ID number) are
 * no one's number. The text on either side of a kept one is masked on its own.
 */
export function redactFreeTextKeeping(text: string, kept: readonly string[]): string {
  const found = kept.filter((k) => k && text.includes(k));
  if (!found.length) return redactFreeText(text).text;
  const at = new RegExp(`(${found.map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`);
  return text
    .split(at)
    .map((part, i) => (i % 2 ? part : redactFreeText(part).text))
    .join('');
}

/**
 * A masked run with the groups before its first number and after its last as they were typed
 * ("一三八〇〇一三八〇〇〇，二〇二四年" keeps its 二〇二四): the masking rewrote the run in ASCII.
 */
function keepAsTyped(typed: string[], masked: string): string {
  const ascii = Array.from(asciiDigits(typed.join('')));
  const out = Array.from(masked);
  if (ascii.length !== typed.length) return masked; // a digit that became two (⑩): leave it in ASCII
  const isSep = (c: string) => !/^[0-9Xx*]$/.test(c);
  let same = 0;
  while (same < out.length && same < ascii.length && out[out.length - 1 - same] === ascii[ascii.length - 1 - same])
    same++;
  let tail = out.length - same;
  while (tail < out.length && !isSep(out[tail])) tail++;
  let lead = 0;
  while (lead < out.length && lead < ascii.length && out[lead] === ascii[lead]) lead++;
  while (lead > 0 && !isSep(out[lead - 1])) lead--;
  if (lead > tail) return masked;
  return [...typed.slice(0, lead), ...out.slice(lead, tail), ...typed.slice(typed.length - (out.length - tail))].join(
    '',
  );
}

/** A run's digits of any script, Chinese numerals and letters for digits included, as ASCII (Ｘ as X); its separators as typed. */
const asciiDigits = (run: string): string =>
  run.replace(new RegExp(`[\\p{Nd}\\p{No}Ｘｘ]|${HAN}|${LETTERS}`, 'gu'), (m) => [...m].map(asciiDigit).join(''));

function asciiDigit(c: string): string {
  if (c in HAN_DIGITS) return String(HAN_DIGITS[c]);
  if (c in LETTER_DIGITS) return String(LETTER_DIGITS[c]);
  const k = c.normalize('NFKC');
  if (/^[0-9Xx]+$/.test(k)) return k;
  return /\p{Nd}/u.test(c) ? String(decimalValue(c)) : c;
}

/** A decimal digit's value: Unicode encodes each script's digits 0–9 in a row, from 0. */
function decimalValue(c: string): number {
  const cp = c.codePointAt(0)!;
  let k = 0;
  while (k < 100 && /\p{Nd}/u.test(String.fromCodePoint(cp - k - 1))) k++;
  return k % 10;
}

/** The numbers in one run of ASCII digit groups, masked: first by their usual shapes, then by its groups. */
function maskRun(run: string): Redacted {
  let found = 0;
  // Masks are written with MASKED until the end, so that the groups pass below does not read a
  // masked number's kept digits as a group ("13800138000，2024" is one phone, then a year).
  let out = run.replaceAll(MASKED, ' ');
  for (const { re, mask } of PATTERNS) {
    out = out.replace(re, (m) => {
      found++;
      return mask(m.replace(/[^0-9Xx]/g, '')).replaceAll('*', MASKED);
    });
  }
  // Then a number typed in groups of any size and any separators ("3201 0519 9802 1913 08",
  // "320102.19900307.1234", "138_1234_5678"): the consecutive groups of the run that hold exactly
  // an ID number's or a mobile's digits ("身份证320102.19900307.1234，手机138.1234.5678" is one run
  // holding both).
  const parts = out.split(/([^0-9Xx]+)/); // groups at even places, separators between
  let shown = '';
  for (let i = 0; i < parts.length;) {
    const hit = numberFrom(parts, i);
    if (hit) found++;
    shown += hit ? hit.masked : parts[i];
    i = hit ? hit.end : i + 1;
  }
  return { text: shown.replaceAll(MASKED, '*'), found };
}

/** The longest ID number or mobile written by the groups from `start` (an even place): masked, and where it ends. */
function numberFrom(parts: string[], start: number): { masked: string; end: number } | null {
  if (start % 2) return null;
  const masked = (k: number) => k > 0 && k < parts.length && parts[k].includes(MASKED);
  if (masked(start - 1)) return null; // the kept tail of a masked number
  let digits = '';
  let best: { masked: string; end: number } | null = null;
  for (let j = start; j < parts.length && digits.length < 18; j += 2) {
    if (j > start && masked(j - 1)) break; // a masked number's kept head
    digits += parts[j];
    const mask = ID_DIGITS.test(digits) ? maskIdNumber : MOBILE_DIGITS.test(digits) ? maskPhone : null;
    if (mask) best = { masked: mask(digits), end: j + 1 };
  }
  return best;
}

/**
 * An uploaded file's name as anyone but its uploader sees it: clerks name files after the person
 * they are about ("张三320102197705061234.xlsx"), and the name is listed to the whole node.
 */
export const fileNameForOthers = (name: string): string =>
  // Beyond free text's patterns: in a file name an ID or a phone sits among dates and counters
  // (20241201320102197705061234登记.csv) or between _ and . (张三_320102_19770506_1234.csv). Any
  // run of 11 or more digits (one separator aside between them) is masked, its first 3 and last 2
  // digits kept.
  redactFreeText(name).text.replace(LONG_RUN, (m) => {
    const digits = asciiDigits(m).replace(/[^0-9Xx]/g, '');
    return `${digits.slice(0, 3)}${'*'.repeat(digits.length - 5)}${digits.slice(-2)}`;
  });

/** Invisible controls that reorder what is shown ("\u202e三张" shows as 张三): never in a name or a record. */
export const DIRECTION_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/;

/**
 * Characters that show nothing yet make two texts differ (round 11): zero-width space, joiners and
 * non-joiners, the word joiner and invisible operators, the byte-order mark, the soft hyphen, the
 * left-to-right, right-to-left and Arabic letter marks, and Hangul fillers. "新街口\u200b步行街"
 * passed the check for a county's same-named zone and listed as a second 新街口步行街; in an audit
 * line or an export it reads as the other. Taken out of every text a request carries (what is
 * shown does not change), as pasting from chat apps and word processors brings them in.
 * Round 15: a list of characters missed others just as invisible (the combining grapheme joiner,
 * variation selectors, tag characters, Khmer inherent vowels, Mongolian selectors, the deprecated
 * format controls U+206A–206F …): "第十五\u034f轮步行街" was a second 第十五轮步行街. So the set is
 * Unicode's own, Default_Ignorable_Code_Point (what a renderer shows nothing for), with the
 * interlinear annotation marks; but for the direction controls, which are refused, not taken out.
 */
export const INVISIBLE_FORMAT = /(?![\u202A-\u202E\u2066-\u2069])[\p{Default_Ignorable_Code_Point}\uFFF9-\uFFFB]/gu;

/** Text as shown: without INVISIBLE_FORMAT's characters. */
export const withoutInvisible = (text: string): string => text.replace(INVISIBLE_FORMAT, '');

/** The Kangxi radicals (⼝ ⼴ ⼈ …), drawn as the ideographs they stand for (口 广 人). */
const KANGXI_RADICALS = /[\u2F00-\u2FD5]/gu;

/**
 * Characters that may be written another way that shows the same (round 15): combining marks
 * ("Cafe\u0301" is Café), the Kangxi radicals, and the CJK compatibility ideographs (豈 U+F900 is
 * 豈 U+8C48). A quick test for whether shownForm may change a text (an import reads millions of cells).
 */
export const WRITTEN_OTHERWISE =
  // The class lists combining marks on purpose: any one of them, wherever it stands, is what is looked for.
  // eslint-disable-next-line no-misleading-character-class
  /[\u0300-\u036F\u1AB0-\u1AFF\u1DC0-\u1DFF\u20D0-\u20FF\uFE20-\uFE2F\u2F00-\u2FD5\uF900-\uFAFF\u{2F800}-\u{2FA1F}]/u;

/**
 * Text in the one form it is kept and compared in: without invisible characters, composed (Unicode
 * NFC: an accent typed as a combining mark is the accented letter; a CJK compatibility ideograph is
 * the unified one), and a Kangxi radical as its ideograph. "新街⼝步行街" with the radical ⼝ (U+2F1D),
 * "Cafe\u0301" and "豈" (U+F900) were second zones beside 新街口步行街, Café and 豈, shown the same in
 * every list and export (round 15). Nothing a keyboard types changes: NFC is the form input methods
 * already give, and no one types a radical or a compatibility ideograph meaning something else.
 */
export const shownForm = (text: string): string => {
  const seen = withoutInvisible(text);
  return WRITTEN_OTHERWISE.test(seen)
    ? seen.normalize('NFC').replace(KANGXI_RADICALS, (c) => c.normalize('NFKC'))
    : seen;
};

/**
 * Control characters no keyboard types into a field: C0 but tab, line feed and carriage return,
 * DEL, and C1 (an escape sequence in a zone's name reached whoever printed it on a terminal).
 */
// eslint-disable-next-line no-control-regex
export const CONTROL_CHARACTERS = /[\u0001-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

/**
 * Cyrillic letters, and the Greek capitals (and omicron) drawn as Latin letters are: Α Β Ε Ζ Η Ι Κ Μ Ν Ο Ρ Τ Υ Χ ο;
 * round 15: Armenian (օ ս ց drawn as o u g) and Cherokee (Ꭺ Ᏼ Ꮃ … drawn as A B W) letters, and the
 * phonetic letters of the IPA block (ɑ ɡ ɩ …), which are Latin to Unicode yet stand in for a, g, i.
 */
const LOOK_ALIKE = String.raw`\p{Script=Cyrillic}\p{Script=Armenian}\p{Script=Cherokee}\u0250-\u02AF\u0391\u0392\u0395\u0396\u0397\u0399\u039A\u039C\u039D\u039F\u03A1\u03A4\u03A5\u03A7\u03BF`;

/** A run of Latin, look-alike letters and digits: where a look-alike word is looked for. */
const LETTER_RUN = new RegExp(String.raw`[\p{Script=Latin}${LOOK_ALIKE}\p{N}]+`, 'gu');
const LATIN_LETTER = /\p{Script=Latin}/u;
const LOOK_ALIKE_LETTER = new RegExp(`[${LOOK_ALIKE}]`, 'u');
const EITHER_LETTER = new RegExp(String.raw`[\p{Script=Latin}${LOOK_ALIKE}]`, 'u');
/** How much of a long word a refusal quotes. */
const WORD_SHOWN = 24;

/**
 * The first word that mixes Latin letters with Cyrillic (or Latin-looking Greek) ones, digits
 * allowed between, or null: "Mеituan" with a Cyrillic е reads as Meituan in every list, export
 * and select box, yet is another name to a same-name check (round 14). A word of Cyrillic alone
 * (a Russian shop sign) and Greek signs such as μg or Ω pass. Each run of such characters is
 * scanned a few times, never again from each of its letters: a regular expression for the word (a
 * Latin letter, then Latin letters or digits, then a look-alike, or the other way round) did so,
 * and a 90 KB login of Cyrillic letters and digits held the server for 19 s (round 18).
 */
export function mixedScriptWord(text: string): string | null {
  for (const [run] of text.matchAll(LETTER_RUN)) {
    if (!LATIN_LETTER.test(run) || !LOOK_ALIKE_LETTER.test(run)) continue;
    // Both kinds are there: mixed unless they are one letter that is both (an IPA ɑ alone).
    const first = run.search(EITHER_LETTER);
    const next = first + String.fromCodePoint(run.codePointAt(first)!).length;
    if (EITHER_LETTER.test(run.slice(next))) return run;
  }
  return null;
}

/** The reason a text holding such a word is refused, naming the word (its start, when long). */
export const mixedScriptReason = (text: string): string | null => {
  const word = mixedScriptWord(text);
  if (word === null) return null;
  const shown = [...word.slice(0, WORD_SHOWN * 2)].slice(0, WORD_SHOWN).join('');
  return `"${shown.length < word.length ? `${shown}…` : shown}"中混用了拉丁字母与形似的西里尔、希腊、亚美尼亚、切罗基字母或音标（如 "А" 冒充 "A"），看来相同却是另一个写法：请切换到英文输入法重新输入`;
};

const NOT_IN_FILE_NAME = new RegExp(String.raw`[\\/\p{Cc}]|${DIRECTION_CONTROLS.source}`, 'gu');

/**
 * An uploaded file's name as kept and listed: path separators, control characters (an escape
 * sequence reached the terminal of `xgz imports list`) and direction controls (名单\u202evsc.csv
 * shows as another name) become _ (round-8 probe: an import's name was kept as sent).
 */
export const cleanFileName = (name: string): string =>
  name.normalize('NFC').replace(NOT_IN_FILE_NAME, '_').slice(-255) || '未命名';
