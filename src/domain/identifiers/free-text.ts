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
 */
const DIGIT = '[\\p{Nd}\\p{No}]';
const SEP = '[^\\p{L}\\p{N}]{0,3}';
const RUN = new RegExp(`(?<!${DIGIT})${DIGIT}(?:${SEP}${DIGIT})+(?:${SEP}[XxＸｘ])?(?!${DIGIT})`, 'gu');
const LONG_RUN = new RegExp(`${DIGIT}(?:[^\\p{L}\\p{N}]?${DIGIT}){9,}(?:[^\\p{L}\\p{N}]?(?:${DIGIT}|[XxＸｘ]))`, 'gu');
const ID_DIGITS = /^(\d{17}[0-9Xx]|\d{15})$/;
const MOBILE_DIGITS = /^(86)?1[3-9]\d{9}$/;

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
    const r = maskRun(asciiDigits(run));
    found += r.found;
    return r.found ? r.text : run;
  });
  return { text: out, found };
}

/** A run's digits of any script as ASCII (Ｘ as X); its separators as typed. */
const asciiDigits = (run: string): string =>
  run.replace(/[\p{Nd}\p{No}Ｘｘ]/gu, (c) => {
    const k = c.normalize('NFKC');
    if (/^[0-9Xx]+$/.test(k)) return k;
    return /\p{Nd}/u.test(c) ? String(decimalValue(c)) : c;
  });

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
  let out = run;
  for (const { re, mask } of PATTERNS) {
    out = out.replace(re, (m) => {
      found++;
      return mask(m.replace(/[^0-9Xx]/g, ''));
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
  return { text: shown, found };
}

/** The longest ID number or mobile written by the groups from `start` (an even place): masked, and where it ends. */
function numberFrom(parts: string[], start: number): { masked: string; end: number } | null {
  if (start % 2) return null;
  let digits = '';
  let best: { masked: string; end: number } | null = null;
  for (let j = start; j < parts.length && digits.length < 18; j += 2) {
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
