import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/domain/random.js';
import { localDate } from '../../src/domain/time/zone.js';
import { idNumber, uscc } from '../../src/demo/ledger.js';
import { BACKENDS } from '../helpers/db.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { ledger } from '../helpers/ledger.js';
import { valuesOf } from '../../src/domain/indicators/registry.js';
import { recomputeCounts } from '../../src/features/indicators/recompute.js';
import { csvFile, importFile, tmpDir } from '../helpers/imports.js';

type Client = Awaited<ReturnType<TestApp['signIn']>>;
const rnd = seededRandom(20217);
const A = '320102';
const S1 = '320102001';
const S2 = '320102002';
const DAY = 86_400_000;
const inDays = (n: number) => localDate(new Date(Date.now() + n * DAY));
const PLAN_TASK = '签收并回复任务：走访计划：待分配走访';

/**
 * An entity that comes to a station after its cases were raised or a visit plan named it — assigned
 * from the county's 待分配基层所 list, or moved to another station by hand — takes them along: the
 * station that now holds it sees its cases and is asked to visit it; the old station (not yet
 * having taken the plan's task) is asked no more.
 */
describe.each(BACKENDS)('an entity placed at or moved to another station on %s', (backend) => {
  let t: TestApp;
  let county: Client, s1: Client, s2: Client;
  let countyUser: number;
  let entity: number;
  let caseList: number[];
  const dir = tmpDir();
  beforeAll(async () => {
    t = await testApp(backend);
    const l = ledger(t.db);
    await l.station(S1);
    await l.station(S2);
    const u = await t.user({ roles: ['editor'], jurisdiction: A });
    countyUser = u.id;
    county = await t.signIn(u);
    s1 = await t.signIn(await t.user({ roles: ['station_staff'], jurisdiction: S1 }));
    s2 = await t.signIn(await t.user({ roles: ['station_staff'], jurisdiction: S2 }));
  });
  afterAll(() => t?.close());

  const status = async (p: Promise<{ statusCode: number; body: string }>, s: number) => {
    const res = await p;
    expect(res.statusCode, res.body).toBe(s);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- loose reads, as the other suites
    return res as unknown as { json(): Record<string, any>; body: string };
  };
  const caseIds = async (c: Client) =>
    (await status(c.get('/cases?pageSize=100'), 200)).json().items.map((x: { id: number }) => x.id);
  const tasks = async (c: Client) =>
    (await status(c.get('/workbench?kind=deployment'), 200))
      .json()
      .items.map((i: { title: string }) => i.title) as string[];

  it('a county entity assigned to a station: its cases and the running visit plan go to the station', async () => {
    const id = idNumber(rnd, A, new Date(1982, 3, 3));
    await importFile(
      t,
      'registry',
      csvFile(dir, 'r.csv', [
        {
          统一社会信用代码: uscc(rnd, 'individual', A),
          名称: '玄武区待分配小店',
          主体类型: '个体工商户',
          所属县区代码: A,
          经营者: '待分配',
          经营者身份证号: id,
        },
      ]),
      { id: countyUser, scopeKey: A },
    );
    await importFile(
      t,
      'roster',
      csvFile(dir, 'm.csv', [
        {
          姓名: '待分配',
          公民身份号码: id,
          党员类别: '正式党员',
          组织关系所在党组织: '某社区党支部',
          党员状态: '正常',
        },
      ]),
      { id: countyUser, scopeKey: A },
    );
    const e = await t.db
      .selectFrom('entity')
      .select(['id', 'station_code'])
      .where('name', '=', '玄武区待分配小店')
      .executeTakeFirstOrThrow();
    expect(e.station_code).toBe(null);
    const cases = await caseIds(county);
    expect(cases.length).toBeGreaterThan(0);
    // A visit plan naming it, while no station holds it: no station is asked yet.
    await status(
      county.post('/visit-plans', {
        title: '待分配走访',
        visitorName: '张三',
        startsOn: localDate(),
        endsOn: inDays(10),
        entityIds: [e.id],
      }),
      201,
    );
    expect(await caseIds(s1)).toEqual([]);
    expect(await tasks(s1)).toEqual([]);

    await status(
      county.post('/unassigned-entities/assign', { stationCode: S1, entityIds: [e.id], remember: false }),
      200,
    );
    expect(await caseIds(s1)).toEqual(cases);
    expect(await caseIds(county)).toEqual(cases);
    expect(await tasks(s1)).toEqual([PLAN_TASK]);
    entity = e.id;
    caseList = cases;
  });

  it('an entity moved to another station by hand: the plan’s task leaves the old station (not yet taken) for the new one', async () => {
    await status(county.patch(`/entities/${entity}`, { stationCode: S2 }), 200);
    expect(await tasks(s2)).toEqual([PLAN_TASK]);
    expect(await tasks(s1)).toEqual([]);
    expect(await caseIds(s2)).toEqual(caseList);
    expect(await caseIds(s1)).toEqual([]);
  });
  it('an entity moved with members found in it by a run or by staff and a 组建 work task: both follow it to the new station', async () => {
    const l = ledger(t.db);
    const e = await l.entity({ place: S1, kind: 'individual', name: '玄武区随迁小店' });
    const [m] = await l.members(e, 1);
    // Found by a discovery run's name match and confirmed by staff: links derived from no ID number.
    await t.db.updateTable('member_link').set({ method: 'staff' }).where('member_id', '=', m).execute();
    await t.db
      .insertInto('work_task')
      .values({ kind: 'assign_instructor', entity_id: e, proposal_id: null, scope_key: S1 })
      .execute();
    const found = async (c: Client, code: string) => {
      const f = (await status(c.get(`/dashboard?under=${code}`), 200)).json().figures;
      expect(f).toEqual(valuesOf(await recomputeCounts(t.db, code)));
      return f.membersFound as number;
    };
    const before = [await found(s1, S1), await found(s2, S2)];
    await status(county.patch(`/entities/${e}`, { stationCode: S2 }), 200);
    expect([await found(s1, S1), await found(s2, S2)]).toEqual([before[0] - 1, before[1] + 1]);
    const work = (await status(s2.get(`/entities/${e}/records`), 200)).json();
    expect(JSON.stringify(work)).toContain('选派党建工作指导员');
  });
  it('the county’s 待办 of entities awaiting a station counts the list it opens: the operating ones, not a 注销 one', async () => {
    const l = ledger(t.db);
    await l.entity({ place: A, name: '玄武区待分配甲' });
    await l.entity({ place: A, name: '玄武区已注销乙', active: false });
    const list = (await status(county.get('/unassigned-entities?countyCode=320102'), 200)).json();
    const item = (await status(county.get('/workbench?kind=import'), 200))
      .json()
      .items.find((i: { key: string }) => i.key === 'import:no-station');
    expect(list.items.map((e: { name: string }) => e.name)).toEqual(['玄武区待分配甲']);
    expect(item).toMatchObject({ count: list.total, link: '/entities/unassigned' });
    expect(list.counties).toEqual([expect.objectContaining({ code: A, unassigned: list.total })]);
  });
});
