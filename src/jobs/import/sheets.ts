import yauzl from 'yauzl';
import { SourceError, sample } from './sources.js';
import { LegacyReadError, legacyKind, legacySheets } from './legacy.js';

import { chooseSheet } from '../../domain/ledger/sheets.js';

export { chooseSheet, CORRECTIONS_SHEET, type SheetChoice } from '../../domain/ledger/sheets.js';

/**
 * The names of a workbook's visible sheets, in order: for an .xlsx read from xl/workbook.xml
 * without inflating anything else; for an .xls by the sandboxed legacy reader; an HTML table
 * saved as .xls is one sheet.
 */
export async function listSheets(file: string): Promise<string[]> {
  const legacy = legacyKind(sample(file));
  if (legacy === 'markup') return [];
  if (legacy === 'ole') {
    return legacySheets({ file }).catch((err: unknown) => {
      throw err instanceof LegacyReadError ? new SourceError(err.message) : err;
    });
  }
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, autoClose: true }, (err, z) =>
      err || !z ? reject(new SourceError('不是有效的 XLSX 文件（压缩包已损坏或被截断）')) : resolve(z),
    ),
  );
  const xml = await new Promise<string | null>((resolve, reject) => {
    let found = false;
    zip.on('entry', (e: yauzl.Entry) => {
      if (e.fileName !== 'xl/workbook.xml' || e.uncompressedSize > 4 * 1024 ** 2) return zip.readEntry();
      found = true;
      zip.openReadStream(e, (err, stream) => {
        if (err || !stream) return reject(new SourceError('XLSX 文件无法读取：工作簿目录损坏'));
        const parts: Buffer[] = [];
        stream.on('data', (d: Buffer) => parts.push(d));
        stream.on('end', () => {
          zip.close();
          resolve(Buffer.concat(parts).toString('utf8'));
        });
        stream.on('error', () => reject(new SourceError('XLSX 文件无法读取：工作簿目录损坏')));
      });
    });
    zip.on('end', () => !found && resolve(null));
    zip.on('error', () => reject(new SourceError('不是有效的 XLSX 文件（压缩包已损坏）')));
    zip.readEntry();
  });
  if (xml === null) return []; // no directory: opening the file reports what is wrong with it
  const names: string[] = [];
  for (const m of xml.matchAll(/<(?:\w+:)?sheet\b([^>]*)\/?>/g)) {
    const attrs = m[1];
    const name = /\bname="([^"]*)"/.exec(attrs)?.[1];
    if (name === undefined || /\bstate="(hidden|veryHidden)"/.test(attrs)) continue;
    names.push(
      name.replace(
        /&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-f]+);/gi,
        (_, e: string) =>
          ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" })[e.toLowerCase()] ??
          String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)),
      ),
    );
  }
  return names;
}

/**
 * The worksheet a file is read from, by the domain's rule (chooseSheet): null for a CSV, an
 * unreadable file (opening it says what is wrong) or a workbook with one sheet; `ask` when the
 * user must choose. The upload's preview and the import job both decide with this.
 */
export async function pickSheet(
  file: string,
  requested?: string | null,
): Promise<{ sheet: string | null } | { ask: string[]; problem: string }> {
  let names: string[];
  try {
    names = await listSheets(file);
  } catch (err) {
    if (err instanceof SourceError) return { sheet: null };
    throw err;
  }
  // No directory or one sheet, nothing asked: the reader opens the file and says what is wrong with it.
  if (names.length <= 1 && !requested) return { sheet: null };
  const choice = chooseSheet(names, requested);
  return 'sheet' in choice ? { sheet: names.length > 1 ? choice.sheet : null } : choice;
}
