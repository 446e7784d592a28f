import path from 'node:path';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import iconv from 'iconv-lite';
import ExcelJS from 'exceljs';
import { BACKENDS } from '../helpers/db.js';
import { clerkProbe, importFile } from '../helpers/imports.js';
import { previewFile } from '../../src/features/imports/service.js';
import { id, uscc } from '../fixtures/extracts/generate.js';

/**
 * Clerk probe round 16: files as a county's bureau really exports them, not yet covered elsewhere,
 * each previewed and imported through the job, and what lands read back.
 */
describe.each(BACKENDS)('extracts of round 16 on %s', (backend) => {
  const probe = clerkProbe(backend);
  const { clerk, dir } = probe;

  const entities = async (codes: string[]) =>
    (
      await sql<{ uscc: string; kind: string; status: string }>`
        SELECT uscc, kind, status FROM entity WHERE uscc = ANY(${codes}) ORDER BY uscc`.execute(probe.t.db)
    ).rows.map((r) => [r.uscc, r.kind, r.status]);

  it('reads 登记状态 given with its code (1/存续) or with the class of entity (在营企业, 吊销，未注销企业), and 个人经营/家庭经营 in the 类型 column', async () => {
    // A county's 个体工商户 list: the registration system writes REGSTATE code and name in one cell,
    // the statistics lists name the class (在营企业), and the 类型 column holds the 组成形式.
    // Every row was refused: 登记状态"1/存续"无法识别, 市场主体类型"个人经营"无法识别.
    const codes = Array.from({ length: 7 }, (_, i) => uscc('92', '320102', `MA2R16T0${i}`));
    const rows: [string, string][] = [
      ['个人经营', '1/存续'],
      ['家庭经营', '1-存续'],
      ['个体工商户', '在营企业'],
      ['个体工商户', '吊销，未注销企业'],
      ['个体工商户', '已注销企业'],
      ['个体工商户', '迁出企业'],
      ['个体工商户', '其他企业'], // still no state it knows: refused, named as written
    ];
    const text = [
      '序号,统一社会信用代码,字号名称,类型,登记状态,经营者',
      ...codes.map((c, i) => [i + 1, c, `状态${i}号店`, ...rows[i], `戊${i}`].join(',')),
    ].join('\r\n');
    const file = path.join(dir, '个体工商户登记状态.csv');
    fs.writeFileSync(file, iconv.encode(`${text}\r\n`, 'gb18030'));
    const p = await previewFile(probe.t.ctx.keys, 'registry', 'u1', file, path.basename(file), {}, undefined, 10);
    expect(p.sample.map((s) => s.problems.map((x) => x.label))).toEqual([[], [], [], [], [], [], ['登记状态']]);
    const { job, rejections } = await importFile(probe.t, 'registry', file, clerk);
    expect(job).toMatchObject({ status: 'done', rows_accepted: 6, rows_rejected: 1 });
    expect(rejections.map((r) => [r.row_no, r.col, r.reason])).toEqual([
      [8, '登记状态', expect.stringMatching(/^登记状态"其他企业"无法识别/)],
    ]);
    expect(await entities(codes)).toEqual([
      [codes[0], 'individual', 'active'],
      [codes[1], 'individual', 'active'],
      [codes[2], 'individual', 'active'],
      [codes[3], 'individual', 'revoked'],
      [codes[4], 'individual', 'deregistered'],
      [codes[5], 'individual', 'moved_out'],
    ]);
  });

  it('reads a semicolon CSV whose GBK body follows a UTF-8 byte-order mark, with a quoted field over two lines and a 总计 line', async () => {
    // Rows are counted as Excel shows them (the two-line field is one row). Refused whole before: 文件编码无法识别：第 1 行（表头）含无法解码的字节 (the mark decoded as GBK text).
    const codes = [uscc('92', '320102', 'MA2R16B01'), uscc('92', '320102', 'MA2R16B02')];
    const text = [
      '序号;统一社会信用代码;名称;经营者;经营范围;;',
      `1;${codes[0]};标记一号店;己一;"日用百货;""零售""\r\n五金";;`,
      '',
      `2;${codes[1]};标记二号店;己二;烟酒;;`,
      '总计;;2户;;;;',
    ].join('\r\n');
    const file = path.join(dir, '带BOM的GBK.csv');
    fs.writeFileSync(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), iconv.encode(`${text}\r\n`, 'gbk')]));
    const p = await previewFile(probe.t.ctx.keys, 'registry', 'u1', file, path.basename(file), {}, undefined, 10);
    expect(p.columns.slice(0, 5).map((c) => [c.header, c.field])).toEqual([
      ['序号', null],
      ['统一社会信用代码', 'uscc'],
      ['名称', 'name'],
      ['经营者', 'repName'],
      ['经营范围', null],
    ]);
    const { job, rejections } = await importFile(probe.t, 'registry', file, clerk);
    expect(rejections).toEqual([]);
    expect(job).toMatchObject({
      status: 'done',
      rows_accepted: 2,
      footer: '表尾 1 行不是数据，未导入：第 5 行"总计 2户"',
    });
    const names = await sql<{ name: string }>`SELECT name FROM entity WHERE uscc = ANY(${codes}) ORDER BY uscc`.execute(
      probe.t.db,
    );
    expect(names.rows.map((r) => r.name)).toEqual(['标记一号店', '标记二号店']);
  });

  it("places an entity by a 住所 行政区划代码 column giving its village (统计用区划代码, 12 digits) in the county's first 6", async () => {
    // Refused before: 所属县区代码应为 6 位行政区划代码, every row of a city clerk's extract.
    const { scope_key } = await probe.t.db
      .selectFrom('jurisdiction')
      .select('scope_key')
      .where('code', '=', '320100')
      .executeTakeFirstOrThrow();
    const city = { id: (await probe.t.user({ roles: ['editor'], jurisdiction: '320100' })).id, scopeKey: scope_key };
    const codes = [uscc('92', '320100', 'MA2R16D01'), uscc('92', '320100', 'MA2R16D02')];
    const text = [
      '统一社会信用代码,名称,经营者,住所,住所所在行政区划代码',
      `${codes[0]},区划一号店,庚一,玄武区某街道某社区1号,320102001003`,
      `${codes[1]},区划二号店,庚二,玄武区某街道,320102001`,
    ].join('\r\n');
    const file = path.join(dir, '区划代码.csv');
    fs.writeFileSync(file, `${text}\r\n`);
    const { job, rejections } = await importFile(probe.t, 'registry', file, city);
    expect(rejections.map((r) => [r.row_no, r.col, r.reason])).toEqual([]);
    expect(job).toMatchObject({ status: 'done', rows_accepted: 2 });
    const counties = await sql<{ county_code: string }>`
      SELECT county_code FROM entity WHERE uscc = ANY(${codes}) ORDER BY uscc`.execute(probe.t.db);
    expect(counties.rows.map((r) => r.county_code)).toEqual(['320102', '320102']);
  });

  it('places an entity at the 所 its 管辖单位 column names, though 登记机关 (the bureau) comes first', async () => {
    // The extract names the supervising 所 under 管辖单位 (or 管辖基层所): the plan called the column
    // unknown, and the entity waited in 待分配基层所 with its 所 in the file.
    const county = await probe.t.signIn(await probe.t.user({ roles: ['editor'], jurisdiction: '320102' }));
    const station = await county.post('/stations', {
      countyCode: '320102',
      suffix: '816',
      name: '玄武门测试市场监管所',
      servedAreas: ['玄武门测试街道'],
    });
    expect(station.statusCode, station.body).toBe(201);
    const codes = [uscc('92', '320102', 'MA2R16G01'), uscc('92', '320102', 'MA2R16G02')];
    const text = [
      '统一社会信用代码,名称,经营者,住所,登记机关,管辖单位',
      `${codes[0]},管辖一号店,辛一,玄武区某路1号,南京市玄武区市场监督管理局,玄武门测试市场监管所`,
      `${codes[1]},管辖二号店,辛二,玄武区某路2号,南京市玄武区市场监督管理局,南京市玄武区市场监督管理局`,
    ].join('\r\n');
    const file = path.join(dir, '管辖单位.csv');
    fs.writeFileSync(file, iconv.encode(`${text}\r\n`, 'gb18030'));
    const p = await previewFile(probe.t.ctx.keys, 'registry', 'u1', file, path.basename(file), {}, undefined, 10);
    expect(p.columns.find((c) => c.header === '管辖单位')?.note).toBe('不导入，用于确定基层所');
    const { job, rejections } = await importFile(probe.t, 'registry', file, clerk);
    expect(rejections).toEqual([]);
    expect(job).toMatchObject({ status: 'done', rows_accepted: 2 });
    const placed = await sql<{ station_code: string | null }>`
      SELECT station_code FROM entity WHERE uscc = ANY(${codes}) ORDER BY uscc`.execute(probe.t.db);
    expect(placed.rows.map((r) => r.station_code)).toEqual(['320102816', null]);
  });

  it("reads a member system roster's 人员类别 (中共正式党员), keeps 中共党员（预备） a 预备党员, fills a 所在党支部 merged down over its members, and refuses lost and masked ID numbers saying why", async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('党员名册');
    ws.addRow(['党员基本信息']);
    ws.addRow([
      '序号',
      '姓名',
      '性别',
      '民族',
      '出生日期',
      '学历',
      '人员类别',
      '所在党支部',
      '入党时间',
      '转正时间',
      '联系电话',
      '身份证号',
      '籍贯',
      '是否流动党员',
    ]);
    const d = (y: number, m: number, day: number) => new Date(Date.UTC(y, m - 1, day));
    const ids = ['011', '033', '051', '071', '091'].map((seq, i) => id('320102', `198${i}0101`, seq));
    const member = (
      n: number,
      name: string,
      kind: string,
      branch: string | null,
      joined: Date,
      confirmed: Date | null,
      idCell: string | number,
    ) =>
      ws.addRow([
        n,
        name,
        '男',
        '汉族',
        d(1980 + n - 1, 1, 1),
        '大学',
        kind,
        branch,
        joined,
        confirmed,
        '',
        idCell,
        '江苏南京',
        '否',
      ]);
    member(1, '子十六', '中共正式党员', '第一支部', d(2005, 7, 1), d(2006, 7, 1), ids[0]);
    member(2, '丑十六', '中共预备党员', null, d(2025, 7, 1), null, ids[1]);
    member(3, '寅十六', '中共党员（预备）', null, d(2025, 7, 1), null, ids[2]);
    member(4, '卯十六', '正式党员', '第二支部', d(2005, 7, 1), d(2006, 7, 1), Number(ids[3].slice(0, 17)));
    member(5, '辰十六', '正式党员', '第二支部', d(2005, 7, 1), d(2006, 7, 1), '3201**********1234');
    ws.mergeCells('H3:H5'); // 第一支部 over its three members
    const file = path.join(dir, '党员名册.xlsx');
    await wb.xlsx.writeFile(file);
    const p = await previewFile(probe.t.ctx.keys, 'roster', 'u1', file, path.basename(file), {}, undefined, 10);
    expect(p.warnings.map((w) => w.header)).toEqual(['身份证号']); // the masked values, said before the import
    expect(p.sample.map((s) => s.problems.map((x) => x.label))).toEqual([[], [], [], ['身份证号'], ['身份证号']]);
    const { job, rejections } = await importFile(probe.t, 'roster', file, clerk);
    expect(job).toMatchObject({ status: 'done', rows_accepted: 3, rows_rejected: 2 });
    expect(rejections.map((r) => [r.row_no, r.col, r.reason])).toEqual([
      [6, '身份证号', expect.stringMatching(/^身份证号是科学计数法/)],
      [7, '身份证号', expect.stringMatching(/^身份证号已被脱敏（含 \*），无法识别此人/)],
    ]);
    const rows = (
      await sql<{ name: string; membership: string; org_relation: string | null }>`
        SELECT p.name, m.membership, m.org_relation FROM member m JOIN person p ON p.id = m.person_id
        WHERE p.name LIKE '%十六' ORDER BY p.birth_date`.execute(probe.t.db)
    ).rows;
    expect(rows).toEqual([
      { name: '子十六', membership: 'full', org_relation: '第一支部' },
      { name: '丑十六', membership: 'probationary', org_relation: '第一支部' },
      { name: '寅十六', membership: 'probationary', org_relation: '第一支部' },
    ]);
  });

  it('reads a tab-separated roster whose 流动党员 column says the side of the move (流出/流入) and whose 党籍状态 says 正常党员', async () => {
    // Refused before: 是否流动党员"流出"无法识别, 党员状态"正常党员"无法识别.
    const text = [
      ['姓名', '性别', '公民身份号码', '人员类别', '党籍状态', '流动党员', '所在党支部'],
      ['巳十六', '男', id('320102', '19850101', '011'), '正式党员', '正常党员', '流出', '第三支部'],
      ['午十六', '男', id('320102', '19860101', '031'), '正式党员', '党籍正常', '流入', '第三支部'],
      ['未十六', '男', id('320102', '19870101', '051'), '正式党员', '正常', '否', '第三支部'],
    ]
      .map((r) => r.join('\t'))
      .join('\r\n');
    const file = path.join(dir, '流动党员.txt.csv');
    fs.writeFileSync(file, iconv.encode(`${text}\r\n`, 'gb18030'));
    const { job, rejections } = await importFile(probe.t, 'roster', file, clerk);
    expect(rejections.map((r) => [r.row_no, r.col, r.reason])).toEqual([]);
    expect(job).toMatchObject({ status: 'done', rows_accepted: 3 });
    const rows = (
      await sql<{ name: string; member_status: string }>`
        SELECT p.name, m.member_status FROM member m JOIN person p ON p.id = m.person_id
        WHERE p.name IN ('巳十六', '午十六', '未十六') ORDER BY p.birth_date`.execute(probe.t.db)
    ).rows;
    expect(rows.map((r) => [r.name, r.member_status])).toEqual([
      ['巳十六', 'mobile'],
      ['午十六', 'mobile'],
      ['未十六', 'normal'],
    ]);
  });
});
