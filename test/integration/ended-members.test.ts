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
 * Cases and counts follow a member's membership ending (已转出, 停止党籍, 去世), by a roster that
 * says so or by the conclusion of a 名册中已不存在 case: the member is no party member found in an
 * entity any more (no link, no new case, the entity no longer "has members"), their open cases
 * close with the reason in the trail, the dashboard's figures and tallies agree with a recompute,
 * and a roster putting them back on the roll brings it all back.
 */
type Client = Awaited<ReturnType<TestApp['signIn']>>;
type Case = { id: number; kind: string; state: string; entityName: string; memberName: string | null };

const rnd = seededRandom(10100);
const COUNTY = '320102';
const ORG = '外省某社区党支部';

describe.each(BACKENDS)('ended members on %s', (backend) => {
  let t: TestApp;
  let editor: Client;
  let importer: { id: number; scopeKey: string };
  const dir = tmpDir();
  let files = 0;
  const names = ['终甲商贸有限公司', '终乙餐饮有限公司'];
  const codes = names.map(() => uscc(rnd, 'enterprise', COUNTY));
  const ids = { 终甲: idNumber(rnd, COUNTY, new Date(1981, 1, 2)), 终乙: idNumber(rnd, COUNTY, new Date(1982, 3, 4)) };

  const roster = (rows: { name: string; status?: string; out?: string; in?: string; id?: string }[], full = false) =>
    importFile(
      t,
      'roster',
      csvFile(
        dir,
        `m${++files}.csv`,
        rows.map((r) => ({
          姓名: r.name,
          公民身份号码: r.id ?? ids[r.name as keyof typeof ids],
          党员类别: '正式党员',
          组织关系所在党组织: ORG,
          党员状态: r.status ?? '正常',
          转入日期: r.in ?? '',
          转出日期: r.out ?? '',
        })),
      ),
      importer,
      { fullRoster: full },
    );
  const memberOf = (name: string) =>
    t.db
      .selectFrom('member as m')
      .innerJoin('person as p', 'p.id', 'm.person_id')
      .select(['m.id', 'm.member_status', 'm.ended_on'])
      .where('p.name', '=', name)
      .executeTakeFirst();
  // Not resolved, unless a state is asked for.
  const cases = async (entityName: string, state = '') =>
    ((await editor.get(`/cases?pageSize=200${state}`)).json().items as Case[]).filter(
      (c) => c.entityName === entityName,
    );
  const figures = async () => {
    const res = await editor.get(`/dashboard?under=${COUNTY}`);
    expect(res.statusCode, res.body).toBe(200);
    const f = res.json().figures;
    // The trigger-kept figures are what a recompute from the rows gives.
    expect(f).toEqual(valuesOf(await recomputeCounts(t.db, COUNTY)));
    return f as Record<string, number>;
  };
  const withMembers = async (entityName: string) =>
    (
      await sql<{
        with_members: boolean;
      }>`SELECT c.with_members FROM entity_coverage c JOIN entity e ON e.id = c.entity_id WHERE e.name = ${entityName}`.execute(
        t.db,
      )
    ).rows[0].with_members;
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
  const runDiscovery = async () => {
    const run = await editor.post('/discovery/runs');
    expect(run.statusCode).toBe(202);
    await Promise.all(t.app.discoveryRuns);
    expect((await editor.get(`/discovery/runs/${run.json().id}`)).json().status).toBe('done');
  };
  const closing = async (c: Case) =>
    ((await editor.get(`/cases/${c.id}`)).json().events as { action: string; detail: { reason?: string } }[]).find(
      (e) => e.action === 'auto_closed',
    )?.detail.reason;

  beforeAll(async () => {
    t = await testApp(backend);
    const u = await t.user({ roles: ['editor'], jurisdiction: COUNTY });
    importer = { id: u.id, scopeKey: COUNTY };
    editor = await t.signIn(u);
    await importFile(
      t,
      'registry',
      csvFile(
        dir,
        'registry.csv',
        names.map((name, i) => ({
          统一社会信用代码: codes[i],
          名称: name,
          主体类型: '企业',
          所属县区代码: COUNTY,
          登记状态: '存续',
          '法定代表人/经营者': i ? '终乙' : '终甲',
          '法定代表人/经营者身份证号': i ? ids.终乙 : ids.终甲,
        })),
      ),
      importer,
    );
    await roster([{ name: '终甲' }, { name: '终乙' }]);
  });
  afterAll(() => t?.close());

  it('a roster saying a member died closes their open cases with the reason, and the entity no longer has members, in every figure; back on the roll, all returns', async () => {
    const open = await cases(names[0]);
    expect(open.map((c) => c.kind).sort()).toEqual(['entity_without_org', 'hidden_member', 'pocket_member']);
    expect(await withMembers(names[0])).toBe(true);
    const before = await figures();
    expect(before).toMatchObject({ withMembers: 2, membersFound: 2, membersOnRoster: 2 });

    const died = await roster([{ name: '终甲', status: '去世' }]);
    expect(died.job).toMatchObject({ status: 'done', rows_accepted: 1 });
    expect(await cases(names[0])).toEqual([]);
    const after = await cases(names[0], '&state=resolved');
    expect(after.map((c) => c.kind).sort()).toEqual(['entity_without_org', 'hidden_member', 'pocket_member']);
    expect(await closing(after.find((c) => c.kind === 'hidden_member')!)).toBe('该党员已去世，不再计为本主体的党员');
    expect(await closing(after.find((c) => c.kind === 'pocket_member')!)).toBe('该党员已去世，不再计为本主体的党员');
    expect(await closing(after.find((c) => c.kind === 'entity_without_org')!)).toBe('主体已无找到或申报的党员');
    expect(await withMembers(names[0])).toBe(false);
    expect(await figures()).toMatchObject({
      withMembers: 1,
      membersFound: 1,
      membersOnRoster: 1,
      casesOpen: before.casesOpen - 3,
    });
    await talliesMatchRebuild();

    // A full run raises nothing on the member who died, and the figures stand.
    await runDiscovery();
    expect(await cases(names[0])).toEqual([]);
    expect(await figures()).toMatchObject({ withMembers: 1, membersFound: 1 });

    // A later roster lists them as a member on the roll: found again, new cases raised.
    await roster([{ name: '终甲' }]);
    expect((await cases(names[0], '&state=open')).map((c) => c.kind).sort()).toEqual([
      'entity_without_org',
      'hidden_member',
      'pocket_member',
    ]);
    expect(await withMembers(names[0])).toBe(true);
    expect(await figures()).toMatchObject({ withMembers: 2, membersFound: 2, membersOnRoster: 2 });
    await talliesMatchRebuild();
  });

  it('a member concluded 已转出 from a full roster lacking them: their cases close with that reason, their staff link goes too, and a run raises none', async () => {
    // Staff also recorded the member in the entity by hand (a link of its own method).
    const e2 = await t.db.selectFrom('entity').select('id').where('name', '=', names[1]).executeTakeFirstOrThrow();
    await sql`UPDATE member_link SET method = 'staff' WHERE entity_id = ${e2.id}`.execute(t.db);
    const full = await roster([{ name: '终甲' }], true);
    expect(full.job.absent_members).toBe(1);
    const absent = ((await editor.get('/cases?kind=roster_absent&state=open')).json().items as Case[])[0];
    expect(absent.memberName).toBe('终乙');
    const done = await editor.post(`/cases/${absent.id}/actions`, {
      action: 'conclude',
      conclusion: { result: 'transferred_out', date: '2026-11-01', to: '鼓楼区某街道党工委' },
    });
    expect(done.statusCode, done.body).toBe(200);
    expect(await cases(names[1])).toEqual([]);
    expect(await memberOf('终乙')).toMatchObject({ member_status: 'transferred_out', ended_on: '2026-11-01' });
    const after = await cases(names[1], '&state=resolved');
    expect(await closing(after.find((c) => c.kind === 'hidden_member')!)).toBe(
      '该党员组织关系已转出，不再计为本主体的党员',
    );
    expect(await t.db.selectFrom('member_link').select('id').where('entity_id', '=', e2.id).execute()).toEqual([]);
    expect(await withMembers(names[1])).toBe(false);
    expect(await figures()).toMatchObject({ withMembers: 1, membersFound: 1, membersOnRoster: 1 });
    await runDiscovery();
    expect(await cases(names[1])).toEqual([]);
    expect(await figures()).toMatchObject({ withMembers: 1, membersFound: 1 });
    await talliesMatchRebuild();
  });

  it('a roster row with a 转出日期 records the member held here as 已转出 on that date, with history, audit and a line in the result; one held nowhere here is refused, saying so', async () => {
    const more = {
      转丙: idNumber(rnd, COUNTY, new Date(1983, 5, 6)),
      转丁: idNumber(rnd, COUNTY, new Date(1984, 7, 8)),
      转戊: idNumber(rnd, COUNTY, new Date(1985, 9, 10)),
      转己: idNumber(rnd, COUNTY, new Date(1986, 10, 11)),
    };
    await roster([{ name: '转丙', id: more.转丙 }]);
    const before = await figures();
    const r = await roster([
      { name: '转丙', id: more.转丙, out: '2026-09-01' },
      { name: '转丁', id: more.转丁, out: '2026-08-01' },
      { name: '转戊', id: more.转戊, status: '已转出' },
      // Came back since: on the roll.
      { name: '转己', id: more.转己, out: '2019-01-01', in: '2021-03-01' },
    ]);
    expect(r.job).toMatchObject({ status: 'done', rows_accepted: 2, rows_rejected: 2, members_left: 1 });
    expect(r.rejections.map((x) => [x.row_no, x.col, x.reason])).toEqual([
      [
        3,
        '转出日期',
        '组织关系已于 2026-08-01 转出，但本单位名册中没有此党员，无从记录转出，此行未导入（转入的党组织导入其名册时登记此人）',
      ],
      [
        4,
        '党员状态',
        '党籍状态为已转出，但本单位名册中没有此党员，无从记录转出，此行未导入（转入的党组织导入其名册时登记此人）',
      ],
    ]);
    // Nobody is created for the rows refused; the one who came back is on the roll.
    expect(await memberOf('转丁')).toBeUndefined();
    expect(await memberOf('转戊')).toBeUndefined();
    expect(await memberOf('转己')).toMatchObject({ member_status: 'normal', ended_on: null });
    const left = (await memberOf('转丙'))!;
    expect(left).toMatchObject({ member_status: 'transferred_out', ended_on: '2026-09-01' });
    expect(await figures()).toMatchObject({ membersOnRoster: before.membersOnRoster });

    // The job says it; the member's page shows the status, the date and the change; the audit names the member.
    const job = (await editor.get(`/imports/${r.job.id}`)).json();
    expect(job.membersLeft).toBe(1);
    const member = (await editor.get(`/members/${left.id}`)).json();
    expect(member).toMatchObject({ status: 'transferred_out', statusLabel: '已转出', endedOn: '2026-09-01' });
    expect(member.history[0].changes).toEqual(
      expect.arrayContaining([
        { field: 'member_status', from: '正常', to: '已转出' },
        { field: 'ended_on', from: null, to: '2026-09-01' },
      ]),
    );
    const audit = await t.db
      .selectFrom('audit_log')
      .select(['object_id', 'detail'])
      .where('action', '=', 'member.transferred_out')
      .execute();
    expect(audit).toEqual([
      { object_id: String(r.job.id), detail: { memberStatus: 'transferred_out', members: [left.id] } },
    ]);

    // The same file again changes nothing more; a later roster naming them on the roll puts them back.
    const again = await roster([{ name: '转丙', id: more.转丙, out: '2026-09-01' }]);
    expect(again.job).toMatchObject({ rows_accepted: 1, rows_changed: 0, members_left: 1 });
    await roster([{ name: '转丙', id: more.转丙 }]);
    expect(await memberOf('转丙')).toMatchObject({ member_status: 'normal', ended_on: null });
    await talliesMatchRebuild();
  });

  it('an organization counts for its rules only the registered members on the roll', async () => {
    const e1 = await t.db.selectFrom('entity').select('id').where('name', '=', names[0]).executeTakeFirstOrThrow();
    const org = await editor.post('/orgs', {
      name: '终甲商贸有限公司党支部',
      kind: 'branch',
      setupMode: 'standalone',
      placeCode: COUNTY,
      status: 'established',
      foundedOn: '2024-07-01',
      entityIds: [e1.id],
    });
    expect(org.statusCode, org.body).toBe(201);
    const memberId = (await memberOf('终甲'))!.id;
    expect((await editor.post(`/orgs/${org.json().id}/members`, { memberId })).statusCode).toBe(201);
    const fullMembers = async () => (await editor.get(`/orgs/${org.json().id}`)).json().fullMembers;
    expect(await fullMembers()).toMatchObject({ registered: 1, count: 1 });
    await roster([{ name: '终甲', status: '去世' }]);
    expect(await fullMembers()).toMatchObject({ registered: 0, found: 0, count: 0 });
  });
});
