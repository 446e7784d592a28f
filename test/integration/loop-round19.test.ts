import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/domain/random.js';
import { localDate } from '../../src/domain/time/zone.js';
import { idNumber, uscc } from '../../src/demo/ledger.js';
import { valuesOf } from '../../src/domain/indicators/registry.js';
import { recomputeCounts } from '../../src/features/indicators/recompute.js';
import { BACKENDS } from '../helpers/db.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { ledger } from '../helpers/ledger.js';
import { csvFile, importFile, tmpDir } from '../helpers/imports.js';

type Client = Awaited<ReturnType<TestApp['signIn']>>;
const rnd = seededRandom(1919);
const A = '320102';
const B = '320104';
const S1 = '320102001';
const S2 = '320102002';
const FIGURES = ['orgsEstablished', 'contactPoints', 'assignmentsInForce'] as const;
let ips = 0;
type Figures = Record<(typeof FIGURES)[number], number>;

/**
 * Round 19: the records follow later facts. An organization formed by the entity alone (单独建)
 * follows it to its new station within the county; an instructor's assignment to an entity that
 * stops operating ends on that day with the reason, and comes back if a later extract undoes it.
 */
describe.each(BACKENDS)('records that follow later facts on %s', (backend) => {
  let t: TestApp;
  let county: Client, s1: Client, s2: Client, countyB: Client;
  let city: { id: number; scopeKey: string };
  const dir = tmpDir();
  const keyOf = async (code: string) =>
    (await t.db.selectFrom('jurisdiction').select('scope_key').where('code', '=', code).executeTakeFirstOrThrow())
      .scope_key;

  beforeAll(async () => {
    t = await testApp(backend);
    const l = ledger(t.db);
    await l.station(S1);
    await l.station(S2);
    county = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: A }));
    s1 = await t.signIn(await t.user({ roles: ['station_staff'], jurisdiction: S1 }));
    s2 = await t.signIn(await t.user({ roles: ['station_staff'], jurisdiction: S2 }));
    countyB = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: B }));
    const c = await t.user({ roles: ['editor'], jurisdiction: '320100' });
    city = { id: c.id, scopeKey: await keyOf('320100') };
  });
  afterAll(() => t?.close());

  const ok = async (p: Promise<{ statusCode: number; body: string }>) => {
    const res = await p;
    expect([200, 201], res.body).toContain(res.statusCode);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- loose reads, as the other suites
    return res as unknown as { json(): Record<string, any> };
  };
  /** The figures a user reads on the dashboard for their node, checked against a count from the ledger. */
  const figures = async (c: Client, code: string): Promise<Figures> => {
    const f = (await ok(c.get(`/dashboard?under=${code}`))).json().figures;
    expect(f).toEqual(valuesOf(await recomputeCounts(t.db, await keyOf(code))));
    return Object.fromEntries(FIGURES.map((k) => [k, f[k] as number])) as Figures;
  };
  const plus = (f: Figures, n: number): Figures => Object.fromEntries(FIGURES.map((k) => [k, f[k] + n])) as Figures;
  const orgNames = async (c: Client) =>
    (await ok(c.get('/orgs?pageSize=100'))).json().items.map((o: { name: string }) => o.name) as string[];

  /** An entity at S1, imported (a later extract can move it), with 3 members found in it. */
  async function importedEntity(name: string) {
    const code = uscc(rnd, 'enterprise', A);
    const row = {
      统一社会信用代码: code,
      名称: name,
      主体类型: '有限责任公司(自然人投资或控股)',
      所属县区代码: A,
      基层所代码: S1,
    };
    expect((await importFile(t, 'registry', csvFile(dir, `${name}.csv`, [row]), city)).rejections).toEqual([]);
    const e = await t.db.selectFrom('entity').select('id').where('uscc', '=', code).executeTakeFirstOrThrow();
    return { id: e.id, row };
  }

  /** An established organization at S1 covering the entities, with the entity's members registered, a secretary, a 联系点 and a county instructor. */
  async function orgOf(name: string, mode: 'standalone' | 'joint', entityIds: number[], members: number[]) {
    const l = ledger(t.db);
    const org = await t.db
      .insertInto('party_org')
      .values({
        name,
        kind: mode === 'joint' ? 'joint_branch' : 'branch',
        setup_mode: mode,
        status: 'established',
        founded_on: '2021-07-01',
        ...l.placeOf(S1),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.db
      .insertInto('party_org_entity')
      .values(entityIds.map((entity_id) => ({ org_id: org.id, entity_id, scope_key: S1 })))
      .execute();
    for (const m of members) {
      const { person_id } = await t.db
        .selectFrom('member')
        .select('person_id')
        .where('id', '=', m)
        .executeTakeFirstOrThrow();
      await ok(county.post(`/orgs/${org.id}/members`, { memberId: m, joinedOn: '2021-07-01' }));
      if (m === members[0])
        await ok(
          county.post(`/orgs/${org.id}/officers`, { personId: person_id, role: 'secretary', termStart: localDate() }),
        );
    }
    await t.db
      .insertInto('recognition_point')
      .values({
        kind: 'contact',
        level: 'county',
        subject_type: 'org',
        org_id: org.id,
        subject_name: name,
        designated_on: '2024-03-01',
        responsible_name: '王局',
        scope_key: S1,
      })
      .execute();
    await t.db
      .insertInto('instructor_assignment')
      .values({
        instructor_id: await l.instructor(A),
        target: 'org',
        org_id: org.id,
        start_on: '2024-01-01',
        scope_key: S1,
      })
      .execute();
    return org.id;
  }

  it('an entity’s own branch (单独建) follows it to its new station: the new station holds it with its members, secretary, 联系点 and instructor; the old one no longer counts it', async () => {
    const e = await importedEntity('玄武区自建支部随迁公司');
    const members = await ledger(t.db).members(e.id, 3);
    const org = await orgOf('玄武区自建支部随迁公司党支部', 'standalone', [e.id], members);
    const before = [await figures(s1, S1), await figures(s2, S2), await figures(county, A)];
    const feedFrom = String(
      (
        await t.db
          .selectFrom('change_log')
          .select((x) => x.fn.max('seq').as('seq'))
          .executeTakeFirstOrThrow()
      ).seq ?? 0,
    );
    await ok(county.patch(`/entities/${e.id}`, { stationCode: S2 }));

    expect(await orgNames(s2)).toContain('玄武区自建支部随迁公司党支部');
    expect(await orgNames(s1)).not.toContain('玄武区自建支部随迁公司党支部');
    const detail = (await ok(s2.get(`/orgs/${org}`))).json();
    expect(detail).toMatchObject({ stationCode: S2, countyCode: A });
    expect(detail.entities.map((x: { id: number }) => x.id)).toEqual([e.id]);
    expect(detail.members).toHaveLength(3);
    expect(detail.officers).toEqual([expect.objectContaining({ role: 'secretary' })]);
    expect((await ok(s2.get('/points?subjectType=org'))).json().items).toEqual([
      expect.objectContaining({ subjectName: '玄武区自建支部随迁公司党支部', status: 'active' }),
    ]);
    expect([await figures(s1, S1), await figures(s2, S2), await figures(county, A)]).toEqual([
      plus(before[0], -1),
      plus(before[1], 1),
      before[2],
    ]);
    // The move's audit line names the organization that went along.
    const audit = await t.db
      .selectFrom('audit_log')
      .select('detail')
      .where('action', '=', 'entity.update')
      .where('object_id', '=', String(e.id))
      .executeTakeFirstOrThrow();
    expect(audit.detail).toMatchObject({ orgsMoved: [org] });
    // The change feed tells the old station's subtree the organization left and the new one that it came.
    const feed = await t.db
      .selectFrom('change_log')
      .select(['op', 'scope_key'])
      .where('kind', '=', 'organization')
      .where('object_id', '=', org)
      .where('seq', '>', feedFrom)
      .execute();
    expect(feed).toEqual(
      expect.arrayContaining([
        { op: 'moved_out', scope_key: S1 },
        { op: 'update', scope_key: S2 },
      ]),
    );
  });

  it('a joint branch (联合建) covering the moved entity and another stays with its station, as the county’s organization does', async () => {
    const l = ledger(t.db);
    const e = await importedEntity('玄武区联建随迁商行');
    const other = await l.entity({ place: S1, name: '玄武区联建留守商行' });
    const org = await orgOf('玄武区联建商行联合党支部', 'joint', [e.id, other], []);
    await ok(county.patch(`/entities/${e.id}`, { stationCode: S2 }));
    expect(await orgNames(s1)).toContain('玄武区联建商行联合党支部');
    expect((await ok(s1.get(`/orgs/${org}`))).json()).toMatchObject({ stationCode: S1 });
  });

  it('re-registered in another county: its own branch stays with the county whose 小个专党委 it belongs to (a move across counties is the party committees’ 隶属关系 decision, not a registry fact)', async () => {
    const e = await importedEntity('玄武区自建支部迁出公司');
    const org = await orgOf('玄武区自建支部迁出公司党支部', 'standalone', [e.id], []);
    const moved = await importFile(
      t,
      'registry',
      csvFile(dir, 'out.csv', [{ ...e.row, 所属县区代码: B, 基层所代码: '' }]),
      city,
    );
    expect(moved.rejections).toEqual([]);
    expect(await orgNames(s1)).toContain('玄武区自建支部迁出公司党支部');
    expect(await orgNames(countyB)).not.toContain('玄武区自建支部迁出公司党支部');
    expect((await ok(s1.get(`/orgs/${org}`))).json()).toMatchObject({ stationCode: S1, countyCode: A });
  });
  it('an instructor’s assignment to an entity a later extract says 注销 ends that day with the reason; 存续 again puts it back in force, but not one ended by hand', async () => {
    const l = ledger(t.db);
    const e = await importedEntity('玄武区注销指导公司');
    const instructor = await l.instructor(A);
    const assign = async (endOn: string | null, endReason: string | null) =>
      (
        await t.db
          .insertInto('instructor_assignment')
          .values({
            instructor_id: instructor,
            target: 'entity',
            entity_id: e.id,
            start_on: '2025-01-01',
            end_on: endOn,
            end_reason: endReason,
            scope_key: S1,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    const inForce = await assign(null, null);
    const byHand = await assign('2025-06-30', '指导期满');
    const ended = async () =>
      t.db
        .selectFrom('instructor_assignment')
        .select(['id', 'end_on', 'end_reason'])
        .where('entity_id', '=', e.id)
        .orderBy('id')
        .execute();
    const extract = async (status: string) =>
      expect(
        (await importFile(t, 'registry', csvFile(dir, `${status}.csv`, [{ ...e.row, 登记状态: status }]), city))
          .rejections,
      ).toEqual([]);
    const before = [await figures(s1, S1), await figures(county, A)];

    await extract('注销');
    const today = localDate();
    expect(await ended()).toEqual([
      { id: inForce, end_on: today, end_reason: '主体已注销' },
      { id: byHand, end_on: '2025-06-30', end_reason: '指导期满' },
    ]);
    expect([await figures(s1, S1), await figures(county, A)]).toEqual([
      { ...before[0], assignmentsInForce: before[0].assignmentsInForce - 1 },
      { ...before[1], assignmentsInForce: before[1].assignmentsInForce - 1 },
    ]);
    // The instructor's page says when and why.
    expect((await ok(county.get(`/instructors/${instructor}`))).json().assignmentList).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: inForce, endOn: today, endReason: '主体已注销' })]),
    );

    await extract('存续');
    expect(await ended()).toEqual([
      { id: inForce, end_on: null, end_reason: null },
      { id: byHand, end_on: '2025-06-30', end_reason: '指导期满' },
    ]);
    expect([await figures(s1, S1), await figures(county, A)]).toEqual(before);
  });
  it('a member the roster says died or whose membership stopped: their 三亮 record is withdrawn and the plaque revoked with the reason (the public page no longer says 共产党员经营户); back on the roll, both return; 已转出 changes nothing', async () => {
    const id = idNumber(rnd, A, new Date(1979, 4, 6));
    const row = {
      统一社会信用代码: uscc(rnd, 'individual', A),
      名称: '玄武区亮牌小吃店',
      主体类型: '个体工商户',
      所属县区代码: A,
      基层所代码: S1,
      '法定代表人/经营者': '亮牌人',
      '法定代表人/经营者身份证号': id,
    };
    expect((await importFile(t, 'registry', csvFile(dir, 'shown.csv', [row]), city)).rejections).toEqual([]);
    const roster = async (status: string, out = '') =>
      expect(
        (
          await importFile(
            t,
            'roster',
            csvFile(dir, `roster-${++ips}.csv`, [
              {
                姓名: '亮牌人',
                公民身份号码: id,
                党员类别: '正式党员',
                组织关系所在党组织: '玄武区某社区党支部',
                党员状态: status,
                转出日期: out,
              },
            ]),
            city,
          )
        ).rejections,
      ).toEqual([]);
    await roster('正常');
    const { id: e } = await t.db
      .selectFrom('entity')
      .select('id')
      .where('uscc', '=', row.统一社会信用代码)
      .executeTakeFirstOrThrow();
    const { member_id: member } = await t.db
      .selectFrom('member_link')
      .select('member_id')
      .where('entity_id', '=', e)
      .executeTakeFirstOrThrow();
    const record = await ok(
      county.post('/sanliang', {
        kind: 'member_operator',
        memberId: member,
        entityId: e,
        duties: '亮职责：守法经营、诚实守信、明码标价',
        commitment: '本人承诺：不售假货，不缺斤短两，接受群众监督',
        shownOn: '2026-03-01',
      }),
    );
    const recordId = record.json().id as number;
    const plaqueId = (await ok(s1.post(`/sanliang/${recordId}/plaques`))).json().id as number;
    const { public_token: token } = await t.db
      .selectFrom('sanliang_plaque')
      .select('public_token')
      .where('id', '=', plaqueId)
      .executeTakeFirstOrThrow();
    const verdict = async () => {
      const res = await t.app.inject({
        method: 'GET',
        url: `/api/v1/public/plaques/${token}`,
        remoteAddress: `198.51.100.${++ips}`,
      });
      expect(res.statusCode, res.body).toBe(200);
      return res.json().verdict as string;
    };
    const state = async () => ({
      record: await t.db
        .selectFrom('sanliang')
        .select(['status', 'withdrawn_on', 'withdraw_reason'])
        .where('id', '=', recordId)
        .executeTakeFirstOrThrow(),
      plaque: await t.db
        .selectFrom('sanliang_plaque')
        .select(['state', 'revoked_on', 'revoke_reason'])
        .where('id', '=', plaqueId)
        .executeTakeFirstOrThrow(),
    });
    const counted = async () => {
      const f = (await ok(s1.get(`/dashboard?under=${S1}`))).json().figures;
      expect(f).toEqual(valuesOf(await recomputeCounts(t.db, S1)));
      return { participants: f.sanliangParticipants as number, plaques: f.validPlaques as number };
    };
    const before = await counted();
    const shown = await state();
    expect(await verdict()).toBe('valid');

    await roster('正常', '2026-09-01');
    expect(
      (await t.db.selectFrom('member').select('member_status').where('id', '=', member).executeTakeFirstOrThrow())
        .member_status,
    ).toBe('transferred_out');
    expect(await state()).toEqual(shown);
    await roster('正常');

    const today = localDate();
    for (const [s, reason] of [
      ['去世', '党员已去世'],
      ['停止党籍', '党员已停止党籍'],
    ]) {
      await roster(s);
      expect(await state()).toEqual({
        record: { status: 'withdrawn', withdrawn_on: today, withdraw_reason: reason },
        plaque: { state: 'revoked', revoked_on: today, revoke_reason: reason },
      });
      expect(await verdict()).toBe('revoked');
      expect(await counted()).toEqual({ participants: before.participants - 1, plaques: before.plaques - 1 });
      await roster('正常');
      expect(await state()).toEqual(shown);
      expect(await verdict()).toBe('valid');
      expect(await counted()).toEqual(before);
    }
  });
});
