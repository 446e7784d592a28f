import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/domain/random.js';
import { idNumber, uscc } from '../../src/demo/ledger.js';
import { BACKENDS } from '../helpers/db.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { csvFile, importFile, tmpDir } from '../helpers/imports.js';
import { ledger } from '../helpers/ledger.js';

/**
 * An entity a later registry extract says is 注销 or 吊销: the open work about it follows. Its
 * discovery cases close with the reason; the 组建建议 still open no longer counts it (a grouping
 * left with no unit goes); the 组建建议's tasks on it (指派指导员、查找党员) are done with; its
 * plaques are suspended and its honours flagged for the exit review, which is the 待办 that asks for
 * a person; an appeal about it stays open (somebody raised it and is owed an answer), saying so.
 */
type Client = Awaited<ReturnType<TestApp['signIn']>>;

const rnd = seededRandom(15015);
const COUNTY = '320102';
const STATION = '320102001';

describe.each(BACKENDS)('open work on an entity that is later 注销/吊销, on %s', (backend) => {
  let t: TestApp;
  let editor: Client;
  let staff: Client;
  let importer: { id: number; scopeKey: string };
  const dir = tmpDir();
  let files = 0;
  const names = ['亡甲便利店', '亡乙小吃店', '亡丙理发店'];
  const codes = names.map(() => uscc(rnd, 'individual', COUNTY));
  const ids = names.map((_, i) => idNumber(rnd, COUNTY, new Date(1975 + i, 2, 3)));

  const registry = (status: (i: number) => string, only = [0, 1, 2]) =>
    importFile(
      t,
      'registry',
      csvFile(
        dir,
        `r${++files}.csv`,
        only.map((i) => ({
          统一社会信用代码: codes[i],
          名称: names[i],
          主体类型: '个体工商户',
          所属县区代码: COUNTY,
          基层所代码: STATION,
          登记状态: status(i),
          经营者: `亡${i}号`,
          经营者身份证号: ids[i],
        })),
      ),
      importer,
    );
  const entityId = async (i: number) =>
    Number((await t.db.selectFrom('entity').select('id').where('uscc', '=', codes[i]).executeTakeFirstOrThrow()).id);
  const proposals = async (state = 'open') =>
    (await editor.get(`/org-proposals?pageSize=100&state=${state}`)).json().items as {
      id: number;
      mode: string;
      units: number;
      fullMembers: number;
      explanation: string;
      entities: { id: number; name: string }[];
    }[];

  beforeAll(async () => {
    t = await testApp(backend);
    await ledger(t.db).station(STATION, '亡所');
    const u = await t.user({ roles: ['editor'], jurisdiction: COUNTY });
    importer = { id: u.id, scopeKey: COUNTY };
    editor = await t.signIn(u);
    staff = await t.signIn(await t.user({ roles: ['station_staff'], jurisdiction: STATION }));
    await registry(() => '存续');
    await importFile(
      t,
      'roster',
      csvFile(
        dir,
        'roster.csv',
        names.map((_, i) => ({
          姓名: `亡${i}号`,
          公民身份号码: ids[i],
          党员类别: '正式党员',
          组织关系所在党组织: '外省某社区党支部',
          党员状态: '正常',
        })),
      ),
      importer,
    );
  });
  afterAll(() => t?.close());

  it('a later extract saying 注销: the open cases close, the open 组建建议 no longer counts the entity, its 建议 tasks end; 存续 again brings the cases back', async () => {
    const [e0, e1, e2] = await Promise.all([0, 1, 2].map(entityId));
    const openCases = async (e: number) =>
      ((await editor.get('/cases?pageSize=200')).json().items as { entityId: number; kind: string }[]).filter(
        (c) => c.entityId === e,
      );
    expect((await openCases(e0)).map((c) => c.kind).sort()).toEqual([
      'entity_without_org',
      'hidden_member',
      'pocket_member',
    ]);
    // The county asks for proposals: three individual businesses of one station, one member each.
    expect((await editor.post('/org-proposals/generate')).statusCode).toBe(200);
    const before = (await proposals()).filter((p) => p.entities.some((x) => [e0, e1, e2].includes(x.id)));
    expect(before.length).toBeGreaterThan(0);
    // One station-based joint branch of the three (each alone is short of 3 full members).
    const holding = before.find((p) => p.entities.some((x) => x.id === e0))!;
    expect(holding).toMatchObject({ mode: 'station', units: 3, fullMembers: 3 });

    // A work-coverage proposal accepted earlier left tasks on e0 (as adopting a 'work' proposal writes them).
    const scope = (await t.db.selectFrom('entity').select('scope_key').where('id', '=', e0).executeTakeFirstOrThrow())
      .scope_key;
    await t.db
      .insertInto('work_task')
      .values([
        { kind: 'assign_instructor', entity_id: e0, scope_key: scope },
        { kind: 'find_members', entity_id: e0, scope_key: scope },
      ])
      .execute();

    // A visit to e0 raised a problem, routed to the county's business line and not yet handled.
    const visit = await staff.post('/visits', {
      entityId: e0,
      visitedOn: '2026-11-05',
      visitorName: '李四',
      learned: '店主反映电子秤检定难',
      problems: [{ line: 'metrology', content: '电子秤检定要跑很远，希望上门检定' }],
    });
    expect(visit.statusCode, visit.body).toBe(201);
    const [appealId] = visit.json().caseIds as number[];

    const r = await registry((i) => (i === 0 ? '注销' : '存续'), [0]);
    expect(r.rejections).toEqual([]);
    expect(
      (await t.db.selectFrom('entity').select('status').where('id', '=', e0).executeTakeFirstOrThrow()).status,
    ).toBe('deregistered');
    // Discovery cases: closed, saying why.
    expect(await openCases(e0)).toEqual([]);
    // The open proposals no longer hold it; the one that did is re-totalled and says why (or gone, left empty).
    const after = await proposals();
    expect(after.flatMap((p) => p.entities.map((x) => x.id))).not.toContain(e0);
    const still = after.find((p) => p.id === holding.id);
    expect(still).toMatchObject({ units: holding.units - 1, fullMembers: holding.fullMembers - 1 });
    expect(still!.explanation).toContain(`（亡甲便利店已注销，已移出本建议：现 ${holding.units - 1} 家单位`);
    // The 建议 tasks on it are cancelled, saying why (not "done": nobody did them); the entity page says so.
    const tasks = await t.db
      .selectFrom('work_task')
      .select(['state', 'closed_reason'])
      .where('entity_id', '=', e0)
      .execute();
    expect(tasks).toEqual([
      { state: 'cancelled', closed_reason: '亡甲便利店已注销' },
      { state: 'cancelled', closed_reason: '亡甲便利店已注销' },
    ]);
    const page = (await editor.get(`/entities/${e0}/records`)).json();
    expect(page.tasks.filter((x: { state: string }) => x.state === '已撤销')).toHaveLength(2);
    // The appeal stays open (somebody raised it and is owed an answer); whoever handles it sees the business is gone.
    expect((await editor.get(`/appeals/${appealId}`)).json()).toMatchObject({
      state: 'routed',
      entityName: '亡甲便利店（已注销）',
    });
    // Plaques and honours are the exit review's: that is the 待办 asking a person about it.
    const todo = (await staff.get('/workbench')).json().items.map((i: { key: string }) => i.key);
    expect(todo).toContain('exit:open');

    // A later extract says 存续 again (the 注销 was a mistake): cases are raised again, the tasks reopen;
    // the proposals come back when the county generates them again.
    await registry(() => '存续', [0]);
    expect((await openCases(e0)).map((c) => c.kind).sort()).toEqual([
      'entity_without_org',
      'hidden_member',
      'pocket_member',
    ]);
    expect(
      (await t.db.selectFrom('work_task').select('state').where('entity_id', '=', e0).execute()).map((x) => x.state),
    ).toEqual(['open', 'open']);
    // Generated a minute ago: the account's window (once a minute, round 15) is cleared, not waited out.
    await t.db.deleteFrom('account_window').where('kind', '=', 'proposals').execute();
    expect((await editor.post('/org-proposals/generate')).statusCode).toBe(200);
    expect((await proposals()).flatMap((p) => p.entities.map((x) => x.id))).toContain(e0);
  });

  it('a 个体工商户 turned enterprise (转企业: a new USCC, the same operator, the old one 注销 in the same extract): the cases move to the new entity, one of each, none on the old', async () => {
    const id = idNumber(rnd, COUNTY, new Date(1979, 4, 5));
    const [old, fresh] = [uscc(rnd, 'individual', COUNTY), uscc(rnd, 'enterprise', COUNTY)];
    const row = (code: string, name: string, kind: string, status: string) => ({
      统一社会信用代码: code,
      名称: name,
      主体类型: kind,
      所属县区代码: COUNTY,
      基层所代码: STATION,
      登记状态: status,
      经营者: '转企人',
      经营者身份证号: id,
    });
    await importFile(
      t,
      'registry',
      csvFile(dir, `r${++files}.csv`, [row(old, '转企面馆', '个体工商户', '存续')]),
      importer,
    );
    await importFile(
      t,
      'roster',
      csvFile(dir, `m${++files}.csv`, [
        {
          姓名: '转企人',
          公民身份号码: id,
          党员类别: '正式党员',
          组织关系所在党组织: '外省某社区党支部',
          党员状态: '正常',
        },
      ]),
      importer,
    );
    const cases = async () =>
      (
        await t.db
          .selectFrom('discovery_case as d')
          .innerJoin('entity as e', 'e.id', 'd.entity_id')
          .select(['e.name', 'd.kind'])
          .where('d.state', 'in', ['open', 'contacted'])
          .where('e.name', 'like', '转企%')
          .execute()
      )
        .map((c) => `${c.name}:${c.kind}`)
        .sort();
    expect(await cases()).toEqual(['转企面馆:entity_without_org', '转企面馆:hidden_member', '转企面馆:pocket_member']);
    await importFile(
      t,
      'registry',
      csvFile(dir, `r${++files}.csv`, [
        row(old, '转企面馆', '个体工商户', '注销'),
        row(fresh, '转企餐饮管理有限公司', '有限责任公司(自然人独资)', '存续'),
      ]),
      importer,
    );
    expect(await cases()).toEqual([
      '转企餐饮管理有限公司:entity_without_org',
      '转企餐饮管理有限公司:hidden_member',
      '转企餐饮管理有限公司:pocket_member',
    ]);
  });
});
