import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import ExcelJS from 'exceljs';
import { BACKENDS } from '../helpers/db.js';
import { clerkProbe, importFile } from '../helpers/imports.js';
import { decryptField } from '../../src/crypto/field.js';
import { id, uscc } from '../fixtures/extracts/generate.js';

/**
 * Clerk probe round 18: files as a county's bureau really exports them, not yet covered elsewhere,
 * each previewed and imported through the job, and what lands read back.
 */
describe.each(BACKENDS)('extracts of round 18 on %s', (backend) => {
  const probe = clerkProbe(backend);
  const { clerk, dir, gbkCsv, preview } = probe;

  const counties = async (like: string) =>
    (
      await sql<{ name: string; county_code: string }>`
        SELECT name, county_code FROM entity WHERE name LIKE ${like} ORDER BY name COLLATE "C"`.execute(probe.t.db)
    ).rows.map((r) => [r.name, r.county_code]);

  it("tells a CSV's 成立日期 2020.1 (January or October?) once in the preview, without the reader's marks", async () => {
    // The preview listed a second problem for the cell: 成立日期"2020.1\u0000\u0003"不是有效日期, the
    // reader's mark quoted as text; the import refused the row with the first only.
    const c = (i: number) => uscc('92', '320102', `MA2R18A0${i}`);
    const file = gbkCsv('月份不明.csv', [
      '序号,统一社会信用代码,名称,经营者,成立日期,登记状态',
      `1,${c(1)},子1店,王一,2020.1,存续`,
      `2,${c(2)},子2店,王二,二〇一九年三月五日,存续`,
    ]);
    const p = await preview('registry', file);
    expect(p.sample.map((s) => s.problems.map((x) => [x.label, x.reason]))).toEqual([
      [
        [
          '成立日期',
          expect.stringMatching(/^是 2020\.1：从 Excel 另存的 CSV 中，数字 2020\.10（10 月）也写作 2020\.1/),
        ],
      ],
      [],
    ]);
    expect(JSON.stringify(p.sample)).not.toMatch(/\\u000/);
    const { job, rejections } = await importFile(probe.t, 'registry', file, clerk);
    expect(job).toMatchObject({ status: 'done', rows_accepted: 1, rows_rejected: 1 });
    expect(rejections.map((r) => [r.row_no, r.col, r.reason])).toEqual([
      [2, '成立日期', p.sample[0].problems[0].reason],
    ]);
  });

  it('places an entity by a 所属县区 column giving the county by its name (玄武区, 南京市玄武区, 玄武), refusing another or an unknown one by name', async () => {
    // 所属县区 was an unknown column (dropped without a word), and under 县区代码 a name was refused as
    // 所属县区代码应为 6 位行政区划代码.
    const c = (i: number) => uscc('92', '320102', `MA2R18B0${i}`);
    const rows = ['玄武区', '南京市玄武区', '玄武', '鼓楼区', '某某区'];
    const file = gbkCsv('县区名称.csv', [
      '序号,统一社会信用代码,名称,经营者,成立日期,所属县区',
      ...rows.map((county, i) => `${i + 1},${c(i)},县名${i}店,王${i},2019-03-05,${county}`),
    ]);
    const p = await preview('registry', file);
    expect(p.columns.map((col) => [col.header, col.field]).at(-1)).toEqual(['所属县区', 'countyCode']);
    const { job, rejections } = await importFile(probe.t, 'registry', file, clerk);
    expect(job).toMatchObject({ status: 'done', rows_accepted: 3, rows_rejected: 2 });
    expect(rejections.map((r) => [r.row_no, r.col, r.value, r.reason])).toEqual([
      [5, '所属县区', '鼓楼区', '县区"鼓楼区"为 320106（鼓楼区，不在您的辖区内）'],
      [6, '所属县区', '某某区', '县区"某某区"不是您所在省份的县区名称，也不是 6 位行政区划代码'],
    ]);
    expect(await counties('县名%')).toEqual([
      ['县名0店', '320102'],
      ['县名1店', '320102'],
      ['县名2店', '320102'],
    ]);
    // A city's clerk: the name says which of the city's counties.
    const city = { id: (await probe.t.user({ roles: ['editor'], jurisdiction: '320100' })).id, scopeKey: '3201' };
    const d = (i: number) => uscc('92', '320100', `MA2R18B1${i}`);
    const named = gbkCsv('市级县区名称.csv', [
      '统一社会信用代码,名称,经营者,县区',
      `${d(1)},市县1店,李一,鼓楼区`,
      `${d(2)},市县2店,李二,南京市秦淮区`,
    ]);
    const imported = await importFile(probe.t, 'registry', named, city);
    expect(imported.rejections).toEqual([]);
    expect(await counties('市县%')).toEqual([
      ['市县1店', '320106'],
      ['市县2店', '320104'],
    ]);
  });
  it('refuses a sheet holding two tables (个体工商户 over 企业), naming both headers, rather than importing the lower one only', async () => {
    // The header naming the most columns was the 企业 table's: the 个体工商户 rows above it were
    // taken for lines of its title, and the job ended 成功 1 行 without a word about them.
    const c = (i: number) => uscc('92', '320102', `MA2R18E0${i}`);
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('汇总');
    ws.addRow(['一、个体工商户']);
    ws.addRow(['序号', '统一社会信用代码', '名称', '经营者', '成立日期']);
    ws.addRow([1, c(1), '辰1店', '王一', '2019-03-05']);
    ws.addRow([2, c(2), '辰2店', '王二', '2019-03-05']);
    ws.addRow([]);
    ws.addRow(['二、企业']);
    ws.addRow(['序号', '统一社会信用代码', '企业名称', '法定代表人', '企业类型', '成立日期']);
    ws.addRow([1, uscc('91', '320102', 'MA2R18F01'), '辰3有限公司', '王三', '有限责任公司', '2019-03-05']);
    const file = path.join(dir, '两个表格.xlsx');
    await wb.xlsx.writeFile(file);
    const said =
      '第 2 行和第 7 行都是表头：一个工作表中有两个表格，第 3–4 行的数据在第 7 行的表头之上，不会被导入。请把两个表格分别保存为单独的文件或工作表后分别上传';
    await expect(preview('registry', file)).rejects.toThrow(said);
    const { job } = await importFile(probe.t, 'registry', file, clerk);
    expect(job).toMatchObject({ status: 'failed', error: said, rows_accepted: 0 });
    expect(await counties('辰%')).toEqual([]);
  });
  it('reads a 住所 split over 省/市/县（区）/乡镇（街道）/详细地址: the county by its name, the 住所 from its parts', async () => {
    // 详细地址 was an unknown column (every 住所 blank, without a warning), 县（区） too, 省 and 市 said 无法识别.
    const c = (i: number) => uscc('92', '320102', `MA2R18G0${i}`);
    const file = gbkCsv('住所分列.csv', [
      '序号,统一社会信用代码,名称,经营者,省,市,县（区）,乡镇（街道）,详细地址,成立日期',
      `1,${c(1)},巳1店,王一,江苏省,南京市,玄武区,新街口街道,中山路1号,2019-03-05`,
      `2,${c(2)},巳2店,王二,江苏省,南京市,秦淮区,夫子庙街道,贡院街2号,2019-03-05`,
    ]);
    const p = await preview('registry', file);
    expect(p.columns.slice(4, 9).map((col) => [col.header, col.field, col.note])).toEqual([
      ['省', null, '并入"住所"'],
      ['市', null, '并入"住所"'],
      ['县（区）', 'countyCode', '导入为"所属县区代码"'],
      ['乡镇（街道）', null, '并入"住所"，并用于确定基层所'],
      ['详细地址', 'address', '导入为"住所"'],
    ]);
    const { job, rejections } = await importFile(probe.t, 'registry', file, clerk);
    expect(job).toMatchObject({ status: 'done', rows_accepted: 1, rows_rejected: 1 });
    expect(rejections.map((r) => [r.row_no, r.col, r.reason])).toEqual([
      [3, '县（区）', '县区"秦淮区"为 320104（秦淮区，不在您的辖区内）'],
    ]);
    const stored = await sql<{ address: string | null; county_code: string }>`
      SELECT address, county_code FROM entity WHERE name LIKE '巳%'`.execute(probe.t.db);
    // Written whole since round 19 (extracts-round19: the split 住所).
    expect(stored.rows).toEqual([{ address: '江苏省南京市玄武区新街口街道中山路1号', county_code: '320102' }]);
  });
  it("refuses a community roster's 入党积极分子 and 发展对象 as not yet members, and a blank 人员类别 as blank", async () => {
    // Refused as 人员类别"入党积极分子"无法识别 (and 人员类别""无法识别), a list of words the clerk had not asked for.
    const file = gbkCsv('社区名册.csv', [
      '序号,姓名,性别,公民身份号码,人员类别,所在党支部,入党日期',
      `1,甲九八,男,${id('320102', '19800301', '011')},正式党员,某社区支部,2000-07-01`,
      `2,乙九八,女,${id('320102', '19800401', '022')},入党积极分子,某社区支部,`,
      `3,丙九八,男,${id('320102', '19800501', '011')},发展对象,某社区支部,`,
      `4,丁九八,女,${id('320102', '19800601', '022')},,某社区支部,2000-07-01`,
    ]);
    const { job, rejections } = await importFile(probe.t, 'roster', file, clerk);
    expect(job).toMatchObject({ status: 'done', rows_accepted: 1, rows_rejected: 3 });
    expect(rejections.map((r) => [r.row_no, r.col, r.reason])).toEqual([
      [
        3,
        '人员类别',
        '人员类别"入党积极分子"：尚未入党，不是党员，党员名册只导入正式党员和预备党员。请删去此行后重新导入',
      ],
      [4, '人员类别', '人员类别"发展对象"：尚未入党，不是党员，党员名册只导入正式党员和预备党员。请删去此行后重新导入'],
      [5, '人员类别', expect.stringMatching(/^人员类别为空，可填：正式党员、/)],
    ]);
  });
  it('reads codes and phones a pasted list wraps in quotes (“…”), and stores them bare', async () => {
    // Refused as 统一社会信用代码应为 18 位（实际 20 位）.
    const c = (i: number) => uscc('92', '320102', `MA2R18C0${i}`);
    const file = gbkCsv('带引号.csv', [
      '序号,统一社会信用代码,名称,经营者,联系电话,成立日期',
      `1,“${c(1)}”,寅1店,王一,“13912345678”,2019/3/5`,
      `2,${c(2)},寅2店,王二,＂13912345679＂,2019/3/5`,
    ]);
    const { job, rejections } = await importFile(probe.t, 'registry', file, clerk);
    expect(rejections).toEqual([]);
    expect(job).toMatchObject({ status: 'done', rows_accepted: 2 });
    const stored = await sql<{ uscc: string; phone_enc: string }>`
      SELECT e.uscc, p.phone_enc FROM entity e JOIN entity_person ep ON ep.entity_id = e.id
      JOIN person p ON p.id = ep.person_id WHERE e.name LIKE '寅%' ORDER BY e.name COLLATE "C"`.execute(probe.t.db);
    expect(stored.rows.map((r) => [r.uscc, decryptField(probe.t.ctx.keys, r.phone_enc)])).toEqual([
      [c(1), '13912345678'],
      [c(2), '13912345679'],
    ]);
  });
});
