import path from 'node:path';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import iconv from 'iconv-lite';
import { BACKENDS } from '../helpers/db.js';
import { clerkProbe, importFile } from '../helpers/imports.js';
import { multipart } from '../helpers/attachments.js';
import { previewFile } from '../../src/features/imports/service.js';
import { id, uscc } from '../fixtures/extracts/generate.js';

/**
 * Clerk probe round 15: files as a county's bureau really exports them, not yet covered elsewhere,
 * each imported through the job and checked row by row.
 */
describe.each(BACKENDS)('extracts of round 15 on %s', (backend) => {
  const probe = clerkProbe(backend);
  const { clerk, dir } = probe;

  const people = async (codes: string[]) =>
    (
      await sql<{ uscc: string; address: string | null; rep: string | null; has_id: boolean | null }>`
        SELECT e.uscc, e.address, p.name AS rep, p.id_bi IS NOT NULL AS has_id FROM entity e
        LEFT JOIN entity_person ep ON ep.entity_id = e.id LEFT JOIN person p ON p.id = ep.person_id
        WHERE e.uscc = ANY(${codes}) ORDER BY e.uscc`.execute(probe.t.db)
    ).rows;

  it("reads a mixed extract's 经营者 and 经营场所 where its 法定代表人 and 住所 are blank (one column each side, one row of each kind)", async () => {
    // The 市场主体 extract of enterprises and 个体工商户 together: an enterprise fills 法定代表人,
    // 法定代表人证件号码 and 住所, a 个体工商户 经营者, 经营者身份证号 and 经营场所. The second column
    // of each was not imported: every 个体工商户 came in without its keeper, ID number or address.
    const codes = [
      uscc('91', '320102', 'MA1R15E01'),
      uscc('92', '320102', 'MA2R15G01'),
      uscc('92', '320102', 'MA2R15G02'),
    ];
    const keeper = id('320102', '19820101', '031');
    const wrongCheck = `${keeper.slice(0, 17)}${keeper.endsWith('1') ? '2' : '1'}`;
    const text = [
      '序号,统一社会信用代码,名称,市场主体类型,法定代表人,法定代表人证件号码,经营者,经营者身份证号,住所,经营场所,成立日期,登记状态',
      `1,${codes[0]},混合甲公司,有限责任公司（自然人投资或控股）,孙一,${id('320102', '19800101', '011')},,,玄武区中山路1号,,2019-03-12,存续（在营、开业、在册）`,
      `2,${codes[1]},混合乙店,个体工商户,,,孙二,${id('320102', '19810101', '021')},,玄武区中山路2号,2019-03-12,存续（在营、开业、在册）`,
      // A wrong check digit in the 经营者 column: refused naming that column, not 法定代表人证件号码.
      `3,${codes[2]},混合丙店,个体工商户,,,孙三,${wrongCheck},,玄武区中山路3号,2019-03-12,存续（在营、开业、在册）`,
    ].join('\r\n');
    // Through the web's own steps: the upload's plan, then the start with the mapping it showed.
    const web = await probe.t.signIn(await probe.t.user({ roles: ['editor'], jurisdiction: '320102' }));
    const { body, type } = await multipart('市场主体.csv', iconv.encode(`${text}\r\n`, 'gb18030'));
    const up = await web.call('POST', '/imports/registry/upload', body, { 'content-type': type });
    expect(up.statusCode, up.body).toBe(200);
    const p = up.json<Awaited<ReturnType<typeof previewFile>>>();
    expect(p.columns.find((c) => c.header === '经营场所')?.note).toBe('列"住所"为空时导入为"住所"，否则不导入');
    expect(p.sample.map((s) => s.problems.map((x) => x.label))).toEqual([[], [], ['经营者身份证号']]);
    expect(p.sample[1].values).toMatchObject({ repName: '孙二', address: '玄武区中山路2号' });
    // Read only where 法定代表人证件号码 is blank: said before the import, to be acknowledged.
    expect(p.warnings.map((w) => w.header)).toEqual(['经营者身份证号']);
    const started = await web.post('/imports/registry/start', {
      upload: p.upload,
      mapping: p.mapping,
      acknowledge: ['经营者身份证号'],
    });
    expect(started.statusCode, started.body).toBe(202);
    await probe.t.app.imports.idle();
    const job = (await web.get(`/imports/${started.json().id}`)).json();
    expect(job).toMatchObject({ status: 'done', rowsAccepted: 2, rowsRejected: 1 });
    const rejections = await probe.t.db
      .selectFrom('import_rejection')
      .select(['row_no', 'col'])
      .where('job_id', '=', started.json().id)
      .execute();
    expect(rejections.map((r) => [r.row_no, r.col])).toEqual([[4, '经营者身份证号']]);
    expect(await people(codes.slice(0, 2))).toEqual([
      { uscc: codes[0], address: '玄武区中山路1号', rep: '孙一', has_id: true },
      { uscc: codes[1], address: '玄武区中山路2号', rep: '孙二', has_id: true },
    ]);
  });

  it("reads a county 年报 summary's organizations by their full names (党总支部), with the way in the word (单独建立党支部), and 法定代表人是否党员 as 政治面貌", async () => {
    const codes = Array.from({ length: 7 }, (_, i) => uscc('92', '320102', `MA2R15N0${i}`));
    const registry = path.join(dir, '年报主体.csv');
    fs.writeFileSync(
      registry,
      ['统一社会信用代码,名称,经营者', ...codes.map((c, i) => `${c},年报${i}号店,周${i}`)].join('\r\n'),
    );
    expect((await importFile(probe.t, 'registry', registry, clerk)).job).toMatchObject({ rows_accepted: codes.length });
    const rows: [string, string, string, string][] = [
      ['3', '党总支部', '', '中共党员'],
      ['3', '单独建立党支部', '', '中共预备党员'],
      ['3', '联合组建党支部', '', '群众'],
      ['3', '单独建立党支部', '联合组建', '共青团员'], // the way's own column is read before the word's
      ['0', '无党组织', '', '非党员'],
      ['1', '党委员会', '', '九三学社社员'],
      ['1', '党小组', '', '否'], // no organization the report knows: refused, naming the column
    ];
    const text = [
      '2023年度个体工商户年报党建信息汇总表',
      '统一社会信用代码,党员人数,党组织建立形式,党组织建立方式,法定代表人政治面貌',
      ...codes.map((c, i) => [c, ...rows[i]].join(',')),
    ].join('\r\n');
    const file = path.join(dir, '年报汇总.csv');
    fs.writeFileSync(file, iconv.encode(`${text}\r\n`, 'gb18030'));
    const p = await previewFile(probe.t.ctx.keys, 'annual_report', 'u1', file, '年报汇总.csv', {}, undefined, 10);
    expect(p.columns.find((c) => c.header === '法定代表人政治面貌')?.field).toBe('repIsMember');
    expect(p.sample.map((s) => s.problems.map((x) => x.label))).toEqual([[], [], [], [], [], [], ['党组织建立形式']]);
    const { job, rejections } = await importFile(probe.t, 'annual_report', file, clerk);
    expect(job).toMatchObject({ status: 'done', rows_accepted: 6, rows_rejected: 1 });
    expect(rejections.map((r) => [r.row_no, r.col, r.reason])).toEqual([
      [9, '党组织建立形式', expect.stringMatching(/^党组织建立形式"党小组"无法识别/)],
    ]);
    const stored = (
      await sql<{ uscc: string; form: number | null; way: number | null; member: boolean | null }>`
        SELECT e.uscc, a.party_org_form AS form, a.party_org_way AS way, a.rep_is_member AS member
        FROM annual_report a JOIN entity e ON e.id = a.entity_id WHERE e.uscc = ANY(${codes}) ORDER BY e.uscc`.execute(
        probe.t.db,
      )
    ).rows;
    expect(stored.map((r) => [r.form, r.way, r.member])).toEqual([
      [2, null, true],
      [1, 1, true],
      [1, 2, false],
      [1, 2, false],
      [0, null, false],
      [3, null, false],
    ]);
  });

  it("reads a roster saved to CSV from a sheet whose dates show in Chinese numerals (二〇〇五年七月一日, zh-CN Excel's built-in format)", async () => {
    const text = [
      '序号,姓名,性别,出生日期,入党时间,转正时间,人员类别,所在党支部',
      '1,寅十五,男,一九八〇年三月十二日,二〇〇五年七月一日,二〇〇六年七月一日,正式党员,第十五支部',
      '2,卯十五,女,一九八二年十月,二〇一〇年十二月,二〇一一年十二月,正式党员,第十五支部', // hand-kept: to the month
      '3,辰十五,男,一九八五年三月十二日,二〇一〇年,,正式党员,第十五支部', // a year alone: no date
    ].join('\r\n');
    const file = path.join(dir, '花名册.csv');
    fs.writeFileSync(file, iconv.encode(`${text}\r\n`, 'gb18030'));
    const { job, rejections } = await importFile(probe.t, 'roster', file, clerk);
    expect(job).toMatchObject({ status: 'done', rows_accepted: 2, rows_rejected: 1 });
    expect(rejections.map((r) => [r.row_no, r.col])).toEqual([[4, '入党时间']]);
    const rows = (
      await sql<{ name: string; birth: string | null; month: string | null; joined: string; membership: string }>`
        SELECT p.name, p.birth_date::text AS birth, p.birth_month AS month, m.join_date::text AS joined, m.membership
        FROM member m JOIN person p ON p.id = m.person_id WHERE p.name IN ('寅十五', '卯十五') ORDER BY p.birth_month NULLS FIRST`.execute(
        probe.t.db,
      )
    ).rows;
    expect(rows).toEqual([
      { name: '寅十五', birth: '1980-03-12', month: null, joined: '2005-07-01', membership: 'full' },
      { name: '卯十五', birth: null, month: '1982-10', joined: '2010-12-01', membership: 'full' },
    ]);
  });

  it("skips a printed report's footer ending in its page line (第 1 页，共 1 页) and 本页小计, and says which rows", async () => {
    const codes = [uscc('92', '320102', 'MA2R15F01'), uscc('92', '320102', 'MA2R15F02')];
    const text = [
      '玄武区个体工商户登记信息表',
      '统计截止日期：2024年3月1日,,,,单位：户',
      '序号,统一社会信用代码,名称,经营者,成立日期',
      `1,${codes[0]},页尾一店,冯一,2019-03-12`,
      `2,${codes[1]},页尾二店,冯二,2019-03-12`,
      ',,合计,,2户',
      '本页小计,,,,2',
      '填表人：张三,,审核人：李四,,联系电话：025-84561234',
      '打印日期：2024-03-01,,,,',
      '第 1 页，共 1 页,,,,',
    ].join('\r\n');
    const file = path.join(dir, '打印表.csv');
    fs.writeFileSync(file, iconv.encode(`${text}\r\n`, 'gb18030'));
    const { job, rejections } = await importFile(probe.t, 'registry', file, clerk);
    expect(rejections).toEqual([]);
    expect(job).toMatchObject({ status: 'done', rows_read: 2, rows_accepted: 2 });
    expect(job.footer).toBe(
      '表尾 5 行不是数据，未导入：第 6 行"合计 2户"、第 7 行"本页小计 2"、第 8 行"填表人：张三 审核人：李四 联系电话：025****1234"、第 9 行"打印日期：2024-03-01"、第 10 行"第 1 页，共 1 页"',
    );
  });
});
