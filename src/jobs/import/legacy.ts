import { Worker } from 'node:worker_threads';
import { MAX_MERGES, type Merge } from './merges.js';
import { openZip, zipParts } from './zip.js';
import { DEFAULT_ZIP_LIMITS } from './zip-guard.js';

/**
 * Excel 97-2003 workbooks (.xls, the registration and roster systems' usual export) and the
 * "xls" files many web systems write as an HTML table or Excel 2003 XML. ExcelJS reads neither;
 * SheetJS does, but its npm release (0.18.5, the last one published there) has two advisories for
 * crafted files: prototype pollution (CVE-2023-30533) and a regular-expression slowdown
 * (CVE-2024-22363). So it runs only in a worker thread: its own JavaScript realm (a polluted
 * prototype dies with it), a heap limit, a time limit, and nothing handed back but cell values.
 */
export class LegacyReadError extends Error {}

/** A cell's value (a fraction or a date, YYYY-MM-DD, with its number format); null for a formula cell the file saved no usable result for. */
export type LegacyCell = string | number | { n: number; numFmt: string } | { date: string; numFmt: string } | null;
/**
 * A markup file (HTML or XML saved as .xls) names its charset; the worker reads and decodes it, off
 * the request thread. An OpenDocument package (`ods`) has its hidden rows and columns read from its XML.
 */
export type LegacyInput = { file: string; charset?: 'utf8' | 'gb18030'; ods?: boolean };

const WORKER = new URL('./legacy-worker.cjs', import.meta.url);
const timeoutMs = () => Number(process.env.XGZ_IMPORT_XLS_TIMEOUT_MS) || 120_000;
const UNREADABLE = 'XLS 文件无法读取：文件已损坏，或不是 Excel 97-2003 工作簿（.xls）';

type Message = {
  sheets?: string[];
  /** Of those, the ones with no value in their first rows (Excel's blank Sheet1 beside the data's Sheet2). */
  empty?: string[];
  total?: number;
  /** SheetJS's merged ranges of the sheet (rows and columns from 0), sent with total. */
  merges?: { s: { r: number; c: number }; e: { r: number; c: number } }[];
  /** The rows and columns the sheet hides (numbered from 1), sent with total. */
  hidden?: { rows: number[]; columns: number[] };
  rows?: LegacyCell[][];
  done?: true;
  error?: string;
  password?: boolean;
};

const ODS = 'application/vnd.oasis.opendocument.spreadsheet';
/** An OLE2 compound file: an .xls, .et, or an .xlsx encrypted with a password (Office wraps it in one). */
const OLE2 = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
const ZIP = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/**
 * OLE2 (.xls, .et; also an encrypted .xlsx) by its magic, an OpenDocument spreadsheet (.ods, as
 * LibreOffice and the office suites of domestic systems save) by the mimetype entry its zip opens
 * with, or an HTML table / Excel 2003 XML by its opening text; 'no-table' for other XML or a web
 * page without a table (no spreadsheet to read).
 */
function legacyKind(head: Buffer): LegacyKind {
  if (head.subarray(0, 8).equals(OLE2)) return 'ole';
  if (
    head.subarray(30, 38).toString('latin1') === 'mimetype' &&
    head.subarray(38, 128).toString('latin1').startsWith(ODS)
  )
    return 'ods';
  const start = head
    .subarray(0, 2048)
    .toString('latin1')
    .replace(/^\ufeff|^\xef\xbb\xbf/, '')
    .trimStart()
    .toLowerCase();
  if (!start.startsWith('<')) return null;
  if (/<table|<html|urn:schemas-microsoft-com:office:spreadsheet/.test(start)) return 'markup';
  return /^<(\?xml|!doctype)/.test(start) ? 'no-table' : null;
}

export type LegacyKind = 'ole' | 'ods' | 'xlsb' | 'markup' | 'no-table' | null;

/**
 * legacyKind, and an OpenDocument spreadsheet whose zip does not open with its mimetype entry
 * (SheetJS, and some converters, write META-INF/manifest.xml first): a zip with a content.xml and
 * no [Content_Types].xml is no .xlsx; and an Excel binary workbook (.xlsb, "Excel 二进制工作簿"), a zip
 * like an .xlsx whose workbook is xl/workbook.bin: ExcelJS reads none of it (round 21: refused as a
 * damaged .xlsx), SheetJS does. Only the zip's directory is read, bounded as the guard bounds it.
 */
export async function spreadsheetKind(file: string, head: Buffer): Promise<LegacyKind> {
  const kind = legacyKind(head);
  if (kind || !head.subarray(0, 4).equals(ZIP)) return kind;
  const zip = await openZip(file).catch(() => null);
  if (!zip) return null; // the .xlsx reader says what is wrong with it
  try {
    const parts = await zipParts(zip, DEFAULT_ZIP_LIMITS.maxEntries).catch(() => null);
    if (!parts) return null;
    if (parts.has('content.xml') && !parts.has('[content_types].xml')) return 'ods';
    return parts.has('xl/workbook.bin') ? 'xlsb' : null;
  } finally {
    zip.close();
  }
}

function problem(m: Message): string {
  if (m.password) return '文件有密码保护：请在 Excel 或 WPS 中取消密码后另存，再重新上传';
  return m.error && /[\u4e00-\u9fff]/.test(m.error) ? m.error : UNREADABLE;
}

/** Runs the worker and hands each message to `on` until it says it is finished; a stuck or failing reader is stopped. */
function run(
  input: LegacyInput,
  op: 'sheets' | 'rows',
  sheet: string | undefined,
  on: (m: Message) => boolean,
): { finished: Promise<void>; stop: () => void } {
  const worker = new Worker(WORKER, {
    workerData: { ...input, op, sheet },
    resourceLimits: { maxOldGenerationSizeMb: 2048 },
    stdout: true,
    stderr: true,
  });
  let stop = () => void worker.terminate();
  const finished = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        fail(
          new LegacyReadError(
            `XLS 文件读取超过 ${Math.ceil(timeoutMs() / 1000)} 秒仍未完成，已停止：请另存为 .xlsx 或 CSV 后上传`,
          ),
        ),
      timeoutMs(),
    );
    const end = () => {
      clearTimeout(timer);
      void worker.terminate();
    };
    const fail = (err: Error) => {
      end();
      reject(err);
    };
    stop = () => {
      end();
      resolve();
    };
    worker.on('message', (m: Message) => {
      if (m.error !== undefined) return fail(new LegacyReadError(problem(m)));
      if (on(m)) stop();
    });
    worker.on('error', (err) =>
      fail(
        new LegacyReadError(
          /memory/i.test(err.message) ? 'XLS 文件过大，读取时超出内存上限：请拆分或另存为 CSV 后上传' : UNREADABLE,
        ),
      ),
    );
    worker.on('exit', () => fail(new LegacyReadError(UNREADABLE))); // after a resolve this changes nothing
  });
  return { finished, stop: () => stop() };
}

/** The workbook's visible sheets, in order, and those of them with no value in their first rows. */
export async function legacySheets(input: LegacyInput): Promise<{ names: string[]; empty: Set<string> }> {
  let names: string[] = [];
  let empty: string[] = [];
  await run(input, 'sheets', undefined, (m) => {
    names = m.sheets ?? [];
    empty = m.empty ?? [];
    return true;
  }).finished;
  return { names, empty: new Set(empty) };
}

/** The records of one sheet (the first unless named), with `progress()` the share read so far (0–1). */
export function legacyRecords(
  input: LegacyInput,
  sheet?: string,
): {
  records: AsyncGenerator<LegacyCell[]>;
  /** The sheet's merged ranges: known once the first record is out. */
  merges: () => Merge[];
  /** The rows and columns the sheet hides (from 1): known once the first record is out. */
  hidden: () => { rows: number[]; columns: number[] };
  progress: () => number;
  close: () => void;
} {
  let merges: Merge[] = [];
  let hidden: { rows: number[]; columns: number[] } = { rows: [], columns: [] };
  let queue: LegacyCell[][] = [];
  let head = 0; // next row of queue to hand out (shift() would copy the array every row)
  let total = 0;
  let taken = 0;
  let finished = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const signal = () => {
    wake?.();
    wake = undefined;
  };
  const reader = run(input, 'rows', sheet, (m) => {
    if (m.total !== undefined) total = m.total;
    if (m.merges)
      merges = m.merges
        .slice(0, MAX_MERGES)
        .map(({ s, e }) => ({ top: s.r + 1, left: s.c + 1, bottom: e.r + 1, right: e.c + 1 }));
    if (m.hidden) hidden = m.hidden;
    if (m.rows) queue.push(...m.rows);
    if (m.done) finished = true;
    signal();
    return !!m.done;
  });
  reader.finished.catch((err: Error) => {
    failure = err;
    signal();
  });
  async function* records(): AsyncGenerator<LegacyCell[]> {
    for (;;) {
      if (head < queue.length) {
        taken++;
        yield queue[head++];
        continue;
      }
      queue = [];
      head = 0;
      if (failure) throw failure;
      if (finished) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  }
  return {
    records: records(),
    merges: () => merges,
    hidden: () => hidden,
    progress: () => (total ? Math.min(1, taken / total) : 0),
    close: () => reader.stop(),
  };
}
