import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { BACKENDS } from '../helpers/db.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { ledger } from '../helpers/ledger.js';
import { idCheckChar } from '../../src/domain/identifiers/id-number.js';
import { seededRandom } from '../../src/domain/random.js';
import {
  addUnit,
  emptyUnitTally,
  unitCoverage,
  type UnitFacts,
  type UnitTally,
} from '../../src/domain/platforms/coverage.js';
import { monthEnds, riderSeries, type RiderCount } from '../../src/domain/platforms/riders.js';
import { recomputeTally, tallyUnder } from '../../src/features/coverage/queries.js';
import { riderSeriesSql } from '../../src/features/platforms/queries.js';
import { runScoped } from '../../src/db/scoped.js';
import { today as todayInZone } from '../../src/domain/time/zone.js';

type Client = Awaited<ReturnType<TestApp['signIn']>>;
const A = '320102';
const B = '320104';
const S1 = '320102001';
const S2 = '320102002';
const SB = '320104001';
const ID = `32010219900101003${idCheckChar('32010219900101003')}`;
const today = todayInZone();
const addDays = (n: number) => todayInZone(new Date(Date.now() + n * 86_400_000));

describe.each(BACKENDS)('new employment groups on %s', (backend) => {
  let t: TestApp;
  let province: Client;
  let city: Client;
  let a: Client;
  let b: Client;
  let staff: Client;
  let meituan: number;
  let local: number;
  let station: number;
  const e: Record<string, number> = {};

  beforeAll(async () => {
    t = await testApp(backend);
    const l = ledger(t.db);
    await l.station(S1, '东所');
    await l.station(S2, '西所');
    await l.station(SB, '乙所');
    e.partner = await l.entity({ place: S1, name: '东城配送服务有限公司' });
    e.stationFirm = await l.entity({ place: S1, name: '东城站点商贸部' });
    e.b = await l.entity({ place: SB, name: '乙区企业' });
    province = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: '320000' }));
    city = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: '320100' }));
    a = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: A }));
    b = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: B }));
    staff = await t.signIn(await t.user({ roles: ['station_staff'], jurisdiction: S1 }));
  });
  afterAll(() => t?.close());

  it("a platform registered by the province is read below it; a county's own platform stays in its subtree; only the registering subtree changes it", async () => {
    const res = await province.post('/new-employment/platforms', {
      name: '美团外卖',
      business: 'food_delivery',
      headquarters: '北京',
    });
    expect(res.statusCode).toBe(201);
    meituan = res.json().id;
    local = (await a.post('/new-employment/platforms', { name: '玄武同城送', business: 'same_city' })).json().id;
    expect(
      (await a.get('/new-employment/platforms'))
        .json()
        .items.map((p: { name: string }) => p.name)
        .sort(),
    ).toEqual(['玄武同城送', '美团外卖']);
    expect((await b.get('/new-employment/platforms')).json().items.map((p: { name: string }) => p.name)).toEqual([
      '美团外卖',
    ]);
    expect((await b.get(`/new-employment/platforms/${local}`)).statusCode).toBe(404);
    expect((await city.get(`/new-employment/platforms/${local}`)).json()).toMatchObject({
      name: '玄武同城送',
      registeredBy: '玄武区',
      mine: true,
    });
    const refused = await a.patch(`/new-employment/platforms/${meituan}`, { name: '改名' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().detail).toContain('由上级登记');
    // The same name twice at one node: a Chinese message naming the field.
    const twice = await province.post('/new-employment/platforms', { name: '美团外卖', business: 'food_delivery' });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().errors[0]).toEqual({ field: 'name', message: '本级已登记同名的平台企业' });
    const bad = await a.post('/new-employment/platforms', { name: '甲', business: 'spaceship' });
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json()
        .errors.map((x: { field: string }) => x.field)
        .sort(),
    ).toEqual(['business', 'name']);
  });

  it('partner firms and delivery stations hang where they are; station staff see their station only', async () => {
    const partner = await a.post(`/new-employment/platforms/${meituan}/partners`, {
      name: '东城配送',
      placeCode: S1,
      entityId: e.partner,
      contactName: '王经理',
    });
    expect(partner.statusCode).toBe(201);
    const st = await staff.post('/new-employment/stations', {
      platformId: meituan,
      partnerId: partner.json().id,
      name: '美团东城站',
      placeCode: S1,
      address: '东城路 1 号',
      openedOn: '2025-01-01',
    });
    expect(st.statusCode).toBe(201);
    station = st.json().id;
    const west = await a.post('/new-employment/stations', { platformId: local, name: '同城西站', placeCode: S2 });
    expect(west.statusCode).toBe(201);
    // A station outside the caller's area, a partner of another platform, a date ahead.
    expect(
      (await staff.post('/new-employment/stations', { platformId: meituan, name: '越界站', placeCode: S2 })).statusCode,
    ).toBe(404);
    const wrongPartner = await a.post('/new-employment/stations', {
      platformId: local,
      partnerId: partner.json().id,
      name: '错配站',
      placeCode: S1,
    });
    expect(wrongPartner.json().errors[0]).toEqual({ field: 'partnerId', message: '请选择该平台的合作商' });
    expect(
      (
        await a.post('/new-employment/stations', {
          platformId: local,
          name: '未来站',
          placeCode: S1,
          openedOn: addDays(2),
        })
      ).json().errors[0].field,
    ).toBe('openedOn');
    expect((await staff.get('/new-employment/stations')).json().items.map((s: { name: string }) => s.name)).toEqual([
      '美团东城站',
    ]);
    expect((await b.get('/new-employment/stations')).json().total).toBe(0);
    expect((await b.get(`/new-employment/stations/${station}`)).statusCode).toBe(404);
    // B reads the province's platform but none of A's presence in it.
    const seen = (await b.get(`/new-employment/platforms/${meituan}`)).json();
    expect(seen).toMatchObject({ partners: 0, stations: 0 });
    expect((await a.get(`/new-employment/platforms/${meituan}`)).json()).toMatchObject({
      partners: 1,
      stations: 1,
      partnerList: [expect.objectContaining({ name: '东城配送', stations: 1 })],
    });
    expect(seen.partnerList).toEqual([]);
  });

  it('riders are counted per station over time; party-member and activist riders are people, their personal data masked', async () => {
    for (const [asOf, riders] of [
      ['2026-01-15', 40],
      ['2026-02-15', 52],
    ] as const) {
      expect((await staff.post(`/new-employment/stations/${station}/rider-counts`, { asOf, riders })).statusCode).toBe(
        201,
      );
    }
    // The same date again corrects the count.
    await staff.post(`/new-employment/stations/${station}/rider-counts`, { asOf: '2026-02-15', riders: 55 });
    expect(
      (await staff.post(`/new-employment/stations/${station}/rider-counts`, { asOf: addDays(1), riders: 3 })).json()
        .errors[0].field,
    ).toBe('asOf');
    expect(
      (await staff.post(`/new-employment/stations/${station}/rider-counts`, { asOf: '2026-01-01', riders: -1 })).json()
        .errors[0],
    ).toEqual({ field: 'riders', message: '骑手数不能为负' });
    const rider = await staff.post(`/new-employment/stations/${station}/riders`, {
      role: 'member',
      name: '骑手甲',
      idNumber: ID,
      phone: '13812345678',
      since: '2026-01-01',
    });
    expect(rider.statusCode).toBe(201);
    await staff.post(`/new-employment/stations/${station}/riders`, { role: 'activist', name: '骑手乙' });
    const twice = await staff.post(`/new-employment/stations/${station}/riders`, {
      role: 'member',
      name: '骑手甲',
      idNumber: ID,
    });
    expect(twice.json().errors[0]).toEqual({ field: 'memberId', message: '此人已登记在该站点' });
    const stored = await t.db
      .selectFrom('person')
      .select(['id_enc', 'phone_enc'])
      .where('name', '=', '骑手甲')
      .executeTakeFirstOrThrow();
    expect(stored.id_enc).not.toContain(ID.slice(6, 14));
    const detail = (await staff.get(`/new-employment/stations/${station}`)).json();
    expect(detail).toMatchObject({ riders: 55, ridersAsOf: '2026-02-15', memberRiders: 1, activists: 1 });
    expect(detail.counts.map((c: { riders: number }) => c.riders)).toEqual([40, 55]);
    expect(detail.riderPeople.find((p: { name: string }) => p.name === '骑手甲')).toMatchObject({
      idNumber: `320102********${ID.slice(-4)}`,
      phone: '138****5678',
      roleLabel: '党员',
    });
    expect(JSON.stringify(detail)).not.toContain(ID);
    // The full numbers only to the reveal duty, with a trace.
    const id = detail.riderPeople.find((p: { name: string }) => p.name === '骑手甲').id;
    const viewer = await t.signIn(await t.user({ roles: ['viewer'], jurisdiction: A }));
    expect((await viewer.post(`/new-employment/stations/${station}/riders/${id}/reveal`)).statusCode).toBe(403);
    expect((await a.post(`/new-employment/stations/${station}/riders/${id}/reveal`)).json()).toEqual({
      idNumber: ID,
      phone: '13812345678',
    });
    expect(
      (await t.db.selectFrom('audit_log').select('detail').where('action', '=', 'personal.reveal').execute()).map(
        (x) => (x.detail as { riderId?: number }).riderId,
      ),
    ).toEqual([id]);
    // B does not see the rider as a person.
    expect(
      await runScoped(t.db, { userId: null, username: 'probe', scopeKey: B, ip: null }, ({ db }) =>
        db.selectFrom('person').select('id').where('name', '=', '骑手甲').execute(),
      ),
    ).toEqual([]);
  });

  it('the rider series in SQL equals the domain rule on a random ledger of counts and closings', async () => {
    const l = ledger(t.db);
    const rnd = seededRandom(17);
    const counts: RiderCount[] = [];
    const spans: { id: number; closedOn: string | null }[] = [];
    const base = (
      await t.db.selectFrom('rider_count').select(['delivery_station_id', 'as_of', 'riders']).execute()
    ).map((c) => ({ stationId: c.delivery_station_id, asOf: c.as_of, riders: c.riders }));
    counts.push(...base);
    spans.push(
      ...(await t.db.selectFrom('delivery_station').select(['id', 'closed_on']).execute()).map((s) => ({
        id: s.id,
        closedOn: s.closed_on,
      })),
    );
    for (let i = 0; i < 12; i++) {
      const place = rnd.pick([S1, S2]);
      const closedOn = rnd.chance(0.3) ? `2026-0${rnd.int(1, 9)}-${String(rnd.int(10, 28))}` : null;
      const s = await t.db
        .insertInto('delivery_station')
        .values({
          platform_id: meituan,
          name: `随机站${i}`,
          status: closedOn ? 'closed' : 'open',
          closed_on: closedOn,
          ...l.placeOf(place),
        })
        .returning(['id', 'scope_key'])
        .executeTakeFirstOrThrow();
      spans.push({ id: s.id, closedOn });
      const days = new Set<string>();
      for (let k = rnd.int(0, 5); k > 0; k--)
        days.add(`2025-${String(rnd.int(1, 12)).padStart(2, '0')}-${String(rnd.int(10, 28))}`);
      for (const d of days) {
        const riders = rnd.int(0, 80);
        await t.db
          .insertInto('rider_count')
          .values({ delivery_station_id: s.id, as_of: d, riders, scope_key: s.scope_key })
          .execute();
        counts.push({ stationId: s.id, asOf: d, riders });
      }
    }
    const dates = monthEnds(18, today);
    const inScope = (ids: Set<number>) => counts.filter((c) => ids.has(c.stationId));
    for (const key of [A, S1, S2]) {
      const ids = new Set(
        (await t.db.selectFrom('delivery_station').select('id').where('scope_key', 'like', `${key}%`).execute()).map(
          (s) => s.id,
        ),
      );
      const sqlSeries = await runScoped(t.db, { userId: null, username: 'probe', scopeKey: A, ip: null }, ({ db }) =>
        riderSeriesSql(db, key, dates),
      );
      expect(sqlSeries).toEqual(riderSeries(inScope(ids), spans, dates));
    }
    await t.db.deleteFrom('delivery_station').where('name', 'like', '随机站%').execute();
  });

  let committee: number;
  let mobile: number;

  it('rider industry committees at province, city, county; a mobile branch needs an established committee at county level or higher', async () => {
    const cityCommittee = await city.post('/new-employment/committees', {
      name: '南京市网约配送员行业党委',
      foundedOn: '2023-05-01',
    });
    expect(cityCommittee.statusCode).toBe(201);
    committee = cityCommittee.json().id;
    expect(
      (await staff.post('/new-employment/committees', { name: '基层所行业党委', foundedOn: '2023-05-01' })).json()
        .errors[0],
    ).toEqual({ field: 'jurisdictionCode', message: '请选择省、市或县（区）' });
    const preparing = (
      await a.post('/new-employment/committees', { name: '玄武区网约配送员行业党委', status: 'preparing' })
    ).json().id;
    // The county reads the city's committee to name it as approver (not through party_org).
    expect((await a.get('/new-employment/approvers')).json().items.map((c: { name: string }) => c.name)).toEqual([
      '南京市网约配送员行业党委',
    ]);
    const notYet = await a.post('/new-employment/mobile-branches', {
      name: '美团骑手流动党员党支部',
      placeCode: S1,
      approvedByOrgId: preparing,
      approvedOn: '2024-01-01',
      foundedOn: '2024-02-01',
    });
    expect(notYet.statusCode).toBe(422);
    expect(notYet.json().errors[0]).toEqual({ field: 'approvedByOrgId', message: '批准的党委须为已建立的党委' });
    const early = await a.post('/new-employment/mobile-branches', {
      name: '美团骑手流动党员党支部',
      placeCode: S1,
      approvedByOrgId: committee,
      approvedOn: '2024-01-01',
      foundedOn: '2023-12-01',
    });
    expect(early.json().errors[0].field).toBe('foundedOn');
    const ok = await a.post('/new-employment/mobile-branches', {
      name: '美团骑手流动党员党支部',
      placeCode: S1,
      approvedByOrgId: committee,
      approvedOn: '2024-01-01',
      foundedOn: '2024-02-01',
      deliveryStationIds: [station],
    });
    expect(ok.statusCode).toBe(201);
    mobile = ok.json().id;
    // B cannot name A's branch's approver unless it is above B too; B's own outsider committee is not found by A.
    const bCommittee = (
      await b.post('/new-employment/committees', { name: '秦淮区网约配送员行业党委', foundedOn: '2023-01-01' })
    ).json().id;
    expect(
      (
        await a.post('/new-employment/mobile-branches', {
          name: '越界批准支部',
          placeCode: S1,
          approvedByOrgId: bCommittee,
          approvedOn: '2024-01-01',
          foundedOn: '2024-02-01',
        })
      ).statusCode,
    ).toBe(404);
    const list = (await a.get('/new-employment/orgs')).json().items;
    expect(list.find((o: { id: number }) => o.id === mobile)).toMatchObject({
      typeLabel: '流动党员党支部',
      approverName: '南京市网约配送员行业党委',
      units: 1,
      levelLabel: '基层所',
    });
    expect(
      (await city.get('/new-employment/orgs?type=committee'))
        .json()
        .items.map((o: { name: string; levelLabel: string }) => `${o.levelLabel}${o.name}`)
        .sort(),
    ).toEqual(['县级玄武区网约配送员行业党委', '县级秦淮区网约配送员行业党委', '市级南京市网约配送员行业党委']);
    // It is a party organization: the organization ledger shows it with its setup mode.
    expect((await a.get(`/orgs/${mobile}`)).json()).toMatchObject({
      setupModeLabel: '流动党员党支部',
      kindLabel: '党支部',
    });
    expect((await a.get('/orgs?setupMode=mobile')).json().items.map((o: { id: number }) => o.id)).toEqual([mobile]);
    // Not set up through the general form, which has no approval to record.
    expect(
      (await a.post('/orgs', { name: '无批准支部', kind: 'branch', setupMode: 'mobile', placeCode: S1 })).json()
        .errors[0].field,
    ).toBe('setupMode');
  });

  it('mobile-member cards: issued, listed when expiring, renewed or returned, one current card per member', async () => {
    const l = ledger(t.db);
    const [m1, m2, m3] = await l.members(e.stationFirm, 3);
    const card = (memberId: number, cardNo: string, expiresOn: string) =>
      a.post('/new-employment/cards', {
        memberId,
        orgId: mobile,
        cardNo,
        issuedBy: '安徽省某村党支部',
        issuedOn: '2025-06-01',
        expiresOn,
      });
    expect((await card(m1, 'LD-001', addDays(10))).statusCode).toBe(201);
    expect((await card(m2, 'LD-002', addDays(200))).statusCode).toBe(201);
    expect((await card(m3, 'LD-003', addDays(-3))).statusCode).toBe(201);
    expect((await card(m1, 'LD-004', addDays(100))).json().errors[0]).toEqual({
      field: 'memberId',
      message: '该党员已有一张未交回的活动证，请续期或先交回',
    });
    expect((await card(m2, 'LD-001', addDays(100))).json().errors[0].field).toBe('cardNo');
    expect(
      (
        await a.post('/new-employment/cards', {
          memberId: m2,
          orgId: mobile,
          cardNo: 'X',
          issuedBy: '某支部',
          issuedOn: '2025-06-01',
          expiresOn: '2025-05-01',
        })
      ).json().errors[0],
    ).toEqual({ field: 'expiresOn', message: '有效期至应晚于发证日期' });
    // Only a mobile-member branch registers cards.
    const plain = (
      await t.db
        .insertInto('party_org')
        .values({
          name: '普通支部',
          kind: 'branch',
          setup_mode: 'standalone',
          county_code: A,
          station_code: S1,
          scope_key: S1,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    expect(
      (
        await a.post('/new-employment/cards', {
          memberId: m2,
          orgId: plain,
          cardNo: 'Y',
          issuedBy: '某支部',
          issuedOn: '2025-06-01',
          expiresOn: addDays(30),
        })
      ).json().errors[0].field,
    ).toBe('orgId');
    const expiring = (await a.get('/new-employment/cards?state=expiring')).json();
    expect(expiring.items.map((c: { cardNo: string; stateLabel: string }) => `${c.cardNo}${c.stateLabel}`)).toEqual([
      'LD-001即将到期',
    ]);
    expect(
      (await a.get('/new-employment/cards?state=expired')).json().items.map((c: { cardNo: string }) => c.cardNo),
    ).toEqual(['LD-003']);
    expect((await a.get('/new-employment/orgs?type=mobile')).json().items[0].cardsExpiring).toBe(1);
    const id = expiring.items[0].id;
    expect((await a.patch(`/new-employment/cards/${id}`, { expiresOn: addDays(365) })).statusCode).toBe(200);
    expect((await a.get('/new-employment/cards?state=expiring')).json().total).toBe(0);
    expect((await a.patch(`/new-employment/cards/${id}`, { returnedOn: today })).statusCode).toBe(200);
    expect((await a.patch(`/new-employment/cards/${id}`, { expiresOn: addDays(400) })).statusCode).toBe(409);
    expect((await b.get('/new-employment/cards')).json().total).toBe(0);
  });

  it('instructors at platforms and stations and a platform contact point leave entity work coverage as it was', async () => {
    const before = await tallyUnder(t.db, A);
    const instructor = (await a.post('/instructors', { name: '平台指导员', source: 'platform', placeCode: S1 })).json()
      .id;
    const toStation = await staff.post(`/instructors/${instructor}/assignments`, {
      target: 'delivery_station',
      targetId: station,
    });
    expect(toStation.json()).toMatchObject({ reached: 0, tasksDone: 0 });
    const toPlatform = await a.post(`/instructors/${instructor}/assignments`, { target: 'platform', targetId: local });
    // The province's platform is read here but assigned by the province.
    const above = await a.post(`/instructors/${instructor}/assignments`, { target: 'platform', targetId: meituan });
    expect(above.json().errors[0]).toEqual({ field: 'targetId', message: '超出本辖区' });
    expect(above.json().detail).toContain('登记该平台的上级单位');
    expect(toPlatform.statusCode).toBe(201);
    const after = await tallyUnder(t.db, A);
    expect(after).toEqual(before);
    expect(after).toEqual(await recomputeTally(t.db, A));
    const detail = (await a.get(`/instructors/${instructor}`)).json();
    expect(
      detail.assignmentList
        .map((x: { targetLabel: string; targetName: string }) => `${x.targetLabel}:${x.targetName}`)
        .sort(),
    ).toEqual(['平台企业:玄武同城送', '配送站点:美团东城站']);
    expect(
      (await a.get(`/new-employment/stations/${station}`)).json().instructors.map((x: { name: string }) => x.name),
    ).toEqual(['平台指导员']);
    const point = await province.post('/points', {
      kind: 'contact',
      level: 'province',
      subjectType: 'platform',
      subjectId: meituan,
      designatedOn: '2025-03-01',
      responsibleName: '省局领导',
    });
    expect(point.statusCode).toBe(201);
    expect((await province.get('/points?subjectType=platform')).json().items).toEqual([
      expect.objectContaining({ subjectName: '美团外卖', subjectTypeLabel: '平台企业', subjectId: meituan }),
    ]);
    expect(
      (
        await province.post('/points', {
          kind: 'contact',
          level: 'province',
          subjectType: 'platform',
          subjectId: meituan,
          designatedOn: '2025-03-01',
          responsibleName: '省局领导',
        })
      ).json().errors[0].field,
    ).toBe('subjectId');
  });

  it('sector coverage by area: the SQL figures equal the domain definition on a random ledger', async () => {
    const l = ledger(t.db);
    const rnd = seededRandom(2026);
    // A fresh platform per run keeps the ledger small; the earlier units take part too.
    const org = async (status: 'established' | 'preparing', place: string) =>
      (
        await t.db
          .insertInto('party_org')
          .values({
            name: `随机组织${rnd.int(1, 1e9)}`,
            kind: 'branch',
            setup_mode: 'joint',
            status,
            founded_on: status === 'established' ? '2020-01-01' : null,
            ...l.placeOf(place),
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    const instructor = await l.instructor(S1);
    for (let i = 0; i < 25; i++) {
      const place = rnd.pick([S1, S2, A]);
      const isPlatform = rnd.chance(0.3);
      let entityId: number | null = null;
      if (rnd.chance(0.5)) {
        entityId = await l.entity({ place: place.length === 9 ? place : S1, name: `随机主体${i}` });
        if (rnd.chance(0.3)) await l.role(entityId, 'liaison');
        if (rnd.chance(0.3))
          await t.db
            .insertInto('party_org_entity')
            .values({
              org_id: await org(rnd.pick(['established', 'preparing']), place.length === 9 ? place : S1),
              entity_id: entityId,
              scope_key: place.length === 9 ? place : S1,
            })
            .execute();
      }
      const row = isPlatform
        ? await t.db
            .insertInto('platform')
            .values({
              name: `随机平台${i}`,
              business: 'express',
              entity_id: entityId,
              status: rnd.chance(0.8) ? 'active' : 'exited',
              jurisdiction_code: place,
              scope_key: place,
            })
            .returning(['id', 'scope_key'])
            .executeTakeFirstOrThrow()
        : await t.db
            .insertInto('delivery_station')
            .values({
              platform_id: meituan,
              name: `随机覆盖站${i}`,
              entity_id: entityId,
              ...(rnd.chance(0.8) ? {} : { status: 'closed' as const, closed_on: '2026-01-01' }),
              ...l.placeOf(place),
            })
            .returning(['id', 'scope_key'])
            .executeTakeFirstOrThrow();
      const unit = isPlatform ? { platform_id: row.id } : { delivery_station_id: row.id };
      if (rnd.chance(0.3))
        await t.db
          .insertInto('party_org_unit')
          .values({ org_id: await org(rnd.pick(['established', 'preparing']), A), ...unit, scope_key: row.scope_key })
          .execute();
      if (rnd.chance(0.25))
        await t.db
          .insertInto('instructor_assignment')
          .values({
            instructor_id: instructor,
            target: isPlatform ? 'platform' : 'delivery_station',
            ...unit,
            start_on: '2025-01-01',
            end_on: rnd.chance(0.3) ? '2025-06-01' : null,
            scope_key: row.scope_key,
          })
          .execute();
    }
    // The domain's facts, read from the ledger table by table (not through the view).
    const facts = async (type: 'platform' | 'delivery_station') => {
      const units =
        type === 'platform'
          ? (await t.db.selectFrom('platform').select(['id', 'scope_key', 'entity_id', 'status']).execute()).map(
              (p) => ({ ...p, operating: p.status === 'active' }),
            )
          : (
              await t.db.selectFrom('delivery_station').select(['id', 'scope_key', 'entity_id', 'status']).execute()
            ).map((s) => ({ ...s, operating: s.status === 'open' }));
      const col = type === 'platform' ? 'platform_id' : 'delivery_station_id';
      const links = await t.db
        .selectFrom('party_org_unit as u')
        .innerJoin('party_org as o', 'o.id', 'u.org_id')
        .select([`u.${col} as unit`, 'o.body', 'o.setup_mode', 'o.status'])
        .execute();
      const assigned = new Set(
        (
          await t.db.selectFrom('instructor_assignment').select(`${col} as unit`).where('end_on', 'is', null).execute()
        ).map((x) => x.unit),
      );
      const entityOrgs = await t.db
        .selectFrom('party_org_entity as pe')
        .innerJoin('party_org as o', 'o.id', 'pe.org_id')
        .select(['pe.entity_id', 'o.body', 'o.setup_mode', 'o.status'])
        .execute();
      const liaisons = new Set(
        (await t.db.selectFrom('entity_person').select('entity_id').where('role', '=', 'liaison').execute()).map(
          (x) => x.entity_id,
        ),
      );
      const reach = new Set(
        (await t.db.selectFrom('instructor_reach').select('entity_id').execute()).map((x) => x.entity_id),
      );
      const orgsOf = <T extends { body: string; setup_mode: string; status: string }>(rows: T[]) =>
        rows.map((o) => ({ body: o.body as 'party', setupMode: o.setup_mode, status: o.status as 'established' }));
      return units.map((u) => ({
        scope: u.scope_key,
        facts: {
          operating: u.operating,
          orgs: orgsOf(links.filter((x) => x.unit === u.id)),
          instructor: assigned.has(u.id),
          entity: u.entity_id
            ? {
                status: 'active',
                linkedMembers: 0,
                declaredMembers: 0,
                orgs: orgsOf(entityOrgs.filter((x) => x.entity_id === u.entity_id)),
                liaison: liaisons.has(u.entity_id),
                instructor: reach.has(u.entity_id),
              }
            : null,
        } satisfies UnitFacts,
      }));
    };
    const platforms = await facts('platform');
    const stations = await facts('delivery_station');
    const tally = (units: typeof platforms, key: string): UnitTally =>
      units
        .filter((u) => u.scope.startsWith(key))
        .reduce((t, u) => addUnit(t, unitCoverage(u.facts)), emptyUnitTally());
    const figures = (await a.get('/new-employment/figures')).json();
    const pick = (c: { operating: number; anyOrg: number; work: number }) => ({
      operating: c.operating,
      anyOrg: c.anyOrg,
      work: c.work,
    });
    expect(pick(figures.total.platformCoverage)).toEqual(tally(platforms, A));
    expect(pick(figures.total.stationCoverage)).toEqual(tally(stations, A));
    expect(figures.total.stationCoverage.operating).toBeGreaterThan(5);
    for (const code of [S1, S2]) {
      const child = figures.children.find((c: { code: string }) => c.code === code);
      expect(pick(child.platformCoverage)).toEqual(tally(platforms, code));
      expect(pick(child.stationCoverage)).toEqual(tally(stations, code));
    }
    const st = tally(stations, A);
    expect(figures.total.stationCoverage.workCoverage).toBeCloseTo(st.work / st.operating);
    // The list filter agrees with the figure.
    expect((await a.get('/new-employment/stations?coverage=work&status=open&pageSize=200')).json().total).toBe(st.work);
  });

  it('figures by area: platforms where registered, stations, riders and members where they are; a station cannot ask above itself', async () => {
    const f = (await city.get('/new-employment/figures')).json();
    const childA = f.children.find((c: { code: string }) => c.code === A);
    expect(childA).toMatchObject({
      memberRiders: 1,
      activists: 1,
      mobileBranches: 1,
      committees: 0,
      cardsValid: 1,
      cardsExpiring: 0,
    });
    expect(f.total.committees).toBe(2);
    expect(f.riderSeries).toHaveLength(12);
    expect((await staff.get('/new-employment/figures?under=320102')).statusCode).toBe(404);
  });

  it('assistance programs: a business line, a period, entities in the area; outcomes need the measures taken; figures by area', async () => {
    const p = await city.post('/assistance/programs', {
      name: '质量技术帮扶"提质强企"',
      businessLine: 'quality',
      startsOn: '2026-01-01',
      endsOn: '2026-12-31',
    });
    expect(p.statusCode).toBe(201);
    const badLine = await city.post('/assistance/programs', {
      name: '无条线项目',
      businessLine: 'magic',
      startsOn: '2026-01-01',
      endsOn: '2026-12-31',
    });
    expect(badLine.json().errors[0]).toEqual({ field: 'businessLine', message: '业务条线不在清单中' });
    expect(
      (
        await city.post('/assistance/programs', {
          name: '倒序项目',
          businessLine: 'metrology',
          startsOn: '2026-05-01',
          endsOn: '2026-01-01',
        })
      ).json().errors[0].field,
    ).toBe('endsOn');
    const id = p.json().id;
    // The county reads the city's program and brings its entities in; it cannot change the program.
    expect((await a.patch(`/assistance/programs/${id}`, { name: '改名' })).statusCode).toBe(403);
    const line = await a.post(`/assistance/programs/${id}/entities`, {
      entityId: e.partner,
      problem: '产品抽检不合格',
    });
    expect(line.statusCode).toBe(201);
    expect((await a.post(`/assistance/programs/${id}/entities`, { entityId: e.partner })).json().errors[0].field).toBe(
      'entityId',
    );
    expect((await a.post(`/assistance/programs/${id}/entities`, { entityId: e.b })).statusCode).toBe(404);
    await b.post(`/assistance/programs/${id}/entities`, { entityId: e.b });
    const noActions = await a.patch(`/assistance/programs/${id}/entities/${line.json().id}`, { outcome: 'resolved' });
    expect(noActions.statusCode).toBe(400);
    expect(noActions.json().errors[0]).toEqual({ field: 'actions', message: '请填写帮扶措施' });
    expect(
      (
        await a.patch(`/assistance/programs/${id}/entities/${line.json().id}`, {
          actions: '派员指导质量管理体系',
          outcome: 'resolved',
        })
      ).json().outcome,
    ).toBe('resolved');
    const mine = (await a.get(`/assistance/programs/${id}`)).json();
    expect(
      mine.participants.map((x: { entityName: string; outcomeLabel: string }) => `${x.entityName}:${x.outcomeLabel}`),
    ).toEqual(['东城配送服务有限公司:问题已解决']);
    const fig = (await city.get('/assistance/figures')).json();
    expect(fig.total).toMatchObject({ programs: 1, entities: 2, resolved: 1, ongoing: 1 });
    expect(fig.children.find((c: { code: string }) => c.code === A)).toMatchObject({
      programs: 0,
      entities: 1,
      resolved: 1,
    });
    expect(fig.children.find((c: { code: string }) => c.code === B)).toMatchObject({ entities: 1, ongoing: 1 });
  });

  it('documents its routes in the OpenAPI description', async () => {
    const paths = Object.keys(
      (await t.app.inject({ method: 'GET', url: '/api/docs/json', headers: { cookie: a.cookie } })).json().paths,
    );
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/v1/new-employment/platforms',
        '/api/v1/new-employment/stations/{id}/rider-counts',
        '/api/v1/new-employment/mobile-branches',
        '/api/v1/new-employment/orgs/{id}/units',
        '/api/v1/new-employment/cards',
        '/api/v1/new-employment/figures',
        '/api/v1/assistance/programs/{id}/entities/{key}',
        '/api/v1/assistance/figures',
      ]),
    );
  });

  it('every export is audited, names its rows and masks nothing it should not carry', async () => {
    const before = await t.db.selectFrom('audit_log').select('action').where('action', 'like', '%export').execute();
    for (const url of [
      '/new-employment/platforms/export',
      '/new-employment/stations/export',
      '/new-employment/orgs/export',
      '/new-employment/cards/export',
      '/assistance/programs/export',
    ]) {
      const res = await a.get(url);
      expect(res.statusCode, url).toBe(200);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
      expect(wb.worksheets[0].rowCount, url).toBeGreaterThan(1);
    }
    const after = await t.db
      .selectFrom('audit_log')
      .select(['action', 'detail'])
      .where('action', 'like', '%export')
      .execute();
    expect(after.length - before.length).toBe(5);
    expect(after.map((x) => x.action)).toEqual(
      expect.arrayContaining([
        'platform.export',
        'delivery_station.export',
        'rider_org.export',
        'mobile_card.export',
        'assistance.export',
      ]),
    );
    const history = await t.db
      .selectFrom('ledger_history')
      .select('object_type')
      .where('object_type', 'in', ['platform', 'delivery_station', 'rider_person', 'mobile_card', 'assistance_entity'])
      .execute();
    expect(new Set(history.map((h) => h.object_type)).size).toBe(5);
  });
});
