import { freePort } from '../helpers/net.js';
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connection.js';
import { hashPassword } from '../../src/crypto/password.js';
import { registerAuditKey, verifyAuditChain } from '../../src/db/audit-chain.js';
import { deriveKeys } from '../../src/crypto/keys.js';
import { periodOfDate } from '../../src/domain/reports/forms.js';
import { ledger } from '../helpers/ledger.js';
import { checksums, pgDatabase, randomBetween, ROUNDS, sleep, tmp, xgz } from './harness.js';

/** The servers run with this master key, so the chain they write can be verified here. */
const KEY = crypto.randomBytes(32).toString('hex');
const withAuditKey = <T extends Parameters<typeof registerAuditKey>[0]>(db: T): T => (
  registerAuditKey(db, deriveKeys(Buffer.from(KEY, 'hex')).auditMac),
  db
);

const COUNTY = '320102';
const PERIOD = periodOfDate('quarter', new Date().toISOString().slice(0, 10));
const password = `Pw-${crypto.randomBytes(6).toString('hex')}A`;
const TABLES = {
  report: `SELECT form, period, jurisdiction_code, state, version, data::text FROM report ORDER BY form, period, jurisdiction_code`,
  versions: `SELECT version, form, period, jurisdiction_code, data::text, note, checks::text, acknowledgement, submitted_by_name FROM report_version ORDER BY report_id, version`,
  events: `SELECT action, version, by_name FROM report_event ORDER BY report_id, id`,
  audit: `SELECT action, outcome FROM audit_log WHERE action LIKE 'report.%' ORDER BY id`,
};

/** A server process on the database; resolves once /readyz says ready. */
async function serve(url: string) {
  const port = await freePort();
  const proc = xgz(
    { DATABASE_URL: url, XGZ_DATA_DIR: tmp('report'), XGZ_DATA_KEY: KEY, PORT: String(port), XGZ_LOG_LEVEL: 'error' },
    ['serve', '--no-demo'],
  );
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (
      await fetch(`${base}/readyz`).then(
        (r) => r.status === 200,
        () => false,
      )
    )
      break;
    if (i > 900 || proc.child.exitCode !== null) throw new Error('server did not become ready');
    await sleep(200);
  }
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'county', password }),
  });
  expect(login.status).toBe(200);
  const { csrfToken } = await login.json();
  const headers = {
    cookie: login.headers.get('set-cookie')!.split(';')[0],
    'x-csrf-token': csrfToken,
    'content-type': 'application/json',
  };
  const post = (path: string, body: unknown, method = 'POST') =>
    fetch(`${base}/api/v1${path}`, { method, headers, body: JSON.stringify(body) });
  const get = (path: string) => fetch(`${base}/api/v1${path}`, { headers: { cookie: headers.cookie } });
  return { proc, post, get };
}

/**
 * kill -9 of the server while a county submits its statistical report, at a random moment of the
 * request; after a restart the clerk looks and submits again if it did not go through: the report,
 * its versions, events and audit records equal one uninterrupted submission's.
 */
describe.runIf(process.env.DATABASE_URL)('kill -9 of the server during a report submission', () => {
  let seed: Awaited<ReturnType<typeof pgDatabase>>;
  const dbs: { drop(): Promise<void> }[] = [];
  beforeAll(async () => {
    seed = await pgDatabase();
    const d = await openDatabase({ databaseUrl: seed.url, poolSize: 2 });
    const l = ledger(d.db);
    await l.station(`${COUNTY}001`, '东所');
    await l.entity({ place: `${COUNTY}001`, name: '报表小吃店', kind: 'individual' });
    await d.db
      .insertInto('app_user')
      .values({
        username: 'county',
        display_name: '县局',
        jurisdiction_code: COUNTY,
        scope_key: COUNTY,
        roles: ['editor'],
        password_hash: await hashPassword(password, 1000),
        must_change_password: false,
      })
      .execute();
    await d.db.destroy();
  });
  afterAll(async () => {
    await Promise.all(dbs.map((x) => x.drop()));
    await seed?.drop();
  });

  const prepareAndSubmit = async (s: Awaited<ReturnType<typeof serve>>, killAfterMs?: number) => {
    const prepared = await s.post('/reports', { form: 'xgz_core', period: PERIOD });
    expect(prepared.status, await prepared.clone().text()).toBe(201);
    const { id } = await prepared.json();
    // The county's one station has not reported: marked 缺报, as a county must before submitting.
    const marked = await s.post(
      `/reports/${id}`,
      { missing: [{ code: `${COUNTY}001`, reason: '所里尚未开展' }] },
      'PATCH',
    );
    expect(marked.status, await marked.clone().text()).toBe(200);
    const t0 = performance.now();
    const submit = s
      .post(`/reports/${id}/submit`, { acknowledgement: '数据已核对', explanation: '所里尚未开展，其数字未计入' })
      .catch(() => null);
    if (killAfterMs !== undefined) setTimeout(() => s.proc.child.kill('SIGKILL'), killAfterMs);
    const res = await submit;
    return { id, status: res?.status ?? null, took: performance.now() - t0 };
  };
  const state = async (url: string) => {
    const d = await openDatabase({ databaseUrl: url, poolSize: 2 });
    try {
      expect((await verifyAuditChain(withAuditKey(d.db))).ok).toBe(true);
      return await checksums(d.db, TABLES);
    } finally {
      await d.close();
    }
  };

  it(`ends as one uninterrupted submission (${ROUNDS} random kill points)`, async () => {
    const clean = await pgDatabase(seed.name);
    dbs.push(clean);
    const s = await serve(clean.url);
    const cleanRun = await prepareAndSubmit(s);
    expect(cleanRun.status).toBe(201);
    const took = cleanRun.took;
    s.proc.child.kill('SIGTERM');
    await s.proc;
    const expected = await state(clean.url);
    expect(expected.versions).toMatch(/^1:/);

    const outcomes: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const d = await pgDatabase(seed.name);
      dbs.push(d);
      const first = await serve(d.url);
      const { id, status } = await prepareAndSubmit(first, randomBetween(0, Math.max(took * 0.9, 5)));
      await first.proc;
      outcomes.push(status === null ? 'killed in flight' : `answered ${status}`);
      // Restart; the clerk looks at the report and submits again if it was not submitted.
      const again = await serve(d.url);
      const rep = await (await again.get(`/reports/${id}`)).json();
      if (rep.state !== 'submitted')
        expect(
          (
            await again.post(`/reports/${id}/submit`, {
              acknowledgement: '数据已核对',
              explanation: '所里尚未开展，其数字未计入',
            })
          ).status,
        ).toBe(201);
      again.proc.child.kill('SIGTERM');
      expect((await again.proc).code).toBe(0);
      expect(await state(d.url), `round ${round}: ${outcomes[round]}`).toEqual(expected);
    }
    console.log(`report submission: ${outcomes.join(', ')}`);
  });
});
