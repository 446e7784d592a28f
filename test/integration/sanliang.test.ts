import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import ExcelJS from 'exceljs';
import { BACKENDS } from '../helpers/db.js';
import { nextIp, testApp, type TestApp } from '../helpers/app.js';
import { ledger } from '../helpers/ledger.js';
import { encryptField } from '../../src/crypto/field.js';
import { qrPng } from '../../src/features/sanliang/routes.js';

type Client = Awaited<ReturnType<TestApp['signIn']>>;

const COUNTY = '320102';
const S1 = '320102001';
const S2 = '320102002';
const FULL_NAME = '张三丰';
const ID_NUMBER = '11010519491231002X';
const PHONE = '13912345678';
const DUTIES = '亮职责：守法经营、诚实守信、明码标价';
const COMMITMENT = '本人承诺：不售假货，不缺斤短两，接受群众监督';

describe.each(BACKENDS)('三亮 records, plaques and the public page on %s', (backend) => {
  let t: TestApp;
  let editor: Client;
  let staff1: Client;
  let staff2: Client;
  let memberId: number;
  let entityId: number;
  let recordId: number;

  // The public page is reached by the plaque's token (its QR code); tests name plaques by number and look the token up.
  const tokenOf = async (number: string) =>
    (
      await t.db
        .selectFrom('sanliang_plaque')
        .select('public_token')
        .where('number', '=', number.toUpperCase())
        .executeTakeFirst()
    )?.public_token ?? number;
  const pub = async (number: string, ip = nextIp()) =>
    t.app.inject({
      method: 'GET',
      url: `/api/v1/public/plaques/${encodeURIComponent(await tokenOf(number))}`,
      remoteAddress: ip,
    });
  const report = async (number: string, body: unknown, ip = nextIp()) =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/public/plaques/${encodeURIComponent(await tokenOf(number))}/feedback`,
      payload: body as object,
      remoteAddress: ip,
    });
  const UNKNOWN = '0123456789abcdef0123456789abcdef';
  const newRecord = async (over: Record<string, unknown> = {}) => {
    const res = await editor.post('/sanliang', {
      kind: 'member_operator',
      memberId,
      entityId,
      duties: DUTIES,
      commitment: COMMITMENT,
      shownOn: '2026-03-01',
      ...over,
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as number;
  };
  const issue = async (id: number) => {
    const res = await staff1.post(`/sanliang/${id}/plaques`);
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ id: number; number: string }>();
  };

  beforeAll(async () => {
    t = await testApp(backend);
    const l = ledger(t.db);
    await l.station(S1, '东所');
    await l.station(S2, '西所');
    entityId = await l.entity({ place: S1, name: '诚信小吃店', kind: 'individual' });
    // The operator, with an ID number and phone on file: neither may reach the public page.
    [memberId] = await l.members(entityId, 1, 0, [FULL_NAME]);
    const { person_id } = await t.db
      .selectFrom('member')
      .select('person_id')
      .where('id', '=', memberId)
      .executeTakeFirstOrThrow();
    await t.db
      .updateTable('person')
      .set({ id_enc: encryptField(t.ctx.keys, ID_NUMBER), phone_enc: encryptField(t.ctx.keys, PHONE) })
      .where('id', '=', person_id)
      .execute();
    editor = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: COUNTY }));
    staff1 = await t.signIn(await t.user({ roles: ['station_staff'], jurisdiction: S1 }));
    staff2 = await t.signIn(await t.user({ roles: ['station_staff'], jurisdiction: S2 }));
    recordId = await newRecord();
  });
  afterAll(() => t?.close());

  it('refuses bad input in Chinese, naming the field', async () => {
    const noDuties = await editor.post('/sanliang', {
      kind: 'member_operator',
      memberId,
      entityId,
      commitment: COMMITMENT,
      shownOn: '2026-03-01',
    });
    expect(noDuties.statusCode).toBe(400);
    expect(noDuties.headers['content-type']).toContain('application/problem+json');
    expect(noDuties.json().errors.map((e: { field: string }) => e.field)).toContain('duties');
    const post = await editor.post('/sanliang', {
      kind: 'member_post',
      memberId,
      entityId,
      duties: DUTIES,
      commitment: COMMITMENT,
      shownOn: '2026-03-01',
    });
    expect(post.statusCode).toBe(400);
    expect(post.json().errors).toEqual([{ field: 'postName', message: '请填写岗位名称' }]);
    // The same member, entity and kind twice: the unique index speaks Chinese too.
    const twice = await editor.post('/sanliang', {
      kind: 'member_operator',
      memberId,
      entityId,
      duties: DUTIES,
      commitment: COMMITMENT,
      shownOn: '2026-03-01',
    });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().errors).toEqual([{ field: 'memberId', message: '该党员在该市场主体已有同类的三亮记录' }]);
    expect(
      (
        await editor.post('/sanliang', {
          kind: 'member_operator',
          memberId: 999999,
          entityId,
          duties: DUTIES,
          commitment: COMMITMENT,
          shownOn: '2026-03-01',
        })
      ).statusCode,
    ).toBe(404);
    const future = await editor.post('/sanliang', {
      kind: 'member_post',
      postName: '收银岗',
      memberId,
      entityId,
      duties: DUTIES,
      commitment: COMMITMENT,
      shownOn: '2099-01-01',
    });
    expect(future.json().errors).toEqual([{ field: 'shownOn', message: '亮牌日期不能晚于今天' }]);
  });

  it('issues one numbered plaque per record; the public page shows it valid with the member masked and no personal data', async () => {
    const plaque = await issue(recordId);
    expect(plaque.number).toMatch(/^XGZ-320102-\d{6}$/);
    const again = await staff1.post(`/sanliang/${recordId}/plaques`);
    expect(again.statusCode).toBe(409);
    expect(again.json().detail).toContain('补发');

    const res = await pub(plaque.number.toLowerCase());
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      number: plaque.number,
      verdict: 'valid',
      title: '牌匾有效',
      kindLabel: '共产党员经营户',
      entityName: '诚信小吃店',
      memberName: '张**',
      duties: DUTIES,
      commitment: COMMITMENT,
      area: '玄武区 东所',
    });
    // Nothing beyond the plaque: no full name, ID number (whole or masked), phone, or internal ids.
    for (const secret of [
      FULL_NAME,
      ID_NUMBER,
      ID_NUMBER.slice(-4) + '"',
      PHONE,
      PHONE.slice(-4),
      COUNTY + '001"',
      `"${memberId}"`,
    ])
      expect(res.body).not.toContain(secret);
    expect(Object.keys(body).sort()).toEqual([
      'area',
      'commitment',
      'detail',
      'duties',
      'entityName',
      'issuedOn',
      'kind',
      'kindLabel',
      'memberName',
      'number',
      'postName',
      'revokedOn',
      'title',
      'verdict',
    ]);
  });

  it('serves the QR code as a PNG of the public page link', async () => {
    const [p] = (await staff1.get(`/sanliang/${recordId}`)).json().plaques;
    const info = (await staff1.get(`/plaques/${p.id}`)).json();
    expect(info.verifyUrl).toMatch(new RegExp(`/verify/${await tokenOf(p.number)}$`));
    expect(info.verifyUrl).toMatch(/\/verify\/[0-9a-f]{32}$/);
    const png = await staff1.get(`/plaques/${p.id}/qr.png`);
    expect(png.statusCode).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.rawPayload.equals(await qrPng(info.verifyUrl))).toBe(true);
    expect((await staff2.get(`/plaques/${p.id}/qr.png`)).statusCode).toBe(404);
    // A deployment that names its public address prints that on plaques, whatever address the clerk used.
    t.ctx.config.publicUrl = 'https://xgz.example.gov.cn';
    try {
      const pub = (await staff1.get(`/plaques/${p.id}`)).json().verifyUrl;
      expect(pub).toBe(`https://xgz.example.gov.cn/verify/${await tokenOf(p.number)}`);
      expect((await staff1.get(`/plaques/${p.id}/qr.png`)).rawPayload.equals(await qrPng(pub))).toBe(true);
    } finally {
      t.ctx.config.publicUrl = undefined;
    }
    expect(() => loadConfig({ XGZ_PUBLIC_URL: 'xgz.example.gov.cn' })).toThrow(/XGZ_PUBLIC_URL/);
    expect(loadConfig({ XGZ_PUBLIC_URL: 'https://xgz.example.gov.cn/' }).publicUrl).toBe('https://xgz.example.gov.cn');
  });

  it('reissues: the old number reads as void, the new one as valid, and the record stays active', async () => {
    const [old] = (await staff1.get(`/sanliang/${recordId}`)).json().plaques;
    const noReason = await staff1.post(`/plaques/${old.id}/reissue`, { reason: '' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().errors).toEqual([{ field: 'reason', message: '请填写补发原因' }]);
    const fresh = await staff1.post(`/plaques/${old.id}/reissue`, { reason: '牌匾遗失' });
    expect(fresh.statusCode, fresh.body).toBe(201);
    expect(fresh.json().number).not.toBe(old.number);
    const oldPage = (await pub(old.number)).json();
    expect(oldPage).toMatchObject({
      verdict: 'revoked',
      title: '牌匾已作废',
      memberName: null,
      duties: null,
      commitment: null,
    });
    expect((await pub(fresh.json().number)).json().verdict).toBe('valid');
    const detail = (await staff1.get(`/sanliang/${recordId}`)).json();
    expect(detail.status).toBe('active');
    expect(detail.plaques.map((p: { state: string }) => p.state)).toEqual(['valid', 'revoked']);
    expect(detail.plaques[0].replacesId).toBe(old.id);
    expect(detail.actions).toEqual(['revoke', 'reissue']);
  });

  it('revokes (the exit mechanism): the record is withdrawn, the page says revoked, and it cannot be revoked twice', async () => {
    const detail = (await staff1.get(`/sanliang/${recordId}`)).json();
    const valid = detail.plaques.find((p: { state: string }) => p.state === 'valid');
    expect((await staff2.post(`/plaques/${valid.id}/revoke`, { reason: '越权撤销' })).statusCode).toBe(404);
    const res = await staff1.post(`/plaques/${valid.id}/revoke`, { reason: '营业执照被吊销' });
    expect(res.statusCode, res.body).toBe(200);
    const twice = await staff1.post(`/plaques/${valid.id}/revoke`, { reason: '营业执照被吊销' });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().detail).toBe('该牌匾已撤销，不能重复撤销');
    const page = await pub(valid.number);
    expect(page.json()).toMatchObject({
      verdict: 'revoked',
      title: '牌匾已撤销',
      entityName: '诚信小吃店',
      memberName: null,
      duties: null,
    });
    expect(page.body).not.toContain('张');
    const after = (await staff1.get(`/sanliang/${recordId}`)).json();
    expect(after).toMatchObject({ status: 'withdrawn', withdrawReason: '营业执照被吊销', plaque: null, actions: [] });
    expect((await staff1.post(`/sanliang/${recordId}/plaques`)).statusCode).toBe(409);
    const actions = (
      await t.db
        .selectFrom('audit_log')
        .select('action')
        .where('object_type', '=', 'sanliang_plaque')
        .orderBy('id')
        .execute()
    ).map((a) => a.action);
    expect(actions.filter((a) => a !== 'scope.denied')).toEqual(['plaque.issue', 'plaque.reissue', 'plaque.revoke']);
    // The other station's tries at the plaque (each a 404) left their trace.
    expect(actions.filter((a) => a === 'scope.denied')).toHaveLength(2);
  });

  it('says plainly when a token is unknown or malformed, and takes no printed number', async () => {
    const unknown = await pub(UNKNOWN);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers['content-type']).toContain('application/problem+json');
    expect(unknown.json()).toMatchObject({ title: '未查到该牌匾', code: 'plaque_unknown' });
    const bad = await pub("1' OR '1'='1");
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors).toEqual([{ field: 'token', message: '核验码格式不正确' }]);
    expect((await report(UNKNOWN, { category: 'plaque', content: '这块牌匾是假的吧' })).statusCode).toBe(404);
    const byNumber = await t.app.inject({
      method: 'GET',
      url: '/api/v1/public/plaques/XGZ-320102-000001',
      remoteAddress: nextIp(),
    });
    expect(byNumber.statusCode).toBe(400);
    expect(byNumber.json().detail).toContain('请扫描牌匾上的二维码');
  });

  it('rate-limits the public page per client, answering 429 in Chinese', async () => {
    const ip = nextIp();
    const codes: number[] = [];
    for (let i = 0; i < 32; i++) codes.push((await pub(UNKNOWN, ip)).statusCode);
    expect(codes.slice(0, 30).every((c) => c !== 429)).toBe(true);
    expect(codes.slice(30)).toEqual([429, 429]);
    const limited = await pub(UNKNOWN, ip);
    expect(limited.headers['content-type']).toContain('application/problem+json');
    expect(limited.json()).toMatchObject({ status: 429, title: '请求过于频繁' });
    // Another client is not held up by the first.
    expect((await pub(UNKNOWN)).statusCode).not.toBe(429);
  });

  it('lands a public report in the station work list, visible only in its scope, handled once with a note', async () => {
    const other = await newRecord({ kind: 'member_post', postName: '收银岗' });
    const plaque = await issue(other);
    const bad = await report(plaque.number, { category: 'conduct', content: '短' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('content');
    const sent = await report(plaque.number, { category: 'conduct', content: '经营者未按承诺明码标价' });
    expect(sent.statusCode, sent.body).toBe(201);
    expect(sent.json().receipt).toMatch(/^FK-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);

    const mine = (await staff1.get('/plaque-feedback?state=open')).json();
    expect(mine.items).toHaveLength(1);
    expect(mine.items[0]).toMatchObject({
      number: plaque.number,
      entityName: '诚信小吃店',
      categoryLabel: '未履行职责或承诺',
      content: '经营者未按承诺明码标价',
      state: 'open',
    });
    expect((await editor.get(`/plaque-feedback?under=${S1}`)).json().total).toBe(1);
    expect((await staff2.get('/plaque-feedback')).json().total).toBe(0);
    expect((await staff2.get(`/plaque-feedback?under=${S1}`)).statusCode).toBe(404);
    const id = mine.items[0].id;
    expect((await staff2.post(`/plaque-feedback/${id}/handle`, { note: '越权处理' })).statusCode).toBe(404);
    expect((await staff1.post(`/plaque-feedback/${id}/handle`, { note: '' })).json().errors).toEqual([
      { field: 'note', message: '请填写处理情况' },
    ]);
    expect((await staff1.post(`/plaque-feedback/${id}/handle`, { note: '已上门核实，责令整改' })).statusCode).toBe(200);
    expect((await staff1.post(`/plaque-feedback/${id}/handle`, { note: '再处理一次' })).statusCode).toBe(409);
    expect((await staff1.get('/plaque-feedback?state=handled')).json().items[0]).toMatchObject({
      state: 'handled',
      handlingNote: '已上门核实，责令整改',
    });
    // The receipt is audited in the station's scope, so its own auditors can see it.
    const received = await t.db
      .selectFrom('audit_log')
      .select(['scope_key', 'actor_id'])
      .where('action', '=', 'plaque.feedback_receive')
      .executeTakeFirstOrThrow();
    expect(received).toEqual({ scope_key: S1, actor_id: null });
  });

  it('counts participation by jurisdiction subtree and by month', async () => {
    // A second member in station 2, active since January.
    const l = ledger(t.db);
    const e2 = await l.entity({ place: S2, name: '西所商行' });
    const [m2] = await l.members(e2, 1);
    expect(
      (
        await editor.post('/sanliang', {
          kind: 'member_operator',
          memberId: m2,
          entityId: e2,
          duties: DUTIES,
          commitment: COMMITMENT,
          shownOn: '2026-01-15',
        })
      ).statusCode,
    ).toBe(201);

    const c = (await editor.get(`/sanliang/participation?under=${COUNTY}&months=36`)).json();
    expect(c.node.code).toBe(COUNTY);
    // Station 1: the 示范岗 record is active (the first was withdrawn); station 2: one active record.
    expect(c.total).toMatchObject({
      members: 2,
      records: 2,
      memberOperators: 1,
      memberPosts: 1,
      entities: 2,
      validPlaques: 1,
      withdrawn: 1,
    });
    const byCode = Object.fromEntries(c.children.map((x: { code: string }) => [x.code, x]));
    expect(byCode[S1]).toMatchObject({ members: 1, records: 1, validPlaques: 1, withdrawn: 1 });
    expect(byCode[S2]).toMatchObject({ members: 1, records: 1, validPlaques: 0 });
    expect(c.unassigned.records).toBe(0);
    const jan = c.months.find((m: { month: string }) => m.month === '2026-01');
    const mar = c.months.find((m: { month: string }) => m.month === '2026-03');
    expect(jan).toMatchObject({ started: 1, members: 1 });
    expect(mar.started).toBe(2);
    // This month: 3 plaques issued (first, reissue, 示范岗), 2 revoked (reissue's old, the exit).
    const now = c.months[c.months.length - 1];
    expect(now).toMatchObject({ issued: 3, revoked: 2 });
    // A station sees its own subtree, and not its neighbour's.
    expect((await staff2.get('/sanliang/participation')).json().total.records).toBe(1);
    expect((await staff2.get(`/sanliang/participation?under=${S1}`)).statusCode).toBe(404);
  });

  it('lists with filters and paging, and exports what the list shows with an audit record', async () => {
    const all = (await editor.get('/sanliang?pageSize=2')).json();
    expect(all.total).toBe(3);
    expect(all.items).toHaveLength(2);
    expect((await editor.get('/sanliang?status=withdrawn')).json().items.map((s: { id: number }) => s.id)).toEqual([
      recordId,
    ]);
    expect((await editor.get('/sanliang?kind=member_post&plaque=valid')).json().total).toBe(1);
    expect((await editor.get(`/sanliang?q=${encodeURIComponent('张三')}`)).json().total).toBe(2);
    expect((await staff2.get('/sanliang')).json().items.map((s: { entityName: string }) => s.entityName)).toEqual([
      '西所商行',
    ]);

    const res = await editor.get('/sanliang/export?kind=member_post');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    expect(ws.rowCount).toBe(2);
    expect(ws.getRow(2).getCell(1).value).toBe('党员示范岗');
    expect(ws.getRow(2).getCell(4).value).toBe('收银岗');
    const a = await t.db
      .selectFrom('audit_log')
      .select('detail')
      .where('action', '=', 'sanliang.export')
      .executeTakeFirstOrThrow();
    expect(a.detail).toMatchObject({ rows: 1 });
  });

  it('documents its routes in the OpenAPI description', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/docs/json', headers: { cookie: editor.cookie } }); // the docs are for signed-in staff
    expect(res.statusCode).toBe(200);
    const paths = Object.keys(res.json().paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/v1/sanliang',
        '/api/v1/plaques/{id}/revoke',
        '/api/v1/public/plaques/{token}',
        '/api/v1/public/plaques/{token}/feedback',
        '/api/v1/sanliang/participation',
      ]),
    );
  });

  it('flags an active record for review when its entity stops operating', async () => {
    expect((await editor.get('/sanliang?review=true')).json().total).toBe(0);
    const l = ledger(t.db);
    const gone = await l.entity({ place: S2, name: '已吊销商行' });
    const [m] = await l.members(gone, 1);
    const id = (
      await editor.post('/sanliang', {
        kind: 'member_operator',
        memberId: m,
        entityId: gone,
        duties: DUTIES,
        commitment: COMMITMENT,
        shownOn: '2026-02-01',
      })
    ).json().id;
    await t.db.updateTable('entity').set({ status: 'revoked' }).where('id', '=', gone).execute();
    const flagged = (await editor.get('/sanliang?review=true')).json().items;
    expect(flagged.map((s: { id: number; needsReview: boolean }) => [s.id, s.needsReview])).toEqual([[id, true]]);
    // Withdrawn records (the first one here) are never flagged, whatever their entity.
    expect((await editor.get(`/sanliang/${recordId}`)).json().needsReview).toBe(false);
    await editor.del(`/sanliang/${id}`);
  });

  it('a record, its plaque and the reports on it go with the entity to its new station (the old one answered 500)', async () => {
    const l = ledger(t.db);
    const moving = await l.entity({ place: S2, name: '搬走商行' });
    const [m] = await l.members(moving, 1);
    const id = (
      await editor.post('/sanliang', {
        kind: 'member_operator',
        memberId: m,
        entityId: moving,
        duties: DUTIES,
        commitment: COMMITMENT,
        shownOn: '2026-02-01',
      })
    ).json().id;
    expect((await staff2.post(`/sanliang/${id}/plaques`)).statusCode).toBe(201);
    const moved = await editor.patch(`/entities/${moving}`, { stationCode: S1 });
    expect(moved.statusCode, moved.body).toBe(200);
    expect((await staff2.get(`/sanliang/${id}`)).statusCode).toBe(404);
    const seen = await staff1.get(`/sanliang/${id}`);
    expect(seen.statusCode, seen.body).toBe(200);
    expect(seen.json().plaques).toHaveLength(1);
  });

  it('deletes only a record that never had a plaque', async () => {
    const l = ledger(t.db);
    const e3 = await l.entity({ place: S1, name: '误录商店' });
    const [m3] = await l.members(e3, 1);
    const res = await editor.post('/sanliang', {
      kind: 'member_operator',
      memberId: m3,
      entityId: e3,
      duties: DUTIES,
      commitment: COMMITMENT,
      shownOn: '2026-03-01',
    });
    expect((await editor.del(`/sanliang/${res.json().id}`)).statusCode).toBe(204);
    expect((await editor.del(`/sanliang/${recordId}`)).statusCode).toBe(409);
  });
});
