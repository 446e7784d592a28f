import type { Readable } from 'node:stream';
import yauzl from 'yauzl';

/**
 * A zip read through its central directory, the one way both the zip guard and the workbook
 * reader read an .xlsx: what the guard counted is what the reader inflates.
 */
export class ZipDamaged extends Error {}
export class ZipTooManyParts extends ZipDamaged {}

export const openZip = (file: string) =>
  new Promise<yauzl.ZipFile>((resolve, reject) =>
    // Sizes are not checked against the directory: the guard counts what each part really inflates to.
    yauzl.open(file, { lazyEntries: true, autoClose: false, validateEntrySizes: false }, (err, zip) =>
      err || !zip ? reject(new ZipDamaged('压缩包已损坏或被截断')) : resolve(zip),
    ),
  );

/** Every part by its name, lower-cased (part names are case-insensitive in an Office package); refuses more than `max`. */
export async function zipParts(zip: yauzl.ZipFile, max = Infinity): Promise<Map<string, yauzl.Entry>> {
  const parts = new Map<string, yauzl.Entry>();
  let count = 0;
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (e: yauzl.Entry) => {
      if (++count > max) return reject(new ZipTooManyParts(`压缩包内的文件超过 ${max} 个`));
      parts.set(e.fileName.toLowerCase(), e);
      zip.readEntry();
    });
    zip.on('end', () => resolve());
    zip.on('error', () => reject(new ZipDamaged('压缩包目录已损坏')));
    zip.readEntry();
  });
  return parts;
}

export const inflated = (zip: yauzl.ZipFile, entry: yauzl.Entry) =>
  new Promise<Readable>((resolve, reject) =>
    zip.openReadStream(entry, (err, stream) =>
      err || !stream ? reject(new ZipDamaged(`${entry.fileName.slice(0, 80)} 无法解压`)) : resolve(stream),
    ),
  );
