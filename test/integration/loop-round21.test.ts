import { afterEach, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/domain/random.js';
import { periodOfDate } from '../../src/domain/reports/forms.js';
import { localDate } from '../../src/domain/time/zone.js';
import { idNumber } from '../../src/demo/ledger.js';
import { setClock } from '../../src/features/worktasks/index.js';
import { csvFile, importFile } from '../helpers/imports.js';
import { BACKENDS } from '../helpers/db.js';
import { ledger } from '../helpers/ledger.js';
import { A, S1, S2, moveProbe, standaloneBranch, type Client } from '../helpers/moves.js';

const rnd = seededRandom(2121);
const DAY = 86_400_000;

/**
 * Round 21: the work loop follows later facts. A task withdrawn (撤回) after some nodes replied is
 * off every node's list of open work and counts no node 逾期 for a deadline that passed after it was
 * called off; a report the level above returns after consolidating it into its own submitted report
 * makes that report 待更新 (the level above it cannot pass it as checked) until it is consolidated
 * again; a secretary whose org relation the roster records 已转出 leaves office that day.
 */
describe.each(BACKENDS)('the work loop follows later facts (round 21) on %s', (backend) => {
  const probe = moveProbe(backend, []);
  const { ok } = probe;
  const done = async (p: Promise<{ statusCode: number; body: string }>) => {
    const res = await p;
    expect(res.statusCode, res.body).toBe(204);
  };
  afterEach(() => setClock());

  it('a task withdrawn after one station replied: the other station’s 未办结 list and 待办 no longer hold it, it cannot reply, and once the deadline passes no station is counted 逾期 for it (the reply stands as done)', async () => {
    const due = new Date(Date.now() + 2 * DAY);
    const id = (
      await ok(
        probe.county.post('/deployments', {
          kind: 'task',
          title: '排查直播带货党员',
          body: '请各所排查',
          dueAt: due.toISOString(),
          targets: [S1, S2],
        }),
      )
    ).json().id as number;
    const own = async (c: Client) => (await ok(c.get(`/deployments/${id}`))).json().own.id as number;
    const [t1, t2] = [await own(probe.s1), await own(probe.s2)];
    await ok(probe.s1.post(`/deployment-targets/${t1}/reply`, { text: '已排查，发现 2 名党员' }));
    const openIds = async (c: Client) =>
      ((await ok(c.get('/deployments?box=received&open=true&pageSize=200'))).json().items as { id: number }[]).map(
        (d) => d.id,
      );
    expect(await openIds(probe.s2)).toContain(id);

    await done(probe.county.post(`/deployments/${id}/withdraw`, { reason: '并入全市专项' }));
    // Called off: not open work at S2 (its list of 未办结 and its 待办 agree), and no reply is taken.
    expect(await openIds(probe.s2)).not.toContain(id);
    const todo = async (c: Client) =>
      ((await ok(c.get('/workbench'))).json().items as { link: string }[]).filter((i) => i.link === `/work/${id}`);
    expect(await todo(probe.s2)).toEqual([]);
    expect((await probe.s2.post(`/deployment-targets/${t2}/reply`, { text: '补报' })).statusCode).toBe(409);
    // Closed ones are under 已办结 / 已关闭 instead.
    expect(
      ((await ok(probe.s2.get('/deployments?box=received&open=false&pageSize=200'))).json().items as { id: number }[])
        .map((d) => d.id)
        .includes(id),
    ).toBe(true);

    // The deadline passes: S2 did nothing wrong; S1's reply stands.
    setClock(() => new Date(due.getTime() + DAY));
    const board = (await ok(probe.county.get(`/deployments/${id}/board`))).json();
    expect(board.counts).toMatchObject({ total: 2, done: 1, overdue: 0 });
    expect(board.targets.find((x: { id: number }) => x.id === t2).status).not.toBe('overdue');
    const issued = (
      (await ok(probe.county.get('/deployments?box=issued&pageSize=200'))).json().items as {
        id: number;
        counts: { overdue: number; done: number };
      }[]
    ).find((d) => d.id === id)!;
    expect(issued.counts).toMatchObject({ done: 1, overdue: 0 });
    expect((await ok(probe.s2.get(`/deployments/${id}`))).json().mine?.status ?? 'none').not.toBe('overdue');
    const received = (
      (await ok(probe.s2.get('/deployments?box=received&pageSize=200'))).json().items as {
        id: number;
        mine: { status: string };
      }[]
    ).find((d) => d.id === id)!;
    expect(received.mine.status).not.toBe('overdue');
  });

  it('a task withdrawn after its deadline keeps the 逾期 it had: the stations that had not replied by then were overdue', async () => {
    const due = new Date(Date.now() + DAY);
    const id = (
      await ok(
        probe.county.post('/deployments', {
          kind: 'task',
          title: '排查网约车党员',
          body: '请各所排查',
          dueAt: due.toISOString(),
          targets: [S1, S2],
        }),
      )
    ).json().id as number;
    setClock(() => new Date(due.getTime() + DAY));
    await done(probe.county.post(`/deployments/${id}/withdraw`, { reason: '逾期未报，改为现场核查' }));
    setClock(() => new Date(due.getTime() + 5 * DAY));
    expect((await ok(probe.county.get(`/deployments/${id}/board`))).json().counts).toMatchObject({
      total: 2,
      overdue: 2,
    });
  });

  it('a station report the county returns after consolidating it into its own submitted report makes that report 待更新 with the reason: the city cannot pass it as checked; the station’s resubmission flows back up', async () => {
    const period = periodOfDate('quarter', localDate());
    const editor = async (code: string) =>
      probe.t.signIn(await probe.t.user({ roles: ['editor'], jurisdiction: code }));
    const [st1, st2, city] = [await editor(S1), await editor(S2), await editor('320100')];
    await ledger(probe.t.db).entity({ place: S1, name: '玄武区退回汇总商行', kind: 'individual' });
    const prepare = async (c: Client) =>
      (await ok(c.post('/reports', { form: 'xgz_core', period }))).json() as { id: number; state: string };
    const submit = (c: Client, rid: number) => ok(c.post(`/reports/${rid}/submit`, { explanation: '已核实' }));
    const r1 = await prepare(st1);
    await submit(st1, r1.id);
    await submit(st2, (await prepare(st2)).id);
    const county = await prepare(probe.county);
    await submit(probe.county, county.id);
    const countyReport = async () =>
      (await ok(probe.county.get(`/reports/${county.id}`))).json() as {
        state: string;
        outdated: { reason: string } | null;
        actions: string[];
      };
    expect((await countyReport()).outdated).toBeNull();

    await ok(probe.county.post(`/reports/${r1.id}/return`, { reason: '漏报新登记个体户' }));
    // The county's submitted report counts a version it has itself returned: 待更新, and it says why.
    const after = await countyReport();
    expect(after.state).toBe('submitted');
    expect(after.outdated?.reason).toMatch(/^本级于 \d{4}-\d{2}-\d{2} 退回第001所第 1 版（漏报新登记个体户）/);
    expect(after.actions).toEqual(['prepare']);
    const board = (await ok(city.get(`/reports?form=xgz_core&period=${encodeURIComponent(period)}`))).json() as {
      children: { code: string; report: { outdated: boolean } | null }[];
    };
    expect(board.children.find((c) => c.code === A)!.report!.outdated).toBe(true);
    expect((await city.post(`/reports/${county.id}/accept`)).statusCode).toBe(409);
    // Nor does the city's 待办 ask it to review a report it cannot pass: it waits for the county.
    const cityReview = async () =>
      ((await ok(city.get('/workbench?kind=report'))).json().items as { key: string; count: number }[]).find(
        (i) => i.key === `report:review:xgz_core:${period}`,
      );
    expect(await cityReview()).toBeUndefined();
    const keys = async () =>
      ((await ok(probe.county.get('/workbench?kind=report'))).json().items as { key: string }[]).map((i) => i.key);
    expect(await keys()).toContain(`report:outdated:${county.id}`);

    // The station reports again: the county consolidates it and submits; the mark is gone.
    await submit(st1, (await prepare(st1)).id);
    expect((await countyReport()).outdated?.reason).toMatch(/^第001所于 .* 重新上报第 2 版/);
    await submit(probe.county, (await prepare(probe.county)).id);
    expect((await countyReport()).outdated).toBeNull();
    expect(await keys()).not.toContain(`report:outdated:${county.id}`);
    expect(await cityReview()).toMatchObject({ count: 1 });
  });

  it('a secretary whose org relation the roster records 已转出 leaves office that day (the term as entered): the list shows no secretary, a successor can be appointed; a later roster bringing them back restores the office only where no one took the seat', async () => {
    const l = ledger(probe.t.db);
    const e = await l.entity({ place: S1, name: '玄武区书记转出公司' });
    const people = ['转出甲', '转出乙', '转出丙'].map((name, i) => ({
      name,
      id: idNumber(rnd, A, new Date(1975 + i, 4, 5)),
    }));
    const importer = await probe.t.user({ roles: ['editor'], jurisdiction: A });
    let files = 0;
    const roster = async (out: string) =>
      expect(
        (
          await importFile(
            probe.t,
            'roster',
            csvFile(
              probe.dir,
              `r21-roster-${++files}.csv`,
              people.map((p, i) => ({
                姓名: p.name,
                公民身份号码: p.id,
                党员类别: '正式党员',
                入党日期: '2010-07-01',
                组织关系所在党组织: '玄武区书记转出公司党支部',
                党员状态: '正常',
                转出日期: i ? '' : out,
              })),
            ),
            { id: importer.id, scopeKey: await probe.keyOf(A) },
          )
        ).rejections,
      ).toEqual([]);
    await roster('');
    const { org, persons } = await standaloneBranch(
      probe,
      '玄武区书记转出公司党支部',
      e,
      people.map((p) => p.name),
      '2025-03-01',
    );
    const officers = async () =>
      (await ok(probe.county.get(`/orgs/${org}`))).json().officers as {
        personId: number;
        termEnd: string;
        leftOn: string | null;
        leftReason: string | null;
      }[];
    const secretary = async () =>
      (
        (await ok(probe.county.get(`/orgs?q=${encodeURIComponent('玄武区书记转出公司党支部')}`))).json().items[0] as {
          secretary: string | null;
        }
      ).secretary;
    const [entered] = await officers();
    expect(await secretary()).toBe('转出甲');

    await roster('2026-09-01');
    expect(await officers()).toEqual([
      expect.objectContaining({
        personId: persons[0],
        termEnd: entered.termEnd,
        leftOn: localDate(),
        leftReason: '党员组织关系已转出',
      }),
    ]);
    expect(await secretary()).toBeNull();

    // Back on this roster (the entry was a mistake): in office again.
    await roster('');
    expect((await officers())[0]).toMatchObject({ leftOn: null, leftReason: null });
    expect(await secretary()).toBe('转出甲');

    // Out again; a successor takes the seat; back on the roster, the seat stays with the successor.
    await roster('2026-09-01');
    await ok(
      probe.county.post(`/orgs/${org}/officers`, { personId: persons[1], role: 'secretary', termStart: localDate() }),
    );
    await roster('');
    const now = await officers();
    expect(now.find((f) => f.personId === persons[0])).toMatchObject({ leftReason: '党员组织关系已转出' });
    expect(await secretary()).toBe('转出乙');
  });

  it('an instructor stood down (停用) with follow-ups left open: the station that keeps them has them in its 待办 until each is done, as the instructor had', async () => {
    const l = ledger(probe.t.db);
    const e = await l.entity({ place: S1, name: '玄武区跟进事项商行' });
    const instructor = await l.instructor(S1, '停用指导员');
    await ok(probe.s1.post(`/instructors/${instructor}/assignments`, { target: 'entity', targetId: e }));
    const record = async (followUp: string) =>
      (
        await ok(
          probe.s1.post('/guidance-records', {
            instructorId: instructor,
            entityId: e,
            onDate: localDate(),
            kind: 'visit',
            content: '走访了解党员情况',
            followUp,
          }),
        )
      ).json().id as number;
    const [first] = [await record('协助办理党员组织关系转接'), await record('下月再访，帮助联系个私协会')];
    const todo = async (c: Client) =>
      (
        (await ok(c.get('/workbench?kind=guidance'))).json().items as { key: string; count: number; link: string }[]
      ).filter((i) => i.key.startsWith('guidance:'));
    // In post, the follow-ups are the instructor's own work, not the station's list.
    expect(await todo(probe.s1)).toEqual([]);

    await ok(probe.s1.patch(`/instructors/${instructor}`, { status: 'inactive' }));
    expect(await todo(probe.s1)).toEqual([
      expect.objectContaining({ key: 'guidance:left-open', count: 2, link: '/instructors?tab=guidance&followUp=open' }),
    ]);
    // Not the other station's, not the county's (the station keeps its instructors).
    expect(await todo(probe.s2)).toEqual([]);
    expect(await todo(probe.county)).toEqual([]);
    await ok(probe.s1.patch(`/guidance-records/${first}`, { followUpDone: true }));
    expect((await todo(probe.s1))[0]).toMatchObject({ count: 1 });
    // Back in post: the instructor's own again.
    await ok(probe.s1.patch(`/instructors/${instructor}`, { status: 'active' }));
    expect(await todo(probe.s1)).toEqual([]);
  });
});
