import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DEADLINES } from '../../src/domain/cases/engine.js';
import { FORMS, periodOfDate } from '../../src/domain/reports/forms.js';
import { localDate } from '../../src/domain/time/zone.js';
import { runEscalation } from '../../src/features/appeals/engine.js';
import { runNotificationSweep } from '../../src/features/workbench/index.js';
import { BACKENDS } from '../helpers/db.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { ledger } from '../helpers/ledger.js';
import { PDF, upload } from '../helpers/attachments.js';
import { csvFile, importFile, tmpDir } from '../helpers/imports.js';
import { seededRandom } from '../../src/domain/random.js';
import { uscc } from '../../src/demo/ledger.js';

const CITY = '320100';
const A = '320102';
const B = '320104';
const A1 = '320102001';
const A2 = '320102002';
const DAY = 86_400_000;
type Client = Awaited<ReturnType<TestApp['signIn']>>;
type Item = { key: string; kind: string; title: string; link: string };
const today = () => localDate();
const inDays = (n: number) => new Date(Date.now() + n * DAY + 8 * 3600_000).toISOString().slice(0, 10);

/**
 * Deployed work already kept in a ledger reaches the nodes it names as a task, the record being its
 * body (no second entry): visit plans, assistance programs, campaigns, report periods, assessment
 * years. Changes follow the record; cancelling closes the task. And the bell rings for what the
 * issue names (reports up and down, cases routed and escalated, new discovery cases, flagged
 * honours, imports needing attention), through the one Notifier seam.
 */
describe.each(BACKENDS)('ledger records deployed as tasks on %s', (backend) => {
  let t: TestApp;
  let city: Client, county: Client, countyB: Client, station: Client, sibling: Client;
  let ids: { city: number; county: number; station: number; sibling: number };
  let l: ReturnType<typeof ledger>;
  let e1: number, e2: number;

  beforeAll(async () => {
    t = await testApp(backend);
    l = ledger(t.db);
    await l.station(A1);
    await l.station(A2);
    e1 = await l.entity({ place: A1 });
    e2 = await l.entity({ place: A2 });
    const u = {
      city: await t.user({ roles: ['editor'], jurisdiction: CITY }),
      county: await t.user({ roles: ['editor'], jurisdiction: A }),
      station: await t.user({ roles: ['station_staff'], jurisdiction: A1 }),
      sibling: await t.user({ roles: ['station_staff'], jurisdiction: A2 }),
    };
    ids = { city: u.city.id, county: u.county.id, station: u.station.id, sibling: u.sibling.id };
    [city, county, station, sibling] = await Promise.all([
      t.signIn(u.city),
      t.signIn(u.county),
      t.signIn(u.station),
      t.signIn(u.sibling),
    ]);
    countyB = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: B }));
  });
  afterAll(() => t?.close());

  const status = async (p: Promise<{ statusCode: number; body: string }>, s: number) => {
    const res = await p;
    expect(res.statusCode, res.body).toBe(s);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests read response bodies loosely, as the other suites do
    return res as unknown as { json(): Record<string, any>; body: string };
  };
  const tasks = async (c: Client): Promise<Item[]> =>
    (await status(c.get('/workbench?kind=deployment'), 200)).json().items;
  const deploymentOf = (source: string, key: string) =>
    t.db
      .selectFrom('deployment')
      .select(['id', 'title', 'body', 'closed_at', 'due_at'])
      .where('source_type', '=', source as never)
      .where('source_key', '=', key)
      .execute();
  const targetsOf = async (id: number) =>
    await t.db
      .selectFrom('deployment_target')
      .select(['node_code', 'state', 'reply_links'])
      .where('deployment_id', '=', id)
      .orderBy('node_code')
      .execute();
  const kindsOf = async (userId: number) =>
    (await t.db.selectFrom('notification').select('kind').where('user_id', '=', userId).orderBy('id').execute()).map(
      (n) => n.kind,
    );

  it('a visit plan reaches the stations of its entities; a station records its visits against it and links them; cancelling closes it', async () => {
    const plan = (
      await status(
        county.post('/visit-plans', {
          title: '春季走访',
          visitorName: '张三',
          startsOn: today(),
          endsOn: inDays(10),
          entityIds: [e1, e2],
        }),
        201,
      )
    ).json().id;
    const [d] = await deploymentOf('visit_plan', String(plan));
    expect(d.title).toBe('走访计划：春季走访');
    expect(d.body).toContain('走访人 张三');
    expect((await targetsOf(d.id)).map((x) => x.node_code)).toEqual([A1, A2]);
    // A plan for one station's entity reaches that station only; its sibling sees neither the task nor the plan.
    const narrow = (
      await status(
        county.post('/visit-plans', {
          title: '专项走访',
          visitorName: '李四',
          startsOn: today(),
          endsOn: inDays(10),
          entityIds: [e1],
        }),
        201,
      )
    ).json().id;
    const [dn] = await deploymentOf('visit_plan', String(narrow));
    expect((await targetsOf(dn.id)).map((x) => x.node_code)).toEqual([A1]);
    expect((await tasks(station)).map((i) => i.title)).toEqual(
      expect.arrayContaining(['签收并回复任务：走访计划：春季走访', '签收并回复任务：走访计划：专项走访']),
    );
    expect((await tasks(sibling)).map((i) => i.title)).toEqual(['签收并回复任务：走访计划：春季走访']);
    const plansOf = async (c: Client) =>
      (await status(c.get('/visit-plans'), 200)).json().items.map((p: { id: number }) => p.id);
    expect(await plansOf(station)).toEqual(expect.arrayContaining([plan, narrow]));
    expect(await plansOf(sibling)).toEqual([plan]);

    // The task links to the plan, and the station does the work in the ledger, then links it (nothing re-keyed, no photo asked).
    const detail = (await status(station.get(`/deployments/${d.id}`), 200)).json();
    expect(detail.source).toEqual({ type: 'visit_plan', label: '走访计划', path: `/appeals?tab=visits&plan=${plan}` });
    expect(detail.evidence).toContain('不要求照片');
    const visit = (
      await status(
        station.post('/visits', {
          planId: plan,
          entityId: e1,
          visitedOn: today(),
          visitorName: '张三',
          learned: '经营正常，有 2 名党员',
        }),
        201,
      )
    ).json().id;
    await status(
      station.post(`/deployment-targets/${detail.own.id}/reply`, {
        text: '已走访',
        links: [{ kind: 'visit', id: visit }],
      }),
      200,
    );
    expect((await tasks(station)).map((i) => i.title)).toEqual(['签收并回复任务：走访计划：专项走访']);
    // An ordinary notice sits beside the ledger's tasks.
    await status(
      county.post('/deployments', { kind: 'notice', title: '学习通知', body: '请学习', targets: [A1] }),
      201,
    );
    expect((await tasks(station)).map((i) => i.title).sort()).toEqual(
      ['签收并回复任务：走访计划：专项走访', '签收通知：学习通知'].sort(),
    );
    expect((await status(county.get(`/deployments/${d.id}/board`), 200)).json().counts).toMatchObject({
      total: 2,
      done: 1,
      pending: 1,
    });

    // Cancelled: the task closes, leaves the lists, takes no reply; the open station is told.
    await status(county.post(`/visit-plans/${plan}/cancel`, { reason: '与专项检查合并' }), 204);
    await status(county.post(`/visit-plans/${plan}/cancel`, { reason: '再次取消' }), 204); // idempotent
    expect((await deploymentOf('visit_plan', String(plan)))[0].closed_at).not.toBeNull();
    // The list says so, with the first reason (the page shows 已撤销 and it).
    expect(
      (await status(county.get('/visit-plans'), 200)).json().items.find((x: { id: number }) => x.id === plan),
    ).toMatchObject({ cancelled: true, cancelReason: '与专项检查合并' });
    expect(await tasks(sibling)).toEqual([]);
    const siblingOwn = (await status(sibling.get(`/deployments/${d.id}`), 200)).json();
    expect(siblingOwn.closedReason).toBe('走访计划已取消：与专项检查合并');
    const late = await sibling.post(`/deployment-targets/${siblingOwn.own.id}/reply`, { text: '已走访' });
    expect(late.statusCode).toBe(409);
    expect(late.json().detail).toContain('任务已撤销');
    expect(await kindsOf(ids.sibling)).toEqual(['deployment.task', 'deployment.close']);
    // A station cannot cancel the county's plan.
    expect((await station.post(`/visit-plans/${narrow}/cancel`, { reason: 'x' })).statusCode).toBe(403);
  });

  it('a visit plan follows its entities: one 注销/吊销 before its visit is "无需走访", out of the count and of the 待办 of a station left with nothing to visit; back to 存续, asked again', async () => {
    const rnd = seededRandom(16016);
    const dir = tmpDir();
    let files = 0;
    const names = ['访甲小吃店', '访乙理发店', '访丙五金店', '访丁便利店'];
    const places = [A1, A1, A2, A1];
    const codes = names.map(() => uscc(rnd, 'individual', A));
    const extract = (status: (i: number) => string, only = [0, 1, 2, 3]) =>
      importFile(
        t,
        'registry',
        csvFile(
          dir,
          `v${++files}.csv`,
          only.map((i) => ({
            统一社会信用代码: codes[i],
            名称: names[i],
            主体类型: '个体工商户',
            所属县区代码: A,
            基层所代码: places[i],
            登记状态: status(i),
            经营者: `访${i}号`,
          })),
        ),
        { id: ids.county, scopeKey: A },
      );
    await extract(() => '存续');
    const entity = await Promise.all(
      codes.map(async (c) =>
        Number((await t.db.selectFrom('entity').select('id').where('uscc', '=', c).executeTakeFirstOrThrow()).id),
      ),
    );
    const plan = (
      await status(
        county.post('/visit-plans', {
          title: '冬季走访',
          visitorName: '王五',
          startsOn: today(),
          endsOn: inDays(20),
          entityIds: entity,
        }),
        201,
      )
    ).json().id;
    const [d] = await deploymentOf('visit_plan', String(plan));
    expect((await targetsOf(d.id)).map((x) => x.node_code)).toEqual([A1, A2]);
    // The fourth is visited, then 注销; the first is 吊销 and the third (the only one at A2) 注销 before anyone went.
    await status(
      station.post('/visits', {
        planId: plan,
        entityId: entity[3],
        visitedOn: today(),
        visitorName: '王五',
        learned: '准备歇业',
      }),
      201,
    );
    await extract((i) => (i === 0 ? '吊销' : '注销'), [0, 2, 3]);
    const planRow = async () =>
      (await status(county.get('/visit-plans?pageSize=100'), 200))
        .json()
        .items.find((p: { id: number }) => p.id === plan);
    expect(await planRow()).toMatchObject({
      entities: 2,
      visited: 1,
      noVisit: [
        { entityId: entity[0], name: '访甲小吃店', note: '已吊销，无需走访' },
        { entityId: entity[2], name: '访丙五金店', note: '已注销，无需走访' },
      ],
    });
    // A2 had only the 注销 one: it is asked for nothing; A1 reads the count without the gone.
    expect((await targetsOf(d.id)).map((x) => x.node_code)).toEqual([A1]);
    const [after] = await deploymentOf('visit_plan', String(plan));
    expect(after.body).toContain('共走访 2 户市场主体');
    expect(after.body).toContain('另有 2 户已注销、吊销或迁出，无需走访');
    expect((await tasks(sibling)).map((i) => i.title)).not.toContain('签收并回复任务：走访计划：冬季走访');
    expect((await tasks(station)).map((i) => i.title)).toContain('签收并回复任务：走访计划：冬季走访');
    // Back to 存续 (an edit): the plan counts it again, and its station is asked again.
    await status(county.patch(`/entities/${entity[2]}`, { status: 'active' }), 200);
    expect(await planRow()).toMatchObject({ entities: 3, visited: 1, noVisit: [{ entityId: entity[0] }] });
    expect((await targetsOf(d.id)).map((x) => x.node_code)).toEqual([A1, A2]);
    expect((await tasks(sibling)).map((i) => i.title)).toContain('签收并回复任务：走访计划：冬季走访');
  });

  it('an assistance program and a campaign reach the nodes below; changes follow the record (one task); cancelling closes it', async () => {
    const p = (
      await status(
        county.post('/assistance/programs', {
          name: '提质强企',
          businessLine: 'quality',
          startsOn: today(),
          endsOn: inDays(60),
        }),
        201,
      )
    ).json().id;
    let [d] = await deploymentOf('assistance_program', String(p));
    expect((await targetsOf(d.id)).map((x) => x.node_code)).toEqual([A1, A2]);
    await status(county.patch(`/assistance/programs/${p}`, { name: '提质强企行动', endsOn: inDays(90) }), 200);
    const again = await deploymentOf('assistance_program', String(p));
    expect(again).toHaveLength(1);
    [d] = again;
    expect(d.title).toBe('帮扶项目：提质强企行动');
    expect(new Date(d.due_at!).toISOString().slice(0, 10)).toBe(
      new Date(`${inDays(90)}T23:59:59+08:00`).toISOString().slice(0, 10),
    );
    expect(await kindsOf(ids.station)).toContain('deployment.update');
    expect((await tasks(station)).map((i) => i.title)).toContain('签收并回复任务：帮扶项目：提质强企行动');
    // A station may not change or cancel the county's program.
    expect((await station.post(`/assistance/programs/${p}/cancel`, { reason: 'x' })).statusCode).toBe(403);
    await status(county.post(`/assistance/programs/${p}/cancel`, { reason: '并入年度计划' }), 204);
    expect((await tasks(station)).map((i) => i.title)).not.toContain('签收并回复任务：帮扶项目：提质强企行动');
    expect(
      (await status(county.get('/assistance/programs'), 200)).json().items.find((x: { id: number }) => x.id === p),
    ).toMatchObject({ cancelled: true, cancelReason: '并入年度计划' });
    expect((await status(county.get(`/assistance/programs/${p}`), 200)).json()).toMatchObject({
      cancelled: true,
      cancelReason: '并入年度计划',
    });
    expect((await county.patch(`/assistance/programs/${p}`, { name: '改名' })).statusCode).toBe(409);

    const c = (
      await status(
        county.post('/campaigns', {
          name: '主题教育',
          theme: 'theme_education',
          startsOn: today(),
          endsOn: inDays(30),
        }),
        201,
      )
    ).json().id;
    const [dc] = await deploymentOf('campaign', String(c));
    expect((await targetsOf(dc.id)).map((x) => x.node_code)).toEqual([A1, A2]);
    expect((await tasks(sibling)).map((i) => i.title)).toContain('签收并回复任务：学习教育：主题教育');
    await status(county.post(`/campaigns/${c}/cancel`, { reason: '改由市局统一部署' }), 204);
    expect((await tasks(sibling)).map((i) => i.title)).not.toContain('签收并回复任务：学习教育：主题教育');
    // The campaign list and its detail flag it (they did not before), with the reason.
    expect(
      (await status(county.get('/campaigns'), 200)).json().items.find((x: { id: number }) => x.id === c),
    ).toMatchObject({ cancelled: true, cancelReason: '改由市局统一部署' });
    expect((await status(sibling.get(`/campaigns/${c}`), 200)).json()).toMatchObject({
      cancelled: true,
      cancelReason: '改由市局统一部署',
    });
    // A station's own campaign names no node below it: nothing is deployed.
    const own = (
      await status(
        station.post('/campaigns', { name: '所内学习', theme: 'other', startsOn: today(), endsOn: inDays(30) }),
        201,
      )
    ).json().id;
    expect(await deploymentOf('campaign', String(own))).toEqual([]);
  });

  it("a ledger record's task whose words change reaches the node that already replied (its text carries the record's dates: every change is one of words)", async () => {
    const p = (
      await status(
        county.post('/assistance/programs', {
          name: '个体帮扶',
          businessLine: 'quality',
          startsOn: today(),
          endsOn: inDays(60),
        }),
        201,
      )
    ).json().id;
    const [d] = await deploymentOf('assistance_program', String(p));
    const own = (await status(station.get(`/deployments/${d.id}`), 200)).json().own.id;
    await status(station.post(`/deployment-targets/${own}/reply`, { text: '已登记本所参与帮扶的主体' }), 200);
    const updates = async () => (await kindsOf(ids.station)).filter((k) => k === 'deployment.update').length;
    const before = await updates();
    await status(county.patch(`/assistance/programs/${p}`, { name: '个体工商户帮扶' }), 200);
    expect(await updates()).toBe(before + 1);
    await status(county.post(`/assistance/programs/${p}/cancel`, { reason: '测试完毕' }), 204);
  });

  it('a report period: the city deploys it to its counties; a county submitting answers it (linked); a return sends it back; both levels are told', async () => {
    const period = periodOfDate('quarter', today());
    const first = (await status(city.post('/reports/periods', { form: 'xgz_core', period }), 201)).json().id;
    expect((await status(city.post('/reports/periods', { form: 'xgz_core', period }), 201)).json().id).toBe(first); // again: the same task
    const targets = await targetsOf(first);
    expect(targets.map((x) => x.node_code)).toEqual(expect.arrayContaining([A, B]));
    expect(targets.every((x) => x.node_code.length === 6)).toBe(true); // the city's children: its counties
    const title = `上报${FORMS.xgz_core.title}`;
    expect((await tasks(county)).some((i) => i.title.includes(title))).toBe(true);
    expect((await tasks(station)).some((i) => i.title.includes(title))).toBe(false);

    const r = (await status(county.post('/reports', { form: 'xgz_core', period, source: 'live' }), 201)).json().id;
    await status(
      county.patch(`/reports/${r}`, { missing: [A1, A2].map((code) => ({ code, reason: '所里尚未开展' })) }),
      200,
    );
    await status(
      county.post(`/reports/${r}/submit`, { acknowledgement: '已核对', explanation: '所里尚未开展，其数字未计入' }),
      201,
    );
    const mine = (await targetsOf(first)).find((x) => x.node_code === A)!;
    expect(mine.state).toBe('replied');
    expect(typeof mine.reply_links === 'string' ? JSON.parse(mine.reply_links) : mine.reply_links).toEqual([
      { kind: 'report', id: r },
    ]);
    expect((await tasks(county)).some((i) => i.title.includes(title))).toBe(false);
    expect(await kindsOf(ids.city)).toEqual(expect.arrayContaining(['report.submitted', 'deployment.reply']));

    await status(city.post(`/reports/${r}/return`, { reason: '数字有误' }), 200);
    expect((await targetsOf(first)).find((x) => x.node_code === A)!.state).toBe('returned');
    expect(await kindsOf(ids.county)).toContain('report.returned');
    // The returned report is one line on the county's list (the report's), not two.
    expect(
      (await status(county.get('/workbench'), 200))
        .json()
        .items.filter((i: Item) => i.title.includes('已退回'))
        .map((i: Item) => i.kind),
    ).toEqual(['report']);
    // A period whose deadline is past cannot be deployed.
    expect((await city.post('/reports/periods', { form: 'xgz_core', period: '2020-Q1' })).statusCode).toBe(422);
    // The county deploys it to its stations after one had submitted: that one has answered it already.
    const own = (await status(station.post('/reports', { form: 'xgz_core', period, source: 'live' }), 201)).json().id;
    const sent = await station.post(`/reports/${own}/submit`, { acknowledgement: '已核对', explanation: '所里数字' });
    expect(sent.statusCode, sent.body).toBe(201);
    const down = (await status(county.post('/reports/periods', { form: 'xgz_core', period }), 201)).json().id;
    const byNode = new Map((await targetsOf(down)).map((x) => [x.node_code, x.state]));
    expect(byNode.get(A1)).toBe('replied');
    expect(byNode.get(A2)).toBe('pending');
  });

  it('an assessment year reaches each county with items; evidence on a manual item stays when the items change, and an item with evidence cannot be removed', async () => {
    const year = Number(today().slice(0, 4));
    const items = [
      { kind: 'indicator', indicator: 'orgCoverage', target: 0.8, weight: 40 },
      { kind: 'manual', label: '党建工作创新', weight: 30, manualScore: null, evidence: null },
    ];
    await status(city.put(`/assessments/${A}`, { year, items }), 204);
    const [d] = await deploymentOf('assessment_year', String(year));
    expect((await targetsOf(d.id)).map((x) => x.node_code)).toEqual([A]);
    expect(d.body).toContain('党建工作创新');
    expect((await tasks(county)).map((i) => i.title)).toContain(`签收并回复任务：${year} 年度目标责任考核`);
    expect((await tasks(countyB)).map((i) => i.title)).not.toContain(`签收并回复任务：${year} 年度目标责任考核`);

    const own = (await status(county.get(`/assessments/mine?year=${year}`), 200)).json();
    const manual = own.items.find((i: { label: string }) => i.label === '党建工作创新');
    expect((await upload(county, 'assessment_item', manual.id, '创新材料.pdf', PDF)).statusCode).toBe(201);

    // The level above changes weights and scores and adds an item: the evidence stays on its item.
    const changed = [
      { ...items[0], weight: 30 },
      { ...items[1], weight: 40, manualScore: 35, evidence: '做法获推广' },
      { kind: 'manual', label: '阵地建设', weight: 20, manualScore: null, evidence: null },
    ];
    await status(city.put(`/assessments/${A}`, { year, items: changed }), 204);
    const after = (await status(county.get(`/assessments/mine?year=${year}`), 200)).json();
    const kept = after.items.find((i: { label: string }) => i.label === '党建工作创新');
    expect(kept.id).toBe(manual.id);
    expect(kept.attachments.map((f: { fileName: string }) => f.fileName)).toEqual(['创新材料.pdf']);
    expect([kept.weight, kept.score]).toEqual([40, 35]);
    expect((await deploymentOf('assessment_year', String(year)))[0].body).toContain('阵地建设');

    // Removing (or renaming) it is refused, naming the item and its files; nothing changes.
    const refused = await city.put(`/assessments/${A}`, {
      year,
      items: [changed[0], { ...changed[1], label: '党建创新' }],
    });
    expect(refused.statusCode, refused.body).toBe(409);
    expect(refused.json().detail).toBe(
      '人工评分项"党建工作创新"（1 个文件）已有玄武区提交的佐证材料，不能删除或改名；如需调整，请修改分值、评分或依据，或请玄武区先撤回佐证材料',
    );
    expect(
      (await status(county.get(`/assessments/mine?year=${year}`), 200))
        .json()
        .items.map((i: { label: string }) => i.label),
    ).toEqual(['组织覆盖率', '党建工作创新', '阵地建设']);
    // An item without evidence goes.
    await status(city.put(`/assessments/${A}`, { year, items: changed.slice(0, 2) }), 204);
    expect(
      (await status(county.get(`/assessments/mine?year=${year}`), 200))
        .json()
        .items.map((i: { label: string }) => i.label),
    ).toEqual(['组织覆盖率', '党建工作创新']);
  });

  it('the bell rings for cases routed, reopened by their person and escalated, new discovery cases, flagged honours and imports needing attention — grouped, each once', async () => {
    await runNotificationSweep(t.db); // whatever the earlier tests left
    const before = {
      station: (await kindsOf(ids.station)).length,
      sibling: (await kindsOf(ids.sibling)).length,
      county: (await kindsOf(ids.county)).length,
    };
    const post = (
      await status(
        county.post('/service-posts', {
          name: '甲驿站',
          jurisdictionCode: A1,
          address: '甲路 1 号',
          openingHours: '全天',
        }),
        201,
      )
    ).json().id;
    const codes: string[] = [];
    for (const content of ['驿站门口停车很难，经常被贴罚单', '驿站饮水机坏了很久没人修', '驿站充电柜坏了']) {
      const raised = await status(
        t.app.inject({
          method: 'POST',
          url: '/api/v1/public/appeals',
          payload: { category: 'parking', content, servicePostId: post },
        }),
        201,
      );
      codes.push(raised.json().code);
    }
    // The third: answered by the station, then reopened by the person (the station hears of it below).
    const third = (await t.db.selectFrom('appeal_case').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow())
      .id;
    await status(station.post(`/appeals/${third}/actions`, { action: 'accept' }), 200);
    await status(station.post(`/appeals/${third}/actions`, { action: 'resolve', reply: '已联系维修' }), 200);
    await runNotificationSweep(t.db); // what happened so far is told now; the reopen below is new
    const toStation = await t.db
      .selectFrom('notification')
      .select(['kind', 'title'])
      .where('user_id', '=', ids.station)
      .orderBy('id')
      .execute();
    expect(toStation.slice(before.station)).toContainEqual({ kind: 'appeal.routed', title: '新转来的诉求 3 件' });
    before.station = toStation.length;
    await status(
      t.app.inject({
        method: 'POST',
        url: `/api/v1/public/appeals/${encodeURIComponent(codes[2])}/feedback`,
        payload: { action: 'reopen', comment: '充电柜还是坏的，没有修好' },
      }),
      200,
    );
    const c = await t.db.selectFrom('appeal_case').select(['id', 'created_at']).orderBy('id').executeTakeFirstOrThrow();
    await runEscalation(
      t.db,
      DEFAULT_DEADLINES,
      new Date(new Date(c.created_at).getTime() + (DEFAULT_DEADLINES.acceptDays + 0.5) * DAY),
    );
    await t.db
      .insertInto('discovery_case')
      .values({
        kind: 'entity_without_org',
        entity_id: e1,
        scope_key: A1,
        county_code: A1.slice(0, 6),
        evidence: JSON.stringify({}),
        evidence_hash: 'bell-1',
      } as never)
      .execute();
    await t.db
      .insertInto('honour')
      .values({
        kind: 'honest_enterprise',
        entity_id: e2,
        subject_name: '乙商户',
        state: 'awarded',
        nominated_on: '2024-01-01',
        level: 'county',
        year: 2024,
        awarded_on: '2024-03-01',
        scope_key: A2,
      })
      .execute();
    await t.db
      .updateTable('honour')
      .set({ flagged_at: new Date(), flag_reason: '主体已注销' })
      .where('scope_key', '=', A2)
      .execute();
    await t.db
      .insertInto('import_job')
      .values({
        kind: 'registry',
        file_name: '登记.csv',
        file_path: '/dev/null',
        file_bytes: 1,
        scope_key: A,
        status: 'done',
        rows_rejected: 3,
        created_by: ids.county,
        finished_at: new Date(),
      })
      .execute();

    expect(await runNotificationSweep(t.db)).toBeGreaterThanOrEqual(5);
    const news = async (userId: number, from: number) =>
      (
        await t.db
          .selectFrom('notification')
          .select(['kind', 'title', 'link'])
          .where('user_id', '=', userId)
          .orderBy('id')
          .execute()
      ).slice(from);
    expect(await news(ids.station, before.station)).toEqual(
      expect.arrayContaining([
        { kind: 'appeal.reopened', title: '提出人要求重新办理的诉求 1 件', link: '/appeals' },
        { kind: 'case.new', title: '新的核实线索 1 条', link: '/discovery' },
      ]),
    );
    expect(await news(ids.county, before.county)).toEqual(
      expect.arrayContaining([
        { kind: 'appeal.escalated', title: expect.stringMatching(/^督办到本级的诉求 \d 件$/), link: '/appeals' },
        { kind: 'import.attention', title: '导入有 3 行被拒绝：登记.csv', link: '/imports' },
      ]),
    );
    // The sibling hears of its own flagged honour, and of nothing of the station's.
    expect(await news(ids.sibling, before.sibling)).toEqual([
      { kind: 'honour.flagged', title: '被标记复核的荣誉 1 项', link: '/honours' },
    ]);
    // Each once.
    expect(await runNotificationSweep(t.db)).toBe(0);
  });
});
