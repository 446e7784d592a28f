import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import XLSX from 'xlsx';
import { afterAll, describe, expect, it } from 'vitest';
import { openSource, SourceError, type Source } from './sources.js';
import { listSheets, pickSheet } from './sheets.js';

/** Legacy workbooks: .xls read by the sandboxed reader, HTML tables saved as .xls, and what is refused. */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xgz-legacy-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const file = (name: string, data: Buffer | string) => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, data);
  return f;
};
const rows = async (s: Source) => {
  const out: string[][] = [];
  for await (const r of s.rows) out.push(r.cells);
  return out;
};

/** An .xls as SheetJS writes it (BIFF8): its sheets in order, hidden ones marked. */
function xls(sheets: { name: string; rows: unknown[][]; hidden?: boolean }[]): Buffer {
  const wb = XLSX.utils.book_new();
  for (const sh of sheets) XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(sh.rows), sh.name);
  wb.Workbook = { Sheets: sheets.map((sh) => (sh.hidden ? { Hidden: 1 } : {})) };
  return XLSX.write(wb, { type: 'buffer', bookType: 'biff8' }) as Buffer;
}

const COMPANY = [
  ['统一社会信用代码', '企业名称'],
  ['91320102MA1W8K3T4X', '甲公司'],
];
const twoSheets = () =>
  xls([
    { name: '说明', rows: [['说明'], ['本表由登记系统导出']] },
    { name: '企业', rows: COMPANY },
    { name: '隐藏页', rows: [['隐藏']], hidden: true },
  ]);

describe('legacy workbooks', () => {
  it('lists an .xls workbook’s visible sheets and reads the one asked for', async () => {
    const f = file('两页.xls', twoSheets());
    expect(await listSheets(f)).toEqual(['说明', '企业']);
    expect(await pickSheet(f)).toEqual({ sheet: '企业' }); // 说明 is a note, the hidden sheet is not offered
    const s = await openSource(f, '两页.xls', undefined, undefined, '企业');
    expect(s.format).toBe('xls');
    expect(s.headers).toEqual(['统一社会信用代码', '企业名称']);
    expect(await rows(s)).toEqual([['91320102MA1W8K3T4X', '甲公司']]);
    expect(s.bytesRead()).toBe(fs.statSync(f).size);
  });

  it("takes the one sheet with data when the others are blank (Excel's Sheet1 and Sheet3 beside the data's Sheet2, as .xls and WPS .et)", async () => {
    const book = xls([
      { name: 'Sheet1', rows: [] },
      { name: 'Sheet2', rows: [['个体工商户名册'], [], ...COMPANY] },
      { name: 'Sheet3', rows: [] },
    ]);
    for (const name of ['空表在前.xls', '空表在前.et'])
      expect(await pickSheet(file(name, book))).toEqual({ sheet: 'Sheet2' });
    // Two sheets with data still ask.
    const two = xls([
      { name: 'Sheet1', rows: COMPANY },
      { name: 'Sheet2', rows: COMPANY },
    ]);
    expect(await pickSheet(file('两页数据.xls', two))).toMatchObject({ ask: ['Sheet1', 'Sheet2'] });
  });

  it('reads the first sheet the user can see when none is named', async () => {
    const f = file(
      '隐藏在前.xls',
      xls([
        { name: '字典', rows: [['代码表'], ['01']], hidden: true },
        { name: '企业', rows: COMPANY },
      ]),
    );
    expect(await pickSheet(f)).toEqual({ sheet: null });
    const s = await openSource(f, '隐藏在前.xls');
    expect(s.headers).toEqual(['统一社会信用代码', '企业名称']);
    expect(await rows(s)).toEqual([['91320102MA1W8K3T4X', '甲公司']]);
  });

  it('takes a date in a Chinese built-in format (numFmtId 31: 2024年1月1日) for the date it shows', async () => {
    XLSX.SSF.load('yyyy"年"m"月"d"日"', 31); // so that the writer here uses the built-in id, as a Chinese Excel does
    const ws = XLSX.utils.aoa_to_sheet([
      ['统一社会信用代码', '成立日期'],
      ['91320102MA1W8K3T4X', 45292],
    ]);
    ws.B2.z = 'yyyy"年"m"月"d"日"';
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, ws, '企业');
    const f = file('日期.xls', XLSX.write(wb, { type: 'buffer', bookType: 'biff8' }) as Buffer);
    expect(await rows(await openSource(f, '日期.xls'))).toEqual([['91320102MA1W8K3T4X', '2024-01-01']]);
  });

  it('counts dates from 1904 in a workbook saved so (Excel for Mac)', async () => {
    const ws = XLSX.utils.aoa_to_sheet([
      ['统一社会信用代码', '成立日期'],
      ['91320102MA1W8K3T4X', 45292 - 1462],
    ]);
    ws.B2.z = 'yyyy-mm-dd';
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, ws, '企业');
    wb.Workbook = { WBProps: { date1904: true } };
    const f = file('1904.xls', XLSX.write(wb, { type: 'buffer', bookType: 'biff8' }) as Buffer);
    expect(await rows(await openSource(f, '1904.xls'))).toEqual([['91320102MA1W8K3T4X', '2024-01-01']]);
  });

  it('takes a formula cell for its saved result (Excel 2003 XML saved as .xls keeps formulas)', async () => {
    const ws = XLSX.utils.aoa_to_sheet([['企业名称', '从业人数']]);
    ws.A2 = { t: 's', v: '甲公司', f: 'CONCATENATE("甲","公司")' };
    ws.B2 = { t: 'n', v: 3, f: '1+2' };
    ws['!ref'] = 'A1:B2';
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, ws, '企业');
    const f = file('公式.xls', XLSX.write(wb, { type: 'buffer', bookType: 'xlml' }) as Buffer);
    expect(await rows(await openSource(f, '公式.xls'))).toEqual([['甲公司', '3']]);
    // Excel's "XML 电子表格 2003" keeps its own extension.
    const xml = file('公式.xml', fs.readFileSync(f));
    expect(await rows(await openSource(xml, '公式.xml'))).toEqual([['甲公司', '3']]);
  });

  it("reads an Excel 2003 XML number cell holding every digit of an ID number as those digits (a system's export)", async () => {
    const row = (...cells: string[]) => `<Row>${cells.join('')}</Row>`;
    const text = (v: string) => `<Cell><Data ss:Type="String">${v}</Data></Cell>`;
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<?mso-application progid="Excel.Sheet"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">
<Styles><Style ss:ID="s1"><NumberFormat ss:Format="0"/></Style></Styles>
<Worksheet ss:Name="党员"><Table>
${row(text('姓名'), text('公民身份号码'), text('注册号'))}
${row(text('周一'), '<Cell ss:StyleID="s1"><Data ss:Type="Number">320102197705061234</Data></Cell>', '<Cell><Data ss:Type="Number">320102600012345</Data></Cell>')}
${row(text('吴二'), '<ss:Cell><ss:Data ss:Type="Number"> 32010219800101456X </ss:Data></ss:Cell>')}
${row(text('郑三'), '<Cell><Data ss:Type="Number">3.20102197705061E+17</Data></Cell>')}
${row(text('王四'), '<Cell><Data ss:Type="Number">320102197705061000</Data></Cell>')}
</Table></Worksheet></Workbook>`;
    expect(await rows(await openSource(file('党员.xls', xml), '党员.xls'))).toEqual([
      ['周一', '320102197705061234', '320102600012345'],
      ['吴二', ' 32010219800101456X '], // written as a number too, by the same system: it was NaN
      // What Excel itself saved: a number that has lost its digits is still one (refused where it is read).
      ['郑三', '3.20102197705061E+17'],
      ['王四', '3.20102197705061E+17'],
    ]);
  });

  it('reads a number cell of a sheet Excel saved as a web page as its number, not the digits its format made up', async () => {
    const html = `<html xmlns:x="urn:schemas-microsoft-com:office:excel"><head><meta charset="utf-8"></head><body><table>
<tr><td>姓名</td><td>公民身份号码</td></tr>
<tr><td>周一</td><td class=xl65 x:num="3.20102197705017E+17">320102197705017000</td></tr>
<tr><td>吴二</td><td x:num>320102198001014567</td></tr>
<tr><td>郑三</td><td x:num="320102197705061234">320102197705061234</td></tr>
</table></body></html>`;
    expect(await rows(await openSource(file('网页.xls', html), '网页.xls'))).toEqual([
      // 320102197705017000 is a valid ID number (its check digit holds): it was stored, for someone else's.
      ['周一', '3.20102197705017E+17'],
      // The digits are the file's own where no number in scientific form stands beside them.
      ['吴二', '320102198001014567'],
      ['郑三', '320102197705061234'],
    ]);
  });

  it('refuses XML or a web page that holds no table, instead of reading its tags as CSV', async () => {
    const f = file('配置.xml', '<?xml version="1.0" encoding="UTF-8"?>\n<config><item>名称,住所</item></config>');
    await expect(openSource(f, '配置.xml')).rejects.toThrow(/不是 Excel 的"XML 电子表格 2003"/);
  });

  it('reads merged cells as the sheet shows them (a branch merged over its members)', async () => {
    const ws = XLSX.utils.aoa_to_sheet([
      ['姓名', '所在党支部'],
      ['周一', '第一党支部'],
      ['吴二', ''],
      ['郑三', '第二党支部'],
    ]);
    ws['!merges'] = [{ s: { r: 1, c: 1 }, e: { r: 2, c: 1 } }];
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, ws, '名册');
    const f = file('合并.xls', XLSX.write(wb, { type: 'buffer', bookType: 'biff8' }) as Buffer);
    expect(await rows(await openSource(f, '合并.xls'))).toEqual([
      ['周一', '第一党支部'],
      ['吴二', '第一党支部'],
      ['郑三', '第二党支部'],
    ]);
  });

  it('names a sheet the workbook does not have', async () => {
    const f = file('两页2.xls', twoSheets());
    await expect(openSource(f, '两页2.xls', undefined, undefined, '个体')).rejects.toThrow(
      '工作簿中没有名为"个体"的工作表',
    );
  });

  it('reads an HTML table saved as .xls in the charset it declares, cells as written', async () => {
    const html =
      '<html><head><meta charset="utf-8"></head><body><table><tr><th>姓名</th><th>公民身份号码</th><th>入党日期</th></tr><tr><td>周一</td><td>320102198808081317</td><td>2010/7/1</td></tr></table></body></html>';
    const s = await openSource(file('名册.xls', html), '名册.xls');
    expect(s.headers).toEqual(['姓名', '公民身份号码', '入党日期']);
    expect(await rows(s)).toEqual([['周一', '320102198808081317', '2010/7/1']]);
  });

  it('refuses a damaged .xls in Chinese, and one that takes too long', async () => {
    const damaged = file(
      '坏.xls',
      Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(600, 7)]),
    );
    const err = await openSource(damaged, '坏.xls').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as Error).message).toMatch(/XLS 文件无法读取/);
    process.env.XGZ_IMPORT_XLS_TIMEOUT_MS = '1';
    try {
      await expect(openSource(file('慢.xls', twoSheets()), '慢.xls', undefined, undefined, '企业')).rejects.toThrow(
        /读取超过 1 秒仍未完成/,
      );
    } finally {
      delete process.env.XGZ_IMPORT_XLS_TIMEOUT_MS;
    }
  });

  it('goes by the content whatever the name: an .xls or a password-protected workbook saved as .xlsx', async () => {
    const asXlsx = file('其实是xls.xlsx', twoSheets());
    const s = await openSource(asXlsx, '其实是xls.xlsx', undefined, undefined, '企业');
    expect(s.format).toBe('xls');
    expect(await rows(s)).toEqual([['91320102MA1W8K3T4X', '甲公司']]);
    // Office wraps an encrypted .xlsx in an OLE2 file holding EncryptionInfo and EncryptedPackage.
    const cfb = XLSX.CFB.utils.cfb_new();
    XLSX.CFB.utils.cfb_add(cfb, '/EncryptionInfo', Buffer.from([4, 0, 4, 0, 0x40, 0, 0, 0]));
    XLSX.CFB.utils.cfb_add(cfb, '/EncryptedPackage', Buffer.alloc(64, 1));
    const locked = Buffer.from(XLSX.CFB.write(cfb, { type: 'buffer' }) as Uint8Array);
    for (const name of ['加密.xlsx', '加密.xls'])
      await expect(openSource(file(name, locked), name)).rejects.toThrow(/文件有密码保护/);
  });

  it('reads an .ods whose zip does not open with its mimetype entry (as SheetJS writes it)', async () => {
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(COMPANY), '企业');
    const ods = XLSX.write(wb, { type: 'buffer', bookType: 'ods' }) as Buffer;
    expect(ods.subarray(30, 38).toString('latin1')).not.toBe('mimetype');
    const f = file('表.ods', ods);
    expect(await listSheets(f)).toEqual(['企业']);
    const s = await openSource(f, '表.ods');
    expect(s.format).toBe('ods');
    expect(await rows(s)).toEqual([['91320102MA1W8K3T4X', '甲公司']]);
  });
});
