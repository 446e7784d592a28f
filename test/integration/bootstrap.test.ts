import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrap } from '../../src/bootstrap.js';
import { verifyAuditChain } from '../../src/db/audit-chain.js';
import { BACKENDS } from '../helpers/db.js';
import { nextIp, testApp, type TestApp } from '../helpers/app.js';
import { stationCodesUnder } from '../helpers/ledger.js';

describe.each(BACKENDS)('first start on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp(backend);
  });
  afterAll(() => t?.close());

  it('creates the three duty holders and the demo city once, with random passwords that must be changed', async () => {
    const creds = await bootstrap(t.ctx, { demo: true, demoEntities: 300 });
    expect(creds.map((c) => c.username)).toEqual([
      'admin',
      'secadmin',
      'auditor',
      'province_editor',
      'city_editor',
      'county_editor',
      'county2_editor',
      'station_staff',
      'instructor',
    ]);
    expect(new Set(creds.map((c) => c.password)).size).toBe(creds.length);
    expect(await bootstrap(t.ctx, { demo: true, demoEntities: 300 })).toEqual([]);

    const admin = creds[0];
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: admin.username, password: admin.password },
      remoteAddress: nextIp(),
    });
    expect(res.json().stage).toBe('password_change');

    const editor = creds.find((c) => c.username === 'county_editor')!;
    /** A demo account's first sign-in: its printed password, then a new one (the session's next step). */
    const firstSignIn = async (cred: { username: string; password: string }) =>
      t
        .client(
          await t.app.inject({
            method: 'POST',
            url: '/api/v1/auth/login',
            payload: { username: cred.username, password: cred.password },
            remoteAddress: nextIp(),
          }),
        )
        .post('/auth/password', { currentPassword: cred.password, newPassword: 'Demo-Pass-2026' });
    const changed = await firstSignIn(editor);
    expect(changed.json().stage).toBe('full');
    const c = t.client(changed); // the step gave the session a new token
    const stations = (await c.get('/stations')).json();
    expect(stations.total).toBeGreaterThan(2);
    expect(stations.items.every((s: { code: string }) => s.code.startsWith('320102'))).toBe(true);
    // The demo ledger waits as two import jobs; run them as the server would after start.
    const jobs = await t.db.selectFrom('import_job').select(['id', 'kind', 'status']).orderBy('id').execute();
    expect(jobs.map((j) => [j.kind, j.status])).toEqual([
      ['registry', 'queued'],
      ['annual_report', 'queued'],
      ['roster', 'queued'],
    ]);
    await t.app.imports.recover();
    await t.app.imports.idle();
    const done = await t.db
      .selectFrom('import_job')
      .select(['status', 'rows_accepted', 'rows_rejected', 'error'])
      .orderBy('id')
      .execute();
    expect(done.every((j) => j.status === 'done')).toBe(true);
    expect(done[0].rows_accepted).toBeGreaterThan(280);
    const entities = (await c.get('/entities?pageSize=1')).json();
    expect(entities.total).toBeGreaterThan(40);

    // The province bureau's account: the city's stations and entities are its own, consolidated.
    const province = creds.find((x) => x.username === 'province_editor')!;
    expect(province.jurisdiction).toBe('江苏省');
    const p = t.client(await firstSignIn(province));
    const cityStations = await stationCodesUnder(t.db, '3201');
    expect((await p.get('/stations?pageSize=1')).json().total).toBe(cityStations.length);
    const cityEntities = await t.db
      .selectFrom('entity')
      .select((e) => e.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect((await p.get('/entities?pageSize=1')).json().total).toBe(Number(cityEntities.n));
    expect((await verifyAuditChain(t.db)).ok).toBe(true);
  });
});
