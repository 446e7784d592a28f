import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { bootstrap } from '../../src/bootstrap.js';
import { verifyAuditChain } from '../../src/db/audit-chain.js';
import { registerDemoOrgs } from '../../src/demo/jurisdiction.js';
import { registerDemoWork, type DemoWork } from '../../src/demo/work.js';
import { BACKENDS } from '../helpers/db.js';
import { nextIp, testApp, type TestApp } from '../helpers/app.js';

const count = async (t: TestApp, table: string, where = 'true') =>
  Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.raw(table)} WHERE ${sql.raw(where)}`.execute(t.db)).rows[0].n);

describe.each(BACKENDS)('the demo work ledgers on %s', (backend) => {
  let t: TestApp;
  let work: DemoWork;
  beforeAll(async () => {
    t = await testApp(backend);
    // As `npm start` does on a fresh data dir, on a smaller city: import, register the declared organizations, then the work.
    await bootstrap(t.ctx, { demo: true, demoEntities: 1500 });
    await t.app.imports.recover();
    await t.app.imports.idle();
    expect((await t.db.selectFrom('import_job').select('status').execute()).every((j) => j.status === 'done')).toBe(true);
    expect(await registerDemoOrgs(t.ctx)).toBeGreaterThan(4);
    work = await registerDemoWork(t.ctx);
  }, 240_000);
  afterAll(() => t?.close());

  it('gives every ledger rows, each step audited once as the city editor', async () => {
    expect(work.officers.secretaries).toBeGreaterThan(3);
    expect(await count(t, 'party_org_member')).toBe(work.officers.members);
    expect(await count(t, 'party_org_officer', "role = 'secretary'")).toBe(work.officers.secretaries);
    expect(await count(t, 'training_class')).toBe(5);
    expect(await count(t, 'training_trainee', 'completed')).toBeGreaterThan(0);
    expect(await count(t, 'recognition_point')).toBeGreaterThanOrEqual(5);
    expect(await count(t, 'point_review')).toBe(1);
    expect(await count(t, 'honour')).toBeGreaterThanOrEqual(10);
    expect(await count(t, 'honour', "state = 'revoked' AND revoke_reason IS NOT NULL")).toBe(1);
    expect(await count(t, 'honour', "state = 'awarded' AND level IS NOT NULL AND year IS NOT NULL")).toBeGreaterThan(2);
    expect(await count(t, 'campaign', "theme = 'theme_education'")).toBe(1);
    expect(await count(t, 'campaign_org')).toBeGreaterThan(0);
    expect(await count(t, 'campaign_activity')).toBeGreaterThan(1);
    expect(await count(t, 'sanliang')).toBeGreaterThan(5);
    expect(await count(t, 'sanliang_plaque', "state = 'revoked'")).toBe(1);
    // One org relation per member; secretaries are registered members of their organization.
    expect(await count(t, 'party_org_officer f', 'NOT EXISTS (SELECT 1 FROM party_org_member m WHERE m.org_id = f.org_id AND m.person_id = f.person_id)')).toBe(0);
    const audits = await t.db.selectFrom('audit_log').select(['action', 'actor_name']).where(sql<boolean>`detail->>'demo' = 'true'`).orderBy('id').execute();
    expect(audits.map((a) => a.action)).toEqual(['org.from_reports', 'instructor.create', 'org.officer_add', 'training.create', 'point.create', 'honour.nominate', 'campaign.create', 'sanliang.create']);
    expect(new Set(audits.map((a) => a.actor_name))).toEqual(new Set(['city_editor']));
    expect((await verifyAuditChain(t.db)).ok).toBe(true);
  });

  it('shows a clerk sensible figures: the training indicator, term reminders, the lists', async () => {
    const c = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: '320100' }));
    const ind = (await c.get('/trainings/indicator')).json();
    expect(ind.total.all.secretaries).toBe(work.officers.secretaries);
    expect(ind.total.all.share).toBeGreaterThan(0);
    expect(ind.total.all.share).toBeLessThan(1);
    const reminders = (await c.get('/orgs/term-reminders')).json();
    expect(reminders.items.length).toBeGreaterThan(0);
    expect(reminders.items.every((r: { due: string | null }) => r.due === 'due')).toBe(true);
    for (const list of ['/orgs', '/trainings', '/trainings/secretaries', '/points', '/honours', '/campaigns', '/sanliang']) {
      const res = await c.get(`${list}?pageSize=5`);
      expect(res.statusCode, list).toBe(200);
      expect(res.json().total, list).toBeGreaterThan(0);
    }
    expect((await c.get('/points?reviewDue=true')).json().total).toBeGreaterThan(0);
    const states = new Set(((await c.get('/honours?pageSize=50')).json().items as { state: string }[]).map((h) => h.state));
    expect([...states].sort()).toEqual(['approved', 'awarded', 'nominated', 'rejected', 'revoked']);
  });

  it('issues plaques the public page verifies', async () => {
    const plaques = await t.db.selectFrom('sanliang_plaque').select(['number', 'state']).orderBy('id').execute();
    expect(plaques.filter((p) => p.state === 'valid').length).toBeGreaterThan(plaques.length / 2);
    for (const p of plaques) {
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/public/plaques/${encodeURIComponent(p.number)}`, remoteAddress: nextIp() });
      expect(res.statusCode).toBe(200);
      expect(res.json().verdict).toBe(p.state);
    }
  });
});
