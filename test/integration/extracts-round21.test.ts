import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import XLSX from 'xlsx';
import { BACKENDS } from '../helpers/db.js';
import { clerkProbe, importFile } from '../helpers/imports.js';
import { multipart } from '../helpers/attachments.js';
import { id, uscc } from '../fixtures/extracts/generate.js';

/**
 * Clerk probe round 21: files as a county's bureau really exports them, not yet covered elsewhere,
 * each previewed and imported through the job, and what lands read back.
 */
describe.each(BACKENDS)('extracts of round 21 on %s', (backend) => {
  const probe = clerkProbe(backend);
  const { clerk, dir, gbkCsv, preview } = probe;
  const code = (i: number, series: string) => uscc('92', '320102', `MA2R21${series}${String(i).padStart(2, '0')}`);

  it("skips a WPS export's footer ending in a 填报说明 line as its footer, not as entities", async () => {
    // The 填报说明 line was refused as an entity whose 统一社会信用代码 is 27 characters long, and the
    // 制表人 line above it as a 合计 row with data under it: two rejections for rows that are no entity.
    const file = gbkCsv('登记信息（WPS）.csv', [
      '统一社会信用代码,名称,经营者,成立日期,住所',
      `${code(1, 'H')},尾1店,王一,2019-03-05,中山路1号`,
      `${code(2, 'H')},尾2店,王二,2019-03-05,中山路2号`,
      ',,,,',
      '合计：2户,,,,',
      '制表人：张三,审核人：李四,,,',
      '填报说明：1.本表由登记系统导出；2.日期格式为年-月-日,,,,',
    ]);
    const p = await preview('registry', file);
    expect(p.sample.map((s) => [s.rowNo, s.problems])).toEqual([
      [2, []],
      [3, []],
    ]);
    const { job, rejections } = await importFile(probe.t, 'registry', file, clerk);
    expect(rejections).toEqual([]);
    expect(job).toMatchObject({ status: 'done', rows_accepted: 2, rows_rejected: 0 });
    expect(job.footer).toBe(
      '表尾 3 行不是数据，未导入：第 5 行"合计：2户"、第 6 行"制表人：张三 审核人：李四"、第 7 行"填报说明：1.本表由登记系统导出；2.日期格式为年-月-日"',
    );
  });
  it('reads a web page saved as .xls whose title, list and footer are three tables as Excel opens it: one sheet, the tables one under another', async () => {
    // (The line between two tables is a row of its own, as Excel shows it.)
    // The member system's export puts its 单位/导出时间 block, the list and its 共…人/制表人 line in a
    // table each: the first table (the title) was read as the sheet, and the job failed with 缺少必需的列.
    const td = (cells: string[]) => `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
    const file = path.join(dir, '党员信息（网页导出）.xls');
    fs.writeFileSync(
      file,
      [
        '<html><head><meta http-equiv=Content-Type content="text/html; charset=utf-8"><title>党员信息</title></head><body>',
        '<table>',
        td(['中共南京市玄武区个体私营经济综合党委党员信息']),
        td(['导出时间：2024-03-01']),
        '</table>',
        '<!-- 列表 <table> --><p>单位：南京市玄武区市场监督管理局</p>',
        '<table border=1>',
        td(['姓名', '公民身份号码', '人员类别', '入党日期', '所在党支部']),
        td(['甲二一', id('320102', '19800701', '011'), '正式党员', '2000-07-01', '一支部']),
        td(['乙二一', id('320102', '19800702', '011'), '预备党员', '2024-07-01', '一支部']),
        '</table>',
        '<table>',
        td(['共 2 人']),
        td(['制表人：张三']),
        '</table></body></html>',
      ].join('\r\n'),
    );
    const p = await preview('roster', file);
    expect(p).toMatchObject({ format: 'xls', headerRowNo: 4, missing: [] });
    expect(p.sample.map((s) => [s.rowNo, s.values.name, s.problems])).toEqual([
      [5, '甲二一', []],
      [6, '乙二一', []],
    ]);
    const { job, rejections } = await importFile(probe.t, 'roster', file, clerk);
    expect(rejections).toEqual([]);
    expect(job).toMatchObject({
      status: 'done',
      rows_accepted: 2,
      footer: '表尾 2 行不是数据，未导入：第 7 行"共 2 人"、第 8 行"制表人：张三"',
    });
    const stored = await sql<{ name: string }>`
      SELECT p.name FROM member m JOIN person p ON p.id = m.person_id
      WHERE p.birth_date BETWEEN '1980-07-01' AND '1980-07-02' ORDER BY p.birth_date`.execute(probe.t.db);
    expect(stored.rows.map((r) => r.name)).toEqual(['甲二一', '乙二一']);
  });
  it('reads every table of a web page exporting a roster branch by branch, each table with its header, not the first alone', async () => {
    // Only the first table (一支部) was read: 二支部's members were left out without a word.
    const td = (cells: string[]) => `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
    const head = td(['姓名', '公民身份号码', '人员类别', '入党日期', '所在党支部']);
    const file = path.join(dir, '分支部名册（网页导出）.xls');
    fs.writeFileSync(
      file,
      [
        '<html><head><meta charset="utf-8"></head><body>',
        `<table>${head}${td(['丙二一', id('320102', '19800703', '011'), '正式党员', '2000-07-01', '一支部'])}</table>`,
        `<table>${head}${td(['丁二一', id('320102', '19800704', '011'), '正式党员', '2000-07-01', '二支部'])}</table>`,
        '</body></html>',
      ].join('\r\n'),
    );
    const { job, rejections } = await importFile(probe.t, 'roster', file, clerk);
    expect(rejections).toEqual([]);
    expect(job).toMatchObject({ status: 'done', rows_accepted: 2, footer: '重复的表头 1 行不是数据，未导入：第 3 行' });
  });
  it('reads an Excel binary workbook (.xlsb), hidden rows said, as it reads an .xlsx', async () => {
    // Excel's "Excel 二进制工作簿" save, which a county's large extracts are kept in: the job failed
    // with "XLSX 文件无法读取：文件已损坏，或不是 Excel 工作簿（.xlsx）" and the upload refused the name.
    const ws = XLSX.utils.aoa_to_sheet([
      ['统一社会信用代码', '名称', '经营者', '成立日期', '住所'],
      [code(1, 'B'), '二进制1店', '王一', new Date(Date.UTC(2019, 2, 5)), '中山路1号'],
      [code(2, 'B'), '二进制2店', '王二', '2019-03-06', '中山路2号'],
    ]);
    ws['!rows'] = [{}, {}, { hidden: true }];
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, ws, '登记信息');
    const file = path.join(dir, '登记信息.xlsb');
    XLSX.writeFile(wb, file, { bookType: 'xlsb', cellDates: true });
    const p = await preview('registry', file);
    const said = '第 3 行在 Excel 中是隐藏行，{v}；如不应导入，请在文件中删除后重新上传';
    expect(p).toMatchObject({ format: 'xlsb', missing: [], hiddenRows: said.replace('{v}', '导入时将一并导入') });
    expect(p.sample.map((s) => [s.rowNo, s.values.registeredOn, s.problems])).toEqual([
      [2, '2019-03-05', []],
      [3, '2019-03-06', []],
    ]);
    const web = await probe.t.signIn(await probe.t.user({ roles: ['editor'], jurisdiction: '320102' }));
    const { body, type } = await multipart('登记信息.xlsb', fs.readFileSync(file));
    const up = await web.call('POST', '/imports/registry/upload', body, { 'content-type': type });
    expect(up.statusCode, up.body).toBe(200);
    expect(up.json()).toMatchObject({ format: 'xlsb', missing: [] });
    const { job, rejections } = await importFile(probe.t, 'registry', file, clerk);
    expect(rejections).toEqual([]);
    expect(job).toMatchObject({ status: 'done', rows_accepted: 2, footer: said.replace('{v}', '已一并导入') });
    const stored = await sql<{ name: string; registered_on: string }>`
      SELECT name, registered_on::text FROM entity WHERE name LIKE '二进制%' ORDER BY name COLLATE "C"`.execute(
      probe.t.db,
    );
    expect(stored.rows).toEqual([
      { name: '二进制1店', registered_on: '2019-03-05' },
      { name: '二进制2店', registered_on: '2019-03-06' },
    ]);
  });
  it("tells the rows and columns an .ods hides (LibreOffice's filter and hide), as it does an .xlsx's", async () => {
    // A roster kept in LibreOffice Calc (or a domestic suite saving .ods), filtered to 一支部 and its
    // 联系电话 column hidden: the hidden member was imported and nothing was said, as for an .xlsx.
    const rows = [
      ['姓名', '公民身份号码', '人员类别', '入党日期', '所在党支部', '联系电话'],
      ['子二一', id('320102', '19800801', '011'), '正式党员', '2000-07-01', '一支部', '13912345601'],
      ['丑二一', id('320102', '19800802', '011'), '正式党员', '2000-07-01', '二支部', '13912345602'],
      ['寅二一', id('320102', '19800803', '011'), '正式党员', '2000-07-01', '二支部', '13912345603'],
      ['卯二一', id('320102', '19800804', '011'), '正式党员', '2000-07-01', '一支部', '13912345604'],
    ];
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet([['说明：本表由党委办公室维护']]), '说明');
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(rows), '名册');
    const zip = XLSX.CFB.read(XLSX.write(wb, { bookType: 'ods', type: 'buffer' }) as Buffer, { type: 'buffer' });
    const content = Buffer.from(XLSX.CFB.find(zip, 'content.xml')!.content as Uint8Array).toString('utf8');
    // As LibreOffice writes them: the columns first (five shown, one hidden), rows 3 and 4 filtered
    // out as one repeated row (their cells are not the same, so here as two), and a row hidden by hand.
    const [before, sheet] = content.split('<table:table table:name="名册"');
    let row = 0;
    const marked = sheet
      .replace(
        '>',
        '><table:table-column table:number-columns-repeated="5"/><table:table-column table:visibility="collapse"/>',
      )
      .replace(/<table:table-row>/g, (tag) => {
        row++;
        return row === 3 || row === 4 ? '<table:table-row table:visibility="filter">' : tag;
      });
    XLSX.CFB.utils.cfb_add(zip, 'content.xml', Buffer.from(`${before}<table:table table:name="名册"${marked}`));
    const file = path.join(dir, '名册（筛选）.ods');
    fs.writeFileSync(file, XLSX.CFB.write(zip, { type: 'buffer', fileType: 'zip' }) as Buffer);
    const said =
      '第 3、4 行在 Excel 中是隐藏行，{v}；如不应导入，请在文件中删除后重新上传；列 "联系电话" 在 Excel 中是隐藏列，{v}；如不应导入，请在列对应中改为不导入该列，或在文件中删除后重新上传';
    const p = await preview('roster', file);
    expect(p).toMatchObject({ format: 'ods', sheet: '名册', hiddenRows: said.replaceAll('{v}', '导入时将一并导入') });
    const { job, rejections } = await importFile(probe.t, 'roster', file, clerk);
    expect(rejections).toEqual([]);
    expect(job).toMatchObject({ status: 'done', rows_accepted: 4, footer: said.replaceAll('{v}', '已一并导入') });
  });
  it('tells the columns a web page saved as .xls hides (<col style=display:none>), before and after they are imported', async () => {
    // Excel's "网页" save of a list whose old 联系电话 column was hidden to print: the column was read
    // as the 经营者联系电话 and nothing was said, where an .xlsx's or .xls's hidden column is named.
    const tr = (cells: string[]) => `<tr height=19>${cells.map((c) => `<td class=xl65>${c}</td>`).join('')}</tr>`;
    const file = path.join(dir, '登记信息（网页）.xls');
    fs.writeFileSync(
      file,
      [
        '<html xmlns:x="urn:schemas-microsoft-com:office:excel"><head><meta charset="utf-8"></head><body>',
        "<table border=0 cellpadding=0 cellspacing=0 width=360 style='border-collapse:collapse'>",
        "<col width=72 span=2 style='width:54pt'>",
        '<col width=72>',
        "<col width=0 style='display:none;mso-width-source:userset;mso-width-alt:0'>",
        "<col width=72 span=2 style='width:54pt'>",
        tr(['统一社会信用代码', '名称', '经营者', '联系电话', '成立日期', '住所']),
        tr([code(1, 'W'), '网页1店', '王一', '13912345601', '2019-03-05', '中山路1号']),
        '</table></body></html>',
      ].join('\r\n'),
    );
    const said =
      '列 "联系电话" 在 Excel 中是隐藏列，{v}；如不应导入，请在列对应中改为不导入该列，或在文件中删除后重新上传';
    const p = await preview('registry', file);
    expect(p).toMatchObject({ format: 'xls', missing: [], hiddenRows: said.replace('{v}', '导入时将一并导入') });
    const { job, rejections } = await importFile(probe.t, 'registry', file, clerk);
    expect(rejections).toEqual([]);
    expect(job).toMatchObject({ status: 'done', rows_accepted: 1, footer: said.replace('{v}', '已一并导入') });
  });
  it("reads a database's COPY export, its dates a timestamptz's text (2019-03-05 00:00:00+08), as the dates of China", async () => {
    // A county 信息中心's psql "\\copy (SELECT … AS 统一社会信用代码, …) TO … CSV HEADER": each row was refused as 成立日期"2019-03-05
    // 00:00:00+08"不是有效日期, as PostgreSQL writes an offset of whole hours without its minutes.
    const file = path.join(dir, 'entity_export.csv');
    fs.writeFileSync(
      file,
      [
        '统一社会信用代码,名称,经营者,成立日期,住所',
        `${code(1, 'P')},库1店,王一,2019-03-05 00:00:00+08,中山路1号`,
        `${code(2, 'P')},库2店,王二,2019-03-05 16:00:00.5+00,中山路2号`,
        '',
      ].join('\n'),
    );
    const { job, rejections } = await importFile(probe.t, 'registry', file, clerk);
    expect(rejections.map((r) => [r.row_no, r.col, r.reason])).toEqual([]);
    expect(job).toMatchObject({ status: 'done', rows_accepted: 2 });
    const stored = await sql<{ name: string; registered_on: string }>`
      SELECT name, registered_on::text FROM entity WHERE name LIKE '库%' ORDER BY name COLLATE "C"`.execute(probe.t.db);
    expect(stored.rows).toEqual([
      { name: '库1店', registered_on: '2019-03-05' },
      { name: '库2店', registered_on: '2019-03-06' },
    ]);
  });
});
