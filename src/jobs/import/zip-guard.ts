import { ZipTooManyParts, inflated, openZip, zipParts } from './zip.js';

/**
 * Zip-bomb guard for uploaded .xlsx files. The zip's own directory says how big each part is,
 * but nothing makes it tell the truth (a 3 MB file whose directory claims 1,000 bytes for
 * sharedStrings.xml can inflate to gigabytes). So before the spreadsheet reader sees a file,
 * this reads it the way the reader will — each part the central directory names (zip.ts) — and
 * counts the bytes the inflate stream actually produces:
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

const mb = (n: number) => `${Math.round((n / 1024 ** 2) * 10) / 10} MB`;

/** Counts a chunk of an XML part: the longest run of bytes between two '<' so far. */
function longestRun(chunk: Buffer, run: number, max: number): number {
  let from = 0;
  for (;;) {
    const lt = chunk.indexOf(0x3c, from);
    if (lt < 0) return run + chunk.length - from;
    run += lt - from;
    if (run > max) return run;
    run = 0;
    from = lt + 1;
  }
}

/**
 * Refuses an archive whose directory already admits it is too big (cheap, before inflating
 * anything), then inflates every part as the reader will and counts what comes out; throws
 * ZipRefused at the first limit exceeded.
 */
async function countInflated(file: string, limits: ZipLimits): Promise<{ total: number; entries: number }> {
  const zip = await openZip(file).catch(() => {
    throw new ZipRefused('不是有效的 XLSX 文件（压缩包已损坏或被截断）');
  });
  try {
    const parts = await zipParts(zip, limits.maxEntries).catch((err: unknown) => {
      throw err instanceof ZipTooManyParts
        ? new ZipRefused(`XLSX 压缩包内的文件超过 ${limits.maxEntries} 个，已拒绝`)
        : err;
    });
    const declared = [...parts.values()].reduce((sum, e) => sum + e.uncompressedSize, 0);
    if (declared > limits.maxTotalBytes)
      throw new ZipRefused(
        `XLSX 解压后过大（${mb(declared)}，上限 ${mb(limits.maxTotalBytes)}），疑似压缩炸弹，已拒绝`,
      );
    let total = 0;
    for (const entry of parts.values()) {
      const name = entry.fileName;
      const entryMax = /^xl\/sharedStrings\.xml$/i.test(name)
        ? Math.min(limits.maxSharedStringsBytes, limits.maxEntryBytes)
        : limits.maxEntryBytes;
      const xml = /\.(xml|rels)$/i.test(name);
      let bytes = 0;
      let run = 0;
      for await (const chunk of (await inflated(zip, entry)) as AsyncIterable<Buffer>) {
        bytes += chunk.length;
        total += chunk.length;
        if (bytes > entryMax)
          throw new ZipRefused(`XLSX 中的 ${name.slice(0, 80)} 解压后超过 ${mb(entryMax)}，疑似压缩炸弹，已拒绝`);
        if (total > limits.maxTotalBytes)
          throw new ZipRefused(`XLSX 解压后超过 ${mb(limits.maxTotalBytes)}，疑似压缩炸弹，已拒绝`);
        if (xml && (run = longestRun(chunk, run, limits.maxTokenBytes)) > limits.maxTokenBytes)
          throw new ZipRefused(
            `XLSX 中有单元格内容或字符串超过 ${Math.round(limits.maxTokenBytes / 1024)} KB（${name.slice(0, 80)}），已拒绝`,
          );
      }
    }
    return { total, entries: parts.size };
  } catch (err) {
    if (err instanceof ZipRefused) throw err;
    throw new ZipRefused(`不是有效的 XLSX 文件（压缩包已损坏：${(err as Error).message.slice(0, 100)}）`);
  } finally {
    zip.close();
  }
}

/**
 * Checks an .xlsx file before it is read: the directory, then the bytes actually inflated.
 * Resolves with what the parts inflate to; rejects with ZipRefused (a Chinese message).
 */
export async function guardZip(
  file: string,
  overrides: Partial<ZipLimits> = {},
): Promise<{ total: number; entries: number }> {
  return countInflated(file, { ...DEFAULT_ZIP_LIMITS, ...overrides });
}
