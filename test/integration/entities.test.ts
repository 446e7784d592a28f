import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { seededRandom } from '../../src/domain/random.js';
import { idNumber, uscc } from '../../src/demo/ledger.js';
import { BACKENDS } from '../helpers/db.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { csvFile, importFile, tmpDir } from '../helpers/imports.js';

const rnd = seededRandom(21);
const ID = idNumber(rnd, '320102', new Date('1979-03-08'));
const OLD = uscc(rnd, 'enterprise', '320102');
const NEW = uscc(rnd, 'individual', '320102');
const recent = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);

async function readXlsx(payload: Buffer) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(payload as unknown as ArrayBuffer);
  return wb;
}

/** Multipart body for an upload, as a browser would send it. */
async function multipart(name: string, content: Buffer | string) {
  const fd = new FormData();
  fd.append('file', new Blob([typeof content === 'string' ? content : new Uint8Array(content)]), name);
  const res = new Response(fd);
  return { body: Buffer.from(await res.arrayBuffer()), type: res.headers.get('content-type')! };
}

describe.each(BACKENDS)('entity ledger on %s', (backend) => {
  let t: TestApp;
  let editor: Awaited<ReturnType<TestApp['signIn']>>;
  let editorId: number;
  const dir = tmpDir();

  beforeAll(async () => {
    t = await testApp(backend);
    const u = await t.user({ roles: ['editor'], jurisdiction: '320102' });
    editorId = u.id;
    editor = await t.signIn(u);
    expect(
      (await editor.post('/stations', { countyCode: '320102', suffix: '001', name: '梅园新村市场监管所' })).statusCode,
    ).toBe(201);
    const rows: Record<string, string>[] = [
      {
        统一社会信用代码: OLD,
        名称: '南京老字号食品有限公司',
        主体类型: '企业',
        成立日期: '2010-01-05',
        所属县区代码: '320102',
        基层所代码: '320102001',
        所在区域名称: '湖南路商圈',
        区域类型: '商圈',
        行业代码: 'C14',
        从业人数: '30',
        '法定代表人/经营者': '李四',
        '法定代表人/经营者身份证号': ID,
        '法定代表人/经营者手机': '13900001111',
      },
      {
        统一社会信用代码: NEW,
        名称: '玄武区新开张小吃店',
        主体类型: '个体工商户',
        成立日期: recent,
        所属县区代码: '320102',
        行业代码: '62',
        从业人数: '2',
        '法定代表人/经营者': '王五',
        '法定代表人/经营者身份证号': '',
        '法定代表人/经营者手机': '',
      },
    ];
    await importFile(t, 'registry', csvFile(dir, 'r.csv', rows), { id: u.id, scopeKey: '320102' });
    await importFile(
      t,
      'annual_report',
      csvFile(dir, 'a.csv', [
        {
          统一社会信用代码: OLD,
          年报年度: '2025',
          从业人数: '30',
          '党员人数（含预备党员）': '4',
          党组织建立形式: '党支部',
        },
      ]),
      { id: u.id, scopeKey: '320102' },
    );
  });
  afterAll(() => t?.close());

  it('lists with filters: new entities, declared members and organizations, kind, zone, text', async () => {
    const names = async (q: string) =>
      (await editor.get(`/entities?${q}`)).json().items.map((e: { name: string }) => e.name);
    expect(await names('isNew=true')).toEqual(['玄武区新开张小吃店']);
    expect(await names('partyDeclared=true')).toEqual(['南京老字号食品有限公司']);
    expect(await names('orgDeclared=false')).toEqual(['玄武区新开张小吃店']);
    expect(await names('kind=enterprise')).toEqual(['南京老字号食品有限公司']);
    expect(await names('q=小吃')).toEqual(['玄武区新开张小吃店']);
    expect(await names(`q=${OLD}`)).toEqual(['南京老字号食品有限公司']);
    expect(await names('sort=registeredOn')).toEqual(['南京老字号食品有限公司', '玄武区新开张小吃店']);
    const zone = (await editor.get('/zones')).json().items[0];
    expect(zone).toMatchObject({ name: '湖南路商圈', kind: 'district', entities: 1 });
    expect(await names(`zoneId=${zone.id}`)).toEqual(['南京老字号食品有限公司']);
    expect(await names('under=320102001')).toEqual(['南京老字号食品有限公司']);
    const item = (await editor.get('/entities?kind=enterprise')).json().items[0];
    expect(item).toMatchObject({
      legalRep: '李四',
      latestReport: { year: 2025, partyMembers: 4, partyOrgForm: 1 },
      industrySection: 'C',
    });
  });

  it('lets station staff list and open the entities of their station (county names included)', async () => {
    const staff = await t.signIn(await t.user({ roles: ['station_staff'], jurisdiction: '320102001' }));
    const list = (await staff.get('/entities')).json();
    expect(list.items.map((e: { name: string; countyName: string }) => [e.name, e.countyName])).toEqual([
      ['南京老字号食品有限公司', '玄武区'],
    ]);
    expect((await staff.get(`/entities/${list.items[0].id}`)).json()).toMatchObject({
      countyName: '玄武区',
      stationName: '梅园新村市场监管所',
    });
    expect((await staff.get('/jurisdictions/320102')).statusCode).toBe(200);
    expect((await staff.get('/jurisdictions/320104')).statusCode).toBe(404);
  });

  it('summarises the ledger for a jurisdiction', async () => {
    expect((await editor.get('/entities/summary')).json()).toEqual({
      total: 2,
      active: 2,
      isNew: 1,
      partyDeclared: 1,
      orgDeclared: 1,
      byKind: { enterprise: 1, individual: 1 },
    });
    expect((await editor.get('/entities/summary?under=320102001')).json()).toMatchObject({
      total: 1,
      byKind: { enterprise: 1 },
    });
  });

  it('shows the entity page with personal data masked; a reveal needs the permission and is audited', async () => {
    const id = (await editor.get(`/entities?q=${OLD}`)).json().items[0].id;
    const d = (await editor.get(`/entities/${id}`)).json();
    expect(d.people[0]).toMatchObject({
      role: 'legal_rep',
      name: '李四',
      idNumber: `${ID.slice(0, 6)}********${ID.slice(-4)}`,
      phone: '139****1111',
    });
    expect(JSON.stringify(d)).not.toContain(ID);
    expect(d.annualReports[0]).toMatchObject({ year: 2025, partyMembers: 4 });
    expect(d.zones[0].name).toBe('湖南路商圈');

    const viewer = await t.signIn(await t.user({ roles: ['viewer'], jurisdiction: '320102' }));
    expect((await viewer.post(`/entities/${id}/people/${d.people[0].roleId}/reveal`)).statusCode).toBe(403);
    const revealed = await editor.post(`/entities/${id}/people/${d.people[0].roleId}/reveal`);
    expect(revealed.json()).toEqual({ idNumber: ID, phone: '13900001111' });
    const audits = await t.db
      .selectFrom('audit_log')
      .select(['actor_id', 'object_type', 'detail'])
      .where('action', '=', 'personal.reveal')
      .execute();
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ actor_id: editorId, object_type: 'person' });
    expect(JSON.stringify(audits[0].detail)).not.toContain(ID);
  });

  it('records people in other roles with encrypted numbers, refuses a bad number, and removes a role', async () => {
    const id = (await editor.get(`/entities?q=${OLD}`)).json().items[0].id;
    const employeeId = idNumber(rnd, '320104', new Date('1992-11-30'));
    const bad = await editor.post(`/entities/${id}/people`, {
      role: 'employee',
      name: '赵六',
      idNumber: employeeId.slice(0, 17) + (employeeId[17] === '1' ? '2' : '1'),
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0]).toMatchObject({ field: 'idNumber', message: '身份证号校验位错误' });
    const added = await editor.post(`/entities/${id}/people`, {
      role: 'employee',
      name: '赵六',
      idNumber: employeeId,
      phone: '13700001234',
    });
    expect(added.statusCode).toBe(201);
    expect(
      (await editor.post(`/entities/${id}/people`, { role: 'employee', name: '赵六', idNumber: employeeId }))
        .statusCode,
    ).toBe(409);
    const people = (await editor.get(`/entities/${id}`)).json().people;
    expect(people.find((p: { role: string }) => p.role === 'employee')).toMatchObject({
      name: '赵六',
      sex: 'male',
      phone: '137****1234',
    });
    const stored = await t.db
      .selectFrom('person')
      .select(['id_enc', 'phone_enc'])
      .where('name', '=', '赵六')
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(stored)).not.toMatch(new RegExp(`${employeeId}|13700001234`));
    expect((await editor.del(`/entities/${id}/people/${added.json().roleId}`)).statusCode).toBe(204);
    const timeline = (await editor.get(`/entities/${id}`)).json().timeline;
    expect(
      timeline.filter((h: { objectType: string }) => h.objectType === 'entity_person').map((h: { op: string }) => h.op),
    ).toEqual(['D', 'I', 'I']);
  });

  it("cannot rename or read another county's person, nor learn their name, by adding their number to an own entity", async () => {
    const u2 = await t.user({ roles: ['editor'], jurisdiction: '320104' });
    const other = await t.signIn(u2);
    const theirs = uscc(rnd, 'enterprise', '320104');
    const theirRep = idNumber(rnd, '320104', new Date('1985-06-15'));
    await importFile(
      t,
      'registry',
      csvFile(dir, 'theirs.csv', [
        {
          统一社会信用代码: theirs,
          名称: '秦淮区某商贸有限公司',
          主体类型: '企业',
          所属县区代码: '320104',
          '法定代表人/经营者': '阿卜杜·热合曼',
          '法定代表人/经营者身份证号': theirRep,
          '法定代表人/经营者手机': '17425080490',
        },
      ]),
      { id: u2.id, scopeKey: '320104' },
    );
    const mine = (await editor.get(`/entities?q=${OLD}`)).json().items[0].id;
    const before = (await editor.get(`/entities/${mine}`)).json().people.length;
    // The number alone opens nothing: under another name it is refused, without saying whose it is.
    const guessed = await editor.post(`/entities/${mine}/people`, {
      role: 'investor',
      name: '探测',
      idNumber: theirRep,
      phone: '13900000000',
    });
    expect(guessed.statusCode).toBe(422);
    expect(guessed.json().errors[0].field).toBe('name');
    expect(guessed.body).not.toContain('热合曼');
    expect((await editor.get(`/entities/${mine}`)).json().people).toHaveLength(before);
    // The try is in the audit log, as refused (names tried against a number are a probe).
    const tried = await t.db
      .selectFrom('audit_log')
      .select(['outcome', 'detail'])
      .where('action', '=', 'person.name_mismatch')
      .execute();
    expect(tried).toEqual([{ outcome: 'denied', detail: { numbers: 1 } }]);
    // Name and number together, as 实名核验 asks: the person is added, the dot written any way.
    const added = await editor.post(`/entities/${mine}/people`, {
      role: 'investor',
      name: '阿卜杜‧热合曼',
      idNumber: theirRep,
      phone: '13900000000',
    });
    expect(added.statusCode).toBe(201);
    // Their record is as they kept it …
    const theirId = (await other.get(`/entities?q=${theirs}`)).json().items[0].id;
    expect((await other.get(`/entities/${theirId}`)).json().people[0]).toMatchObject({
      name: '阿卜杜·热合曼',
      phone: '174****0490',
    });
    // … and their phone is not ours to see, masked or revealed; nor the birth date beside the masked number.
    const ours = (await editor.get(`/entities/${mine}`))
      .json()
      .people.find((p: { role: string }) => p.role === 'investor');
    expect(ours).toMatchObject({ phone: null, birthDate: null });
    expect((await editor.post(`/entities/${mine}/people/${added.json().roleId}/reveal`)).json()).toEqual({
      idNumber: theirRep,
      phone: null,
    });
  });

  it('keeps a timeline and answers "as of" a date', async () => {
    const id = (await editor.get(`/entities?q=${NEW}`)).json().items[0].id;
    // Pretend the entity was registered in the ledger a year ago, then moved to a station today.
    await sql`UPDATE ledger_history SET at = now() - interval '365 days' WHERE entity_id = ${id}`.execute(t.db);
    expect((await editor.patch(`/entities/${id}`, { stationCode: '320102001', employees: 5 })).statusCode).toBe(200);
    const d = (await editor.get(`/entities/${id}`)).json();
    const change = d.timeline.find(
      (h: { op: string; objectType: string }) => h.op === 'U' && h.objectType === 'entity',
    );
    expect(change.changes).toEqual(
      expect.arrayContaining([
        { field: 'station_code', from: null, to: '320102001' },
        { field: 'employees', from: 2, to: 5 },
      ]),
    );
    const lastMonth = new Date(Date.now() - 40 * 86_400_000).toISOString().slice(0, 10);
    const then = (await editor.get(`/entities/${id}?asOf=${lastMonth}`)).json();
    expect(then.asOf).toMatchObject({ station_code: null, employees: 2 });
    const before = new Date(Date.now() - 400 * 86_400_000).toISOString().slice(0, 10);
    expect((await editor.get(`/entities/${id}?asOf=${before}`)).statusCode).toBe(404);
  });

  it('exports the filtered list to xlsx, masked unless revealed by a permitted user, and audits it', async () => {
    const res = await editor.get('/entities/export?kind=enterprise');
    const ws = (await readXlsx(res.rawPayload)).worksheets[0];
    expect(ws.getRow(1).getCell(3).value).toBe('名称');
    expect(ws.getRow(2).getCell(3).value).toBe('南京老字号食品有限公司');
    // The industry in words beside its code, not the bare letter C.
    expect([ws.getRow(1).getCell(10).value, ws.getRow(2).getCell(10).value]).toEqual(['行业门类', 'C 制造业']);
    expect([ws.getRow(1).getCell(11).value, ws.getRow(2).getCell(11).value]).toEqual(['行业大类', '14 食品制造业']);
    expect(ws.getRow(2).getCell(14).value).toBe(`${ID.slice(0, 6)}********${ID.slice(-4)}`);
    expect(ws.rowCount).toBe(2);
    const full = (await readXlsx((await editor.get('/entities/export?kind=enterprise&reveal=true')).rawPayload))
      .worksheets[0];
    expect(full.getRow(2).getCell(14).value).toBe(ID);
    const viewer = await t.signIn(await t.user({ roles: ['viewer'], jurisdiction: '320102' }));
    expect((await viewer.get('/entities/export?reveal=true')).statusCode).toBe(403);
    const audits = await t.db.selectFrom('audit_log').select('detail').where('action', '=', 'entity.export').execute();
    expect(audits.map((a) => (a.detail as { revealed: boolean }).revealed)).toEqual([false, true]);
  });

  it('uploads through the API, reports progress to 100%, and serves an error report with the rows to fix', async () => {
    const good = uscc(rnd, 'individual', '320102');
    const rows = [
      { 统一社会信用代码: good, 名称: '上传测试店', 主体类型: '个体工商户', 所属县区代码: '320102' },
      {
        统一社会信用代码: '92320102MA00000000',
        名称: '=cmd|" /C calc"!A0',
        主体类型: '个体工商户',
        所属县区代码: '320102',
      },
    ];
    const file = csvFile(dir, 'up.csv', rows);
    const { body, type } = await multipart('上传.csv', (await import('node:fs')).readFileSync(file));
    const res = await editor.call('POST', '/imports/registry', body, { 'content-type': type });
    expect(res.statusCode).toBe(202);
    const jobId = res.json().id;
    await t.app.imports.idle();
    const job = (await editor.get(`/imports/${jobId}`)).json();
    expect(job).toMatchObject({ status: 'done', percent: 100, rowsRead: 2, rowsAccepted: 1, rowsRejected: 1 });
    const report = await readXlsx((await editor.get(`/imports/${jobId}/errors`)).rawPayload);
    const [errors, toFix] = report.worksheets;
    expect(errors.getRow(2).values).toEqual([
      undefined,
      3,
      '统一社会信用代码',
      '92320102MA00000000',
      '统一社会信用代码校验位错误',
    ]);
    expect(toFix.getRow(1).getCell(1).value).toBe('原行号');
    expect(toFix.getRow(2).getCell(3).value).toBe(`'=cmd|" /C calc"!A0`);
    expect(await t.db.selectFrom('entity').select('name').where('uscc', '=', good).executeTakeFirst()).toEqual({
      name: '上传测试店',
    });
  });

  it('serves templates with Chinese headers, and refuses a wrong file type or an over-large file', async () => {
    const tpl = await readXlsx((await editor.get('/imports/templates/annual_report')).rawPayload);
    expect(tpl.worksheets[0].getRow(1).values).toEqual(
      expect.arrayContaining(['统一社会信用代码', '年报年度', '党员人数（含预备党员）']),
    );
    const txt = await multipart('x.exe', 'MZ');
    expect((await editor.call('POST', '/imports/registry', txt.body, { 'content-type': txt.type })).statusCode).toBe(
      400,
    );
    const big = await multipart('big.csv', Buffer.alloc(2048, 0x41));
    t.app.ctx.config.importMaxBytes = 1024;
    try {
      const r = await editor.call('POST', '/imports/registry', big.body, { 'content-type': big.type });
      expect(r.statusCode).toBe(413);
    } finally {
      t.app.ctx.config.importMaxBytes = 1024 ** 3;
    }
  });
});
