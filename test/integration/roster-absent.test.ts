import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { seededRandom } from '../../src/domain/random.js';
import { idNumber } from '../../src/demo/ledger.js';
import { BACKENDS } from '../helpers/db.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { csvFile, importFile, tmpDir } from '../helpers/imports.js';
import { Interrupted } from '../../src/jobs/import/pipeline.js';
import { handBack } from '../../src/jobs/import/lease.js';

/**
 * A member missing from a later full roster (名册中已不存在): a full roster's successful end raises
 * a case for each member of the organizations it carries that it did not have; a partial roster, a
 * failed or stopped job raise none; a member whose row was refused was seen; an import carrying
 * the member again closes the case; its conclusions record the member's status; and a county
 * sees, and its rosters reach, only its own members.
 */
type Client = Awaited<ReturnType<TestApp['signIn']>>;
type Case = { id: number; kind: string; state: string; memberName: string | null; entityName: string };

const rnd = seededRandom(8484);
const COUNTY = '320102';
const OTHER = '320104';
const id = (birth: string) => idNumber(rnd, COUNTY, new Date(birth));

describe.each(BACKENDS)('members missing from a full roster on %s', (backend) => {
  let t: TestApp;
  let editor: Client;
  let stranger: Client;
  let importer: { id: number; scopeKey: string };
  let otherImporter: { id: number; scopeKey: string };
  const dir = tmpDir();
  let files = 0;
  const P = {
    甲: id('1970-01-01'),
    乙: id('1971-02-02'),
    丙: id('1972-03-03'),
    丁: id('1973-04-04'),
    戊: id('1974-05-05'),
    己: id('1975-06-06'),
    庚: id('1976-07-07'),
    辛: id('1977-08-08'),
  };
  const row = (name: string, org: string, idNo?: string) => ({
    姓名: name,
    公民身份号码: idNo ?? P[name as keyof typeof P],
    人员类别: '正式党员',
    所在党支部: org,
  });
  const roster = (
    rows: Record<string, string>[],
    o: {
      full?: boolean;
      who?: { id: number; scopeKey: string };
      batchSize?: number;
      afterBatch?: () => void;
      shouldStop?: () => boolean;
    } = {},
  ) =>
    importFile(t, 'roster', csvFile(dir, `roster${++files}.csv`, rows), o.who ?? importer, {
      fullRoster: o.full,
      batchSize: o.batchSize,
      afterBatch: o.afterBatch,
      shouldStop: o.shouldStop,
    });
  const absentCases = async (c: Client = editor, state?: string) =>
    (await c.get(`/cases?kind=roster_absent&pageSize=50${state ? `&state=${state}` : ''}`)).json().items as Case[];
  const memberOf = async (name: string) =>
    t.db
      .selectFrom('member as m')
      .innerJoin('person as p', 'p.id', 'm.person_id')
      .select(['m.id', 'm.member_status', 'm.org_relation'])
      .where('p.name', '=', name)
      .executeTakeFirstOrThrow();

  beforeAll(async () => {
    t = await testApp(backend);
    const u = await t.user({ roles: ['editor'], jurisdiction: COUNTY });
    importer = { id: u.id, scopeKey: COUNTY };
    editor = await t.signIn(u);
    const o = await t.user({ roles: ['editor'], jurisdiction: OTHER });
    otherImporter = { id: o.id, scopeKey: OTHER };
    stranger = await t.signIn(o);
    // The county's roster: 甲 乙 丙 in 第一支部, 丁 in 第二支部, 戊 己 庚 in 第三支部.
    const first = await roster([
      row('甲', '第一支部'),
      row('乙', '第一支部'),
      row('丙', '第一支部'),
      row('丁', '第二支部'),
      row('戊', '第三支部'),
      row('己', '第三支部'),
      row('庚', '第三支部'),
    ]);
    expect(first.job).toMatchObject({ status: 'done', rows_accepted: 7, full_roster: false, absent_members: null });
  });
  afterAll(() => t?.close());

  it('a partial roster changes nothing for the members it lacks', async () => {
    const r = await roster([row('甲', '第一支部')]);
    expect(r.job).toMatchObject({ status: 'done', absent_members: null });
    expect(await absentCases()).toEqual([]);
  });

  it('a failed or stopped full roster raises nothing, and leaves no seen rows behind', async () => {
    await expect(
      roster([row('甲', '第一支部'), row('乙', '第一支部')], {
        full: true,
        batchSize: 1,
        afterBatch: () => {
          throw new Error('磁盘已满');
        },
      }),
    ).rejects.toThrow('磁盘已满');
    const failed = await t.db
      .selectFrom('import_job')
      .selectAll()
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    expect(failed).toMatchObject({ status: 'failed', full_roster: true, absent_members: null });
    expect(await absentCases()).toEqual([]);
    expect(await t.db.selectFrom('import_roster_seen').selectAll().execute()).toEqual([]);
    // Stopped between batches (shutdown): not finished, nothing raised; handed back, its seen rows go.
    await expect(
      roster([row('甲', '第一支部'), row('乙', '第一支部')], { full: true, batchSize: 1, shouldStop: () => true }),
    ).rejects.toThrow(Interrupted);
    const stopped = await t.db
      .selectFrom('import_job')
      .selectAll()
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    expect(stopped).toMatchObject({ status: 'running', absent_members: null });
    expect(await absentCases()).toEqual([]);
    expect(await t.db.selectFrom('import_roster_seen').selectAll().execute()).not.toEqual([]);
    expect(await handBack(t.db, stopped.id)).toBe(true);
    expect(await t.db.selectFrom('import_roster_seen').selectAll().execute()).toEqual([]);
    await t.db.updateTable('import_job').set({ status: 'cancelled' }).where('id', '=', stopped.id).execute();
  });

  it('a full roster raises a case for each member of its organizations it lacks; a refused row is not absent; other organizations are left alone', async () => {
    // 丙's row is refused (the number Excel turned into scientific notation): 丙 was seen, not absent.
    const r = await roster([row('甲', '第一支部'), row('丙', '第一支部', '3.20102E+17')], { full: true });
    expect(r.job).toMatchObject({ status: 'done', rows_accepted: 1, rows_rejected: 1, absent_members: 1 });
    const cases = await absentCases();
    expect(cases).toMatchObject([
      { kind: 'roster_absent', state: 'open', memberName: '乙', entityName: '党组织：第一支部' },
    ]);
    const d = (await editor.get(`/cases/${cases[0].id}`)).json();
    expect(d).toMatchObject({
      kindLabel: '名册中已不存在',
      condition: expect.stringMatching(/完整名册中已没有此人/),
      member: { name: '乙', orgRelation: '第一支部' },
      evidence: { orgRelation: '第一支部', importJob: r.job.id },
      actions: ['contact', 'conclude'],
    });
    expect(d.events[0]).toMatchObject({
      action: 'raised',
      detail: { change: { label: expect.stringMatching(/完整党员名册/) } },
    });
    // The county's 待办 counts it with its other cases.
    const todo = (await editor.get('/workbench')).json();
    expect(JSON.stringify(todo)).toMatch(/核实线索 1 条/);
    // The same full roster again: no second case for 乙.
    const again = await roster([row('甲', '第一支部'), row('丙', '第一支部')], { full: true });
    expect(again.job.absent_members).toBe(0);
    expect(await absentCases()).toHaveLength(1);
  });

  it('a later import that carries the member again closes the case itself', async () => {
    const [open] = await absentCases();
    await roster([row('乙', '第一支部')]);
    expect(await absentCases()).toEqual([]);
    const d = (await editor.get(`/cases/${open.id}`)).json();
    expect(d.state).toBe('resolved');
    expect(d.events.at(-1)).toMatchObject({
      action: 'auto_closed',
      detail: { reason: '再次导入的名册中有该党员', change: { label: expect.stringMatching(/导入任务 #\d+/) } },
    });
  });

  it('concludes each case with what became of the member: 已转出, 去世 change the member with history; 仍在册 keeps them', async () => {
    const r = await roster([row('辛', '第三支部')], { full: true });
    expect(r.job.absent_members).toBe(3);
    const byName = Object.fromEntries((await absentCases()).map((c) => [c.memberName, c.id]));
    // 名册党员 (the trigger-kept tally) counts the members on the roll.
    const onRoster = async () =>
      (
        await t.db
          .selectFrom('member_tally')
          .select('on_roster')
          .where('scope_key', '=', COUNTY)
          .executeTakeFirstOrThrow()
      ).on_roster;
    const before = await onRoster();
    const act = (caseId: number, body: object) => editor.post(`/cases/${caseId}/actions`, body);

    // Refusals, each naming what is missing; nothing changes.
    const noDate = await act(byName['戊'], { action: 'conclude', conclusion: { result: 'stopped' } });
    expect(noDate.statusCode).toBe(400);
    expect(noDate.json().errors).toEqual([{ field: 'conclusion.date', message: '请填写停止党籍的日期' }]);
    const noReason = await act(byName['庚'], { action: 'conclude', conclusion: { result: 'on_roll' } });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().errors[0].field).toBe('reason');
    const wrongAction = await act(byName['庚'], { action: 'confirm' });
    expect(wrongAction.statusCode).toBe(409);
    expect((await memberOf('戊')).member_status).toBe('normal');

    const moved = await act(byName['戊'], {
      action: 'conclude',
      conclusion: { result: 'transferred_out', date: '2026-11-01', to: '鼓楼区某街道党工委' },
    });
    expect(moved.json()).toMatchObject({ state: 'transferred', stateLabel: '已转接组织关系' });
    expect(await memberOf('戊')).toMatchObject({
      member_status: 'transferred_out',
      org_relation: '鼓楼区某街道党工委',
    });
    const died = await act(byName['己'], {
      action: 'conclude',
      conclusion: { result: 'deceased', date: '2026-10-12' },
    });
    expect(died.json().state).toBe('confirmed');
    expect((await memberOf('己')).member_status).toBe('deceased');
    const kept = await act(byName['庚'], {
      action: 'conclude',
      conclusion: { result: 'on_roll' },
      reason: '组织部门导出时遗漏',
    });
    expect(kept.json().state).toBe('dismissed');
    expect((await memberOf('庚')).member_status).toBe('normal');
    expect(await onRoster()).toBe(before - 2);

    // The member's history and the audit trail keep who changed what.
    const member = (await editor.get(`/members/${(await memberOf('己')).id}`)).json();
    expect(JSON.stringify(member.history)).toMatch(/去世/);
    const audit = await t.db
      .selectFrom('audit_log')
      .select(['action', 'detail'])
      .where('action', '=', 'case.conclude')
      .execute();
    expect(audit).toHaveLength(3);

    // The next full roster of 第三支部 without them: the ended members and the kept one raise nothing.
    const next = await roster([row('辛', '第三支部')], { full: true });
    expect(next.job.absent_members).toBe(0);
    // A roster naming 戊 again puts them back on the roll (the roster is the later fact).
    await roster([row('戊', '第三支部')]);
    expect((await memberOf('戊')).member_status).toBe('normal');
    expect(await onRoster()).toBe(before - 1);
    // The full rebuild counts as the trigger did.
    await sql`SELECT xgz_member_tally_rebuild()`.execute(t.db);
    expect(await onRoster()).toBe(before - 1);
    // Back on the roll and missing again from a full roster: a new case (the 已转出 one is history).
    const missingAgain = await roster([row('辛', '第三支部')], { full: true });
    expect(missingAgain.job.absent_members).toBe(1);
    expect((await absentCases(editor, 'open')).map((c) => c.memberName)).toEqual(['戊']);
    await act((await absentCases(editor, 'open'))[0].id, {
      action: 'conclude',
      conclusion: { result: 'on_roll' },
      reason: '核实仍在册',
    });
  });

  it('keeps to the county: another county neither sees its cases nor raises any with a full roster of a namesake branch', async () => {
    await roster([row('甲', '第一支部')], { full: true }); // 乙 and 丙 absent: new cases
    const mine = await absentCases(editor, 'open');
    expect(mine.map((c) => c.memberName).sort()).toEqual(['丙', '乙']);
    expect(await absentCases(stranger)).toEqual([]);
    expect((await stranger.get(`/cases/${mine[0].id}`)).statusCode).toBe(404);
    expect(
      (
        await stranger.post(`/cases/${mine[0].id}/actions`, {
          action: 'conclude',
          conclusion: { result: 'on_roll' },
          reason: 'x',
        })
      ).statusCode,
    ).toBe(404);
    const theirs = await roster([row('张三', '第一支部', idNumber(rnd, OTHER, new Date('1980-01-01')))], {
      full: true,
      who: otherImporter,
    });
    expect(theirs.job).toMatchObject({ status: 'done', absent_members: 0 });
    expect(await absentCases(editor, 'open')).toHaveLength(2);
  });

  it('records a member the full roster says has left (转出日期) as 已转出, not as absent: no case', async () => {
    const [壬, 癸] = [id('1978-09-09'), id('1979-10-10')];
    await roster([row('壬', '第四支部', 壬), row('癸', '第四支部', 癸)]);
    // The member system's export still lists 癸 with the date the relation went out: recorded, no case.
    const r = await roster(
      [
        { ...row('壬', '第四支部', 壬), 转出日期: '' },
        { ...row('癸', '第四支部', 癸), 转出日期: '2026-09-01' },
      ],
      {
        full: true,
      },
    );
    expect(r.job).toMatchObject({ status: 'done', rows_rejected: 0, absent_members: 0, members_left: 1 });
    expect((await absentCases(editor, 'open')).map((c) => c.memberName)).not.toContain('癸');
    expect(await memberOf('癸')).toMatchObject({ member_status: 'transferred_out' });
  });

  // The raising, closing and concluding writers log each case to the change feed themselves
  // (migration 0247): an insert per case, an update per case no longer open.
  it('tells the change feed of every case raised, closed and concluded', async () => {
    // The cases and the log read apart (on Citus the cases are distributed and the log is not).
    const cases = await sql<{ id: string; state: string }>`
      SELECT id::text, state FROM discovery_case WHERE kind = 'roster_absent' ORDER BY id`.execute(t.db);
    const log = await sql<{ id: string; op: string }>`
      SELECT object_id::text AS id, op FROM change_log WHERE kind = 'case' ORDER BY xid, seq`.execute(t.db);
    const lines = {
      rows: cases.rows.map((c) => ({ ...c, ops: log.rows.filter((l) => l.id === c.id).map((l) => l.op) })),
    };
    expect(lines.rows.length).toBeGreaterThan(0);
    expect(lines.rows.some((r) => r.state === 'resolved')).toBe(true);
    for (const r of lines.rows) {
      expect(r.ops[0]).toBe('insert');
      if (r.state !== 'open') expect(r.ops).toContain('update');
    }
  });
});
