import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/domain/random.js';
import { sql } from 'kysely';
import fs from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import ExcelJS from 'exceljs';
import XLSX from 'xlsx';
import { idNumber, uscc } from '../../src/demo/ledger.js';
import { idCheckChar } from '../../src/domain/identifiers/id-number.js';
import { BACKENDS } from '../helpers/db.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { csvFile, importFile, tmpDir } from '../helpers/imports.js';

const rnd = seededRandom(91);
const WANG = idNumber(rnd, '320102', new Date('1982-04-05'));
/** The sex the number does not say (its 17th digit is odd for men). */
const NOT_WANGS_SEX = Number(WANG[16]) % 2 ? '女' : '男';

/** An ID number ending 000 (what Excel keeps of any 18-digit number), its check digit holding or not. */
function endingIn000(checkHolds: boolean, from = 1): string {
  for (let i = from; ; i++) {
    const first17 = `320102${19700101 + (i % 28)}${Math.floor(i / 28) % 10}00`;
    if ((idCheckChar(first17) === '0') === checkHolds) return `${first17}0`;
  }
}

type Member = { id: number; name: string; idNumber: string | null; orgRelation: string | null; phone: string | null };

/** Later rosters about the same members: a member known only by name stays one record. */
describe.each(BACKENDS)('roster re-imports on %s', (backend) => {
  let t: TestApp;
  let editor: Awaited<ReturnType<TestApp['signIn']>>;
  let importer: { id: number; scopeKey: string };
  const dir = tmpDir();
  const m = (name: string, id: string, birth: string, org: string, phone = '', kind = '正式党员') => ({
    姓名: name,
    公民身份号码: id,
    出生日期: birth,
    人员类别: kind,
    所在党支部: org,
    联系电话: phone,
  });
  const roster = (file: string, rows: Record<string, string>[], encoding: 'utf8' | 'gb18030' = 'utf8') =>
    importFile(t, 'roster', csvFile(dir, file, rows, encoding), importer);
  const members = async () => (await editor.get('/members?pageSize=50')).json().items as Member[];
  /** A table as an .xls of one sheet 名册 (SheetJS writes a cell's format with its number): `formats` by cell reference. */
  const asXls = (name: string, rows: unknown[][], formats: Record<string, string>) => {
    const sheet = XLSX.utils.aoa_to_sheet(rows);
    for (const [ref, z] of Object.entries(formats)) sheet[ref].z = z;
    const book = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(book, sheet, '名册');
    const file = path.join(dir, name);
    XLSX.writeFile(book, file, { bookType: 'biff8' });
    return file;
  };

  beforeAll(async () => {
    t = await testApp(backend);
    const u = await t.user({ roles: ['editor'], jurisdiction: '320102' });
    importer = { id: u.id, scopeKey: '320102' };
    editor = await t.signIn(u);
  });
  afterAll(() => t?.close());

  it('refuses an ID number that is written but unusable, and takes 无 for none', async () => {
    const r = await roster('bad-ids.csv', [
      m('李四', '3.20102E+17', '', '甲支部'),
      m('陈五', '110105194912310021', '', '甲支部'),
      m('周九', '无', '1949-12-31', '甲支部'),
    ]);
    expect(r.job).toMatchObject({ rows_accepted: 1, rows_rejected: 2 });
    expect(r.rejections.map((x) => x.reason)).toEqual([
      expect.stringMatching(/科学计数法/),
      expect.stringMatching(/校验位错误/),
    ]);
  });

  it('keeps a member without a number as one record when they move branch, change phone, and gain a number', async () => {
    await roster('r1.csv', [m('王芳', '', '1982-04-05', '餐饮行业联合党支部', '13911112222')]);
    const [first] = (await members()).filter((x) => x.name === '王芳');
    // Moved branch, new phone.
    await roster('r2.csv', [m('王芳', '', '1982-04-05', '个体劳动者协会党支部', '13933334444')]);
    let wang = (await members()).filter((x) => x.name === '王芳');
    expect(wang).toHaveLength(1);
    expect(wang[0]).toMatchObject({ id: first.id, orgRelation: '个体劳动者协会党支部', phone: '139****4444' });
    // The number becomes known: the same member, now identified.
    const r3 = await roster('r3.csv', [m('王芳', WANG, '', '个体劳动者协会党支部')]);
    expect(r3.job).toMatchObject({ rows_accepted: 1, rows_rejected: 0 });
    wang = (await members()).filter((x) => x.name === '王芳');
    expect(wang).toHaveLength(1);
    expect(wang[0].id).toBe(first.id);
    expect(wang[0].idNumber).toBe(`${WANG.slice(0, 6)}********${WANG.slice(-4)}`);
    // And again with the number: nothing new.
    const r4 = await roster('r4.csv', [m('王芳', WANG, '', '个体劳动者协会党支部')]);
    expect(r4.job).toMatchObject({ rows_accepted: 1, rows_changed: 0 });
    expect((await members()).filter((x) => x.name === '王芳')).toHaveLength(1);
  });

  it('counts a re-imported roster row that changes only the member’s 联系电话 as 变更, with or without a number', async () => {
    const id = idNumber(rnd, '320102', new Date('1979-08-09'));
    const rows = (a: string, b: string) => [m('冯十', id, '', '乙支部', a), m('褚十一', '', '1981-02-03', '乙支部', b)];
    expect((await roster('p1.csv', rows('13911110001', '13911110002'))).job).toMatchObject({ rows_changed: 2 });
    expect((await roster('p2.csv', rows('13911110001', '13911110002'))).job).toMatchObject({ rows_changed: 0 });
    expect((await roster('p3.csv', rows('13911110001', '13911110009'))).job).toMatchObject({ rows_changed: 1 });
    expect((await roster('p4.csv', rows('13911110008', '13911110009'))).job).toMatchObject({ rows_changed: 1 });
    const phones = (await members()).filter((x) => ['冯十', '褚十一'].includes(x.name)).map((x) => x.phone);
    expect(phones.sort()).toEqual(['139****0008', '139****0009']);
  });

  it('reads 出生年月 and 入党时间 typed as numbers as Excel shows them (1980.10 in a two-decimal column), refuses an unclear 1980.1', async () => {
    // A hand-kept roster types 1980.10 into a number cell: Excel keeps 1980.1 and shows 1980.10 only
    // under a two-decimal format. Read bare it was January: 甲十 was stored as born 1980-01, joined 2010-01-01.
    const head = ['姓名', '出生年月', '入党时间', '人员类别', '所在党支部'];
    const rows: [string, number, number][] = [
      ['甲十', 1980.1, 2010.1], // column formatted 0.00: shows 1980.10, 2010.10
      ['甲十一', 1981.1, 2011.07], // General: 1981.1 may have been typed 1981.10
      ['甲十二', 1982.03, 2012.11], // General, unambiguous
    ];
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('名册');
    ws.addRow(head);
    for (const [name, birth, join] of rows) ws.addRow([name, birth, join, '正式党员', '戊支部']);
    for (const c of [2, 3]) ws.getRow(2).getCell(c).numFmt = '0.00_ '; // Chinese Excel's 数值, two decimals
    const xlsx = path.join(dir, 'months.xlsx');
    await wb.xlsx.writeFile(xlsx);
    // The same in an .xls (SheetJS writes the format with the number).
    const xls = asXls('months.xls', [head, ...rows.map(([n, b, j]) => [n, b, j, '正式党员', '戊支部'])], {
      B2: '0.00',
      C2: '0.00',
    });
    for (const file of [xlsx, xls]) {
      const r = await importFile(t, 'roster', file, importer);
      expect(r.job).toMatchObject({ rows_accepted: 2, rows_rejected: 1 });
      expect(r.rejections.map((x) => [x.row_no, x.col, x.reason])).toEqual([
        [
          3,
          '出生年月',
          '是数字 1981.1：Excel 把 1981.10（10 月）也存成 1981.1，无法确定是 1 月还是 10 月。请把该列设置为"文本"格式后写作 1981.01 或 1981.10（或写成 1981-10）重新上传',
        ],
      ]);
      const got = (await members()) as (Member & { birthDate: string | null; joinDate: string | null })[];
      expect(
        got
          .filter((x) => x.name.startsWith('甲十'))
          .map((x) => [x.name, x.birthDate, x.joinDate])
          .sort(),
      ).toEqual([
        ['甲十', '1980-10', '2010-10-01'],
        ['甲十二', '1982-03', '2012-11-01'],
      ]);
    }
  });

  it('refuses a CSV month written 1980.1 (Excel saves 1980.10 typed as a number so), naming row and column; 1980.10 is October', async () => {
    const r = await roster('csv-months.csv', [
      { 姓名: '乙十', 出生年月: '1980.10', 入党时间: '2010.1', 人员类别: '正式党员', 所在党支部: '戊支部' },
      { 姓名: '乙十一', 出生年月: '1981.03', 入党时间: '2011.07', 人员类别: '正式党员', 所在党支部: '戊支部' },
    ]);
    expect(r.job).toMatchObject({ rows_accepted: 1, rows_rejected: 1 });
    expect(r.rejections.map((x) => [x.row_no, x.col, x.reason])).toEqual([
      [
        2,
        '入党时间',
        '是 2010.1：从 Excel 另存的 CSV 中，数字 2010.10（10 月）也写作 2010.1，无法确定是 1 月还是 10 月。请写作 2010.01 或 2010.10（或写成 2010-10）后重新上传',
      ],
    ]);
    const got = (await members()) as (Member & { birthDate: string | null; joinDate: string | null })[];
    expect(got.filter((x) => x.name.startsWith('乙十')).map((x) => [x.name, x.birthDate, x.joinDate])).toEqual([
      ['乙十一', '1981-03', '2011-07-01'],
    ]);
  });

  it('refuses an ID number typed into a number cell (format "0"), saying Excel kept 15 significant digits, naming row and column', async () => {
    const id = idNumber(rnd, '320102', new Date('1979-08-09'));
    const head = ['姓名', '公民身份号码', '人员类别', '所在党支部'];
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('名册');
    ws.addRow(head);
    ws.addRow(['乙二十', Number(id.replace(/X$/, '0')), '正式党员', '戊支部']);
    ws.getCell('B2').numFmt = '0';
    const xlsx = path.join(dir, 'id-number-cell.xlsx');
    await wb.xlsx.writeFile(xlsx);
    const xls = asXls('id-number-cell.xls', [head, ['乙二十', Number(id.replace(/X$/, '0')), '正式党员', '戊支部']], {
      B2: '0',
    });
    for (const file of [xlsx, xls]) {
      const r = await importFile(t, 'roster', file, importer);
      expect(r.job).toMatchObject({ rows_accepted: 0, rows_rejected: 1 });
      expect(r.rejections.map((x) => [x.row_no, x.col, x.reason])).toEqual([
        [
          2,
          '公民身份号码',
          '身份证号是科学计数法（如 3.2E+17）：数字格式的身份证号只保留15位有效数字，末几位已丢失，请将该列设为文本后重新填写',
        ],
      ]);
    }
  });

  it('reads a 出生年月 date cell showing the month only (1980年3月, 1981.05) as that month, not as the 1st', async () => {
    // Typed 1980-3, a Chinese Excel stores 1980-03-01 shown as 1980年3月. Read as the 1st, the row of a
    // member born 1980-03-15 was refused (出生日期 contradicts the ID number); one without a number got
    // a made-up exact birth date.
    const serial = (d: string) => (Date.parse(d) - Date.UTC(1899, 11, 30)) / 86_400_000;
    const id = idNumber(rnd, '320102', new Date('1980-03-15'));
    const head = ['姓名', '公民身份号码', '出生年月', '入党时间', '人员类别', '所在党支部'];
    const rows: [string, string, string, string][] = [
      ['甲二十', id, '1980-03-01', 'yyyy"年"m"月"'],
      ['甲二十一', '', '1981-05-01', 'yyyy.mm'],
      ['甲二十二', '', '1982-06-18', 'yyyy.mm'], // a day that is not the 1st was typed: it stays
    ];
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('名册');
    ws.addRow(head);
    for (const [name, no, birth, fmt] of rows) {
      const row = ws.addRow([
        name,
        no,
        new Date(`${birth}T00:00:00Z`),
        new Date('2005-07-01T00:00:00Z'),
        '正式党员',
        '己支部',
      ]);
      row.getCell(3).numFmt = fmt;
      row.getCell(4).numFmt = 'yyyy.mm';
    }
    const xlsx = path.join(dir, 'birth-months.xlsx');
    await wb.xlsx.writeFile(xlsx);
    const xls = asXls(
      'birth-months.xls',
      [head, ...rows.map(([name, no, birth]) => [name, no, serial(birth), serial('2005-07-01'), '正式党员', '己支部'])],
      Object.fromEntries(
        rows.flatMap(([, , , fmt], i) => [
          [`C${i + 2}`, fmt],
          [`D${i + 2}`, 'yyyy.mm'],
        ]),
      ),
    );
    for (const file of [xlsx, xls]) {
      const r = await importFile(t, 'roster', file, importer);
      expect(r.rejections).toEqual([]);
      expect(r.job).toMatchObject({ rows_accepted: 3 });
      const got = (await members()) as (Member & { birthDate: string | null; joinDate: string | null })[];
      const of = (name: string) => got.find((x) => x.name === name);
      expect([of('甲二十一')?.birthDate, of('甲二十二')?.birthDate]).toEqual(['1981-05', '1982-06-18']);
      expect(of('甲二十')?.joinDate).toBe('2005-07-01');
    }
  });

  it("refuses Excel's error values pasted as data (#N/A, #REF!), in a workbook or a CSV, naming row and column", async () => {
    // A VLOOKUP that found nothing, pasted as values: a member named #REF! and a branch named #N/A were stored.
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('名册');
    ws.addRow(['姓名', '出生日期', '人员类别', '所在党支部', '工作单位']);
    ws.addRow(['丁一', '1980-01-02', '正式党员', { error: '#N/A' }, '甲公司']);
    ws.addRow([{ error: '#REF!' }, '1980-01-03', '正式党员', '庚支部', '甲公司']);
    ws.addRow(['丁三', '1980-01-04', '正式党员', '庚支部', '甲公司']);
    const xlsx = path.join(dir, 'errors.xlsx');
    await wb.xlsx.writeFile(xlsx);
    const csv = csvFile(dir, 'errors.csv', [
      { 姓名: '丁一', 出生日期: '1980-01-02', 人员类别: '正式党员', 所在党支部: '#N/A', 工作单位: '甲公司' },
      { 姓名: '#REF!', 出生日期: '1980-01-03', 人员类别: '正式党员', 所在党支部: '庚支部', 工作单位: '甲公司' },
      { 姓名: '丁三', 出生日期: '1980-01-04', 人员类别: '正式党员', 所在党支部: '庚支部', 工作单位: '甲公司' },
    ]);
    for (const file of [xlsx, csv]) {
      const r = await importFile(t, 'roster', file, importer);
      expect(r.job).toMatchObject({ rows_accepted: 1, rows_rejected: 2 });
      expect(r.rejections.map((x) => [x.row_no, x.col, x.reason])).toEqual([
        [2, '所在党支部', expect.stringMatching(/^是 Excel 的错误值 #N\/A（公式出错的结果/)],
        [3, '姓名', expect.stringMatching(/^是 Excel 的错误值 #REF!/)],
      ]);
    }
    const names = (await members()).map((x) => x.name);
    expect(names).toContain('丁三');
    expect(names).not.toContain('#REF!');
    expect((await members()).map((x) => x.orgRelation)).not.toContain('#N/A');
  });

  it('refuses a member whose name lost a rare character to a GBK CSV (吴?), not a member 吴? beside the real one', async () => {
    const r = await roster(
      'lost-character.csv',
      [m('吴?', '', '1985-05-06', '第一支部'), m('郑？明', '', '1986-06-07', '第一支部')],
      'gb18030',
    );
    // The file is GB18030 as Excel saved it, not UTF-8 (the helper wrote UTF-8 until round 10).
    const bytes = fs.readFileSync(path.join(dir, 'lost-character.csv'));
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
    expect(bytes.includes(iconv.encode('郑？明', 'gb18030'))).toBe(true);
    expect(r.job).toMatchObject({ rows_accepted: 0, rows_rejected: 2 });
    expect(r.rejections.map((x) => [x.col, x.reason])).toEqual([
      ['姓名', expect.stringMatching(/^姓名"吴\?"含问号：多为生僻字/)],
      ['姓名', expect.stringMatching(/^姓名"郑？明"含问号：多为生僻字/)],
    ]);
  });

  it('skips the title above each branch of a roster exported branch by branch, and says which rows', async () => {
    const blank = { 姓名: '', 公民身份号码: '', 出生日期: '', 人员类别: '', 所在党支部: '', 联系电话: '' };
    const r = await roster('by-branch.csv', [
      { ...blank, 姓名: '中共玄武区个体劳动者协会第一支部委员会（共 1 人）' },
      m('蒋十二', '', '1983-03-04', '第一支部'),
      { ...blank, 姓名: '小计' },
      { ...blank, 所在党支部: '第二支部' },
      m('沈十三', '', '1984-04-05', '第二支部'),
      { ...blank, 姓名: '韩十四' },
    ]);
    expect(r.job).toMatchObject({ rows_read: 3, rows_accepted: 2, rows_rejected: 1 });
    expect(r.rejections.map((x) => x.row_no)).toEqual([7]); // a name alone is data, refused for what it lacks
    expect(r.job.footer).toBe(
      '分组标题 3 行不是数据，未导入：第 2 行"中共玄武区个体劳动者协会第一支部委员会（共 1 人）"、第 4 行"小计"、第 5 行"第二支部"',
    );
  });

  it('skips a repeat of the header (a file stitched from pages) and the 汇总 row under a table, and says which rows', async () => {
    // Each was refused as data: 出生日期"出生日期"不是有效日期, and 汇总 as a member without a name.
    const head = ['序号', '姓名', '出生日期', '人员类别', '所在党支部'];
    const lines = [
      head,
      ['1', '戊一', '1980-01-02', '正式党员', '辛支部'],
      ['2', '戊二', '1980-01-03', '正式党员', '辛支部'],
      head,
      ['3', '戊三', '1980-01-04', '正式党员', '辛支部'],
      ['汇总', '', '', '', '3'],
    ];
    const file = path.join(dir, 'pages.csv');
    fs.writeFileSync(file, lines.map((r) => r.join(',')).join('\r\n') + '\r\n');
    const r = await importFile(t, 'roster', file, importer);
    expect(r.rejections).toEqual([]);
    expect(r.job).toMatchObject({ rows_read: 3, rows_accepted: 3 });
    expect(r.job.footer).toBe('重复的表头 1 行不是数据，未导入：第 4 行；表尾 1 行不是数据，未导入：第 6 行"汇总 3"');
  });

  it('keeps the mobile of a 联系电话 as the registry reads it, refuses no phone, and says which values it did not store', async () => {
    const r = await roster('phones.csv', [
      m('郑一', '', '1970-01-01', '乙支部', '0512-6523456转801/13912340001'),
      m('郑二', '', '1970-01-02', '乙支部', '13912340002（微信同号）'),
      m('郑三', '', '1970-01-03', '乙支部', '13912340003；025-84561234'),
      m('郑四', '', '1970-01-04', '乙支部', '025-84561234'),
      m('郑五', '', '1970-01-05', '乙支部', '(025)84561234'),
      m('郑六', '', '1970-01-06', '乙支部', '1391234567'),
      m('郑七', '', '1970-01-07', '乙支部', '139****0007'),
      m('郑八', '320102********1234', '1970-01-08', '乙支部'),
    ]);
    expect(r.job).toMatchObject({ rows_accepted: 6, rows_rejected: 2 });
    expect(r.rejections).toMatchObject([
      { row_no: 7, col: '联系电话', reason: expect.stringMatching(/^联系电话应为手机号/) },
      { row_no: 9, col: '公民身份号码', reason: '身份证号已被脱敏（含 *），无法识别此人，请使用未脱敏的名册' },
    ]);
    const phones = Object.fromEntries(
      (await members()).filter((x) => x.name.startsWith('郑')).map((x) => [x.name, x.phone]),
    );
    expect(phones).toEqual({
      郑一: '139****0001',
      郑二: '139****0002',
      郑三: '139****0003',
      郑四: null,
      郑五: null,
      郑七: null,
    });
    expect(r.job.withheld).toBe(
      '列"联系电话"：2 个值是固定电话，未保存（比对党员只用手机号）；列"联系电话"：1 个值已脱敏（含 *），未保存',
    );
  });

  it('refuses every number of a column Excel cut (ending 000), even one whose check digit holds by chance; a genuine one alone imports', async () => {
    const lucky = endingIn000(true);
    const r = await roster('excel-cut.csv', [
      m('吴一', lucky, '', '丙支部'),
      m('吴二', endingIn000(false), '', '丙支部'),
      m('吴三', endingIn000(false, 40), '', '丙支部'),
    ]);
    expect(r.job).toMatchObject({ rows_accepted: 0, rows_rejected: 3 });
    expect(r.rejections.map((x) => [x.col, x.reason])).toEqual([
      [
        '公民身份号码',
        '身份证号末三位为 000（本列多个号码如此）：数字格式的身份证号只保留15位有效数字，末几位已丢失，请将该列设为文本后重新填写',
      ],
      [
        '公民身份号码',
        '身份证号末三位为 000：数字格式的身份证号只保留15位有效数字，末几位已丢失，请将该列设为文本后重新填写',
      ],
      [
        '公民身份号码',
        '身份证号末三位为 000：数字格式的身份证号只保留15位有效数字，末几位已丢失，请将该列设为文本后重新填写',
      ],
    ]);
    const alone = await roster('genuine-000.csv', [
      m('吴一', lucky, '', '丙支部'),
      ...Array.from({ length: 9 }, (_, i) =>
        m(`冯${i}`, idNumber(rnd, '320102', new Date(1980, 0, i + 1)), '', '丙支部'),
      ),
    ]);
    expect(alone.job).toMatchObject({ rows_accepted: 10, rows_rejected: 0 });
  });

  it('refuses a row that contradicts itself, naming both facts', async () => {
    const r = await roster(
      'contradictions.csv',
      [
        { ...m('赵六', WANG, '', '甲支部'), 性别: NOT_WANGS_SEX },
        m('钱七', '', '1995-01-01', '甲支部'),
        { ...m('孙八', '', '1980-01-01', '甲支部', '', '预备党员'), 转正日期: '2024-07-01' },
      ].map((row, i) =>
        i === 1 ? { ...row, 入党日期: '2005-07-01' } : { 性别: '', 入党日期: '', 转正日期: '', ...row },
      ),
    );
    expect(r.job).toMatchObject({ rows_accepted: 0, rows_rejected: 3 });
    expect(r.rejections.map((x) => x.reason)).toEqual([
      `性别"${NOT_WANGS_SEX}"与身份证号不符（身份证号为${NOT_WANGS_SEX === '男' ? '女' : '男'}性）`,
      expect.stringMatching(/入党日期 2005-07-01 时未满 18 周岁/),
      expect.stringMatching(/人员类别为预备党员，却填写了转正日期/),
    ]);
  });
  it('keeps a birth month (出生年月 1980.03) and links the member to the namesake born in it', async () => {
    const rep = idNumber(rnd, '320102', new Date('1980-03-17'));
    const code = uscc(rnd, 'enterprise', '320102');
    const registry = await importFile(
      t,
      'registry',
      csvFile(dir, 'month-registry.csv', [
        {
          统一社会信用代码: code,
          名称: '月华商贸有限公司',
          主体类型: '企业',
          所属县区代码: '320102',
          法定代表人: '韩月华',
          法定代表人身份证号: rep,
        },
      ]),
      importer,
    );
    expect(registry.job).toMatchObject({ rows_accepted: 1 });
    const r = await roster('month.csv', [{ ...m('韩月华', '', '', '丁支部'), 出生日期: '1980.03' }]);
    expect(r.job).toMatchObject({ rows_accepted: 1, rows_rejected: 0 });
    const [han] = (await members()).filter((x) => x.name === '韩月华') as (Member & { birthDate: string | null })[];
    expect(han.birthDate).toBe('1980-03');
    const run = await editor.post('/discovery/runs');
    expect(run.statusCode).toBe(202);
    await Promise.all(t.app.discoveryRuns);
    const links = (
      await sql<{ method: string; levels: Record<string, string> }>`
        SELECT l.method, l.levels FROM member_link l WHERE l.member_id = ${han.id}`.execute(t.db)
    ).rows;
    expect(links).toEqual([
      { method: 'probabilistic', levels: expect.objectContaining({ name: 'exact', birthDate: 'month' }) },
    ]);
    // Linked to a role whose ID number is shown masked, the month is withheld: the two would rebuild the number (round-5 probe).
    expect(
      ((await members()).find((x) => x.name === '韩月华') as Member & { birthDate: string | null }).birthDate,
    ).toBeNull();
  });
});
