import { createRequire } from 'node:module';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { Transform, type Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import type yauzl from 'yauzl';
import { ZipDamaged, inflated, openZip, zipParts } from './zip.js';
import { DEFAULT_ZIP_LIMITS } from './zip-guard.js';
import { MAX_MERGES, columnNumber, mergeOf, type Merge } from './merges.js';

/**
 * An .xlsx workbook read part by part through its zip's central directory (yauzl), with ExcelJS's
 * own XML parsers for each part. ExcelJS's streaming reader unzips in file order instead, and on
 * this machine that loop lost the last parts of a small workbook about once in 200 reads (the
 * sheets then had no names: "file damaged"); it decodes each chunk of UTF-8 on its own, so a
 * Chinese character cut by a chunk boundary became U+FFFD (24 rows refused in 50,000); and when
 * the shared strings come after the sheets, as Excel writes them, it copies every sheet inflated to
 * a temporary file first. Here the relationships, the workbook, the shared strings and the styles
 * are read first, whatever their order in the file, and a sheet streams straight from the zip as
 * text decoded across chunk boundaries.
 */
export type WorkbookSheet = { name: string; hidden: boolean };
/**
 * A worksheet row as read: its number, its cells' values by column (from 1; a hole where a cell has
 * none) as ExcelJS gives a cell's value, and the number format of each cell that has one.
 */
export type SheetRow = { number: number; values: ExcelJS.CellValue[]; numFmts: (string | undefined)[] };
/** Excel's last column (XFD). */
const MAX_COLUMN = 16_384;
export type Workbook = {
  /** The sheets in the order their tabs show, hidden ones marked. */
  sheets: WorkbookSheet[];
  rows(sheet: WorkbookSheet): AsyncGenerator<SheetRow>;
  /**
   * The sheet's merged ranges (listed after its rows, so read in a pass of their own before them)
   * and the rows and columns hidden in Excel (hidden="1"; a clerk filters or hides so), by number
   * (columns from 1), found in that pass.
   */
  layout(sheet: WorkbookSheet): Promise<{ merges: Merge[]; hiddenRows: number[]; hiddenColumns: number[] }>;
  /** Whether the sheet has a cell with a value (formatting alone, to XFD, is none): read until the first one. */
  hasValues(sheet: WorkbookSheet): Promise<boolean>;
  /** How far into the file the reading is, in compressed bytes: for the import's progress. */
  bytesRead: () => number;
  /** Dates counted from 1904 (Excel for Mac's old default, workbookPr date1904): serial 0 is 1904-01-01. */
  date1904: boolean;
  close: () => void;
};

export class WorkbookUnreadable extends Error {}

type Rel = { Id: string; Type: string; Target: string; TargetMode?: string };
type SheetModel = { id: number; name: string; rId: string; state?: string };
/** ExcelJS's WorkbookReader internals used here (exceljs 4.4, pinned by the lock file; workbook.test.ts reads through them). */
type ReaderParts = {
  workbookRels?: Rel[];
  properties?: { model?: { date1904?: boolean } };
  model?: { sheets?: SheetModel[] };
  styles: { index?: { numFmt: (string | undefined)[] }; getStyleModel(id: number): { numFmt?: string } | null };
  /** The shared strings, once read ('cache'): text, or rich text as ExcelJS models it. */
  sharedStrings?: ExcelJS.CellValue[];
  _parseRels(part: Readable): Promise<void>;
  _parseWorkbook(part: Readable): Promise<void>;
  _parseSharedStrings(part: Readable): AsyncGenerator<unknown>;
  _parseStyles(part: Readable): Promise<void>;
};

const require = createRequire(import.meta.url);
const { isDateFmt, excelToDate, xmlDecode } = require('exceljs/lib/utils/utils.js') as {
  isDateFmt: (fmt: string | undefined) => boolean;
  excelToDate: (serial: number, date1904?: boolean) => Date;
  xmlDecode: (text: string) => string;
};
type SaxNode = { name: string; attributes: Record<string, string | undefined> };
type SaxEvent = { eventType: 'opentag' | 'closetag'; value: SaxNode } | { eventType: 'text'; value: string };
/** ExcelJS's own SAX loop over saxes: the events of each piece of text, in batches. */
const parseSax = require('exceljs/lib/utils/parse-sax.js') as (
  text: AsyncIterable<string>,
) => AsyncIterable<SaxEvent[]>;

/**
 * The date formats a Chinese Excel or WPS has built in (ECMA-376 18.8.30: ids 27–31, 36, 50–54,
 * 57, 58 belong to the install's locale): a file using one does not spell it out, and ExcelJS
 * knows only the locale-free ones, so such a date came through as its serial number (45292).
 * The .xls reader (legacy-worker.cjs) loads the same table into SheetJS.
 */
const ZH_CN_DATE_FORMATS = require('./zh-cn-date-formats.json') as Record<string, string>;

/**
 * The value a formula cell shows: the result saved with it (ExcelJS leaves a numeric one a serial
 * number even under a date format, and an error as NaN), undefined when the file saved none.
 */
export function formulaResult(
  v: ExcelJS.CellFormulaValue | ExcelJS.CellSharedFormulaValue,
  numFmt: string | undefined,
  date1904 = false,
): Exclude<ExcelJS.CellValue, ExcelJS.CellFormulaValue | ExcelJS.CellSharedFormulaValue> | undefined {
  const r = v.result;
  if (typeof r !== 'number') return r;
  if (Number.isNaN(r)) return undefined;
  return numFmt && isDateFmt(numFmt) ? excelToDate(r, date1904) : r;
}

const unreadable = (what: string) => new WorkbookUnreadable(`XLSX 文件无法读取：${what}`);
/** A damaged zip told as an unreadable workbook. */
const told = (err: unknown): never => {
  throw err instanceof ZipDamaged ? unreadable(err.message) : err;
};

const column = (n: number): string =>
  (n > 26 ? column(Math.floor((n - 1) / 26)) : '') + String.fromCharCode(65 + ((n - 1) % 26));

/**
 * Gives every <row> and <c> of a worksheet the reference the format lets a writer leave out (the
 * next row, the next column): Excel opens such files, hand-written Open XML SDK exporters write
 * them, and ExcelJS places cells only by their reference. A date cell of the ISO 8601 type
 * (t="d", written by some libraries) becomes text: ExcelJS would read "2024-01-01T00:00:00" as 2024.
 */
function cellRefs(): (text: string) => string {
  let row = 0;
  let col = 0;
  return (text) =>
    text.replace(/<(row|c)(?=[\s/>])([^>]*)>/g, (tag, name: string, attrs: string) => {
      const r = /\sr\s*=\s*["']([^"']*)["']/.exec(attrs)?.[1];
      if (name === 'row') {
        col = 0;
        row = r && /^\d+$/.test(r) ? Number(r) : row + 1;
        return r ? tag : `<row r="${row}"${attrs}>`;
      }
      const at = r ? /^([A-Za-z]{1,3})\d+$/.exec(r) : null;
      col = at ? columnNumber(at[1]) : col + 1;
      const typed = attrs.replace(/(\st\s*=\s*)(["'])d\2/, '$1"str"');
      return r && typed === attrs ? tag : `<c${r ? '' : ` r="${column(col)}${row}"`}${typed}>`;
    });
}

/**
 * An inline string (<is>, written by exporters that skip the shared strings) as one <t> holding
 * the text of its runs: ExcelJS takes each <t> for the whole value, so a rich one ("张" bold +
 * "三店") came through as its last run, one with 拼音指南 as the reading.
 */
function inlineStrings(): (text: string) => string {
  let inString = false;
  let inText = false;
  let inPhonetic = false;
  return (text) =>
    !inString && !text.includes('<is')
      ? text
      : text.replace(
          /<(\/?)(is|t|rPh)(?=[\s/>])[^>]*?(\/?)>|<[^>]*>|[^<]+/g,
          (piece, closing: string | undefined, name: string | undefined, empty: string | undefined) => {
            if (name === 'is') {
              if (empty) return piece;
              inString = !closing;
              return closing ? '</t></is>' : '<is><t>';
            }
            if (!inString) return piece;
            if (name === 't' && !empty) inText = !closing;
            else if (name === 'rPh' && !empty) inPhonetic = !closing;
            return piece.startsWith('<') || !inText || inPhonetic ? '' : piece;
          },
        );
}

/**
 * A number cell whose value holds more digits than a number keeps (320102197705061234, as a system
 * writes an ID number into a cell without making it text) as the text of those digits: read as a
 * number it kept 17 of them (320102197705061250), and was refused as Excel's cut. Digits a number
 * prints as itself (320102197705061000 from Excel, which keeps 15 significant digits, or
 * 320102197705061250 from a program writing a number it holds) say no more than the number, and
 * stay one. xmlText hands a worksheet over in whole cells: a cell's tag and value are in one text.
 */
const longNumbers = (text: string): string =>
  text.replace(
    /<c(?=[\s>])([^>]*)>(\s*<v>\s*(\d{16,})\s*<\/v>)/g,
    (cell, attrs: string, value: string, digits: string) =>
      String(Number(digits)) === digits || (/\st\s*=/.test(attrs) && !/\st\s*=\s*["']n["']/.test(attrs))
        ? cell
        : `<c${attrs.replace(/\st\s*=\s*["']n["']/, '')} t="str">${value}`,
  );

const worksheetText = () => {
  const refs = cellRefs();
  const strings = inlineStrings();
  return (text: string) => longNumbers(strings(refs(text)));
};

/** A worksheet's cell or row tag opening the text (a namespace prefix allowed). */
const CELL_TAG = /^<(?:[\w-]+:)?(?:c|row)[\s/>]|^<\/(?:[\w-]+:)?row>/;

/**
 * Where a piece of a worksheet's text ends: before its last cell or row tag (found within the last
 * few tags), so that a cell's tag and its value are never cut apart; else before its last tag.
 */
function worksheetCut(text: string): number {
  const last = text.lastIndexOf('<');
  let at = last;
  for (let tags = 0; at > 0 && tags < 64; tags++, at = text.lastIndexOf('<', at - 1))
    if (CELL_TAG.test(text.slice(at, at + 24))) return at;
  return last;
}

/**
 * Drops a shared string's phonetic runs (<rPh>, Excel's 拼音指南): ExcelJS would take their
 * reading for the string itself.
 */
function withoutPhonetics(): (text: string) => string {
  let inside = false;
  return (text) =>
    !inside && !text.includes('<rPh')
      ? text
      : text.replace(
          /<(\/?)rPh(?=[\s/>])[^>]*?(\/?)>|[^<]+|<[^>]*>/g,
          (piece, closing: string | undefined, empty: string | undefined) => {
            if (closing !== undefined) {
              if (!empty) inside = !closing;
              return '';
            }
            return inside ? '' : piece;
          },
        );
}

/**
 * An XML part as text: UTF-8 decoded across chunk boundaries, each chunk ending before a tag (so
 * a tag is never cut), the root element's namespace prefix dropped from element names (files
 * written with the Open XML SDK say <x:row>; ExcelJS knows <row>), a worksheet's cell
 * references filled in and inline strings made whole, the shared strings' phonetic runs dropped.
 */
export function xmlText(o: { part?: 'worksheet' | 'sharedStrings' } = {}): Transform {
  const refs =
    o.part === 'worksheet' ? worksheetText() : o.part === 'sharedStrings' ? withoutPhonetics() : (t: string) => t;
  const decoder = new StringDecoder('utf8');
  let carry = '';
  let prefix: RegExp | null | undefined; // undefined until the root element has been seen
  const fix = (text: string) => {
    if (prefix === undefined) {
      const root = /<([A-Za-z_][\w.-]*)(:[\w.-]+)?[\s/>]/.exec(text.replace(/<[?!][^>]*>/g, ''));
      if (!root) return null;
      prefix = root[2] ? new RegExp(`<(/?)${root[1].replace(/\./g, '\\.')}:`, 'g') : null;
    }
    return refs(prefix ? text.replace(prefix, '<$1') : text);
  };
  return new Transform({
    readableObjectMode: true,
    transform(chunk: Buffer, _enc, done) {
      const text = carry + decoder.write(chunk);
      const cut = o.part === 'worksheet' ? worksheetCut(text) : text.lastIndexOf('<');
      const ready = cut > 0 ? fix(text.slice(0, cut)) : null;
      carry = ready === null ? text : text.slice(cut);
      if (ready) this.push(ready);
      done();
    },
    flush(done) {
      const rest = carry + decoder.end();
      if (rest) this.push(fix(rest) ?? rest);
      done();
    },
  });
}

/**
 * A worksheet's rows from its text, each cell's value as ExcelJS's worksheet reader gives it (the
 * same rules, down to where a cell's text runs on), without the Row and Cell objects it builds for
 * every cell: those cost an import of an .xlsx five times the CPU of the same rows as CSV.
 */
async function* sheetRows(text: AsyncIterable<string>, book: ReaderParts, date1904: boolean): AsyncGenerator<SheetRow> {
  const strings = book.sharedStrings;
  const numFmtOf = (s: string | undefined): string | undefined | null => {
    const id = s === undefined ? NaN : parseInt(s, 10);
    return id ? (book.styles.getStyleModel(id)?.numFmt ?? null) : null; // null: no style of its own
  };
  let inRows = false;
  let row: SheetRow | null = null;
  let rowFmt: string | undefined;
  // The open cell: its column, type, format; its formula's and value's text.
  let col = 0;
  let type: string | undefined;
  let fmt: string | undefined;
  let formula: { text: string } | null = null;
  let value: { text: string } | null = null;
  let current: { text: string } | null = null; // the text being read runs on until another starts, as in ExcelJS
  let inCell = false;
  for await (const events of parseSax(text)) {
    for (const e of events) {
      if (e.eventType === 'text') {
        if (current) current.text += e.value;
        continue;
      }
      const { name, attributes: a } = e.value;
      if (e.eventType === 'opentag') {
        if (name === 'sheetData') inRows = true;
        else if (name === 'row' && inRows) {
          row = { number: parseInt(a.r ?? '', 10), values: [], numFmts: [] };
          rowFmt = a.s ? (numFmtOf(a.s) ?? undefined) : undefined;
        } else if (name === 'c' && row) {
          inCell = true;
          col = columnOf(a.r, col);
          type = a.t;
          const own = numFmtOf(a.s);
          fmt = own === null ? rowFmt : own;
          formula = value = null;
        } else if (inCell && name === 'f') current = formula = { text: '' };
        else if (inCell && (name === 'v' || name === 'is' || name === 't')) current = value = { text: '' };
      } else if (name === 'sheetData') inRows = false;
      else if (name === 'row' && row) {
        yield row;
        row = null;
        col = 0;
      } else if (name === 'c' && row && inCell) {
        inCell = false;
        const v = formula
          ? {
              formula: formula.text,
              result: value ? (type === 'str' ? xmlDecode(value.text) : parseFloat(value.text)) : undefined,
            }
          : value && cellValue(value.text, type, fmt, strings, date1904);
        if (v !== null && v !== undefined) {
          row.values[col] = v;
          row.numFmts[col] = fmt;
        }
      }
    }
  }
}

/** A cell's column from its reference (cellRefs has given every cell one), the next column if it names none. */
function columnOf(ref: string | undefined, previous: number): number {
  const letters = ref ? /^\$?([A-Za-z]+)/.exec(ref)?.[1] : undefined;
  if (!letters) return previous + 1;
  const n = letters.length <= 3 ? columnNumber(letters.toUpperCase()) : Infinity;
  if (n > MAX_COLUMN) throw unreadable(`单元格 ${letters.slice(0, 20)} 列超出 Excel 的最后一列（XFD）`);
  return n;
}

/** A cell's value by its type (t): a shared string, text, an error, a truth value, else a number or, under a date format, a date. */
function cellValue(
  text: string,
  type: string | undefined,
  numFmt: string | undefined,
  strings: ExcelJS.CellValue[] | undefined,
  date1904: boolean,
): ExcelJS.CellValue | undefined {
  switch (type) {
    case 's':
      return strings?.[parseInt(text, 10)];
    case 'inlineStr':
    case 'str':
      return xmlDecode(text);
    case 'e':
      return { error: text } as ExcelJS.CellErrorValue;
    case 'b':
      return parseInt(text, 10) !== 0;
    default:
      return isDateFmt(numFmt) ? excelToDate(parseFloat(text), date1904) : parseFloat(text);
  }
}

/** A relationship's target as a part name: relative to the part that names it, or from the package root. */
const partOf = (from: string, target: string) =>
  (target.startsWith('/') ? target.slice(1) : path.posix.normalize(path.posix.join(path.posix.dirname(from), target)))
    .replace(/^\/+/, '')
    .toLowerCase();

const relsOf = (part: string) =>
  path.posix.join(path.posix.dirname(part), '_rels', `${path.posix.basename(part)}.rels`).toLowerCase();

/** A part as XML text; a damaged deflate stream ends the text with its error (pipe alone would leave the parser waiting). */
function textOf(
  raw: Readable,
  name: string,
  o: { maxBytes?: number; part?: 'sharedStrings'; worksheet?: { inflated: number } } = {},
): Transform {
  const { maxBytes = Infinity, worksheet } = o;
  const text = xmlText({ part: worksheet ? 'worksheet' : o.part });
  let inflated = 0;
  raw.on('error', () => text.destroy(unreadable(`${name.slice(0, 80)} 的压缩数据已损坏`)));
  raw.on('data', (chunk: Buffer) => {
    if (worksheet) worksheet.inflated += chunk.length;
    if ((inflated += chunk.length) <= maxBytes) return;
    raw.unpipe(text);
    raw.destroy();
    text.destroy(unreadable(`${name.slice(0, 80)} 解压后超过 ${Math.round(maxBytes / 1024 ** 2)} MB`));
  });
  return raw.pipe(text);
}

/**
 * Parts read whole into memory are capped here, whatever their names: the directory parts
 * (relationships, workbook) are read before the zip guard has run, and the shared strings and
 * styles may sit under any name the relationships give them.
 */
const DIRECTORY_PART_BYTES = 16 * 1024 ** 2;
const CACHED_PART_BYTES = DEFAULT_ZIP_LIMITS.maxSharedStringsBytes;

/** Opens an .xlsx: reads its directory, relationships and workbook part (the sheets' names); nothing of the sheets yet. */
export async function openWorkbook(file: string): Promise<Workbook> {
  const zip = await openZip(file).catch(told);
  const open: Readable[] = [];
  const close = () => {
    for (const s of open) s.destroy();
    zip.close();
  };
  try {
    const parts = await zipParts(zip, DEFAULT_ZIP_LIMITS.maxEntries).catch(told);
    const unzip = (entry: yauzl.Entry) => inflated(zip, entry).catch(told);
    // Only the parsers of ExcelJS's reader are used; its input is never read.
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(null as unknown as string, {
      worksheets: 'emit',
      sharedStrings: 'cache',
      styles: 'cache', // a date is a number with a date format: the styles say which
      hyperlinks: 'ignore',
    }) as unknown as ReaderParts;
    const text = async (name: string, maxBytes = Infinity, part?: 'sharedStrings') => {
      const entry = parts.get(name);
      if (!entry) return null;
      const stream = textOf(await unzip(entry), entry.fileName, { maxBytes, part });
      open.push(stream);
      return stream;
    };
    const rels = async (name: string) => {
      const part = await text(name, DIRECTORY_PART_BYTES);
      if (!part) return [];
      await reader._parseRels(part);
      return reader.workbookRels ?? [];
    };
    const main =
      (await rels('_rels/.rels')).find((r) => r.Type.endsWith('/officeDocument') && r.TargetMode !== 'External')
        ?.Target ?? 'xl/workbook.xml';
    const bookPart = partOf('', main);
    const bookRels = await rels(relsOf(bookPart));
    const book = await text(bookPart, DIRECTORY_PART_BYTES);
    if (!book) throw unreadable('缺少工作簿目录（workbook.xml）');
    await reader._parseWorkbook(book);
    // A part the relationships do not name is looked for where Excel puts it, as ExcelJS did.
    const related = (type: string, usual: string) => {
      const named = bookRels.filter((r) => r.Type.endsWith(`/${type}`) && r.TargetMode !== 'External');
      return named.length ? named.map((r) => partOf(bookPart, r.Target)) : [partOf(bookPart, usual)];
    };
    const sheets = (reader.model?.sheets ?? []).map((s) => {
      const rel = bookRels.find((r) => r.Id === s.rId);
      return {
        name: s.name,
        hidden: s.state === 'hidden' || s.state === 'veryHidden',
        part: partOf(bookPart, rel?.Target ?? `worksheets/sheet${s.id}.xml`),
      };
    });
    const date1904 = reader.properties?.model?.date1904 === true;
    let shared: Promise<void> | undefined;
    const readShared = async () => {
      for (const name of related('sharedStrings', 'sharedStrings.xml')) {
        const part = await text(name, CACHED_PART_BYTES, 'sharedStrings');
        if (part) for await (const _ of reader._parseSharedStrings(part)); // cached on the reader
      }
      for (const name of related('styles', 'styles.xml')) {
        const part = await text(name, CACHED_PART_BYTES);
        if (part) await reader._parseStyles(part);
      }
      const formats = reader.styles.index?.numFmt;
      if (formats) for (const [id, code] of Object.entries(ZH_CN_DATE_FORMATS)) formats[Number(id)] ??= code;
    };
    let reading: { entry: yauzl.Entry; inflated: number } | null = null;
    const partOfSheet = (wanted: WorkbookSheet) => {
      const sheet = sheets.find((s) => s.name === wanted.name);
      const entry = sheet && parts.get(sheet.part);
      if (!sheet || !entry) throw unreadable(`工作表"${wanted.name}"的数据缺失`);
      return { sheet, entry };
    };
    return {
      sheets: sheets.map(({ name, hidden }) => ({ name, hidden })),
      date1904,
      async layout(wanted) {
        const { entry } = partOfSheet(wanted);
        const stream = textOf(await unzip(entry), entry.fileName);
        open.push(stream);
        const merges: Merge[] = [];
        const hiddenRows: number[] = [];
        const hiddenColumns: number[] = [];
        let row = 0;
        for await (const chunk of stream as AsyncIterable<string>) {
          // <cols> stands before the rows: a hidden range, to the sheet's last column (16384) at most.
          if (row === 0)
            for (const [, attrs] of chunk.matchAll(/<(?:[\w-]+:)?col(?=[\s/>])([^>]*)>/g)) {
              if (!/\shidden\s*=\s*["'](1|true)["']/.test(attrs)) continue;
              const min = Number(/\smin\s*=\s*["'](\d+)["']/.exec(attrs)?.[1] ?? NaN);
              const max = Math.min(Number(/\smax\s*=\s*["'](\d+)["']/.exec(attrs)?.[1] ?? min), MAX_COLUMN);
              for (let c = min; c <= max && hiddenColumns.length < MAX_COLUMN; c++) hiddenColumns.push(c);
            }
          for (const [, attrs] of chunk.matchAll(/<row(?=[\s/>])([^>]*)>/g)) {
            const r = /\sr\s*=\s*["'](\d+)["']/.exec(attrs)?.[1];
            row = r ? Number(r) : row + 1; // a row without its number is the next one, as cellRefs reads it
            if (/\shidden\s*=\s*["'](1|true)["']/.test(attrs)) hiddenRows.push(row);
          }
          if (!chunk.includes('<mergeCell')) continue;
          for (const m of chunk.matchAll(/<mergeCell\s[^>]*?\bref\s*=\s*["']([^"']+)["']/g)) {
            const merge = mergeOf(m[1]);
            if (merge && merges.length < MAX_MERGES) merges.push(merge);
          }
        }
        return { merges, hiddenRows, hiddenColumns };
      },
      async hasValues(wanted) {
        const { entry } = partOfSheet(wanted);
        const stream = textOf(await unzip(entry), entry.fileName);
        open.push(stream);
        // A value is a <v> (a number, a shared string's index, a formula's result) or an inline
        // string <is>; a tag may be cut by a chunk's end, so the last few characters are kept.
        let tail = '';
        try {
          for await (const chunk of stream as AsyncIterable<string>) {
            const text = tail + chunk;
            if (/<(?:[\w-]+:)?(?:v|is|f)[\s>]/.test(text)) return true;
            tail = text.slice(-16);
          }
          return false;
        } finally {
          stream.destroy();
        }
      },
      async *rows(wanted) {
        const { entry } = partOfSheet(wanted);
        await (shared ??= readShared());
        const progress = { entry, inflated: 0 };
        reading = progress;
        const stream = textOf(await unzip(entry), entry.fileName, { worksheet: progress });
        open.push(stream);
        yield* sheetRows(stream as AsyncIterable<string>, reader, date1904);
      },
      bytesRead: () =>
        reading
          ? reading.entry.relativeOffsetOfLocalHeader +
            Math.round((reading.entry.compressedSize * reading.inflated) / Math.max(1, reading.entry.uncompressedSize))
          : 0,
      close,
    };
  } catch (err) {
    close();
    throw err;
  }
}
