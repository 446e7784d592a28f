import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { seededRandom } from '../../src/domain/random.js';
import { idNumber, uscc } from '../../src/demo/ledger.js';
import { BACKENDS } from '../helpers/db.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { csvFile, importFile, tmpDir } from '../helpers/imports.js';

const rnd = seededRandom(44);
const code = () => uscc(rnd, 'enterprise', '320102');
const [A, B, C, D, E] = [code(), code(), code(), code(), code()];
const ZHANG = idNumber(rnd, '320102', new Date('1980-02-02'));
const LI = idNumber(rnd, '320102', new Date('1975-05-05'));
const MOBILE_ID = idNumber(rnd, '320102', new Date('1990-09-09'));

type Client = Awaited<ReturnType<TestApp['signIn']>>;

describe.each(BACKENDS)('member discovery on %s', (backend) => {
  let t: TestApp;
  let editor: Client;
  let importer: { id: number; scopeKey: string };
  const dir = tmpDir();

  const runDiscovery = async (c: Client = editor) => {
    const run = await c.post('/discovery/runs');
    expect(run.statusCode).toBe(202);
    await Promise.all(t.app.discoveryRuns);
    return (await c.get(`/discovery/runs/${run.json().id}`)).json();
  };
  const cases = async (c: Client = editor) =>
    (await c.get('/cases?pageSize=200')).json().items as {
      id: number;
      kind: string;
      state: string;
      entityName: string;
      memberName: string | null;
    }[];
  const caseOf = async (kind: string, entity: string) =>
    (await cases()).find((c) => c.kind === kind && c.entityName === entity);

  beforeAll(async () => {
    t = await testApp(backend);
    const u = await t.user({ roles: ['editor'], jurisdiction: '320102' });
    importer = { id: u.id, scopeKey: '320102' };
    editor = await t.signIn(u);
    const e = (uscc: string, name: string, rep: string, id = '', phone = '') => ({
      统一社会信用代码: uscc,
      名称: name,
      主体类型: '企业',
      所属县区代码: '320102',
      '法定代表人/经营者': rep,
      '法定代表人/经营者身份证号': id,
      '法定代表人/经营者手机': phone,
    });
    await importFile(
      t,
      'registry',
      csvFile(dir, 'r.csv', [
        e(A, '甲科技有限公司', '张三', ZHANG),
        e(B, '乙餐饮有限公司', '王伟', '', '13911112222'),
        e(C, '丙商贸有限公司', '陈七'),
        e(D, '丁文化有限公司', '李四', LI),
        e(E, '戊物流有限公司', '赵六'),
        e(code(), '己服务有限公司', '孙八', MOBILE_ID),
      ]),
      importer,
    );
    const a = (uscc: string, members: string, form: string) => ({
      统一社会信用代码: uscc,
      年报年度: '2025',
      从业人数: '20',
      '党员人数（含预备党员）': members,
      党组织建立形式: form,
    });
    await importFile(
      t,
      'annual_report',
      csvFile(dir, 'a.csv', [a(A, '0', '0'), a(C, '2', '0'), a(D, '1', '1')]),
      importer,
    );
    const m = (name: string, id: string, birth: string, org: string, status = '正常', phone = '') => ({
      姓名: name,
      公民身份号码: id,
      出生日期: birth,
      党员类别: '正式党员',
      组织关系所在党组织: org,
      党员状态: status,
      联系电话: phone,
    });
    const roster = await importFile(
      t,
      'roster',
      csvFile(dir, 'm.csv', [
        m('张三', ZHANG, '', '鼓楼区某社区党支部'),
        m('王玮', '', '1988-08-08', '', '正常', '13911112222'),
        m('李四', LI, '', '丁文化有限公司党支部'),
        m('赵六', '', '1960-01-01', '某街道党工委'),
        m('孙八', MOBILE_ID, '', '外地某党支部', '流动'),
        m('周九', '无', '1949-12-31', '某党支部'),
      ]),
      importer,
    );
    expect(roster.job).toMatchObject({ status: 'done', rows_accepted: 6, rows_rejected: 0 });
  });
  afterAll(() => t?.close());

  it('imports the roster idempotently, keeping members without a usable ID number', async () => {
    const list = (await editor.get('/members?pageSize=50')).json();
    expect(list.total).toBe(6);
    const zhou = list.items.find((m: { name: string }) => m.name === '周九');
    expect(zhou).toMatchObject({
      idNumber: null,
      birthDate: '1949-12-31',
      confidence: 'confirmed',
      sources: ['roster'],
    });
    const zhang = list.items.find((m: { name: string }) => m.name === '张三');
    expect(zhang.idNumber).toBe(`${ZHANG.slice(0, 6)}********${ZHANG.slice(-4)}`);
    // The roster person and the legal representative with the same number are one person.
    const persons = await t.db.selectFrom('person').select('id').where('name', '=', '张三').execute();
    expect(persons).toHaveLength(1);
  });

  it('links exactly by ID number and probabilistically by sound of name and phone, never namesakes alone', async () => {
    const run = await runDiscovery();
    expect(run.status).toBe('done');
    const links = await t.db
      .selectFrom('member_link as l')
      .innerJoin('member as m', 'm.id', 'l.member_id')
      .innerJoin('person as p', 'p.id', 'm.person_id')
      .select(['p.name', 'l.method', 'l.levels'])
      .orderBy('p.name')
      .execute();
    expect(links.map((l) => [l.name, l.method])).toEqual([
      ['孙八', 'exact'],
      ['张三', 'exact'],
      ['李四', 'exact'],
      ['王玮', 'probabilistic'],
    ]);
    expect(links.find((l) => l.name === '王玮')!.levels).toMatchObject({ name: 'homophone', phone: 'same' });
  });

  it('raises each case type with its evidence', async () => {
    const all = await cases();
    const kinds = (entity: string) =>
      all
        .filter((c) => c.entityName === entity)
        .map((c) => c.kind)
        .sort();
    expect(kinds('甲科技有限公司')).toEqual(['entity_without_org', 'hidden_member', 'pocket_member']);
    expect(kinds('乙餐饮有限公司')).toEqual(['entity_without_org', 'hidden_member', 'pocket_member']);
    expect(kinds('丙商贸有限公司')).toEqual(['declared_not_found', 'entity_without_org']);
    expect(kinds('丁文化有限公司')).toEqual([]);
    expect(kinds('戊物流有限公司')).toEqual([]);
    expect(kinds('己服务有限公司')).toEqual(['entity_without_org', 'hidden_member']);
    const hidden = await caseOf('hidden_member', '甲科技有限公司');
    const detail = (await editor.get(`/cases/${hidden!.id}`)).json();
    expect(detail.evidence).toMatchObject({ declared: 0, found: 1, method: 'exact' });
    expect(detail.member).toMatchObject({ name: '张三', orgRelation: '鼓楼区某社区党支部' });
    // Not the birth date beside a masked ID number: the two make the whole number (round-4 probe).
    expect(detail.member.birthDate).toBeNull();
  });

  it('runs the work list through its state machine, audited, and refuses illegal moves', async () => {
    const c = (await caseOf('pocket_member', '甲科技有限公司'))!;
    const act = (body: unknown) => editor.post(`/cases/${c.id}/actions`, body);
    expect((await act({ action: 'transfer', transfer: { from: 'a', to: 'b', date: '2026-11-01' } })).statusCode).toBe(
      409,
    );
    expect((await act({ action: 'contact' })).statusCode).toBe(400);
    expect(
      (
        await act({
          action: 'contact',
          contact: { date: '2026-11-20', way: 'visit', outcome: '本人承认是党员，组织关系在原社区' },
        })
      ).json().state,
    ).toBe('contacted');
    expect((await act({ action: 'confirm' })).json().state).toBe('confirmed');
    expect(
      (
        await act({
          action: 'transfer',
          transfer: { from: '鼓楼区某社区党支部', to: '玄武区个体工商户联合党支部', date: '2026-11-25' },
        })
      ).json().state,
    ).toBe('transferred');
    expect((await act({ action: 'dismiss', reason: 'x' })).statusCode).toBe(409);
    const d = (await editor.get(`/cases/${c.id}`)).json();
    expect(d.events.map((e: { action: string }) => e.action)).toEqual(['raised', 'contact', 'confirm', 'transfer']);
    expect(d.member.orgRelation).toBe('玄武区个体工商户联合党支部');
    const dismiss = (await caseOf('declared_not_found', '丙商贸有限公司'))!;
    expect((await editor.post(`/cases/${dismiss.id}/actions`, { action: 'dismiss' })).statusCode).toBe(400);
    expect(
      (await editor.post(`/cases/${dismiss.id}/actions`, { action: 'dismiss', reason: '年报误填，实际无党员' })).json()
        .state,
    ).toBe('dismissed');
    const audited = await t.db.selectFrom('audit_log').select('action').where('action', 'like', 'case.%').execute();
    // Besides the imports' own (case.follow: cases raised or closed by a change), the person's moves.
    expect(audited.map((a) => a.action).filter((a) => a !== 'case.follow')).toEqual([
      'case.contact',
      'case.confirm',
      'case.transfer',
      'case.dismiss',
    ]);
    expect(audited.some((a) => a.action === 'case.follow')).toBe(true);
  });

  it('confirming a hidden member shows them on the entity page; a re-run keeps decisions unless the evidence changes', async () => {
    const hidden = (await caseOf('hidden_member', '甲科技有限公司'))!;
    expect((await editor.post(`/cases/${hidden.id}/actions`, { action: 'confirm' })).statusCode).toBe(200);
    const entityId = (await editor.get(`/entities?q=${A}`)).json().items[0].id;
    expect((await editor.get(`/entities/${entityId}`)).json().members).toMatchObject([
      { name: '张三', confidence: 'confirmed', method: 'exact' },
    ]);
    const memberId = (await editor.get('/members?q=张三')).json().items[0].id;
    // A search by number and phone: the request log keeps the query's keys only (the logs project reads it).
    for (const q of [ZHANG, '13911112222']) expect((await editor.get(`/members?q=${q}`)).statusCode).toBe(200);
    const member = (await editor.get(`/members/${memberId}`)).json();
    expect(member.roles).toMatchObject([{ entityName: '甲科技有限公司', role: 'legal_rep', method: 'exact' }]);
    expect(member.cases.map((c: { kind: string }) => c.kind).sort()).toEqual(['hidden_member', 'pocket_member']);
    expect(member.history.length).toBeGreaterThan(1);
    expect(
      member.history.some((h: { changes: { field: string }[] }) => h.changes.some((c) => c.field === 'org_relation')),
    ).toBe(true);

    const again = await runDiscovery();
    expect(again.counts.raised).toBe(0);
    expect((await caseOf('hidden_member', '甲科技有限公司'))!.state).toBe('confirmed');
    expect((await caseOf('declared_not_found', '丙商贸有限公司'))!.state).toBe('dismissed');

    // 丙 now reports more members: the dismissed "declared but not found" case has new evidence and is
    // reopened by the import itself (cases follow the facts); a run after it finds nothing more to do.
    await importFile(
      t,
      'annual_report',
      csvFile(dir, 'a2.csv', [
        { 统一社会信用代码: C, 年报年度: '2025', 从业人数: '20', '党员人数（含预备党员）': '3', 党组织建立形式: '0' },
      ]),
      importer,
    );
    expect((await caseOf('declared_not_found', '丙商贸有限公司'))!.state).toBe('open');
    const third = await runDiscovery();
    expect([third.counts.reopened, third.counts.raised, third.counts.resolved]).toEqual([0, 0, 0]);
    expect((await caseOf('declared_not_found', '丙商贸有限公司'))!.state).toBe('open');
  });

  it('an annual report naming the owner a member puts them on file as declared, without raising cases on that alone', async () => {
    const F = code();
    await importFile(
      t,
      'registry',
      csvFile(dir, 'f.csv', [
        {
          统一社会信用代码: F,
          名称: '庚申报有限公司',
          主体类型: '企业',
          所属县区代码: '320102',
          '法定代表人/经营者': '吴十',
          '法定代表人/经营者身份证号': idNumber(rnd, '320102', new Date('1970-07-07')),
        },
      ]),
      importer,
    );
    await importFile(
      t,
      'annual_report',
      csvFile(dir, 'f2.csv', [
        {
          统一社会信用代码: F,
          年报年度: '2025',
          从业人数: '9',
          '党员人数（含预备党员）': '1',
          党组织建立形式: '0',
          '法定代表人/经营者是否党员': '是',
        },
      ]),
      importer,
    );
    const run = await runDiscovery();
    const wu = (await editor.get('/members?q=吴十')).json().items[0];
    // The member the run records from the report is among the members it reads (its facts known).
    expect(run.counts.members).toBe((await editor.get('/members')).json().total);
    expect(wu).toMatchObject({ confidence: 'declared', sources: ['declared'], entities: ['庚申报有限公司'] });
    const kinds = (await cases())
      .filter((c) => c.entityName === '庚申报有限公司')
      .map((c) => c.kind)
      .sort();
    expect(kinds).toEqual(['declared_not_found', 'entity_without_org']);
  });

  it('staff record a person they met as a member; the link survives re-runs', async () => {
    const entityId = (await editor.get(`/entities?q=${E}`)).json().items[0].id;
    const roleId = (await editor.get(`/entities/${entityId}`)).json().people[0].roleId;
    const res = await editor.post(`/entities/${entityId}/people/${roleId}/member`, {
      membership: 'full',
      note: '走访时本人说明',
    });
    expect(res.statusCode).toBe(201);
    await runDiscovery();
    const d = (await editor.get(`/entities/${entityId}`)).json();
    expect(d.members).toMatchObject([{ name: '赵六', method: 'staff', confidence: 'declared' }]);
    // The run's cases count the staff's link as a member found (on PostgreSQL their facts are read
    // beside the run's writing, with the staff's links on file and the run's own in memory).
    expect(
      (await cases())
        .filter((c) => c.entityName === '戊物流有限公司' && c.memberName === '赵六')
        .map((c) => c.kind)
        .sort(),
    ).toEqual(['hidden_member', 'pocket_member']);
    expect((await editor.get(`/members/${res.json().memberId}`)).json()).toMatchObject({ sources: ['staff'] });
  });

  it('a station sees only the cases of its own entities', async () => {
    await editor.post('/stations', { countyCode: '320102', suffix: '001', name: '甲所' });
    const entityId = (await editor.get(`/entities?q=${B}`)).json().items[0].id;
    await editor.patch(`/entities/${entityId}`, { stationCode: '320102001' });
    await runDiscovery();
    const staff = await t.signIn(await t.user({ roles: ['station_staff'], jurisdiction: '320102001' }));
    const seen = await cases(staff);
    expect(seen.length).toBeGreaterThan(0);
    expect(new Set(seen.map((c) => c.entityName))).toEqual(new Set(['乙餐饮有限公司']));
    // The roster is the county's; the station still sees the member it found and records its check.
    const hidden = seen.find((c) => c.kind === 'hidden_member')!;
    expect(hidden.memberName).toBe('王玮');
    expect((await staff.get(`/cases/${hidden.id}`)).json().member).toMatchObject({
      name: '王玮',
      phone: '139****2222',
    });
    expect((await staff.post(`/cases/${hidden.id}/actions`, { action: 'confirm' })).json().state).toBe('confirmed');
    // The member is the county's, seen through its link to the station's entity: in the page and in the count.
    const roster = (await staff.get('/members')).json();
    expect(roster.items.map((m: { name: string }) => m.name)).toEqual(['王玮']);
    expect(roster.total).toBe(1);
    // 名册党员 (the rosters held here) is the station's own: none, as its dashboard counts; the county holds them all.
    expect((await staff.get('/members?held=true')).json().total).toBe(0);
    const county = (await editor.get('/members?held=true&pageSize=200')).json();
    expect(county.total).toBe((await editor.get('/members?pageSize=200')).json().total);
    expect(county.total).toBeGreaterThan(0);
    // The county's dashboard, drilled to the station: the member lists it links to (?under=) count as its figures.
    const station = (await editor.get('/dashboard?under=320102001')).json().figures;
    expect(station).toMatchObject({ membersFound: 1, membersOnRoster: 0 });
    const under = (q: string) => editor.get(`/members?under=320102001&${q}`).then((r) => r.json());
    expect((await under('linked=true')).items.map((m: { name: string }) => m.name)).toEqual(['王玮']);
    expect((await under('held=true')).total).toBe(0);
    expect((await under('')).total).toBe(1);
    expect((await editor.get('/members?under=320102&held=true')).json().total).toBe(county.total);
    await editor.post('/stations', { countyCode: '320102', suffix: '002', name: '乙所' });
    const elsewhere = await t.signIn(await t.user({ roles: ['station_staff'], jurisdiction: '320102002' }));
    expect(await cases(elsewhere)).toEqual([]);
    expect((await elsewhere.get(`/cases/${hidden.id}`)).statusCode).toBe(404);
  });

  it("exports the work list under its filters as the list shows it, within the caller's scope, with a trace", async () => {
    const sheetOf = async (c: Client, q: string) => {
      const res = await c.get(`/cases/export${q}`);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.headers['content-type']).toContain('spreadsheetml');
      const book = new ExcelJS.Workbook();
      await book.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
      return book
        .getWorksheet('核实线索')!
        .getSheetValues()
        .slice(1)
        .map((r) => (r as unknown[]).slice(1, 6));
    };
    const q = '?state=open,contacted';
    const listed = (await editor.get(`/cases${q}&pageSize=200`)).json().items as {
      kindLabel: string;
      entityName: string;
      memberName: string | null;
      stationName: string | null;
      stateLabel: string;
    }[];
    expect(listed.length).toBeGreaterThan(1);
    const [header, ...rows] = await sheetOf(editor, q);
    expect(header).toEqual(['线索', '市场主体 / 党组织', '党员', '基层所', '状态']);
    expect(rows).toEqual(
      listed.map((c) => [
        c.kindLabel,
        c.entityName,
        c.memberName ?? undefined,
        c.stationName ?? undefined,
        c.stateLabel,
      ]),
    );
    // A station's export holds its own cases only.
    const staff = await t.signIn(await t.user({ roles: ['station_staff'], jurisdiction: '320102001' }));
    const own = await sheetOf(staff, '');
    expect(new Set(own.slice(1).map((r) => r[1]))).toEqual(new Set(['乙餐饮有限公司']));
    const traces = await t.db
      .selectFrom('audit_log')
      .select(['detail'])
      .where('action', '=', 'case.export')
      .orderBy('id')
      .execute();
    expect(traces.map((a) => (a.detail as { rows: number }).rows)).toEqual([rows.length, own.length - 1]);
    expect((await editor.get('/cases/export?state=closed')).statusCode).toBe(400);
  });
});
