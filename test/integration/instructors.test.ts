import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { BACKENDS } from '../helpers/db.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { ledger } from '../helpers/ledger.js';
import { idCheckChar } from '../../src/domain/identifiers/id-number.js';
import { recomputeTally, tallyUnder } from '../../src/features/coverage/queries.js';
import { today as todayInZone } from '../../src/domain/time/zone.js';

type Client = Awaited<ReturnType<TestApp['signIn']>>;
const ID = `32010219800101002${idCheckChar('32010219800101002')}`;
const S1 = '320102001';
const S2 = '320102002';
const today = todayInZone();
const tomorrow = todayInZone(new Date(Date.now() + 86_400_000));

describe.each(BACKENDS)('instructors and work coverage on %s', (backend) => {
  let t: TestApp;
  let editor: Client;
  let staff: Client;
  let tower: number;
  let org: number;
  const e: Record<string, number> = {};

  /** The station's work-coverage count, checked against a full recompute from the ledger each time. */
  const work = async (scope = S1) => {
    const kept = await tallyUnder(t.db, scope);
    expect(kept).toEqual(await recomputeTally(t.db, scope));
    return kept.work;
  };

  beforeAll(async () => {
    t = await testApp(backend);
    const l = ledger(t.db);
    await l.station(S1, '东所');
    await l.station(S2, '西所');
    tower = await l.zone('building', '指导大厦', '320102');
    e.a = await l.entity({ place: S1, name: '大厦甲', zoneId: tower });
    e.b = await l.entity({ place: S1, name: '大厦乙', zoneId: tower });
    e.c = await l.entity({ place: S1, name: '单独丙' });
    e.d = await l.entity({ place: S1, name: '支部丁' });
    e.far = await l.entity({ place: S2, name: '西所戊' });
    org = (
      await t.db
        .insertInto('party_org')
        .values({
          name: '筹建中的联合支部',
          kind: 'joint_branch',
          setup_mode: 'joint',
          county_code: '320102',
          station_code: S1,
          scope_key: S1,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    await t.db.insertInto('party_org_entity').values({ org_id: org, entity_id: e.d, scope_key: S1 }).execute();
    await t.db.insertInto('work_task').values({ kind: 'assign_instructor', entity_id: e.c, scope_key: S1 }).execute();
    editor = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: '320102' }));
    staff = await t.signIn(await t.user({ roles: ['station_staff'], jurisdiction: S1 }));
  });
  afterAll(() => t?.close());

  let zhang: number;

  it('registers an instructor with the ID number and phone encrypted, masked in lists, revealed only with a trace', async () => {
    const res = await editor.post('/instructors', {
      name: '张指导',
      idNumber: ID,
      phone: '13912345678',
      source: 'retired',
      placeCode: S1,
      workplace: '区市场监管局（退休）',
    });
    expect(res.statusCode).toBe(201);
    zhang = res.json().id;
    const stored = await t.db
      .selectFrom('person')
      .select(['id_enc', 'phone_enc'])
      .where('name', '=', '张指导')
      .executeTakeFirstOrThrow();
    expect(stored.id_enc).not.toContain(ID.slice(6, 14));
    const list = (await editor.get('/instructors?q=张')).json();
    expect(list.items).toEqual([
      expect.objectContaining({
        name: '张指导',
        phone: '139****5678',
        sourceLabel: '退休干部',
        stationName: '东所',
        assignments: 0,
      }),
    ]);
    expect(list.items[0].idNumber).toBe(`320102********${ID.slice(-4)}`);
    const reveal = await editor.post(`/instructors/${zhang}/reveal`);
    expect(reveal.json()).toEqual({ idNumber: ID, phone: '13912345678' });
    expect(
      await t.db.selectFrom('audit_log').select('action').where('action', '=', 'personal.reveal').execute(),
    ).toHaveLength(1);
    // The same person twice, and a bad ID number: clear errors naming the field.
    const twice = await editor.post('/instructors', { name: '张指导', idNumber: ID, source: 'retired', placeCode: S1 });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().errors[0]).toMatchObject({ field: 'idNumber', message: '此人已在指导员名册中' });
    const bad = await editor.post('/instructors', {
      name: '李指导',
      idNumber: '320102198001010021',
      source: 'nobody',
      placeCode: S1,
    });
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json()
        .errors.map((x: { field: string }) => x.field)
        .sort(),
    ).toEqual(['idNumber', 'source']);
    expect(await t.db.selectFrom('instructor').select('id').execute()).toHaveLength(1);
  });

  it('an assignment to an entity gives it work coverage at once and closes the 组建建议 task asking for an instructor', async () => {
    const before = await work();
    const res = await staff.post(`/instructors/${zhang}/assignments`, { target: 'entity', targetId: e.c });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ reached: 1, tasksDone: 1 });
    expect(await work()).toBe(before + 1);
    expect((await editor.get(`/entities/${e.c}`)).json().coverage.work).toBe(true);
    expect(
      (await t.db.selectFrom('work_task').select('state').where('entity_id', '=', e.c).executeTakeFirstOrThrow()).state,
    ).toBe('done');
    // Twice the same open assignment is refused.
    expect(
      (await staff.post(`/instructors/${zhang}/assignments`, { target: 'entity', targetId: e.c })).json().errors[0]
        .field,
    ).toBe('targetId');
  });

  it('a zone reaches the entities in it (and one that moves in later); an organization reaches its entities even in preparation', async () => {
    const before = await work();
    // A station's staff cannot assign to all of a county's building.
    const refused = await staff.post(`/instructors/${zhang}/assignments`, { target: 'zone', targetId: tower });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().errors[0].field).toBe('targetId');
    expect(
      (await editor.post(`/instructors/${zhang}/assignments`, { target: 'zone', targetId: tower })).json().reached,
    ).toBe(2);
    expect(await work()).toBe(before + 2);
    e.late = await ledger(t.db).entity({ place: S1, name: '后入驻己' });
    await t.db.insertInto('entity_zone').values({ entity_id: e.late, zone_id: tower, scope_key: S1 }).execute();
    expect(await work()).toBe(before + 3);
    expect(
      (await staff.post(`/instructors/${zhang}/assignments`, { target: 'org', targetId: org })).json().reached,
    ).toBe(1);
    expect(await work()).toBe(before + 4);
    expect((await editor.get(`/instructors/${zhang}`)).json()).toMatchObject({ assignments: 3, reached: 5 });
  });

  it('refuses assignments dated ahead, out of scope, or by an inactive instructor; ending takes effect and is checked', async () => {
    expect(
      (
        await staff.post(`/instructors/${zhang}/assignments`, { target: 'entity', targetId: e.a, startOn: tomorrow })
      ).json().errors[0].field,
    ).toBe('startOn');
    expect(
      (await staff.post(`/instructors/${zhang}/assignments`, { target: 'entity', targetId: e.far })).statusCode,
    ).toBe(404);
    const detail = (await editor.get(`/instructors/${zhang}`)).json();
    const zoneAssignment = detail.assignmentList.find((a: { target: string }) => a.target === 'zone');
    const before = await work();
    const early = await editor.post(`/instructors/${zhang}/assignments/${zoneAssignment.id}/end`, {
      endOn: '2000-01-01',
      reason: '调整',
    });
    expect(early.statusCode).toBe(400);
    expect(early.json().errors[0].field).toBe('endOn');
    expect(
      (await editor.post(`/instructors/${zhang}/assignments/${zoneAssignment.id}/end`, { reason: '楼宇改由社区指导' }))
        .statusCode,
    ).toBe(200);
    expect(await work()).toBe(before - 3);
    expect(
      (await editor.post(`/instructors/${zhang}/assignments/${zoneAssignment.id}/end`, { reason: '再次' })).json()
        .detail,
    ).toContain('已于');
  });

  it('deactivating an instructor ends what they still hold, and the figure follows', async () => {
    const res = await editor.patch(`/instructors/${zhang}`, { status: 'inactive' });
    expect(res.json()).toMatchObject({ status: 'inactive', endedAssignments: 2 });
    expect(await work()).toBe(0);
    expect(
      (await editor.post(`/instructors/${zhang}/assignments`, { target: 'entity', targetId: e.a })).json().errors[0]
        .field,
    ).toBe('instructorId');
    const history = (await editor.get(`/instructors/${zhang}`)).json().history;
    expect(
      history.filter((h: { object_type: string }) => h.object_type === 'instructor_assignment').length,
    ).toBeGreaterThanOrEqual(5);
  });

  it('station staff see the instructors based in their station only; figures by area count by child', async () => {
    const west = (await editor.post('/instructors', { name: '王指导', source: 'station', placeCode: S2 })).json().id;
    await editor.post(`/instructors/${west}/assignments`, { target: 'entity', targetId: e.far });
    expect((await staff.get('/instructors')).json().items.map((i: { name: string }) => i.name)).toEqual(['张指导']);
    expect((await staff.get(`/instructors/${west}`)).statusCode).toBe(404);
    const figures = (await editor.get('/instructors/figures')).json();
    expect(figures.total).toMatchObject({ instructors: 1, assignments: 1, reached: 1 });
    expect(figures.children.find((c: { code: string }) => c.code === S2)).toMatchObject({ instructors: 1, reached: 1 });
    expect(figures.children.find((c: { code: string }) => c.code === S1)).toMatchObject({ instructors: 0, reached: 0 });
    expect((await staff.get('/instructors/figures?under=320102')).statusCode).toBe(404);
  });

  /** An instructor's own account, bound to its roster record (as 账号管理 binds it). */
  const instructorAccount = async (instructorId: number) => {
    const u = await t.user({ roles: ['instructor'], jurisdiction: S1 });
    await t.db.updateTable('app_user').set({ bound_instructor_id: instructorId }).where('id', '=', u.id).execute();
    return t.signIn(u);
  };

  it('guidance records: logged by an instructor account, dated no later than today, follow-ups closed, listed and exported with a trace', async () => {
    // Back in service, 张指导 guides 单独丙 and the joint branch again; its account logs what it does there.
    expect((await editor.patch(`/instructors/${zhang}`, { status: 'active' })).statusCode).toBe(200);
    for (const [target, targetId] of [
      ['entity', e.c],
      ['org', org],
    ] as const)
      expect((await staff.post(`/instructors/${zhang}/assignments`, { target, targetId })).statusCode).toBe(201);
    const me = await instructorAccount(zhang);
    const ahead = await me.post('/guidance-records', {
      instructorId: zhang,
      entityId: e.c,
      onDate: tomorrow,
      kind: 'visit',
      content: '了解党员情况',
    });
    expect(ahead.json().errors[0].field).toBe('onDate');
    const nowhere = await me.post('/guidance-records', {
      instructorId: zhang,
      onDate: today,
      kind: 'visit',
      content: '了解党员情况',
    });
    expect(nowhere.json().errors[0].field).toBe('entityId');
    const ok = await me.post('/guidance-records', {
      instructorId: zhang,
      entityId: e.c,
      onDate: today,
      kind: 'visit',
      content: '了解党员情况，宣讲政策',
      followUp: '协助联络员建立台账',
    });
    expect(ok.statusCode).toBe(201);
    await me.post('/guidance-records', {
      instructorId: zhang,
      orgId: org,
      onDate: today,
      kind: 'meeting',
      content: '参加支部主题党日',
    });
    expect((await me.patch(`/instructors/${zhang}`, { status: 'active' })).statusCode).toBe(403);
    expect((await staff.get('/guidance-records?followUp=open')).json().items).toEqual([
      expect.objectContaining({ entityName: '单独丙', kindLabel: '走访', followUp: '协助联络员建立台账' }),
    ]);
    expect((await me.patch(`/guidance-records/${ok.json().id}`, { followUpDone: true })).statusCode).toBe(200);
    expect((await staff.get('/guidance-records?followUp=open')).json().total).toBe(0);
    expect((await staff.get('/guidance-records?q=主题党日')).json().items[0].orgName).toBe('筹建中的联合支部');
    const roster = await editor.get('/instructors/export');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(roster.rawPayload as unknown as ArrayBuffer);
    expect(book.getWorksheet('指导员')!.getRow(2).getCell(1).value).toBe('张指导');
    // Every assignment, ended ones too, with what it pointed at.
    const sheet = book.getWorksheet('指派')!;
    const lines = sheet
      .getSheetValues()
      .slice(2)
      .map((r) => (r as unknown[]).slice(1, 6));
    expect(lines).toContainEqual(['张指导', '市场/楼宇/园区/商圈', '指导大厦', expect.any(String), expect.any(String)]);
    expect(lines.filter((l) => l[0] === '张指导')).toHaveLength(5);
    const xlsx = await staff.get('/guidance-records/export');
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
    expect(
      await t.db.selectFrom('audit_log').select('action').where('action', '=', 'guidance.export').execute(),
    ).toHaveLength(1);
    expect(
      (await editor.get('/instructors/figures?under=320102'))
        .json()
        .children.find((c: { code: string }) => c.code === S1).guidance,
    ).toBe(2);
  });

  it("an instructor's account reaches only what it is assigned to: not another entity, the roster, cases, appeals, exports or the county's figures", async () => {
    const me = await instructorAccount(zhang);
    const names = (rows: { name: string }[]) => rows.map((x) => x.name).sort();
    // Its entities and organization, for its guidance form's pickers; the county's others are not listed.
    expect(names((await me.get('/entities')).json().items)).toEqual(['单独丙', '支部丁']);
    expect((await me.get('/orgs')).json().items.map((o: { name: string }) => o.name)).toEqual(['筹建中的联合支部']);
    // Its entity's page, people masked as staff see them; an entity of its station it is not assigned to answers
    // as one of another county does.
    const own = await me.get(`/entities/${e.c}`);
    expect(own.statusCode, own.body).toBe(200);
    expect(own.json().name).toBe('单独丙');
    for (const other of [e.a, e.far]) expect((await me.get(`/entities/${other}`)).statusCode).toBe(404);
    expect((await me.get(`/orgs/${org}`)).statusCode).toBe(200);
    // Nor can it log guidance where it is not assigned.
    const elsewhere = await me.post('/guidance-records', {
      instructorId: zhang,
      entityId: e.a,
      onDate: today,
      kind: 'visit',
      content: '未指派的主体',
    });
    expect(elsewhere.statusCode).toBe(404);
    // The county's ledgers, lists, exports, figures and settings stay closed (403), as they stay for a unit account.
    for (const url of [
      '/members',
      '/cases',
      '/appeals',
      '/visits',
      '/instructors',
      `/instructors/${zhang}`,
      '/entities/export',
      '/entities/summary',
      `/entities/${e.c}/records`,
      '/guidance-records/export',
      '/orgs/export',
      '/imports',
      '/dashboard',
      '/coverage',
      '/reports?period=2025',
      '/stations',
      '/units',
      '/settings',
      `/guidance-posts/${S1}`,
    ]) {
      const res = await me.get(url);
      expect(res.statusCode, url).toBe(403);
      expect(res.json().title).toMatch(/[\u4e00-\u9fff]/);
    }
    // Nor is it told of its station's work: a notice to the station rings the clerks' bell, not its own.
    const unread = async (c: Client) => (await c.get('/notifications/unread-count')).json().unread as number;
    const [staffBefore, meBefore] = [await unread(staff), await unread(me)];
    const notice = await editor.post('/deployments', {
      kind: 'notice',
      title: '学习通知',
      body: '请学习',
      targets: [S1],
    });
    expect(notice.statusCode, notice.body).toBe(201);
    expect([await unread(staff), await unread(me)]).toEqual([staffBefore + 1, meBefore]);
    // Its day's work still works: its round, its records, its 待办, the dictionaries.
    expect(names((await me.get('/instructors/mine')).json().entities)).toEqual(['单独丙', '支部丁']);
    expect((await me.get('/guidance-records')).json().total).toBe(2);
    for (const url of ['/workbench', '/notifications/unread-count', '/dictionaries'])
      expect((await me.get(url)).statusCode, url).toBe(200);
    // An instructor account not yet bound sees no one's work.
    const unbound = await t.signIn(await t.user({ roles: ['instructor'], jurisdiction: S1 }));
    expect((await unbound.get('/entities')).json().total).toBe(0);
    expect((await unbound.get(`/entities/${e.c}`)).statusCode).toBe(404);
    expect((await unbound.get('/guidance-records')).json().total).toBe(0);
    // Once its assignment to 单独丙 ended, the entity is out of its reach, yet its older records still name it.
    const held = (await editor.get(`/instructors/${zhang}`))
      .json()
      .assignmentList.find((a: { targetId: number; endOn: string | null }) => a.targetId === e.c && !a.endOn);
    expect(
      (await editor.post(`/instructors/${zhang}/assignments/${held.id}/end`, { reason: '指派期满' })).statusCode,
    ).toBe(200);
    expect((await me.get(`/entities/${e.c}`)).statusCode).toBe(404);
    const mine = (await me.get('/instructors/mine')).json();
    expect(names(mine.entities)).not.toContain('单独丙');
    expect(mine.guidance.map((g: { target: string }) => g.target).sort()).toEqual(['单独丙', '筹建中的联合支部']);
    const log = (await me.get('/guidance-records')).json().items;
    expect(log.map((g: { entityName: string | null }) => g.entityName)).toContain('单独丙');
    expect((await me.get('/guidance-records?q=单独丙')).json().total).toBe(1);
  });

  it('the station page shows the post, staff, instructors based there, zones served and coverage', async () => {
    await editor.post('/units', {
      kind: 'guidance_post',
      jurisdictionCode: S1,
      name: '东所党建工作指导站',
      leaderName: '赵站长',
      staffCount: 3,
    });
    const page = (await staff.get(`/guidance-posts/${S1}`)).json();
    expect(page.station).toMatchObject({ name: '东所' });
    expect(page.post).toMatchObject({ name: '东所党建工作指导站', leaderName: '赵站长' });
    expect(page.staff.length).toBeGreaterThanOrEqual(2);
    expect(page.instructors).toEqual([expect.objectContaining({ name: '张指导', statusLabel: '在岗' })]);
    expect(page.zones).toEqual([expect.objectContaining({ name: '指导大厦', entities: 3, instructor: false })]);
    expect(page.coverage.operating).toBe(5);
    expect((await staff.get(`/guidance-posts/${S2}`)).statusCode).toBe(404);
  });
});
