// @ts-check
// Reads an Excel 97-2003 workbook (.xls, also WPS .et), an Excel binary workbook (.xlsb), an OpenDocument
// spreadsheet (.ods), or an HTML table / Excel 2003 XML saved as
// .xls, with SheetJS — in a worker thread of its own (see legacy.ts for why). Plain CommonJS so that
// it runs the same under tsx, Vitest and Node without a loader.
// In: workerData { file, charset? (a markup file's), ods? (an OpenDocument package), op: 'sheets' | 'rows', sheet? }. Out: { sheets } or
// { total } then { rows } batches then { done }; a failure is { error, password? }.
'use strict';
const fs = require('node:fs');
const { parentPort, workerData } = require('node:worker_threads');
const XLSX = require('xlsx');
const iconv = require('iconv-lite');

const BATCH = 2000;
// The date formats a Chinese Excel has built in: a file using one does not spell it out (see workbook.ts).
for (const [id, code] of Object.entries(require('./zh-cn-date-formats.json'))) XLSX.SSF.load(code, Number(id));
const pad = (n) => String(n).padStart(2, '0');

/**
 * A cell as the importer wants it: text as written, a date cell as its calendar date, a number as
 * a number; a formula cell as the result saved with it (nothing is evaluated), null when none.
 */
function cellValue(cell, dates) {
  if (!cell) return '';
  if (cell.f && (cell.v === undefined || cell.t === 'e')) return null;
  if (cell.t === 'n' && typeof cell.v === 'number') {
    if (cell.z && XLSX.SSF.is_date(cell.z)) {
      const d = XLSX.SSF.parse_date_code(cell.v, dates);
      // With its format: a month typed alone (1980年3月) is not the 1st (see dateCellText).
      return d ? { date: `${d.y}-${pad(d.m)}-${pad(d.d)}`, numFmt: String(cell.z) } : '';
    }
    // A fraction goes with its format: 1980.1 under "0.00" shows 1980.10 (see numberCellText).
    return cell.z && !Number.isInteger(cell.v) ? { n: cell.v, numFmt: String(cell.z) } : cell.v;
  }
  if (cell.t === 'd' && cell.v instanceof Date) return cell.v.toISOString().slice(0, 10);
  if (cell.t === 'b') return cell.v ? 'TRUE' : 'FALSE';
  if (cell.t === 'e') return cell.w ?? '#ERROR';
  return cell.v === undefined || cell.v === null ? '' : String(cell.v);
}

/** An Excel 2003 XML number cell's value, when it has more digits than a number keeps, or is an ID number ending X. */
const LONG_NUMBER_DATA =
  /(<(?:ss:)?Data\b[^>]*?\b(?:ss:)?Type\s*=\s*["'])Number(["'][^>]*>\s*)(\d{16,}|\d{17}[Xx])(?=\s*<\/(?:ss:)?Data>)/g;

/**
 * An Excel 2003 XML number cell whose text holds more digits than a number keeps
 * (<Data ss:Type="Number">320102197705061234</Data>, as systems write an ID number into a cell
 * without making it text) as the text of those digits: read as a number it kept 17 of them and
 * was refused as Excel's cut, though the file holds every digit (and one ending X came out as NaN,
 * refused as no ID number at all). Digits a number prints as itself
 * say no more than the number, and stay one. The rule of workbook.ts's longNumbers for an .xlsx.
 */
const withLongNumbersAsText = (text) =>
  text.replace(LONG_NUMBER_DATA, (cell, open, close, digits) =>
    String(Number(digits)) === digits ? cell : `${open}String${close}${digits}`,
  );

/** An HTML table cell Excel saved as a web page with its number in scientific form beside the digits it showed. */
const SHOWN_CUT_NUMBER = /(<td\b[^>]*?\bx:num\s*=\s*["'](\d(?:\.\d+)?E\+?\d+)["'][^>]*>)\s*\d{16,}\s*(?=<\/td>)/gi;

/**
 * A number cell of a sheet Excel saved as a web page (.xls or .htm): the number it holds
 * (x:num="3.20102197705061E+17") instead of the digits its format showed (320102197705061000), the
 * last of which Excel made up: read as shown, an ID number whose check digit held by chance was
 * stored wrong. As the number, it is refused as Excel's cut wherever it is read.
 */
const withExcelCutAsNumber = (text) => text.replace(SHOWN_CUT_NUMBER, (_, open, num) => `${open}${num}`);

function read(opts) {
  const base = { cellFormula: true, cellNF: true, cellDates: false, cellHTML: false, cellStyles: false, WTF: false };
  // An HTML table's cells are text: raw keeps an ID number or a date as written (no guessing of numbers).
  const bytes = fs.readFileSync(workerData.file);
  if (!workerData.charset) return XLSX.read(bytes, { ...base, ...opts, type: 'buffer' });
  const text =
    workerData.charset === 'gb18030' ? iconv.decode(bytes, 'gb18030') : bytes.toString('utf8').replace(/^\ufeff/, '');
  const page = tablesAsOne(text);
  markupHidden = htmlHidden(page);
  return XLSX.read(withExcelCutAsNumber(withLongNumbersAsText(page)), { ...base, ...opts, type: 'string', raw: true });
}

/** Text of the same length with each comment blanked: tags are looked for in it, not in what a comment holds. */
const withoutComments = (text) => text.replace(/<!--[\s\S]*?-->/g, (c) => ' '.repeat(c.length));

/**
 * A web page of several tables side by side in its markup as Excel opens it: one sheet, the tables
 * one under another (the text between two tables, a line of its own). A system's web export puts
 * its title block (单位, 导出时间), the list and its footer (共…人, 制表人) in a table each; SheetJS
 * made each table a sheet of its own, so the title was read as the sheet and the list's columns
 * were missing (round 21). A page with a table inside another, or an Excel 2003 XML file (no
 * <table>), is left as it is.
 */
function tablesAsOne(text) {
  const tags = [...withoutComments(text).matchAll(/<\/?table\b[^>]*>/gi)];
  if (tags.length < 4 || tags.length % 2 !== 0) return text;
  if (tags.some((t, i) => t[0].startsWith('</') !== (i % 2 === 1))) return text; // nested or unclosed
  const end = (t) => t.index + t[0].length;
  let page = text.slice(0, tags[1].index); // up to the first table's end
  for (let i = 2; i < tags.length; i += 2)
    page += linesAsRows(text.slice(end(tags[i - 1]), tags[i].index)) + text.slice(end(tags[i]), tags[i + 1].index);
  return page + text.slice(tags[tags.length - 1].index);
}

/** Markup between two tables as the rows Excel gives it: a row for each line of text it shows (none for white space). */
function linesAsRows(markup) {
  return withoutComments(markup)
    .replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, '')
    .split(/<br\s*\/?>|<\/?(?:p|div|h[1-6]|li)\b[^>]*>/i)
    .map((line) => line.replace(/<[^>]*>/g, '').trim())
    .filter((line) => line !== '')
    .map((line) => `<tr><td>${line}</td></tr>`)
    .join('');
}

/** The hidden rows and columns of a one-table web page (numbered from 1), when the markup file is one; SheetJS reads none of its own. */
let markupHidden = null;

/**
 * The rows and columns an HTML table saved as .xls hides: Excel's "save as web page" writes a hidden
 * row as <tr height=0 style='display:none'>, a hidden column as <col width=0 style='display:none'>
 * (round 21: such a column was read without a word), a run of like columns as one <col span=N>.
 * Counted as SheetJS counts the rows (each <tr of the first table, comments dropped); a page of
 * several tables (several sheets) or an Excel 2003 XML file (SheetJS reads its ss:Hidden rows
 * itself) gives null.
 */
function htmlHidden(text) {
  const str = withoutComments(text);
  const tables = str.match(/<table/gi);
  if (!tables || tables.length !== 1) return null;
  const start = str.search(/<table/i);
  const end = str.search(/<\/table/i);
  const table = str.slice(start, end === -1 ? str.length : end);
  const rows = [];
  let n = 0;
  for (const [tag] of table.matchAll(/<tr[^>]*>/gi)) {
    n++;
    if (/display\s*:\s*none/i.test(tag)) rows.push(n);
  }
  const columns = [];
  let column = 0;
  const firstRow = table.search(/<tr\b/i);
  for (const [tag] of table.slice(0, firstRow === -1 ? table.length : firstRow).matchAll(/<col\b[^>]*>/gi)) {
    const span = Math.min(Number(/\bspan\s*=\s*["']?(\d+)/i.exec(tag)?.[1] ?? 1) || 1, MAX_HIDDEN_COLUMN - column);
    if (/display\s*:\s*none/i.test(tag)) addRun(columns, column, span);
    column += span;
  }
  return { rows, columns };
}

/** How many rows of each sheet are read to tell whether it is blank. */
const EMPTY_PROBE_ROWS = 100;

/** Whether a sheet (as read) has a cell with a value: formatting alone is no value. */
function hasValue(ws) {
  if (!ws) return false;
  for (const [ref, cell] of Object.entries(ws)) {
    if (ref[0] === '!' || !cell) continue;
    if (cell.f || (cell.v !== undefined && cell.v !== null && String(cell.v).trim() !== '')) return true;
  }
  return false;
}

/**
 * The rows and columns the sheet hides (numbered from 1, as Excel shows them): a clerk hides rows to
 * filter and columns to print, and the import says it read them (as for an .xlsx). A column beyond
 * the sheet's last one, or past MAX_HIDDEN_COLUMN, counts for nothing.
 */
const MAX_HIDDEN_COLUMN = 16384;
/** Adds to `list` the numbers (from 1) of a run of `n` rows or columns after the first `before`. */
function addRun(list, before, n) {
  for (let i = 1; i <= n; i++) list.push(before + i);
}
function hiddenOf(ws, total) {
  const rows = [];
  const columns = [];
  (ws['!rows'] || []).forEach((r, i) => {
    if (r && r.hidden && i < total) rows.push(i + 1);
  });
  if (!ws['!rows'] && markupHidden) rows.push(...markupHidden.rows.filter((n) => n <= total));
  if (!ws['!cols'] && markupHidden) columns.push(...markupHidden.columns);
  (ws['!cols'] || []).forEach((c, i) => {
    if (c && c.hidden && i < MAX_HIDDEN_COLUMN) columns.push(i + 1);
  });
  return { rows, columns };
}

/** An attribute of an OpenDocument tag, as written (entities not decoded). */
const attr = (tag, name) => new RegExp(`\\s${name}\\s*=\\s*"([^"]*)"`).exec(tag)?.[1];
const escapeXml = (text) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * The rows and columns (from 1) an OpenDocument spreadsheet's sheet hides: LibreOffice writes a row
 * a filter hides as table:visibility="filter", one hidden by hand (and a hidden column) as "collapse",
 * a run of like rows or columns as one with table:number-rows-repeated / number-columns-repeated.
 * SheetJS reads none of it (round 21: an .ods filtered to one 党支部 had the others' members imported
 * and nothing said, where an .xlsx's are named). Null when the file is no OpenDocument package.
 */
function odsHidden(name, total) {
  let content;
  try {
    const entry = XLSX.CFB.find(XLSX.CFB.read(fs.readFileSync(workerData.file), { type: 'buffer' }), 'content.xml');
    content = entry && entry.content ? Buffer.from(entry.content).toString('utf8') : null;
  } catch {
    return null;
  }
  if (!content) return null;
  const start = content.indexOf(`<table:table table:name="${escapeXml(name)}"`);
  if (start === -1) return null;
  const end = content.indexOf('</table:table>', start);
  const sheet = content.slice(start, end === -1 ? content.length : end);
  const hidden = (tag) => /^(collapse|filter)$/.test(attr(tag, 'table:visibility') ?? '');
  const rows = [];
  const columns = [];
  let row = 0;
  let column = 0;
  // Rows and columns are counted only as far as the sheet reaches (a sheet ends in a million repeated empty rows).
  for (const [tag, kind] of sheet.matchAll(/<table:table-(row|column)\b[^>]*>/g)) {
    if (kind === 'row' && row < total) {
      const n = Math.min(Number(attr(tag, 'table:number-rows-repeated') ?? 1) || 1, total - row);
      if (hidden(tag)) addRun(rows, row, n);
      row += n;
    } else if (kind === 'column' && column < MAX_HIDDEN_COLUMN) {
      const n = Math.min(Number(attr(tag, 'table:number-columns-repeated') ?? 1) || 1, MAX_HIDDEN_COLUMN - column);
      if (hidden(tag)) addRun(columns, column, n);
      column += n;
    }
  }
  return { rows, columns };
}

function visibleSheets(wb) {
  const meta = (wb.Workbook && wb.Workbook.Sheets) || [];
  return wb.SheetNames.filter((_, i) => !(meta[i] && meta[i].Hidden));
}

try {
  if (workerData.op === 'sheets') {
    // bookSheets alone skips the hidden flags. The first rows tell a blank sheet (Excel's Sheet1 left
    // empty beside the data's Sheet2) from one with a title or a header above its data.
    const wb = read({ sheetRows: EMPTY_PROBE_ROWS });
    const sheets = visibleSheets(wb);
    parentPort.postMessage({ sheets, empty: sheets.filter((n) => !hasValue(wb.Sheets[n])) });
  } else {
    // cellStyles: SheetJS reads an .xls's column flags (hidden ones among them) only with it.
    let wb = read(workerData.sheet ? { sheets: workerData.sheet, cellStyles: true } : { sheets: 0, cellStyles: true });
    let name = workerData.sheet ?? wb.SheetNames[0];
    // No sheet named: the first one the user can see (a hidden sheet may come first).
    const shown = workerData.sheet ? name : visibleSheets(wb)[0];
    if (shown !== undefined && shown !== name) {
      wb = read({ sheets: shown, cellStyles: true });
      name = shown;
    }
    const ws = name === undefined ? undefined : wb.Sheets[name];
    if (!ws) {
      parentPort.postMessage({
        error: workerData.sheet ? `工作簿中没有名为"${workerData.sheet}"的工作表` : '工作簿中没有工作表',
      });
    } else {
      const range = ws['!ref'] ? XLSX.utils.decode_range(ws['!ref']) : null;
      const total = range ? range.e.r + 1 : 0;
      const hidden = (workerData.ods && odsHidden(name, total)) || hiddenOf(ws, total);
      parentPort.postMessage({ total, merges: ws['!merges'] || [], hidden });
      // Dates counted from 1904 in a workbook saved so (Excel for Mac's old default).
      const dates = { date1904: Boolean(wb.Workbook && wb.Workbook.WBProps && wb.Workbook.WBProps.date1904) };
      let rows = [];
      for (let r = 0; r < total; r++) {
        const cells = [];
        for (let c = 0; c <= range.e.c; c++) cells.push(cellValue(ws[XLSX.utils.encode_cell({ r, c })], dates));
        while (cells.length && cells[cells.length - 1] === '') cells.pop();
        rows.push(cells);
        if (rows.length === BATCH) {
          parentPort.postMessage({ rows });
          rows = [];
        }
      }
      parentPort.postMessage({ rows });
      parentPort.postMessage({ done: true });
    }
  }
} catch (err) {
  const msg = String((err && err.message) || err);
  parentPort.postMessage({ error: msg, password: /password|encrypt/i.test(msg) });
}
