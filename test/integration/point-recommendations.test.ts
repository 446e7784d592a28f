import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/db.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { ledger } from '../helpers/ledger.js';
import { PDF, upload } from '../helpers/attachments.js';
import { tmpDir } from '../helpers/imports.js';

type Client = Awaited<ReturnType<TestApp['signIn']>>;

const COUNTY = '320102';
const S1 = '320102001';
const S2 = '320102002';

/** 联系点/示范点 推荐 (issue 13): a station recommends with reasons and files; its county selects, returns or rejects. */
describe.each(BACKENDS)('point recommendations on %s', (backend) => {
  let t: TestApp;
  let county: Client;
  let staff1: Client;
  let staff2: Client;
  let e1 = 0;
  let e2 = 0;

  beforeAll(async () => {
    t = await testApp(backend);
    t.app.ctx.config.dataDir = tmpDir();
    const l = ledger(t.db);
    await l.station(S1, '东所');
    await l.station(S2, '西所');
    e1 = await l.entity({ place: S1, name: '东街诚信小吃', kind: 'individual' });
    e2 = await l.entity({ place: S1, name: '东街理发店', kind: 'individual' });
    county = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: COUNTY }));
    staff1 = await t.signIn(await t.user({ roles: ['station_staff'], jurisdiction: S1 }));
    staff2 = await t.signIn(await t.user({ roles: ['station_staff'], jurisdiction: S2 }));
  });
  afterAll(() => t?.close());

  it('refuses bad input in Chinese and a subject outside the station', async () => {
    const bad = await staff1.post('/point-recommendations', {
      kind: 'demo',
      subjectType: 'entity',
      subjectId: e1,
      reason: '好',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0]).toMatchObject({ field: 'reason', message: '请填写推荐理由（至少 4 个字）' });
    expect(
      (
        await staff2.post('/point-recommendations', {
          kind: 'demo',
          subjectType: 'entity',
          subjectId: e1,
          reason: '越过辖区推荐',
        })
      ).statusCode,
    ).toBe(404);
    expect(await t.db.selectFrom('point_recommendation').select('id').execute()).toEqual([]);
  });

  it('recommends with a file; the county selects, returns (and gets it back) or rejects; designation stays its own act', async () => {
    const rec = await staff1.post('/point-recommendations', {
      kind: 'demo',
      subjectType: 'entity',
      subjectId: e1,
      reason: '诚信经营，党员亮身份',
    });
    expect(rec.statusCode, rec.body).toBe(201);
    const id = rec.json().id as number;
    expect((await upload(staff1, 'point_recommendation', id, '事迹材料.pdf', PDF)).statusCode).toBe(201);
    // The same subject cannot be recommended twice while open.
    expect(
      (
        await staff1.post('/point-recommendations', {
          kind: 'demo',
          subjectType: 'entity',
          subjectId: e1,
          reason: '再推荐一次',
        })
      ).statusCode,
    ).toBe(409);

    // The county's review list holds it, with the file; the sibling station sees nothing.
    const incoming = (await county.get('/point-recommendations?direction=incoming&state=pending')).json();
    expect(incoming.items).toEqual([
      expect.objectContaining({
        id,
        subjectName: '东街诚信小吃',
        level: 'county',
        levelLabel: expect.any(String),
        fromCode: S1,
        stateLabel: '待审核',
        reviewable: true,
      }),
    ]);
    const detail = (await county.get(`/point-recommendations/${id}`)).json();
    expect(detail.attachments.map((a: { fileName: string }) => a.fileName)).toEqual(['事迹材料.pdf']);
    expect((await staff2.get('/point-recommendations')).json().total).toBe(0);
    expect((await staff2.get(`/point-recommendations/${id}`)).statusCode).toBe(404);
    // The station may not review its own recommendation; returning needs a reason.
    expect((await staff1.post(`/point-recommendations/${id}/review`, { decision: 'select' })).statusCode).toBe(403);
    const noReason = await county.post(`/point-recommendations/${id}/review`, { decision: 'return' });
    expect(noReason.statusCode).toBe(422);
    expect(noReason.json().errors[0]).toMatchObject({ field: 'reason' });

    const returned = await county.post(`/point-recommendations/${id}/review`, {
      decision: 'return',
      reason: '请补充群众评价',
    });
    expect(returned.json()).toMatchObject({ state: 'returned', reviewReason: '请补充群众评价', reviewable: false });
    expect((await staff1.get('/point-recommendations?direction=outgoing')).json().items[0]).toMatchObject({
      id,
      stateLabel: '已退回',
      resendable: true,
    });
    expect(
      (await staff1.post(`/point-recommendations/${id}/resubmit`, { reason: '诚信经营，已补充群众评价' })).json(),
    ).toMatchObject({ state: 'pending', reviewReason: null });
    const selected = await county.post(`/point-recommendations/${id}/review`, { decision: 'select' });
    expect(selected.json()).toMatchObject({ state: 'selected', stateLabel: '已选定' });
    expect(
      (await county.post(`/point-recommendations/${id}/review`, { decision: 'reject', reason: '改变主意' })).statusCode,
    ).toBe(409);
    // Selecting does not designate: the county names the point under today's rules.
    expect(await t.db.selectFrom('recognition_point').select('id').execute()).toEqual([]);
    // (today's criteria still apply to it: a demonstration point named without its criteria is refused as before).
    expect(
      (
        await county.post('/points', {
          kind: 'demo',
          level: 'county',
          subjectType: 'entity',
          subjectId: e1,
          designatedOn: '2026-01-01',
          responsibleName: '王局长',
        })
      ).statusCode,
    ).toBe(422);
    // Files can no longer be added once decided.
    expect((await upload(staff1, 'point_recommendation', id, '补充.pdf', PDF)).statusCode).toBe(403);

    const other = (
      await staff1.post('/point-recommendations', {
        kind: 'contact',
        subjectType: 'entity',
        subjectId: e2,
        reason: '联系群众紧密',
      })
    ).json().id as number;
    expect(
      (
        await county.post(`/point-recommendations/${other}/review`, { decision: 'reject', reason: '条件尚不具备' })
      ).json(),
    ).toMatchObject({ state: 'rejected', stateLabel: '不予采纳' });
    const audit = await t.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', 'like', 'point_recommendation.%')
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.action)).toEqual([
      'point_recommendation.create',
      'point_recommendation.return',
      'point_recommendation.resubmit',
      'point_recommendation.select',
      'point_recommendation.create',
      'point_recommendation.reject',
    ]);
  });
});
