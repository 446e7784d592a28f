import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildXlsx, buildZip } from '../../../test/helpers/zip.js';
import { ZipRefused, guardZip } from './zip-guard.js';
import { DEFAULT_LIMITS, SourceError, openSource } from './sources.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xgz-zip-'));
const write = (name: string, buf: Buffer) => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, buf);
  return f;
};

describe('zip guard: counts the bytes actually inflated, not what the directory says', () => {
  it('reads an honest workbook', async () => {
    const f = write(
      'ok.xlsx',
      buildXlsx([
        ['统一社会信用代码', '名称'],
        ['92320102MA1PX7EB3T', '张三水果店'],
      ]),
    );
    const src = await openSource(f, 'ok.xlsx');
    expect(src.headers).toEqual(['统一社会信用代码', '名称']);
    const rows = [];
    for await (const r of src.rows) rows.push(r.cells);
    expect(rows).toEqual([['92320102MA1PX7EB3T', '张三水果店']]);
  });

  it('refuses a shared string far beyond a cell’s size though the directory claims 1,000 bytes', async () => {
    const huge = `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>${'A'.repeat(20 * 1024 ** 2)}</t></si></sst>`;
    const buf = buildXlsx([['a']], { sharedStrings: huge, declaredSize: 1000 });
    expect(buf.length).toBeLessThan(200_000);
    const f = write('bomb.xlsx', buf);
    await expect(guardZip(f)).rejects.toThrow(/单元格内容或字符串超过/);
    await expect(openSource(f, 'bomb.xlsx')).rejects.toThrow(/单元格内容或字符串超过 256 KB/);
  });

  it('refuses parts that inflate beyond the per-part, shared-strings and total limits, counted while inflating', async () => {
    const many = `<sst>${'<si><t>甲乙丙丁</t></si>'.repeat(400_000)}</sst>`; // ~10 MB of small strings
    const f = write('many.xlsx', buildXlsx([['a']], { sharedStrings: many, declaredSize: 1000 }));
    await expect(guardZip(f, { maxSharedStringsBytes: 5 * 1024 ** 2 })).rejects.toThrow(
      /sharedStrings\.xml 解压后超过 5 MB/,
    );
    await expect(guardZip(f, { maxEntryBytes: 4 * 1024 ** 2 })).rejects.toThrow(/解压后超过 4 MB/);
    await expect(guardZip(f, { maxTotalBytes: 3 * 1024 ** 2 })).rejects.toBeInstanceOf(ZipRefused);
    const ok = await guardZip(f);
    expect(ok.total).toBeGreaterThan(10 * 1024 ** 2);
  });

  it('guards an OpenDocument spreadsheet (.ods) as an .xlsx, before the reader inflates it', async () => {
    const f = write(
      'bomb.ods',
      buildZip([
        { name: 'mimetype', data: 'application/vnd.oasis.opendocument.spreadsheet', stored: true },
        { name: 'content.xml', data: Buffer.alloc(3 * 1024 ** 2, 0x20), declaredSize: 1000 },
      ]),
    );
    await expect(
      openSource(f, 'bomb.ods', { ...DEFAULT_LIMITS, maxUncompressedBytes: 1024 ** 2 }),
    ).rejects.toBeInstanceOf(SourceError);
  });

  it('refuses garbage and truncated archives with a Chinese message', async () => {
    const good = buildXlsx([
      ['a', 'b'],
      ['1', '2'],
    ]);
    await expect(guardZip(write('junk.xlsx', Buffer.from('not a zip at all')))).rejects.toThrow(/不是有效的 XLSX 文件/);
    await expect(guardZip(write('cut.xlsx', good.subarray(0, good.length - 40)))).rejects.toThrow(
      /不是有效的 XLSX 文件/,
    );
  });
});
