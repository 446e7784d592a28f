import { afterEach, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/domain/random.js';
import { periodOfDate } from '../../src/domain/reports/forms.js';
import { localDate } from '../../src/domain/time/zone.js';
import { idNumber } from '../../src/demo/ledger.js';
import { setClock } from '../../src/features/worktasks/index.js';
import { csvFile, importFile } from '../helpers/imports.js';
import { BACKENDS } from '../helpers/db.js';
import { ledger } from '../helpers/ledger.js';
import { A, S1, S2, moveProbe, type Client } from '../helpers/moves.js';

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

});
