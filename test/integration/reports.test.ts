import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { valuesOf } from '../../src/domain/indicators/registry.js';
import { FORMS, periodOfDate } from '../../src/domain/reports/forms.js';
import { recomputeCounts } from '../../src/features/indicators/recompute.js';
import { periodOf } from '../../src/features/indicators/service.js';
import { BACKENDS } from '../helpers/db.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { ledger } from '../helpers/ledger.js';

const CITY = '320100';
const A = '320102';
const A1 = '320102001';
const A2 = '320102002';
const B = '320104';
const B1 = '320104001';
const PERIOD = periodOfDate('quarter', new Date().toISOString().slice(0, 10));
type Client = Awaited<ReturnType<TestApp['signIn']>>;
type Row = { code: string | null; name: string; kind: string } & Record<string, number | null>;

describe.each(BACKENDS)('statistical reports on %s', (backend) => {
  let t: TestApp;
  let editorA: Client;
  let editorA1: Client;
  let editorA2: Client;
  let editorB: Client;
  let editorCity: Client;
  let editorProvince: Client;
  let viewerNation: Client;

  beforeAll(async () => {
    t = await testApp(backend);
    const l = ledger(t.db);
    for (const s of [A1, A2, B1]) await l.station(s);
    const a1 = await l.entity({ place: A1, kind: 'individual' });
    await l.entity({ place: A2, kind: 'enterprise' });
    await l.entity({ place: A, kind: 'cooperative' });
    await l.members(a1, 3);
    await l.entity({ place: B1 });
    const org = await t.db
      .insertInto('party_org')
      .values({
        body: 'party',
        name: '甲一党支部',
        kind: 'branch',
        setup_mode: 'standalone',
        ...l.placeOf(A1),
        status: 'established',
        founded_on: '2024-07-01',
      })
      .returning(['id', 'scope_key'])
      .executeTakeFirstOrThrow();
    await t.db
      .insertInto('party_org_entity')
      .values({ org_id: org.id, entity_id: a1, scope_key: org.scope_key })
      .execute();
    editorA = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: A }));
    editorA1 = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: A1 }));
    editorA2 = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: A2 }));
    editorB = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: B }));
    editorCity = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: CITY }));
    editorProvince = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: '320000' }));
    viewerNation = await t.signIn(await t.user({ roles: ['viewer'], jurisdiction: '000000' }));
  });
  afterAll(() => t?.close());

  const ok = async <T = Record<string, unknown>>(
    p: Promise<{ statusCode: number; body: string; json(): unknown }>,
    status = 200,
  ): Promise<T> => {
    const res = await p;
    expect(res.statusCode, res.body).toBe(status);
    return res.json() as T;
  };
  const xlsx = async (res: { statusCode: number; rawPayload: Buffer }) => {
    expect(res.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    return wb.worksheets[0];
  };
  const strip = ({ code: _c, name: _n, kind: _k, level: _l, version: _v, ...v }: Row) => v;
  const prepare = (c: Client, body: Record<string, unknown> = {}) =>
    c.post('/reports', { form: 'xgz_core', period: PERIOD, ...body });

  it('a station reports the figures the dashboard and a recompute give; a county consolidates only what its stations submitted, the live figures beside it', async () => {
    const station = await ok<{ id: number; rows: Row[] }>(prepare(editorA1), 201);
    const dashboard = await ok<{ figures: Row }>(editorA1.get(`/dashboard?under=${A1}`));
    const total = station.rows.find((r) => r.kind === 'total')!;
    expect(strip(total)).toEqual(dashboard.figures);
    expect(strip(total)).toEqual(valuesOf(await recomputeCounts(t.db, A1)));
    // No station has submitted: the county's report holds only its own line (the cooperative on A), and the differences say why.
    const county = await ok<{
      rows: Row[];
      children: { code: string; state: string | null }[];
      differences: { code: string; key: string; live: number; consolidated: number; explanation: string }[];
    }>(prepare(editorA), 201);
    expect(county.rows.map((r) => [r.kind, r.code, r.operating])).toEqual([
      ['own', A, 1],
      ['total', A, 1],
    ]);
    expect(county.children.map((c) => [c.code, c.state])).toEqual([
      [A1, 'draft'],
      [A2, null],
    ]);
    const a1 = county.differences.find((d) => d.code === A1 && d.key === 'operating')!;
    expect(a1).toMatchObject({ consolidated: 0, live: 1, explanation: '第001所尚未上报，其数字未计入汇总' });
    expect(county.differences.find((d) => d.code === A && d.key === 'operating')).toMatchObject({
      consolidated: 1,
      live: 3,
    });
    await ok(editorA1.post(`/reports/${station.id}/submit`, {}), 201);
    const a2 = await ok<{ id: number }>(prepare(editorA2), 201);
    await ok(editorA2.post(`/reports/${a2.id}/submit`, {}), 201);
  });

  it('goes prepare → annotate → submit → return → resubmit, keeping each submitted version as it was', async () => {
    const draft = await ok<{ id: number; state: string; actions: string[] }>(prepare(editorA), 201);
    expect(draft.state).toBe('draft');
    expect(draft.actions).toEqual(['prepare', 'annotate', 'submit']);
    await ok(editorA.patch(`/reports/${draft.id}`, { note: '本季度新增一个党支部' }));
    const v1 = await ok<{ state: string; version: number; versions: unknown[] }>(
      editorA.post(`/reports/${draft.id}/submit`, {}),
      201,
    );
    expect(v1).toMatchObject({ state: 'submitted', version: 1 });
    // Submitted: neither prepared again, annotated nor submitted twice; the county cannot return its own.
    expect((await prepare(editorA)).statusCode).toBe(409);
    expect((await editorA.patch(`/reports/${draft.id}`, { note: '改' })).statusCode).toBe(409);
    expect((await editorA.post(`/reports/${draft.id}/submit`, {})).statusCode).toBe(409);
    const own = await editorA.post(`/reports/${draft.id}/return`, { reason: '自己退回' });
    expect(own.statusCode).toBe(403);
    expect(own.json().detail).toMatch(/上级/);

    // The city sees who submitted, and the consolidated report of what was submitted.
    const board = await ok<{
      children: { code: string; report: { state: string } | null; overdue: boolean }[];
      consolidated: Row[];
    }>(editorCity.get(`/reports?form=xgz_core&period=${PERIOD}`));
    expect(board.children.map((c) => [c.code, c.report?.state ?? null])).toEqual(
      expect.arrayContaining([
        [A, 'submitted'],
        [B, null],
      ]),
    );
    expect(board.children.every((c) => !c.overdue)).toBe(true);
    expect(board.consolidated.map((r) => [r.name, r.operating])).toEqual([
      [expect.any(String), 3],
      ['合计', 3],
    ]);
    const sheet = await xlsx(await editorCity.get(`/reports/consolidated/export?form=xgz_core&period=${PERIOD}`));
    expect([
      sheet.getCell('A6').value,
      sheet.getCell('B6').value,
      sheet.getCell('A7').value,
      sheet.getCell('B7').value,
    ]).toEqual([board.consolidated[0].name, 3, '合计', 3]);
    expect(sheet.getCell('A2').text).toContain('下级上报汇总（已报 1 / ');

    // Returned by the city (a reason required; the province, two levels up, may not).
    expect((await editorCity.post(`/reports/${draft.id}/return`, { reason: ' ' })).statusCode).toBe(422);
    expect((await editorProvince.post(`/reports/${draft.id}/return`, { reason: '越级退回' })).statusCode).toBe(403);
    const returned = await ok<{ state: string; returnReason: string }>(
      editorCity.post(`/reports/${draft.id}/return`, { reason: '乙所数字待核实' }),
    );
    expect(returned).toMatchObject({ state: 'returned', returnReason: '乙所数字待核实' });
    const afterReturn = await ok<{ consolidated: Row[] }>(editorCity.get(`/reports?form=xgz_core&period=${PERIOD}`));
    expect(afterReturn.consolidated.map((r) => r.name)).toEqual(['合计']);

    // Corrected (the ledger changed; the county returns the station's report, which submits again), prepared again and submitted: version 2; version 1 unchanged.
    await ledger(t.db).entity({ place: A2 });
    const a2 = (
      await t.db.selectFrom('report').select('id').where('jurisdiction_code', '=', A2).executeTakeFirstOrThrow()
    ).id;
    await ok(editorA.post(`/reports/${a2}/return`, { reason: '新登记一户' }));
    await ok(prepare(editorA2), 201);
    await ok(editorA2.post(`/reports/${a2}/submit`, {}), 201);
    await ok(prepare(editorA), 201);
    const v2 = await ok<{
      version: number;
      versions: { version: number }[];
      events: { action: string; reason: string | null }[];
    }>(editorA.post(`/reports/${draft.id}/submit`, {}), 201);
    expect(v2.version).toBe(2);
    expect(v2.versions.map((v) => v.version)).toEqual([1, 2]);
    expect(v2.events.map((e) => e.action)).toEqual(['prepare', 'prepare', 'submit', 'return', 'prepare', 'submit']);
    const old = await ok<{ rows: Row[]; note: string }>(editorCity.get(`/reports/${draft.id}/versions/1`));
    const now = await ok<{ rows: Row[] }>(editorCity.get(`/reports/${draft.id}/versions/2`));
    expect([old.rows.at(-1)!.operating, now.rows.at(-1)!.operating]).toEqual([3, 4]);
    // A version number beyond the int4 column is refused in Chinese, not a 500 (round-5 probe).
    for (const url of [
      `/reports/${draft.id}/versions/2147483648`,
      `/reports/9007199254740991/versions/2147483648`,
      `/reports/${draft.id}/export?version=2147483648`,
    ]) {
      const res = await editorCity.get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json().errors, url).toEqual([{ field: 'version', message: '版本号过大' }]);
    }
    expect((await editorCity.get(`/reports/${draft.id}/versions/2147483647`)).statusCode).toBe(404);
    expect(old.note).toBe('本季度新增一个党支部');
    expect(
      await t.db
        .selectFrom('audit_log')
        .select('action')
        .where('action', 'in', ['report.submit', 'report.return'])
        .where('object_id', '=', String(draft.id))
        .execute(),
    ).toHaveLength(3);
  });

  it("refuses, in the database itself, any change to a submitted version or a submitted report's figures", async () => {
    const { id } = await t.db
      .selectFrom('report')
      .select('id')
      .where('jurisdiction_code', '=', A)
      .executeTakeFirstOrThrow();
    await expect(sql`UPDATE report_version SET note = '改过' WHERE report_id = ${id}`.execute(t.db)).rejects.toThrow(
      /已上报的报表版本不可修改或删除/,
    );
    await expect(sql`DELETE FROM report_version WHERE report_id = ${id}`.execute(t.db)).rejects.toThrow(
      /已上报的报表版本不可修改或删除/,
    );
    await expect(sql`UPDATE report SET data = '{}'::jsonb WHERE id = ${id}`.execute(t.db)).rejects.toThrow(
      /退回前不能修改/,
    );
    expect(
      await t.db.selectFrom('report_version').select('version').where('report_id', '=', id).execute(),
    ).toHaveLength(2);
  });

  it("keeps each county to its own reports; the city sees its counties', the nation reads but does not act", async () => {
    const { id } = await t.db
      .selectFrom('report')
      .select('id')
      .where('jurisdiction_code', '=', A)
      .executeTakeFirstOrThrow();
    for (const [method, url, body] of [
      ['GET', `/reports/${id}`],
      ['GET', `/reports/${id}/versions/1`],
      ['GET', `/reports/${id}/export`],
      ['POST', `/reports/${id}/return`, { reason: '越权' }],
      ['POST', `/reports/${id}/accept`, {}],
      ['PATCH', `/reports/${id}`, { note: '越权' }],
    ] as const) {
      expect((await editorB.call(method, url, body)).statusCode, `${method} ${url}`).toBe(404);
    }
    expect((await editorB.get(`/reports?form=xgz_core&period=${PERIOD}&under=${A}`)).statusCode).toBe(404);
    expect((await ok<{ own: unknown }>(editorB.get(`/reports?form=xgz_core&period=${PERIOD}`))).own).toBeNull();
    expect((await ok<{ node: { code: string } }>(editorCity.get(`/reports/${id}`))).node.code).toBe(A);
    expect((await ok<{ actions: string[] }>(viewerNation.get(`/reports/${id}`))).actions).toEqual([]);
    expect((await viewerNation.post(`/reports/${id}/return`, { reason: '查看者' })).statusCode).toBe(403);
    expect((await viewerNation.post(`/reports/${id}/accept`)).statusCode).toBe(403);
    expect((await editorProvince.post(`/reports/${id}/accept`)).statusCode).toBe(403); // two levels up
  });

  it('flags inconsistent figures (a snapshot written before a repair) and refuses submission until they are explained', async () => {
    const month = periodOf();
    const counts = { operating: 2, kindIndividual: 2, anyOrg: 3, work: 3, ownOrg: 1 };
    await sql`INSERT INTO indicator_snapshot (jurisdiction_code, scope_key, period, counts, own, trigger) VALUES (${B}, ${B}, ${month}, ${JSON.stringify(counts)}, ${JSON.stringify(counts)}, 'schedule')
      ON CONFLICT (scope_key, period) DO UPDATE SET counts = excluded.counts, own = excluded.own`.execute(t.db);
    const draft = await ok<{ id: number; source: string; asOf: string; checks: { code: string; message: string }[] }>(
      prepare(editorB, { source: 'snapshot' }),
      201,
    );
    expect(draft).toMatchObject({ source: 'snapshot', asOf: month });
    expect(draft.checks.map((c) => c.code)).toEqual(['org_le_entities', 'org_le_entities']);
    expect(draft.checks.map((c) => c.message)).toEqual([
      '本级（未划入下级）：党组织覆盖的主体（3）多于存续主体（2）',
      '合计：党组织覆盖的主体（3）多于存续主体（2）',
    ]);
    await ok(editorB.patch(`/reports/${draft.id}`, { missing: [{ code: B1, reason: '本期未报' }] }));
    const refused = await editorB.post(`/reports/${draft.id}/submit`, {});
    expect(refused.statusCode).toBe(422);
    expect(refused.json().detail).toMatch(/^未通过审核：党组织覆盖的主体不超过存续主体/);
    expect(refused.json().errors[1]).toEqual({
      field: 'acknowledgement',
      message: '合计：党组织覆盖的主体（3）多于存续主体（2）',
    });
    const done = await ok<{ versions: { acknowledgement: string | null }[] }>(
      editorB.post(`/reports/${draft.id}/submit`, {
        acknowledgement: '快照取于组织关系整理前，已核实',
        explanation: '快照与实时数不同',
      }),
      201,
    );
    expect(done.versions[0].acknowledgement).toBe('快照取于组织关系整理前，已核实');
    // A period with no snapshot cannot be prepared from one.
    expect((await prepare(editorB, { period: '2025-Q1', source: 'snapshot' })).statusCode).toBe(422);
  });

  it('prepares a past period from its period-end snapshot; without one, says so plainly and takes live figures only with a stated reason', async () => {
    const none = await prepare(editorB, { period: '2025-Q2' });
    expect(none.statusCode).toBe(422);
    expect(none.json()).toMatchObject({ title: '没有期末快照', errors: [{ field: 'liveReason' }] });
    expect(none.json().detail).toMatch(/^2025-Q2 没有期末快照（2025-06 月末未取快照/);
    expect((await prepare(editorB, { period: '2025-Q2', source: 'live' })).statusCode).toBe(422);
    const live = await ok<{ id: number; source: string; liveReason: string; sourceLabel: string }>(
      prepare(editorB, { period: '2025-Q2', source: 'live', liveReason: '平台 2026 年启用，2025 年无期末快照' }),
      201,
    );
    expect(live).toMatchObject({ source: 'live', liveReason: '平台 2026 年启用，2025 年无期末快照' });
    expect(live.sourceLabel).toMatch(/期末无快照，按实时数据填报/);
    // With the tree's closing snapshot of June 2025, the period is prepared from it (B's own rows as they stood then).
    const own = { operating: 7, kindEnterprise: 7 };
    await sql`INSERT INTO indicator_snapshot (jurisdiction_code, scope_key, period, counts, own, trigger, closing) VALUES
      ('000000', '', '2025-06', ${JSON.stringify(own)}, '{}', 'schedule', true), (${B}, ${B}, '2025-06', ${JSON.stringify(own)}, ${JSON.stringify(own)}, 'schedule', true)`.execute(
      t.db,
    );
    const snap = await ok<{ source: string; asOf: string; liveReason: string | null; rows: Row[]; checkRows: Row[] }>(
      prepare(editorB, { period: '2025-Q2' }),
      201,
    );
    expect(snap).toMatchObject({ source: 'snapshot', asOf: '2025-06', liveReason: null });
    expect(snap.rows.map((r) => [r.kind, r.operating])).toEqual([
      ['own', 7],
      ['total', 7],
    ]);
    // Beside it, as checks: today's live figures and the period-end snapshot's total.
    expect(snap.checkRows.map((r) => [r.name, r.operating])).toEqual([
      ['核对：实时数（生成时）', 1],
      ['核对：期末快照（2025-06）', 7],
    ]);
    const version = await ok<{ versions: unknown[] }>(
      editorB.patch(`/reports/${live.id}`, { missing: [{ code: B1, reason: '未报' }] }),
    );
    expect(version.versions).toEqual([]);
  });

  it('marks unsubmitted counties overdue after the due date, and refuses a period not begun or malformed', async () => {
    const board = await ok<{ dueOn: string; children: { code: string; overdue: boolean }[] }>(
      editorCity.get('/reports?form=xgz_core&period=2025-Q1'),
    );
    expect(board.dueOn).toBe('2025-04-15');
    expect(board.children.find((c) => c.code === A)!.overdue).toBe(true);
    expect((await editorCity.get('/reports?form=xgz_core&period=2099-Q1')).statusCode).toBe(400);
    expect((await prepare(editorA, { period: '2026年' })).statusCode).toBe(422);
  });

  it("exports a version as an official-looking xlsx whose figures are the API's, and audits the export", async () => {
    const { id } = await t.db
      .selectFrom('report')
      .select('id')
      .where('jurisdiction_code', '=', A)
      .executeTakeFirstOrThrow();
    const api = await ok<{ rows: Row[] }>(editorCity.get(`/reports/${id}/versions/2`));
    const res = await editorCity.get(`/reports/${id}/export?version=2`);
    expect(res.headers['content-type']).toMatch(/spreadsheetml/);
    const ws = await xlsx(res);
    expect(ws.getCell('A1').value).toBe(FORMS.xgz_core.title);
    expect(ws.getCell('A1').isMerged).toBe(true);
    expect(ws.getCell('A2').text).toMatch(/填报单位：.*报告期：\d{4}年第\d季度/);
    expect([ws.getCell('A3').value, ws.getCell('B3').value, ws.getCell('B4').value, ws.getCell('B5').value]).toEqual([
      '辖区',
      '市场主体',
      '存续主体',
      '户',
    ]);
    expect(ws.getCell('C3').isMerged).toBe(true); // 市场主体 spans its five columns
    const columns = FORMS.xgz_core.columns;
    api.rows.forEach((r, i) => {
      const line = ws.getRow(6 + i);
      expect(line.getCell(1).value).toBe(r.name);
      columns.forEach((k, j) => expect(line.getCell(j + 2).value ?? null, `${r.name} ${k}`).toEqual(r[k]));
    });
    expect(ws.getRow(6 + api.rows.length + 1).getCell(1).text).toMatch(
      /填报人：.*填报日期：\d{4}-\d{2}-\d{2}.*第 2 版/,
    );
    expect(
      await t.db.selectFrom('audit_log').select('action').where('action', '=', 'report.export').execute(),
    ).toHaveLength(2); // and the consolidated one
  });
});
