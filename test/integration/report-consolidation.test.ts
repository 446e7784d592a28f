import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { COUNT_KEYS, toCounts, type Counts } from '../../src/domain/indicators/registry.js';
import { periodOfDate } from '../../src/domain/reports/forms.js';
import { localDate } from '../../src/domain/time/zone.js';
import { recomputeCounts } from '../../src/features/indicators/recompute.js';
import { BACKENDS } from '../helpers/db.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { ledger } from '../helpers/ledger.js';

const PROVINCE = '320000';
const CITY = '320100';
const A = '320102';
const A1 = '320102001';
const A2 = '320102002';
const B = '320104';
const B1 = '320104001';
const PERIOD = periodOfDate('quarter', localDate());
type Client = Awaited<ReturnType<TestApp['signIn']>>;
type Row = { code: string | null; name: string; kind: string; version: number | null } & Record<string, number | null>;
type Mark = { code: string; name: string; reason: string; by: string };
type Detail = {
  id: number;
  state: string;
  version: number;
  sourceLabel: string;
  rows: Row[];
  waiting: { code: string; name: string }[];
  missing: Mark[];
  missingBelow: Mark[];
  differences: {
    code: string | null;
    row: string;
    kind: string;
    key: string;
    consolidated: number;
    live: number;
    beyond: boolean;
    byMissing?: boolean;
    explanation: string;
  }[];
  outdated: { at: string; reason: string } | null;
  actions: string[];
  checkRows: Row[];
  versions: { version: number; explanation: string | null; missing: Mark[] }[];
};

const countsOf = (r: Row) => toCounts(Object.fromEntries(COUNT_KEYS.map((k) => [k, r[k]])));
const totalOf = (d: { rows: Row[] }) => countsOf(d.rows.find((r) => r.kind === 'total')!);
const sum = (...cs: Counts[]) =>
  toCounts(Object.fromEntries(COUNT_KEYS.map((k) => [k, cs.reduce((s, c) => s + c[k], 0)])));

describe.each(BACKENDS)('reports that roll up, station → county → city → province, on %s', (backend) => {
  let t: TestApp;
  const as: Record<string, Client> = {};
  let siblingsOfA: string[];
  let citiesBesides: string[];

  beforeAll(async () => {
    t = await testApp(backend);
    const l = ledger(t.db);
    for (const s of [A1, A2, B1]) await l.station(s);
    const a1 = await l.entity({ place: A1, kind: 'individual' });
    await l.entity({ place: A1, kind: 'enterprise' });
    await l.entity({ place: A2, kind: 'enterprise' });
    await l.entity({ place: A, kind: 'cooperative' });
    await l.entity({ place: B1 });
    await l.members(a1, 2);
    for (const code of [A1, A2, A, B, B1, CITY, PROVINCE])
      as[code] = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: code }));
    as.nation = await t.signIn(await t.user({ roles: ['viewer'], jurisdiction: '000000' }));
    siblingsOfA = (
      await t.db
        .selectFrom('jurisdiction')
        .select('code')
        .where('parent_code', '=', CITY)
        .where('code', 'not in', [A, B])
        .execute()
    ).map((r) => r.code);
    citiesBesides = (
      await t.db
        .selectFrom('jurisdiction')
        .select('code')
        .where('parent_code', '=', PROVINCE)
        .where('code', '<>', CITY)
        .execute()
    ).map((r) => r.code);
  });
  afterAll(() => t?.close());

  const ok = async <T = Detail>(
    p: Promise<{ statusCode: number; body: string; json(): unknown }>,
    status = 200,
  ): Promise<T> => {
    const res = await p;
    expect(res.statusCode, res.body).toBe(status);
    return res.json() as T;
  };
  const prepare = (code: string) => ok(as[code].post('/reports', { form: 'xgz_core', period: PERIOD }), 201);
  const submit = (code: string, id: number, body: Record<string, unknown> = {}) =>
    as[code].post(`/reports/${id}/submit`, body);

  it('a station reports its own live figures, as a recompute gives them', async () => {
    const r = await prepare(A1);
    expect(r.rows.map((x) => [x.kind, x.operating])).toEqual([
      ['own', 2],
      ['total', 2],
    ]);
    expect(totalOf(r)).toEqual(await recomputeCounts(t.db, A1));
    await ok(submit(A1, r.id), 201);
  });

  it("refuses the county's submission while a station has not reported, naming it; consolidates what was submitted, and shows a later change as an explained difference", async () => {
    // After A1 submitted, a new entity registers in A1: the ledger moved on.
    await ledger(t.db).entity({ place: A1, kind: 'individual' });
    let county = await prepare(A);
    expect(county.waiting.map((c) => c.code)).toEqual([A2]);
    const refused = await submit(A, county.id, { explanation: '已核实' });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().detail).toMatch(/^下级尚未上报：第002所/);
    expect(refused.json().errors).toEqual([{ field: 'missing', message: `第002所（${A2}）尚未上报` }]);

    const a2 = await prepare(A2);
    await ok(submit(A2, a2.id), 201);
    // The draft was consolidated before A2 submitted: it must be prepared again.
    const stale = await submit(A, county.id, { explanation: '已核实' });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().detail).toMatch(/第002所已上报第 1 版/);

    county = await prepare(A);
    // Rows: each station's submitted version, the county's own rows, the total: 2 + 1 + 1, not the live 5.
    expect(county.rows.map((r) => [r.kind, r.code, r.version, r.operating])).toEqual([
      ['child', A1, 1, 2],
      ['child', A2, 1, 1],
      ['own', A, null, 1],
      ['total', A, null, 4],
    ]);
    expect((await recomputeCounts(t.db, A)).operating).toBe(5);
    const d = county.differences.filter((x) => x.key === 'operating');
    expect(d.map((x) => [x.kind, x.code, x.consolidated, x.live, x.beyond])).toEqual([
      ['child', A1, 2, 3, false],
      ['total', A, 4, 5, true],
    ]);
    expect(d[0].explanation).toMatch(
      /^第001所于 \d{4}-\d{2}-\d{2} 上报第 1 版（实时数据 \d{4}-\d{2}-\d{2}），此后台账有变化$/,
    );
    // Beyond the tolerance: explained before it goes up, and the explanation kept in the version.
    const unexplained = await submit(A, county.id);
    expect(unexplained.statusCode).toBe(422);
    expect(unexplained.json().detail).toMatch(/差异超出允许范围：存续主体/);
    expect(unexplained.json().errors[0].field).toBe('explanation');
    const done = await ok(submit(A, county.id, { explanation: '第001所上报后新登记一户个体工商户，下季度计入' }), 201);
    expect(done.versions[0].explanation).toBe('第001所上报后新登记一户个体工商户，下季度计入');
    const v = await ok<{ differences: { key: string; explanation: string }[]; explanation: string }>(
      as[CITY].get(`/reports/${done.id}/versions/1`),
    );
    expect(v.differences.find((x) => x.key === 'operating')?.explanation).toMatch(/第001所于/);
  });

  it("accepts a county's submission with a station marked 缺报 and its reason", async () => {
    const b = await prepare(B);
    expect(b.waiting.map((c) => c.code)).toEqual([B1]);
    expect((await submit(B, b.id, { explanation: '乙所缺报' })).statusCode).toBe(422);
    // A mark needs a reason, and only a child not yet reported can be marked.
    expect((await as[B].patch(`/reports/${b.id}`, { missing: [{ code: B1, reason: ' ' }] })).statusCode).toBe(400);
    const bad = await as[B].patch(`/reports/${b.id}`, { missing: [{ code: A1, reason: '不是下级' }] });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors).toEqual([{ field: 'missing.0.code', message: `${A1} 不是本级的直接下级` }]);
    const marked = await ok(
      as[B].patch(`/reports/${b.id}`, { missing: [{ code: B1, reason: '所长外出培训，数据未报' }] }),
    );
    expect(marked.missing).toEqual([
      { code: B1, name: '第001所', reason: '所长外出培训，数据未报', by: expect.any(String) },
    ]);
    expect(marked.waiting).toEqual([]);
    const diff = marked.differences.find((x) => x.kind === 'child' && x.key === 'operating')!;
    expect(diff.explanation).toBe('第001所缺报（所长外出培训，数据未报），其数字未计入汇总');
    // The whole difference is the station left out: its 缺报 reason is the explanation, none other asked.
    const total = marked.differences.find((x) => x.kind === 'total' && x.key === 'operating')!;
    expect(total).toMatchObject({ consolidated: 0, live: 1, beyond: false, byMissing: true });
    expect(total.explanation).toContain('差异来自缺报单位（第001所：所长外出培训，数据未报），缺报原因即差异说明');
    const done = await ok(submit(B, b.id), 201);
    expect(done.versions[0].missing.map((m) => m.code)).toEqual([B1]);
    expect(done.versions[0].explanation).toBeNull();
  });

  it('the city and the province consolidate in turn; the province equals the sum of what was submitted below, not the live figures, and shows the 缺报 mark', async () => {
    const city = await prepare(CITY);
    expect(city.waiting.map((c) => c.code).sort()).toEqual(siblingsOfA.sort());
    const refused = await submit(CITY, city.id, { explanation: '已核实' });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().errors.map((e: { message: string }) => e.message)).toHaveLength(siblingsOfA.length);
    // The city sees the county's mark on the station.
    const board = await ok<{ children: { code: string; carried: Mark[] }[] }>(
      as[CITY].get(`/reports?form=xgz_core&period=${PERIOD}`),
    );
    expect(board.children.find((c) => c.code === B)!.carried.map((m) => [m.code, m.reason])).toEqual([
      [B1, '所长外出培训，数据未报'],
    ]);
    expect(city.missingBelow.map((m) => m.code)).toEqual([B1]);
    await ok(
      as[CITY].patch(`/reports/${city.id}`, {
        missing: siblingsOfA.map((code) => ({ code, reason: '本期无小个专党建数据' })),
      }),
    );
    const c = await ok(submit(CITY, city.id, { explanation: '玄武区上报后新登记一户；秦淮区第001所缺报' }), 201);
    expect(c.state).toBe('submitted');

    const province = await prepare(PROVINCE);
    await ok(
      as[PROVINCE].patch(`/reports/${province.id}`, {
        missing: citiesBesides.map((code) => ({ code, reason: '试点以外' })),
      }),
    );
    const p = await ok(submit(PROVINCE, province.id, { explanation: '见南京市说明' }), 201);

    // What the counties submitted, summed: the province's total is exactly that.
    const versions = await t.db
      .selectFrom('report_version')
      .select(['jurisdiction_code', 'data'])
      .where('jurisdiction_code', 'in', [A, B])
      .execute();
    const submitted = versions.map((v) =>
      countsOf((v.data as { rows: Row[] }).rows.find((r) => r.kind === 'total')!.counts as unknown as Row),
    );
    const provinceTotal = totalOf(p);
    expect(provinceTotal).toEqual(sum(...submitted));
    expect(provinceTotal.operating).toBe(4);
    const live = await recomputeCounts(t.db, '32');
    expect(live.operating).toBe(6);
    expect(provinceTotal).not.toEqual(live);
    // The live figures stay beside it as a check, not in its place.
    expect(p.checkRows.map((r) => [r.name.replace(/（.*）/, ''), r.operating])).toEqual([['核对：实时数', 6]]);
    // The station's 缺报 and its reason travel up to the province's version (and so to the nation's reading of it).
    const read = await ok<Detail>(as.nation.get(`/reports/${p.id}`));
    expect(read.versions[0].missing).toEqual(
      expect.arrayContaining([{ code: B1, name: '第001所', reason: '所长外出培训，数据未报', by: expect.any(String) }]),
    );
    expect(read.missingBelow.find((m) => m.code === B1)?.reason).toBe('所长外出培训，数据未报');
    expect(read.missing.map((m) => m.code).sort()).toEqual([...citiesBesides].sort());
  });

  it('a resubmission below marks the level above outdated, which prepares and submits again', async () => {
    const stationReport = (
      await t.db.selectFrom('report').select('id').where('jurisdiction_code', '=', A1).executeTakeFirstOrThrow()
    ).id;
    const countyReport = (
      await t.db.selectFrom('report').select('id').where('jurisdiction_code', '=', A).executeTakeFirstOrThrow()
    ).id;
    await ok(as[A].post(`/reports/${stationReport}/return`, { reason: '请计入新登记的个体户' }));
    // Returned: the station's 待办 has it, with the reason.
    const todos = async (code: string) =>
      (await ok<{ items: { key: string; detail: string }[] }>(as[code].get('/workbench?kind=report'))).items;
    expect((await todos(A1)).filter((i) => i.key.startsWith('report:returned:'))).toEqual([
      expect.objectContaining({ key: `report:returned:${stationReport}`, detail: '退回原因：请计入新登记的个体户' }),
    ]);
    const again = await prepare(A1);
    expect(again.rows.at(-1)!.operating).toBe(3);
    expect(again.sourceLabel).toMatch(/^实时数据/); // a station has no level below to consolidate
    await ok(submit(A1, again.id), 201);

    const county = await ok(as[A].get(`/reports/${countyReport}`));
    expect(county.state).toBe('submitted');
    expect(county.sourceLabel).toMatch(/^下级上报汇总 \+ 本级/);
    expect(county.outdated?.reason).toMatch(/^第001所于 \d{4}-\d{2}-\d{2} 重新上报第 2 版/);
    expect(county.actions).toEqual(['prepare']);
    // And its 今日待办 says so, until it submits again.
    const todoKeys = async () => (await todos(A)).map((i) => i.key);
    expect((await todoKeys()).filter((k) => /^report:(outdated|returned):/.test(k))).toEqual([
      `report:outdated:${countyReport}`,
    ]);
    // The city's report is not outdated until the county submits again.
    const cityReport = await t.db
      .selectFrom('report')
      .select(['id', 'outdated_at'])
      .where('jurisdiction_code', '=', CITY)
      .executeTakeFirstOrThrow();
    expect(cityReport.outdated_at).toBeNull();
    // But the city's board shows the county's submitted report as 待更新 (its figures are no longer the station's).
    const board = await ok<{ children: { code: string; report: { outdated: boolean } | null }[] }>(
      as[CITY].get(`/reports?form=xgz_core&period=${PERIOD}`),
    );
    expect(board.children.find((c) => c.code === A)!.report!.outdated).toBe(true);

    const redone = await prepare(A);
    expect(redone.state).toBe('draft');
    expect(redone.outdated).toBeNull();
    // Prepared again but not sent up (the city no longer counts it): the county's 待办 keeps it, though the period is not the one due now.
    expect(await todoKeys()).toContain(`report:redo:${countyReport}`);
    expect(redone.rows.map((r) => [r.code, r.version, r.operating])).toEqual([
      [A1, 2, 3],
      [A2, 1, 1],
      [A, null, 1],
      [A, null, 5],
    ]);
    await ok(submit(A, redone.id), 201);
    expect(await todoKeys()).not.toContain(`report:outdated:${countyReport}`);
    expect(await todoKeys()).not.toContain(`report:redo:${countyReport}`);
    const city = await ok(as[CITY].get(`/reports/${cityReport.id}`));
    expect(city.outdated?.reason).toMatch(/^玄武区于 .* 重新上报第 2 版/);
    expect(
      (await sql<{ n: number }>`SELECT count(*)::int AS n FROM report WHERE outdated_at IS NOT NULL`.execute(t.db))
        .rows[0].n,
    ).toBe(1);
  });
});
