import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORMS } from '../../src/domain/reports/forms.js';
import { periodDue } from '../../src/domain/worktasks/todo.js';
import { BACKENDS } from '../helpers/db.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { ledger } from '../helpers/ledger.js';
import { sql } from 'kysely';
import { inlineParameters, readScopedOnce } from '../../src/db/scoped.js';

const CITY = '320100';
const A = '320102';
const A1 = '320102001';
const A2 = '320102002';
const DAY = 86_400_000;
type Client = Awaited<ReturnType<TestApp['signIn']>>;
type Item = {
  key: string;
  kind: string;
  title: string;
  urgency: string;
  link: string;
  count: number;
  dueAt: string | null;
};
const today = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
const inDays = (n: number) => new Date(Date.now() + n * DAY).toISOString().slice(0, 10);

/** The 工作台 test: each kind of 待办 appears when its condition arises and leaves when it is done. */
describe.each(BACKENDS)('the 待办 workbench on %s', (backend) => {
  let t: TestApp;
  let city: Client, county: Client, station: Client, sibling: Client;
  let l: ReturnType<typeof ledger>;

  beforeAll(async () => {
    t = await testApp(backend);
    l = ledger(t.db);
    await l.station(A1);
    await l.station(A2);
    city = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: CITY }));
    county = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: A }));
    station = await t.signIn(await t.user({ roles: ['station_staff'], jurisdiction: A1 }));
    sibling = await t.signIn(await t.user({ roles: ['station_staff'], jurisdiction: A2 }));
  });
  afterAll(() => t?.close());

  const todos = async (c: Client, kind?: string): Promise<Item[]> => {
    const res = await c.get(`/workbench${kind ? `?kind=${kind}` : ''}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().items;
  };
  const keys = async (c: Client, kind?: string) => (await todos(c, kind)).map((i) => i.key);
  const status = async (p: Promise<{ statusCode: number; body: string }>, s: number) => {
    const res = await p;
    expect(res.statusCode, res.body).toBe(s);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests read response bodies loosely, as the other suites do
    return res as unknown as { json(): Record<string, any> };
  };

  it('tasks and notices: to receive or answer, again after a return; gone when done', async () => {
    const task = (
      await status(
        county.post('/deployments', {
          kind: 'task',
          title: '排查新设主体',
          body: '请排查',
          dueAt: inDays(5),
          targets: [A1],
        }),
        201,
      )
    ).json().id;
    const notice = (
      await status(
        county.post('/deployments', { kind: 'notice', title: '学习通知', body: '请学习', targets: [A1] }),
        201,
      )
    ).json().id;
    const items = await todos(station, 'deployment');
    expect(items.map((i) => i.title)).toEqual(
      expect.arrayContaining(['签收并回复任务：排查新设主体', '签收通知：学习通知']),
    );
    expect(items.find((i) => i.title.includes('排查'))!.link).toBe(`/work/${task}`);
    expect(await todos(sibling, 'deployment')).toEqual([]);
    const own = (await status(station.get(`/deployments/${notice}`), 200)).json().own.id;
    await status(station.post(`/deployment-targets/${own}/receive`), 204);
    expect((await todos(station, 'deployment')).map((i) => i.title)).toEqual(['签收并回复任务：排查新设主体']);
    const target = (await status(station.get(`/deployments/${task}`), 200)).json().own.id;
    await status(station.post(`/deployment-targets/${target}/reply`, { text: '已排查' }), 200);
    expect(await todos(station, 'deployment')).toEqual([]);
    await status(county.post(`/deployment-targets/${target}/return`, { reason: '请附名单' }), 204);
    expect((await todos(station, 'deployment')).map((i) => i.title)).toEqual(['重新办理（已退回）：排查新设主体']);
    // Overdue: marked so (a report due at the station may sit beside it).
    await t.db
      .updateTable('deployment')
      .set({ due_at: new Date(Date.now() - DAY) })
      .where('id', '=', task)
      .execute();
    expect((await todos(station, 'deployment'))[0]).toMatchObject({ kind: 'deployment', urgency: 'overdue' });
    await status(station.post(`/deployment-targets/${target}/reply`, { text: '已排查，名单见附件' }), 200);
    expect(await todos(station, 'deployment')).toEqual([]);
  });

  it('discovery cases at the node: new, then gone when dismissed', async () => {
    const e = await l.entity({ place: A1 });
    const c = await t.db
      .insertInto('discovery_case')
      .values({
        kind: 'entity_without_org',
        entity_id: e,
        scope_key: A1,
        county_code: A1.slice(0, 6),
        evidence: JSON.stringify({}),
        evidence_hash: 'x1',
      } as never)
      .returning('id')
      .executeTakeFirstOrThrow();
    expect(await todos(station, 'case')).toEqual([
      expect.objectContaining({ key: 'case:new', count: 1, urgency: 'new', link: '/discovery' }),
    ]);
    expect(await todos(sibling, 'case')).toEqual([]);
    await status(station.post(`/cases/${c.id}/actions`, { action: 'dismiss', reason: '已核实不属实' }), 200);
    expect(await todos(station, 'case')).toEqual([]);
  });

  it('appeals at the node: new, then overdue, then gone when resolved', async () => {
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
    await status(
      t.app.inject({
        method: 'POST',
        url: '/api/v1/public/appeals',
        payload: { category: 'parking', content: '驿站门口停车很难，经常被贴罚单', servicePostId: post },
      }),
      201,
    );
    const id = await t.db.selectFrom('appeal_case').select(['id', 'scope_key']).executeTakeFirstOrThrow();
    expect(id.scope_key).toBe(A1);
    expect(await keys(station, 'appeal')).toEqual(['appeal:new']);
    await status(station.post(`/appeals/${id.id}/actions`, { action: 'accept' }), 200);
    expect(await keys(station, 'appeal')).toEqual([]);
    await t.db
      .updateTable('appeal_case')
      .set({ due_at: new Date(Date.now() - 3600_000) })
      .where('id', '=', id.id)
      .execute();
    expect(await todos(station, 'appeal')).toEqual([
      expect.objectContaining({ key: 'appeal:overdue', urgency: 'overdue' }),
    ]);
    await status(station.post(`/appeals/${id.id}/actions`, { action: 'resolve', reply: '已协调停车位' }), 200);
    expect(await keys(station, 'appeal')).toEqual([]);
  });

  it('reports: due at the county, awaiting review at the city, returned back at the county', async () => {
    const due = periodDue(FORMS.xgz_core, today());
    const dueKey = `report:due:xgz_core:${due.period}`;
    expect(await keys(county, 'report')).toContain(dueKey);
    expect(await keys(station, 'report')).toContain(dueKey); // stations report to their county
    const r = (
      await status(
        county.post('/reports', {
          form: 'xgz_core',
          period: due.period,
          source: 'live',
          liveReason: '测试库无期末快照',
        }),
        201,
      )
    ).json().id;
    expect(await keys(county, 'report')).toContain(dueKey); // prepared, not yet submitted
    // Its stations have not reported: marked 缺报, as the county must before submitting.
    await status(
      county.patch(`/reports/${r}`, { missing: [A1, A2].map((code) => ({ code, reason: '所里尚未开展' })) }),
      200,
    );
    await status(
      county.post(`/reports/${r}/submit`, { acknowledgement: '已核对', explanation: '所里尚未开展，其数字未计入' }),
      201,
    );
    expect(await keys(county, 'report')).not.toContain(dueKey);
    const reviewKey = `report:review:xgz_core:${due.period}`;
    expect(await keys(city, 'report')).toContain(reviewKey);
    await status(city.post(`/reports/${r}/return`, { reason: '数字有误' }), 200);
    expect(await keys(city, 'report')).not.toContain(reviewKey);
    expect(await keys(county, 'report')).toContain(`report:returned:${r}`);
    await status(
      county.post(`/reports/${r}/submit`, { acknowledgement: '已改正', explanation: '所里尚未开展，其数字未计入' }),
      201,
    );
    expect(await keys(county, 'report')).not.toContain(`report:returned:${r}`);
    // 审核通过: the city has looked at version 2, so nothing is left to review; the county sees it taken.
    expect(await keys(city, 'report')).toContain(reviewKey);
    expect((await status(county.post(`/reports/${r}/accept`), 403)).json().detail).toMatch(/上级/);
    const accepted = (await status(city.post(`/reports/${r}/accept`), 200)).json();
    expect(accepted).toMatchObject({ accepted: { version: 2 }, actions: ['return'] });
    expect(accepted.events.at(-1)).toMatchObject({ action: 'accept', version: 2 });
    expect((await status(city.post(`/reports/${r}/accept`), 409)).json().detail).toBe('该版本已审核通过');
    // The county is told in its bell, as it is of a return (not the city, which acted).
    const bell = async (c: Client) =>
      (await status(c.get('/notifications?limit=100'), 200)).json().items as {
        kind: string;
        title: string;
        body: string;
        link: string;
      }[];
    expect((await bell(county)).find((n) => n.kind === 'report.accepted')).toMatchObject({
      title: expect.stringContaining(`报表已审核通过：${FORMS.xgz_core.title}`),
      body: '第 2 版',
      link: expect.stringContaining(`open=${r}`),
    });
    expect((await bell(city)).some((n) => n.kind === 'report.accepted')).toBe(false);
    expect(await keys(city, 'report')).not.toContain(reviewKey);
    const board = (await status(city.get(`/reports?form=xgz_core&period=${due.period}`), 200)).json();
    expect(board.children.find((c: { code: string }) => c.code === A).report).toMatchObject({ accepted: true });
    // The mark is of one version: returned, it lapses (in the database, whatever the write path).
    await status(city.post(`/reports/${r}/return`, { reason: '复查发现笔误' }), 200);
    const row = await t.db
      .selectFrom('report')
      .select(['accepted_at', 'accepted_version'])
      .where('id', '=', r)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ accepted_at: null, accepted_version: null });
    expect(
      await t.db.selectFrom('audit_log').select('action').where('action', '=', 'report.accept').execute(),
    ).toHaveLength(1);
  });

  it('term-end reminders, honours to review, cards expiring, imports needing attention', async () => {
    // A term ending in 3 months, then a new term entered.
    const org = await t.db
      .insertInto('party_org')
      .values({
        name: '甲一党支部',
        kind: 'branch',
        setup_mode: 'standalone',
        ...l.placeOf(A1),
        status: 'established',
        founded_on: '2020-01-01',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const person = await t.db.insertInto('person').values({ name: '书记甲' }).returning('id').executeTakeFirstOrThrow();
    const officer = await t.db
      .insertInto('party_org_officer')
      .values({
        org_id: org.id,
        person_id: person.id,
        role: 'secretary',
        term_start: '2021-06-01',
        term_end: inDays(90),
        scope_key: A1,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect(await todos(station, 'term')).toEqual([
      expect.objectContaining({ key: 'term:due', count: 1, urgency: 'due_soon', link: '/orgs?tab=terms' }),
    ]);
    expect(await keys(county, 'term')).toEqual(['term:due']); // the county sees its subtree's
    await t.db
      .updateTable('party_org_officer')
      .set({ term_end: inDays(5 * 365) })
      .where('id', '=', officer.id)
      .execute();
    expect(await todos(station, 'term')).toEqual([]);

    // An honour nominated, then reviewed.
    const e = await l.entity({ place: A1 });
    const h = (await status(station.post('/honours', { kind: 'honest_enterprise', entityId: e }), 201)).json().id;
    expect(await keys(county, 'honour')).toEqual(['honour:nominated']);
    await status(county.post(`/honours/${h}/actions`, { action: 'approve' }), 200);
    expect(await keys(county, 'honour')).toEqual([]);

    // A mobile-member card expiring within 60 days, then handed back.
    const member = await t.db
      .insertInto('member')
      .values({ person_id: person.id, scope_key: A1 })
      .returning('id')
      .executeTakeFirstOrThrow();
    const card = await t.db
      .insertInto('mobile_card')
      .values({
        member_id: member.id,
        org_id: org.id,
        card_no: 'M-1',
        issued_by: '家乡支部',
        issued_on: '2024-01-01',
        expires_on: inDays(20),
        scope_key: A1,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect(await todos(station, 'card')).toEqual([
      expect.objectContaining({ key: 'card:expiring', count: 1, urgency: 'due_soon' }),
    ]);
    await t.db.updateTable('mobile_card').set({ returned_on: today() }).where('id', '=', card.id).execute();
    expect(await todos(station, 'card')).toEqual([]);

    // An import with refused rows, then a clean re-import; an entity without a station, then placed.
    const job = {
      kind: 'registry' as const,
      file_name: '登记.csv',
      file_path: '/dev/null',
      file_bytes: 1,
      scope_key: A,
    };
    const bad = await t.db
      .insertInto('import_job')
      .values({ ...job, status: 'done', rows_rejected: 3 })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect(await keys(county, 'import')).toContain(`import:${bad.id}`);
    await t.db
      .insertInto('import_job')
      .values({ ...job, status: 'done', rows_rejected: 0 })
      .execute();
    expect(await keys(county, 'import')).not.toContain(`import:${bad.id}`);
    const loose = await l.entity({ place: A });
    expect(await keys(county, 'import')).toContain('import:no-station');
    await t.db.updateTable('entity').set({ station_code: A1, scope_key: A1 }).where('id', '=', loose).execute();
    expect(await keys(county, 'import')).not.toContain('import:no-station');
  });

  it('lists in due order and rings the bell for what arrives', async () => {
    const items = await todos(county);
    const rank = { overdue: 0, due_soon: 1, new: 2, normal: 3 } as Record<string, number>;
    expect(items.map((i) => rank[i.urgency])).toEqual([...items.map((i) => rank[i.urgency])].sort((a, b) => a - b));
    const before = (await status(sibling.get('/notifications/unread-count'), 200)).json().unread;
    await status(county.post('/deployments', { kind: 'notice', title: '铃铛测试', body: 'x', targets: [A2] }), 201);
    expect((await status(sibling.get('/notifications/unread-count'), 200)).json().unread).toBe(before + 1);
    const list = (await status(sibling.get('/notifications'), 200)).json();
    await status(sibling.post(`/notifications/${list.items[0].id}/read`), 204);
    expect((await status(sibling.get('/notifications/unread-count'), 200)).json().unread).toBe(before);
    // Another account cannot mark it.
    expect((await station.post(`/notifications/${list.items[0].id}/read`)).statusCode).toBe(404);
    const digest = (await status(sibling.get('/notifications/digest'), 200)).json();
    expect(digest.groups.find((g: { kind: string }) => g.kind === 'deployment.notice')).toMatchObject({
      label: '通知',
    });
  });

  it('the one-round-trip read (used by the 工作台) means what the parameterised statement means, under the same scope', async () => {
    const odd = "O'Brien \\ 'x' $1 \"q\" 小个专";
    const when = new Date('2026-03-04T05:06:07.089Z');
    const q = sql<
      Record<string, unknown>
    >`SELECT ${odd}::text AS s, ${42}::int AS n, ${when}::timestamptz AS t, ${['a', "b'c", null]}::text[] AS arr, ${null}::text AS nul, current_setting('xgz.scope') AS scope, current_user AS who, (SELECT count(*)::int FROM entity) AS seen`.compile(
      t.db,
    );
    const inlined = inlineParameters(q);
    expect(inlined).not.toMatch(/\$[0-9]+::/);
    expect(inlined).toContain("E'O''Brien \\\\ ''x'' $1 \"q\" 小个专'::text");
    const [row] = await readScopedOnce<Record<string, unknown>>(
      t.ctx.database.pool,
      { userId: null, username: null, scopeKey: A1, ip: null },
      q,
    );
    expect(row).toMatchObject({ s: odd, n: 42, arr: ['a', "b'c", null], nul: null, scope: A1, who: 'xgz_app' });
    expect(new Date(row.t as string).getTime()).toBe(when.getTime());
    // Row-level security applies: the station sees its own entities only.
    const mine = (
      await sql<{
        n: number;
      }>`SELECT count(*)::int AS n FROM entity WHERE scope_key >= ${A1} AND scope_key < ${A1 + '~'}`.execute(t.db)
    ).rows[0].n;
    expect(row.seen).toBe(mine);
    // A failing statement rolls back and leaves the pooled connection usable, outside any transaction and role.
    await expect(
      readScopedOnce(
        t.ctx.database.pool,
        { userId: null, username: null, scopeKey: A1, ip: null },
        sql`SELECT 1/0`.compile(t.db),
      ),
    ).rejects.toThrow();
    const [after] = await readScopedOnce<{ who: string }>(
      t.ctx.database.pool,
      { userId: null, username: null, scopeKey: A, ip: null },
      sql<{ who: string }>`SELECT current_setting('xgz.scope') AS who`.compile(t.db),
    );
    expect(after.who).toBe(A);
    expect(() => inlineParameters(sql`SELECT $$x$$`.compile(t.db))).toThrow(/dollar/);
  });
});
