import path from 'node:path';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import iconv from 'iconv-lite';
import ExcelJS from 'exceljs';
import { BACKENDS } from '../helpers/db.js';
import { clerkProbe, importFile } from '../helpers/imports.js';
import { previewFile } from '../../src/features/imports/service.js';
import { decryptField } from '../../src/crypto/field.js';
import { regNoCheckDigit } from '../../src/domain/identifiers/uscc.js';
import { id, uscc } from '../fixtures/extracts/generate.js';

/** A 15-digit 注册号 with its check digit. */
const regNo = (first14: string) => `${first14}${regNoCheckDigit(first14)}`;

/**
 * Clerk probe round 17: files as a county's bureau really exports them, not yet covered elsewhere,
 * each previewed and imported through the job, and what lands read back.
 */
describe.each(BACKENDS)('extracts of round 17 on %s', (backend) => {
  const probe = clerkProbe(backend);
  const { clerk, dir } = probe;

  /** The entities named like the pattern, with their keeper's phone as stored (decrypted). */
  const entities = async (like: string) =>
    (
      await sql<{ uscc: string | null; reg_no: string | null; kind: string; status: string; phone_enc: string | null }>`
        SELECT e.uscc, e.reg_no, e.kind, e.status, p.phone_enc
        FROM entity e
        LEFT JOIN entity_person ep ON ep.entity_id = e.id AND ep.role = 'legal_rep'
        LEFT JOIN person p ON p.id = ep.person_id
        WHERE e.name LIKE ${like} ORDER BY e.name COLLATE "C"`.execute(probe.t.db)
    ).rows.map((r) => [
      r.uscc ?? r.reg_no,
      r.kind,
      r.status,
      r.phone_enc ? decryptField(probe.t.ctx.keys, r.phone_enc) : null,
    ]);

  it('reads a 个体工商户 list under a title: 登记状态 营业/正常营业/注销登记, a fixed line spaced with its extension, and the 15-digit 注册号 alone', async () => {
    // Refused before: 登记状态"营业"无法识别 (and 正常营业, 注销登记), 联系电话应为手机号…或固定电话 for
    // 025-8456 1234-801, and 主体类型为空 for a row keyed by its 注册号 only, whose 7th digit (6) says 个体工商户.
    const c = (i: number) => uscc('92', '320102', `MA2R17A0${i}`);
    const old = regNo('32010260012345');
    const enterprise = regNo('32010220012345'); // 7th digit 2: an enterprise or a 农民专业合作社, the type must say
    const text = [
      '玄武区个体工商户登记信息表,,,,,,',
      '制表单位：南京市玄武区市场监督管理局,,,,导出时间：2026-11-30 10:12:01,,',
      '序号,统一社会信用代码/注册号,字号名称,经营者姓名,联系电话（手机）,成立日期,登记状态',
      `1,${c(1)},壬1小吃,壬一,025-8456 1234-801,2020/1/2,营业`,
      `2,${c(2)},壬2小吃,壬二,139 1234 5678,2020-01-02 00:00:00,正常营业`,
      `3,${c(3)},壬3小吃,壬三,13912345679,20200102,注销登记`,
      `4,${old},壬4小吃,壬四,13912345670,43831,存续`,
      `5,${enterprise},壬5商贸,壬五,13912345671,2020年1月2日,存续`,
      '合计,5户,,,,,',
      '制表人：张三,,审核人：李四,,,,',
    ].join('\r\n');
    const file = path.join(dir, '个体工商户登记信息表.csv');
    fs.writeFileSync(file, iconv.encode(`${text}\r\n`, 'gbk'));
    const p = await previewFile(probe.t.ctx.keys, 'registry', 'u1', file, path.basename(file), {}, undefined, 10);
    expect(p.sample.map((s) => s.problems.map((x) => x.label))).toEqual([[], [], [], [], ['主体类型']]);
    const { job, rejections } = await importFile(probe.t, 'registry', file, clerk);
    expect(job).toMatchObject({ status: 'done', rows_accepted: 4, rows_rejected: 1 });
    expect(rejections.map((r) => [r.row_no, r.reason])).toEqual([
      [
        8,
        `主体类型为空：注册号"${enterprise}"第 7 位为 2，不能区分企业与农民专业合作社，请填写主体类型（如 有限责任公司、农民专业合作社）`,
      ],
    ]);
    expect(await entities('壬%')).toEqual([
      [c(1), 'individual', 'active', '025-84561234'],
      [c(2), 'individual', 'active', '13912345678'],
      [c(3), 'individual', 'deregistered', '13912345679'],
      [old, 'individual', 'active', '13912345670'],
    ]);
  });

  it("reads a 个体工商户 list's keeper under 公民身份号码, 手机号码 and 电话, and a capital column with its unit as one not used", async () => {
    // The three columns were unknown: every keeper came in without ID number or phone (the preview
    // warned that they looked like an ID number and phones, the job said nothing).
    const c = (i: number) => uscc('92', '320102', `MA2R17E0${i}`);
    const text = [
      '序号,统一社会信用代码,个体工商户名称,经营者/负责人,公民身份号码,手机号码,电话,组成形式,注册资金（万元）',
      `1,${c(1)},癸1店,癸一,${id('320102', '19800101', '011')},13912345678,025-84561234,个人经营,1`,
      `2,${c(2)},癸2店,癸二,${id('320102', '19800202', '021')},,025-84561235,家庭经营,1`,
    ].join('\r\n');
    const file = path.join(dir, '个体户经营者.csv');
    fs.writeFileSync(file, iconv.encode(`${text}\r\n`, 'gbk'));
    const p = await previewFile(probe.t.ctx.keys, 'registry', 'u1', file, path.basename(file), {}, undefined, 10);
    // Only the second phone column is said not to be read where both have a value.
    expect(p.warnings.map((w) => w.header)).toEqual(['电话']);
    expect(p.columns.slice(4).map((c) => [c.header, c.field, c.note])).toEqual([
      ['公民身份号码', 'repIdNumber', '导入为"法定代表人/经营者身份证号"'],
      ['手机号码', 'repPhone', '导入为"法定代表人/经营者手机"'],
      ['电话', null, expect.stringMatching(/^列"手机号码"为空时导入为/)],
      ['组成形式', 'form', '导入为"组成形式"'],
      ['注册资金（万元）', null, '不导入（平台不使用此项）'],
    ]);
    const { job, rejections } = await importFile(probe.t, 'registry', file, clerk);
    expect(rejections).toEqual([]);
    expect(job).toMatchObject({ status: 'done', rows_accepted: 2 });
    expect((await entities('癸%')).map((r) => r[3])).toEqual(['13912345678', '025-84561235']);
    const born = await sql<{ birth_date: string }>`
      SELECT p.birth_date::text AS birth_date FROM entity e
      JOIN entity_person ep ON ep.entity_id = e.id JOIN person p ON p.id = ep.person_id
      WHERE e.name LIKE '癸%' ORDER BY e.name COLLATE "C"`.execute(probe.t.db);
    expect(born.rows.map((r) => r.birth_date)).toEqual(['1980-01-01', '1980-02-02']);
  });

  it('reads a roster whose branch is headed 所在党组织全称, with 党内职务 beside it', async () => {
    // 所在党组织全称 was an unknown column, without a warning: every member came in without a branch.
    const text = [
      '序号,党员姓名,性别,公民身份号码,入党年月,所在党组织全称,党内职务,党员类别',
      `1,子十七,男,${id('320102', '19800101', '011')},2000.07,中共南京市玄武区某社区委员会,支部书记,中共党员`,
      `2,丑十七,女,${id('320102', '19800202', '022')},200007,中共南京市玄武区某社区委员会,,中共党员`,
      `3,寅十七,女,${id('320102', '19800303', '022')},2025.07,中共南京市玄武区某社区委员会,,预备党员`,
    ].join('\r\n');
    const file = path.join(dir, '党员名册全称.csv');
    fs.writeFileSync(file, `${text}\r\n`);
    const p = await previewFile(probe.t.ctx.keys, 'roster', 'u1', file, path.basename(file), {}, undefined, 10);
    expect(p.columns.slice(5, 7).map((c) => [c.header, c.field, c.note])).toEqual([
      ['所在党组织全称', 'orgRelation', '导入为"组织关系所在党组织"'],
      ['党内职务', null, '不导入（平台不使用此项）'],
    ]);
    const { job, rejections } = await importFile(probe.t, 'roster', file, clerk);
    expect(rejections.map((r) => [r.row_no, r.col, r.reason])).toEqual([]);
    expect(job).toMatchObject({ status: 'done', rows_accepted: 3 });
    const rows = await sql<{ name: string; membership: string; org_relation: string | null }>`
      SELECT p.name, m.membership, m.org_relation FROM member m JOIN person p ON p.id = m.person_id
      WHERE p.name LIKE '%十七' ORDER BY p.birth_date`.execute(probe.t.db);
    expect(rows.rows).toEqual([
      { name: '子十七', membership: 'full', org_relation: '中共南京市玄武区某社区委员会' },
      { name: '丑十七', membership: 'full', org_relation: '中共南京市玄武区某社区委员会' },
      { name: '寅十七', membership: 'probationary', org_relation: '中共南京市玄武区某社区委员会' },
    ]);
  });

  it('reads a workbook whose keeper columns stand under a merged 经营者信息, and a list keyed by its 注册号 column alone', async () => {
    // 经营者信息 over 姓名, 身份证号, 联系电话: 姓名 was an unknown column, each row was refused as
    // 填写了证件号或手机时须填写姓名, and the job failed as 缺少必需的列：主体类型 (the kind is read off
    // the code only in a list naming its keeper). A list with a 注册号 column and no 统一社会信用代码
    // column failed the same way, whatever its numbers said.
    const c = (i: number) => uscc('92', '320102', `MA2R17F0${i}`);
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Sheet1');
    ws.addRow(['个体工商户花名册']);
    ws.mergeCells('A1:G1');
    ws.addRow(['序号', '统一社会信用代码', '字号名称', '经营者信息', '', '', '登记状态']);
    ws.addRow(['', '', '', '姓名', '身份证号', '联系电话', '']);
    ws.mergeCells('D2:F2');
    for (const col of ['A', 'B', 'C', 'G']) ws.mergeCells(`${col}2:${col}3`);
    ws.addRow([1, c(1), '甲乙1店', '王一', id('320102', '19800101', '011'), '13912345678', '存续']);
    ws.addRow([2, c(2), '甲乙2店', '王二', id('320102', '19800202', '021'), '025-8456 1234', '存续']);
    const file = path.join(dir, '两行表头.xlsx');
    await wb.xlsx.writeFile(file);
    const p = await previewFile(probe.t.ctx.keys, 'registry', 'u1', file, path.basename(file), {}, undefined, 10);
    expect(p.columns.slice(3, 6).map((col) => [col.header, col.field])).toEqual([
      ['经营者姓名', 'repName'],
      ['经营者身份证号', 'repIdNumber'],
      ['经营者联系电话', 'repPhone'],
    ]);
    const { job, rejections } = await importFile(probe.t, 'registry', file, clerk);
    expect(rejections).toEqual([]);
    expect(job).toMatchObject({ status: 'done', rows_accepted: 2 });
    expect(await entities('甲乙%')).toEqual([
      [c(1), 'individual', 'active', '13912345678'],
      [c(2), 'individual', 'active', '025-84561234'],
    ]);

    const text = [
      '注册号,名称,经营者,成立日期',
      `${regNo('32010260077771')},甲丁1店,王五,2008-01-02`,
      `${regNo('32010200077772')},甲丁2商贸,王六,2008-01-02`,
    ].join('\r\n');
    const old = path.join(dir, '老个体户.csv');
    fs.writeFileSync(old, iconv.encode(`${text}\r\n`, 'gbk'));
    const imported = await importFile(probe.t, 'registry', old, clerk);
    expect(imported.job).toMatchObject({ status: 'done', rows_accepted: 1, rows_rejected: 1 });
    expect(imported.rejections.map((r) => [r.row_no, r.reason])).toEqual([
      [3, expect.stringMatching(/^主体类型为空：注册号"\d{15}"第 7 位为 0，不能区分企业与农民专业合作社/)],
    ]);
    expect(await entities('甲丁%')).toEqual([[regNo('32010260077771'), 'individual', 'active', null]]);
  });
});
