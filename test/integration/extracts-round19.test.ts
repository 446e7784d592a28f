import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import ExcelJS from 'exceljs';
import { BACKENDS } from '../helpers/db.js';
import { clerkProbe, importFile } from '../helpers/imports.js';
import { id, uscc } from '../fixtures/extracts/generate.js';

/**
 * Clerk probe round 19: files as a county's bureau really exports them, not yet covered elsewhere,
 * each previewed and imported through the job, and what lands read back.
 */
describe.each(BACKENDS)('extracts of round 19 on %s', (backend) => {
  const probe = clerkProbe(backend);
  const { clerk, dir, gbkCsv, preview } = probe;

  it("refuses a roster's 小计/合计 rows between its branches as totals, not as members missing a 人员类别", async () => {
    // The 合计 row (2人 under 姓名) was refused as 人员类别为空, the 小计 row as 姓名不能为空 and
    // 入党日期"2人"不是有效日期: causes a clerk looks for in vain on a row that is no member.
    const file = gbkCsv('分支部名册.csv', [
      '序号,姓名,性别,公民身份号码,人员类别,所在党支部,入党日期',
      `1,甲一九,男,${id('320102', '19800301', '011')},正式党员,一支部,2000-07-01`,
      `2,乙一九,女,${id('320102', '19800302', '022')},预备党员,一支部,2024-07-01`,
      '小计,,,,,一支部,2人',
      `3,丙一九,男,${id('320102', '19800303', '011')},正式党员,二支部,2000-07-01`,
      '合计,3人,,,,,',
      `4,丁一九,男,${id('320102', '19800304', '011')},正式党员,三支部,2000-07-01`,
      '合计,,,,正式党员3名，预备党员1名,,',
    ]);
    const total = (text: string) =>
      `"${text}"是合计行或表尾（合计、小计、制表人、注等），不是数据：它下面还有数据行，所以没有当作表尾跳过。请删除此行（或把它移到表格最后）后重新导入`;
    const p = await preview('roster', file);
    expect(p.sample.map((s) => [s.rowNo, s.problems.map((x) => [x.label, x.reason])])).toEqual([
      [2, []],
      [3, []],
      [4, [['所在党支部', total('小计 一支部 2人')]]],
      [5, []],
      [6, [['姓名', total('合计 3人')]]],
      [7, []],
    ]);
    const { job, rejections } = await importFile(probe.t, 'roster', file, clerk);
    expect(job).toMatchObject({ status: 'done', rows_accepted: 4, rows_rejected: 2 });
    expect(job.footer).toBe('表尾 1 行不是数据，未导入：第 8 行"合计 正式党员3名，预备党员1名"');
    expect(rejections.map((r) => [r.row_no, r.col, r.reason])).toEqual([
      [4, '所在党支部', total('小计 一支部 2人')],
      [6, '姓名', total('合计 3人')],
    ]);
  });
  it('refuses the rows of a second table below the 30 rows the header is looked for in, naming its header, rather than reading them under the first', async () => {
    // Read under the 个体工商户 header: the 企业 table's header was refused as an entity without a
    // code, its 企业类型 as 成立日期"有限责任公司"不是有效日期; had its columns been in the first
    // table's order, its rows would have been stored with its 法定代表人 as 经营者 without a word.
    const lines = ['序号,统一社会信用代码,名称,经营者,成立日期'];
    for (let i = 0; i < 35; i++)
      lines.push(
        `${i + 1},${uscc('92', '320102', `MA2R19A${String(i).padStart(2, '0')}`)},上表${i}店,王${i},2019-03-05`,
      );
    lines.push('', '序号,统一社会信用代码,企业名称,成立日期,法定代表人');
    lines.push(`1,${uscc('91', '320102', 'MA2R19B01')},下表甲有限公司,2020-01-01,赵一`);
    lines.push(`2,${uscc('91', '320102', 'MA2R19B02')},下表乙有限公司,2020-01-01,赵二`);
    const file = gbkCsv('两个表格.csv', lines);
    const below = '第 38 行是另一个表格的表头（与第 1 行的表头不同）：一个工作表中有两个表格，';
    const p = await preview('registry', file, 100);
    expect(p.sample.slice(35).map((s) => [s.rowNo, s.problems.map((x) => x.reason)])).toEqual([
      [38, [`${below}此行不是数据。请把两个表格分别保存为单独的文件或工作表后分别上传`]],
      [39, [`${below}此行不按第 1 行的表头读取，不会被导入。请把两个表格分别保存为单独的文件或工作表后分别上传`]],
      [40, [`${below}此行不按第 1 行的表头读取，不会被导入。请把两个表格分别保存为单独的文件或工作表后分别上传`]],
    ]);
    const { job, rejections } = await importFile(probe.t, 'registry', file, clerk);
    expect(job).toMatchObject({ status: 'done', rows_accepted: 35, rows_rejected: 3 });
    expect(rejections.map((r) => [r.row_no, r.col, r.reason])).toEqual(
      p.sample.slice(35).map((s) => [s.rowNo, '统一社会信用代码', s.problems[0].reason]),
    );
    const lower = await sql<{ n: number }>`SELECT count(*)::int AS n FROM entity WHERE name LIKE '下表%'`.execute(
      probe.t.db,
    );
    expect(lower.rows[0].n).toBe(0);
  });
  it('reads a 个体工商户 export under a 单位/打印日期/查询条件 block, its header grouped as 主体信息/经营者信息/登记信息', async () => {
    // The failed job said 缺少必需的列：主体类型: the groups joined 主体统一社会信用代码, 登记成立日期 …, the
    // lower row was read alone, and its 姓名 under 经营者信息 was an unknown column.
    const c = (i: number) => uscc('92', '320102', `MA2R19D0${i}`);
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('个体工商户');
    ws.addRow(['玄武区个体工商户登记信息表']);
    ws.mergeCells('A1:I1');
    ws.addRow(['单位：南京市玄武区市场监督管理局', '', '', '', '', '', '打印日期：2024年3月1日']);
    ws.addRow(['查询条件：登记状态=存续；登记机关=玄武区']);
    ws.addRow(['序号', '主体信息', '', '', '经营者信息', '', '', '登记信息', '']);
    ws.addRow(['', '统一社会信用代码', '字号名称', '经营场所', '姓名', '身份证号', '联系电话', '成立日期', '登记机关']);
    for (const range of ['A4:A5', 'B4:D4', 'E4:G4', 'H4:I4']) ws.mergeCells(range);
    for (let i = 1; i <= 2; i++)
      ws.addRow([
        i,
        c(i),
        `块${i}店`,
        `中山路${i}号`,
        `赵${i}`,
        id('320102', `1980040${i}`, '011'),
        `1391234567${i}`,
        new Date(Date.UTC(2019, 2, 5)),
        '南京市玄武区市场监督管理局',
      ]);
    ws.addRow(['合计', '', '', '', '', '', '', '2户', '']);
    const file = path.join(dir, '分组表头.xlsx');
    await wb.xlsx.writeFile(file);
    const p = await preview('registry', file);
    expect(p.missing).toEqual([]);
    expect(p.columns.slice(4, 7).map((col) => [col.header, col.field])).toEqual([
      ['经营者姓名', 'repName'],
      ['经营者身份证号', 'repIdNumber'],
      ['经营者联系电话', 'repPhone'],
    ]);
    const { job, rejections } = await importFile(probe.t, 'registry', file, clerk);
    expect(rejections).toEqual([]);
    expect(job).toMatchObject({
      status: 'done',
      rows_accepted: 2,
      footer: '表尾 1 行不是数据，未导入：第 8 行"合计 2户"',
    });
    const stored = await sql<{ name: string; kind: string; address: string; person: string }>`
      SELECT e.name, e.kind, e.address, p.name AS person FROM entity e JOIN entity_person ep ON ep.entity_id = e.id
      JOIN person p ON p.id = ep.person_id WHERE e.name LIKE '块%' ORDER BY e.name COLLATE "C"`.execute(probe.t.db);
    expect(stored.rows).toEqual([
      { name: '块1店', kind: 'individual', address: '中山路1号', person: '赵1' },
      { name: '块2店', kind: 'individual', address: '中山路2号', person: '赵2' },
    ]);
  });
  it('stores the 住所 of a list splitting it over 省/市/区县/街道/详细地址 whole, without repeating what the street part says', async () => {
    // Stored 中山路1号: the province, city, county and street were dropped from the 住所.
    const c = (i: number) => uscc('92', '320102', `MA2R19C0${i}`);
    const file = gbkCsv('住所分列.csv', [
      '统一社会信用代码,名称,经营者,省,市,区县,街道,详细地址,成立日期',
      `${c(1)},址1店,王一,江苏省,南京市,玄武区,新街口街道,中山路1号,2019-03-05`,
      `${c(2)},址2店,王二,江苏省,南京市,玄武区,新街口街道,南京市玄武区新街口街道中山路2号,2019-03-05`,
      `${c(3)},址3店,王三,江苏省,南京市,320102,,玄武区中山路3号,2019-03-05`,
      `${c(4)},址4店,王四,,,,,中山路4号,2019-03-05`,
    ]);
    const p = await preview('registry', file);
    expect(p.sample.map((s) => s.values.address)).toEqual([
      '江苏省南京市玄武区新街口街道中山路1号',
      '江苏省南京市玄武区新街口街道中山路2号',
      '江苏省南京市玄武区中山路3号',
      '中山路4号',
    ]);
    const { rejections } = await importFile(probe.t, 'registry', file, clerk);
    expect(rejections).toEqual([]);
    const stored = await sql<{ address: string }>`
      SELECT address FROM entity WHERE name LIKE '址%' ORDER BY name COLLATE "C"`.execute(probe.t.db);
    expect(stored.rows.map((r) => r.address)).toEqual(p.sample.map((s) => s.values.address));
  });
});
