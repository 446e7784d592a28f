import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import XLSX from 'xlsx';
import iconv from 'iconv-lite';
import { BACKENDS } from '../helpers/db.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { importFile } from '../helpers/imports.js';
import { previewFile } from '../../src/features/imports/service.js';
import { TEMPLATES } from '../../src/jobs/import/templates.js';
import { VOCABULARY } from '../../src/domain/import/vocabulary.js';
import { decryptField } from '../../src/crypto/field.js';
import { id, uscc, type Outcome } from '../fixtures/extracts/generate.js';

/**
 * The extract corpus (test/fixtures/extracts, written by its generate.ts): files shaped like what
 * the registration system, the annual-report system and the organization department export, each
 * imported as a clerk would and checked row by row against the outcome beside it.
 */
const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/extracts');
// In this order: the annual report needs the registry files' entities.
const FILES = [
  'registry-enterprise.gb18030.csv',
  'registry-individual.xlsx',
  'registry-individual.xls',
  'mixed-line-ends.csv',
  'cut-gbk.csv',
  'duplicate-headers.csv',
  'long-field.csv',
  'xlsx-renamed.csv',
  'registry-exchange.gb18030.txt',
  'registry-libreoffice.ods',
  'annual-report.utf8bom.csv',
  'roster.xlsx',
  'roster-web-export.xls',
];
/** Multipart body for an upload, as a browser would send it. */
async function multipart(name: string, content: string | Uint8Array<ArrayBuffer>) {
  const fd = new FormData();
  fd.append('file', new Blob([content]), name);
  const res = new Response(fd);
  return { body: Buffer.from(await res.arrayBuffer()), type: res.headers.get('content-type')! };
}
/** Starts an uploaded file's import as the web does and waits for its end: the job as the clerk reads it. */
async function startedToEnd(clerk: Awaited<ReturnType<TestApp['signIn']>>, upload: string) {
  const started = await clerk.post('/imports/registry/start', { upload, acknowledge: [] });
  expect(started.statusCode).toBe(202);
  const job = () => clerk.get(`/imports/${started.json().id}`);
  await expect.poll(async () => (await job()).json().status, { timeout: 30_000 }).toBe('done');
  return (await job()).json();
}
const outcome = (name: string) =>
  JSON.parse(fs.readFileSync(path.join(DIR, `${name}.expected.json`), 'utf8')) as Outcome;

it('every field of the header vocabulary is a field the import template reads', () => {
  for (const kind of Object.keys(VOCABULARY) as (keyof typeof VOCABULARY)[]) {
    const fields = new Set(TEMPLATES[kind].columns.map((c) => c.field));
    expect(
      Object.keys(VOCABULARY[kind]).filter((f) => !fields.has(f)),
      kind,
    ).toEqual([]);
  }
});

describe.each(BACKENDS)('extract corpus on %s', (backend) => {
  let t: TestApp;
  const users: Record<string, { id: number; scopeKey: string }> = {};
  beforeAll(async () => {
    t = await testApp(backend);
    users['320100'] = { id: (await t.user({ roles: ['editor'], jurisdiction: '320100' })).id, scopeKey: '3201' };
    users['320102'] = { id: (await t.user({ roles: ['editor'], jurisdiction: '320102' })).id, scopeKey: '320102' };
  });
  afterAll(() => t?.close());

  it.each(FILES)('%s: the column plan uses or names every column, with nothing to acknowledge', async (name) => {
    const exp = outcome(name);
    if (exp.status === 'failed')
      return expect(
        previewFile(t.ctx.keys, exp.kind, 'u1-0000000000000000', path.join(DIR, name), name, {}),
      ).rejects.toThrow(exp.error);
    const p = await previewFile(t.ctx.keys, exp.kind, 'u1-0000000000000000', path.join(DIR, name), name, {});
    expect(p.missing).toEqual([]);
    expect(p.warnings).toEqual([]);
    expect(p.columns.every((c) => c.field || /不导入/.test(c.note))).toBe(true);
    expect(JSON.stringify(p.sample)).not.toMatch(/\d{6}\d{8}\d{3}[\dX]/); // ID numbers masked in the preview
    // Every row's verdict in a preview of the whole file agrees with the import: a row imported has
    // no problem; a row refused has one in the column the error report names, or none where what
    // refuses it is not on the row (its county, an entity not on file).
    const whole = await previewFile(t.ctx.keys, exp.kind, 'u1', path.join(DIR, name), name, {}, undefined, 1000);
    expect(whole.sample.length).toBe(exp.rows.length);
    expect(whole.footer).toBe(exp.footer?.replace('未导入', '将不导入') ?? null); // the import's footer, said before it runs
    const flagged = whole.sample.filter((s) => s.problems.length).map((s) => s.rowNo);
    for (const r of exp.rows) {
      const s = whole.sample.find((x) => x.rowNo === r.row)!;
      if (r.accepted) expect(s.problems, `row ${r.row}`).toEqual([]);
      else if (s.problems.length)
        expect(
          s.problems.map((x) => x.label),
          `row ${r.row}`,
        ).toContain(r.col);
    }
    const placeOrLedger = exp.rows.filter((r) => !r.accepted && /县区|辖区|台账中没有|重复/.test(r.reason)).length;
    expect(flagged.length).toBe(exp.rows.filter((r) => !r.accepted).length - placeOrLedger);
  });

  it('skips a second header line (the field codes over their Chinese names) rather than refusing it as a row', async () => {
    const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'xgz-codes-')), 'exchange.csv');
    fs.writeFileSync(
      f,
      [
        'UNISCID,ENTNAME,ENTTYPE,ESTDATE',
        '统一社会信用代码,企业名称,企业类型,成立日期',
        `${uscc('91', '320102', 'MA1PRX0B3')},双表头甲公司,有限责任公司,2019-05-01`,
      ].join('\r\n'),
    );
    const p = await previewFile(t.ctx.keys, 'registry', 'u1', f, 'exchange.csv', {});
    expect(p).toMatchObject({ headerRowNo: 2, headers: ['统一社会信用代码', '企业名称', '企业类型', '成立日期'] });
    expect(p.sample.map((s) => [s.rowNo, s.problems])).toEqual([[3, []]]);
  });

  it('previews a row as it will be stored, and says what would refuse one, masked as the preview masks', async () => {
    const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'xgz-preview-')), 'roster.csv');
    fs.writeFileSync(
      f,
      [
        '姓名,公民身份号码,人员类别,入党日期,转正日期,所在党支部',
        '周一,320102198808081317,正式党员,2010年7月,43586,第一党支部',
        `吴二,${id('320102', '19900101', '123')},正式党员,二〇一〇年,2011-07-01,第一党支部`,
        `郑三,${id('320102', '19900202', '123')},党员,2010-07-01,2011-07-01,第一党支部`,
      ].join('\n'),
    );
    const p = await previewFile(t.ctx.keys, 'roster', 'u1', f, 'roster.csv', {});
    expect(p.sample.map((s) => s.problems.map((x) => x.label))).toEqual([[], ['入党日期'], ['人员类别']]);
    expect(p.sample[1].problems[0].reason).not.toContain('二〇一〇年'); // a party fact: only "filled" is shown
    // Only the quoted value is masked: the options it is part of (正式党员) still read.
    expect(p.sample[2].problems[0].reason).toMatch(/^人员类别"（已填写）"无法识别，可填：正式党员、/);
    expect(p.sample[0].values.idNumber).not.toContain('19880808');

    const g = path.join(path.dirname(f), 'registry.csv');
    fs.writeFileSync(
      g,
      [
        '统一社会信用代码,企业名称,市场主体类型,成立日期,登记状态,所属县区,法定代表人,联系电话',
        `${uscc('91', '320102', 'MA1PRX0A1')},预览甲店,有限责任公司,43586,存续,320102,王一,0086 139 1234 5678`,
        `${uscc('91', '320102', 'MA1PRX0A2')},预览乙店,有限责任公司,2019年5月1日,确认,320102,王二,13912345678`,
        `${uscc('92', '320102', 'MA1PRX0A3')},*,个体工商户,2019-05-01,存续,320102,王\u3000三,`,
      ].join('\n'),
    );
    const r = await previewFile(t.ctx.keys, 'registry', 'u1', g, 'registry.csv', {});
    expect(r.sample.map((s) => s.values.registeredOn)).toEqual(['2019-05-01', '2019年5月1日', '2019-05-01']);
    expect(r.sample[2].values.name).toBe('王三（个体工商户）'); // a 个体工商户 without a 字号, named as it will be
    expect(r.sample[2].values.repName).toBe('王三'); // a person's name as it is kept: the padding (王\u3000三) gone
    expect(r.sample[0].values.repPhone).toBe('139****5678'); // as it will be stored, masked
    expect(r.sample[1].problems).toEqual([
      { field: 'status', label: '登记状态', reason: expect.stringMatching(/^登记状态"确认"无法识别/) },
    ]);
  });

  it.each(FILES)('%s imports as expected, row by row', async (name) => {
    const exp = outcome(name);
    const count = async () =>
      (
        await sql<{
          n: number;
        }>`SELECT (SELECT count(*) FROM entity) + (SELECT count(*) FROM annual_report) + (SELECT count(*) FROM member) AS n`.execute(
          t.db,
        )
      ).rows[0].n;
    const before = await count();
    const { job, rejections } = await importFile(t, exp.kind, path.join(DIR, name), users[exp.uploader]);
    expect(job.status, job.error ?? '').toBe(exp.status);
    if (exp.status === 'failed') {
      expect(job.error).toContain(exp.error);
      expect(await count()).toBe(before); // refused whole: nothing written
      return;
    }
    const refused = exp.rows.filter((r) => !r.accepted);
    const accepted = exp.rows.filter((r) => r.accepted);
    expect([...new Set(rejections.map((r) => r.row_no))]).toEqual(refused.map((r) => r.row));
    for (const r of refused) {
      const got = rejections.filter((x) => x.row_no === r.row);
      expect(
        got.map((g) => g.col),
        `row ${r.row}`,
      ).toContain(r.col);
      expect(got.map((g) => g.reason).join('；'), `row ${r.row}`).toContain(r.reason);
      expect(JSON.stringify(got)).not.toContain('\ufffd');
      for (const g of got.filter((x) => x.raw_enc)) {
        const raw = JSON.parse(decryptField(t.ctx.keys, g.raw_enc!)) as Record<string, string>;
        expect(Object.values(raw).join('')).not.toContain('\ufffd');
        // A field over the limit is kept cut in the error report, never whole.
        for (const v of Object.values(raw)) expect(Buffer.byteLength(v)).toBeLessThanOrEqual(4096 + 3);
      }
    }
    expect(job.rows_accepted).toBe(accepted.length);
    expect(job.rows_read).toBe(exp.rows.length);
    expect(job.footer).toBe(exp.footer ?? null);
    for (const r of accepted) {
      if (!r.accepted) continue;
      if (exp.kind === 'registry') {
        const e = await t.db.selectFrom('entity').selectAll().where('uscc', '=', r.key).executeTakeFirst();
        expect(e, `row ${r.row}`).toBeDefined();
        if (r.entity) expect(e, `row ${r.row}`).toMatchObject(r.entity);
        expect(`${e!.name}${e!.address}`).not.toContain('\ufffd');
        if (r.person) {
          const p = await sql<{
            role: string;
            has_id: boolean;
            has_phone: boolean;
          }>`SELECT ep.role, p.id_bi IS NOT NULL AS has_id, p.phone_bi IS NOT NULL AS has_phone FROM entity_person ep JOIN person p ON p.id = ep.person_id WHERE ep.entity_id = ${e!.id}`.execute(
            t.db,
          );
          expect(p.rows[0], `row ${r.row}`).toMatchObject(r.person);
        }
      } else if (exp.kind === 'annual_report') {
        const [code, year] = r.key.split('|');
        const a =
          await sql`SELECT 1 FROM annual_report a JOIN entity e ON e.id = a.entity_id WHERE e.uscc = ${code} AND a.year = ${Number(year)}`.execute(
            t.db,
          );
        expect(a.rows, `row ${r.row}`).toHaveLength(1);
      } else {
        const m = await sql`SELECT 1 FROM member m JOIN person p ON p.id = m.person_id WHERE p.name = ${r.key}`.execute(
          t.db,
        );
        expect(m.rows, `row ${r.row}`).toHaveLength(1);
      }
    }
  });

  it('takes an .xls and an .ods upload through the web route and plans their columns; refuses a file type it does not read, naming the types', async () => {
    const clerk = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: '320102' }));
    const xls = await multipart(
      '个体工商户.xls',
      new Uint8Array(fs.readFileSync(path.join(DIR, 'registry-individual.xls'))),
    );
    const up = await clerk.call('POST', '/imports/registry/upload', xls.body, { 'content-type': xls.type });
    expect(up.statusCode, up.body).toBe(200);
    expect(up.json()).toMatchObject({ format: 'xls', missing: [], warnings: [] });
    const ods = await multipart(
      '名录.ods',
      new Uint8Array(fs.readFileSync(path.join(DIR, 'registry-libreoffice.ods'))),
    );
    const odsUp = await clerk.call('POST', '/imports/registry/upload', ods.body, { 'content-type': ods.type });
    expect(odsUp.json()).toMatchObject({ format: 'ods', headerRowNo: 2, missing: [], warnings: [] });
    const doc = await multipart('说明.docx', 'not a table');
    const refused = await clerk.call('POST', '/imports/registry/upload', doc.body, { 'content-type': doc.type });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().detail).toBe(
      '只支持 .xlsx、Excel 二进制工作簿（.xlsb）、.xls（含 WPS 的 .et）、OpenDocument 表格（.ods）、Excel 2003 XML 表格（.xml）、.csv 或 .txt 文件',
    );
  });

  it('maps a column the vocabulary does not know, warns about an unused phone column until acknowledged, and reuses the mapping as a saved profile', async () => {
    const clerk = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: '320102' }));
    const code = uscc('92', '320102', 'MA2NGH3E1');
    const text = `统一社会信用代码,商户字号,组成形式,经营者,备用号码\r\n${code},映射测试小吃店,个人经营,周一,13912345670\r\n`;
    const { body, type } = await multipart('某区导出.csv', text);
    const up = await clerk.call('POST', '/imports/registry/upload', body, { 'content-type': type });
    expect(up.statusCode).toBe(200);
    const p = up.json();
    expect(p.missing).toEqual([{ field: 'name', label: '名称' }]);
    expect(p.columns.find((c: { header: string }) => c.header === '商户字号').note).toBe('不导入（无法识别的列）');
    expect(p.warnings).toEqual([{ header: '备用号码', reason: '列"备用号码"像手机号，将不导入（无法识别的列）' }]);
    expect(p.sample[0].values).toMatchObject({ uscc: code, repName: '周一' });
    // Not startable while a required field has no column …
    const refused = await clerk.post('/imports/registry/start', { upload: p.upload });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().detail).toMatch(/缺少必需的列：名称/);
    // … the mapping step chooses it, the preview follows …
    const mapped = (
      await clerk.post('/imports/registry/plan', { upload: p.upload, mapping: { name: '商户字号' } })
    ).json();
    expect(mapped.missing).toEqual([]);
    expect(mapped.sample[0].values.name).toBe('映射测试小吃店');
    // … and the warning must be acknowledged, by the column's name.
    const unacknowledged = await clerk.post('/imports/registry/start', {
      upload: p.upload,
      mapping: { name: '商户字号' },
    });
    expect(unacknowledged.statusCode).toBe(400);
    expect(unacknowledged.json().detail).toMatch(/以下列将不导入，请确认后再开始：列"备用号码"像手机号/);
    // Someone else cannot use this upload.
    const other = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: '320102' }));
    expect((await other.post('/imports/registry/plan', { upload: p.upload })).statusCode).toBe(404);
    // The mapping saved as a profile, and the import started with it.
    const saved = await clerk.post('/import-profiles', {
      kind: 'registry',
      name: '某区个体户导出',
      mapping: { name: '商户字号' },
    });
    expect(saved.statusCode).toBe(200);
    expect((await clerk.get('/import-profiles?kind=registry')).json().map((x: { name: string }) => x.name)).toContain(
      '某区个体户导出',
    );
    const started = await clerk.post('/imports/registry/start', {
      upload: p.upload,
      profile: '某区个体户导出',
      acknowledge: ['备用号码'],
    });
    expect(started.statusCode).toBe(202);
    await t.app.imports.idle();
    const job = (await clerk.get(`/imports/${started.json().id}`)).json();
    expect(job).toMatchObject({ status: 'done', rowsAccepted: 1, rowsRejected: 0 });
    const e = await t.db
      .selectFrom('entity')
      .select(['name', 'kind', 'reg_type', 'county_code'])
      .where('uscc', '=', code)
      .executeTakeFirstOrThrow();
    expect(e).toEqual({ name: '映射测试小吃店', kind: 'individual', reg_type: '个体工商户', county_code: '320102' });
    // The one-step upload takes the same profile and acknowledgement.
    const again = await multipart('某区导出.csv', text);
    expect(
      (
        await clerk.call('POST', '/imports/registry?profile=' + encodeURIComponent('某区个体户导出'), again.body, {
          'content-type': again.type,
        })
      ).statusCode,
    ).toBe(400);
    expect(
      (
        await clerk.call(
          'POST',
          `/imports/registry?profile=${encodeURIComponent('某区个体户导出')}&acknowledge=${encodeURIComponent('备用号码')}`,
          again.body,
          { 'content-type': again.type },
        )
      ).statusCode,
    ).toBe(202);
    await t.app.imports.idle();
  });

  it('takes membership from 转正日期 when a roster has no 人员类别 column', async () => {
    const dir = fs.mkdtempSync(path.join((await import('node:os')).tmpdir(), 'xgz-roster-'));
    const file = path.join(dir, '名册.csv');
    fs.writeFileSync(
      file,
      '姓名,入党日期,转正日期,所在党支部\r\n转正甲,2010-07-01,2011-07-01,某支部\r\n预备乙,2025-07-01,,某支部\r\n',
    );
    const { job } = await importFile(t, 'roster', file, users['320102']);
    expect(job).toMatchObject({ status: 'done', rows_accepted: 2 });
    const rows = (
      await sql<{
        name: string;
        membership: string;
      }>`SELECT p.name, m.membership FROM member m JOIN person p ON p.id = m.person_id WHERE p.name IN ('转正甲', '预备乙') ORDER BY p.name`.execute(
        t.db,
      )
    ).rows;
    expect(rows).toHaveLength(2);
    expect(rows).toEqual(
      expect.arrayContaining([
        { name: '转正甲', membership: 'full' },
        { name: '预备乙', membership: 'probationary' },
      ]),
    );
  });

  it("takes a hand-kept roster's 出生年月 (1980.03) to the month: kept as the month, the key tells two namesakes apart, no day is made up", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xgz-roster-'));
    const file = path.join(dir, '花名册.csv');
    fs.writeFileSync(
      file,
      [
        '姓名,性别,出生年月,人员类别,入党时间,所在党支部',
        '同名丙,男,1980.03,正式党员,2005.07,某支部',
        '同名丙,男,1985年6月,正式党员,2009.07,某支部',
        '同名丁,女,1979-02-30,正式党员,2005.07,某支部',
      ].join('\r\n'),
    );
    const { job, rejections } = await importFile(t, 'roster', file, users['320102']);
    expect(job).toMatchObject({ status: 'done', rows_accepted: 2, rows_rejected: 1 });
    expect(rejections.map((r) => [r.row_no, r.col])).toEqual([[4, '出生年月']]);
    const rows = (
      await sql<{ birth: string | null; month: string | null; sex: string }>`
        SELECT p.birth_date::text AS birth, p.birth_month AS month, p.sex FROM member m JOIN person p ON p.id = m.person_id
        WHERE p.name = '同名丙' ORDER BY p.birth_month`.execute(t.db)
    ).rows;
    expect(rows).toEqual([
      { birth: null, month: '1980-03', sex: 'male' },
      { birth: null, month: '1985-06', sex: 'male' },
    ]);
  });

  it('takes 失联/出国（境）/流动 from their own yes-no columns beside 党籍状态, and refuses a flag it cannot read', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xgz-roster-'));
    const file = path.join(dir, '党员信息.csv');
    fs.writeFileSync(
      file,
      [
        '姓名,公民身份号码,人员类别,党籍状态,是否失联党员,是否流动党员',
        `流动戊,${id('320102', '19820101', '311')},正式党员,正常,否,是`,
        `失联己,${id('320102', '19830101', '322')},正式党员,正常,是,是`,
        `停止庚,${id('320102', '19840101', '333')},正式党员,停止党籍,否,是`,
        `正常辛,${id('320102', '19850101', '344')},正式党员,正常,否,否`,
        `不明壬,${id('320102', '19860101', '355')},正式党员,正常,不详,否`,
      ].join('\r\n'),
    );
    const { job, rejections } = await importFile(t, 'roster', file, users['320102']);
    expect(job).toMatchObject({ status: 'done', rows_accepted: 4, rows_rejected: 1 });
    expect(rejections.map((r) => [r.row_no, r.col])).toEqual([[6, '是否失联党员']]);
    const rows = (
      await sql<{ name: string; member_status: string }>`
        SELECT p.name, m.member_status FROM member m JOIN person p ON p.id = m.person_id
        WHERE p.name IN ('流动戊', '失联己', '停止庚', '正常辛') ORDER BY p.name`.execute(t.db)
    ).rows;
    expect(Object.fromEntries(rows.map((r) => [r.name, r.member_status]))).toEqual({
      流动戊: 'mobile',
      失联己: 'lost',
      停止庚: 'stopped',
      正常辛: 'normal',
    });
  });

  it('imports a county 个体工商户名册 saved by WPS (.et) with blank Sheet1 and Sheet3 and no type column: the code says the kind', async () => {
    const clerk = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: '320102' }));
    const codes = [uscc('92', '320102', 'MA2ET0001'), uscc('92', '320102', 'MA2ET0002')];
    const data = [
      ['个体工商户名册'],
      [],
      ['统一社会信用代码', '个体户名称', '经营者', '身份证号码', '经营场所', '成立日期', '联系电话'],
      [
        codes[0],
        'WPS名册一号店',
        '吴一',
        id('320102', '19881111', '411'),
        '玄武区龙蟠路1号',
        '2023.1.1',
        '013800001111',
      ],
      [
        codes[1],
        'WPS名册二号店',
        '吴二',
        id('320102', '19881112', '421'),
        '玄武区龙蟠路2号',
        '5/6/2023',
        '13800001112',
      ],
    ];
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet([]), 'Sheet1');
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(data), 'Sheet2');
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet([]), 'Sheet3');
    const book = new Uint8Array(XLSX.write(wb, { type: 'buffer', bookType: 'biff8' }) as Buffer);
    const { body, type } = await multipart('个体户名册.et', book);
    const up = await clerk.call('POST', '/imports/registry/upload', body, { 'content-type': type });
    expect(up.statusCode).toBe(200);
    expect(up.json()).toMatchObject({ sheet: 'Sheet2', headerRowNo: 3, missing: [], otherList: null });
    expect(await startedToEnd(clerk, up.json().upload)).toMatchObject({ rowsAccepted: 2, rowsRejected: 0 });
    const rows = await t.db
      .selectFrom('entity')
      .select(['uscc', 'kind', 'reg_type', 'registered_on'])
      .where('uscc', 'in', codes)
      .orderBy('uscc')
      .execute();
    expect(rows.map((r) => [r.kind, r.reg_type, String(r.registered_on).slice(0, 10)])).toEqual([
      ['individual', null, '2023-01-01'],
      ['individual', null, '2023-05-06'],
    ]);
  });

  it("reads a county's GBK list with invisible characters pasted into its cells as the cells show (round 11)", async () => {
    const clerk = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: '320102' }));
    const codes = [uscc('92', '320102', 'MA1KW0001'), uscc('92', '320102', 'MA1KW0002')];
    const text = [
      '统一社会信用代码\ufeff,个体户名称,主体类型,登记状态,经营者,经营者身份证号,经营场所,成立日期,',
      // A word joiner inside the code, a zero-width space after 存续, no-break spaces in the name.
      `${codes[0].slice(0, 8)}\u2060${codes[0].slice(8)},鼓楼\u00a0张三\u00a0水果店,个体工商户,存续\u200b,张\u00a0三,${id('320102', '19800101', '123')},玄武区中山路1号,2019-05-06,`,
      `${codes[1].toLowerCase()}\u200c,李四\u3000小吃,个体工商户,"存续（在营、开业、在册）",李四\u00ad,,玄武区中山路2号,2019.05.07.,`,
    ].join('\r\n');
    const { body, type } = await multipart('个体户.csv', new Uint8Array(iconv.encode(`${text}\r\n`, 'gb18030')));
    const up = await clerk.call('POST', '/imports/registry/upload', body, { 'content-type': type });
    expect(up.statusCode).toBe(200);
    expect(up.json()).toMatchObject({ missing: [] });
    expect(await startedToEnd(clerk, up.json().upload)).toMatchObject({ rowsAccepted: 2, rowsRejected: 0 });
    const rows = await t.db
      .selectFrom('entity')
      .select(['uscc', 'name', 'status', 'registered_on'])
      .where('uscc', 'in', codes)
      .orderBy('uscc')
      .execute();
    expect(rows.map((r) => [r.uscc, r.name, r.status, String(r.registered_on).slice(0, 10)])).toEqual([
      // A registered name has no spaces (clerk round 12): the padding goes, of any width.
      [codes[0], '鼓楼张三水果店', 'active', '2019-05-06'],
      [codes[1], '李四小吃', 'active', '2019-05-07'],
    ]);
  });

  it('tells a clerk who brings a 党组织台账 that such lists are entered on their page, not imported', async () => {
    const clerk = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: '320102' }));
    const text = `组织名称,组织类别,隶属关系,成立日期,书记姓名,覆盖企业,党员人数\r\n中共某公司支部委员会,党支部,某党委,2021.7.1,钱一,"${uscc('91', '320102', 'MA1W8K3T4')}、${uscc('91', '320102', 'MA1X2B7C1')}",5\r\n`;
    const { body, type } = await multipart('党组织台账.csv', text);
    const up = (await clerk.call('POST', '/imports/registry/upload', body, { 'content-type': type })).json();
    expect(up.otherList).toMatch(/^这个文件像是党组织名单：数据导入只读登记信息、年报、党员名册和信用名单/);
    const refused = await clerk.post('/imports/registry/start', { upload: up.upload });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().detail).toBe(up.otherList);
  });

  it("reads the roster's dates from date cells and its full-width ID", async () => {
    const rows = (
      await sql<{ name: string; join_date: string; membership: string; member_status: string; has_id: boolean }>`
      SELECT p.name, m.join_date::text AS join_date, m.membership, m.member_status, p.id_bi IS NOT NULL AS has_id FROM member m JOIN person p ON p.id = m.person_id ORDER BY p.name`.execute(
        t.db,
      )
    ).rows;
    expect(rows).toEqual(
      expect.arrayContaining([
        { name: '王建国', join_date: '2005-07-01', membership: 'full', member_status: 'normal', has_id: true },
        { name: '赵敏', join_date: '2001-07-01', membership: 'full', member_status: 'mobile', has_id: true },
        { name: '李华', join_date: '2025-07-01', membership: 'probationary', member_status: 'normal', has_id: false },
      ]),
    );
  });
});
