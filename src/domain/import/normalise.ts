import { localDate } from '../time/zone.js';

/**
 * Normalising cells before they are validated. Exports and hand-kept sheets carry full-width
 * digits and letters (１２３Ｘ), full-width parentheses, stray spaces, lower-case x in ID numbers,
 * IDs that Excel turned into numbers, and dates in every usual Chinese form. Each function returns
 * the clean value and whether it had to change full-width characters, so a refusal can say so.
 */

const FULL_WIDTH = /[\uff01-\uff5e\u3000]/;

/** Full-width ASCII (！–～) to half-width, ideographic space to a space (a value without any is returned as is: most cells, every cell of an import). */
export const toHalfWidth = (v: string): string =>
  FULL_WIDTH.test(v)
    ? v.replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ')
    : v;

export const hasFullWidth = (v: string): boolean => FULL_WIDTH.test(v);

/**
 * ID numbers, USCCs, registration numbers, phones: half-width, no spaces or separators, upper case.
 * Quotes of either width go too: none is part of a code, and a list pasted from a document or a
 * chat quotes them (“92320102MA…”; round 18: refused as 应为 18 位（实际 20 位）).
 */
export function normaliseCode(v: string): { value: string; fullWidth: boolean } {
  const fullWidth = hasFullWidth(v);
  const value = toHalfWidth(v)
    .replace(/[\s\u00a0\u200b\ufeff'‘’“”"`-]/g, '')
    .toUpperCase();
  return { value, fullWidth };
}

/** Chinese characters and full-width marks: text that is written without spaces between words. */
const CJK = /[\p{sc=Han}\u3000-\u303f\uff00-\uffef]/u;
const SPACES = /\s+/g;

/**
 * A name or an address typed into a cell over two lines (Alt+Enter, or a wrapped export:
 * "南京探针十一号\n电子有限公司") is one line: a line break and the spaces around it go where
 * Chinese text meets (it has no spaces between words), and become one space between other
 * words ("Room 5\nBuilding 2").
 */
export function joinLines(v: string): string {
  if (!/[\r\n]/.test(v)) return v;
  // One pass over the runs of spaces, each looked at as a whole with its neighbours: the patterns
  // before (a break after or before a Chinese character, then any break) tried the rest of a run
  // from each of its spaces, 0.18 s for a cell of 4,000 full-width spaces (round 18).
  return v.replace(SPACES, (run: string, at: number) => {
    if (!/[\r\n]/.test(run)) return run;
    const before = [...v.slice(Math.max(0, at - 2), at)].pop() ?? '';
    const after = String.fromCodePoint(v.codePointAt(at + run.length) ?? 32);
    return CJK.test(before) || CJK.test(after) ? '' : ' ';
  });
}

/** The middle dot of a name (GB/T 28039: U+00B7) and what is typed for it: •, ．, ・, ‧, ∙, ⋅, ･. */
const NAME_DOTS = /[•．・‧∙⋅･]|(?<=\p{Script=Han})\s*\.\s*(?=\p{Script=Han})/gu;
/** A run of spaces: a full-width one, a no-break one, a zero-width one. */
const GAP = /[\s\u200b]+/g;

/**
 * The text without its runs of spaces that touch a character `beside` takes, in one pass over the
 * text. A pattern with the two lookarounds (spaces before such a character, or after one) tried
 * the rest of a long run from each of its spaces: a file's cell of 4,096 full-width spaces between
 * two letters took 0.2 s, and a registry file of such rows held the server row by row (round 18).
 */
function withoutGapsBeside(v: string, beside: RegExp): string {
  return v.replace(GAP, (run: string, at: number) => {
    const before = [...v.slice(Math.max(0, at - 2), at)].pop() ?? '';
    const after = String.fromCodePoint(v.codePointAt(at + run.length) ?? 32);
    return beside.test(before) || beside.test(after) ? '' : run;
  });
}

/** A Chinese character or a name's dot: the spaces beside it are padding. */
const NAME_GAP_BESIDE = /[\p{Script=Han}·]/u;
/**
 * A person's name as one writes it whoever typed it: lists pad a two-character name to line up
 * (王\u3000芳, 王 芳) and type a minority name's dot as they can (阿布都•热合曼, 阿布都．热合曼). The padding
 * goes and the dot is ·, so the same person is one name in every file (a member known by name is
 * kept by it); spaces between Latin words (John Smith) stay.
 */
export function normalisePersonName(v: string): string {
  return withoutGapsBeside(v.replace(NAME_DOTS, '·'), NAME_GAP_BESIDE);
}

/** A Chinese character or a full-width sign (（, ）, 、): the spaces of any width beside it go. */
const ENTITY_NAME_GAP_BESIDE = /[\p{Script=Han}\u3001-\u303f\uff01-\uffef]/u;
/**
 * A registered name (主体名称, 字号名称) as the registry writes it: a Chinese name has no spaces, so
 * spaces typed or padded into it (李四\u3000小吃, 南京 某某 有限公司) go, as a person's padding does;
 * between Latin words (ABC Coffee) one space stays. Two files writing the same name so are one name.
 */
export function normaliseEntityName(v: string): string {
  return withoutGapsBeside(v, ENTITY_NAME_GAP_BESIDE).replace(/\s+/g, ' ');
}

/**
 * A question mark in a name: a character the file could not hold. Excel's "CSV (逗号分隔)" on a
 * Chinese Windows saves in GBK, which lacks rare characters of names (𠮷, 㐂, 堃 in older tables), and
 * writes ? for each; no name of a person or a registered entity holds one.
 */
export const LOST_CHARACTER = /[?？]/;
export const lostCharacterMessage = (label: string, v: string): string =>
  `${label}"${v.trim()}"含问号：多为生僻字（如 𠮷、㐂）在文件另存为 CSV 时无法保存，被换成了"?"。请在 Excel 中另存为"CSV UTF-8（逗号分隔）"或 Excel 工作簿（.xlsx）后重新导入，或在此处填写正确的字`;

/**
 * A name cell naming more than one person: names in a list (张三、李四; 张三,李四) or a count of them
 * (王五等3人), as hand-kept lists write a 家庭经营 个体工商户's family. One row is one person.
 */
export const SEVERAL_PEOPLE =
  /[\p{Script=Han}·]\s*[、,，;；/／]\s*\p{Script=Han}|等\s*[0-9０-９一二两三四五六七八九十]+\s*(?:人|名)$/u;
export const severalPeopleMessage = (label: string, v: string): string =>
  `${label}"${v.trim()}"写了不止一人：每行只填一人（家庭经营的个体工商户填登记的经营者，其他家庭成员不导入）`;

/**
 * A value an export masked for privacy (320102********1234, 139****5000): the digits that would
 * tell the person are not in the file. No ID number, code or phone holds an asterisk.
 */
export const isMasked = (v: string): boolean => v.includes('*') || v.includes('＊');

/**
 * A cell written as Excel's text formula ="…": how registry systems export an ID number or a
 * code in CSV so that Excel keeps it as text. Its text, not a formula (nothing is evaluated).
 * Likewise Excel's text mark, a leading apostrophe ('2019-05-01, '12: how other systems write
 * text into a CSV, and how XGZ's own error report keeps a cell from being read as a formula).
 */
export function excelTextLiteral(v: string): string {
  if (/^'[^']/.test(v)) return v.slice(1);
  const m = /^=\s*"((?:[^"]|"")*)"$/.exec(v);
  return m ? m[1].replaceAll('""', '"') : v;
}

/** Excel's rendering of a long number: 3.20102E+17. Such a value has lost its last digits. */
export const SCIENTIFIC = /^\d(\.\d+)?E\+?\d+$/i;

/**
 * An 18-digit number as Excel keeps one it held as a number: 15 significant digits, the last three
 * 0 (320102197705061000). A genuine 身份证号 ends 000 about once in 1,100 (sequence x00, check 0).
 */
export const EXCEL_CUT = /^\d{15}000$/;

/** At least this many rows are read before a column is judged (ExcelCutColumns). */
export const CUT_WINDOW = 1000;

/**
 * Columns of 身份证号 that Excel cut: a CSV, or a text cell typed over a number, has no cell type
 * to tell, but in a column Excel cut every number ends 000. A column is judged so when two of its
 * numbers at least, and a fifth of them, end 000 (genuine ones: about one in 1,100); its numbers
 * ending 000 are then refused even where their check digit holds by chance (one in 11).
 */
export class ExcelCutColumns {
  private readonly seen = new Map<string, { ids: number; cut: number }>();

  /** Counts a cell of an ID column. */
  see(field: string, cell: string): void {
    const v = normaliseCode(cell).value;
    if (!/^\d{17}[\dX]$/.test(v)) return;
    const s = this.seen.get(field) ?? this.seen.set(field, { ids: 0, cut: 0 }).get(field)!;
    s.ids++;
    if (EXCEL_CUT.test(v)) s.cut++;
  }

  /** Whether a value of the column is one Excel cut, as far as the column has been read. */
  isCut(field: string, cell: string): boolean {
    const s = this.seen.get(field);
    return !!s && s.cut >= 2 && s.cut * 5 >= s.ids && EXCEL_CUT.test(normaliseCode(cell).value);
  }
}

/**
 * The decimals a number format shows a fraction to ("0.00", "#,##0.0", Chinese Excel's 数值
 * "0.00_ " and "0.00_);[Red]\(0.00\)"), by its first section; null for any other format (General).
 */
function fixedDecimals(numFmt: string | undefined): number | null {
  if (!numFmt) return null;
  const first = numFmt
    .split(';')[0]
    .replace(/"[^"]*"|\[[^\]]*\]|_.|\\./g, '')
    .trim();
  const m = /^[#,0]*0\.(0+)$/.exec(first);
  return m ? m[1].length : null;
}

/**
 * A number cell as text: an identifier exact when Excel could keep it, else in the scientific form
 * Excel shows; a fraction as its number format shows it. A hand-kept roster types 出生年月 and 入党时间
 * as numbers (1980.10) and gives the column two decimals so that October shows: the cell holds
 * 1980.1, which read bare was January.
 */
export function numberCellText(n: number, numFmt?: string): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e15) return String(n);
  if (Number.isInteger(n))
    return n
      .toPrecision(15)
      .replace(/\.?0+e/, 'e')
      .toUpperCase();
  const decimals = fixedDecimals(numFmt);
  return decimals === null ? String(n) : n.toFixed(decimals);
}

/**
 * A number cell showing a year and a month ending .1 (1980.1: General, or one decimal): Excel keeps
 * 1980.10 (October) as 1980.1 too, so the cell does not say which month it was typed as. Such a
 * cell is refused where it is read, never taken for January.
 */
export const monthNumberUnclear = (n: number, numFmt?: string): boolean =>
  /^(?:19|20)\d{2}\.1$/.test(numberCellText(n, numFmt));

/**
 * Dates as people and systems write them: 2019-05-01, 2019/5/1, 2019.5.1, 2019年5月1日,
 * 20190501, 20190501000000, 2019-05-01 00:00:00, 2019-05-01T00:00:00, and as a Chinese Excel saves a date cell's
 * long formats to CSV: 2019年5月1日 星期三, 2019/5/1 下午 2:30:00; a Chinese-locale database's
 * 2019年05月01日 00时00分00秒. Returns YYYY-MM-DD text for the
 * row schema to check, or the input unchanged when it is none of these.
 *
 * A time with its zone (2019-05-05T16:00:00.000Z, …+08:00: how JSON and some exchange systems
 * write a date as the instant of its midnight in China; …+08, PostgreSQL's text of a timestamptz,
 * as a database's COPY export writes it) is an instant, whose date is the
 * deployment zone's: 16:00 UTC is already the next day in China. A time without a zone is the
 * clock on the wall where it was written: its date is as written.
 */
export function normaliseDateText(v: string): string {
  const s = dateAsTyped(v);
  const m =
    /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?(?:\s*(?:星期|周|礼拜)[一二三四五六日天])?(?:\s*[上下]?午?\s*\d{1,2}\s*[时点]\s*(?:\d{1,2}\s*分\s*(?:\d{1,2}\s*秒)?)?)?(?:(?:\s*[上下]午\s*|\s+|T)(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:\s*[AP]M)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i.exec(
      s,
    ) ?? /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2}))?$/.exec(s); // 20190501, 20190501083000 (an exchange timestamp)
  if (!m) return yearLastDate(s) ?? oracleDate(s) ?? s;
  const date = `${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}`;
  return m[7] ? (zonedInstantDate(date, Number(m[4]), Number(m[5]), Number(m[6] ?? 0), m[7]) ?? date) : date;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

/**
 * A date or a month as typed, ready to be read: half-width, trimmed, a Chinese full stop between
 * digits as the dot it was meant for (2019。7。1: typed with a Chinese input method on), and a full
 * stop after it dropped (2019.07.01., 1998.07., 2019年7月1日。: it ends what was typed).
 */
const dateAsTyped = (v: string): string =>
  inArabicNumerals(
    toHalfWidth(v)
      .trim()
      .replace(/(?<=\d)\s*。\s*(?=\d)/g, '.')
      .replace(/(?<=[\d日月号])\s*[.。]$/, ''),
  );

const HAN_DIGITS = '〇一二三四五六七八九';
const hanDigit = (c: string): number => ('零○O'.includes(c) ? 0 : HAN_DIGITS.indexOf(c));
/** 1 to 31 in Chinese numerals (三, 十, 十二, 二十一, 三十一), else NaN. */
function hanNumber(s: string): number {
  const m = /^(?:([二三])?十)?([一二三四五六七八九])?$/.exec(s);
  if (!m || !s) return NaN;
  return (s.includes('十') ? (m[1] ? hanDigit(m[1]) : 1) : 0) * 10 + (m[2] ? hanDigit(m[2]) : 0);
}
/**
 * A date or a month in Chinese numerals (二〇一九年三月十二日, 一九八〇年三月, 九八年七月) in Arabic ones
 * (2019年3月12日 …): zh-CN Excel's built-in date format 二〇〇一年三月十四日 shows a date cell so, and
 * a CSV saved from it holds that text; hand-kept rosters write dates so too. A year alone (二〇一〇年)
 * is left as it is: it is no date or month.
 */
function inArabicNumerals(s: string): string {
  const m =
    /^([〇零○O一二三四五六七八九]{4}|[〇零○O一二三四五六七八九]{2})\s*年\s*([一二三四五六七八九十]{1,3})\s*月(?:\s*([一二三四五六七八九十]{1,3})\s*[日号])?$/.exec(
      s,
    );
  if (!m) return s;
  const [month, day] = [hanNumber(m[2]), m[3] ? hanNumber(m[3]) : undefined];
  if (Number.isNaN(month) || (day !== undefined && Number.isNaN(day))) return s;
  const year = [...m[1]].map(hanDigit).join('');
  return day === undefined ? `${year}年${month}月` : `${year}年${month}月${day}日`;
}

/**
 * A date given to the month only, as 'YYYY-MM'; null for anything else. As rosters write it:
 * 2010.07, 2010年7月, 98年7月, 2010-7, 201007, 2010.07. (a full stop after it); and as Excel's built-in
 * format mmm-yy shows a date cell (saved to CSV so): Jul-19, JUL-2019, 7月-19 in a Chinese Excel.
 * A two-digit year (98年7月, Jul-19) is the latest year it can be that is not after this one (Jul-19
 * is 2019-07, 98年7月 1998-07): the century a clerk reads into it. A month of 1900 or later only.
 */
export function monthOfText(v: string, thisYear = Number(localDate().slice(0, 4))): string | null {
  const s = dateAsTyped(v);
  const m = /^(\d{4}|\d{2}(?=\s*年))\s*(?:[-/.年]\s*(\d{1,2})\s*月?|(\d{2}))$/.exec(s);
  const shown = m ? null : /^(?:(\d{1,2})\s*月|([A-Z]{3}))\s*-\s*(\d{2}|\d{4})$/i.exec(s);
  const yy = m ? m[1] : (shown?.[3] ?? '');
  const year = yy.length === 2 ? fullYear(yy, thisYear) : Number(yy);
  const month = m
    ? Number(m[2] ?? m[3])
    : shown?.[1]
      ? Number(shown[1])
      : MONTHS.indexOf(shown?.[2]?.toUpperCase() ?? '') + 1;
  if (!yy || month < 1 || month > 12 || year < 1900) return null;
  return `${year}-${String(month).padStart(2, '0')}`;
}

/** A two-digit year as a clerk reads it: the latest year it can be that is not after this one. */
const fullYear = (yy: string, thisYear: number): number => Number(yy) + (Number(yy) + 2000 > thisYear ? 1900 : 2000);

/**
 * A month or a date with a two-digit year and dots (98.07, 98.7.15): refused, as a number cell shows
 * the same (98.07), but the message gives it with its year written whole, as monthOfText would
 * read the year (1998.07, 1998.07.15); null for anything else.
 */
export function twoDigitYearDotted(v: string, thisYear = Number(localDate().slice(0, 4))): string | null {
  const m = /^(\d{2})\s*\.\s*(\d{1,2})(?:\s*\.\s*(\d{1,2}))?$/.exec(dateAsTyped(v));
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12 || (m[3] && (Number(m[3]) < 1 || Number(m[3]) > 31))) return null;
  return [fullYear(m[1], thisYear), m[2].padStart(2, '0'), ...(m[3] ? [m[3].padStart(2, '0')] : [])].join('.');
}

/**
 * A date as Excel's format d-mmm shows it (1-Jul, 19-7月): a day and a month without a year. No date
 * can be read from it; the year must be written (see dateField).
 */
export function yearlessDate(v: string): boolean {
  const m = /^(\d{1,2})\s*-\s*(?:(\d{1,2})\s*月|([A-Z]{3}))$/i.exec(toHalfWidth(v).trim());
  return !!m && Number(m[1]) <= 31 && (m[2] ? Number(m[2]) <= 12 : MONTHS.includes(m[3].toUpperCase()));
}

/**
 * A date with the year last (5/6/2023, 5/6/2023 0:00, 5/6/2023 12:00:00 AM): how an English-language
 * Excel, and the systems built on its formats, write a date cell to CSV — month first. A first
 * number over 12 can only be a day (15/6/2023, as British settings write it). YYYY-MM-DD, or null
 * for any other text.
 */
function yearLastDate(s: string): string | null {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AP]M)?)?$/i.exec(s);
  if (!m) return null;
  const [a, b] = [Number(m[1]), Number(m[2])];
  const [month, day] = a > 12 ? [b, a] : [a, b];
  return `${m[3]}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * A date as an Oracle database prints it by default (DD-MON-RR): 01-5月 -19 in a Chinese session
 * (how the registration systems' own extracts, pulled with a SQL client, often come), 01-MAY-19 in
 * an English one, a TIMESTAMP's time after it (01-5月 -19 12.00.00.000000 上午). Two-digit years by
 * Oracle's RR rule: 00–49 are 20xx, 50–99 19xx. YYYY-MM-DD, or null for any other text.
 */
function oracleDate(s: string): string | null {
  const m =
    /^(\d{1,2})-\s*(?:(\d{1,2})\s*月|([A-Z]{3}))\s*-\s*(\d{2}|\d{4})(?:\s+\d{1,2}[.:]\d{2}[.:]\d{2}(?:[.,]\d+)?(?:\s*(?:[上下]午|[AP]M))?)?$/i.exec(
      s,
    );
  if (!m) return null;
  const month = m[2] ? Number(m[2]) : MONTHS.indexOf(m[3].toUpperCase()) + 1;
  if (!month) return null;
  const yy = Number(m[4]);
  const year = m[4].length === 4 ? yy : yy < 50 ? 2000 + yy : 1900 + yy;
  return `${year}-${String(month).padStart(2, '0')}-${m[1].padStart(2, '0')}`;
}

/** The deployment zone's date at an instant written with its UTC offset; null when the date or time is none (left for the schema to refuse). */
function zonedInstantDate(date: string, h: number, min: number, sec: number, offset: string): string | null {
  const [y, mo, d] = date.split('-').map(Number);
  const wall = Date.UTC(y, mo - 1, d, h, min, sec);
  const back = new Date(wall);
  if (back.getUTCDate() !== d || back.getUTCHours() !== h || min > 59 || sec > 59) return null;
  const o = /^([+-])(\d{2})(?::?(\d{2}))?$/.exec(offset);
  const offsetMin = o ? (o[1] === '-' ? -1 : 1) * (Number(o[2]) * 60 + Number(o[3] ?? 0)) : 0; // Z: UTC
  return localDate(new Date(wall - offsetMin * 60_000));
}

/**
 * A date column's cell holding Excel's serial number (43586: the date was typed into, or exported
 * to, a cell without a date format, so Excel itself shows the number): the date it stands for.
 * Five digits only (1927-05-19 to 2173-10-14): a four-digit value is a year, not a serial.
 */
export function excelSerialDate(v: string): string | null {
  const m = /^(\d{5})(?:\.0+)?$/.exec(v.trim());
  if (!m) return null;
  const d = new Date(Date.UTC(1899, 11, 30) + Number(m[1]) * 86_400_000);
  return d.toISOString().slice(0, 10);
}

const DAY_MS = 86_400_000;
const FEB_28_1900 = Date.UTC(1900, 1, 28);
const MARCH_1900 = Date.UTC(1900, 2, 1);

/**
 * The calendar date an .xlsx date cell shows, from the instant ExcelJS gives it (its serial counted
 * from 1899-12-30, right from 1900-03-01 on). Excel's 1900 date system keeps Lotus 1-2-3's
 * 29 February 1900, a day that never was (serial 60): serials 1–59 show a day later than that count
 * (serial 1 is 1900-01-01, which came out as 1899-12-31 and was refused under a date the clerk
 * never saw; 59, 1900-02-28, was stored as 02-27), and serial 60 shows 1900-02-29, which no date
 * check takes. (The .xls reader's SheetJS counts as Excel does.)
 */
export function excelCellDate(d: Date): string {
  const t = d.getTime();
  if (t >= MARCH_1900) return d.toISOString().slice(0, 10);
  if (t >= FEB_28_1900) return '1900-02-29';
  return new Date(t + DAY_MS).toISOString().slice(0, 10);
}

/**
 * Whether a date format shows the year and the month but no day: yyyy"年"m"月" (what a Chinese
 * Excel gives a cell typed 1980-3 or 1980/3), yyyy.mm, yyyy-mm, mmm-yy.
 */
function monthOnlyFormat(numFmt: string | undefined): boolean {
  if (!numFmt) return false;
  const shown = numFmt
    .split(';')[0]
    .replace(/"[^"]*"|\[[^\]]*\]|_.|\\./g, '')
    .toLowerCase();
  return /y/.test(shown) && /m/.test(shown) && !/[dhs]/.test(shown);
}

/**
 * The date a date cell shows (YYYY-MM-DD, from excelCellDate or the .xls reader), or the month
 * (YYYY-MM) when its format shows no day and the day is the 1st: Excel makes a month typed alone
 * (出生年月 1980-3, shown 1980年3月) the 1st of it, a day nobody wrote. Read as that day it was a
 * birth date the member's ID number contradicts, or, without a number, an exact birth date made
 * up. A cell holding another day is that day, whatever its format hides.
 */
export function dateCellText(date: string, numFmt?: string): string {
  return date.endsWith('-01') && monthOnlyFormat(numFmt) ? date.slice(0, 7) : date;
}

/** A text that looks like a date (for the column plan's warnings). */
export function looksLikeDate(v: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(normaliseDateText(v));
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return y >= 1900 && y <= 2100 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31;
}
