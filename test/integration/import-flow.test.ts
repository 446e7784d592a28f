import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { idNumber, uscc as makeUscc } from '../../src/demo/ledger.js';
import { sql } from 'kysely';
import { seededRandom } from '../../src/domain/random.js';
import { regNoCheckDigit } from '../../src/domain/identifiers/uscc.js';
import { LOCAL_ACCESS_FILE } from '../../src/features/imports/local.js';
import { BACKENDS } from '../helpers/db.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { csvFile, tmpDir } from '../helpers/imports.js';

const run = promisify(execFile);
const rnd = seededRandom(24);
const code = (county = '320102') => makeUscc(rnd, 'individual', county);
const A = '320102';
const B = '320104';
const S1 = '320102801'; // serves 梅园新村街道
const S2 = '320102802'; // serves 孝陵卫街道
const SB = '320104801';

type Client = Awaited<ReturnType<TestApp['signIn']>>;

/** Multipart body for an upload, as a browser would send it. */
async function multipart(name: string, content: Buffer) {
  const fd = new FormData();
  fd.append('file', new Blob([new Uint8Array(content)]), name);
  const res = new Response(fd);
  return { body: Buffer.from(await res.arrayBuffer()), type: res.headers.get('content-type')! };
}

const row = (over: Record<string, string>) => ({
  统一社会信用代码: code(),
  名称: `测试${Math.floor(rnd.next() * 1e6)}店`,
  主体类型: '个体工商户',
  住所: '玄武区某路 1 号',
  所属县区代码: A,
  ...over,
});

async function readXlsx(buf: Buffer) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as never);
  return wb;
}
const sheetRows = (ws: ExcelJS.Worksheet) => {
  const out: string[][] = [];
  ws.eachRow((r) =>
    out.push(
      (r.values as (string | number | null | undefined)[])
        .slice(1)
        .map((v) => (v === null || v === undefined ? '' : String(v))),
    ),
  );
  return out;
};

describe.each(BACKENDS)('import flow on %s', (backend) => {
  let t: TestApp;
  let county: Client;
  let countyUser: Awaited<ReturnType<TestApp['user']>>;
  const dir = tmpDir();

  const upload = async (c: Client, kind: string, name: string, content: Buffer, sheet?: string) => {
    const { body, type } = await multipart(name, content);
    const res = await c.call('POST', `/imports/${kind}${sheet ? `?sheet=${encodeURIComponent(sheet)}` : ''}`, body, {
      'content-type': type,
    });
    if (res.statusCode === 202) await t.app.imports.idle();
    return res;
  };
  const entity = (uscc: string) =>
    t.db.selectFrom('entity').selectAll().where('uscc', '=', uscc).executeTakeFirstOrThrow();

  beforeAll(async () => {
    t = await testApp(backend);
    countyUser = await t.user({ roles: ['editor'], jurisdiction: A });
    county = await t.signIn(countyUser);
    for (const [suffix, name, areas] of [
      ['801', '梅园测试市场监管所', ['梅园新村街道']],
      ['802', '孝陵卫测试市场监管所', ['孝陵卫街道']],
    ] as const) {
      expect((await county.post('/stations', { countyCode: A, suffix, name, servedAreas: areas })).statusCode).toBe(
        201,
      );
    }
    const b = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: B }));
    expect(
      (
        await b.post('/stations', {
          countyCode: B,
          suffix: '801',
          name: '夫子庙测试市场监管所',
          servedAreas: ['夫子庙街道'],
        })
      ).statusCode,
    ).toBe(201);
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes an import file name into the audit log with ID numbers and phones masked (round-5 probe)', async () => {
    const name = '王五身份证320115199812058626电话17801335127.csv';
    const content = fs.readFileSync(csvFile(dir, 'named.csv', [row({})]));
    const { body, type } = await multipart(name, content);
    expect((await county.call('POST', '/imports/registry/upload', body, { 'content-type': type })).statusCode).toBe(
      200,
    );
    expect((await upload(county, 'registry', name, content)).statusCode).toBe(202);
    const logged = await t.db
      .selectFrom('audit_log')
      .select(['action', 'detail'])
      .where('action', 'in', ['import.preview', 'import.upload'])
      .orderBy('id', 'desc')
      .limit(2)
      .execute();
    expect(logged.map((a) => a.action).sort()).toEqual(['import.preview', 'import.upload']);
    for (const a of logged)
      expect((a.detail as { fileName: string }).fileName, a.action).toBe(
        '王五身份证320115********8626电话178****5127.csv',
      );
  });

  it('imports the corrected error report (workbook, or its 待修正数据 as CSV); a row refused as a repeat never changes the entity', async () => {
    const u1 = code();
    const u2 = code();
    const rows = [
      row({
        统一社会信用代码: u1,
        名称: '玄武区好味小吃店',
        主体类型: '个体工商户',
        住所: '玄武区梅园新村街道长江路 1 号',
      }),
      row({ 统一社会信用代码: u2, 名称: '' }),
      row({ 统一社会信用代码: u1, 名称: '南京冒名贸易商行', 主体类型: '个体工商户', 住所: '别处 99 号' }),
    ];
    const first = await upload(county, 'registry', 'extract.csv', fs.readFileSync(csvFile(dir, 'extract.csv', rows)));
    expect(first.statusCode).toBe(202);
    expect((await county.get(`/imports/${first.json().id}`)).json()).toMatchObject({
      status: 'done',
      rowsAccepted: 1,
      rowsRejected: 2,
    });
    const good = await entity(u1);
    expect(good).toMatchObject({ name: '玄武区好味小吃店', kind: 'individual', station_code: S1 });

    // The error report: the repeat carries its mark; fix the empty name and upload the whole workbook back.
    const report = await readXlsx((await county.get(`/imports/${first.json().id}/errors`)).rawPayload);
    expect(report.worksheets.map((w) => w.name)).toEqual(['错误明细', '待修正数据']);
    const fix = report.getWorksheet('待修正数据')!;
    const head = sheetRows(fix)[0];
    expect(head.slice(0, 2)).toEqual(['原行号', '重复标记']);
    const data = sheetRows(fix).slice(1);
    expect(data.map((r) => r[0])).toEqual(['3', '4']);
    expect(data[1][1]).toMatch(/与原文件第 2 行同一主体/);
    fix.getRow(2).getCell(head.indexOf('名称') + 1).value = '玄武区改正后小吃店';
    const again = await upload(county, 'registry', '导入错误报告.xlsx', Buffer.from(await report.xlsx.writeBuffer()));
    expect(again.statusCode, again.body).toBe(202);
    const job2 = (await county.get(`/imports/${again.json().id}`)).json();
    expect(job2).toMatchObject({
      status: 'done',
      sheet: '待修正数据',
      rowsAccepted: 1,
      rowsRejected: 1,
      identityChanges: 0,
    });
    expect((await entity(u2)).name).toBe('玄武区改正后小吃店');
    const rej = await t.db.selectFrom('import_rejection').selectAll().where('job_id', '=', job2.id).execute();
    expect(rej).toHaveLength(1);
    expect(rej[0]).toMatchObject({ col: '重复标记', dup_key: expect.stringMatching(/@2$/) });
    expect(rej[0].reason).toMatch(/原文件中与第 2 行是同一主体（重复行），不会导入/);
    expect(await entity(u1)).toMatchObject({ name: '玄武区好味小吃店', kind: 'individual', address: good.address });

    // The same sheet as CSV: still refused, and its next report keeps the original row number and the mark.
    const csv = csvFile(dir, '待修正数据.csv', [Object.fromEntries(head.map((h, i) => [h, data[1][i] ?? '']))]);
    const third = await upload(county, 'registry', '待修正数据.csv', fs.readFileSync(csv));
    expect((await county.get(`/imports/${third.json().id}`)).json()).toMatchObject({ rowsRejected: 1 });
    const report3 = await readXlsx((await county.get(`/imports/${third.json().id}/errors`)).rawPayload);
    const again3 = sheetRows(report3.getWorksheet('待修正数据')!);
    expect(again3[0].filter((h) => h === '原行号')).toHaveLength(1);
    expect(again3[1].slice(0, 2)).toEqual(['4', data[1][1]]);
    expect(await entity(u1)).toMatchObject({ name: '玄武区好味小吃店', kind: 'individual' });

    // A corrected key imports normally: the mark holds only while the key is the repeated one.
    const u3 = code();
    const fixedKey = csvFile(dir, 'fixed-key.csv', [
      { ...Object.fromEntries(head.map((h, i) => [h, data[1][i] ?? ''])), 统一社会信用代码: u3 },
    ]);
    const fourth = await upload(county, 'registry', 'fixed-key.csv', fs.readFileSync(fixedKey));
    expect((await county.get(`/imports/${fourth.json().id}`)).json()).toMatchObject({
      rowsAccepted: 1,
      rowsRejected: 0,
    });
    expect((await entity(u3)).name).toBe('南京冒名贸易商行');
  });

  it("says in the change summary and the history, in Chinese, when a re-imported row changes an entity's kind or name", async () => {
    // Known by its 注册号 (a 统一社会信用代码 would tell its kind, and refuse a type against it).
    const n = `32010260000001${regNoCheckDigit('32010260000001')}`;
    await upload(
      county,
      'registry',
      'k1.csv',
      fs.readFileSync(
        csvFile(dir, 'k1.csv', [
          row({ 统一社会信用代码: '', 注册号: n, 名称: '玄武区老张修车铺', 主体类型: '个体工商户' }),
        ]),
      ),
    );
    const res = await upload(
      county,
      'registry',
      'k2.csv',
      fs.readFileSync(
        csvFile(dir, 'k2.csv', [
          row({ 统一社会信用代码: '', 注册号: n, 名称: '南京老张汽车服务有限公司', 主体类型: '企业' }),
        ]),
      ),
    );
    const job = (await county.get(`/imports/${res.json().id}`)).json();
    expect(job.identityChanges).toBe(2);
    const changes = (await county.get(`/imports/${job.id}/changes`)).json().items;
    expect(changes.map((c: { text: string }) => c.text)).toEqual([
      '第 2 行：主体类型由"个体工商户"改为"企业"',
      '第 2 行：名称由"玄武区老张修车铺"改为"南京老张汽车服务有限公司"',
    ]);
    const e = await t.db.selectFrom('entity').select('id').where('reg_no', '=', n).executeTakeFirstOrThrow();
    const timeline = (await county.get(`/entities/${e.id}`)).json().timeline;
    const kindChange = timeline
      .flatMap((h: { changes: { field: string; from: unknown; to: unknown }[] }) => h.changes)
      .find((c: { field: string }) => c.field === 'kind');
    expect(kindChange).toEqual({ field: 'kind', from: '个体工商户', to: '企业' });
  });

  it('keeps a registered name without the spaces a file pads it with; a re-import whose name differs by spaces only changes no name (clerk round 12)', async () => {
    const uscc = code();
    const once = async (name: string, over: Record<string, string> = {}) => {
      const file = `sp${Math.floor(rnd.next() * 1e6)}.csv`;
      const res = await upload(
        county,
        'registry',
        file,
        fs.readFileSync(
          csvFile(dir, file, [row({ 统一社会信用代码: uscc, 名称: name, 住所: '玄武区某路 1 号', ...over })]),
        ),
      );
      return (await county.get(`/imports/${res.json().id}`)).json();
    };
    await once('李四\u3000小吃');
    expect((await entity(uscc)).name).toBe('李四小吃');
    expect(await once(' 李四 小吃 ')).toMatchObject({ rowsAccepted: 1, rowsChanged: 0, identityChanges: 0 });
    // A name kept with its spaces before this rule stays as it is while only spaces differ.
    await t.db.updateTable('entity').set({ name: '李四\u3000小吃' }).where('uscc', '=', uscc).execute();
    expect(await once('李四小吃', { 住所: '玄武区某路 2 号' })).toMatchObject({ rowsChanged: 1, identityChanges: 0 });
    expect(await entity(uscc)).toMatchObject({ name: '李四\u3000小吃', address: '玄武区某路 2 号' });
    expect(await once('李四大排档')).toMatchObject({ identityChanges: 1 });
  });

  it('takes the data sheet beside a 封面 by its header; asks which of several sheets with headers it knows, and imports the one named', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('封面').addRows([
      ['2026 年登记信息'],
      ['填报单位：玄武区市场监督管理局'],
      ['填报日期：2026-10-01'],
    ]);
    const ws = wb.addWorksheet('登记信息');
    const r = row({});
    ws.addRow(Object.keys(r));
    ws.addRow(Object.values(r));
    const covered = await upload(county, 'registry', 'cover.xlsx', Buffer.from(await wb.xlsx.writeBuffer()));
    expect(covered.statusCode).toBe(202);
    expect((await county.get(`/imports/${covered.json().id}`)).json()).toMatchObject({
      status: 'done',
      rowsAccepted: 1,
      sheet: '登记信息',
    });
    // A second sheet naming the registry's columns, another way: which one is the clerk's to say.
    const other = wb.addWorksheet('注销名单');
    other.addRow(['统一社会信用代码', '名称', '注销日期']);
    other.addRow([code(), '注销测试店', '2026-01-05']);
    const buf = Buffer.from(await wb.xlsx.writeBuffer());
    const asked = await upload(county, 'registry', 'two.xlsx', buf);
    expect(asked.statusCode).toBe(422);
    expect(asked.json()).toMatchObject({
      title: '请选择工作表',
      code: 'sheet_required',
      errors: [
        { field: 'sheet', message: '封面' },
        { field: 'sheet', message: '登记信息' },
        { field: 'sheet', message: '注销名单' },
      ],
    });
    expect(asked.json().detail).toMatch(/工作簿有 3 个工作表/);
    expect((await upload(county, 'registry', 'two.xlsx', buf, '不存在')).json().detail).toMatch(
      /没有名为"不存在"的工作表/,
    );
    const ok = await upload(county, 'registry', 'two.xlsx', buf, '登记信息');
    expect(ok.statusCode).toBe(202);
    expect((await county.get(`/imports/${ok.json().id}`)).json()).toMatchObject({
      status: 'done',
      rowsAccepted: 1,
      sheet: '登记信息',
    });
  });

  describe('a roster exported one sheet per 党支部', () => {
    const HEADER = ['序号', '姓名', '性别', '公民身份号码', '人员类别', '入党日期', '联系电话'];
    const person = (birth: string, sex: '男' | '女') => {
      for (;;) {
        const n = idNumber(rnd, A, new Date(birth));
        if ((Number(n[16]) % 2 === 1) === (sex === '男')) return n;
      }
    };
    const [zhao, qian, sun, li] = [
      person('1970-03-01', '男'),
      person('1975-06-02', '女'),
      person('1980-09-03', '男'),
      person('1985-12-04', '女'),
    ];
    const badCheck = `${sun.slice(0, 17)}${sun[17] === '0' ? '1' : '0'}`;
    /** Each branch's sheet as the 全国党员管理信息系统 exports it: a merged title over the header, then the members. */
    async function workbook(extra?: (wb: ExcelJS.Workbook) => void) {
      const wb = new ExcelJS.Workbook();
      wb.addWorksheet('说明').addRow(['本名册按党支部分表导出']);
      const branch = (name: string, members: (string | number)[][], tail?: string) => {
        const ws = wb.addWorksheet(name);
        ws.addRow([`中共玄武区个体劳动者协会${name}委员会党员名册`]);
        ws.mergeCells(1, 1, 1, HEADER.length);
        ws.addRow(HEADER);
        members.forEach((m, i) => ws.addRow([i + 1, ...m]));
        if (tail) ws.addRow([tail]);
      };
      branch('第一党支部', [
        ['赵一', '男', zhao, '正式党员', '1995-07-01', '13911110001'],
        ['钱二', '女', qian, '正式党员', '2000-07-01', ''],
      ]);
      branch('第二党支部', [
        ['孙三', '男', sun, '正式党员', '2005-07-01', ''],
        ['孙三弟', '男', badCheck, '预备党员', '2025-07-01', ''],
      ]);
      branch(
        '第三党支部',
        [
          ['赵一', '男', zhao, '正式党员', '1995-07-01', ''],
          ['李四', '女', li, '预备党员', '2025-06-01', ''],
        ],
        '合计：2 人',
      );
      wb.addWorksheet('Sheet4');
      extra?.(wb);
      return Buffer.from(await wb.xlsx.writeBuffer());
    }

    it('takes every data sheet in one import: the preview names them, each refusal names its sheet and row, one job, one audit entry', async () => {
      // Clerk probe, round 8: such a workbook was refused with 请选择工作表, to be imported sheet by sheet.
      const buf = await workbook();
      const { body, type } = await multipart('党员名册（按支部）.xlsx', buf);
      const preview = await county.call('POST', '/imports/roster/upload', body, { 'content-type': type });
      expect(preview.statusCode).toBe(200);
      expect(preview.json()).toMatchObject({ sheet: null, sheets: ['第一党支部', '第二党支部', '第三党支部'] });
      expect(preview.json().sample.map((r: { sheet: string; rowNo: number }) => `${r.sheet}:${r.rowNo}`)).toEqual([
        '第一党支部:3',
        '第一党支部:4',
        '第二党支部:3',
        '第二党支部:4',
        '第三党支部:3',
      ]);
      const before = await t.db
        .selectFrom('audit_log')
        .select(sql<number>`max(id)`.as('id'))
        .executeTakeFirstOrThrow();
      const res = await upload(county, 'roster', '党员名册（按支部）.xlsx', buf);
      expect(res.statusCode).toBe(202);
      const job = (await county.get(`/imports/${res.json().id}`)).json();
      expect(job).toMatchObject({
        status: 'done',
        sheet: null,
        sheets: ['第一党支部', '第二党支部', '第三党支部'],
        rowsRead: 6,
        rowsAccepted: 4,
        rowsRejected: 2,
        footer: '表尾 1 行不是数据，未导入：工作表"第三党支部"第 5 行"合计：2 人"',
      });
      const report = await readXlsx((await county.get(`/imports/${job.id}/errors`)).rawPayload);
      const errors = sheetRows(report.getWorksheet('错误明细')!);
      expect(errors[0].slice(0, 2)).toEqual(['工作表', '行号']);
      expect(errors.slice(1).map((r) => [r[0], r[1], r[2]])).toEqual([
        ['第二党支部', '4', '公民身份号码'],
        ['第三党支部', '3', '（整行）'],
      ]);
      expect(errors[2][4]).toMatch(/^与工作表"第一党支部"第 3 行重复.*保留工作表"第一党支部"第 3 行$/);
      expect(
        sheetRows(report.getWorksheet('待修正数据')!)
          .map((r) => r[0])
          .slice(1),
      ).toEqual(['工作表"第二党支部"第 4 行', '工作表"第三党支部"第 3 行']);
      const audits = await t.db
        .selectFrom('audit_log')
        .select(['action', 'detail'])
        .where('id', '>', before.id)
        .where('action', '=', 'import.upload')
        .execute();
      expect(audits).toHaveLength(1);
      expect(audits[0].detail).toMatchObject({ sheets: ['第一党支部', '第二党支部', '第三党支部'] });
    });

    it('still asks when a data sheet has another header, naming it and the columns that differ', async () => {
      const buf = await workbook((wb) =>
        wb.addWorksheet('入党积极分子').addRows([
          ['姓名', '申请日期'],
          ['周五', '2024-01-01'],
        ]),
      );
      const asked = await upload(county, 'roster', '名册.xlsx', buf);
      expect(asked.statusCode).toBe(422);
      expect(asked.json()).toMatchObject({ code: 'sheet_required' });
      expect(asked.json().detail).toMatch(
        /^工作表"入党积极分子"的列与"第一党支部"不同（多出"申请日期"，缺少"序号、性别、公民身份号码/,
      );
      const one = await upload(county, 'roster', '名册.xlsx', buf, '第二党支部');
      expect((await county.get(`/imports/${one.json().id}`)).json()).toMatchObject({
        sheet: '第二党支部',
        sheets: null,
      });
    });
  });

  it('imports the rows a workbook hides, and says which in the preview and the finished job', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('登记信息');
    ws.addRow(['2026 年登记信息（已筛选）']);
    ws.getRow(1).hidden = true; // a hidden title above the header is not a data row
    const rows = [row({}), row({}), row({})];
    ws.addRow(Object.keys(rows[0]));
    for (const r of rows) ws.addRow(Object.values(r));
    ws.getRow(4).hidden = true; // the clerk's filter hid the second entity
    const buf = Buffer.from(await wb.xlsx.writeBuffer());
    const { body, type } = await multipart('筛选过.xlsx', buf);
    const preview = await county.call('POST', '/imports/registry/upload', body, { 'content-type': type });
    expect(preview.statusCode).toBe(200);
    expect(preview.json().hiddenRows).toBe(
      '第 4 行在 Excel 中是隐藏行，导入时将一并导入；如不应导入，请在文件中删除后重新上传',
    );
    const job = await upload(county, 'registry', '筛选过.xlsx', buf);
    expect((await county.get(`/imports/${job.json().id}`)).json()).toMatchObject({
      status: 'done',
      rowsAccepted: 3,
      footer: '第 4 行在 Excel 中是隐藏行，已一并导入；如不应导入，请在文件中删除后重新上传',
    });
  });

  it('says which columns the import reads a workbook hides, in the preview and the finished job', async () => {
    // Clerk probe, round 6: a column hidden in Excel was read without a word.
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('登记信息');
    const rows = [row({}), row({})];
    ws.addRow([...Object.keys(rows[0]), '备注']);
    for (const r of rows) ws.addRow([...Object.values(r), '']);
    const read = Object.keys(rows[0]).length;
    ws.getColumn(read).hidden = true; // read: named
    ws.getColumn(read + 1).hidden = true; // 备注, not read: not named
    const header = Object.keys(rows[0])[read - 1];
    const buf = Buffer.from(await wb.xlsx.writeBuffer());
    const { body, type } = await multipart('隐藏列.xlsx', buf);
    const preview = await county.call('POST', '/imports/registry/upload', body, { 'content-type': type });
    expect(preview.statusCode).toBe(200);
    expect(preview.json().hiddenRows).toBe(
      `列 "${header}" 在 Excel 中是隐藏列，导入时将一并导入；如不应导入，请在列对应中改为不导入该列，或在文件中删除后重新上传`,
    );
    const job = await upload(county, 'registry', '隐藏列.xlsx', buf);
    expect((await county.get(`/imports/${job.json().id}`)).json()).toMatchObject({
      status: 'done',
      rowsAccepted: 2,
      footer: `列 "${header}" 在 Excel 中是隐藏列，已一并导入；如不应导入，请在列对应中改为不导入该列，或在文件中删除后重新上传`,
    });
  });

  it('places entities at a station by authority or served street; the rest go to 待分配基层所, assigned in bulk, and the rule applies next time', async () => {
    const [viaAuthority, viaAddress, viaStreet, none, other, viaColumn] = [
      code(),
      code(),
      code(),
      code(),
      code(),
      code(),
    ];
    const file = csvFile(dir, 'stations.csv', [
      row({
        统一社会信用代码: viaAuthority,
        登记机关: '南京市玄武区市场监督管理局孝陵卫测试市场监管所',
        住所: '玄武区梅园新村街道 1 号',
        街道: '',
        所属监管所: '',
      }),
      row({
        统一社会信用代码: viaAddress,
        登记机关: '南京市玄武区市场监督管理局',
        住所: '南京市玄武区梅园新村街道长江路 2 号',
        街道: '',
        所属监管所: '',
      }),
      row({ 统一社会信用代码: viaStreet, 登记机关: '', 住所: '龙蟠路 3 号', 街道: '孝陵卫', 所属监管所: '' }),
      row({ 统一社会信用代码: none, 登记机关: '', 住所: '玄武区北京东路 8 号', 街道: '', 所属监管所: '' }),
      row({ 统一社会信用代码: other, 登记机关: '', 住所: '玄武区太平北路 5 号', 街道: '', 所属监管所: '' }),
      // A station column outranks the address (in 梅园新村街道, served by the other station).
      row({
        统一社会信用代码: viaColumn,
        登记机关: '南京市玄武区市场监督管理局',
        住所: '玄武区梅园新村街道 6 号',
        街道: '',
        所属监管所: '孝陵卫测试所',
      }),
    ]);
    expect((await upload(county, 'registry', 'stations.csv', fs.readFileSync(file))).statusCode).toBe(202);
    expect(
      await Promise.all(
        [viaAuthority, viaAddress, viaStreet, none, viaColumn].map(async (u) => (await entity(u)).station_code),
      ),
    ).toEqual([S2, S1, S2, null, S2]);
    expect((await entity(viaAddress)).scope_key).toBe(S1);

    const staff1 = await t.signIn(await t.user({ roles: ['station_staff'], jurisdiction: S1 }));
    expect((await staff1.get(`/entities/${(await entity(viaAddress)).id}`)).statusCode).toBe(200);
    expect((await staff1.get(`/entities/${(await entity(none)).id}`)).statusCode).toBe(404);

    const list = (await county.get('/unassigned-entities?q=北京东路')).json();
    expect(list.items.map((e: { uscc: string }) => e.uscc)).toEqual([none]);
    expect(list.counties).toEqual([{ code: A, name: '玄武区', unassigned: expect.any(Number) }]);
    // Refusals name the problem; nothing is written.
    expect(
      (await staff1.post('/unassigned-entities/assign', { stationCode: S1, keyword: '北京东路' })).statusCode,
    ).toBe(403);
    const wrong = await county.post('/unassigned-entities/assign', {
      stationCode: S1,
      entityIds: [(await entity(viaAddress)).id, (await entity(other)).id],
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().detail).toMatch(new RegExp(`不在待分配清单中.*编号 ${(await entity(viaAddress)).id}$`));
    expect((await entity(other)).station_code).toBeNull();
    expect(
      (await county.post('/unassigned-entities/assign', { stationCode: S1, keyword: '路' })).json().errors[0],
    ).toMatchObject({ field: 'keyword', message: expect.stringMatching(/至少 2 个字/) });
    const other_b = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: B }));
    expect(
      (await other_b.post('/unassigned-entities/assign', { stationCode: SB, entityIds: [(await entity(other)).id] }))
        .statusCode,
    ).toBe(400);

    // By keyword, remembered; by selection.
    const byKeyword = await county.post('/unassigned-entities/assign', {
      stationCode: S1,
      keyword: '北京东路',
      remember: true,
    });
    expect(byKeyword.json()).toMatchObject({ assigned: 1, ruleId: expect.any(Number) });
    expect((await staff1.get(`/entities/${(await entity(none)).id}`)).statusCode).toBe(200);
    expect(
      (
        await county.post('/unassigned-entities/assign', { stationCode: S2, entityIds: [(await entity(other)).id] })
      ).json(),
    ).toEqual({ assigned: 1, ruleId: null });
    expect((await entity(other)).scope_key).toBe(S2);
    expect((await county.get('/unassigned-entities?q=北京东路')).json().total).toBe(0);
    expect((await county.get('/station-rules')).json().items).toMatchObject([
      { countyCode: A, keyword: '北京东路', stationCode: S1, stationName: '梅园测试市场监管所' },
    ]);

    // The next import applies the remembered rule.
    const later = code();
    await upload(
      county,
      'registry',
      'later.csv',
      fs.readFileSync(csvFile(dir, 'later.csv', [row({ 统一社会信用代码: later, 住所: '玄武区北京东路 20 号' })])),
    );
    expect((await entity(later)).station_code).toBe(S1);
  });

  it("shows an import to every account whose jurisdiction its rows touch, with that jurisdiction's figures and refused rows only", async () => {
    const city = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: '320100' }));
    const rows = [
      row({ 住所: '玄武区梅园新村街道 3 号' }), // A, station S1
      row({ 住所: '玄武区无名路 1 号' }), // A, no station
      row({ 所属县区代码: B, 统一社会信用代码: code(B), 住所: '秦淮区夫子庙街道 1 号' }), // B, station SB
      row({ 基层所代码: S1, 成立日期: '不是日期' }), // refused, at S1
      row({ 名称: '' }), // refused, at A
    ];
    const res = await upload(
      city,
      'registry',
      'city.csv',
      fs.readFileSync(
        csvFile(
          dir,
          'city.csv',
          rows.map((r) => ({ 成立日期: '', 基层所代码: '', ...r })),
        ),
      ),
    );
    const id = res.json().id as number;
    expect((await city.get(`/imports/${id}`)).json()).toMatchObject({
      rowsRead: 5,
      rowsAccepted: 3,
      rowsRejected: 2,
      partial: false,
      manageable: true,
    });

    const findJob = async (c: Client) =>
      (await c.get('/imports?pageSize=200')).json().items.find((j: { id: number }) => j.id === id);
    expect(await findJob(county)).toMatchObject({
      rowsRead: 4,
      rowsAccepted: 2,
      rowsRejected: 2,
      rowsChanged: null,
      partial: true,
      manageable: false,
    });
    expect((await county.post(`/imports/${id}/rerun`)).statusCode).toBe(403);
    const staff1 = await t.signIn(await t.user({ roles: ['station_staff'], jurisdiction: S1 }));
    expect(await findJob(staff1)).toMatchObject({ rowsAccepted: 1, rowsRejected: 1, partial: true });
    const stationReport = await readXlsx((await staff1.get(`/imports/${id}/errors`)).rawPayload);
    expect(
      sheetRows(stationReport.getWorksheet('错误明细')!)
        .slice(1)
        .map((r) => r[0]),
    ).toEqual(['5']);
    // The rows as written (numbers and phones in clear) are the uploader's only.
    expect(sheetRows(stationReport.getWorksheet('待修正数据')!).slice(1)).toEqual([]);
    const bEditor = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: B }));
    expect(await findJob(bEditor)).toMatchObject({ rowsAccepted: 1, rowsRejected: 0 });
    expect(
      sheetRows((await readXlsx((await bEditor.get(`/imports/${id}/errors`)).rawPayload)).getWorksheet('错误明细')!),
    ).toHaveLength(1);
    const staff2 = await t.signIn(await t.user({ roles: ['station_staff'], jurisdiction: S2 }));
    expect(await findJob(staff2)).toBeUndefined();
    expect((await staff2.get(`/imports/${id}`)).statusCode).toBe(404);
    const elsewhere = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: '320105' }));
    expect((await elsewhere.get(`/imports/${id}`)).statusCode).toBe(404);

    // Annual reports too: a refused row belongs to the county its USCC names.
    const reports = csvFile(dir, 'reports.csv', [
      { 统一社会信用代码: rows[0].统一社会信用代码, 年报年度: '2025' },
      { 统一社会信用代码: code(), 年报年度: '1800' },
    ]);
    const ar = (await upload(city, 'annual_report', 'reports.csv', fs.readFileSync(reports))).json().id as number;
    const findAr = async (c: Client) =>
      (await c.get('/imports?pageSize=200')).json().items.find((j: { id: number }) => j.id === ar);
    expect(await findAr(city)).toMatchObject({ rowsAccepted: 1, rowsRejected: 1, partial: false });
    expect(await findAr(county)).toMatchObject({ rowsAccepted: 1, rowsRejected: 1, partial: true });
    expect(await findAr(staff1)).toMatchObject({ rowsAccepted: 1, rowsRejected: 0, partial: true });
    expect(await findAr(bEditor)).toBeUndefined();
  });

  it("a rerun by the city runs within the uploader's scope, and its error report keeps the uploader's rows and any personal number from the city", async () => {
    const city = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: '320100' }));
    // A row whose columns shifted: an ID number where the date belongs.
    const rows = [
      row({ 成立日期: '' }),
      row({ 成立日期: '110101199003074033' }),
      row({ 成立日期: '', 所属县区代码: B, 统一社会信用代码: code(B) }),
    ];
    const res = await upload(county, 'registry', 'shifted.csv', fs.readFileSync(csvFile(dir, 'shifted.csv', rows)));
    const first = res.json().id as number;
    expect((await county.get(`/imports/${first}`)).json()).toMatchObject({ rowsAccepted: 1, rowsRejected: 2 });
    const again = await city.post(`/imports/${first}/rerun`);
    expect(again.statusCode).toBe(202);
    await t.app.imports.idle();
    const rerun = again.json().id as number;
    // Checked against the county's scope again: the row of county B is still refused.
    expect((await city.get(`/imports/${rerun}`)).json()).toMatchObject({ rowsAccepted: 1, rowsRejected: 2 });
    const cityReport = await readXlsx((await city.get(`/imports/${rerun}/errors`)).rawPayload);
    expect(sheetRows(cityReport.getWorksheet('待修正数据')!).slice(1)).toEqual([]);
    const detail = JSON.stringify(sheetRows(cityReport.getWorksheet('错误明细')!));
    expect(detail).not.toContain('110101199003074033');
    expect(detail).toContain('110101********4033');
    const own = await readXlsx((await county.get(`/imports/${rerun}/errors`)).rawPayload);
    expect(JSON.stringify(sheetRows(own.getWorksheet('待修正数据')!))).toContain('110101199003074033');
  });

  it("shows others the examples in a refusal's message in full, the refused cell's number still masked (clerk round 12)", async () => {
    const rows = [row({ 成立日期: '320102199003074033', 联系电话: '' }), row({ 成立日期: '', 联系电话: '12345' })];
    const res = await upload(county, 'registry', 'examples.csv', fs.readFileSync(csvFile(dir, 'examples.csv', rows)));
    const id = res.json().id as number;
    const city = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: '320100' }));
    const reasons = sheetRows(
      (await readXlsx((await city.get(`/imports/${id}/errors`)).rawPayload)).getWorksheet('错误明细')!,
    )
      .slice(1)
      .map((r) => r[r.length - 1]);
    expect(reasons).toEqual([
      expect.stringContaining('"320102********4033"不是有效日期（如 2024-03-15、2024/3/15、2024年3月15日、20240315）'),
      expect.stringContaining('或固定电话（如 025-83456789）'),
    ]);
  });

  it('xgz import hands the file to the running server (loopback, token file 0600) and writes the errors file', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xgz-handoff-'));
    const before = t.ctx.config.dataDir;
    (t.ctx.config as { dataDir: string }).dataDir = dataDir;
    try {
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      const note = path.join(dataDir, LOCAL_ACCESS_FILE);
      expect(fs.statSync(note).mode & 0o777).toBe(0o600);
      const { token } = JSON.parse(fs.readFileSync(note, 'utf8'));
      // Only from the loopback interface, only with the token.
      const q = 'fileName=x.csv';
      expect(
        (
          await t.app.inject({
            method: 'POST',
            url: `/api/v1/local/imports/registry?${q}`,
            payload: { path: note },
            headers: { 'x-xgz-local-token': 'x'.repeat(64) },
            remoteAddress: '127.0.0.1',
          })
        ).statusCode,
      ).toBe(403);
      expect(
        (
          await t.app.inject({
            method: 'POST',
            url: `/api/v1/local/imports/registry?${q}`,
            payload: { path: note },
            headers: { 'x-xgz-local-token': token },
            remoteAddress: '10.1.2.3',
          })
        ).statusCode,
      ).toBe(403);
      // The rule for who imports holds here too (round 6): not as a station's account.
      const station = await t.user({ roles: ['station_staff'], jurisdiction: S1 });
      const asStation = await t.app.inject({
        method: 'POST',
        url: `/api/v1/local/imports/registry?${q}&user=${station.username}`,
        payload: { path: note },
        headers: { 'x-xgz-local-token': token },
        remoteAddress: '127.0.0.1',
      });
      expect(asStation.statusCode, asStation.body).toBe(400);
      expect(asStation.json().detail).toMatch(/不能导入到基层所/);

      const u = code();
      const file = csvFile(dataDir, 'cli.csv', [
        row({ 统一社会信用代码: u, 住所: '玄武区梅园新村街道 9 号' }),
        row({ 名称: '' }),
      ]);
      const { stdout } = await run(
        process.execPath,
        ['bin/xgz.mjs', 'import', 'registry', file, '--user', countyUser.username],
        { env: { ...process.env, XGZ_DATA_DIR: dataDir, DATABASE_URL: '' }, timeout: 120_000 },
      );
      expect(stdout).toMatch(/服务正在运行/);
      expect(stdout).toMatch(/导入完成：读取 2 行，接受 1，拒绝 1/);
      expect(fs.readFileSync(`${file}.errors.csv`, 'utf8')).toMatch(/行号,列,值,原因\n"3","名称"/);
      expect(await entity(u)).toMatchObject({ station_code: S1 });
      const job = await t.db
        .selectFrom('import_job')
        .selectAll()
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirstOrThrow();
      expect(job).toMatchObject({ created_by: countyUser.id, scope_key: A, file_name: 'cli.csv' });
    } finally {
      await t.app.close();
      (t.ctx.config as { dataDir: string }).dataDir = before;
    }
    expect(fs.existsSync(path.join(dataDir, LOCAL_ACCESS_FILE))).toBe(false);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});
