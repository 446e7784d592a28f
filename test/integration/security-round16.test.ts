import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { BACKENDS } from '../helpers/db.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { ledger } from '../helpers/ledger.js';
import { periodOfDate } from '../../src/domain/reports/forms.js';
import { claimArea } from '../../src/db/work-under-way.js';

/**
 * Round 16 of the security probe (SECURITY.md, 第十六轮探测), kept apart from security.test.ts for
 * its size. Every test here failed on the code before its fix.
 */
const PROVINCE = '320000';
const COUNTY = '320102';
const OTHER_COUNTY = '320104';
const STATION = '320102001';

describe.each(BACKENDS)('security regressions, round 16, on %s', (backend) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await testApp(backend);
    await ledger(t.db).station(STATION, '东所');
  });
  afterAll(() => t?.close());

  /**
   * A run of `kind` under way over `scopeKey`, as another editor's request holds it while it works
   * (on another connection, or in another process), begun `startedAgo` and last seen alive `seenAgo`.
   */
  const underWay = (kind: string, scopeKey: string, startedAgo = '0 seconds', seenAgo = startedAgo) =>
    sql`INSERT INTO work_under_way (kind, scope_key, started_at, started_by, seen_at)
      VALUES (${kind}, ${scopeKey}, now() - ${startedAgo}::interval, 1, now() - ${seenAgo}::interval)`.execute(t.db);
  const runs = () => t.db.selectFrom('work_under_way').selectAll().execute();
  const clear = () => sql`DELETE FROM work_under_way`.execute(t.db);

  it("the dashboard's snapshots on demand are taken once a minute per account: another is 429 in Chinese before anything is measured (one session sent them again and again, 1.8-3.6 s each for a province, and held the database)", async () => {
    const u = await t.user({ roles: ['editor'], jurisdiction: PROVINCE });
    const c = await t.signIn(u);
    const taken = () =>
      t.db
        .selectFrom('audit_log')
        .select('id')
        .where('action', '=', 'indicator.snapshot')
        .where('actor_id', '=', u.id)
        .execute();
    expect((await c.post('/dashboard/snapshots')).statusCode).toBe(201);
    const again = await Promise.all([c.post('/dashboard/snapshots'), c.post('/dashboard/snapshots')]);
    expect(again.map((a) => a.statusCode)).toEqual([429, 429]);
    for (const a of again) {
      expect(a.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(a.json()).toMatchObject({ title: '生成过于频繁', code: 'snapshot_recent' });
      expect(a.json().detail).toMatch(/数据看板快照.*请在 \d+ 秒后再生成/);
    }
    expect((await taken()).length).toBe(1);
    // A minute later (the start set outright, as Citus wants it).
    await sql`UPDATE public_window SET window_start = now() - interval '61 seconds'
      WHERE bucket = 'snapshot.account' AND key = ${String(u.id)}`.execute(t.db);
    expect((await c.post('/dashboard/snapshots')).statusCode).toBe(201);
    expect((await taken()).length).toBe(2);
  });

  it('one generation of setup proposals runs at a time over an area: while one is under way, another editor of the same county, the province above it, or a station below it is 409 in Chinese; a sibling county is not held up, and the area is free again when the run ends (several editors of one province each ran one at once)', async () => {
    await clear();
    const editor = async (node: string) => t.signIn(await t.user({ roles: ['editor'], jurisdiction: node }));
    const [county, province, station, sibling] = await Promise.all(
      [COUNTY, PROVINCE, STATION, OTHER_COUNTY].map(editor),
    );
    await underWay('proposals', COUNTY);
    for (const [who, c] of [
      ['the same county', county],
      ['the province', province],
      ['a station of the county', station],
    ] as const) {
      const res = await c.post('/org-proposals/generate');
      expect([who, res.statusCode]).toEqual([who, 409]);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.json()).toMatchObject({ title: '组建建议正在生成', code: 'proposals_running' });
      expect(res.json().detail).toMatch(/正在生成（\d\d:\d\d:\d\d 开始），同一时间只进行一次/);
    }
    expect((await sibling.post('/org-proposals/generate')).statusCode).toBe(200);
    expect((await runs()).map((r) => r.scope_key)).toEqual([COUNTY]); // the sibling's run gave its area back
    await clear();
    // A run left by a process that died mid-run (not seen alive for three minutes) holds nobody up.
    await underWay('proposals', '32', '5 minutes', '3 minutes');
    const later = await editor(COUNTY);
    expect((await later.post('/org-proposals/generate')).statusCode).toBe(200);
    expect(await runs()).toEqual([]);
  });

  it('snapshots and a report are run once at a time over an area too, and a report is made at most ten times a minute per account (neither had any limit)', async () => {
    await clear();
    const provinceEditor = await t.user({ roles: ['editor'], jurisdiction: PROVINCE });
    const p = await t.signIn(provinceEditor);
    await underWay('snapshot', '3201');
    const snap = await p.post('/dashboard/snapshots');
    expect(snap.statusCode).toBe(409);
    expect(snap.json()).toMatchObject({ title: '数据看板快照正在生成', code: 'snapshot_running' });
    expect(snap.json().detail).toMatch(/与本辖区重叠的上级或下级辖区/);
    await underWay('report', '32');
    const county = await t.user({ roles: ['editor'], jurisdiction: COUNTY });
    const c = await t.signIn(county);
    const prepare = () =>
      c.post('/reports', { form: 'xgz_core', period: periodOfDate('quarter', new Date().toISOString().slice(0, 10)) });
    const held = await prepare();
    expect(held.statusCode).toBe(409);
    expect(held.json()).toMatchObject({ title: '报表正在生成', code: 'report_running' });
    await clear();
    const made = await prepare();
    expect(made.statusCode, made.body).toBe(201);
    // Nine more within the minute are made; the eleventh is refused.
    await sql`UPDATE public_window SET used = 10 WHERE bucket = 'report.account' AND key = ${String(county.id)}`.execute(
      t.db,
    );
    const eleventh = await prepare();
    expect(eleventh.statusCode).toBe(429);
    expect(eleventh.json()).toMatchObject({ title: '生成过于频繁', code: 'report_recent' });
    expect(eleventh.json().detail).toMatch(/每个账号每 60 秒最多生成 10 次/);
  });

  it('a subject is nominated once for a kind of honour while its nomination is open, and awarded it once a year: a double submit made two nominations of one entity, and both were awarded for the same year (counted twice)', async () => {
    const county = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: COUNTY }));
    const entityId = await ledger(t.db).entity({ place: STATION, name: '第十六轮诚信店' });
    const nominate = () => county.post('/honours', { kind: 'honest_enterprise', entityId });
    const act = (id: number, body: Record<string, unknown>) => county.post(`/honours/${id}/actions`, body);
    const twice = await Promise.all([nominate(), nominate()]);
    expect(twice.map((r) => r.statusCode).sort(), twice[0].body).toEqual([201, 409]);
    const refused = twice.find((r) => r.statusCode === 409)!;
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(refused.json().detail).toMatch(/第十六轮诚信店已有待审核的同类提名（编号 \d+），请勿重复提名/);
    const first = twice.find((r) => r.statusCode === 201)!.json().id as number;
    const Y = new Date().getFullYear();
    expect((await act(first, { action: 'approve' })).statusCode).toBe(200);
    expect((await act(first, { action: 'award', level: 'county', year: Y })).statusCode).toBe(200);
    // Once awarded, it may be nominated again (another year's honour), but not awarded twice for one year.
    const second = await nominate();
    expect(second.statusCode, second.body).toBe(201);
    const id = second.json().id as number;
    expect((await act(id, { action: 'approve' })).statusCode).toBe(200);
    const again = await act(id, { action: 'award', level: 'county', year: Y });
    expect(again.statusCode).toBe(409);
    expect(again.json().detail).toBe(`第十六轮诚信店已获 ${Y} 年度的同类荣誉（编号 ${first}），不能重复授予`);
    expect((await act(id, { action: 'award', level: 'county', year: Y - 1 })).statusCode).toBe(200);
    const awarded = await t.db
      .selectFrom('honour')
      .select('year')
      .where('entity_id', '=', entityId)
      .where('state', '=', 'awarded')
      .orderBy('year')
      .execute();
    expect(awarded.map((h) => h.year)).toEqual([Y - 1, Y]);
  });

  it("a discovery run claims its area until it ends: a county started one while its province's was running (the check saw only the county's own subtree), and two starts sent at once both ran", async () => {
    await clear();
    const county = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: COUNTY }));
    await underWay('discovery', '32');
    const held = await county.post('/discovery/runs');
    expect(held.statusCode).toBe(409);
    expect(held.json()).toMatchObject({ title: '比对正在运行', code: 'discovery_running' });
    expect(held.json().detail).toMatch(/与本辖区重叠的上级或下级辖区的比对正在运行/);
    await clear();
    const started = await county.post('/discovery/runs');
    expect(started.statusCode, started.body).toBe(202);
    await Promise.all(t.app.discoveryRuns);
    expect(await runs()).toEqual([]); // given back when the run ended
  });

  it("a long run that is still alive keeps its area, however long ago it began, and one whose process died frees it within two minutes (issue 18: a run was taken as abandoned 15 minutes after it started, and a province's discovery at 18M entities runs longer)", async () => {
    await clear();
    const county = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: COUNTY }));
    await underWay('discovery', '32', '40 minutes', '10 seconds');
    expect((await county.post('/discovery/runs')).statusCode).toBe(409);
    await clear();
    await underWay('discovery', '32', '1 minute', '3 minutes');
    const started = await county.post('/discovery/runs');
    expect(started.statusCode, started.body).toBe(202);
    await Promise.all(t.app.discoveryRuns);
    expect(await runs()).toEqual([]);
  });

  it('a claimed area is kept alive while its run works and given back with the beats stopped when it ends', async () => {
    await clear();
    const claim = await claimArea(t.db, 'report', COUNTY, 1, 40);
    if ('running' in claim) throw new Error('claimed by another run');
    const [row] = await runs();
    await new Promise((r) => setTimeout(r, 400));
    const [beaten] = await runs();
    expect(beaten.seen_at.getTime()).toBeGreaterThan(row.seen_at.getTime());
    await claim.release();
    expect(await runs()).toEqual([]);
    await new Promise((r) => setTimeout(r, 200));
    expect(await runs()).toEqual([]);
    // Another run may claim the area at once.
    const next = await claimArea(t.db, 'report', COUNTY, 1);
    expect('release' in next).toBe(true);
    if ('release' in next) await next.release();
  });
});
