import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { bootstrap, type Credential } from '../../src/bootstrap.js';
import { verifyAuditChain } from '../../src/db/audit-chain.js';
import { registerDemoOrgs } from '../../src/demo/jurisdiction.js';
import { registerDemoWork, type DemoWork } from '../../src/demo/work.js';
import { BACKENDS } from '../helpers/db.js';
import { nextIp, testApp, type TestApp } from '../helpers/app.js';

const count = async (t: TestApp, table: string, where = 'true') =>
  Number(
    (await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.raw(table)} WHERE ${sql.raw(where)}`.execute(t.db))
      .rows[0].n,
  );

describe.each(BACKENDS)('the demo work ledgers on %s', (backend) => {
  let t: TestApp;
  let work: DemoWork;
  let creds: Credential[];
  beforeAll(async () => {
    t = await testApp(backend);
    // As `npm start` does on a fresh data dir, on a smaller city: import, register the declared organizations, then the work.
    creds = await bootstrap(t.ctx, { demo: true, demoEntities: 1500 });
    await t.app.imports.recover();
    await t.app.imports.idle();
    expect((await t.db.selectFrom('import_job').select('status').execute()).every((j) => j.status === 'done')).toBe(
      true,
    );
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
    expect(
      await count(
        t,
        'party_org_officer f',
        'NOT EXISTS (SELECT 1 FROM party_org_member m WHERE m.org_id = f.org_id AND m.person_id = f.person_id)',
      ),
    ).toBe(0);
    const audits = await t.db
      .selectFrom('audit_log')
      .select(['action', 'actor_name'])
      .where(sql<boolean>`detail->>'demo' = 'true'`)
      .orderBy('id')
      .execute();
    expect(audits.map((a) => a.action)).toEqual([
      'org.from_reports',
      'instructor.create',
      'org.officer_add',
      'training.create',
      'point.create',
      'honour.nominate',
      'campaign.create',
      'sanliang.create',
      'platform.create',
      'assistance.create',
      'visit_plan.create',
    ]);
    expect(new Set(audits.map((a) => a.actor_name))).toEqual(new Set(['city_editor']));
    expect((await verifyAuditChain(t.db)).ok).toBe(true);
  });

  it("gives the demo instructor's login its own round: bound to its record, entities and an organization assigned, two visits logged", async () => {
    const c = creds.find((x) => x.username === 'instructor')!;
    expect(c.role).toBe('党建指导员');
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: c.username, password: c.password },
      remoteAddress: nextIp(),
    });
    const changed = await t
      .client(login)
      .post('/auth/password', { currentPassword: c.password, newPassword: 'Demo-Pass-2026' });
    expect(changed.json().stage).toBe('full');
    const me = t.client(changed); // the step gave the session a new token
    const mine = (await me.get('/instructors/mine')).json();
    expect(mine.instructor.name).toBe('周志明');
    expect(mine.entities.length).toBeGreaterThan(2);
    expect(mine.assignments.map((a: { target: string }) => a.target)).toContain('org');
    expect(mine.guidance).toHaveLength(2);
    // Row-level security: the guidance log shows this instructor's visits only.
    const log = (await me.get('/guidance-records?pageSize=50')).json();
    expect(log.total).toBe(2);
    expect(await count(t, 'guidance_record')).toBeGreaterThan(2);
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
    for (const list of [
      '/orgs',
      '/trainings',
      '/trainings/secretaries',
      '/points',
      '/honours',
      '/campaigns',
      '/sanliang',
    ]) {
      const res = await c.get(`${list}?pageSize=5`);
      expect(res.statusCode, list).toBe(200);
      expect(res.json().total, list).toBeGreaterThan(0);
    }
    expect((await c.get('/points?reviewDue=true')).json().total).toBeGreaterThan(0);
    const states = new Set(
      ((await c.get('/honours?pageSize=50')).json().items as { state: string }[]).map((h) => h.state),
    );
    expect([...states].sort()).toEqual(['approved', 'awarded', 'nominated', 'rejected', 'revoked']);
  });

  it('fills the appeals work list and figures: cases in every state with step times and ratings, visits with problems, rights problems answered above the station', async () => {
    expect(work.appeals).toMatchObject({ appeals: 80, visits: 30 });
    expect(work.appeals.problems).toBeGreaterThan(5);
    const c = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: '320100' }));
    const f = (await c.get('/appeals/figures')).json();
    expect(f.total.total).toBe(80 + work.appeals.problems + (await count(t, 'appeal_case', "door = 'plaque'")));
    // Work waiting, being done, answered and closed.
    expect(Object.keys(f.byState)).toEqual(expect.arrayContaining(['resolved', 'closed']));
    expect(f.total.open).toBeGreaterThan(0);
    expect(f.total.satisfaction).toBeGreaterThan(3);
    expect(f.total).toMatchObject({ visits: 30, entitiesVisited: 30 });
    for (const s of f.steps.filter((x: { step: string }) => x.step !== 'route'))
      expect(s.p50Hours, s.step).toBeGreaterThan(0);
    expect(f.children.filter((k: { total: number }) => k.total > 0).length).toBe(4);
    expect(await count(t, 'appeal_case', "unit_kind IN ('committee', 'platform')")).toBeGreaterThan(0);
    // Every case's events replay its moves in order, the first being its intake.
    expect(
      await count(
        t,
        'appeal_case c',
        "(SELECT action FROM appeal_event e WHERE e.case_id = c.id ORDER BY id LIMIT 1) <> 'intake'",
      ),
    ).toBe(0);
  });

  it('fills the new employment page: platforms, stations and riders, a committee, mobile branches with cards, sector coverage', async () => {
    const c = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: '320100' }));
    const f = (await c.get('/new-employment/figures')).json();
    expect(f.total).toMatchObject({
      platforms: 4,
      partners: 16,
      committees: 1,
      activists: 5,
      stations: work.newEmployment.stations,
    });
    expect(f.total.stations).toBeGreaterThanOrEqual(15);
    expect(f.total.stations).toBeLessThanOrEqual(25);
    expect(f.total.riders).toBeGreaterThan(f.total.stations * 5);
    expect(f.total.memberRiders).toBeGreaterThan(1);
    expect(f.total.mobileBranches).toBeGreaterThanOrEqual(2);
    expect(f.total.cardsExpiring).toBe(2);
    expect(f.total.cardsValid).toBeGreaterThanOrEqual(f.total.cardsExpiring);
    for (const cov of [f.total.platformCoverage, f.total.stationCoverage]) {
      expect(cov.anyOrg).toBeGreaterThan(0);
      expect(cov.work).toBeGreaterThan(cov.anyOrg);
      expect(cov.workCoverage).toBeLessThan(1);
    }
    // Every district has stations; the series of the last 12 months grows and ends at today's riders.
    expect(f.children.filter((x: { stations: number }) => x.stations > 0)).toHaveLength(4);
    expect(f.riderSeries).toHaveLength(12);
    expect(f.riderSeries.at(-1).riders).toBe(f.total.riders);
    expect(f.riderSeries[0].riders).toBeGreaterThan(0);
    expect(f.riderSeries[0].riders).toBeLessThan(f.total.riders);
    expect(
      (await c.get('/new-employment/orgs?type=mobile'))
        .json()
        .items.every((o: { approverName: string | null }) => o.approverName === '南京市网约配送员行业党委'),
    ).toBe(true);
    expect((await c.get('/new-employment/cards?state=expiring')).json().total).toBe(2);
    expect(await count(t, 'platform_partner', 'entity_id IS NOT NULL')).toBeGreaterThan(8);
    expect(await count(t, 'recognition_point', "subject_type = 'platform'")).toBe(1);
    expect(await count(t, 'instructor_assignment', "target IN ('platform', 'delivery_station')")).toBe(
      work.newEmployment.assignments,
    );
  });

  it('fills the assistance page: programs of this year with entities, measures and outcomes', async () => {
    const c = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: '320100' }));
    const f = (await c.get(`/assistance/figures?year=${new Date().getFullYear()}`)).json();
    expect(f.total.programs).toBe(3);
    expect(f.total.entities).toBe(work.assistance.entities);
    expect(f.total.resolved + f.total.improved + f.total.unresolved).toBeGreaterThan(f.total.entities / 2);
    const programs = (await c.get('/assistance/programs')).json().items as { entities: number; businessLine: string }[];
    expect(programs.map((p) => p.businessLine).sort()).toEqual(['credit', 'metrology', 'quality']);
    for (const p of programs) {
      expect(p.entities).toBeGreaterThanOrEqual(5);
      expect(p.entities).toBeLessThanOrEqual(15);
    }
    expect(await count(t, 'assistance_entity', "outcome <> 'ongoing' AND actions IS NULL")).toBe(0);
  });

  it("sends the city's notice and tasks down the tree: a station has a notice to sign and a task passed down, the city's boards show a returned reply and an overdue node", async () => {
    const [xuanwu, qinhuai] = ['320102', '320104'];
    const station = (
      await t.db
        .selectFrom('app_user')
        .select('jurisdiction_code')
        .where('username', '=', 'station_staff')
        .executeTakeFirstOrThrow()
    ).jurisdiction_code;
    const clerk = await t.signIn(await t.user({ roles: ['station_staff'], jurisdiction: station }));
    const inbox = (await clerk.get('/deployments?box=received')).json().items as {
      kind: string;
      title: string;
      issuer: { code: string };
      mine: { status: string };
    }[];
    expect(inbox.map((d) => [d.kind, d.issuer.code, d.mine.status]).sort()).toEqual([
      ['notice', '320100', 'pending'],
      ['task', xuanwu, 'pending'],
    ]);

    const city = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: '320100' }));
    const issued = (await city.get('/deployments?box=issued')).json().items as { id: number; title: string }[];
    expect(issued.filter((d) => /年报的通知|走访排查|指导员履职/.test(d.title))).toHaveLength(3);
    const boardOf = async (title: string) =>
      (await city.get(`/deployments/${issued.find((d) => d.title.includes(title))!.id}/board`)).json<{
        counts: Record<string, number>;
        targets: { node: { code: string }; status: string; returnReason: string | null; passedDown: unknown[] }[];
      }>();
    const visits = await boardOf('走访排查');
    const node = (code: string) => visits.targets.find((x) => x.node.code === code)!;
    expect(node(qinhuai).status).toBe('returned');
    expect(node(qinhuai).returnReason).toContain('台账');
    expect(node(xuanwu).status).toBe('received');
    expect(node(xuanwu).passedDown).toHaveLength(1);
    const instructors = await boardOf('指导员');
    expect(instructors.counts.done).toBe(1);
    expect(instructors.counts.overdue).toBe(instructors.counts.total - 1);
    expect(instructors.counts.total).toBeGreaterThan(3);
  });

  it('issues plaques the public page verifies', async () => {
    const plaques = await t.db.selectFrom('sanliang_plaque').select(['number', 'state']).orderBy('id').execute();
    expect(plaques.filter((p) => p.state === 'valid').length).toBeGreaterThan(plaques.length / 2);
    for (const p of plaques) {
      const res = await t.app.inject({
        method: 'GET',
        url: `/api/v1/public/plaques/${(await t.db.selectFrom('sanliang_plaque').select('public_token').where('number', '=', p.number).executeTakeFirstOrThrow()).public_token}`,
        remoteAddress: nextIp(),
      });
      expect(res.statusCode).toBe(200);
      expect(res.json().verdict).toBe(p.state);
    }
  });
});
