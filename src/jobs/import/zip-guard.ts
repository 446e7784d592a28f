import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';

/**
 * Zip-bomb guard for uploaded .xlsx files. The zip's own directory says how big each part is,
 * but nothing makes it tell the truth (a 3 MB file whose directory claims 1,000 bytes for
 * sharedStrings.xml can inflate to gigabytes). So before the spreadsheet reader sees a file,
 * this reads it the way the reader will — the same local-header parser (unzipper, which ExcelJS
 * uses), from the first byte — and counts the bytes the inflate stream actually produces:
 * per part, in total, for the shared-strings part (which the reader keeps in memory), and the
 * longest XML token (a cell's text or an attribute), stopping at the first limit exceeded.
 * Memory stays at one inflate window and one chunk whatever the file says.
 */
export type ZipLimits = {
  /** Bytes all parts may inflate to together. */
  maxTotalBytes: number;
  /** Bytes one part may inflate to. */
  maxEntryBytes: number;
  /** Bytes xl/sharedStrings.xml may inflate to (the reader caches every shared string). */
  maxSharedStringsBytes: number;
  /** Longest run of bytes between two '<' in an XML part: a cell's text, a shared string or an attribute. */
  maxTokenBytes: number;
  /** Parts in the archive. */
  maxEntries: number;
};

/** Excel's own cell limit is 32,767 characters: at most ~160 KiB as escaped UTF-8 XML. */
export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxTotalBytes: 2 * 1024 ** 3,
  maxEntryBytes: 1024 ** 3,
  maxSharedStringsBytes: 256 * 1024 ** 2,
  maxTokenBytes: 256 * 1024,
  maxEntries: 10_000,
};

export class ZipRefused extends Error {}

/** How long a parser that has been fed the whole file may sit without progress before the file is called damaged. */
const STALL_MS = 2000;

type UnzipEntry = Readable & { path: string; autodrain(): void };
type Unzipper = { Parse(opts: { forceStream: boolean }): NodeJS.ReadWriteStream & AsyncIterable<UnzipEntry> };
const unzipper = createRequire(import.meta.url)('unzipper') as Unzipper;

const mb = (n: number) => `${Math.round((n / 1024 ** 2) * 10) / 10} MB`;

/** Refuses an archive whose directory already admits it is too big (cheap, before inflating anything). */
async function checkDirectory(file: string, limits: ZipLimits): Promise<void> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, autoClose: true }, (err, z) =>
      err || !z ? reject(new ZipRefused('不是有效的 XLSX 文件（压缩包已损坏或被截断）')) : resolve(z),
    ),
  );
  let total = 0;
  let entries = 0;
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (e: yauzl.Entry) => {
      total += e.uncompressedSize;
      entries++;
      if (entries > limits.maxEntries) {
        zip.close();
        return reject(new ZipRefused(`XLSX 压缩包内的文件超过 ${limits.maxEntries} 个，已拒绝`));
      }
      zip.readEntry();
    });
    zip.on('end', resolve);
    zip.on('error', () => reject(new ZipRefused('不是有效的 XLSX 文件（压缩包已损坏）')));
    zip.readEntry();
  });
  if (total > limits.maxTotalBytes)
    throw new ZipRefused(`XLSX 解压后过大（${mb(total)}，上限 ${mb(limits.maxTotalBytes)}），疑似压缩炸弹，已拒绝`);
}

/** Inflates every part as the reader would and counts what comes out; throws ZipRefused at the first limit exceeded. */
async function countInflated(file: string, limits: ZipLimits): Promise<{ total: number; entries: number }> {
  const input = fs.createReadStream(file);
  const parse = unzipper.Parse({ forceStream: true });
  input.on('error', (err) => parse.emit('error', err));
  input.pipe(parse);
  let total = 0;
  let entries = 0;
  // A damaged archive can leave the parser waiting for bytes that never come (a data descriptor
  // that is not there): once the whole file has been fed in and nothing moves for a while, the
  // archive is refused as damaged rather than left to hang the import queue.
  let current: UnzipEntry | null = null;
  let fedAll = false;
  let lastMove = Date.now();
  input.on('data', () => void (lastMove = Date.now()));
  input.on('end', () => void (fedAll = true));
  const watchdog = setInterval(() => {
    if (!fedAll || Date.now() - lastMove < STALL_MS) return;
    const err = new ZipRefused('不是有效的 XLSX 文件（压缩包结构损坏，无法读完）');
    current?.destroy(err);
    (parse as unknown as { destroy(e: Error): void }).destroy(err);
  }, STALL_MS / 4);
  watchdog.unref();
  try {
    for await (const entry of parse) {
      current = entry;
      lastMove = Date.now();
      entries++;
      if (entries > limits.maxEntries) throw new ZipRefused(`XLSX 压缩包内的文件超过 ${limits.maxEntries} 个，已拒绝`);
      const name = entry.path;
      const entryMax = /^xl\/sharedStrings\.xml$/i.test(name)
        ? Math.min(limits.maxSharedStringsBytes, limits.maxEntryBytes)
        : limits.maxEntryBytes;
      const xml = /\.(xml|rels)$/i.test(name);
      let bytes = 0;
      let run = 0; // bytes since the last '<'
      for await (const chunk of entry as AsyncIterable<Buffer>) {
        lastMove = Date.now();
        bytes += chunk.length;
        total += chunk.length;
        if (bytes > entryMax)
          throw new ZipRefused(`XLSX 中的 ${name.slice(0, 80)} 解压后超过 ${mb(entryMax)}，疑似压缩炸弹，已拒绝`);
        if (total > limits.maxTotalBytes)
          throw new ZipRefused(`XLSX 解压后超过 ${mb(limits.maxTotalBytes)}，疑似压缩炸弹，已拒绝`);
        if (xml) {
          let from = 0;
          for (;;) {
            const lt = chunk.indexOf(0x3c, from);
            if (lt < 0) {
              run += chunk.length - from;
              break;
            }
            run += lt - from;
            if (run > limits.maxTokenBytes) break;
            run = 0;
            from = lt + 1;
          }
          if (run > limits.maxTokenBytes)
            throw new ZipRefused(
              `XLSX 中有单元格内容或字符串超过 ${Math.round(limits.maxTokenBytes / 1024)} KB（${name.slice(0, 80)}），已拒绝`,
            );
        }
      }
    }
  } catch (err) {
    if (err instanceof ZipRefused) throw err;
    throw new ZipRefused(`不是有效的 XLSX 文件（压缩包已损坏：${(err as Error).message.slice(0, 100)}）`);
  } finally {
    clearInterval(watchdog);
    input.destroy();
    (parse as unknown as { destroy?: () => void }).destroy?.();
  }
  return { total, entries };
}

/**
 * Checks an .xlsx file before it is read: the directory, then the bytes actually inflated.
 * Resolves with what the parts inflate to; rejects with ZipRefused (a Chinese message).
 */
export async function guardZip(
  file: string,
  overrides: Partial<ZipLimits> = {},
): Promise<{ total: number; entries: number }> {
  const limits = { ...DEFAULT_ZIP_LIMITS, ...overrides };
  await checkDirectory(file, limits);
  return countInflated(file, limits);
}
