import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { sql } from 'kysely';
import { uscc as makeUscc, idNumber } from '../../src/demo/ledger.js';
import { seededRandom } from '../../src/domain/random.js';
import { demoPlaces, writeDemoFiles } from '../../src/demo/files.js';
import { BACKENDS } from '../helpers/db.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { csvFile, importFile, tmpDir } from '../helpers/imports.js';
import { previewFile } from '../../src/features/imports/service.js';
import { decryptField } from '../../src/crypto/field.js';

const rnd = seededRandom(11);
const code = (county = '320102', kind: 'enterprise' | 'individual' = 'individual') => makeUscc(rnd, kind, county);
const ID = idNumber(rnd, '320102', new Date('1985-06-01'));

/** A valid registry row; tests change one thing at a time. */
const reg = (over: Record<string, string> = {}) => ({
  统一社会信用代码: code(),
  名称: `玄武区测试${Math.floor(rnd.next() * 1e6)}小吃店`,
  主体类型: '个体工商户',
  登记状态: '存续',
  成立日期: '2020-05-01',
  住所: '玄武区中山路 1 号',
  所属县区代码: '320102',
  基层所代码: '',
  所在区域名称: '',
  区域类型: '',
  行业代码: '62',
  从业人数: '3',
  '法定代表人/经营者': '张三',
  '法定代表人/经营者身份证号': ID,
  '法定代表人/经营者手机': '13812345678',
  ...over,
});

/** Ledger state that imports must leave alike: entities, people in roles, zones, reports (no ids or times). */
async function ledgerState(t: TestApp) {
  const q = async (text: string) => (await sql.raw(text).execute(t.db)).rows;
  return JSON.stringify([
    await q(
      `SELECT uscc, reg_no, name, kind, status, registered_on, address, county_code, station_code, industry_section, employees FROM entity ORDER BY uscc`,
    ),
    await q(
      `SELECT e.uscc, ep.role, p.name, p.birth_date, p.id_bi IS NOT NULL AS has_id, p.phone_bi IS NOT NULL AS has_phone FROM entity_person ep JOIN entity e ON e.id = ep.entity_id JOIN person p ON p.id = ep.person_id ORDER BY 1, 2, 3`,
    ),
    await q(
      `SELECT z.county_code, z.name, z.kind, e.uscc FROM entity_zone ez JOIN zone z ON z.id = ez.zone_id JOIN entity e ON e.id = ez.entity_id ORDER BY 1, 2, 4`,
    ),
    await q(
      `SELECT e.uscc, a.year, a.filing_status, a.employees, a.party_members, a.party_org_form, a.rep_is_member FROM annual_report a JOIN entity e ON e.id = a.entity_id ORDER BY 1, 2`,
    ),
    await q(`SELECT count(*)::int AS n FROM person`),
  ]);
}

describe.each(BACKENDS)('imports on %s', (backend) => {
  let t: TestApp;
  let importer: { id: number; scopeKey: string };
  const dir = tmpDir();
  beforeAll(async () => {
    t = await testApp(backend);
    importer = { id: (await t.user({ roles: ['editor'], jurisdiction: '320100' })).id, scopeKey: '3201' };
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('imports good rows, encrypts the ID number and phone, and keeps history', async () => {
    const good = reg({ 所在区域名称: '新街口商圈', 区域类型: '商圈' });
    const { job, rejections } = await importFile(t, 'registry', csvFile(dir, 'ok.csv', [good]), importer);
    expect(rejections).toEqual([]);
    // 变更 counts the file's rows that changed something (here one entity with its zone and its operator), not table rows.
    expect(job).toMatchObject({ status: 'done', rows_read: 1, rows_accepted: 1, rows_rejected: 0, rows_changed: 1 });
    const person = await t.db.selectFrom('person').selectAll().where('name', '=', '张三').executeTakeFirstOrThrow();
    expect(person.id_enc).not.toContain(ID);
    expect(person.phone_enc).not.toContain('13812345678');
    expect(person.birth_date).toBe('1985-06-01');
    const e = await t.db
      .selectFrom('entity')
      .selectAll()
      .where('uscc', '=', good['统一社会信用代码'])
      .executeTakeFirstOrThrow();
    expect(e).toMatchObject({
      kind: 'individual',
      industry_section: 'H',
      industry_division: '62',
      scope_key: '320102',
    });
    const history = await t.db
      .selectFrom('ledger_history')
      .select(['object_type', 'actor_id'])
      .where('entity_id', '=', e.id)
      .execute();
    expect(history.map((h) => h.object_type).sort()).toEqual(['entity', 'entity_person', 'entity_zone']);
    expect(history.every((h) => h.actor_id === importer.id)).toBe(true);
    // Another operator for the same entity: one row changed (the old one out, the new one in).
    const next = { ...good, '法定代表人/经营者': '李四', '法定代表人/经营者身份证号': '', '法定代表人/经营者手机': '' };
    const again = await importFile(t, 'registry', csvFile(dir, 'ok2.csv', [next]), importer);
    expect(again.job).toMatchObject({ rows_accepted: 1, rows_changed: 1 });
  });

  const badCases: [string, Record<string, string>, string | null, RegExp][] = [
    ['wrong USCC check', { 统一社会信用代码: '92320102MA1XXXXXX0' }, '统一社会信用代码', /校验位错误|非法字符/],
    ['unknown county', { 所属县区代码: '999999' }, '所属县区代码', /不存在或不在您的辖区内/],
    ['county outside scope', { 所属县区代码: '110101' }, '所属县区代码', /不在您的辖区内/],
    ['bad date', { 成立日期: '2023-02-30' }, '成立日期', /不是有效日期/],
    ['wrong type (count)', { 从业人数: '十二' }, '从业人数', /非负整数/],
    [
      'wrong ID check',
      { '法定代表人/经营者身份证号': ID.slice(0, 17) + (ID[17] === '1' ? '2' : '1') },
      '法定代表人/经营者身份证号',
      /校验位错误/,
    ],
    ['bad kind', { 主体类型: '外星企业' }, '主体类型', /无法识别/],
    ['missing name', { 名称: '', 主体类型: '企业' }, '名称', /不能为空/],
    ['formula cell', { 名称: '=HYPERLINK("http://x","点我")', 从业人数: '=1+1' }, '从业人数', /非负整数/],
  ];

  it.each(badCases)('rejects %s with a report row, and writes nothing for it', async (_name, over, col, reason) => {
    const before = await ledgerState(t);
    const row = reg(over);
    const { job, rejections } = await importFile(t, 'registry', csvFile(dir, 'bad.csv', [row]), importer);
    expect(job).toMatchObject({ status: 'done', rows_read: 1, rows_accepted: 0, rows_rejected: 1 });
    expect(rejections[0]).toMatchObject({ row_no: 2, col });
    expect(rejections.map((r) => r.reason).join()).toMatch(reason);
    expect(await ledgerState(t)).toBe(before);
  });

  it('masks personal data in the report row, and keeps the raw row only encrypted', async () => {
    const bad = ID.slice(0, 17) + (ID[17] === '1' ? '2' : '1');
    const { rejections } = await importFile(
      t,
      'registry',
      csvFile(dir, 'id.csv', [reg({ '法定代表人/经营者身份证号': bad })]),
      importer,
    );
    expect(rejections[0].value).toBe(`${bad.slice(0, 6)}********${bad.slice(-4)}`);
    expect(rejections[0].raw_enc).not.toContain(bad);
  });

  it('imports a row whose 经营范围 (a column it does not read) is over the field limit; a read column over it still refuses the row', async () => {
    // 1,600 characters of 经营范围 are 4,800 bytes in UTF-8: over the 4,096-byte limit of a CSV field.
    const scope = '技术服务、技术开发、技术咨询；'.repeat(110);
    const long = reg({ 经营范围: scope });
    const badName = reg({ 名称: '很长的名称'.repeat(300), 经营范围: scope });
    const { job, rejections } = await importFile(t, 'registry', csvFile(dir, 'scope.csv', [long, badName]), importer);
    expect(rejections).toMatchObject([{ row_no: 3, col: '名称', reason: expect.stringMatching(/超过 4096 字节/) }]);
    expect(job).toMatchObject({ rows_accepted: 1, rows_rejected: 1 });
    const e = await t.db
      .selectFrom('entity')
      .select('name')
      .where('uscc', '=', long['统一社会信用代码'])
      .executeTakeFirst();
    expect(e?.name).toBe(long['名称']);
  });

  it('refuses a row whose read cell holds a direction control (a name shown reversed), naming the column; the same control in a column it does not read is no matter', async () => {
    const reversed = reg({ 名称: '\u202e店吃小三张' });
    const noted = reg({ 备注: '\u2067备注\u2069' });
    const { job, rejections } = await importFile(
      t,
      'registry',
      csvFile(dir, 'direction.csv', [reversed, noted]),
      importer,
    );
    expect(rejections).toMatchObject([{ row_no: 2, col: '名称', reason: expect.stringMatching(/改变文字方向/) }]);
    expect(job).toMatchObject({ rows_accepted: 1, rows_rejected: 1 });
    const kept = await t.db
      .selectFrom('entity')
      .select('uscc')
      .where('uscc', 'in', [reversed['统一社会信用代码'], noted['统一社会信用代码']])
      .execute();
    expect(kept.map((e) => e.uscc)).toEqual([noted['统一社会信用代码']]);
  });

  it('takes rows with nothing in the columns it reads (a 序号 numbered down before anything was filled in) for blank rows', async () => {
    const filled = [reg(), reg()].map((r, i) => ({ 序号: String(i + 1), ...r, 经营范围: '' }));
    const numbered = Array.from({ length: 30 }, (_, i) => ({ 序号: String(i + 3) }));
    // Words in a column it does not read are something: that row is read, and refused saying what it lacks.
    const scopeOnly = { 序号: '33', 经营范围: '日用百货销售' };
    const { job, rejections } = await importFile(
      t,
      'registry',
      csvFile(dir, 'numbered.csv', [...filled, ...numbered, scopeOnly]),
      importer,
    );
    expect(new Set(rejections.map((r) => r.row_no))).toEqual(new Set([34]));
    expect(job).toMatchObject({ status: 'done', rows_read: 3, rows_accepted: 2, rows_rejected: 1 });
  });

  it('reports a key repeated in one file, keeps the first, also across batches', async () => {
    const a = reg();
    const rows = [a, reg(), reg(), { ...a, 名称: '重复的第二行' }];
    const { job, rejections } = await importFile(t, 'registry', csvFile(dir, 'dup.csv', rows), importer, {
      batchSize: 2,
    });
    expect(job).toMatchObject({ rows_accepted: 3, rows_rejected: 1 });
    expect(rejections).toMatchObject([{ row_no: 5, reason: '与第 2 行重复，保留第 2 行' }]);
    const e = await t.db
      .selectFrom('entity')
      .select('name')
      .where('uscc', '=', a['统一社会信用代码'])
      .executeTakeFirstOrThrow();
    expect(e.name).toBe(a['名称']);
  });

  it('finds repeats alike when the keys outgrow the in-memory table and go to the database', async () => {
    // 8 slots hold 4 keys: rows 2–5 stay in memory, the later ones are recorded in import_key.
    const first = Array.from({ length: 7 }, () => reg());
    const rows = [
      ...first,
      { ...first[1], 名称: '重复甲' },
      { ...first[5], 名称: '重复乙' },
      { ...first[6], 名称: '重复丙' },
    ];
    const stored: number[] = [];
    const { job, rejections } = await importFile(t, 'registry', csvFile(dir, 'dup-spill.csv', rows), importer, {
      batchSize: 3,
      keySlots: 8,
      afterBatch: async () => {
        stored.push((await t.db.selectFrom('import_key').select('row_no').execute()).length);
      },
    });
    expect(stored).toEqual([0, 2, 3, 3]);
    expect(job).toMatchObject({ status: 'done', rows_accepted: 7, rows_rejected: 3 });
    expect(rejections.map((r) => [r.row_no, r.reason])).toEqual([
      [9, '与第 3 行重复，保留第 3 行'],
      [10, '与第 7 行重复，保留第 7 行'],
      [11, '与第 8 行重复，保留第 8 行'],
    ]);
    const names = await t.db
      .selectFrom('entity')
      .select('name')
      .where(
        'uscc',
        'in',
        [first[1], first[5], first[6]].map((r) => r['统一社会信用代码']),
      )
      .execute();
    expect(names.map((n) => n.name).sort()).toEqual([first[1], first[5], first[6]].map((r) => r['名称']).sort());
    expect(await t.db.selectFrom('import_key').select('h').where('job_id', '=', job.id).execute()).toEqual([]);
  });

  it('refuses a file missing required columns, naming them, and writes nothing', async () => {
    const before = await ledgerState(t);
    const row = reg();
    delete (row as Record<string, string>)['名称'];
    const { job } = await importFile(t, 'registry', csvFile(dir, 'cols.csv', [row]), importer);
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/缺少必需的列：名称/);
    expect(await ledgerState(t)).toBe(before);
  });

  it('refuses a truncated CSV and a corrupt XLSX with a clear message', async () => {
    const f = path.join(dir, 'cut.csv');
    fs.writeFileSync(f, '名称,主体类型,所属县区代码,统一社会信用代码\n"玄武区某店,个体工商户,320102,x');
    expect((await importFile(t, 'registry', f, importer)).job.error).toMatch(/引号未闭合|文件不完整/);
    const x = path.join(dir, 'corrupt.xlsx');
    fs.writeFileSync(x, Buffer.from('PK\u0003\u0004 this is not really a zip file'));
    expect((await importFile(t, 'registry', x, importer)).job.error).toMatch(/不是有效的 XLSX/);
  });

  it('refuses an XLSX zip bomb before inflating it', async () => {
    const before = await ledgerState(t);
    // A sheet that inflates to 200 MB from a few hundred KB.
    const file = path.join(dir, 'bomb.xlsx');
    const zip = new yazl.ZipFile();
    zip.addBuffer(Buffer.alloc(200 * 1024 ** 2, 0x20), 'xl/worksheets/sheet1.xml');
    zip.end();
    await pipeline(zip.outputStream, fs.createWriteStream(file));
    const { job } = await importFile(t, 'registry', file, importer, {
      limits: { maxUncompressedBytes: 100 * 1024 ** 2, maxRatio: 100, maxRows: 1000 },
    });
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/压缩炸弹/);
    expect(await ledgerState(t)).toBe(before);
  });

  it('reads GB18030/GBK CSV and XLSX alike', async () => {
    const r1 = reg({ 名称: '玄武区国标编码测试店' });
    const gbk = path.join(dir, 'gbk.csv');
    const text = [Object.keys(r1).join(','), Object.values(r1).join(',')].join('\r\n');
    fs.writeFileSync(gbk, iconv.encode(text, 'gbk'));
    expect((await importFile(t, 'registry', gbk, importer)).job.rows_accepted).toBe(1);
    expect(
      await t.db.selectFrom('entity').select('name').where('uscc', '=', r1['统一社会信用代码']).executeTakeFirst(),
    ).toEqual({ name: '玄武区国标编码测试店' });
    const r2 = reg({ 名称: '玄武区表格测试店' });
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('数据');
    ws.addRow(Object.keys(r2));
    ws.addRow(Object.values(r2));
    const xf = path.join(dir, 'ok.xlsx');
    await wb.xlsx.writeFile(xf);
    expect((await importFile(t, 'registry', xf, importer)).job.rows_accepted).toBe(1);
  });

  it('refuses a name whose rare character a GBK CSV could not hold (Excel wrote ?), saying how to save the file', async () => {
    // Excel's "CSV (逗号分隔)" on a Chinese Windows writes GBK, which has no 𠮷: the name comes as 吴?.
    const rows = [
      reg({ 名称: '玄武区𠮷祥小吃店' }),
      reg({ '法定代表人/经营者': '吴𠮷' }),
      reg({ 名称: '玄武区国标无损店' }),
    ];
    const text = [Object.keys(rows[0]).join(','), ...rows.map((r) => Object.values(r).join(','))].join('\r\n');
    const gbk = path.join(dir, 'gbk-lost.csv');
    fs.writeFileSync(gbk, iconv.encode(text, 'gbk'));
    const { job, rejections } = await importFile(t, 'registry', gbk, importer);
    expect(job).toMatchObject({ rows_accepted: 1, rows_rejected: 2 });
    expect(rejections.map((r) => [r.row_no, r.col])).toEqual([
      [2, '名称'],
      [3, '法定代表人/经营者'],
    ]);
    expect(rejections[0].reason).toMatch(/^名称"玄武区\?祥小吃店"含问号：多为生僻字.*另存为"CSV UTF-8/);
    expect(rejections[1].reason).toMatch(/^法定代表人\/经营者姓名"吴\?"含问号/);
    expect(await t.db.selectFrom('person').select('name').where('name', 'like', '%?%').execute()).toEqual([]);
  });

  it('matches headers tolerantly (aliases, spaces, provincial field codes)', async () => {
    const u = code();
    const f = csvFile(dir, 'alias.csv', [
      { 信用代码: u, 企业名称: '玄武区别名测试店', 类型: '个体户', ' 县区代码 ': '320102' },
    ]);
    expect((await importFile(t, 'registry', f, importer)).job.rows_accepted).toBe(1);
    const ar = csvFile(dir, 'ar-alias.csv', [
      { uniscid: u, ancheyear: '2025', empnum: '4', numParM: '1', parIns: '0', resParMSign: '2' },
    ]);
    const { job } = await importFile(t, 'annual_report', ar, importer);
    expect(job.rows_accepted).toBe(1);
    const a = await t.db
      .selectFrom('annual_report as a')
      .innerJoin('entity as e', 'e.id', 'a.entity_id')
      .select(['a.party_members', 'a.party_org_form', 'a.rep_is_member'])
      .where('e.uscc', '=', u)
      .executeTakeFirstOrThrow();
    expect(a).toEqual({ party_members: 1, party_org_form: 0, rep_is_member: false });
  });

  it('annual reports: refuses more members than employees, unknown entities and bad years', async () => {
    const u = code();
    await importFile(t, 'registry', csvFile(dir, 'e.csv', [reg({ 统一社会信用代码: u })]), importer);
    const rows = [
      { 统一社会信用代码: u, 年报年度: '2025', 从业人数: '3', '党员人数（含预备党员）': '5' },
      { 统一社会信用代码: code(), 年报年度: '2025', 从业人数: '3', '党员人数（含预备党员）': '1' },
      { 统一社会信用代码: u, 年报年度: '1999', 从业人数: '3', '党员人数（含预备党员）': '1' },
      { 统一社会信用代码: u, 年报年度: '2024', 从业人数: '3', '党员人数（含预备党员）': '1' },
    ];
    const { job, rejections } = await importFile(t, 'annual_report', csvFile(dir, 'ar.csv', rows), importer);
    expect(job).toMatchObject({ rows_accepted: 1, rows_rejected: 3 });
    expect(rejections.map((r) => [r.row_no, r.reason])).toEqual([
      [2, '党员人数（5）不能多于从业人数（3）'],
      [3, '台账中没有这个主体（或不在您的辖区内），请先导入其登记信息'],
      [4, expect.stringMatching(/年报年度"1999"无效/)],
    ]);
  });

  it("annual reports: a county's summary without a 年报年度 column takes the year its title gives, and says so", async () => {
    const u = code();
    await importFile(t, 'registry', csvFile(dir, 'e-title.csv', [reg({ 统一社会信用代码: u })]), importer);
    const f = path.join(dir, '年报汇总.csv');
    fs.writeFileSync(
      f,
      iconv.encode(
        [
          '2024年度个体工商户年报党建信息汇总表,,',
          '统一社会信用代码,从业人数,党员人数',
          `${u},3,1`,
          `${u.slice(0, 17)}0,3,5`,
          '合计,6,6',
        ].join('\r\n'),
        'gb18030',
      ),
    );
    const note = '文件中没有"年报年度"列：按标题"2024年度个体工商户年报党建信息汇总表"，年报年度 2024';
    const p = await previewFile(t.ctx.keys, 'annual_report', 'u1', f, '年报汇总.csv', {});
    expect(p.missing).toEqual([]);
    expect(p.footer).toContain(`${note} 将用于每一行`);
    expect(p.sample.map((s) => s.problems.map((x) => x.field))).toEqual([[], ['uscc']]);
    const { job, rejections } = await importFile(t, 'annual_report', f, importer);
    expect(job).toMatchObject({ status: 'done', rows_accepted: 1, rows_rejected: 1 });
    expect(job.footer).toContain(`${note} 已用于每一行`);
    // The refused row goes to the error report with the year as a column: put right, it imports alone.
    expect(JSON.parse(decryptField(t.ctx.keys, rejections[0].raw_enc!))).toMatchObject({ 年报年度: '2024' });
    const a = await t.db
      .selectFrom('annual_report as a')
      .innerJoin('entity as e', 'e.id', 'a.entity_id')
      .select(['a.year', 'a.party_members'])
      .where('e.uscc', '=', u)
      .execute();
    expect(a).toEqual([{ year: 2024, party_members: 1 }]);
    // A title that names no report's year leaves the column required.
    fs.writeFileSync(f, ['党建信息汇总表', '统一社会信用代码,从业人数,党员人数', `${u},3,1`].join('\r\n'));
    const none = await importFile(t, 'annual_report', f, importer);
    expect(none.job).toMatchObject({ status: 'failed', error: expect.stringMatching(/^缺少必需的列：年报年度/) });
  });

  it('re-importing the same files changes nothing', async () => {
    const places = await demoPlaces(t.db, ['320102', '320104']);
    const files = await writeDemoFiles(path.join(dir, 'demo'), { entities: 400, seed: 5, badShare: 0.05, places });
    await importFile(t, 'registry', files.registry, importer, { batchSize: 100 });
    await importFile(t, 'annual_report', files.annualReport, importer, { batchSize: 100 });
    const state = await ledgerState(t);
    const history = await t.db
      .selectFrom('ledger_history')
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow();
    const again = await importFile(t, 'registry', files.registry, importer, { batchSize: 100 });
    const again2 = await importFile(t, 'annual_report', files.annualReport, importer, { batchSize: 100 });
    expect(again.job.rows_changed + again2.job.rows_changed).toBe(0);
    expect(await ledgerState(t)).toBe(state);
    expect(
      (
        await t.db
          .selectFrom('ledger_history')
          .select(sql<number>`count(*)::int`.as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ).toBe(history.n);
  });

  // Three databases are migrated here: on a busy shared machine that alone nears the default 60 s.
  it('a killed import, re-run, ends in the same state as an uninterrupted one', async () => {
    const other = await testApp(backend);
    try {
      const places = await demoPlaces(t.db, ['320105']);
      const files = await writeDemoFiles(path.join(dir, 'kill'), { entities: 500, seed: 9, badShare: 0.05, places });
      const otherImporter = {
        id: (await other.user({ roles: ['editor'], jurisdiction: '320100' })).id,
        scopeKey: '3201',
      };
      // Uninterrupted, into a fresh database.
      await importFile(other, 'registry', files.registry, otherImporter, { batchSize: 50 });
      const expected = await ledgerState(other);
      // Killed after 3 batches here, then run again.
      const t2 = await testApp(backend);
      try {
        const imp = { id: (await t2.user({ roles: ['editor'], jurisdiction: '320100' })).id, scopeKey: '3201' };
        await expect(
          importFile(t2, 'registry', files.registry, imp, {
            batchSize: 50,
            afterBatch: (n) => {
              if (n === 3) throw new Error('killed');
            },
          }),
        ).rejects.toThrow('killed');
        const partial = await t2.db
          .selectFrom('entity')
          .select(sql<number>`count(*)::int`.as('n'))
          .executeTakeFirstOrThrow();
        expect(partial.n).toBeGreaterThan(0);
        expect(partial.n).toBeLessThan(500);
        await importFile(t2, 'registry', files.registry, imp, { batchSize: 50 });
        const got = JSON.parse(await ledgerState(t2));
        JSON.parse(expected).forEach((part: unknown[], i: number) => expect(got[i], `part ${i}`).toEqual(part));
      } finally {
        await t2.close();
      }
    } finally {
      await other.close();
    }
  }, 180_000);
});
