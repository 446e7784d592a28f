import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import XLSX from 'xlsx';
import { sql } from 'kysely';
import { BACKENDS } from '../helpers/db.js';
import { clerkProbe, importFile } from '../helpers/imports.js';
import { id } from '../fixtures/extracts/generate.js';

/**
 * An Excel 97-2003 workbook (BIFF8) of one sheet with the given rows and columns hidden (from 1), as
 * Excel saves a list a clerk filtered (筛选 hides the rows) or hid a column of to print. SheetJS
 * writes no row records: each hidden row's record (ROW, 0x0208, fDyZero) goes in after the sheet's
 * DIMENSIONS, where Excel writes them; the sheet's place in the stream is before it, so unchanged.
 */
function xlsHiding(rows: unknown[][], hidden: { rows: number[]; columns: number[] }): Buffer {
  const ws = XLSX.utils.aoa_to_sheet(rows);
  ws['!cols'] = rows[0].map((_, i) => ({ hidden: hidden.columns.includes(i + 1) }));
  const wb = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(wb, ws, '名册');
  const cfb = XLSX.CFB.read(XLSX.write(wb, { bookType: 'biff8', type: 'buffer' }) as Buffer, { type: 'buffer' });
  const stream = Buffer.from(XLSX.CFB.find(cfb, 'Workbook')!.content as Uint8Array);
  let at = 0;
  let afterDimensions = -1;
  while (at < stream.length) {
    const [type, length] = [stream.readUInt16LE(at), stream.readUInt16LE(at + 2)];
    if (type === 0x0200) afterDimensions = at + 4 + length;
    at += 4 + length;
  }
  const rowRecord = (rowNo: number) => {
    const r = Buffer.alloc(20);
    r.writeUInt16LE(0x0208, 0);
    r.writeUInt16LE(16, 2);
    r.writeUInt16LE(rowNo - 1, 4);
    r.writeUInt16LE(rows[rowNo - 1].length, 8);
    r.writeUInt16LE(0xff, 10);
    r.writeUInt16LE(0x0100 | 0x20, 16); // fDyZero: the row is hidden
    r.writeUInt16LE(0x0f, 18);
    return r;
  };
  XLSX.CFB.utils.cfb_add(
    cfb,
    'Workbook',
    Buffer.concat([
      stream.subarray(0, afterDimensions),
      ...hidden.rows.map(rowRecord),
      stream.subarray(afterDimensions),
    ]),
  );
  return Buffer.from(XLSX.CFB.write(cfb, { type: 'buffer' }) as Uint8Array);
}

/**
 * Clerk probe round 20: files as a county's bureau and its stations really export them, not yet
 * covered elsewhere, each previewed and imported through the job, and what lands read back.
 */
describe.each(BACKENDS)('extracts of round 20 on %s', (backend) => {
  const probe = clerkProbe(backend);
  const { clerk, dir, gbkCsv, preview } = probe;

  it("tells the rows and columns an .xls hides, as it does an .xlsx's, before and after they are imported", async () => {
    // A 党委's roster kept as .xls, filtered to 一支部 (二支部's member hidden) and its 联系电话 column
    // hidden to print: both were imported and nothing was said, where an .xlsx's preview and job say so.
    const file = path.join(dir, '筛选后的名册.xls');
    const rows = [
      ['姓名', '公民身份号码', '人员类别', '入党日期', '所在党支部', '联系电话'],
      ['甲二〇', id('320102', '19800401', '011'), '正式党员', '2000-07-01', '一支部', '13912345601'],
      ['乙二〇', id('320102', '19800402', '011'), '正式党员', '2000-07-01', '二支部', '13912345602'],
      ['丙二〇', id('320102', '19800403', '011'), '正式党员', '2000-07-01', '一支部', '13912345603'],
    ];
    fs.writeFileSync(file, xlsHiding(rows, { rows: [3], columns: [6] }));
    const said =
      '第 3 行在 Excel 中是隐藏行，{v}；如不应导入，请在文件中删除后重新上传；列 "联系电话" 在 Excel 中是隐藏列，{v}；如不应导入，请在列对应中改为不导入该列，或在文件中删除后重新上传';
    const p = await preview('roster', file);
    expect(p.format).toBe('xls');
    expect(p.hiddenRows).toBe(said.replaceAll('{v}', '导入时将一并导入'));
    const { job, rejections } = await importFile(probe.t, 'roster', file, clerk);
    expect(rejections).toEqual([]);
    expect(job).toMatchObject({ status: 'done', rows_accepted: 3, footer: said.replaceAll('{v}', '已一并导入') });
  });
  it('tells the rows a web page saved as .xls hides (display:none), before and after they are imported', async () => {
    // The member system's web export, a branch filtered out in Excel and saved again as a web page:
    // the hidden member was imported and nothing was said.
    const tr = (cells: string[], hidden = false) =>
      `<tr${hidden ? " height=0 style='display:none'" : ''}>${cells.map((c) => `<td class=xl65>${c}</td>`).join('')}</tr>`;
    const file = path.join(dir, '网页名册.xls');
    fs.writeFileSync(
      file,
      [
        '<html xmlns:x="urn:schemas-microsoft-com:office:excel"><head>',
        '<meta http-equiv=Content-Type content="text/html; charset=utf-8"></head><body>',
        '<!-- 导出 <tr style="display:none"> -->',
        '<table>',
        tr(['姓名', '公民身份号码', '人员类别', '入党日期', '所在党支部']),
        tr(['午二〇', id('320102', '19800601', '011'), '正式党员', '2000-07-01', '一支部']),
        tr(['未二〇', id('320102', '19800602', '011'), '正式党员', '2000-07-01', '二支部'], true),
        tr(['申二〇', id('320102', '19800603', '011'), '正式党员', '2000-07-01', '一支部']),
        '</table></body></html>',
      ].join('\r\n'),
    );
    const said = '第 3 行在 Excel 中是隐藏行，{v}；如不应导入，请在文件中删除后重新上传';
    const p = await preview('roster', file);
    expect(p.format).toBe('xls');
    expect(p.hiddenRows).toBe(said.replace('{v}', '导入时将一并导入'));
    const { job, rejections } = await importFile(probe.t, 'roster', file, clerk);
    expect(rejections).toEqual([]);
    expect(job).toMatchObject({ status: 'done', rows_accepted: 3, footer: said.replace('{v}', '已一并导入') });
  });
  it("records a roster's 党籍状态 as a 党委's own list words it (组织关系已转出, 已去世, 已停止党籍)", async () => {
    // Each row was refused as 党员状态"组织关系已转出"无法识别 (and so on): the member stayed 正常, on the
    // roll and counted, though the 党委's list says the relation went elsewhere or the member died.
    const member = (name: string, day: string, status: string) =>
      `${name},${id('320102', `198005${day}`, '011')},正式党员,2000-07-01,一支部,${status}`;
    const header = '姓名,公民身份号码,人员类别,入党日期,所在党支部,党籍状态';
    const names = ['子二〇', '丑二〇', '寅二〇', '卯二〇', '辰二〇', '巳二〇'];
    const words = ['组织关系已转出', '组织关系转出', '已去世', '已故', '病故', '已停止党籍'];
    const first = gbkCsv('名册.csv', [header, ...names.map((n, i) => member(n, `0${i + 1}`, '正常'))]);
    expect((await importFile(probe.t, 'roster', first, clerk)).job).toMatchObject({ status: 'done', rows_accepted: 6 });
    const file = gbkCsv('名册（更新）.csv', [header, ...names.map((n, i) => member(n, `0${i + 1}`, words[i]))]);
    const { job, rejections } = await importFile(probe.t, 'roster', file, clerk);
    expect(rejections.map((r) => [r.row_no, r.col, r.reason])).toEqual([]);
    expect(job).toMatchObject({ status: 'done', rows_rejected: 0 });
    const rows = await sql<{ name: string; member_status: string }>`
      SELECT p.name, m.member_status FROM member m JOIN person p ON p.id = m.person_id
      WHERE p.name LIKE '%二〇' AND p.birth_date BETWEEN '1980-05-01' AND '1980-05-31' ORDER BY p.birth_date`.execute(
      probe.t.db,
    );
    expect(rows.rows.map((r) => [r.name, r.member_status])).toEqual([
      ['子二〇', 'transferred_out'],
      ['丑二〇', 'transferred_out'],
      ['寅二〇', 'deceased'],
      ['卯二〇', 'deceased'],
      ['辰二〇', 'deceased'],
      ['巳二〇', 'stopped'],
    ]);
  });
});
