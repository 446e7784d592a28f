import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { seededRandom } from '../../src/domain/random.js';
import { idNumber, uscc } from '../../src/demo/ledger.js';
import { valuesOf } from '../../src/domain/indicators/registry.js';
import { recomputeCounts } from '../../src/features/indicators/recompute.js';
import { BACKENDS } from '../helpers/db.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { csvFile, importFile, tmpDir } from '../helpers/imports.js';

/**
 * A party member who moves to another county: the new county's roster is refused while the old
 * county holds them on its roll (it says so); once the old county's roster records the 转出, the new
 * county's roster takes the record over (转入). Each county's cases and counts follow: the member is
 * on one roll, counted once, and seen by the county that holds them.
 */
type Client = Awaited<ReturnType<TestApp['signIn']>>;

const rnd = seededRandom(20215);
const A = '320102';
const B = '320104';

describe.each(BACKENDS)('a member who moves to another county, on %s', (backend) => {
  let t: TestApp;
  const dir = tmpDir();
  let files = 0;
  const id = idNumber(rnd, A, new Date(1980, 1, 1));
  const keyOf = async (code: string) =>
    (await t.db.selectFrom('jurisdiction').select('scope_key').where('code', '=', code).executeTakeFirstOrThrow())
      .scope_key;
  const roster = async (county: string, user: number, relation: string, more: Record<string, string> = {}) =>
    importFile(
      t,
      'roster',
      csvFile(dir, `m${++files}.csv`, [
        {
          姓名: '迁移人',
          公民身份号码: id,
          党员类别: '正式党员',
          组织关系所在党组织: relation,
          党员状态: '正常',
          转出日期: '',
          ...more,
        },
      ]),
      { id: user, scopeKey: await keyOf(county) },
    );
  const figures = async (c: Client, county: string) => {
    const res = await c.get(`/dashboard?under=${county}`);
    expect(res.statusCode, res.body).toBe(200);
    const f = res.json().figures;
    expect(f).toEqual(valuesOf(await recomputeCounts(t.db, await keyOf(county))));
    return f as Record<string, number>;
  };
  const talliesMatchRebuild = async () => {
    const read = async () =>
      (
        await sql`SELECT scope_key, on_roster, found FROM member_tally WHERE on_roster <> 0 OR found <> 0 ORDER BY 1`.execute(
          t.db,
        )
      ).rows;
    const kept = await read();
    await sql`SELECT xgz_member_tally_rebuild()`.execute(t.db);
    expect(await read()).toEqual(kept);
  };

  beforeAll(async () => {
    t = await testApp(backend);
  });
  afterAll(() => t?.close());

  it('the old county records the 转出, the new county’s roster takes the member over; each county counts and sees what it holds', async () => {
    const ua = await t.user({ roles: ['editor'], jurisdiction: A });
    const ub = await t.user({ roles: ['editor'], jurisdiction: B });
    const [ca, cb] = [await t.signIn(ua), await t.signIn(ub)];
    await importFile(
      t,
      'registry',
      csvFile(dir, 'r.csv', [
        {
          统一社会信用代码: uscc(rnd, 'individual', A),
          名称: '玄武区迁移小店',
          主体类型: '个体工商户',
          所属县区代码: A,
          经营者: '迁移人',
          经营者身份证号: id,
        },
      ]),
      { id: ua.id, scopeKey: await keyOf(A) },
    );
    await roster(A, ua.id, '玄武区某社区党支部');
    expect(await figures(ca, A)).toMatchObject({ membersOnRoster: 1 });

    // While county A holds them on its roll, county B's roster is refused for them, saying what to do.
    const early = await roster(B, ub.id, '秦淮区某社区党支部');
    expect(early.rejections.map((r) => r.reason)).toEqual([
      '此人的党员记录由其他辖区（或上级）的名册管理，本辖区不能修改；组织关系已转入本辖区的，请原辖区转出后再导入',
    ]);

    // County A's roster records the 转出: off its roll, its open cases on them closed.
    const out = await roster(A, ua.id, '玄武区某社区党支部', { 转出日期: '2026-10-01' });
    expect(out.job).toMatchObject({ rows_accepted: 1, members_left: 1 });
    expect(await figures(ca, A)).toMatchObject({ membersOnRoster: 0, casesOpen: 0 });

    // Now county B's roster takes them over: on B's roll, seen by B, no longer by A.
    const moved = await roster(B, ub.id, '秦淮区某社区党支部');
    expect(moved.rejections).toEqual([]);
    expect(moved.job).toMatchObject({ rows_accepted: 1 });
    const m = await t.db
      .selectFrom('member')
      .select(['id', 'scope_key', 'member_status', 'ended_on', 'org_relation'])
      .executeTakeFirstOrThrow();
    expect(m).toMatchObject({
      scope_key: await keyOf(B),
      member_status: 'normal',
      ended_on: null,
      org_relation: '秦淮区某社区党支部',
    });
    expect((await cb.get(`/members/${m.id}`)).statusCode).toBe(200);
    expect((await ca.get(`/members/${m.id}`)).statusCode).toBe(404);
    expect(await figures(cb, B)).toMatchObject({ membersOnRoster: 1 });
    expect(await figures(ca, A)).toMatchObject({ membersOnRoster: 0 });
    await talliesMatchRebuild();
    // They still run the shop in A, their relation now in B. County B's import does not judge A's
    // entities (it does not see them); county A's next discovery run does: one open case of each kind, never two.
    const run = await ca.post('/discovery/runs');
    expect(run.statusCode).toBe(202);
    await Promise.all(t.app.discoveryRuns);
    const open = await t.db
      .selectFrom('discovery_case')
      .select(['kind'])
      .where('state', 'in', ['open', 'contacted'])
      .execute();
    expect(open.map((c) => c.kind).sort()).toEqual(['entity_without_org', 'hidden_member', 'pocket_member']);
  });
});
