import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { dataRows, openSource, type TitleRow } from './sources.js';
import { headerScore } from './templates.js';

/** Excel's and WPS's text exports, as a clerk saves them: tab-separated .txt, in UTF-16 ("Unicode 文本") or GBK. */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xgz-text-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const read = async (name: string, bytes: Buffer) => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, bytes);
  const s = await openSource(f, name, undefined, (c) => (c.includes('名称') ? 9 : 0));
  const rows: { rowNo: number; cells: string[]; bad?: unknown }[] = [];
  for await (const r of s.rows) rows.push(r);
  return { encoding: s.encoding, headers: s.headers, headerRowNo: s.headerRowNo, rows };
};
const utf16le = (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text, 'utf16le')]);

const lines = [
  '统一社会信用代码\t名称\t住所\t备注',
  '92320102MA1PX7EB3T\t上海路张三水果店\t"长江路 1 号\t(后门)"\t"含""引号""的说明"',
  '92320102MA1PX7EB4R\t李四超市\t中山路 2 号\t',
].join('\r\n');

describe('text exports', () => {
  it('reads "Unicode 文本" (UTF-16 with BOM, tab-separated), quoted fields as Excel writes them', async () => {
    const r = await read('名册.txt', utf16le(`${lines}\r\n`));
    expect(r.encoding).toBe('utf16le');
    expect(r.headers).toEqual(['统一社会信用代码', '名称', '住所', '备注']);
    expect(r.rows.map((x) => x.cells)).toEqual([
      ['92320102MA1PX7EB3T', '上海路张三水果店', '长江路 1 号\t(后门)', '含"引号"的说明'],
      ['92320102MA1PX7EB4R', '李四超市', '中山路 2 号', ''],
    ]);
    expect(r.rows.every((x) => x.bad === undefined)).toBe(true);
  });

  it('reads a GBK tab-separated .txt, and a wide row is not taken for one over-long field', async () => {
    const wide = Array.from({ length: 60 }, (_, i) => `第${i}列`);
    const row = Array.from(
      { length: 60 },
      () => '某某某某某某某某某某某某某某某某某某某某某某某某某某某某某某某某某某某某某某',
    );
    row[0] = '92320102MA1PX7EB3T';
    row[1] = '王五面馆';
    wide[1] = '名称';
    const text = `${wide.join('\t')}\r\n${row.join('\t')}\r\n`;
    expect(Buffer.byteLength(row.join('\t'))).toBeGreaterThan(4096);
    const r = await read('宽表.txt', iconv.encode(text, 'gbk'));
    expect(r.encoding).toBe('gb18030');
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0].bad).toBeUndefined();
    expect(r.rows[0].cells).toEqual(row);
  });

  it('still refuses an over-long field in UTF-16, naming the row', async () => {
    const r = await read('长.txt', utf16le(`统一社会信用代码\t名称\r\n92320102MA1PX7EB3T\t${'长'.repeat(5000)}\r\n`));
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0]).toMatchObject({ rowNo: 2, bad: [{ index: 1 }] });
  });

  it('takes ="…" cells (how systems keep an ID number as text in Excel) for their text, quoted or not', async () => {
    const r = await read(
      '防科学计数法.csv',
      Buffer.from(
        [
          '统一社会信用代码,名称,经营者身份证号,备注',
          '="92320102MA1PX7EB3T",张三水果店,="320102198001011234",="说""明"""',
          '"=""92320102MA1PX7EB4R""",李四超市,"=""32010219800101123X""",= "x" + 1',
        ].join('\r\n'),
      ),
    );
    expect(r.rows.map((x) => x.cells)).toEqual([
      ['92320102MA1PX7EB3T', '张三水果店', '320102198001011234', '说"明"'],
      ['92320102MA1PX7EB4R', '李四超市', '32010219800101123X', '= "x" + 1'],
    ]);
  });

  it("takes cells behind Excel's text mark (a leading apostrophe) for their text", async () => {
    const r = await read(
      '撇号.csv',
      Buffer.from(
        ['统一社会信用代码,名称,成立日期,从业人数', "'92320102MA1PX7EB3T,'张三水果店,'2019-05-01,'12"].join('\r\n'),
      ),
    );
    expect(r.rows.map((x) => x.cells)).toEqual([['92320102MA1PX7EB3T', '张三水果店', '2019-05-01', '12']]);
  });

  it('keeps commas for a CSV whose text holds a tab or two', async () => {
    const r = await read(
      'a.csv',
      Buffer.from('统一社会信用代码,名称,住所\n92320102MA1PX7EB3T,张三\t水果店,长江路 1 号\n'),
    );
    expect(r.rows.map((x) => x.cells)).toEqual([['92320102MA1PX7EB3T', '张三\t水果店', '长江路 1 号']]);
  });

  it("reads semicolon and vertical-bar exports, and Excel's sep= line, by the delimiter that splits every row alike", async () => {
    const semi = await read(
      '欧洲区域设置.csv',
      Buffer.from('sep=;\r\n统一社会信用代码;名称;住所\r\n92320102MA1PX7EB3T;张三水果店;长江路 1 号, 2 楼\r\n'),
    );
    expect(semi.headers).toEqual(['统一社会信用代码', '名称', '住所']);
    expect(semi.rows.map((x) => x.cells)).toEqual([['92320102MA1PX7EB3T', '张三水果店', '长江路 1 号, 2 楼']]);
    const bar = [
      '统一社会信用代码|名称|住所|经营范围',
      '92320102MA1PX7EB3T|张三水果店|长江路 1 号,2 楼|水果,干果,蔬菜零售',
      '92320102MA1PX7EB4R|李四超市|中山路 2 号|日用百货,食品销售,烟草制品零售,预包装食品',
    ].join('\r\n');
    const b = await read('交换库导出.txt', iconv.encode(`${bar}\r\n`, 'gbk'));
    expect(b.rows.map((x) => x.cells[3])).toEqual(['水果,干果,蔬菜零售', '日用百货,食品销售,烟草制品零售,预包装食品']);
    // Semicolons in 经营范围 (more of them than commas) do not make a comma CSV a semicolon one.
    const scope = [
      '统一社会信用代码,名称,经营范围',
      '92320102MA1PX7EB3T,张三水果店,水果;干果;蔬菜;粮油;零售',
      '92320102MA1PX7EB4R,李四超市,日用百货;食品',
      '92320102MA1PX7EB5P,王五面馆,餐饮服务;食品销售;烟草;酒类',
    ].join('\n');
    const c = await read('经营范围.csv', Buffer.from(`${scope}\n`));
    expect(c.rows.map((x) => x.cells[2])).toEqual([
      '水果;干果;蔬菜;粮油;零售',
      '日用百货;食品',
      '餐饮服务;食品销售;烟草;酒类',
    ]);
  });

  it('numbers rows as Excel shows the file: blank lines are rows, a quoted line break is not', async () => {
    const title = '2024年市场主体登记信息表\r\n\r\n统一社会信用代码,名称,住所\r\n';
    const plain = `${title}92320102MA1PX7EB3T,张三水果店,长江路 1 号\r\n\r\n\r\n92320102MA1PX7EB4R,李四超市,中山路 2 号\r\n`;
    const a = await read('空行.csv', iconv.encode(plain, 'gbk'));
    expect(a.headerRowNo).toBe(3);
    expect(a.rows.map((x) => [x.rowNo, x.cells[1]])).toEqual([
      [4, '张三水果店'],
      [7, '李四超市'],
    ]);
    // From the first quote on csv-parse reads the rest: the same numbering, a two-line cell one row.
    const quoted = `${title}92320102MA1PX7EB3T,张三水果店,"长江路\n1 号"\r\n\r\n92320102MA1PX7EB4R,李四超市,中山路 2 号\r\n`;
    const b = await read('引号.csv', Buffer.from(quoted));
    expect(b.headerRowNo).toBe(3);
    expect(b.rows.map((x) => [x.rowNo, x.cells[2]])).toEqual([
      [4, '长江路\n1 号'],
      [6, '中山路 2 号'],
    ]);
  });

  it("finds the header below a template's filling notes (填表说明, a dozen lines and more)", async () => {
    const notes = [
      '党员信息采集表',
      '填表说明：',
      ...Array.from({ length: 14 }, (_, i) => `${i + 1}. 第 ${i + 1} 条说明，请按要求填写。`),
    ];
    const text = [...notes, '', '统一社会信用代码,名称,住所', '92320102MA1PX7EB3T,张三水果店,长江路 1 号'].join('\r\n');
    const a = await read('说明.csv', iconv.encode(text, 'gbk'));
    expect(a.headerRowNo).toBe(notes.length + 2);
    expect(a.rows).toEqual([{ rowNo: notes.length + 3, cells: ['92320102MA1PX7EB3T', '张三水果店', '长江路 1 号'] }]);
  });

  it('reads a two-row header (法定代表人 and 联络员 over 姓名, 证件号码, 联系电话) as the names it makes', async () => {
    const text = [
      '统一社会信用代码,企业名称,法定代表人,,,联络员,,,登记状态',
      ',,姓名,证件号码,联系电话,姓名,证件号码,联系电话,',
      '92320102MA1PX7EB3T,甲公司,张三,320102198808081317,13912345678,李四,,025-83456789,存续',
    ].join('\r\n');
    const f = path.join(dir, '两行表头.csv');
    fs.writeFileSync(f, text);
    const s = await openSource(f, '两行表头.csv', undefined, (c) => headerScore('registry', c));
    expect(s.headerRowNo).toBe(2);
    expect(s.headers).toEqual([
      '统一社会信用代码',
      '企业名称',
      '法定代表人姓名',
      '法定代表人证件号码',
      '法定代表人联系电话',
      '联络员姓名',
      '联络员证件号码',
      '联络员联系电话',
      '登记状态',
    ]);
    const rows = [];
    for await (const r of s.rows) rows.push([r.rowNo, r.cells[2]]);
    expect(rows).toEqual([[3, '张三']]);
  });

  it("reads a two-row header's sections (主体信息, 登记信息) as their columns' own names, a person's 信息 as the person", async () => {
    // Round 19: joined as 主体统一社会信用代码, 登记成立日期 (no column's name), the header named fewer
    // columns than its lower row, which was taken alone: 姓名 an unknown column, 经营者 lost.
    const text = [
      '序号,主体信息,,,经营者信息,,,登记信息,',
      ',统一社会信用代码,字号名称,经营场所,姓名,身份证号,联系电话,成立日期,登记机关',
      '1,92320102MA1PX7EB3T,甲店,长江路1号,张三,320102198808081317,13912345678,2019-03-05,玄武区市场监督管理局',
    ].join('\r\n');
    const f = path.join(dir, '分组表头.csv');
    fs.writeFileSync(f, text);
    const s = await openSource(f, '分组表头.csv', undefined, (c) => headerScore('registry', c));
    expect(s.headerRowNo).toBe(2);
    expect(s.headers).toEqual([
      '序号',
      '统一社会信用代码',
      '字号名称',
      '经营场所',
      '经营者姓名',
      '经营者身份证号',
      '经营者联系电话',
      '成立日期',
      '登记机关',
    ]);
  });

  it('refuses a 合计 row with data under it as a total, and every row of a second table below the header search as that table', async () => {
    const text = [
      '统一社会信用代码,名称,经营者',
      '92320102MA1PX7EB3T,甲店,张三',
      '合计,1户,',
      '92320102MA1PX7EB4R,乙店,李四',
      ...Array.from({ length: 30 }, () => '92320102MA1PX7EB4R,乙店,李四'),
      '统一社会信用代码,企业名称,法定代表人',
      '91320102MA1PX7EB5A,丙公司,王五',
      '合计：3 户,,',
    ].join('\r\n');
    const f = path.join(dir, '合计与下表.csv');
    fs.writeFileSync(f, text);
    const s = await openSource(f, '合计与下表.csv', undefined, (c) => headerScore('registry', c));
    const rows = [];
    for await (const r of dataRows(s.rows, new Set(), [], s)) if (r.bad) rows.push([r.rowNo, r.bad]);
    const other = (line: string) =>
      `第 35 行是另一个表格的表头（与第 1 行的表头不同）：一个工作表中有两个表格，${line}。请把两个表格分别保存为单独的文件或工作表后分别上传`;
    expect(rows).toEqual([
      [3, [{ index: 0, reason: expect.stringMatching(/^"合计 1户"是合计行或表尾/), wholeRow: true }]],
      [35, [{ index: 0, reason: other('此行不是数据'), wholeRow: true }]],
      [36, [{ index: 0, reason: other('此行不按第 1 行的表头读取，不会被导入'), wholeRow: true }]],
    ]);
    expect(s.footer()).toEqual([{ rowNo: 37, text: '合计：3 户' }]);
  });

  it('looks at no more than 2,000 rows without a digit for another table’s header (each costs a header match; a file of a million such rows cost a core a quarter of an hour)', async () => {
    const text = [
      '统一社会信用代码,名称,经营者',
      ...Array.from({ length: 5_000 }, (_, i) => `无码店,甲店${'乙'.repeat(i % 7)},张三`),
    ];
    const f = path.join(dir, '无数字.csv');
    fs.writeFileSync(f, text.join('\r\n'));
    let calls = 0;
    const s = await openSource(f, '无数字.csv', undefined, (c) => (calls++, headerScore('registry', c)));
    const before = calls;
    let n = 0;
    for await (const _ of s.rows) n++;
    expect(n).toBe(5_000);
    expect(calls - before).toBe(2_000);
  });

  it('takes a two-row header repeated further down (pages stitched together) for no data', async () => {
    const top = '序号,统一社会信用代码,企业名称,法定代表人,,';
    const sub = ',,,姓名,证件号码,联系电话';
    const text = [
      top,
      sub,
      '1,92320102MA1PX7EB3T,甲公司,张三,320102198808081317,13912345678',
      top,
      sub,
      '2,92320102MA1PX7EB4R,乙公司,李四,,13912345679',
    ].join('\r\n');
    const f = path.join(dir, '分页.csv');
    fs.writeFileSync(f, text);
    const s = await openSource(f, '分页.csv', undefined, (c) => headerScore('registry', c));
    const titles: TitleRow[] = [];
    const rows = [];
    for await (const r of dataRows(s.rows, new Set([0]), titles, s)) rows.push([r.rowNo, r.cells[2]]);
    expect(rows).toEqual([
      [3, '甲公司'],
      [6, '乙公司'],
    ]);
    expect(titles).toEqual([
      { rowNo: 4, text: '', header: true },
      { rowNo: 5, text: '', header: true },
    ]);
  });
});

describe('invisible characters and odd spaces in cells (round 11)', () => {
  it('reads every cell as shown: no zero-width characters, BOM or soft hyphen, a no-break space as a space', async () => {
    const text = [
      '统一社会信用代码,名称\ufeff,登记状态,经营者姓名',
      '92320102\u2060MA1PX7EB3T,上海路\u00a0张三水果店\u00ad,存续\u200b,王\u200c芳\u00a0',
    ].join('\r\n');
    const r = await read('不可见字符.csv', Buffer.from(text));
    expect(r.headers).toEqual(['统一社会信用代码', '名称', '登记状态', '经营者姓名']);
    expect(r.rows.map((x) => x.cells)).toEqual([['92320102MA1PX7EB3T', '上海路 张三水果店', '存续', '王芳 ']]);
  });
});

describe('repeated column names', () => {
  it('tells apart a repeated name the import does not read by its column, and refuses one it reads', async () => {
    const r = await read(
      '两个备注.csv',
      Buffer.from('统一社会信用代码,名称,备注,序号,备注\r\n92320102MA1PX7EB3T,张三水果店,甲,1,乙\r\n'),
    );
    expect(r.headers).toEqual(['统一社会信用代码', '名称', '备注', '序号', '备注（第 5 列）']);
    expect(r.rows[0].cells).toEqual(['92320102MA1PX7EB3T', '张三水果店', '甲', '1', '乙']);
    await expect(read('两个名称.csv', Buffer.from('名称,备注,名称\r\n张三水果店,,李四超市\r\n'))).rejects.toThrow(
      '表头有重复的列名："名称"（第 1、3 列）',
    );
  });
});

describe('two tables on one sheet (round 18)', () => {
  const open = (name: string, text: string) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text);
    return openSource(f, name, undefined, (c) => headerScore('registry', c));
  };
  it('refuses a table with its own header and data above the header taken', async () => {
    const text = [
      '统一社会信用代码,名称,经营者',
      '92320102MA1PX7EB3T,甲店,张三',
      '',
      '统一社会信用代码,企业名称,法定代表人,企业类型',
      '91320102MA1PX7EB4R,乙公司,李四,有限责任公司',
    ].join('\r\n');
    await expect(open('两个表.csv', text)).rejects.toThrow(
      '第 1 行和第 4 行都是表头：一个工作表中有两个表格，第 2 行的数据在第 4 行的表头之上',
    );
  });
  it('reads a header under a line naming columns with nothing filled below it (a title, a template note)', async () => {
    const text = [
      '统一社会信用代码,名称',
      '制表单位：玄武区市场监管局,导出时间：2026-11-30',
      '统一社会信用代码,企业名称,法定代表人,企业类型',
      '91320102MA1PX7EB4R,乙公司,李四,有限责任公司',
    ].join('\r\n');
    expect((await open('表头上的说明.csv', text)).headerRowNo).toBe(3);
    const query = [
      '查询条件：',
      '登记机关,玄武分局,登记状态,存续',
      '导出人,张三,导出时间,2026-11-30',
      '统一社会信用代码,企业名称,法定代表人,企业类型',
      '91320102MA1PX7EB4R,乙公司,李四,有限责任公司',
    ].join('\r\n');
    expect((await open('查询条件.csv', query)).headerRowNo).toBe(4);
  });
});
