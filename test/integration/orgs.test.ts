import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { BACKENDS } from '../helpers/db.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { ledger } from '../helpers/ledger.js';
import { idCheckChar } from '../../src/domain/identifiers/id-number.js';

const LEAGUE_ID = `11010520000101003${idCheckChar('11010520000101003')}`;

type Client = Awaited<ReturnType<TestApp['signIn']>>;
type ProposalItem = {
  id: number;
  mode: string;
  explanation: string;
  units: number;
  fullMembers: number;
  suggestedName: string;
  entities: { id: number; name: string }[];
};

const S1 = '320102001';
const S2 = '320102002';
const S3 = '320102003';

describe.each(BACKENDS)('party organizations and setup proposals on %s', (backend) => {
  let t: TestApp;
  let editor: Client;
  let staff: Client;
  const e: Record<string, number> = {};

  const proposals = async (c: Client = editor, q = '') =>
    (await c.get(`/org-proposals?pageSize=100${q}`)).json().items as ProposalItem[];
  const byEntity = (list: ProposalItem[], id: number) => list.find((p) => p.entities.some((x) => x.id === id));
  const coverageOf = async (c: Client, code: string) => (await c.get(`/coverage?under=${code}`)).json();

  beforeAll(async () => {
    t = await testApp(backend);
    const l = ledger(t.db);
    await l.station(S1, '东所');
    await l.station(S2, '西所');
    await l.station(S3, '南所');
    const tower = await l.zone('building', '测试大厦', '320102');
    // 测试大厦: 2 + 1 full members, and one with a probationary member only.
    e.a = await l.entity({ place: S1, name: '大厦甲公司', zoneId: tower });
    e.b = await l.entity({ place: S1, name: '大厦乙公司', zoneId: tower });
    e.c = await l.entity({ place: S1, name: '大厦丙公司', zoneId: tower });
    await l.members(e.a, 2);
    await l.members(e.b, 1);
    await l.members(e.c, 0, 1);
    // Standalone: 3 full members (plus 2 probationary, who do not count).
    e.big = await l.entity({ place: S1, name: '三党员公司' });
    await l.members(e.big, 3, 2);
    // 2 full + 2 probationary: not standalone. Alone in its station with nobody to join: affiliated.
    e.lone = await l.entity({ place: S2, name: '孤立公司' });
    await l.members(e.lone, 2, 2);
    // Three individual businesses of station 3 with one member each: a station-based joint branch.
    for (const k of ['一', '二', '三']) {
      e[`ind${k}`] = await l.entity({ place: S3, name: `个体户${k}`, kind: 'individual' });
      await l.members(e[`ind${k}`], 1);
    }
    // No members at all: work coverage.
    e.none = await l.entity({ place: S3, name: '无党员商店' });
    editor = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: '320102' }));
    staff = await t.signIn(await t.user({ roles: ['station_staff'], jurisdiction: S1 }));
  });

  /** The county editor's generation, a minute or more after its last one (an account generates at most once a minute, round 15). */
  async function generate() {
    await sql`DELETE FROM account_window WHERE kind = 'proposals'`.execute(t.db);
    return editor.post('/org-proposals/generate');
  }

  afterAll(() => t?.close());

  it('proposes by the rules: standalone, a zone joint branch, a station branch of individual businesses, affiliation, work coverage', async () => {
    const gen = await generate();
    expect(gen.statusCode).toBe(200);
    expect(gen.json()).toMatchObject({
      candidates: 9,
      counts: { standalone: 1, zone: 1, station: 1, affiliated: 1, work: 1 },
    });
    const list = await proposals();
    expect(byEntity(list, e.big)).toMatchObject({ mode: 'standalone', units: 1, fullMembers: 3 });
    const zone = byEntity(list, e.a)!;
    expect(zone).toMatchObject({ mode: 'zone', units: 3, fullMembers: 3 });
    expect(zone.explanation).toContain('同一楼宇 测试大厦，3 家单位，正式党员 3 名');
    expect(zone.entities.map((x) => x.id).sort()).toEqual([e.a, e.b, e.c].sort());
    expect(byEntity(list, e.lone)!.mode).toBe('affiliated');
    expect(byEntity(list, e.ind一)).toMatchObject({ mode: 'station', units: 3 });
    expect(byEntity(list, e.none)!.mode).toBe('work');
    // A station's staff see their station's proposals only.
    const mine = await proposals(staff);
    expect(mine.every((p) => p.entities.every((x) => [e.a, e.b, e.c, e.big].includes(x.id)))).toBe(true);
    expect(mine).toHaveLength(2);
    // They can generate for their station themselves: the county's building is visible to them through their entities.
    expect((await staff.post('/org-proposals/generate')).json().counts).toMatchObject({ standalone: 1, zone: 1 });
    expect(byEntity(await proposals(staff), e.a)!.mode).toBe('zone');
  });

  it('accepting creates the organization in preparation; it counts towards coverage once established', async () => {
    const zone = byEntity(await proposals(staff), e.a)!;
    const before = await coverageOf(staff, S1);
    expect(before.total).toMatchObject({ operating: 4, anyOrg: 0, withMembers: 4 });
    const acc = await staff.post(`/org-proposals/${zone.id}/accept`, {});
    expect(acc.statusCode).toBe(200);
    const orgId = acc.json().orgId as number;
    const org = (await staff.get(`/orgs/${orgId}`)).json();
    expect(org).toMatchObject({
      name: '测试大厦联合党支部',
      kind: 'joint_branch',
      setupMode: 'zone',
      status: 'preparing',
      statusLabel: '筹建',
      units: 3,
    });
    expect(org.fullMembers).toMatchObject({ registered: 0, found: 3, count: 3 });
    expect((await coverageOf(staff, S1)).total.anyOrg).toBe(0);
    // 已建 needs its founding date.
    const noDate = await staff.patch(`/orgs/${orgId}`, { status: 'established' });
    expect(noDate.statusCode).toBe(400);
    expect(noDate.json().errors[0].field).toBe('foundedOn');
    // A date of the right form that is no day: a field error, nothing written (not a database error).
    const noDay = await staff.patch(`/orgs/${orgId}`, { status: 'established', foundedOn: '2024-02-30' });
    expect(noDay.statusCode).toBe(400);
    expect(noDay.json().errors[0]).toMatchObject({ field: 'foundedOn', message: expect.stringMatching(/没有这一天/) });
    expect((await staff.patch(`/orgs/${orgId}`, { status: 'established', foundedOn: '2026-07-01' })).statusCode).toBe(
      200,
    );
    const after = await coverageOf(staff, S1);
    expect(after.total).toMatchObject({ operating: 4, anyOrg: 3, ownOrg: 0, work: 3, membersAnyOrg: 3 });
    expect(after.total.orgCoverage).toBeCloseTo(0.75);
    // The splits add up: all four registered in 2020 (established), all enterprises.
    expect(after.splits.newness.map((n: { operating: number }) => n.operating)).toEqual([0, 4]);
    expect(after.splits.kind).toEqual([
      expect.objectContaining({ value: 'enterprise', label: '企业', operating: 4, anyOrg: 3 }),
    ]);
    // The county sees the station among its children; the list behind the figure names the three.
    const county = await coverageOf(editor, '320102');
    expect(county.children.find((c: { code: string }) => c.code === S1)).toMatchObject({ anyOrg: 3, operating: 4 });
    // The children and what hangs on the county itself add up to the county.
    const l = ledger(t.db);
    await l.entity({ place: '320102', name: '未分所公司' });
    const again = await coverageOf(editor, '320102');
    expect(again.unassigned.operating).toBe(1);
    expect(
      again.children.reduce((a: number, c: { operating: number }) => a + c.operating, again.unassigned.operating),
    ).toBe(again.total.operating);
    const behind = (await editor.get(`/entities?under=${S1}&coverage=any_org&pageSize=50`)).json();
    expect(behind.items.map((x: { name: string }) => x.name).sort()).toEqual([
      '大厦丙公司',
      '大厦乙公司',
      '大厦甲公司',
    ]);
    // Accepted once is final; the trail has it.
    expect((await staff.post(`/org-proposals/${zone.id}/accept`, {})).statusCode).toBe(409);
    const trail = await t.db
      .selectFrom('audit_log')
      .select(['action', 'object_id'])
      .where('action', 'in', ['proposal.accept', 'org.update'])
      .execute();
    expect(trail.map((a) => a.action).sort()).toEqual(['org.update', 'proposal.accept']);
    // The organization's page shows its history.
    const history = (await staff.get(`/orgs/${orgId}`)).json().history as { object_type: string; subject: string }[];
    expect(history.length).toBeGreaterThanOrEqual(4);
    // Each covered unit's line names its entity (looked up by id after the lines are read).
    expect(
      history
        .filter((h) => h.object_type === 'party_org_entity')
        .map((h) => h.subject)
        .sort(),
    ).toEqual(['大厦丙公司', '大厦乙公司', '大厦甲公司']);
  });

  it('a rejection needs a reason, and the same grouping is not proposed again', async () => {
    const lone = byEntity(await proposals(), e.lone)!;
    const bad = await editor.post(`/org-proposals/${lone.id}/reject`, { reason: '' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('reason');
    expect((await editor.post(`/org-proposals/${lone.id}/reject`, { reason: '该公司已迁往外省' })).statusCode).toBe(
      200,
    );
    const again = (await generate()).json();
    expect(again.skippedRejected).toBe(1);
    expect(byEntity(await proposals(), e.lone)).toBeUndefined();
    // The accepted zone's entities are covered now and not proposed again either.
    expect(byEntity(await proposals(), e.a)).toBeUndefined();
  });

  it('adjusting moves a unit between joint proposals only while both still meet the rules', async () => {
    const l = ledger(t.db);
    const hall = await l.zone('market', '测试市场', '320102');
    const m = [
      await l.entity({ place: S2, name: '市场一', zoneId: hall }),
      await l.entity({ place: S2, name: '市场二', zoneId: hall }),
      await l.entity({ place: S2, name: '市场三', zoneId: hall }),
    ];
    await l.members(m[0], 2);
    await l.members(m[1], 1);
    await l.members(m[2], 1);
    const w = [await l.entity({ place: S2, name: '西所甲' }), await l.entity({ place: S2, name: '西所乙' })];
    await l.members(w[0], 2);
    await l.members(w[1], 1);
    await generate();
    const list = await proposals();
    const market = byEntity(list, m[0])!;
    const station = byEntity(list, w[0])!;
    // The station's joint branch takes in 孤立公司 too: its affiliation was rejected, a joint branch is new.
    expect([market.mode, market.units, station.mode, station.units, station.fullMembers]).toEqual([
      'zone',
      3,
      'joint',
      3,
      5,
    ]);
    const movable = m.find((id) => market.entities.some((x) => x.id === id) && id !== m[0])!;
    const ok = await editor.post(`/org-proposals/${market.id}/move`, { entityId: movable, toProposalId: station.id });
    expect(ok.statusCode, ok.body).toBe(200);
    const moved = await proposals();
    expect(byEntity(moved, movable)!.id).toBe(station.id);
    expect(moved.find((p) => p.id === station.id)).toMatchObject({ units: 4, fullMembers: 6 });
    // Moving the other one-member unit would leave the market branch with 2 full members.
    const rest = market.entities.map((x) => x.id).find((id) => id !== m[0] && id !== movable)!;
    const refused = await editor.post(`/org-proposals/${market.id}/move`, { entityId: rest, toProposalId: station.id });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().detail).toContain('不足');
    expect(byEntity(await proposals(), rest)!.id).toBe(market.id);
    // Only joint proposals trade units.
    const standalone = byEntity(await proposals(), e.big)!;
    expect(
      (await editor.post(`/org-proposals/${standalone.id}/move`, { entityId: e.big, toProposalId: station.id }))
        .statusCode,
    ).toBe(400);
  });

  it('work coverage: accepting creates the instructor and 组织找党员 tasks', async () => {
    const work = byEntity(await proposals(), e.none)!;
    expect((await editor.post(`/org-proposals/${work.id}/accept`, {})).statusCode).toBe(200);
    const tasks = await t.db
      .selectFrom('work_task')
      .select(['kind', 'entity_id'])
      .where('entity_id', '=', e.none)
      .orderBy('kind')
      .execute();
    expect(tasks.map((x) => x.kind)).toEqual(['assign_instructor', 'find_members']);
  });

  it('enforces the organization rules: at most 5 units in a joint branch, no committee below 7 full members', async () => {
    const l = ledger(t.db);
    const six: number[] = [];
    for (let i = 0; i < 6; i++) six.push(await l.entity({ place: S3, name: `六家${i}` }));
    const tooMany = await editor.post('/orgs', {
      name: '六家联合党支部',
      kind: 'joint_branch',
      setupMode: 'joint',
      placeCode: S3,
      entityIds: six,
    });
    expect(tooMany.statusCode).toBe(422);
    expect(tooMany.json().detail).toContain('一般不超过 5 家');
    expect(await t.db.selectFrom('party_org').select('id').where('name', '=', '六家联合党支部').execute()).toHaveLength(
      0,
    );
    const five = await editor.post('/orgs', {
      name: '五家联合党支部',
      kind: 'joint_branch',
      setupMode: 'joint',
      placeCode: S3,
      entityIds: six.slice(0, 5),
    });
    expect(five.statusCode).toBe(201);
    const orgId = five.json().id;
    expect((await editor.post(`/orgs/${orgId}/entities`, { entityId: six[5] })).statusCode).toBe(422);
    // Not across counties.
    const far = await l.entity({ place: '320104', name: '外县公司' });
    expect((await editor.post(`/orgs/${orgId}/entities`, { entityId: far })).statusCode).toBe(404);
    // Members and officers: 3 full members registered, a secretary yes, a committee member no.
    const ids = await l.members(six[0], 3);
    for (const memberId of ids)
      expect((await editor.post(`/orgs/${orgId}/members`, { memberId })).statusCode).toBe(201);
    expect((await editor.post(`/orgs/${orgId}/members`, { memberId: ids[0] })).statusCode).toBe(409);
    const people = (await editor.get(`/orgs/${orgId}`)).json().members as { personId: number }[];
    const soon = new Date(Date.now() - 2.8 * 365 * 86_400_000).toISOString().slice(0, 10);
    const sec = await editor.post(`/orgs/${orgId}/officers`, {
      personId: people[0].personId,
      role: 'secretary',
      termStart: soon,
    });
    expect(sec.statusCode).toBe(201);
    const com = await editor.post(`/orgs/${orgId}/officers`, {
      personId: people[1].personId,
      role: 'committee',
      termStart: soon,
    });
    expect(com.statusCode).toBe(422);
    expect(com.json().detail).toContain('不足 7 名正式党员');
    // The term ends within 6 months: 换届提醒.
    const due = (await editor.get('/orgs/term-reminders')).json().items;
    expect(due.find((x: { id: number }) => x.id === orgId)).toMatchObject({ due: 'due' });
    // Removing: a member who leaves loses their office; an entity leaves the coverage; each once.
    const detail = (await editor.get(`/orgs/${orgId}`)).json();
    const secRow = detail.members.find((m: { personId: number }) => m.personId === people[0].personId);
    expect((await editor.del(`/orgs/${orgId}/members/${secRow.id}`)).statusCode).toBe(204);
    expect((await editor.get(`/orgs/${orgId}`)).json().officers).toHaveLength(0);
    expect((await editor.del(`/orgs/${orgId}/members/${secRow.id}`)).statusCode).toBe(404);
    expect((await editor.del(`/orgs/${orgId}/entities/${six[4]}`)).statusCode).toBe(204);
    expect((await editor.get(`/orgs/${orgId}`)).json().units).toBe(4);
    const trail = await t.db
      .selectFrom('audit_log')
      .select('detail')
      .where('action', '=', 'org.entity_remove')
      .execute();
    expect(trail.map((a) => a.detail)).toEqual([{ entities: six[4] }]);
  });

  it('registers the organizations annual reports declare as set up alone, once', async () => {
    const l = ledger(t.db);
    const declared = await l.entity({ place: S3, name: '年报有支部公司' });
    await l.report(declared, 2025, { members: 4, orgForm: 1, orgWay: 1, setOn: '2019-07-01' });
    const joint = await l.entity({ place: S3, name: '年报联合建公司' });
    await l.report(joint, 2025, { members: 1, orgForm: 1, orgWay: 2 });
    const before = (await coverageOf(editor, S3)).total;
    const res = await editor.post('/orgs/from-reports');
    expect(res.json()).toEqual({ registered: 1 });
    const org = (await editor.get('/orgs?q=年报有支部公司')).json().items[0];
    expect(org).toMatchObject({
      name: '年报有支部公司党支部',
      kind: 'branch',
      setupMode: 'standalone',
      status: 'established',
      foundedOn: '2019-07-01',
      units: 1,
    });
    const after = (await coverageOf(editor, S3)).total;
    expect([after.ownOrg - before.ownOrg, after.anyOrg - before.anyOrg]).toEqual([1, 1]);
    expect((await editor.post('/orgs/from-reports')).json()).toEqual({ registered: 0 });
  });

  it('discovery reads the ledger: no "without organization" case for a covered entity, no pocket case for a registered member', async () => {
    const l = ledger(t.db);
    const covered = await l.entity({ place: S3, name: '已建组织公司' });
    const [registered, unregistered] = await l.members(covered, 2);
    const org = await editor.post('/orgs', {
      name: '已建组织公司党支部',
      kind: 'branch',
      setupMode: 'standalone',
      placeCode: S3,
      status: 'established',
      foundedOn: '2024-07-01',
      entityIds: [covered],
    });
    expect(org.statusCode).toBe(201);
    expect((await editor.post(`/orgs/${org.json().id}/members`, { memberId: registered })).statusCode).toBe(201);
    const bare = await l.entity({ place: S3, name: '未建组织公司' });
    await l.members(bare, 1);
    expect((await editor.post('/discovery/runs')).statusCode).toBe(202);
    await Promise.all(t.app.discoveryRuns);
    const cases = await t.db
      .selectFrom('discovery_case')
      .select(['kind', 'entity_id', 'member_id'])
      .where('entity_id', 'in', [covered, bare])
      .where('state', '<>', 'resolved')
      .execute(); // the open set (cases follow the facts)
    expect(cases.filter((c) => c.kind === 'entity_without_org').map((c) => c.entity_id)).toEqual([bare]);
    expect(cases.filter((c) => c.kind === 'pocket_member' && c.entity_id === covered).map((c) => c.member_id)).toEqual([
      unregistered,
    ]);
  });

  it('个体转企业: a 个体 whose keeper now represents the enterprise it became is no unit of its own in the proposals (its member is counted once, in the enterprise)', async () => {
    const l = ledger(t.db);
    await l.station('320102004', '北所');
    const shop = await l.entity({
      place: '320102004',
      name: '转企五金店',
      kind: 'individual',
      registeredOn: '2016-01-01',
    });
    const firm = await l.entity({ place: '320102004', name: '转企五金有限公司', registeredOn: '2026-05-01' });
    const [m] = await l.members(shop, 1);
    // The member keeps the 个体 and represents the enterprise: found in both.
    const role = await t.db
      .updateTable('entity_person')
      .set({ role: 'legal_rep' })
      .where('entity_id', '=', shop)
      .returning(['person_id', 'scope_key'])
      .executeTakeFirstOrThrow();
    const rep = await t.db
      .insertInto('entity_person')
      .values({ entity_id: firm, person_id: role.person_id, role: 'legal_rep', scope_key: role.scope_key })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.db
      .insertInto('member_link')
      .values({
        member_id: m,
        entity_person_id: rep.id,
        entity_id: firm,
        method: 'exact',
        score: 99,
        levels: null,
        scope_key: role.scope_key,
      })
      .execute();
    expect((await generate()).statusCode).toBe(200);
    const list = await proposals();
    expect(byEntity(list, shop)).toBeUndefined();
    expect(byEntity(list, firm)).toMatchObject({ fullMembers: 1 });
  });

  it('keeps Youth League organizations in the same ledger, with their members by ID number', async () => {
    const org = await editor.post('/orgs', {
      body: 'league',
      name: '某公司团支部',
      kind: 'branch',
      setupMode: 'standalone',
      placeCode: S1,
    });
    expect(org.statusCode).toBe(201);
    const bad = await editor.post(`/orgs/${org.json().id}/members`, {
      name: '团员甲',
      idNumber: `${LEAGUE_ID.slice(0, 17)}${LEAGUE_ID.endsWith('1') ? '2' : '1'}`,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('idNumber');
    expect(
      (await editor.post(`/orgs/${org.json().id}/members`, { name: '团员甲', idNumber: LEAGUE_ID })).statusCode,
    ).toBe(201);
    const list = (await editor.get('/orgs?body=league')).json();
    expect(list.items).toEqual([
      expect.objectContaining({ name: '某公司团支部', kindLabel: '团支部', memberCount: 1 }),
    ]);
    // League organizations do not count towards party organization coverage.
    expect((await editor.get(`/orgs/${org.json().id}`)).json().members[0].name).toBe('团员甲');
  });
});
