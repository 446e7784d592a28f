import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import { runScoped } from '../../src/db/scoped.js';
import type { DB } from '../../src/db/schema.js';
import { BACKENDS } from '../helpers/db.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { ledger } from '../helpers/ledger.js';
import { csvFile, importFile, tmpDir } from '../helpers/imports.js';
import { usccCheckChar } from '../../src/domain/identifiers/uscc.js';
import { addMonths } from '../../src/domain/orgs/rules.js';
import { today as todayInZone } from '../../src/domain/time/zone.js';

type Client = Awaited<ReturnType<TestApp['signIn']>>;

const COUNTY = '320102';
const S1 = '320102001';
const S2 = '320102002';
const TODAY = todayInZone();
const Y = Number(TODAY.slice(0, 4));
const uscc = (n: number) => {
  const first = `91${COUNTY}MA${String(n).padStart(7, '0')}`;
  return first + usccCheckChar(first);
};

/** An established party organization at a place, with a secretary appointed on termStart. */
async function orgWithSecretary(
  db: Kysely<DB>,
  place: string,
  o: {
    name: string;
    foundedOn?: string;
    termStart: string;
    termEnd?: string;
    body?: 'party' | 'league';
    status?: 'established' | 'dissolved';
  },
) {
  const p = ledger(db).placeOf(place);
  const org = await db
    .insertInto('party_org')
    .values({
      name: o.name,
      body: o.body ?? 'party',
      kind: 'branch',
      setup_mode: 'standalone',
      status: o.status ?? 'established',
      founded_on: o.foundedOn ?? '2018-01-01',
      dissolved_on: o.status === 'dissolved' ? '2025-01-01' : null,
      ...p,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const person = await db
    .insertInto('person')
    .values({ name: `${o.name.slice(0, 2)}书记` })
    .returning('id')
    .executeTakeFirstOrThrow();
  // A secretary is registered with the organization (which is also what makes the person visible in its scope).
  await db
    .insertInto('party_org_member')
    .values({ org_id: org.id, person_id: person.id, member_id: null, joined_on: null, scope_key: p.scope_key })
    .execute();
  const officer = await db
    .insertInto('party_org_officer')
    .values({
      org_id: org.id,
      person_id: person.id,
      role: 'secretary',
      term_start: o.termStart,
      term_end: o.termEnd ?? addMonths(o.termStart, 36),
      scope_key: p.scope_key,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { orgId: org.id, officerId: officer.id };
}

describe.each(BACKENDS)('contact points, honours, campaigns and training on %s', (backend) => {
  let t: TestApp;
  let county: Client;
  let staff: Client;
  let staff2: Client;
  let city: Client;
  const e: Record<string, number> = {};

  beforeAll(async () => {
    t = await testApp(backend);
    const l = ledger(t.db);
    await l.station(S1, '东所');
    await l.station(S2, '西所');
    e.a = await l.entity({ place: S1, name: '东所甲公司' });
    e.b = await l.entity({ place: S2, name: '西所乙公司' });
    e.c = await l.entity({ place: S1, name: '东所丙商店', kind: 'individual' });
    e.market = await l.zone('market', '东门小商品市场', COUNTY);
    e.park = await l.zone('park', '科技园', COUNTY);
    county = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: COUNTY }));
    staff = await t.signIn(await t.user({ roles: ['station_staff'], jurisdiction: S1 }));
    staff2 = await t.signIn(await t.user({ roles: ['station_staff'], jurisdiction: S2 }));
    city = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: '320100' }));
  });
  afterAll(() => t?.close());

  describe('contact and demonstration points', () => {
    let pointId: number;

    it('designates at the bureau level or below, with the configured checklist; a demonstration point needs every contact condition', async () => {
      const base = {
        kind: 'contact',
        level: 'county',
        subjectType: 'entity',
        subjectId: e.a,
        designatedOn: `${Y - 1}-03-01`,
        responsibleName: '王局长',
        criteria: ['org_sound', 'ledger'],
        evidence: '走访记录',
      };
      const made = await county.post('/points', base);
      expect(made.statusCode).toBe(201);
      pointId = made.json().id;
      // The same standing designation twice: a conflict naming the field.
      const dup = await county.post('/points', base);
      expect(dup.statusCode).toBe(409);
      expect(dup.json().errors[0]).toMatchObject({ field: 'subjectId', message: expect.stringContaining('联系点') });
      // Above the bureau's level, or from a station: refused.
      expect((await county.post('/points', { ...base, level: 'city' })).statusCode).toBe(403);
      expect((await staff.post('/points', { ...base, subjectId: e.c })).statusCode).toBe(403);
      // Unknown criterion; a demonstration point missing contact conditions: 422 in Chinese with the field.
      const unknown = await county.post('/points', { ...base, subjectId: e.c, criteria: ['nonsense'] });
      expect(unknown.statusCode).toBe(422);
      expect(unknown.json().errors[0].field).toBe('criteria');
      const demo = await county.post('/points', { ...base, kind: 'demo', criteria: ['org_sound', 'model_role'] });
      expect(demo.statusCode).toBe(422);
      expect(demo.json().detail).toContain('示范点须先具备联系点的全部条件');
      const allContact = ['org_sound', 'activities', 'ledger', 'lawful'];
      expect(
        (await county.post('/points', { ...base, kind: 'demo', criteria: [...allContact, 'model_role'] })).statusCode,
      ).toBe(201);
      // A market (zone) and an organization by the city bureau; no responsible person is refused.
      expect(
        (await city.post('/points', { ...base, level: 'city', subjectType: 'zone', subjectId: e.market, criteria: [] }))
          .statusCode,
      ).toBe(201);
      const noOne = await county.post('/points', { ...base, subjectId: e.b, responsibleName: undefined });
      expect(noOne.statusCode).toBe(400);
      expect(noOne.json().errors[0].field).toBe('responsibleName');
      expect(
        (
          await county.post('/points', {
            ...base,
            subjectId: e.b,
            responsibleName: undefined,
            responsibleUserId: 999999,
          })
        ).statusCode,
      ).toBe(404);
      expect((await county.post('/points', { ...base, subjectId: e.b })).statusCode).toBe(201);
    });

    it('reviews once a year: keep, then a second review that year is refused; revoking needs a reason and ends the point', async () => {
      const due = (await county.get('/points?reviewDue=true&pageSize=100')).json();
      expect(due.items.map((p: { id: number }) => p.id)).toContain(pointId);
      expect((await county.post(`/points/${pointId}/reviews`, { year: Y, outcome: 'keep' })).statusCode).toBe(201);
      const again = await county.post(`/points/${pointId}/reviews`, { year: Y, outcome: 'revoke', reason: '不再符合' });
      expect(again.statusCode).toBe(409);
      expect(again.json().detail).toContain('每年只复核一次');
      expect(
        (await county.get('/points?reviewDue=true&pageSize=100')).json().items.map((p: { id: number }) => p.id),
      ).not.toContain(pointId);
      expect((await county.post(`/points/${pointId}/reviews`, { year: Y - 2, outcome: 'keep' })).statusCode).toBe(422);
      const noReason = await county.post(`/points/${pointId}/reviews`, { year: Y - 1, outcome: 'revoke' });
      expect(noReason.statusCode).toBe(422);
      expect(noReason.json().errors[0].field).toBe('reason');
      expect(
        (await county.post(`/points/${pointId}/reviews`, { year: Y - 1, outcome: 'revoke', reason: '党组织活动停止' }))
          .statusCode,
      ).toBe(201);
      const detail = (await county.get(`/points/${pointId}`)).json();
      expect(detail).toMatchObject({ status: 'revoked', revokeReason: '党组织活动停止', lastReviewYear: Y });
      expect(detail.reviews.map((r: { year: number; outcome: string }) => `${r.year}:${r.outcome}`)).toEqual([
        `${Y}:keep`,
        `${Y - 1}:revoke`,
      ]);
      expect((await county.post(`/points/${pointId}/reviews`, { year: Y - 1, outcome: 'keep' })).statusCode).toBe(409);
      // Revoked, the entity may be designated again.
      expect(
        (
          await county.post('/points', {
            kind: 'contact',
            level: 'county',
            subjectType: 'entity',
            subjectId: e.a,
            designatedOn: TODAY,
            responsibleName: '李科长',
          })
        ).statusCode,
      ).toBe(201);
    });

    it('counts standing points by level and by area; a station sees only its own', async () => {
      const c = (await county.get(`/points/counts?under=${COUNTY}`)).json();
      // Standing: e.a contact (new), e.a demo, e.b contact (county level), the market (city level, hangs on the county).
      expect(c.total).toEqual({ contact: 3, demo: 1 });
      expect(c.byLevel).toEqual([
        { level: 'province', label: '省级', contact: 0, demo: 0 },
        { level: 'city', label: '市级', contact: 1, demo: 0 },
        { level: 'county', label: '县级', contact: 2, demo: 1 },
      ]);
      expect(c.children.find((x: { code: string }) => x.code === S1)).toMatchObject({ contact: 1, demo: 1 });
      expect(c.children.find((x: { code: string }) => x.code === S2)).toMatchObject({ contact: 1, demo: 0 });
      expect(c.own).toEqual({ contact: 1, demo: 0 });
      const cityView = (await city.get('/points/counts')).json();
      expect(cityView.children.find((x: { code: string }) => x.code === COUNTY)).toMatchObject({ contact: 3, demo: 1 });
      const mine = (await staff.get('/points?pageSize=100')).json();
      expect(mine.items.length).toBeGreaterThan(0);
      expect(mine.items.every((p: { subjectName: string }) => p.subjectName.startsWith('东所'))).toBe(true);
      expect((await staff.get(`/points/counts?under=${S2}`)).statusCode).toBe(404);
      expect((await staff2.get(`/points/${pointId}`)).statusCode).toBe(404);
      const filtered = (await county.get(`/points?level=city&pageSize=100`)).json();
      expect(filtered.items.map((p: { subjectName: string }) => p.subjectName)).toEqual(['东门小商品市场']);
    });

    it('exports the list to xlsx and audits the export', async () => {
      const res = await county.get('/points/export?kind=contact');
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain('spreadsheetml');
      expect(res.rawPayload.subarray(0, 2).toString()).toBe('PK');
      const a = await t.db
        .selectFrom('audit_log')
        .select(['action', 'detail'])
        .where('action', '=', 'point.export')
        .executeTakeFirstOrThrow();
      // The revoked designation is in the ledger too: four contact points in all.
      expect(a.detail).toMatchObject({ filters: { kind: 'contact' }, rows: 4 });
    });
  });

  describe('honours', () => {
    const nominate = (c: Client, body: Record<string, unknown>) => c.post('/honours', body);
    const act = (c: Client, id: number, body: Record<string, unknown>) => c.post(`/honours/${id}/actions`, body);
    const honour = async (id: number) => (await county.get(`/honours/${id}`)).json();

    it('runs nomination → review → award → revoke, refusing illegal moves with the reason in Chinese', async () => {
      const n = await nominate(staff, { kind: 'honest_enterprise', entityId: e.a, note: '守信经营' });
      expect(n.statusCode).toBe(201);
      const id = n.json().id;
      // The station nominates; the bureau decides: its pages offer the station nothing to do.
      expect((await staff.get(`/honours/${id}`)).json().actions).toEqual([]);
      expect((await county.get(`/honours/${id}`)).json().actions).toEqual(['approve', 'reject']);
      const viewer = await t.signIn(await t.user({ roles: ['viewer'], jurisdiction: COUNTY }));
      expect((await viewer.get(`/honours/${id}`)).json().actions).toEqual([]);
      const byStation = await act(staff, id, { action: 'approve' });
      expect(byStation.statusCode).toBe(403);
      expect(byStation.json().detail).toMatch(/基层所只能提名/);
      const early = await act(county, id, { action: 'award', level: 'county', year: Y });
      expect(early.statusCode).toBe(409);
      expect(early.headers['content-type']).toContain('application/problem+json');
      expect(early.json().detail).toBe('荣誉已提名，不能授予');
      expect((await act(county, id, { action: 'approve' })).json()).toMatchObject({ state: 'approved' });
      const noLevel = await act(county, id, { action: 'award', year: Y });
      expect(noLevel.statusCode).toBe(422);
      expect(noLevel.json().errors[0].field).toBe('level');
      expect((await act(county, id, { action: 'award', level: 'county', year: Y + 1 })).statusCode).toBe(422);
      // No level awards above itself.
      const above = await act(county, id, { action: 'award', level: 'province', year: Y });
      expect(above.statusCode).toBe(422);
      expect(above.json().errors[0]).toMatchObject({ field: 'level', message: expect.stringMatching(/高于本级/) });
      expect((await act(county, id, { action: 'award', level: 'county', year: Y })).json()).toMatchObject({
        state: 'awarded',
      });
      expect((await act(staff, id, { action: 'revoke', reason: '群众投诉属实' })).statusCode).toBe(403);
      expect((await act(county, id, { action: 'revoke' })).json().errors[0].field).toBe('reason');
      expect((await act(county, id, { action: 'revoke', reason: '群众投诉属实' })).json()).toMatchObject({
        state: 'revoked',
      });
      expect(await honour(id)).toMatchObject({
        state: 'revoked',
        level: 'county',
        year: Y,
        revokeReason: '群众投诉属实',
        actions: [],
      });
      const trail = await t.db
        .selectFrom('audit_log')
        .select('action')
        .where('object_type', '=', 'honour')
        .where('object_id', '=', String(id))
        .orderBy('id')
        .execute();
      expect(trail.map((a) => a.action)).toEqual([
        'honour.nominate',
        'honour.approve',
        'honour.award',
        'honour.revoke',
      ]);
    });

    it('asks each kind for its subject and takes kinds from the configurable list', async () => {
      expect((await nominate(county, { kind: 'no_such_kind', entityId: e.a })).json().errors[0].field).toBe('kind');
      expect((await nominate(county, { kind: 'honest_market', zoneId: e.park })).json().errors[0].field).toBe('zoneId');
      expect((await nominate(county, { kind: 'star_operator', entityId: e.c })).json().errors[0].field).toBe(
        'memberId',
      );
      // A member who does not work in the entity is refused; one who does is honoured by name and entity.
      const [other] = await ledger(t.db).members(e.b, 1);
      expect(
        (await nominate(county, { kind: 'star_operator', entityId: e.c, memberId: other })).json().errors[0].field,
      ).toBe('memberId');
      const [mine] = await ledger(t.db).members(e.c, 1);
      const ok = await nominate(county, { kind: 'star_operator', entityId: e.c, memberId: mine });
      expect(ok.statusCode).toBe(201);
      expect((await honour(ok.json().id)).subjectName).toMatch(/（东所丙商店）$/);
      expect((await nominate(county, { kind: 'honest_market', zoneId: e.market })).statusCode).toBe(201);
      // A configured new kind is accepted at once.
      await t.db
        .insertInto('dictionary')
        .values({ kind: 'honor_kind', code: 'green_shop', label: '绿色商户', sort_order: 9 })
        .execute();
      expect((await nominate(county, { kind: 'green_shop', entityId: e.c })).statusCode).toBe(201);
      expect((await county.get('/honours/counts')).json().byKind.map((k: { label: string }) => k.label)).toContain(
        '绿色商户',
      );
    });

    it('flags live honours for review when the entity is revoked through the API; a flag blocks award until cleared', async () => {
      const id = (await nominate(county, { kind: 'honest_enterprise', entityId: e.b })).json().id;
      expect((await act(county, id, { action: 'approve' })).statusCode).toBe(200);
      expect((await county.patch(`/entities/${e.b}`, { status: 'revoked' })).statusCode).toBe(200);
      expect(await honour(id)).toMatchObject({
        flagged: true,
        flagReason: '主体已被吊销营业执照',
        actions: ['clear_flag'],
      });
      const blocked = await act(county, id, { action: 'award', level: 'county', year: Y });
      expect(blocked.statusCode).toBe(422);
      expect(blocked.json().detail).toContain('待复核');
      expect(
        (await county.get('/honours?flagged=true&pageSize=100')).json().items.map((h: { id: number }) => h.id),
      ).toContain(id);
      expect((await act(county, id, { action: 'clear_flag' })).statusCode).toBe(422);
      expect((await act(county, id, { action: 'clear_flag', reason: '误登记，已恢复' })).statusCode).toBe(200);
      expect(await honour(id)).toMatchObject({ flagged: false, state: 'approved' });
      // An entity no longer active cannot be nominated.
      expect((await nominate(county, { kind: 'honest_enterprise', entityId: e.b })).statusCode).toBe(422);
    });

    it('flags when an import deregisters the entity, and when staff record a serious violation; revoked honours stay unflagged', async () => {
      const dir = tmpDir();
      const row = (status: string) => ({
        统一社会信用代码: uscc(4242),
        名称: '导入丁公司',
        主体类型: '企业',
        所属县区代码: COUNTY,
        基层所代码: S1,
        登记状态: status,
      });
      const editor = await t.user({ roles: ['editor'], jurisdiction: COUNTY });
      expect(
        (await importFile(t, 'registry', csvFile(dir, 'a.csv', [row('存续')]), { id: editor.id, scopeKey: COUNTY })).job
          .rows_accepted,
      ).toBe(1);
      const imported = (
        await t.db.selectFrom('entity').select('id').where('uscc', '=', uscc(4242)).executeTakeFirstOrThrow()
      ).id;
      const live = (await nominate(county, { kind: 'honest_enterprise', entityId: imported })).json().id;
      const gone = (
        await nominate(county, {
          kind: 'model_post',
          entityId: imported,
          memberId: (await ledger(t.db).members(imported, 1))[0],
        })
      ).json().id;
      await act(county, gone, { action: 'reject', reason: '材料不全' });
      const { job } = await importFile(t, 'registry', csvFile(dir, 'b.csv', [row('注销')]), {
        id: editor.id,
        scopeKey: COUNTY,
      });
      expect(job.rows_changed).toBe(1);
      expect(await honour(live)).toMatchObject({ flagged: true, flagReason: '主体已注销' });
      expect(await honour(gone)).toMatchObject({ flagged: false, state: 'rejected' });

      // A serious violation on an active entity, recorded by station staff: its awarded honour is flagged.
      const award = (await nominate(staff, { kind: 'honest_enterprise', entityId: e.c })).json().id;
      await act(county, award, { action: 'approve' });
      await act(county, award, { action: 'award', level: 'county', year: Y });
      const bad = await staff.post(`/entities/${e.c}/violations`, {
        occurredOn: TODAY,
        description: '销售假冒伪劣商品被处罚',
      });
      expect(bad.statusCode).toBe(201);
      expect(bad.json().flaggedHonours).toBeGreaterThanOrEqual(1);
      expect(await honour(award)).toMatchObject({
        flagged: true,
        state: 'awarded',
        flagReason: expect.stringContaining('销售假冒伪劣商品'),
        actions: ['revoke', 'clear_flag'],
      });
      expect(
        (await staff.post(`/entities/${e.c}/violations`, { occurredOn: TODAY, description: '短' })).json().errors[0]
          .field,
      ).toBe('description');
      expect(
        (await staff2.post(`/entities/${e.c}/violations`, { occurredOn: TODAY, description: '越权记录违法' }))
          .statusCode,
      ).toBe(404);
      // Revoking settles the flag; a new nomination of that entity starts flagged.
      await act(county, award, { action: 'revoke', reason: '严重违法' });
      expect(await honour(award)).toMatchObject({ flagged: false, state: 'revoked' });
      const fresh = (await nominate(staff, { kind: 'honest_enterprise', entityId: e.c })).json().id;
      expect(await honour(fresh)).toMatchObject({ flagged: true });
      expect((await staff.get(`/entities/${e.c}/violations`)).json().items).toHaveLength(1);
    });

    it('an entity moved to another station takes its violations along: the new station sees why its honours are flagged, the old one no longer', async () => {
      const l = ledger(t.db);
      const moving = await l.entity({ place: S2, name: '西所搬迁商行' });
      expect(
        (await staff2.post(`/entities/${moving}/violations`, { occurredOn: TODAY, description: '无照经营被责令改正' }))
          .statusCode,
      ).toBe(201);
      const moved = await county.patch(`/entities/${moving}`, { stationCode: S1 });
      expect(moved.statusCode, moved.body).toBe(200);
      expect((await staff.get(`/entities/${moving}/violations`)).json().items).toHaveLength(1);
      expect((await staff2.get(`/entities/${moving}/violations`)).statusCode).toBe(404);
    });

    it('the honour kinds and criteria lists are edited by the rules duty of the top node; codes in use stay', async () => {
      const sys = await t.signIn(await t.user({ roles: ['sysadmin'], jurisdiction: '000000' }));
      const kinds = (await county.get('/dictionaries')).json().honor_kind as { code: string; label: string }[];
      // honest_enterprise and star_operator are in use above: dropping one is refused, naming it.
      const drop = await sys.put('/code-lists/honor_kind', {
        entries: kinds.filter((k) => k.code !== 'honest_enterprise'),
      });
      expect(drop.statusCode).toBe(400);
      expect(drop.json().detail).toContain('honest_enterprise');
      const renamed = kinds.map((k) => (k.code === 'honest_enterprise' ? { ...k, label: '诚信经营企业' } : k));
      expect((await sys.put('/code-lists/honor_kind', { entries: renamed })).statusCode).toBe(200);
      expect((await county.get(`/honours?kind=honest_enterprise&pageSize=1`)).json().items[0].kindLabel).toBe(
        '诚信经营企业',
      );
      expect(
        (
          await sys.put('/code-lists/honor_kind', { entries: [...renamed, { code: 'x', label: '诚信经营企业' }] })
        ).json().errors[0].field,
      ).toBe(`entries.${renamed.length}.label`);
      // Only the top node, only with the rules duty.
      const citySys = await t.signIn(await t.user({ roles: ['sysadmin'], jurisdiction: '320100' }));
      expect((await citySys.put('/code-lists/honor_kind', { entries: renamed })).statusCode).toBe(403);
      expect((await county.put('/code-lists/honor_kind', { entries: renamed })).statusCode).toBe(403);
      // Back to the original name; each accepted edit is in the trail with before and after.
      expect((await sys.put('/code-lists/honor_kind', { entries: kinds })).statusCode).toBe(200);
      const trail = await t.db
        .selectFrom('audit_log')
        .select('detail')
        .where('action', '=', 'code_list.update')
        .orderBy('id')
        .execute();
      expect(
        trail.map((a) => (a.detail as { after: { label: string }[] }).after.some((k) => k.label === '诚信经营企业')),
      ).toEqual([true, false]);
    });

    it('a bulk status change in one statement flags every honour it reaches', async () => {
      const l = ledger(t.db);
      const ids = [await l.entity({ place: S2, name: '批量一' }), await l.entity({ place: S2, name: '批量二' })];
      const hs = [];
      for (const id of ids) hs.push((await nominate(staff2, { kind: 'honest_enterprise', entityId: id })).json().id);
      await t.db.updateTable('entity').set({ status: 'deregistered' }).where('id', 'in', ids).execute();
      const rows = await t.db.selectFrom('honour').select(['id', 'flag_reason']).where('id', 'in', hs).execute();
      expect(rows.map((r) => r.flag_reason)).toEqual(['主体已注销', '主体已注销']);
      // The definer functions behind the triggers see every entity: a request cannot call them.
      const probe = { userId: null, username: 'probe', scopeKey: '320104', ip: null };
      await expect(
        runScoped(t.db, probe, ({ db }) => sql`SELECT xgz_honour_flag_reason(${ids[0]})`.execute(db)),
      ).rejects.toThrow(/permission denied/);
    });

    it('counts by kind and area, lists by scope, and exports with an audit record', async () => {
      const c = (await county.get('/honours/counts')).json();
      expect(c.byKind.find((k: { kind: string }) => k.kind === 'honest_enterprise')).toMatchObject({
        label: '诚信企业',
      });
      expect(c.total.flagged).toBe(
        c.children.reduce((a: number, x: { flagged: number }) => a + x.flagged, c.own.flagged),
      );
      expect(c.total.flagged).toBeGreaterThanOrEqual(4);
      const s2 = (await staff2.get('/honours?pageSize=200')).json().items as { subjectName: string }[];
      expect(s2.map((h) => h.subjectName).sort()).toEqual(['批量一', '批量二', '西所乙公司']);
      const res = await county.get('/honours/export?flagged=true');
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-disposition']).toContain(encodeURIComponent('荣誉台账'));
      const a = await t.db
        .selectFrom('audit_log')
        .select('detail')
        .where('action', '=', 'honour.export')
        .executeTakeFirstOrThrow();
      expect(a.detail).toMatchObject({ filters: { flagged: 'true' }, rows: c.total.flagged });
    });
  });

  describe('education campaigns', () => {
    it('a county campaign is seen below; stations enter their organizations and activities; figures by area', async () => {
      const o1 = await orgWithSecretary(t.db, S1, { name: '东所甲公司党支部', termStart: '2024-01-01' });
      const o2 = await orgWithSecretary(t.db, S2, { name: '西所乙公司党支部', termStart: '2024-01-01' });
      const made = await county.post('/campaigns', {
        name: `${Y}年主题教育`,
        theme: 'theme_education',
        startsOn: `${Y}-01-01`,
        endsOn: `${Y}-12-31`,
      });
      expect(made.statusCode).toBe(201);
      const id = made.json().id;
      expect(
        (
          await county.post('/campaigns', {
            name: `${Y}年主题教育`,
            theme: 'other',
            startsOn: `${Y}-01-01`,
            endsOn: `${Y}-12-31`,
          })
        ).json().errors[0].field,
      ).toBe('name');
      expect(
        (
          await county.post('/campaigns', {
            name: '倒置',
            theme: 'other',
            startsOn: `${Y}-05-01`,
            endsOn: `${Y}-01-01`,
          })
        ).json().errors[0].field,
      ).toBe('endsOn');
      // Station 1 sees the county's campaign, takes part with its organization, records an activity; it cannot edit the campaign.
      expect(
        (await staff.get('/campaigns')).json().items.map((c: { id: number; mine: boolean }) => [c.id, c.mine]),
      ).toEqual([[id, false]]);
      expect((await staff.patch(`/campaigns/${id}`, { name: '改名' })).statusCode).toBe(403);
      expect((await staff.post(`/campaigns/${id}/orgs`, { orgId: o1.orgId, members: 12 })).statusCode).toBe(204);
      expect((await staff.post(`/campaigns/${id}/orgs`, { orgId: o2.orgId })).statusCode).toBe(404);
      expect(
        (
          await staff.post(`/campaigns/${id}/activities`, {
            heldOn: `${Y}-03-05`,
            title: '专题党课',
            participants: 10,
            orgId: o1.orgId,
          })
        ).statusCode,
      ).toBe(201);
      const outside = await staff.post(`/campaigns/${id}/activities`, {
        heldOn: `${Y + 1}-01-05`,
        title: '期外活动',
        participants: 3,
      });
      expect(outside.json().errors[0].field).toBe('heldOn');
      expect((await staff2.post(`/campaigns/${id}/orgs`, { orgId: o2.orgId, members: 5 })).statusCode).toBe(204);
      expect(
        (await staff2.post(`/campaigns/${id}/activities`, { heldOn: `${Y}-04-01`, title: '读书班', participants: 4 }))
          .statusCode,
      ).toBe(201);
      // Each station sees only its part; the county sees both, by station.
      expect((await staff.get(`/campaigns/${id}`)).json()).toMatchObject({
        orgs: 1,
        members: 12,
        activities: 1,
        participants: 10,
      });
      const stats = (await county.get(`/campaigns/stats?campaignId=${id}`)).json();
      expect(stats.total).toEqual({ campaigns: 1, orgs: 2, members: 17, activities: 2, participants: 14 });
      expect(stats.children.find((x: { code: string }) => x.code === S2)).toMatchObject({
        orgs: 1,
        members: 5,
        activities: 1,
        participants: 4,
      });
      expect((await county.get(`/campaigns?year=${Y + 1}`)).json().total).toBe(0);
      const res = await county.get('/campaigns/export');
      expect(res.statusCode).toBe(200);
      expect(
        (
          await t.db
            .selectFrom('audit_log')
            .select('detail')
            .where('action', '=', 'campaign.export')
            .executeTakeFirstOrThrow()
        ).detail,
      ).toMatchObject({ rows: 1, activities: 2 });
    });
  });

  describe('secretary training', () => {
    it('holds classes at the bureau level or below, enrols secretaries of its area, records attendance and completion', async () => {
      const sec = await orgWithSecretary(t.db, S1, {
        name: '东所新建党支部',
        foundedOn: `${Y}-02-01`,
        termStart: `${Y}-02-01`,
      });
      const cls = await county.post('/trainings', {
        name: `${Y}年县级书记培训班`,
        level: 'county',
        startsOn: `${Y}-03-01`,
        endsOn: `${Y}-03-03`,
      });
      expect(cls.statusCode).toBe(201);
      const id = cls.json().id;
      expect(
        (
          await county.post('/trainings', {
            name: '越级',
            level: 'province',
            startsOn: `${Y}-03-01`,
            endsOn: `${Y}-03-03`,
          })
        ).json().errors[0].field,
      ).toBe('level');
      const before = (await county.get('/trainings/indicator')).json();
      const added = await county.post(`/trainings/${id}/trainees`, { officerIds: [sec.officerId] });
      expect(added.json()).toEqual({ added: 1 });
      const trainee = (await county.get(`/trainings/${id}`)).json().traineeList[0];
      const early = await county.patch(`/trainings/${id}/trainees/${trainee.id}`, { completed: true });
      expect(early.statusCode).toBe(422);
      expect(early.json().detail).toBe('未出勤的学员不能结业');
      expect(
        (await county.patch(`/trainings/${id}/trainees/${trainee.id}`, { attended: true, completed: true })).json(),
      ).toMatchObject({ attended: true, completed: true });
      // Station staff see the county's class and their own secretary in it, but cannot change attendance.
      expect((await staff.get(`/trainings/${id}`)).json().traineeList).toHaveLength(1);
      expect((await staff2.get(`/trainings/${id}`)).json().traineeList).toHaveLength(0);
      expect((await staff.patch(`/trainings/${id}/trainees/${trainee.id}`, { attended: false })).statusCode).toBe(403);
      const after = (await county.get('/trainings/indicator')).json();
      expect(after.total.all.trained).toBe(before.total.all.trained + 1);
      expect(after.total.newOrgs.trained).toBe(before.total.newOrgs.trained + 1);
      expect(after.children.find((x: { code: string }) => x.code === S1).newOrgs.trained).toBe(1);
      const list = (await staff.get('/trainings/secretaries?status=trained')).json();
      expect(list.items.map((s: { orgName: string }) => s.orgName)).toContain('东所新建党支部');
      // The list behind the figure: as many rows as secretaries, split by status as the indicator counts them.
      const all = (await county.get('/trainings/secretaries?pageSize=1')).json();
      expect(all.total).toBe(after.total.all.secretaries);
      expect(all.items).toHaveLength(1);
      const byStatus = async (st: string) =>
        (await county.get(`/trainings/secretaries?status=${st}`)).json().total as number;
      expect([await byStatus('trained'), await byStatus('pending')]).toEqual([
        after.total.all.trained,
        after.total.all.pending,
      ]);
      expect(await byStatus('overdue')).toBe(
        after.total.all.secretaries - after.total.all.trained - after.total.all.pending,
      );
      expect((await county.get('/trainings/secretaries?newOrgs=true')).json().total).toBe(
        after.total.newOrgs.secretaries,
      );
      expect((await county.get('/trainings/secretaries/export')).statusCode).toBe(200);
      expect(
        await t.db.selectFrom('audit_log').select('id').where('action', '=', 'training.secretaries_export').execute(),
      ).toHaveLength(1);
    });
  });
});
