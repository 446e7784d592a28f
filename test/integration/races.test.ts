import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { periodOfDate } from '../../src/domain/reports/forms.js';
import { BACKENDS } from '../helpers/db.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { ledger } from '../helpers/ledger.js';

/**
 * Two people acting on one record at the same moment. On PostgreSQL the requests run on separate
 * connections, truly at once; PGlite runs them one after the other, so there the same assertions
 * check the sequential outcome. Either way one move wins, the other gets 409 and writes nothing,
 * and the trail never shows a step after the record was closed.
 */
const A = '320102';
const A1 = '320102001';
const A2 = '320102002';
const ROUNDS = 6;
const PERIOD = periodOfDate('quarter', new Date().toISOString().slice(0, 10));
type Client = Awaited<ReturnType<TestApp['signIn']>>;

describe.each(BACKENDS)('concurrent moves on one record on %s', (backend) => {
  let t: TestApp;
  let county: Client, st1: Client, st2: Client;

  beforeAll(async () => {
    t = await testApp(backend);
    const l = ledger(t.db);
    for (const s of [A1, A2]) await l.station(s);
    await l.entity({ place: A1 });
    county = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: A }));
    st1 = await t.signIn(await t.user({ roles: ['station_staff'], jurisdiction: A1 }));
    st2 = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: A1 }));
  });
  afterAll(() => t?.close());

  const task = async (title: string) => {
    const res = await county.post('/deployments', {
      kind: 'task',
      title,
      body: '请回复',
      dueAt: new Date(Date.now() + 5 * 86_400_000).toISOString(),
      targets: [A1, A2],
    });
    expect(res.statusCode, res.body).toBe(201);
    const id = Number(res.json().id);
    const own = (await st1.get(`/deployments/${id}`)).json().own as { id: number };
    return { id, target: own.id };
  };
  const trail = (targetId: number) =>
    t.db
      .selectFrom('deployment_event')
      .select(['action'])
      .where('target_id', '=', targetId)
      .orderBy('id')
      .execute()
      .then((r) => r.map((e) => e.action));

  it('two clerks of one station sign for the same task at once: one signs, the other is told it is done, one receipt on the trail', async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const { target } = await task(`签收 ${i}`);
      const codes = (
        await Promise.all([
          st1.post(`/deployment-targets/${target}/receive`),
          st2.post(`/deployment-targets/${target}/receive`),
        ])
      ).map((r) => r.statusCode);
      expect(codes.sort()).toEqual([204, 409]);
      expect((await trail(target)).filter((a) => a === 'receive')).toHaveLength(1);
    }
  });

  it('a reply racing the withdrawal: either the reply lands before the close, or it is refused; never a reply after the close', async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const { id, target } = await task(`撤回 ${i}`);
      await st1.post(`/deployment-targets/${target}/receive`);
      const [reply, withdraw] = await Promise.all([
        st1.post(`/deployment-targets/${target}/reply`, { text: `办结 ${i}` }),
        county.post(`/deployments/${id}/withdraw`, { reason: '重复下发' }),
      ]);
      expect(withdraw.statusCode, withdraw.body).toBe(204);
      expect([200, 409], reply.body).toContain(reply.statusCode);
      const actions = await trail(target);
      const state = await t.db
        .selectFrom('deployment_target')
        .select('state')
        .where('id', '=', target)
        .executeTakeFirstOrThrow();
      expect(actions.at(-1)).toBe('close');
      expect(actions.filter((a) => a === 'reply')).toHaveLength(reply.statusCode === 200 ? 1 : 0);
      expect(state.state).toBe(reply.statusCode === 200 ? 'replied' : 'received');
    }
  });

  it('two clerks submit the same report at once: one version, one 409', async () => {
    const prepared = await st2.post('/reports', { form: 'xgz_core', period: PERIOD });
    expect(prepared.statusCode, prepared.body).toBe(201);
    const id = Number(prepared.json().id);
    for (let i = 0; i < 3; i++) {
      const codes = (
        await Promise.all([st2.post(`/reports/${id}/submit`, {}), st2.post(`/reports/${id}/submit`, {})])
      ).map((r) => r.statusCode);
      expect(codes.sort()).toEqual([201, 409]);
      const back = await county.post(`/reports/${id}/return`, { reason: `第 ${i + 1} 版待核实` });
      expect(back.statusCode).toBe(200);
    }
    const versions = await t.db
      .selectFrom('report_version')
      .select('version')
      .where('report_id', '=', id)
      .orderBy('version')
      .execute();
    expect(versions.map((v) => v.version)).toEqual([1, 2, 3]);
  });
});
