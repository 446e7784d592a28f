import fs from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { parse } from 'csv-parse';
import iconv from 'iconv-lite';
import ExcelJS from 'exceljs';
import { DEFAULT_ZIP_LIMITS, ZipRefused, guardZip } from './zip-guard.js';
import {
  dateCellText,
  excelCellDate,
  excelTextLiteral,
  monthNumberUnclear,
  numberCellText,
} from '../../domain/import/normalise.js';
import { footerText, repeatsHeader, sectionTitle } from '../../domain/import/footer.js';
import { nameCreditAuthorities } from '../../domain/import/vocabulary.js';
import {
  CONTROL_CHARACTERS,
  DIRECTION_CONTROLS,
  INVISIBLE_FORMAT,
  mixedScriptWord,
  mixedScriptReason,
  shownForm,
  WRITTEN_OTHERWISE,
} from '../../domain/identifiers/free-text.js';
import { LegacyReadError, legacyRecords, spreadsheetKind } from './legacy.js';
import { WorkbookUnreadable, formulaResult, openWorkbook, type Workbook } from './workbook.js';
import { mergeFiller } from './merges.js';

/**
 * One record of a source file: its 1-based row number as the user sees it, and its cells as text.
 * `bad` names the cells the reader could not take as they are (bytes that are not text in the
 * file's encoding, a field over the size limit): a row with one in a column the import reads is
 * refused, never stored with U+FFFD or cut (see firstReadProblem).
 */
export type CellProblem = { index: number; reason: string; wholeRow?: true };
/**
 * `notData`: why the reader takes the row for no data although it stands among the data (a 合计 row
 * with rows under it, a row under another table's header): dataRows refuses it for that alone.
 */
export type SourceRow = { rowNo: number; cells: string[]; bad?: CellProblem[]; notData?: string };

/**
 * The problem that refuses a row: the first in a column the import reads. A cell the import does
 * not read (经营范围 longer than the field limit, in a column the plan leaves out) refuses nothing.
 */
export const firstReadProblem = (row: SourceRow, ignored: ReadonlySet<number>): CellProblem | undefined =>
  row.bad?.find((b) => b.wholeRow || !ignored.has(b.index));

/**
 * A row with nothing in the columns the import reads and only numbers in the others: no data,
 * like a blank row (a hand-kept sheet numbers its 序号 down to row 500 before anything is filled
 * in). A row with words in a column the import does not read (an annual report's 企业名称 alone)
 * is still read, and refused saying what it lacks.
 */
export const readsNothing = (row: SourceRow, ignored: ReadonlySet<number>): boolean =>
  row.cells.every((c, i) => c.trim() === '' || (ignored.has(i) && /^\d+(\.0+)?$/.test(c.trim())));
/** A row titling the group under it (a branch's name above its members), or repeating the header or a line of it (`header`), by its row number. */
export type TitleRow = { rowNo: number; text: string; header?: boolean };

/**
 * The rows that carry data, for the preview and the import alike: rows reading nothing are left
 * out, group titles and repeats of the header put in `titles`. A repeat is of the header's names or
 * of one of its lines (a file stitched from pages repeats a two-row header's two rows, 法定代表人
 * over 姓名 and 证件号码, none of which is a name the header makes).
 */
export async function* dataRows<R extends SourceRow>(
  rows: AsyncIterable<R>,
  ignored: ReadonlySet<number>,
  titles: TitleRow[],
  header: Pick<Source, 'headers' | 'headerLines'>,
): AsyncGenerator<R> {
  const shapes = [header.headers, ...header.headerLines];
  for await (const row of rows) {
    if (readsNothing(row, ignored)) continue;
    if (shapes.some((h) => repeatsHeader(row.cells, h))) {
      titles.push({ rowNo: row.rowNo, text: '', header: true });
      continue;
    }
    const text = sectionTitle(row.cells);
    if (text !== null) titles.push({ rowNo: row.rowNo, text });
    else if (row.notData === undefined) yield row;
    else yield { ...row, bad: [{ index: notDataColumn(row.cells, ignored), reason: row.notData, wholeRow: true }] };
  }
}
/** The column a row that is no data is refused in: its first filled cell the import reads, else the first column it reads. */
function notDataColumn(cells: string[], ignored: ReadonlySet<number>): number {
  const read = cells.map((_, i) => i).filter((i) => !ignored.has(i));
  return read.find((i) => cells[i].trim() !== '') ?? read[0] ?? 0;
}

/** How the file was read: text, an .xlsx workbook, or a legacy workbook (.xls, or an HTML/XML table saved as .xls). */
export type SourceFormat = 'csv' | 'xlsx' | 'xlsb' | 'xls' | 'ods';
export type Source = {
  headers: string[];
  /** The rows that make the header as the sheet shows them (two for a two-row header): a page of a stitched file repeats them. */
  headerLines: string[][];
  /**
   * The filled rows above the one naming the columns (a title, a date line; a group row of the
   * header), each as its distinct cells' text: a title may say what no column does.
   */
  titleLines: string[];
  headerRowNo: number;
  rows: AsyncIterable<SourceRow>;
  bytesRead: () => number;
  format: SourceFormat;
  encoding: TextEncoding | null;
  /** The rows under the last data row that read as the table's footer (合计, 制表人：…): not data, not read; known once the rows are. */
  footer: () => FooterRow[];
  /** The rows under the header hidden in the workbook (an .xlsx, .xls, .et or .ods; a CSV has none): read like any other. Known once the first row is. */
  hiddenRows: () => number[];
  /** The columns hidden in the workbook, from 0 (an .xlsx, .xls, .et or .ods; a CSV has none): read like any other. */
  hiddenColumns: () => number[];
  /** Stops reading (a preview reads only the first rows). */ close: () => void;
};
export type FooterRow = { rowNo: number; text: string };

export class SourceError extends Error {}

export type SourceLimits = {
  maxUncompressedBytes: number;
  maxRatio: number;
  maxRows: number;
  /** Longest field in bytes (CSV) or characters (XLSX); longer is a row error. */ maxFieldBytes?: number;
};
export const DEFAULT_LIMITS: SourceLimits = { maxUncompressedBytes: 2 * 1024 ** 3, maxRatio: 200, maxRows: 10_000_000 };
/** XGZ_IMPORT_MAX_FIELD (bytes), default 4 KiB: no cell of a real extract comes near it. */
export const maxFieldOf = (limits: SourceLimits): number =>
  limits.maxFieldBytes ?? (Number(process.env.XGZ_IMPORT_MAX_FIELD) || 4096);

/** Marks where the reader cut a field (NUL SOH: control characters no text cell holds; PostgreSQL refuses NUL in text). */
export const CUT = '\u0000\u0001';
/** Marks a formula cell whose file holds no result to read (NUL STX; see CUT). */
export const NO_RESULT = '\u0000\u0002';
/** Marks, after its text, a number cell showing a month ending .1 (1980.1), which may have been typed 1980.10 (NUL ETX; see monthNumberUnclear). */
export const UNCLEAR_MONTH = '\u0000\u0003';

/** A number cell as text (numberCellText), marked when it may be a month whose 0 Excel dropped. */
const numberText = (n: number, numFmt?: string): string =>
  numberCellText(n, numFmt) + (monthNumberUnclear(n, numFmt) ? UNCLEAR_MONTH : '');

/** A cell as read, for people (the error report, the preview): a cut field ends with "…", undecodable bytes show as "?", a formula without a result as nothing. */
export const shownCell = (cell: string): string => {
  if (cell === NO_RESULT) return '';
  if (cell.endsWith(UNCLEAR_MONTH)) return cell.slice(0, -UNCLEAR_MONTH.length);
  const cut = cell.indexOf(CUT);
  const kept = cut < 0 ? cell : `${cell.slice(0, cut).replace(/\ufffd+$/, '')}…`;
  return kept.replaceAll('\ufffd', '?').replaceAll('\u0000', '');
};

/** Counts bytes as they pass, for the progress bar (share of the file read). */
function counter(): Transform & { bytes: number } {
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      t.bytes += chunk.length;
      cb(null, chunk);
    },
  }) as Transform & { bytes: number };
  t.bytes = 0;
  return t;
}

/**
 * Cuts every CSV field at `max` bytes while the bytes stream by, so a 60 MB field is never held
 * whole: the rest of the field is dropped and a NUL marks the cut. Works on the raw bytes: quote,
 * comma, CR and LF are single bytes that never occur inside a UTF-8 or GB18030 character.
 */
function fieldLimiter(max: number, delimiter: Delimiter): Transform {
  const sep = delimiter.charCodeAt(0);
  let inQuotes = false;
  let len = 0;
  let cut = false;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      let out: Buffer[] | null = null;
      let from = 0;
      for (let i = 0; i < chunk.length; i++) {
        const b = chunk[i];
        if (b === 0x22) inQuotes = !inQuotes;
        else if (!inQuotes && (b === sep || b === 0x0a || b === 0x0d)) {
          len = 0;
          cut = false;
        } else if (++len > max) {
          out ??= [];
          if (i > from) out.push(chunk.subarray(from, i));
          if (!cut) out.push(Buffer.from([0, 1]));
          cut = true;
          from = i + 1;
        }
      }
      if (!out) return cb(null, chunk);
      if (from < chunk.length) out.push(chunk.subarray(from));
      cb(null, Buffer.concat(out));
    },
  });
}

/** The first 64 KiB of a file (enough to tell what it is and guess its encoding). */
export function sample(file: string): Buffer {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.alloc(65536);
  const n = fs.readSync(fd, buf, 0, buf.length, 0);
  fs.closeSync(fd);
  return buf.subarray(0, n);
}

export type TextEncoding = 'utf8' | 'gb18030' | 'utf16le' | 'utf16be';
const DELIMITERS = [',', '\t', ';', '|'] as const;
type Delimiter = (typeof DELIMITERS)[number];

/**
 * UTF-16 by its BOM (Excel's "Unicode 文本"); UTF-8 (with or without BOM) when the first 64 KiB
 * decode as UTF-8, else GB18030 (a superset of GBK). When even GB18030 leaves many lines of the
 * sample undecodable, the guess is wrong and the file is refused whole.
 */
function detectEncoding(buf: Buffer): TextEncoding {
  if (buf[0] === 0xff && buf[1] === 0xfe) return 'utf16le';
  if (buf[0] === 0xfe && buf[1] === 0xff) return 'utf16be';
  let head = buf;
  // Do not judge by a multi-byte character cut at the end of the sample.
  while (head.length && (head[head.length - 1] & 0xc0) === 0x80) head = head.subarray(0, head.length - 1);
  if (head.length && head[head.length - 1] >= 0xc0) head = head.subarray(0, head.length - 1);
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head);
    return 'utf8';
  } catch {
    const lines = iconv.decode(buf.subarray(0, Math.max(0, buf.lastIndexOf(0x0a))), 'gb18030').split('\n');
    const bad = lines.filter((l) => l.includes('\ufffd'));
    if (bad.length >= 2 && bad.length / lines.length > 0.5) {
      const first = lines.findIndex((l) => l.includes('\ufffd')) + 1;
      throw new SourceError(
        `文件编码无法识别：既不是 UTF-8，也不是 GB18030/GBK（第 ${first} 行起多行含无法解码的字节）。请在 Excel 或 WPS 中另存为"CSV UTF-8"或 .xlsx 后重新上传`,
      );
    }
    return 'gb18030';
  }
}

const CSV_ERRORS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: '引号未闭合（文件可能被截断）',
  CSV_INVALID_CLOSING_QUOTE: '引号用法不对：带引号的字段在结束引号后还有字符',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: '引号用法不对：带引号的字段在结束引号后还有字符',
  INVALID_OPENING_QUOTE: '引号用法不对：不带引号的字段中出现了引号',
};

/** csv-parse over a stream; `linesBefore`: lines the fast path below read first (error messages count from the file's start). */
async function* parsedRows(
  stream: Readable,
  bom: boolean,
  linesBefore: number,
  delimiter: Delimiter,
): AsyncGenerator<string[]> {
  // Records end at CRLF, LF or CR, each on its own: files stitched from several sources mix them.
  const parser = stream.pipe(
    parse({
      bom,
      delimiter,
      relax_column_count: true,
      relax_quotes: true, // a quote inside an unquoted field is text, as Excel reads it (="0123" exports)
      trim: false,
      record_delimiter: ['\r\n', '\n', '\r'],
    }),
  );
  try {
    for await (const rec of parser) yield rec as string[];
  } catch (err) {
    const e = err as { code?: string; lines?: number; message: string };
    const where = e.lines ? `第 ${e.lines + linesBefore} 行附近` : '';
    throw new SourceError(
      e.code === 'CSV_QUOTE_NOT_CLOSED'
        ? `文件不完整或已损坏：${where}引号未闭合（文件可能被截断）`
        : `CSV 格式错误：${where}${CSV_ERRORS[e.code ?? ''] ?? '无法解析'}`,
    );
  }
}

const LINE_END = /\r\n|\n|\r/;
/** Index of the last CR or LF in text at or before `from`, -1 if none (lastIndexOf reads a negative `from` as 0). */
const lastBreak = (text: string, from: number) =>
  from < 0 ? -1 : Math.max(text.lastIndexOf('\n', from), text.lastIndexOf('\r', from));

/**
 * The records of a CSV stream (bytes in UTF-8, or text). A file without a quote character (the
 * usual registry export) is split here: lines at CRLF, LF or CR, cells at the delimiter, an empty
 * line an empty record (a row in Excel, counted in row numbers); for such text that is exactly
 * what csv-parse gives with the options above, at a fraction of its cost. From the line holding
 * the first quote on, the rest of the stream goes
 * to csv-parse, which reads quoted fields and says what is wrong with bad ones.
 */
export async function* csvRows(stream: Readable, delimiter: Delimiter = ','): AsyncGenerator<string[]> {
  const decoder = new TextDecoder('utf-8'); // replaces undecodable bytes with U+FFFD; drops a leading BOM as csv-parse's bom option does
  const it = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  let carry = '';
  let lines = 0;
  let start = true;
  const split = function* (complete: string) {
    const segments = complete.split(LINE_END);
    segments.pop(); // complete ends with a line break
    lines += segments.length;
    for (const line of segments) yield line.split(delimiter);
  };
  for (;;) {
    const next = await it.next();
    const chunk = next.done
      ? decoder.decode()
      : typeof next.value === 'string'
        ? next.value
        : decoder.decode(next.value, { stream: true });
    let text = carry + chunk;
    if (start && text.length) {
      // Text (GB18030 decoded) keeps its BOM; the decoder above drops one from bytes.
      if (typeof next.value === 'string' && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      start = false;
    }
    const quote = text.indexOf('"');
    if (quote >= 0) {
      // Hand over at the start of the line holding the quote.
      const lineStart = lastBreak(text, quote) + 1;
      yield* split(text.slice(0, lineStart));
      const rest = text.slice(lineStart);
      const tail = async function* () {
        yield rest;
        for (;;) {
          const n = next.done ? next : await it.next();
          if (n.done) {
            const last = decoder.decode();
            if (last) yield last;
            return;
          }
          yield typeof n.value === 'string' ? n.value : decoder.decode(n.value, { stream: true });
        }
      };
      yield* parsedRows(Readable.from(tail(), { objectMode: false }), false, lines, delimiter);
      return;
    }
    if (next.done) {
      if (text !== '') yield* split(LINE_END.test(text.slice(-1)) ? text : `${text}\n`);
      return;
    }
    // Complete lines now; a CR at the very end may be half of a CRLF, so its line waits.
    let end = lastBreak(text, text.length - 1);
    if (end === text.length - 1 && text[end] === '\r') end = lastBreak(text, end - 1);
    yield* split(text.slice(0, end + 1));
    carry = text.slice(end + 1);
  }
}

type Opened = {
  records: AsyncGenerator<string[]>;
  /** The rows the file hides, by number, known once the first record is read. */
  hiddenRows?: () => number[];
  /** The columns the file hides, from 1, known once the first record is read. */
  hiddenColumns?: () => number[];
  bytes: () => number;
  format: SourceFormat;
  encoding: TextEncoding | null;
  close: () => void;
};

/** How many fields `line` splits into at `d`, delimiters inside quotes not counted. */
function fieldsIn(line: string, d: Delimiter): number {
  let n = 1;
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (ch === d && !quoted) n++;
  }
  return n;
}

/**
 * The delimiter of a text export: the one Excel's `sep=;` first line names, else the one that
 * splits the most of the first lines into the same number of fields, weighted by that number.
 * Comma, tab (Excel's "文本文件(制表符分隔)" and "Unicode 文本"), semicolon (Excel in a European
 * locale) and vertical bar (data-exchange extracts). Consistency, not frequency, decides: a
 * 经营范围 full of semicolons varies from row to row, the real delimiter does not; a tie keeps
 * the earlier, commoner one.
 */
function detectDelimiter(head: Buffer, encoding: TextEncoding): Delimiter {
  const lines = iconv
    .decode(head, encoding)
    .replace(/^\ufeff/, '')
    .split(LINE_END)
    .slice(0, 30);
  const hint = /^sep=(.)$/i.exec(lines[0]?.trim() ?? '')?.[1];
  const named = DELIMITERS.find((d) => d === hint);
  if (named) return named;
  let best: Delimiter = ',';
  let bestScore = 0;
  for (const d of DELIMITERS) {
    const counts = lines.map((l) => fieldsIn(l, d)).filter((n) => n > 1);
    const tally = new Map<number, number>();
    for (const n of counts) tally.set(n, (tally.get(n) ?? 0) + 1);
    const score = Math.max(0, ...[...tally].map(([fields, lines]) => lines * (fields - 1)));
    if (score > bestScore) [best, bestScore] = [d, score];
  }
  return best;
}

/**
 * A CSV's year and month ending .1 (1980.1), marked unclear: Excel saves a number cell as it shows
 * it, and 1980.10 (October) typed into a General column shows 1980.1, as January typed 1980.1 does.
 * The text alone cannot tell them apart (round 11: it was read as January). Written as text
 * ('1980.1, ="1980.1") or in a workbook's text cell it is what the clerk typed: January.
 */
async function* unclearMonths(records: AsyncGenerator<string[]>): AsyncGenerator<string[]> {
  for await (const cells of records)
    yield cells.map((c) => (/^\s*(?:19|20)\d{2}\.1\s*$/.test(c) ? c + UNCLEAR_MONTH : c));
}

/** A UTF-8 byte-order mark at the start of the bytes. */
const UTF8_BOM = (b: Buffer) => b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf;

function openCsv(file: string, fileHead: Buffer, limits: SourceLimits): Opened {
  const count = counter();
  const encoding = detectEncoding(fileHead);
  // A UTF-8 BOM before a GBK body (a GBK export passed through a tool that prefixes one, as some
  // report platforms do): the mark is no GB18030 text. Round 16: decoded as such it garbled the first
  // header, and the file was refused as undecodable.
  const skip = encoding === 'gb18030' && UTF8_BOM(fileHead) ? 3 : 0;
  const head = fileHead.subarray(skip);
  const input = fs.createReadStream(file, { start: skip });
  const delimiter = detectDelimiter(head, encoding);
  // UTF-16 becomes UTF-8 first: the field limiter and the fast path read bytes of an ASCII-compatible encoding.
  const bytes = encoding.startsWith('utf16')
    ? input.pipe(count).pipe(iconv.decodeStream(encoding)).pipe(iconv.encodeStream('utf8'))
    : input.pipe(count);
  const limited = bytes.pipe(fieldLimiter(maxFieldOf(limits), delimiter));
  const text = encoding === 'gb18030' ? limited.pipe(iconv.decodeStream('gb18030')) : limited;
  return {
    records: unclearMonths(csvRows(text as Readable, delimiter)),
    bytes: () => count.bytes,
    format: 'csv',
    encoding,
    close: () => input.destroy(),
  };
}

/** Refuses a zip bomb before the reader inflates anything it keeps: see zip-guard.ts (counts the bytes actually inflated). */
export async function checkZip(file: string, limits: SourceLimits = DEFAULT_LIMITS): Promise<void> {
  try {
    await guardZip(file, {
      maxTotalBytes: limits.maxUncompressedBytes,
      maxEntryBytes: Math.min(limits.maxUncompressedBytes, DEFAULT_ZIP_LIMITS.maxEntryBytes),
    });
  } catch (err) {
    throw err instanceof ZipRefused ? new SourceError(err.message) : err;
  }
}

const isFormula = (v: ExcelJS.CellValue): v is ExcelJS.CellFormulaValue | ExcelJS.CellSharedFormulaValue =>
  typeof v === 'object' && v !== null && ('formula' in v || 'sharedFormula' in v);

/**
 * Cell values as text. A formula cell is what Excel shows: the result the file saved with it
 * (nothing is evaluated here); its cell's `numFmt` makes a numeric result a date, as Excel formats it.
 */
function cellText(v: ExcelJS.CellValue, numFmt?: string, date1904 = false): string {
  if (v === null || v === undefined) return '';
  // A date cell (by its number format): the calendar date it shows.
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? '' : dateCellText(excelCellDate(v), numFmt);
  if (typeof v === 'number') return numberText(v, numFmt);
  if (typeof v === 'object') {
    if (isFormula(v)) {
      const shown = formulaResult(v, numFmt, date1904);
      return shown === undefined ? NO_RESULT : cellText(shown, numFmt);
    }
    if ('richText' in v) return v.richText.map((t) => t.text).join('');
    if ('text' in v) return String(v.text);
    if ('error' in v) return String(v.error);
    return '';
  }
  return String(v);
}

const EXCEL_ROWS = 1_048_576;

async function* xlsxRows(
  book: Workbook,
  max: number,
  wanted: string | undefined,
  hidden: { rows: number[]; columns: number[] },
): AsyncGenerator<string[]> {
  const sheet = wanted === undefined ? book.sheets.find((s) => !s.hidden) : book.sheets.find((s) => s.name === wanted);
  if (!sheet)
    throw new SourceError(wanted === undefined ? '工作簿中没有可读的工作表' : `工作簿中没有名为"${wanted}"的工作表`);
  try {
    const layout = await book.layout(sheet);
    hidden.rows = layout.hiddenRows;
    hidden.columns = layout.hiddenColumns;
    const fill = mergeFiller(layout.merges);
    let next = 1;
    for await (const row of book.rows(sheet)) {
      // Excel writes no element for an empty row: its number still counts, as the user sees it.
      for (; next < row.number && row.number <= EXCEL_ROWS; next++) yield fill(next, []);
      next++;
      const { values, numFmts } = row;
      const cells: string[] = [];
      for (let i = 1; i < values.length; i++) {
        const v = values[i];
        // A cell's format counts for formulas, dates and fractions only (not for text and whole numbers).
        const formatted = isFormula(v) || v instanceof Date || (typeof v === 'number' && !Number.isInteger(v));
        const t = cellText(v, formatted ? numFmts[i] : undefined, book.date1904);
        cells.push(t.length > max ? t.slice(0, max) + CUT : t);
      }
      yield fill(row.number, cells);
    }
  } catch (err) {
    throw sourceErrorOf(err);
  }
}

/** What went wrong reading a workbook, in Chinese: the reader's own words, else "damaged". */
const sourceErrorOf = (err: unknown) =>
  new SourceError(
    err instanceof WorkbookUnreadable ? err.message : 'XLSX 文件无法读取：文件已损坏，或不是 Excel 工作簿（.xlsx）',
    { cause: err },
  );

/** A workbook's directory, its damage told in Chinese. */
export const workbookOf = (file: string): Promise<Workbook> =>
  openWorkbook(file).catch((err: unknown) => {
    throw sourceErrorOf(err);
  });

async function openXlsx(file: string, limits: SourceLimits, sheet?: string): Promise<Opened> {
  await checkZip(file, limits);
  const book = await workbookOf(file);
  const hidden = { rows: [] as number[], columns: [] as number[] };
  return {
    records: xlsxRows(book, maxFieldOf(limits), sheet, hidden),
    hiddenRows: () => hidden.rows,
    hiddenColumns: () => hidden.columns,
    bytes: book.bytesRead,
    format: 'xlsx',
    encoding: null,
    close: book.close,
  };
}

/** The charset of an HTML or XML "xls": the one it declares, else as detected (GB18030 or UTF-8). */
function markupCharset(head: Buffer): 'utf8' | 'gb18030' {
  const declared = /(?:charset|encoding)\s*=\s*["']?([\w-]+)/i
    .exec(head.subarray(0, 4096).toString('latin1'))?.[1]
    .toLowerCase();
  if (declared) return /^(gb2312|gbk|gb18030|cp936|x-gbk)$/.test(declared) ? 'gb18030' : 'utf8';
  return detectEncoding(head) === 'gb18030' ? 'gb18030' : 'utf8';
}

/** A legacy workbook, read by the sandboxed reader (legacy.ts); cells become text as an .xlsx's do. */
function openLegacy(
  file: string,
  head: Buffer,
  kind: 'ole' | 'ods' | 'xlsb' | 'markup',
  limits: SourceLimits,
  sheet?: string,
): Opened {
  const size = fs.statSync(file).size;
  const max = maxFieldOf(limits);
  const { records, merges, hidden, progress, close } = legacyRecords(
    kind === 'markup' ? { file, charset: markupCharset(head) } : { file, ods: kind === 'ods' },
    sheet,
  );
  async function* texts(): AsyncGenerator<string[]> {
    try {
      let fill: ReturnType<typeof mergeFiller> | undefined;
      let rowNo = 0;
      for await (const cells of records) {
        fill ??= mergeFiller(merges());
        const text = cells.map((c) => {
          const t =
            c === null
              ? NO_RESULT
              : typeof c === 'number'
                ? numberText(c)
                : typeof c === 'object'
                  ? 'date' in c
                    ? dateCellText(c.date, c.numFmt)
                    : numberText(c.n, c.numFmt)
                  : c;
          return t.length > max ? t.slice(0, max) + CUT : t;
        });
        yield fill(++rowNo, text);
      }
    } catch (err) {
      throw err instanceof LegacyReadError ? new SourceError(err.message) : err;
    }
  }
  const format = kind === 'ods' || kind === 'xlsb' ? kind : 'xls';
  return {
    records: texts(),
    hiddenRows: () => hidden().rows,
    hiddenColumns: () => hidden().columns,
    bytes: () => Math.round(size * progress()),
    format,
    encoding: null,
    close,
  };
}

/** What the cells' text says about the bytes they came from: undecodable bytes, a cut field, a NUL; undefined when nothing. */
function cellProblems(cells: string[], max: number, format: SourceFormat): CellProblem[] | undefined {
  const joined = cells.join('');
  // The usual row: a few scans of its text.
  if (
    !joined.includes('\u0000') &&
    !joined.includes('\ufffd') &&
    !joined.includes('#') &&
    !DIRECTION_CONTROLS.test(joined) &&
    !CONTROL_CHARACTERS.test(joined) &&
    mixedScriptWord(joined) === null
  )
    return undefined;
  const found = cells.flatMap((c, index) => {
    const reason = cellProblem(c, max, format);
    return reason ? [{ index, reason }] : [];
  });
  return found.length ? found : undefined;
}

/**
 * Excel's error values (#N/A, #REF! …): what a formula showed when it failed, left as a value once
 * the sheet is pasted as values (a VLOOKUP that found no 身份证号 or 所在党支部), and what Excel
 * writes for such a cell in a CSV. No datum reads so; stored, it made a member named #REF! and a
 * branch named #N/A.
 */
const EXCEL_ERROR =
  /^#(?:N\/A|VALUE!|REF!|DIV\/0!|NUM!|NAME\?|NULL!|SPILL!|CALC!|FIELD!|BLOCKED!|CONNECT!|BUSY!|UNKNOWN!|GETTING_DATA)$/i;

function cellProblem(c: string, max: number, format: SourceFormat): string | undefined {
  if (c.includes(CUT)) return `内容超过 ${max} ${format === 'csv' ? '字节' : '字'}的上限（截断后保存在错误报告中）`;
  if (c.includes(NO_RESULT))
    return '是公式，文件中没有它可用的计算结果（未保存结果，或结果是错误值）：请在 Excel 或 WPS 中检查、保存后重新上传';
  if (c.endsWith(UNCLEAR_MONTH)) {
    const shown = c.slice(0, -UNCLEAR_MONTH.length).trim();
    if (format === 'csv')
      return `是 ${shown}：从 Excel 另存的 CSV 中，数字 ${shown}0（10 月）也写作 ${shown}，无法确定是 1 月还是 10 月。请写作 ${shown.slice(0, 4)}.01 或 ${shown.slice(0, 4)}.10（或写成 ${shown.slice(0, 4)}-10）后重新上传`;
    return `是数字 ${shown}：Excel 把 ${shown}0（10 月）也存成 ${shown}，无法确定是 1 月还是 10 月。请把该列设置为"文本"格式后写作 ${shown.slice(0, 4)}.01 或 ${shown.slice(0, 4)}.10（或写成 ${shown.slice(0, 4)}-10）重新上传`;
  }
  if (c.includes('\u0000')) return '含不可见的控制字符（NUL）';
  if (EXCEL_ERROR.test(c.trim()))
    return `是 Excel 的错误值 ${c.trim()}（公式出错的结果，多为查找公式未找到后"粘贴为数值"留下的），不是数据：请填写实际内容后重新上传`;
  // As the web's forms refuse them (http/text-guard.ts): a name would show reversed in lists and on plaques.
  if (DIRECTION_CONTROLS.test(c))
    return '含改变文字方向的不可见字符（U+202A–U+202E、U+2066–U+2069），显示出来与实际内容不同：请删除这些字符后重新上传';
  if (CONTROL_CHARACTERS.test(c)) return '含不可见的控制字符（如换页、退格、转义符）：请删除这些字符后重新上传';
  const mixed = mixedScriptReason(c); // as the web's forms refuse it (round 14)
  if (mixed) return mixed.replace('重新输入', '改正后重新上传');
  if (c.includes('\ufffd'))
    return '含无法识别的字节：文件中此处的字符不完整或不是 UTF-8/GB18030 编码（可能被截断或混入了其他编码）';
  return undefined;
}

/**
 * Makes a header's names distinct, in place. A name given to two columns that the import reads
 * (联系电话 twice: which is the representative's?) refuses the file; another repeated name (备注,
 * 序号 in a list put together by hand) is told apart by its column: 备注（第 9 列）.
 */
function distinctHeaders(headers: string[], score: (cells: string[]) => number): void {
  const seen = new Map<string, number[]>();
  headers.forEach((h, i) => h && seen.set(h, [...(seen.get(h) ?? []), i + 1]));
  const dup = [...seen].filter(([, at]) => at.length > 1);
  const read = dup.filter(([h]) => score([h]) > 0);
  if (read.length)
    throw new SourceError(
      `表头有重复的列名：${read.map(([h, at]) => `"${h}"（第 ${at.join('、')} 列）`).join('；')}。请删除或改名后重新上传，以免数据取错列`,
    );
  for (const [h, at] of dup) for (const n of at.slice(1)) headers[n - 1] = `${h}（第 ${n} 列）`;
}

/**
 * A group of a two-row header that titles a section of the record, not a person: its columns keep
 * their own names (round 19: 主体信息 over 统一社会信用代码 made 主体统一社会信用代码, 登记信息 over
 * 成立日期 登记成立日期, no column's names, and the header was read from its lower row alone).
 */
const SECTION =
  /^(?:主体|市场主体|企业|个体工商户|个体户|合作社|登记|注册|基本|经营|状态|其他|证照|营业执照|机构|单位|联系|地址|住所)?(?:基本)?(?:信息|情况)$/;

/**
 * The names of a two-row header: a group name of the upper row stands over the columns to its
 * right that have no name of their own there (merged across, as Excel shows it), and joins each
 * name of the lower row under it (法定代表人 + 证件号码 = 法定代表人证件号码; 经营者信息 + 姓名 =
 * 经营者姓名: a group titled as the person's 信息 names the person; a section's, SECTION, does not); a
 * column named in one row only keeps that name. Null unless some group has at least two names under it.
 */
function twoRowHeader(upper: string[], lower: string[]): string[] | null {
  const width = Math.max(upper.length, lower.length);
  const names: string[] = [];
  let group = '';
  const grouped = new Map<string, number>();
  for (let i = 0; i < width; i++) {
    const up = (upper[i] ?? '').trim();
    const low = (lower[i] ?? '').trim();
    if (up) group = up;
    const over = up || group;
    if (low && over && low !== over) grouped.set(over, (grouped.get(over) ?? 0) + 1);
    names.push(
      !low
        ? up
        : !over || low === over || SECTION.test(over)
          ? low
          : `${over.replace(/(?<=\S)(?:基本)?信息$/, '')}${low}`,
    );
  }
  return [...grouped.values()].some((n) => n >= 2) ? names : null;
}

/**
 * How many of the first non-blank records may stand above the header: a title ("2024年市场主体登记信息表"),
 * a date line, a template's 填表说明 of a dozen numbered lines and more.
 */
const HEADER_SEARCH = 30;
/** Data rows without a digit looked at as another table's header, at most. */
const OTHER_TABLE_SCORED = 2_000;
/** More footer-like rows in a row than a footer has are data (a file that is all 合计 rows is refused row by row, not skipped). */
const MAX_FOOTER = 20;

/** A cell holding a 统一社会信用代码, 注册号 or ID number's characters. */
const KEY_LIKE = /^[0-9A-Z]{15,18}$/;

/**
 * Refuses a sheet holding another table above the one read: a header of its own (naming two known
 * columns at least) with rows of data under it, above the header taken (the one naming the most).
 * Round 18: a sheet with its 个体工商户 table over its 企业 table imported the second table only,
 * the first's rows passed over as lines of its title without a word. `start`: the index of the
 * header's first line (a title right above it may be read as one).
 */
function refuseTableAbove(
  rows: { c: string[]; i: number }[],
  start: number,
  headerRowNo: number,
  score: (cells: string[]) => number,
) {
  const above = rows.filter(({ i }) => i < start);
  const other = above.findIndex(({ c }) => score(c) >= 2);
  if (other < 0) return;
  // Data by what a row of the lists holds: a code or ID number, no column's name (a 查询条件 block
  // above an export, 登记状态 | 存续 | 成立日期 | 2019-01-01, is not a table).
  const data = above
    .slice(other + 1)
    .filter(({ c }) => score(c) === 0 && c.some((x) => KEY_LIKE.test(x.trim().toUpperCase())));
  if (!data.length) return;
  const [from, to] = [data[0].i + 1, data[data.length - 1].i + 1];
  throw new SourceError(
    `第 ${above[other].i + 1} 行和第 ${headerRowNo} 行都是表头：一个工作表中有两个表格，第 ${from === to ? from : `${from}–${to}`} 行的数据在第 ${headerRowNo} 行的表头之上，不会被导入。请把两个表格分别保存为单独的文件或工作表后分别上传`,
  );
}

/**
 * Why a footer-like row with data under it is refused (round 18: a roster's 合计 between its branches
 * was refused as a member whose 人员类别 was blank). Not skipped: a data row that happens to read so
 * must not vanish; the clerk deletes a total (or moves it to the end, where it is the footer).
 */
const totalAmidData = (text: string) =>
  `"${text}"是合计行或表尾（合计、小计、制表人、注等），不是数据：它下面还有数据行，所以没有当作表尾跳过。请删除此行（或把它移到表格最后）后重新导入`;

/**
 * Why a row of a second table below the one read is refused: its header (naming two known columns
 * at least, not the header's repeat) and every row after it. Past the rows the header is looked for
 * in, refuseTableAbove cannot see it; read under the first header, its rows were refused for its
 * columns' words in the wrong fields, or stored so when the columns happened to fit (round 19).
 */
const otherTableRow = (at: number, rowNo: number, headerRowNo: number) =>
  `第 ${at} 行是另一个表格的表头（与第 ${headerRowNo} 行的表头不同）：一个工作表中有两个表格，${
    rowNo === at ? '此行不是数据' : `此行不按第 ${headerRowNo} 行的表头读取，不会被导入`
  }。请把两个表格分别保存为单独的文件或工作表后分别上传`;

/**
 * Finds the header (the best-scoring of the first records; title rows above it are skipped),
 * refuses duplicate or undecodable header names, and numbers data rows as the spreadsheet shows
 * them (the file's first record = row 1).
 */
async function withHeaders(
  { records, hiddenRows, hiddenColumns, bytes, format, encoding, close }: Opened,
  limits: SourceLimits,
  score: (cells: string[]) => number,
): Promise<Source> {
  const max = maxFieldOf(limits);
  const head: string[][] = [];
  for (let filled = 0; filled < HEADER_SEARCH && head.length < HEADER_SEARCH * 100;) {
    const r = await records.next();
    if (r.done) break;
    head.push(r.value);
    if (r.value.some((x) => x.trim() !== '')) filled++;
  }
  const nonBlank = head.map((c, i) => ({ c, i })).filter(({ c }) => c.some((x) => x.trim() !== ''));
  if (!nonBlank.length) throw new SourceError('文件为空：没有表头行');
  // The row naming most known columns; among equals (none known: the user will map them) the
  // fullest, so a one-cell title above the header is not taken for it.
  const rate = (c: string[]) => score(c) * 1000 + c.filter((x) => x.trim() !== '').length;
  let best = nonBlank[0];
  let bestScore = rate(best.c);
  for (const cand of nonBlank.slice(1)) {
    const s = rate(cand.c);
    if (s > bestScore) [best, bestScore] = [cand, s];
  }
  // The rows, as the sheet shows them, that make the header: one, or the two of a two-row header.
  let lines = [best.c];
  // A two-row header (法定代表人 over 姓名, 证件号码, 联系电话): its names joined, when that names more known columns.
  for (let k = 1; k < nonBlank.length; k++) {
    if (nonBlank[k].i !== nonBlank[k - 1].i + 1) continue;
    const joined = twoRowHeader(nonBlank[k - 1].c, nonBlank[k].c);
    if (joined && score(joined) > score(best.c)) {
      best = { c: joined, i: nonBlank[k].i };
      lines = [nonBlank[k - 1].c, nonBlank[k].c];
    }
  }
  // A group row right above a header that names its columns alone (其他情况 over 是否失联, 是否流动;
  // 序号 merged down both rows) is a line of it all the same: a stitched file repeats it too.
  const above = nonBlank.find(({ i }) => i === best.i - 1);
  if (lines.length === 1 && above && twoRowHeader(above.c, best.c)) lines = [above.c, best.c];
  // A second header line right under it (field codes over their Chinese names, as a data-exchange
  // export prints them) is no data: skipped, and its names taken when they name as many columns.
  const under = nonBlank.find(({ i }) => i === best.i + 1);
  const named = score(best.c);
  if (under && score(under.c) >= Math.max(2, named / 2)) {
    best =
      score(under.c) >= named && under.c.some((h) => /[\u4e00-\u9fff]/.test(h)) ? under : { c: best.c, i: under.i };
    lines = [...lines, under.c];
  }
  const headerRowNo = best.i + 1;
  refuseTableAbove(nonBlank, best.i - lines.length + 1, headerRowNo, score);
  const name = (h: string) => h.replace(/[\r\n]+/g, '').trim();
  const headers = best.c.map(name);
  const undecodable = headers.find((h) => h.includes('\ufffd') || h.includes('\u0000'));
  if (undecodable !== undefined)
    throw new SourceError(
      `文件编码无法识别：第 ${headerRowNo} 行（表头）含无法解码的字节。请另存为"CSV UTF-8"、GB18030/GBK 编码的 CSV 或 .xlsx 后重新上传`,
    );
  nameCreditAuthorities(headers);
  distinctHeaders(headers, score);
  const rest = head.slice(best.i + 1);
  // Footer-like rows wait here: a data row after them makes them data (refused or not as such), the end makes them the footer.
  let pending: FooterRow[] = [];
  let held: SourceRow[] = [];
  async function* rows(): AsyncGenerator<SourceRow> {
    let rowNo = headerRowNo;
    /** The header of another table below this one (its row number), once met: every row from it on is that table's. */
    let other: number | null = null;
    // Its header names known columns and does not repeat this one's. A header holds no digit, and a data
    // row nearly always does (a code, a date, a 序号): tested first, as the score costs up to a millisecond
    // a row. Only so many rows without a digit are scored: a file of a million such rows (no real
    // extract; a file made to be slow) would otherwise cost a core a quarter of an hour.
    let scored = 0;
    const otherTableHeader = (cells: string[], at: number): number | null => {
      if (scored >= OTHER_TABLE_SCORED || cells.some((c) => /[0-9０-９]/.test(c))) return null;
      scored++;
      return score(cells) >= 2 && ![headers, ...lines.map((l) => l.map(name))].some((h) => repeatsHeader(cells, h))
        ? at
        : null;
    };
    const emit = function* (cells: string[]): Generator<SourceRow> {
      rowNo++;
      if (rowNo - headerRowNo > limits.maxRows) throw new SourceError(`文件超过 ${limits.maxRows} 行上限`);
      if (cells.every((c) => c.trim() === '')) return;
      const text = cells.map(excelTextLiteral);
      const row = { rowNo, cells: text, bad: cellProblems(text, max, format) };
      const footer = footerText(text);
      if (footer !== null && held.length < MAX_FOOTER) {
        pending.push({ rowNo, text: footer });
        held.push({ ...row, notData: totalAmidData(footer) });
        return;
      }
      yield* held;
      [pending, held] = [[], []];
      other ??= otherTableHeader(text, rowNo);
      yield other
        ? { ...row, notData: otherTableRow(other, rowNo, headerRowNo) }
        : footer !== null
          ? { ...row, notData: totalAmidData(footer) }
          : row;
    };
    for (const cells of rest) yield* emit(cells);
    for await (const cells of records) yield* emit(cells);
  }
  const footer = () => pending;
  const hidden = () => (hiddenRows?.() ?? []).filter((n) => n > headerRowNo);
  const hiddenCols = () => (hiddenColumns?.() ?? []).map((c) => c - 1).filter((i) => i < headers.length);
  // A title merged across the sheet comes filled into each of its cells (mergeFiller): said once.
  const titleLines = nonBlank
    .filter(({ i }) => i < best.i)
    .map(({ c }) => [...new Set(c.map((x) => x.trim()).filter(Boolean))].join(' '));
  return {
    headers,
    headerLines: lines.map((l) => l.map(name)),
    titleLines,
    headerRowNo,
    rows: rows(),
    bytesRead: bytes,
    format,
    encoding,
    footer,
    hiddenRows: hidden,
    hiddenColumns: hiddenCols,
    close,
  };
}

/**
 * Opens a CSV (UTF-8 or GB18030/GBK, detected), XLSX, ODS or legacy XLS file as a stream of rows. The format is
 * recognised by the file's bytes, not its name: an .xlsx renamed .csv (or the reverse) is read
 * for what it is. `score` rates a record as the header row (the kind's known column names);
 * `sheet` names the worksheet of a workbook to read (else the first).
 */
export async function openSource(
  file: string,
  fileName: string,
  limits: SourceLimits = DEFAULT_LIMITS,
  score: (cells: string[]) => number = () => 0,
  sheet?: string,
): Promise<Source> {
  const head = sample(file);
  if (head.length === 0) throw new SourceError('文件为空：没有表头行');
  // The content decides, not the name: an .xls or a password-protected workbook (both OLE2) saved
  // as .xlsx goes to the legacy reader, which reads the one and names the password of the other.
  const legacy = await spreadsheetKind(file, head);
  const zip = head.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
  if (!zip && !legacy && /\.xlsx$/i.test(fileName) && head.subarray(0, 512).includes(0))
    throw new SourceError('文件名是 .xlsx，但内容既不是 Excel 工作簿也不是文本（CSV）');
  if (legacy === 'no-table')
    throw new SourceError(
      '文件是 XML 或网页，但不是 Excel 的"XML 电子表格 2003"，也不含表格：请在 Excel 或 WPS 中另存为 .xlsx 后上传',
    );
  // A zip like .xlsx: refused before anything is inflated.
  if (legacy === 'ods' || legacy === 'xlsb') await checkZip(file, limits);
  const opened = legacy
    ? openLegacy(file, head, legacy, limits, sheet)
    : zip
      ? await openXlsx(file, limits, sheet)
      : openCsv(file, head, limits);
  try {
    return await withHeaders({ ...opened, records: withinWidth(opened.records) }, limits, score);
  } catch (err) {
    opened.close();
    throw err;
  }
}

/**
 * The most columns a row may fill. No extract XGZ reads comes near it (the templates have a few
 * dozen columns); past it the file is refused at the first such row. An .xlsx of 200 KB whose
 * rows each hold one cell in column XFD (16,384) made every row 16,384 cells — read, checked, and
 * kept in the error report as the row's text — so that one county clerk's upload ran at 60 rows a
 * second and held the server's answers up for seconds (round-10 probe). Empty cells after a row's
 * last filled one do not count (a sheet formatted to its last column is read as before).
 */
export const MAX_COLUMNS = 1000;

async function* withinWidth(records: AsyncIterable<string[]>): AsyncGenerator<string[]> {
  let row = 0;
  for await (const cells of records) {
    row++;
    let end = cells.length;
    while (end > 0 && !cells[end - 1]) end--;
    if (end > MAX_COLUMNS)
      throw new SourceError(
        `第 ${row} 行第 ${end} 列有内容：每行最多读取 ${MAX_COLUMNS} 列，请删去多余的列（或其中的内容）后重新上传`,
      );
    yield cells.map(asShown);
  }
}

/** Spaces that are not the usual one: no-break (U+00A0, U+202F), the typographic ones (U+2000–U+200A) and the mathematical one. */
const ODD_SPACES = /[\u00a0\u2000-\u200a\u202f\u205f]/g;

/**
 * A cell as the sheet shows it, the one place every format's cells pass (round 11): without the
 * invisible characters a request body is cleaned of too (INVISIBLE_FORMAT: zero-width space and
 * joiners, the byte-order mark, the soft hyphen …), an odd space as a space. Exports and sheets
 * pasted from web pages and chat apps carry them: a 统一社会信用代码 with a word joiner inside was
 * refused as malformed, 存续\u200b as an unknown 登记状态, a header 姓名\ufeff was no column the import
 * knew, and a name with a no-break space inside was another name. In the one form a request's text
 * is kept in too (shownForm, round 15: composed, a Kangxi radical as its ideograph).
 */
const asShown = (cell: string): string =>
  CHANGED_WHEN_SHOWN.test(cell) ? shownForm(cell).replace(ODD_SPACES, ' ') : cell;
/** Whether asShown changes a cell: tested first, as nearly no cell has such a character (a cell costs 50 ns, not 200). */
const CHANGED_WHEN_SHOWN = new RegExp(
  `${INVISIBLE_FORMAT.source}|${ODD_SPACES.source}|${WRITTEN_OTHERWISE.source}`,
  'u',
);

/** The headers of the hidden columns the import reads (the plan's fields'), in the file's order. */
export const readHidden = (
  plan: { index: Map<string, number>; alternates?: Map<string, number[]> },
  source: Pick<Source, 'headers' | 'hiddenColumns'>,
) => {
  const read = new Set([...plan.index.values(), ...[...(plan.alternates?.values() ?? [])].flat()]);
  return source
    .hiddenColumns()
    .filter((i) => read.has(i))
    .map((i) => source.headers[i]);
};
