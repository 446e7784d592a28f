import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { valuesOf } from '../../src/domain/indicators/registry.js';
import { scoreAll } from '../../src/domain/assessment/scoring.js';
import { recomputeCounts } from '../../src/features/indicators/recompute.js';
import { BACKENDS } from '../helpers/db.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { A, B, CITY, ITEMS as items, scoredItems, twoCounties } from '../helpers/assessment.js';

type Client = Awaited<ReturnType<TestApp['signIn']>>;
type Child = {
  code: string;
  total: number;
  rank: number | null;
  items: { label: string; actual: number | null; score: number }[];
};

describe.each(BACKENDS)('the yearly assessment on %s', (backend) => {
  let t: TestApp;
  let city: Client;
  let countyA: Client;
  let countyB: Client;
  let province: Client;

  beforeAll(async () => {
    t = await testApp(backend);
    await twoCounties(t);
    city = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: CITY }));
    countyA = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: A }));
    countyB = await t.signIn(await t.user({ roles: ['viewer'], jurisdiction: B }));
    province = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: '320000' }));
  });
  afterAll(() => t?.close());

  it('scores each county from live figures by the domain rule, with manual scores, and ranks them', async () => {
    expect(
      (await city.put(`/assessments/${A}`, { year: 2026, items: scoredItems('经验做法获市委组织部推广') })).statusCode,
    ).toBe(204);
    expect((await city.put(`/assessments/${B}`, { year: 2026, items })).statusCode).toBe(204);
    const res = await city.get('/assessments?year=2026');
    expect(res.statusCode, res.body).toBe(200);
    const children: Child[] = res.json().children;
    const a = children.find((c) => c.code === A)!;
    const b = children.find((c) => c.code === B)!;
    // A: coverage 1/2 of 0.8 → 25; instructors 1 of 2 → 15; manual 20. B: coverage 1 → 40; none → 0; manual unscored → 0.
    expect(a.items.map((i) => [i.label, i.actual, i.score])).toEqual([
      ['组织覆盖率', 0.5, 25],
      ['在岗指导员', 1, 15],
      ['党建工作创新', null, 20],
    ]);
    expect([a.total, b.total]).toEqual([60, 40]);
    expect([a.rank, b.rank]).toEqual([1, 2]);
    expect(children[0].code).toBe(A);
    // The same as the domain scoring the recomputed figures.
    expect(b.total).toBe(scoreAll(items as never, valuesOf(await recomputeCounts(t.db, B))).total);
    // Other children of the city have no items: listed, unranked.
    expect(children.filter((c) => c.rank === null).every((c) => c.items.length === 0)).toBe(true);
  });

  it('scores a closed year on its December snapshot (the year as it ended), the current one on live figures', async () => {
    const last = new Date().getFullYear() - 1;
    for (const [code, key, counts] of [
      [CITY, '3201', { operating: 10, anyOrg: 4 }],
      [A, A, { operating: 4, anyOrg: 1 }],
    ] as const) {
      await sql`INSERT INTO indicator_snapshot (jurisdiction_code, scope_key, period, counts, trigger) VALUES (${code}, ${key}, ${`${last}-12`}, ${JSON.stringify(counts)}, 'schedule')`.execute(
        t.db,
      );
    }
    expect((await city.put(`/assessments/${A}`, { year: last, items: [items[0]] })).statusCode).toBe(204);
    const closed = (await city.get(`/assessments?year=${last}`)).json();
    expect([closed.source, closed.asOf]).toEqual(['snapshot', `${last}-12`]);
    // 1 of 4 covered in December: 0.25 of a 0.8 target × 40.
    expect(closed.children.find((c: Child) => c.code === A).items[0]).toMatchObject({ actual: 0.25, score: 12.5 });
    expect((await city.get(`/assessments?year=${last + 1}`)).json().source).toBe('live');
  });

  it('lets only the level directly above set the items, and refuses items it cannot score', async () => {
    expect((await countyA.put(`/assessments/${A}`, { year: 2026, items })).statusCode).toBe(403);
    expect((await province.put(`/assessments/${A}`, { year: 2026, items })).statusCode).toBe(403);
    expect((await countyA.put(`/assessments/${B}`, { year: 2026, items })).statusCode).toBe(404);
    const over = await city.put(`/assessments/${A}`, {
      year: 2026,
      items: [...items, { kind: 'manual', label: '加分', weight: 10, manualScore: null, evidence: null }],
    });
    expect(over.statusCode).toBe(422);
    expect(over.json().detail).toBe('各项分值合计 110，超过 100 分');
    const noEvidence = await city.put(`/assessments/${A}`, { year: 2026, items: [{ ...items[2], manualScore: 10 }] });
    expect(noEvidence.json().errors[0]).toEqual({ field: 'items.0.evidence', message: '人工评分须写明依据' });
    // A county reads its own children's assessment only; a sibling's subtree is not found.
    expect((await countyB.get(`/assessments?year=2026&under=${A}`)).statusCode).toBe(404);
    expect((await countyB.get(`/assessments?year=2026&under=${CITY}`)).statusCode).toBe(404);
  });

  it('exports the ranking and the details as xlsx, audited', async () => {
    const res = await city.get('/assessments/export?year=2026');
    expect(res.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const rank = wb.getWorksheet('考核排名')!;
    expect([rank.getRow(2).values, rank.getRow(3).values].map((v) => (v as unknown[]).slice(1, 4))).toEqual([
      [1, '玄武区', 60],
      [2, '秦淮区', 40],
    ]);
    const detail = wb.getWorksheet('考核明细')!;
    expect(detail.getRow(2).values).toEqual([
      undefined,
      '玄武区',
      '组织覆盖率',
      '指标（自动评分）',
      '80.0%',
      '50.0%',
      40,
      25,
    ]);
    expect(
      await t.db.selectFrom('audit_log').select('action').where('action', '=', 'assessment.export').execute(),
    ).toHaveLength(1);
  });
});
