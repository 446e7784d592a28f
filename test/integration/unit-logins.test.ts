import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/db.js';
import { nextIp, testApp, type TestApp } from '../helpers/app.js';
import { ledger } from '../helpers/ledger.js';
import { PDF, PNG, upload } from '../helpers/attachments.js';

type Client = Awaited<ReturnType<TestApp['signIn']>>;

const COUNTY = '320102';
const S1 = '320102001';

/**
 * Unit and instructor logins (issue 13): an account bound to a platform's contact point or a rider
 * industry committee sees and works the cases routed to its unit only; an instructor account sees
 * its own assignments. Bindings are made through account management and checked there.
 */
describe.each(BACKENDS)('unit and instructor logins on %s', (backend) => {
  let t: TestApp;
  let editor: Client;
  let sysadmin: Client;
  const cases: Record<'platform' | 'otherPlatform' | 'committee' | 'station', number> = {
    platform: 0,
    otherPlatform: 0,
    committee: 0,
    station: 0,
  };
  let platformId = 0;
  let otherPlatformId = 0;
  let committeeId = 0;
  let plainOrgId = 0;

  const raise = async (body: Record<string, unknown>) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/public/appeals',
      payload: { areaCode: S1, ...body },
      remoteAddress: nextIp(),
    });
    expect(res.statusCode, res.body).toBe(201);
    return Number(
      (await t.db.selectFrom('appeal_case').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow()).id,
    );
  };
  /** A business account made the ordinary way, then bound by the system administrator through the API. */
  const boundAccount = async (roles: string[], binding: Record<string, number>) => {
    const u = await t.user({ roles, jurisdiction: COUNTY });
    const res = await sysadmin.patch(`/accounts/${u.id}`, binding);
    expect(res.statusCode, res.body).toBe(200);
    return t.signIn(u);
  };

  beforeAll(async () => {
    t = await testApp(backend);
    const l = ledger(t.db);
    await l.station(S1, '东所');
    editor = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: COUNTY }));
    sysadmin = await t.signIn(await t.user({ roles: ['sysadmin'], jurisdiction: COUNTY }));
    const org = (name: string, kind: string, sector: string | null) =>
      t.db
        .insertInto('party_org')
        .values({
          body: 'party',
          name,
          kind,
          setup_mode: 'industry',
          sector,
          ...l.placeOf(COUNTY),
          status: 'established',
          founded_on: '2025-07-01',
        } as never)
        .returning('id')
        .executeTakeFirstOrThrow();
    committeeId = Number((await org('玄武区网约配送员行业党委', 'committee', 'riders')).id);
    plainOrgId = Number((await org('玄武区某联合党支部', 'branch', null)).id);
    const platform = async (name: string) => {
      const p = await t.db
        .insertInto('platform')
        .values({ name, business: 'food_delivery', jurisdiction_code: COUNTY, scope_key: COUNTY } as never)
        .returning('id')
        .executeTakeFirstOrThrow();
      await t.db
        .insertInto('recognition_point')
        .values({
          kind: 'contact',
          level: 'county',
          subject_type: 'platform',
          platform_id: p.id,
          subject_name: name,
          designated_on: '2026-01-01',
          responsible_name: '负责人',
          scope_key: COUNTY,
        } as never)
        .execute();
      return Number(p.id);
    };
    platformId = await platform('快送外卖');
    otherPlatformId = await platform('闪购外卖');
    const rights = { category: 'rights', content: '平台无故扣除配送费，申诉无人处理' };
    cases.platform = await raise({ ...rights, platformId });
    cases.otherPlatform = await raise({ ...rights, platformId: otherPlatformId });
    cases.committee = await raise(rights);
    cases.station = await raise({ category: 'parking', content: '小区不让电动车进门，送餐只能步行很远' });
    const units = await t.db.selectFrom('appeal_case').select(['id', 'unit_kind', 'scope_key']).orderBy('id').execute();
    expect(units.map((u) => [u.unit_kind, u.scope_key])).toEqual([
      ['platform', COUNTY],
      ['platform', COUNTY],
      ['committee', COUNTY],
      ['station', S1],
    ]);
  });
  afterAll(() => t?.close());

  it('binds accounts through account management, refusing a binding that does not fit', async () => {
    const u = await t.user({ roles: ['unit_staff'], jurisdiction: COUNTY });
    const wrongKind = await sysadmin.patch(`/accounts/${u.id}`, { orgId: plainOrgId });
    expect(wrongKind.statusCode).toBe(400);
    expect(wrongKind.json().errors[0]).toMatchObject({ field: 'orgId' });
    const two = await sysadmin.patch(`/accounts/${u.id}`, { orgId: committeeId, platformId });
    expect(two.statusCode).toBe(400);
    expect(two.json().detail).toContain('只能绑定一个');
    const viewer = await t.user({ roles: ['viewer'], jurisdiction: COUNTY });
    expect((await sysadmin.patch(`/accounts/${viewer.id}`, { platformId })).statusCode).toBe(400);
    // The contact point is at the county: an account at the station is on the wrong node.
    const atStation = await sysadmin.post('/accounts', {
      username: 'unit_s1',
      displayName: '驿站联系人',
      jurisdictionCode: S1,
      roles: ['unit_staff'],
      platformId,
    });
    expect(atStation.statusCode).toBe(400);
    expect(atStation.json().errors[0]).toMatchObject({ field: 'jurisdictionCode' });
    const created = await sysadmin.post('/accounts', {
      username: 'unit_ks',
      displayName: '快送联系人',
      jurisdictionCode: COUNTY,
      roles: ['unit_staff'],
      platformId,
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ platformId, orgId: null, instructorId: null });
    expect(
      (
        await sysadmin.post('/accounts', {
          username: 'unit_none',
          displayName: '未绑定',
          jurisdictionCode: COUNTY,
          roles: ['unit_staff'],
        })
      ).statusCode,
    ).toBe(400);
    expect(
      (
        await sysadmin.post('/accounts', {
          username: 'unit_mixed',
          displayName: '兼任',
          jurisdictionCode: COUNTY,
          roles: ['unit_staff', 'viewer'],
          platformId,
        })
      ).statusCode,
    ).toBe(400);
    // An editor holds no account management.
    expect((await editor.patch(`/accounts/${u.id}`, { platformId })).statusCode).toBe(403);
    expect(
      await t.db.selectFrom('app_user').select('bound_platform_id').where('id', '=', u.id).executeTakeFirstOrThrow(),
    ).toEqual({ bound_platform_id: null });
  });

  it("a platform contact point's account sees and works its routed case only", async () => {
    const unit = await boundAccount(['unit_staff'], { platformId });
    const list = await unit.get('/appeals');
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json().items.map((c: { id: number }) => c.id)).toEqual([cases.platform]);
    expect((await unit.get(`/appeals/${cases.platform}`)).json()).toMatchObject({
      unitKind: 'platform',
      actions: expect.arrayContaining(['accept']),
    });
    for (const other of [cases.otherPlatform, cases.committee, cases.station]) {
      expect((await unit.get(`/appeals/${other}`)).statusCode).toBe(404);
      expect((await unit.post(`/appeals/${other}/actions`, { action: 'accept' })).statusCode).toBe(404);
    }
    expect((await unit.post(`/appeals/${cases.platform}/actions`, { action: 'accept' })).statusCode).toBe(200);
    const states = await t.db.selectFrom('appeal_case').select(['id', 'state']).orderBy('id').execute();
    expect(states.map((s) => s.state)).toEqual(['accepted', 'routed', 'routed', 'routed']);
    // Its 待办 holds its cases only; the county's other ledgers stay closed.
    const todos = await unit.get('/workbench');
    expect(todos.statusCode, todos.body).toBe(200);
    expect(todos.json().items.every((i: { kind: string }) => i.kind === 'appeal')).toBe(true);
    for (const path of [
      '/entities',
      '/instructors',
      '/orgs',
      '/guidance-records',
      `/appeals/${cases.station}/reveal`,
    ]) {
      const res = path.endsWith('/reveal') ? await unit.post(path, {}) : await unit.get(path);
      expect([403, 404], `${path} ${res.statusCode}`).toContain(res.statusCode);
    }
    // The county's editor still works the county's cases as before.
    expect((await editor.get('/appeals')).json().total).toBe(4);
  });

  it("round 6: a contact point's figures are of its own cases: not the county's appeal tallies or visits", async () => {
    // A visit in the county, so that its visits count too.
    const entity = await ledger(t.db).entity({ place: S1, name: '走访过的小店' });
    const visit = await editor.post('/visits', {
      entityId: entity,
      visitedOn: '2026-11-02',
      visitorName: '张明',
      learned: '经营正常',
    });
    expect(visit.statusCode, visit.body).toBe(201);
    const county = (await editor.get('/appeals/figures')).json();
    expect(county.total).toMatchObject({ total: 4, visits: 1 });
    const unit = await boundAccount(['unit_staff'], { platformId });
    const own = (await unit.get('/appeals')).json().items.length;
    expect(own).toBe(1);
    // Every case two days past due: the county's overdue figure counts them all.
    const due = await t.db.selectFrom('appeal_case').select(['id', 'due_at']).execute();
    await t.db
      .updateTable('appeal_case')
      .set({ due_at: new Date(Date.now() - 2 * 86_400_000) })
      .execute();
    expect((await editor.get('/appeals/figures')).json().total.overdue).toBe(4);
    const seen = await unit.get('/appeals/figures');
    expect(seen.statusCode, seen.body).toBe(200);
    // Round 7: its own figures (the case in its list), not 0 from tallies it cannot read, nor the county's overdue;
    // visits are not its to read: none, not 0.
    expect(seen.json().total).toMatchObject({
      total: own,
      open: own,
      overdue: own,
      visits: null,
      entitiesVisited: null,
    });
    expect(seen.json().byDoor).toEqual({ rider: own });
    expect(seen.json().children.every((c: { visits: number | null }) => c.visits === null)).toBe(true);
    // Step times of its own case only: routed at once (hundredths of an hour), none past the route.
    expect(seen.json().steps.map((s: { p50Hours: number | null }) => s.p50Hours === null || s.p50Hours < 1)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    for (const d of due)
      await t.db.updateTable('appeal_case').set({ due_at: d.due_at }).where('id', '=', d.id).execute();
  });

  it("a rider industry committee's account sees the committee's case only", async () => {
    const unit = await boundAccount(['unit_staff'], { orgId: committeeId });
    expect((await unit.get('/appeals')).json().items.map((c: { id: number }) => c.id)).toEqual([cases.committee]);
    expect((await unit.get(`/appeals/${cases.platform}`)).statusCode).toBe(404);
    expect((await unit.post(`/appeals/${cases.committee}/actions`, { action: 'accept' })).statusCode).toBe(200);
  });

  it('an unbound unit account sees no case at all', async () => {
    const unit = await t.signIn(await t.user({ roles: ['unit_staff'], jurisdiction: COUNTY }));
    expect((await unit.get('/appeals')).json()).toMatchObject({ items: [], total: 0 });
    expect((await unit.get('/entities')).statusCode).toBe(403);
  });

  it("an instructor's account sees its own assignments and guidance records", async () => {
    const l = ledger(t.db);
    const e1 = await l.entity({ place: S1, name: '甲小吃店', kind: 'individual' });
    const e2 = await l.entity({ place: S1, name: '乙理发店', kind: 'individual' });
    const ids: number[] = [];
    for (const [name, entityId] of [
      ['王指导', e1],
      ['李指导', e2],
    ] as const) {
      const res = await editor.post('/instructors', { name, source: 'station', placeCode: S1 });
      expect(res.statusCode, res.body).toBe(201);
      const id = Number(res.json().id);
      ids.push(id);
      expect(
        (await editor.post(`/instructors/${id}/assignments`, { target: 'entity', targetId: entityId })).statusCode,
      ).toBe(201);
      const g = await editor.post('/guidance-records', {
        instructorId: id,
        entityId,
        onDate: '2026-03-01',
        kind: 'visit',
        content: `${name}上门走访`,
      });
      expect(g.statusCode, g.body).toBe(201);
    }
    const wang = await boundAccount(['instructor'], { instructorId: ids[0] });
    const mine = await wang.get('/instructors/mine');
    expect(mine.statusCode, mine.body).toBe(200);
    expect(mine.json()).toMatchObject({
      instructor: { id: ids[0], name: '王指导' },
      assignments: [{ target: 'entity', name: '甲小吃店' }],
      entities: [{ id: e1, name: '甲小吃店' }],
      guidance: [{ content: '王指导上门走访', target: '甲小吃店' }],
    });
    expect(mine.json().assignments).toHaveLength(1);
    // The guidance list shows its own records only; the other instructor's assignments are not its to see.
    const records = (await wang.get('/guidance-records')).json();
    expect(records.items.map((r: { content: string }) => r.content)).toEqual(['王指导上门走访']);
    const forOther = await wang.post('/guidance-records', {
      instructorId: ids[1],
      entityId: e2,
      onDate: '2026-03-02',
      kind: 'visit',
      content: '替别人登记',
    });
    expect(forOther.statusCode).toBe(403);
    expect(forOther.json().detail).toBe('指导员账号只能登记本人的指导记录');
    expect(await t.db.selectFrom('guidance_record').select('id').where('content', '=', '替别人登记').execute()).toEqual(
      [],
    );
    // A photo of its visit goes onto its own record and shows in the list; another's record is out of its reach.
    const [own, others] = await Promise.all(
      ['王指导上门走访', '李指导上门走访'].map(async (content) =>
        Number(
          (
            await t.db
              .selectFrom('guidance_record')
              .select('id')
              .where('content', '=', content)
              .executeTakeFirstOrThrow()
          ).id,
        ),
      ),
    );
    const photo = await upload(wang, 'guidance_record', own, '走访照片.png', PNG);
    expect(photo.statusCode, photo.body).toBe(201);
    expect((await wang.get('/guidance-records')).json().items[0].files).toMatchObject([{ fileName: '走访照片.png' }]);
    expect((await wang.get('/instructors/mine')).json().guidance[0].files).toBe(1);
    expect((await upload(wang, 'guidance_record', others, '别人的.png', PNG)).statusCode).toBe(404);
    // Its guidance rights do not reach other records' files (a notice's are its issuer's).
    expect((await upload(wang, 'deployment', 1, '通知附件.pdf', PDF)).statusCode).toBe(403);
    // Its 待办 holds what it can do: its own open follow-ups, not the station's reports or tasks it cannot act on.
    const followed = await wang.post('/guidance-records', {
      instructorId: ids[0],
      entityId: e1,
      onDate: '2026-03-03',
      kind: 'visit',
      content: '王指导再次走访',
      followUp: '下周确认联络员',
    });
    expect(followed.statusCode, followed.body).toBe(201);
    const todos = (await wang.get('/workbench')).json().items as { kind: string; count: number }[];
    expect(todos).toMatchObject([{ kind: 'guidance', count: 1 }]);
    expect((await editor.get('/workbench')).json().items.map((i: { kind: string }) => i.kind)).not.toContain(
      'guidance',
    );
    // The county's dashboard is not its to read (its own figures are its round above); the county's editor counts both.
    expect((await wang.get(`/dashboard?under=${COUNTY}`)).statusCode).toBe(403);
    expect((await editor.get(`/dashboard?under=${COUNTY}`)).json().figures.assignmentsInForce).toBe(2);
    // An unbound instructor account has no "mine"; the county's editor sees all three records as before.
    const unbound = await t.signIn(await t.user({ roles: ['instructor'], jurisdiction: COUNTY }));
    expect((await unbound.get('/instructors/mine')).json()).toEqual({
      instructor: null,
      assignments: [],
      entities: [],
      guidance: [],
    });
    expect((await editor.get('/guidance-records')).json().total).toBe(3);
  });
});
