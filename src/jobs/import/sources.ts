import fs from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { parse } from 'csv-parse';
import iconv from 'iconv-lite';
import ExcelJS from 'exceljs';
import yauzl from 'yauzl';

/** One record of a source file: its 1-based row number as the user sees it, and its cells as text. */
export type SourceRow = { rowNo: number; cells: string[] };
export type Source = { headers: string[]; rows: AsyncIterable<SourceRow>; bytesRead: () => number };

export class SourceError extends Error {}

export type SourceLimits = { maxUncompressedBytes: number; maxRatio: number; maxRows: number };
export const DEFAULT_LIMITS: SourceLimits = { maxUncompressedBytes: 2 * 1024 ** 3, maxRatio: 200, maxRows: 10_000_000 };

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

/** UTF-8 (with or without BOM) when the first 64 KiB decode as UTF-8, else GB18030 (a superset of GBK). */
function detectEncoding(file: string): 'utf8' | 'gb18030' {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.alloc(65536);
  const n = fs.readSync(fd, buf, 0, buf.length, 0);
  fs.closeSync(fd);
  let head = buf.subarray(0, n);
  // Do not judge by a multi-byte character cut at the end of the sample.
  while (head.length && (head[head.length - 1] & 0xc0) === 0x80) head = head.subarray(0, head.length - 1);
  if (head.length && head[head.length - 1] >= 0xc0) head = head.subarray(0, head.length - 1);
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head);
    return 'utf8';
  } catch {
    return 'gb18030';
  }
}

async function* csvRows(stream: Readable): AsyncGenerator<string[]> {
  const parser = stream.pipe(parse({ bom: true, relax_column_count: true, skip_empty_lines: true, trim: false }));
  try {
    for await (const rec of parser) yield rec as string[];
  } catch (err) {
    const e = err as { code?: string; lines?: number; message: string };
    const where = e.lines ? `第 ${e.lines} 行附近` : '';
    throw new SourceError(e.code === 'CSV_QUOTE_NOT_CLOSED' ? `文件不完整或已损坏：${where}引号未闭合（文件可能被截断）` : `CSV 格式错误：${where}${e.message}`);
  }
}

type Opened = { records: AsyncGenerator<string[]>; bytes: () => number };

function openCsv(file: string): Opened {
  const count = counter();
  const encoding = detectEncoding(file);
  const raw = fs.createReadStream(file).pipe(count);
  const text = encoding === 'utf8' ? raw : raw.pipe(iconv.decodeStream('gb18030'));
  return { records: csvRows(text as Readable), bytes: () => count.bytes };
}

/** Reads the zip directory before anything is inflated: refuses archives that would expand beyond the limits. */
async function checkZip(file: string, limits: SourceLimits): Promise<void> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, autoClose: true }, (err, z) => (err || !z ? reject(new SourceError('不是有效的 XLSX 文件（压缩包已损坏或被截断）')) : resolve(z))),
  );
  let total = 0;
  let compressed = 0;
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (e: yauzl.Entry) => {
      total += e.uncompressedSize;
      compressed += e.compressedSize;
      zip.readEntry();
    });
    zip.on('end', resolve);
    zip.on('error', () => reject(new SourceError('不是有效的 XLSX 文件（压缩包已损坏）')));
    zip.readEntry();
  });
  if (total > limits.maxUncompressedBytes || (compressed > 0 && total / compressed > limits.maxRatio && total > 50 * 1024 ** 2)) {
    throw new SourceError(`XLSX 解压后过大（${Math.round(total / 1024 ** 2)} MB，压缩比 ${Math.round(total / Math.max(compressed, 1))}:1），疑似压缩炸弹，已拒绝`);
  }
}

/** Cell values as text. Formulas are never evaluated: their text is kept as written, and validation refuses it. */
function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'object') {
    if ('formula' in v || 'sharedFormula' in v) return `=${(v as { formula?: string }).formula ?? ''}`;
    if ('richText' in v) return v.richText.map((t) => t.text).join('');
    if ('text' in v) return String(v.text);
    if ('error' in v) return String(v.error);
    return '';
  }
  return String(v);
}

async function* xlsxRows(file: string, count: Transform): AsyncGenerator<string[]> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(fs.createReadStream(file).pipe(count), { entries: 'emit', sharedStrings: 'cache', worksheets: 'emit', styles: 'ignore', hyperlinks: 'ignore' });
  try {
    for await (const sheet of reader) {
      for await (const row of sheet as AsyncIterable<ExcelJS.Row>) {
        const values = row.values as ExcelJS.CellValue[];
        const cells: string[] = [];
        for (let i = 1; i < values.length; i++) cells.push(cellText(values[i]));
        yield cells;
      }
      return; // first worksheet only
    }
  } catch (err) {
    if (err instanceof SourceError) throw err;
    throw new SourceError(`XLSX 文件无法读取：${(err as Error).message}`);
  }
}

async function openXlsx(file: string, limits: SourceLimits): Promise<Opened> {
  await checkZip(file, limits);
  const count = counter();
  return { records: xlsxRows(file, count), bytes: () => count.bytes };
}

/** Splits off the header row; numbers data rows as the spreadsheet shows them (header = row 1). */
async function withHeaders({ records, bytes }: Opened, maxRows: number): Promise<Source> {
  const first = await records.next();
  if (first.done) throw new SourceError('文件为空：没有表头行');
  const headers = first.value.map((h) => h.trim());
  async function* rows(): AsyncGenerator<SourceRow> {
    let rowNo = 1;
    for await (const cells of records) {
      rowNo++;
      if (rowNo - 1 > maxRows) throw new SourceError(`文件超过 ${maxRows} 行上限`);
      if (cells.every((c) => c.trim() === '')) continue;
      yield { rowNo, cells };
    }
  }
  return { headers, rows: rows(), bytesRead: bytes };
}

/** Opens a CSV (UTF-8 or GB18030/GBK, detected) or XLSX file as a stream of rows. */
export async function openSource(file: string, fileName: string, limits: SourceLimits = DEFAULT_LIMITS): Promise<Source> {
  const lower = fileName.toLowerCase();
  const opened = lower.endsWith('.xlsx') ? await openXlsx(file, limits) : lower.endsWith('.csv') || lower.endsWith('.txt') ? openCsv(file) : null;
  if (!opened) throw new SourceError('只支持 .xlsx 或 .csv 文件');
  return withHeaders(opened, limits.maxRows);
}
