import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/db.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { ledger } from '../helpers/ledger.js';

const S1 = '320102001';
const S2 = '320102002';

describe.each(BACKENDS)('the party-building work on an entity page on %s', (backend) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await testApp(backend);
    const l = ledger(t.db);
    await l.station(S1);
    await l.station(S2);
  });
  afterAll(() => t?.close());

  it('gathers the instructors reaching it, its 三亮 records, honours and points; a violation recorded there flags the honours', async () => {
    const l = ledger(t.db);
    const tower = await l.zone('building', '工作大厦', '320102');
    const shop = await l.entity({ place: S1, name: '工作小店', zoneId: tower });
    const [memberId] = await l.members(shop, 1, 0, ['王亮']);
    const editor = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: '320102' }));
    const staff = await t.signIn(await t.user({ roles: ['station_staff'], jurisdiction: S2 }));
    const empty = (await editor.get(`/entities/${shop}/work`)).json();
    expect(Object.values(empty).flat()).toEqual([]);

    const instructor = (await editor.post('/instructors', { name: '李指导', source: 'bureau', placeCode: S1 })).json()
      .id;
    expect(
      (await editor.post(`/instructors/${instructor}/assignments`, { target: 'zone', targetId: tower })).statusCode,
    ).toBe(201);
    expect(
      (
        await editor.post('/sanliang', {
          kind: 'member_operator',
          memberId,
          entityId: shop,
          duties: '亮职责内容',
          commitment: '亮承诺内容',
          shownOn: '2026-03-01',
        })
      ).statusCode,
    ).toBe(201);
    await t.db
      .insertInto('honour')
      .values({
        kind: 'star_operator',
        entity_id: shop,
        subject_name: '工作小店',
        state: 'awarded',
        nominated_on: '2025-01-01',
        level: 'county',
        year: 2025,
        awarded_on: '2025-06-01',
        scope_key: S1,
      })
      .execute();

    const violation = await editor.post(`/entities/${shop}/violations`, {
      occurredOn: '2026-10-01',
      description: '销售过期食品被处罚',
    });
    expect(violation.json()).toMatchObject({ flaggedHonours: 1 });
    const work = (await editor.get(`/entities/${shop}/work`)).json();
    expect(work.instructors).toEqual([
      expect.objectContaining({ title: '李指导', detail: expect.stringContaining('所在区域') }),
    ]);
    expect(work.sanliang).toEqual([
      expect.objectContaining({ title: '共产党员经营户 · 王亮', state: '亮牌中', detail: '未发牌' }),
    ]);
    expect(work.honours).toEqual([
      expect.objectContaining({ attention: true, detail: expect.stringContaining('待复核') }),
    ]);
    expect(work.violations).toEqual([expect.objectContaining({ title: '销售过期食品被处罚', attention: true })]);
    // Another station's staff reach none of it.
    expect((await staff.get(`/entities/${shop}/work`)).statusCode).toBe(404);
  });
});
