import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { BACKENDS } from '../helpers/db.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { ledger } from '../helpers/ledger.js';
import { multipart } from '../helpers/attachments.js';

/**
 * Round 20 of the security probe (SECURITY.md, 第二十轮探测). Every test here failed on the code
 * before its fix; the races on PostgreSQL (PGlite has one connection and runs requests one by one).
 */
const A = '320102';
const A1 = '320102001';
type Client = Awaited<ReturnType<TestApp['signIn']>>;

describe.each(BACKENDS)('security regressions, round 20, on %s', (backend) => {
  let t: TestApp;
  let county: Client, county2: Client, station: Client, sec: Client;
  const units: number[] = [];
  const shops: number[] = [];

  beforeAll(async () => {
    t = await testApp(backend);
    const l = ledger(t.db);
    await l.station(A1);
    // Entities with three full members each: one standalone proposal apiece.
    for (let i = 0; i < 8; i++) {
      const e = await l.entity({ place: A1, name: `第二十轮三党员公司${i}` });
      await l.members(e, 3);
      units.push(e);
    }
    for (let i = 0; i < 4; i++)
      shops.push(await l.entity({ place: A1, name: `第二十轮诚信小吃${i}`, kind: 'individual' }));
    county = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: A }));
    county2 = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: A }));
    sec = await t.signIn(await t.user({ roles: ['secadmin'], jurisdiction: A }));
    station = await t.signIn(await t.user({ roles: ['station_staff'], jurisdiction: A1 }));
    expect((await county.post('/org-proposals/generate')).statusCode).toBe(200);
  });
  afterAll(() => t?.close());

  /** The open standalone proposal of an entity. */
  async function proposalOf(entityId: number): Promise<number> {
    const items = (await county.get('/org-proposals?pageSize=100&state=open')).json().items as {
      id: number;
      entities: { id: number }[];
    }[];
    return items.find((p) => p.entities.some((e) => e.id === entityId))!.id;
  }
  /** The organizations an entity is in. */
  const orgsOf = (entityId: number) =>
    t.db.selectFrom('party_org_entity').select('org_id').where('entity_id', '=', entityId).execute();

  it('a setup proposal accepted twice at once founds one organization: two clerks naming it each were both told 200 and the entity got two branches in preparation (each read the proposal open before either wrote it accepted; the same name twice was refused as 已有同名的党组织)', async () => {
    for (const e of units.slice(0, 4)) {
      const id = await proposalOf(e);
      const answers = await Promise.all([
        county.post(`/org-proposals/${id}/accept`, { name: `第二十轮党支部${e}甲` }),
        station.post(`/org-proposals/${id}/accept`, { name: `第二十轮党支部${e}乙` }),
      ]);
      expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 409]);
      expect(answers.find((a) => a.statusCode === 409)!.json().detail).toBe('该建议已采纳，不能再处理');
      expect(await orgsOf(e)).toHaveLength(1);
      const accepted = await t.db
        .selectFrom('audit_log')
        .select('id')
        .where('action', '=', 'proposal.accept')
        .where('object_id', '=', String(id))
        .execute();
      expect(accepted).toHaveLength(1);
    }
  });

  it('a setup proposal accepted and rejected at once ends one way: it was left 不采纳 with the organization its acceptance founded', async () => {
    for (const e of units.slice(4)) {
      const id = await proposalOf(e);
      const [accept, reject] = await Promise.all([
        county.post(`/org-proposals/${id}/accept`, {}),
        station.post(`/org-proposals/${id}/reject`, { reason: '拟挂靠社区党组织' }),
      ]);
      expect([accept.statusCode, reject.statusCode].sort()).toEqual([200, 409]);
      const p = await t.db
        .selectFrom('org_proposal')
        .select(['state', 'org_id'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      expect(p.state).toBe(accept.statusCode === 200 ? 'accepted' : 'rejected');
      expect(await orgsOf(e)).toHaveLength(accept.statusCode === 200 ? 1 : 0);
    }
  });

  it('a recommendation decided by two reviewers at once is decided once: 选定 and 不予选定 were both answered 200 and both written to the trail, the second over a decision already made', async () => {
    for (const e of shops) {
      const rec = await station.post('/point-recommendations', {
        kind: 'contact',
        subjectType: 'entity',
        subjectId: e,
        reason: '诚信经营，党员亮身份',
      });
      expect(rec.statusCode, rec.body).toBe(201);
      const id = rec.json().id as number;
      const answers = await Promise.all([
        county.post(`/point-recommendations/${id}/review`, { decision: 'select' }),
        county2.post(`/point-recommendations/${id}/review`, { decision: 'reject', reason: '条件尚不具备' }),
      ]);
      expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 409]);
      const decided = await t.db
        .selectFrom('audit_log')
        .select('action')
        .where('object_type', '=', 'point_recommendation')
        .where('object_id', '=', String(id))
        .where('action', 'in', ['point_recommendation.select', 'point_recommendation.reject'])
        .execute();
      const state = await t.db
        .selectFrom('point_recommendation')
        .select('state')
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      expect(decided.map((d) => d.action)).toEqual([
        state.state === 'selected' ? 'point_recommendation.select' : 'point_recommendation.reject',
      ]);
    }
  });

  it('a service account is never left confirmed on terms the editor did not see: the security administrator widening its addresses while the county editor confirmed what they saw left it active with the widened addresses (the terms the editor sent were checked on a read taken before the change, the confirmation written after it)', async () => {
    const nextYear = `${new Date().getFullYear() + 1}-12-31`;
    for (let i = 0; i < 8; i++) {
      const created = await sec.post('/service-accounts', {
        name: `第二十轮平台${i}`,
        jurisdictionCode: A,
        permissions: ['changes.read'],
        expiresAt: nextYear,
        ipAllowlist: ['127.0.0.1'],
      });
      expect(created.statusCode, created.body).toBe(201);
      const { id, terms } = created.json().account as { id: number; terms: string };
      const [widened, confirmed] = await Promise.all([
        sec.patch(`/service-accounts/${id}`, { ipAllowlist: ['127.0.0.1', '10.0.0.0/8'] }),
        county.post(`/service-accounts/${id}/token`, { terms }),
      ]);
      expect(widened.statusCode, widened.body).toBe(200);
      expect([200, 409]).toContain(confirmed.statusCode);
      const row = await t.db
        .selectFrom('service_account')
        .select(['confirmed_at', 'ip_allowlist'])
        .where('user_id', '=', id)
        .executeTakeFirstOrThrow();
      expect(row.ip_allowlist).toEqual(['127.0.0.1', '10.0.0.0/8']);
      // Confirmed before the change (the change then asks again) or refused after it: never confirmed across it.
      expect(row.confirmed_at).toBeNull();
    }
  });

  it('an uploaded file started twice at once is imported once: both starts were queued (two jobs reading one file, two import lines on the trail)', async () => {
    const code = '92320102MA2NGH3E1X';
    const text = `统一社会信用代码,名称,组成形式,经营者\r\n${code},第二十轮小吃店,个人经营,周一\r\n`;
    const { body, type } = await multipart('某区导出.csv', Buffer.from(text));
    const up = await county.call('POST', '/imports/registry/upload', body, { 'content-type': type });
    expect(up.statusCode, up.body).toBe(200);
    const upload = up.json().upload as string;
    const before = await t.db
      .selectFrom('import_job')
      .select(sql<number>`coalesce(max(id), 0)::int`.as('n'))
      .executeTakeFirstOrThrow();
    const answers = await Promise.all([
      county.post('/imports/registry/start', { upload, acknowledge: [] }),
      county.post('/imports/registry/start', { upload, acknowledge: [] }),
    ]);
    expect(answers.map((a) => a.statusCode).sort()).toEqual([202, 409]);
    expect(answers.find((a) => a.statusCode === 409)!.json().detail).toBe('该文件已在开始导入，请勿重复提交');
    await t.app.imports.idle();
    const jobs = await t.db.selectFrom('import_job').select('status').where('id', '>', before.n).execute();
    expect(jobs).toEqual([{ status: 'done' }]);
    // Started, the upload is gone: a third start finds nothing.
    expect((await county.post('/imports/registry/start', { upload, acknowledge: [] })).statusCode).toBe(404);
  });

  it('a start refused (a required column missing) leaves the upload to be mapped and started again', async () => {
    const text = `统一社会信用代码,商户字号,组成形式,经营者\r\n92320102MA2NGH3F1X,第二十轮面馆,个人经营,周二\r\n`;
    const { body, type } = await multipart('某区导出.csv', Buffer.from(text));
    const upload = (await county.call('POST', '/imports/registry/upload', body, { 'content-type': type })).json()
      .upload as string;
    expect((await county.post('/imports/registry/start', { upload, acknowledge: [] })).statusCode).toBe(400);
    const again = await county.post('/imports/registry/start', {
      upload,
      mapping: { name: '商户字号' },
      acknowledge: [],
    });
    expect(again.statusCode, again.body).toBe(202);
    await t.app.imports.idle();
  });
});
