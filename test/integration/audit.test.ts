import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import ExcelJS from 'exceljs';
import { verifyAuditChain } from '../../src/db/audit-chain.js';
import { BACKENDS } from '../helpers/db.js';
import { testApp, type TestApp } from '../helpers/app.js';

describe.each(BACKENDS)('audit trail on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp(backend);
  });
  afterAll(() => t?.close());

  it('records data changes with before/after values, who and from where', async () => {
    const u = await t.user({ roles: ['editor'], jurisdiction: '320102' });
    const c = await t.signIn(u);
    await c.post('/stations', { countyCode: '320102', suffix: '501', name: '审计所' });
    await c.patch('/stations/320102501', { name: '审计所（改）' });
    const rows = await t.db
      .selectFrom('audit_log')
      .selectAll()
      .where('object_id', '=', '320102501')
      .orderBy('id')
      .execute();
    expect(rows.map((r) => r.action)).toEqual(['station.create', 'station.update']);
    expect(rows[1].actor_id).toBe(u.id);
    expect(rows[1].ip).toBeTruthy();
    expect(rows[1].detail).toMatchObject({ before: { name: '审计所' }, after: { name: '审计所（改）' } });
  });

  it('writes no audit record for a change that was refused (it commits with the change or not at all)', async () => {
    const c = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: '320102' }));
    const before = await t.db
      .selectFrom('audit_log')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('action', '=', 'station.create')
      .executeTakeFirstOrThrow();
    expect((await c.post('/stations', { countyCode: '320102', suffix: '501', name: '重复所' })).statusCode).toBe(409);
    const after = await t.db
      .selectFrom('audit_log')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('action', '=', 'station.create')
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('is readable by the auditor only, who can filter and export it (the export itself audited)', async () => {
    const editor = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: '000000' }));
    const sys = await t.signIn(await t.user({ roles: ['sysadmin'], jurisdiction: '000000' }));
    const auditor = await t.signIn(await t.user({ roles: ['auditor'], jurisdiction: '000000' }));
    expect((await editor.get('/audit')).statusCode).toBe(403);
    expect((await sys.get('/audit')).statusCode).toBe(403);
    const list = await auditor.get('/audit?action=station.update');
    expect(list.statusCode).toBe(200);
    expect(list.json().items.every((r: { action: string }) => r.action === 'station.update')).toBe(true);
    // The detail in words: the keys named, nested records as "修改前 · 名称" (round 7: raw JSON keys before).
    const renamed = list
      .json()
      .items.find((r: { detailLines: { value: string }[] }) => r.detailLines.some((l) => l.value === '审计所（改）'));
    expect(renamed.detailLines).toEqual(
      expect.arrayContaining([
        { label: '修改前 · 名称', value: '审计所' },
        { label: '修改后 · 名称', value: '审计所（改）' },
      ]),
    );
    expect(JSON.stringify(renamed.detailLines)).not.toMatch(/"label":"[a-zA-Z]/);
    const exp = await auditor.get('/audit/export?action=station.create');
    expect(exp.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(exp.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    expect(ws.getRow(1).getCell(5).value).toBe('操作');
    expect(ws.getRow(2).getCell(5).value).toBe('新建基层所');
    expect(ws.getRow(1).getCell(9).value).toBe('详情');
    expect(ws.getRow(2).getCell(9).text).toMatch(/^修改后 · 名称：/);
    const logged = await t.db.selectFrom('audit_log').select('detail').where('action', '=', 'audit.export').execute();
    expect(logged).toHaveLength(1);
  });

  it('keeps the table append-only for the application role', async () => {
    const { runScoped } = await import('../../src/db/scoped.js');
    const who = { userId: null, username: 'probe', scopeKey: '', ip: null };
    await expect(
      runScoped(t.db, who, ({ db }) => db.updateTable('audit_log').set({ action: 'x' }).execute()),
    ).rejects.toThrow(/permission denied/);
    await expect(runScoped(t.db, who, ({ db }) => db.deleteFrom('audit_log').execute())).rejects.toThrow(
      /permission denied/,
    );
  });

  it('verifies, and names the first record altered or removed behind its back', async () => {
    const ok = await verifyAuditChain(t.db, 3);
    expect(ok.ok).toBe(true);
    expect(ok.count).toBeGreaterThan(5);
    const rows = await t.db.selectFrom('audit_log').select(['id', 'detail']).orderBy('id').execute();
    const victim = rows[3];
    await sql`UPDATE audit_log SET outcome = 'failure' WHERE id = ${victim.id}`.execute(t.db);
    const broken = await verifyAuditChain(t.db, 3);
    expect(broken).toMatchObject({ ok: false, brokenId: victim.id, count: 3 });
    await sql`UPDATE audit_log SET outcome = 'success' WHERE id = ${victim.id}`.execute(t.db);
    expect((await verifyAuditChain(t.db)).ok).toBe(true);
    await sql`DELETE FROM audit_log WHERE id = ${rows[5].id}`.execute(t.db);
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: false, brokenId: rows[6].id });
  });
});
