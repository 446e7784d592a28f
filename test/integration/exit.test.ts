import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/db.js';
import { nextIp, testApp, type TestApp } from '../helpers/app.js';
import { ledger } from '../helpers/ledger.js';
import { csvFile, importFile, tmpDir } from '../helpers/imports.js';
import { usccCheckChar } from '../../src/domain/identifiers/uscc.js';

const usccOf = (kind: '91' | '92', n: number) => {
  const f = `${kind}320102MA1X${String(n).padStart(5, '0')}`;
  return f + usccCheckChar(f);
};

type Client = Awaited<ReturnType<TestApp['signIn']>>;

const COUNTY = '320102';
const S1 = '320102001';
const S2 = '320102002';

/** Headers as the 国家企业信用信息公示系统 exports the 经营异常名录. */
const abnormal = (code: string, o: { listedOn?: string; removedOn?: string } = {}) => ({
  '统一社会信用代码/注册号': code,
  企业名称: '某主体',
  列入经营异常名录原因: '未依照《企业信息公示暂行条例》第八条规定的期限公示年度报告的',
  列入日期: o.listedOn ?? '2026-07-10',
  '作出决定机关(列入)': '南京市玄武区市场监督管理局',
  移出经营异常名录原因: o.removedOn ? '补报了年度报告，申请移出' : '',
  移出日期: o.removedOn ?? '',
  '作出决定机关(移出)': o.removedOn ? '南京市玄武区市场监督管理局' : '',
});

describe.each(BACKENDS)('exit driven by status and credit lists on %s', (backend) => {
  let t: TestApp;
  let staff1: Client;
  let staff2: Client;
  let importer: { id: number; scopeKey: string };
  let entityA: number;
  let entityB: number;
  let plaqueA: { id: number; token: string };
  let plaqueB: { id: number; token: string };
  let honourA: number;
  let pointA: number;
  const dir = tmpDir();

  const pub = async (token: string) =>
    (await t.app.inject({ method: 'GET', url: `/api/v1/public/plaques/${token}`, remoteAddress: nextIp() })).json();
  const regNoOf = async (id: number) =>
    (await t.db.selectFrom('entity').select('uscc').where('id', '=', id).executeTakeFirstOrThrow()).uscc!;
  const plaqueOn = async (staff: Client, entityId: number) => {
    const l = ledger(t.db);
    const [memberId] = await l.members(entityId, 1, 0);
    const rec = await staff.post('/sanliang', {
      kind: 'member_operator',
      memberId,
      entityId,
      duties: '亮职责：守法经营、诚实守信',
      commitment: '本人承诺：不售假货，接受群众监督',
      shownOn: '2026-03-01',
    });
    expect(rec.statusCode, rec.body).toBe(201);
    const p = await staff.post(`/sanliang/${rec.json().id}/plaques`);
    expect(p.statusCode, p.body).toBe(201);
    const token = (
      await t.db
        .selectFrom('sanliang_plaque')
        .select('public_token')
        .where('id', '=', p.json().id)
        .executeTakeFirstOrThrow()
    ).public_token;
    return { id: p.json().id as number, token };
  };
  const auditOf = (action: string) =>
    t.db
      .selectFrom('audit_log')
      .select(['action', 'object_type', 'object_id', 'detail'])
      .where('action', '=', action)
      .orderBy('id')
      .execute();

  beforeAll(async () => {
    t = await testApp(backend);
    const l = ledger(t.db);
    await l.station(S1, '东所');
    await l.station(S2, '西所');
    entityA = await l.entity({ place: S1, name: '诚信小吃店', kind: 'individual' });
    entityB = await l.entity({ place: S2, name: '放心超市', kind: 'enterprise' });
    await t.db
      .updateTable('entity')
      .set({ uscc: usccOf('92', 1) })
      .where('id', '=', entityA)
      .execute();
    await t.db
      .updateTable('entity')
      .set({ uscc: usccOf('91', 2) })
      .where('id', '=', entityB)
      .execute();
    staff1 = await t.signIn(await t.user({ roles: ['station_staff'], jurisdiction: S1 }));
    staff2 = await t.signIn(await t.user({ roles: ['station_staff'], jurisdiction: S2 }));
    const u = await t.user({ roles: ['editor'], jurisdiction: COUNTY });
    importer = { id: u.id, scopeKey: COUNTY };
    plaqueA = await plaqueOn(staff1, entityA);
    plaqueB = await plaqueOn(staff2, entityB);
    const scopeA = (
      await t.db.selectFrom('entity').select('scope_key').where('id', '=', entityA).executeTakeFirstOrThrow()
    ).scope_key;
    honourA = (
      await t.db
        .insertInto('honour')
        .values({
          kind: 'star_operator',
          entity_id: entityA,
          subject_name: '诚信小吃店',
          state: 'awarded',
          nominated_on: '2025-05-01',
          level: 'county',
          year: 2025,
          awarded_on: '2025-06-01',
          scope_key: scopeA,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    pointA = (
      await t.db
        .insertInto('recognition_point')
        .values({
          kind: 'contact',
          level: 'county',
          subject_type: 'entity',
          entity_id: entityA,
          subject_name: '诚信小吃店',
          designated_on: '2025-03-01',
          responsible_name: '李四',
          scope_key: scopeA,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  });
  afterAll(() => t?.close());

  it('a revoked entity: its plaque reads 暂停公示 (nothing more) within the request that revoked it; honours and points flagged; staff see why; audited with the change', async () => {
    expect((await pub(plaqueA.token)).verdict).toBe('valid');
    const res = await staff1.patch(`/entities/${entityA}`, { status: 'revoked' });
    expect(res.statusCode, res.body).toBe(200);
    const page = await pub(plaqueA.token);
    expect(page).toMatchObject({
      verdict: 'suspended',
      title: '暂停公示',
      detail: '',
      entityName: null,
      memberName: null,
      duties: null,
      commitment: null,
      area: null,
      issuedOn: null,
    });
    expect(JSON.stringify(page)).not.toMatch(/吊销|诚信小吃店|东所/);
    // The other station's plaque is untouched.
    expect((await pub(plaqueB.token)).verdict).toBe('valid');

    const h = await t.db
      .selectFrom('honour')
      .select(['flagged_at', 'flag_reason'])
      .where('id', '=', honourA)
      .executeTakeFirstOrThrow();
    expect(h.flagged_at).not.toBeNull();
    expect(h.flag_reason).toBe('主体已被吊销营业执照');
    const p = await t.db
      .selectFrom('recognition_point')
      .select(['flagged_at', 'flag_reason'])
      .where('id', '=', pointA)
      .executeTakeFirstOrThrow();
    expect(p.flag_reason).toBe('主体已被吊销营业执照');

    // Staff see why; the sibling station does not see the review at all.
    const list = (await staff1.get('/exit-reviews')).json().items;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      entityId: entityA,
      cause: 'revoked',
      reason: '主体已被吊销营业执照',
      state: 'open',
      actions: ['review'],
    });
    expect(list[0].effects.map((e: { effect: string }) => e.effect)).toEqual([
      'review_open',
      'plaque_suspend',
      'honour_flag',
      'point_flag',
    ]);
    expect((await staff2.get('/exit-reviews')).json().items).toEqual([]);
    expect((await staff2.post(`/exit-reviews/${list[0].id}/review`, { note: '已核实' })).statusCode).toBe(404);
    // The station's 待办 shows the review.
    const todo = (await staff1.get('/workbench')).json().items.filter((i: { kind: string }) => i.kind === 'exit');
    expect(todo.map((i: { key: string }) => i.key)).toEqual(['exit:open']);

    // Every automatic effect is in the audit chain, naming the request that caused it.
    const suspended = await auditOf('exit.plaque_suspend');
    expect(suspended).toHaveLength(1);
    expect(suspended[0]).toMatchObject({ object_type: 'sanliang_plaque', object_id: String(plaqueA.id) });
    expect(suspended[0].detail).toMatchObject({
      automatic: true,
      cause: 'revoked',
      entityId: entityA,
      change: { type: 'request', action: 'entity.update', objectType: 'entity', objectId: entityA },
    });
    expect((await auditOf('exit.honour_flag')).map((a) => a.object_id)).toEqual([String(honourA)]);

    // Nothing to lift while the cause holds: a conflict, in Chinese.
    const early = await staff1.post(`/exit-reviews/${list[0].id}/lift`, { note: '申请恢复' });
    expect(early.statusCode).toBe(409);
    expect(early.json().detail).toContain('原因尚未消除');
    const noNote = await staff1.post(`/exit-reviews/${list[0].id}/review`, { note: '' });
    expect(noNote.statusCode).toBe(400);
    expect(noNote.json().errors[0].field).toBe('note');
    const reviewed = await staff1.post(`/exit-reviews/${list[0].id}/review`, { note: '已核实吊销，牌匾暂停公示' });
    expect(reviewed.statusCode, reviewed.body).toBe(200);
    expect(reviewed.json().state).toBe('reviewed');
    expect((await pub(plaqueA.token)).verdict).toBe('suspended');

    // The licence restored: the review waits for staff; the plaque returns when they confirm.
    expect((await staff1.patch(`/entities/${entityA}`, { status: 'active' })).statusCode).toBe(200);
    const pending = (await staff1.get('/exit-reviews')).json().items[0];
    expect(pending).toMatchObject({ state: 'lift_pending', actions: ['lift'] });
    expect((await pub(plaqueA.token)).verdict).toBe('suspended');
    const lifted = await staff1.post(`/exit-reviews/${pending.id}/lift`, { note: '执照已恢复，经核实恢复公示' });
    expect(lifted.statusCode, lifted.body).toBe(200);
    expect(lifted.json().state).toBe('closed');
    expect((await pub(plaqueA.token)).verdict).toBe('valid');
    expect((await auditOf('exit.plaque_resume'))[0].detail).toMatchObject({
      change: { type: 'request', action: 'exit.lift' },
    });
    expect(
      (
        await t.db
          .selectFrom('recognition_point')
          .select('flagged_at')
          .where('id', '=', pointA)
          .executeTakeFirstOrThrow()
      ).flagged_at,
    ).toBeNull();
    expect((await staff1.get('/exit-reviews')).json().items).toEqual([]);
  });

  it('the 经营异常名录 imported as a file: listing suspends, an unknown entity is a row error, removal lifts for staff to confirm', async () => {
    const a = await regNoOf(entityA);
    const file = csvFile(dir, 'abnormal.csv', [abnormal(a), abnormal(usccOf('91', 99))]);
    const { job, rejections } = await importFile(t, 'abnormal_list', file, importer);
    expect(job.status).toBe('done');
    expect([job.rows_accepted, job.rows_rejected]).toEqual([1, 1]);
    expect(rejections).toHaveLength(1);
    expect(rejections[0]).toMatchObject({ row_no: 3, value: usccOf('91', 99) });
    expect(rejections[0].reason).toContain('台账中没有这个主体');
    expect((await pub(plaqueA.token)).verdict).toBe('suspended');
    const review = (await staff1.get('/exit-reviews')).json().items[0];
    expect(review).toMatchObject({ cause: 'abnormal', state: 'open' });
    expect(review.reason).toContain('列入经营异常名录：未依照');
    const audited = await auditOf('exit.plaque_suspend');
    expect(audited.at(-1)!.detail).toMatchObject({
      cause: 'abnormal',
      change: { type: 'import_job', id: job.id, kind: 'abnormal_list' },
    });

    // The same file again changes nothing (no second review, no second effect).
    await importFile(t, 'abnormal_list', file, importer);
    expect(
      await t.db
        .selectFrom('exit_review')
        .select('id')
        .where('entity_id', '=', entityA)
        .where('state', '<>', 'closed')
        .execute(),
    ).toHaveLength(1);
    expect(await auditOf('exit.plaque_suspend')).toHaveLength(audited.length);

    // Removed from the list: staff confirm, then the plaque is valid again.
    const removed = await importFile(
      t,
      'abnormal_list',
      csvFile(dir, 'removed.csv', [abnormal(a, { removedOn: '2026-09-01' })]),
      importer,
    );
    expect(removed.job.rows_accepted).toBe(1);
    expect((await pub(plaqueA.token)).verdict).toBe('suspended');
    const pending = (await staff1.get('/exit-reviews')).json().items[0];
    expect(pending.state).toBe('lift_pending');
    expect(
      (await staff1.get('/workbench'))
        .json()
        .items.filter((i: { kind: string }) => i.kind === 'exit')
        .map((i: { key: string }) => i.key),
    ).toEqual(['exit:lift']);
    expect((await staff1.post(`/exit-reviews/${pending.id}/lift`, { note: '已移出经营异常名录' })).statusCode).toBe(
      200,
    );
    expect((await pub(plaqueA.token)).verdict).toBe('valid');
  });

  it('bad rows of a credit list are refused row by row in Chinese', async () => {
    const a = await regNoOf(entityA);
    const { rejections } = await importFile(
      t,
      'abnormal_list',
      csvFile(dir, 'bad.csv', [
        { ...abnormal(a), 列入日期: '2026-13-40' },
        { ...abnormal(a), 列入经营异常名录原因: '' },
        abnormal(a, { listedOn: '2026-08-01', removedOn: '2026-07-01' }),
      ]),
      importer,
    );
    expect(rejections.map((r) => [r.row_no, r.col])).toEqual([
      [2, '列入日期'],
      [3, '列入经营异常名录原因'],
      [4, '移出日期'],
    ]);
    expect(rejections[2].reason).toContain('不能早于列入日期');
  });

  it('rules per list and effect: with plaque suspension off for the 严重违法失信名单, a listing flags honours but leaves the plaque valid', async () => {
    await t.db
      .insertInto('setting')
      .values({
        key: 'exit',
        value: JSON.stringify({ untrustworthy: { suspendPlaques: false, flagHonours: true, flagPoints: true } }),
      })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          value: JSON.stringify({ untrustworthy: { suspendPlaques: false, flagHonours: true, flagPoints: true } }),
        }),
      )
      .execute();
    const b = await regNoOf(entityB);
    const { job } = await importFile(
      t,
      'untrustworthy_list',
      csvFile(dir, 'black.csv', [
        {
          统一社会信用代码: b,
          企业名称: '放心超市',
          '列入严重违法失信名单(黑名单)原因': '被列入经营异常名录届满3年仍未履行相关义务的',
          列入日期: '2026-06-01',
          '作出决定机关(列入)': '南京市市场监督管理局',
        },
      ]),
      importer,
    );
    expect(job.rows_accepted).toBe(1);
    expect((await pub(plaqueB.token)).verdict).toBe('valid');
    const review = (await staff2.get('/exit-reviews')).json().items[0];
    expect(review).toMatchObject({ cause: 'untrustworthy', suspends: false });
    await t.db.deleteFrom('setting').where('key', '=', 'exit').execute();
  });

  it('the entity page gathers every record that names it, each with its link, within scope: a sibling station gets 404', async () => {
    const scopeA = (
      await t.db.selectFrom('entity').select('scope_key').where('id', '=', entityA).executeTakeFirstOrThrow()
    ).scope_key;
    const visit = await t.db
      .insertInto('visit_record')
      .values({
        entity_id: entityA,
        county_code: COUNTY,
        scope_key: scopeA,
        visited_on: '2026-05-02',
        visitor_name: '王五',
        learned: '经营正常，反映办证难',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.db
      .insertInto('work_task')
      .values({ kind: 'assign_instructor', entity_id: entityA, scope_key: scopeA })
      .execute();
    // Its appeals: one that names it, one found on its visit (no entity of its own), and both at once.
    const appeal = (values: { entity_id?: number; visit_id?: number; content: string }) =>
      t.db
        .insertInto('appeal_case')
        .values({
          ...values,
          door: 'visit',
          category: 'entry',
          county_code: COUNTY,
          unit_kind: 'station',
          unit_code: scopeA,
          scope_key: scopeA,
          raised_key: scopeA,
          state: 'routed',
          step_started_at: new Date(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
    const appeals = [
      await appeal({ entity_id: entityA, content: '门前停车难' }),
      await appeal({ visit_id: Number(visit.id), content: '走访发现：办证难' }),
      await appeal({ entity_id: entityA, visit_id: Number(visit.id), content: '走访发现：消防通道' }),
    ].map((a) => Number(a.id));
    const res = await staff1.get(`/entities/${entityA}/records`);
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json();
    expect(r.visits).toEqual([
      expect.objectContaining({ id: Number(visit.id), href: `/appeals?tab=visits&visit=${visit.id}` }),
    ]);
    expect(r.appeals.map((x: { id: number }) => x.id)).toEqual([...appeals].reverse());
    expect(r.tasks.map((x: { title: string }) => x.title)).toEqual(['选派党建工作指导员']);
    expect(r.plaques).toEqual([
      expect.objectContaining({ id: plaqueA.id, state: '有效', href: expect.stringMatching(/^\/sanliang\?open=\d+$/) }),
    ]);
    expect(r.honours).toEqual([
      expect.objectContaining({ id: honourA, attention: true, href: `/honours?open=${honourA}` }),
    ]);
    expect(r.points.map((x: { id: number }) => x.id)).toEqual([pointA]);
    expect(r.creditListings).toEqual([expect.objectContaining({ title: '经营异常名录', state: '已移出' })]);
    expect(r.exitReviews.map((x: { title: string }) => x.title)).toEqual(['列入经营异常名录', '吊销营业执照']);
    // Nothing of the other station's entity leaks in, and its page is not found for this station.
    expect(JSON.stringify(r)).not.toContain('放心超市');
    expect((await staff2.get(`/entities/${entityA}/records`)).statusCode).toBe(404);
    expect((await staff1.get(`/entities/${entityB}/records`)).statusCode).toBe(404);
    const b = (await staff2.get(`/entities/${entityB}/records`)).json();
    expect(b.plaques.map((x: { id: number }) => x.id)).toEqual([plaqueB.id]);
    expect(b.visits).toEqual([]);
    expect((await staff1.get('/entities/999999/records')).statusCode).toBe(404);
  });
  it('moving an entity to another station moves its exit review and every effect of it: the new station sees why, the old one nothing', async () => {
    const l = ledger(t.db);
    const c = await l.entity({ place: S1, name: '迁移小店', kind: 'individual' });
    expect((await staff1.patch(`/entities/${c}`, { status: 'revoked' })).statusCode).toBe(200);
    const before = (await staff1.get('/exit-reviews')).json().items.find((r: { entityId: number }) => r.entityId === c);
    expect(before.effects.map((e: { effect: string }) => e.effect)).toEqual(['review_open']);
    const county = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: COUNTY }));
    const moved = await county.patch(`/entities/${c}`, { stationCode: S2 });
    expect(moved.statusCode, moved.body).toBe(200);
    const after = (await staff2.get('/exit-reviews')).json().items.find((r: { entityId: number }) => r.entityId === c);
    expect(after).toMatchObject({ id: before.id, cause: 'revoked' });
    expect(after.effects.map((e: { effect: string }) => e.effect)).toEqual(['review_open']);
    expect(
      (await staff1.get('/exit-reviews')).json().items.filter((r: { entityId: number }) => r.entityId === c),
    ).toEqual([]);
    const scopes = await t.db
      .selectFrom('exit_effect')
      .select('scope_key')
      .distinct()
      .where('entity_id', '=', c)
      .execute();
    const entityScope = (
      await t.db.selectFrom('entity').select('scope_key').where('id', '=', c).executeTakeFirstOrThrow()
    ).scope_key;
    expect(scopes.map((x) => x.scope_key)).toEqual([entityScope]);
  });
});
