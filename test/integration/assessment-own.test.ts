import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDate } from '../../src/domain/time/zone.js';
import { BACKENDS } from '../helpers/db.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { A, B, CITY, ITEMS as items, scoredItems, twoCounties } from '../helpers/assessment.js';
import { PDF, upload } from '../helpers/attachments.js';
import type { OwnAssessment } from '../../src/features/assessment/contract.js';

type Client = Awaited<ReturnType<TestApp['signIn']>>;
type Own = OwnAssessment;

describe.each(BACKENDS)('the assessed county sees its own assessment on %s', (backend) => {
  let t: TestApp;
  let countyA: Client;
  let countyB: Client;
  const year = Number(localDate().slice(0, 4));

  beforeAll(async () => {
    t = await testApp(backend);
    await twoCounties(t);
    const city = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: CITY }));
    for (const y of [year, 2020]) {
      const put = await city.put(`/assessments/${A}`, { year: y, items: scoredItems('经验做法获推广') });
      expect(put.statusCode, put.body).toBe(204);
      expect((await city.put(`/assessments/${B}`, { year: y, items })).statusCode).toBe(204);
    }
    countyA = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: A }));
    countyB = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: B }));
  });
  afterAll(() => t?.close());

  it("a county sees its own targets, weights, live score and rank among its siblings, and none of a sibling's detail", async () => {
    const a = await countyA.get(`/assessments/mine?year=${year}`);
    expect(a.statusCode, a.body).toBe(200);
    const own: Own = a.json();
    expect(own.node.code).toBe(A);
    // A: coverage 1/2 of 0.8 → 25; instructors 1 of 2 → 15; manual 20 = 60, first of the two ranked. B: 40 + 0 + 0 = 40.
    expect(own.items.map((i) => [i.label, i.score])).toEqual([
      ['组织覆盖率', 25],
      ['在岗指导员', 15],
      ['党建工作创新', 20],
    ]);
    expect([own.total, own.weight, own.rank, own.ranked]).toEqual([60, 100, 1, 2]);
    expect(own.evidenceOpen).toBe(true);
    expect(a.body).not.toContain(B);
    const b: Own = (await countyB.get(`/assessments/mine?year=${year}`)).json();
    expect([b.node.code, b.total, b.rank, b.ranked]).toEqual([B, 40, 2, 2]);
    expect(JSON.stringify(b)).not.toContain(A);
    // A sibling's assessment through the level above's route stays out of reach.
    expect((await countyB.get(`/assessments?year=${year}&under=${CITY}`)).statusCode).toBe(404);
  });

  it('evidence on a manual item: the county itself before the deadline; not on an indicator item, not a sibling, not after the deadline', async () => {
    const own: Own = (await countyA.get(`/assessments/mine?year=${year}`)).json();
    const manual = own.items.find((i) => i.kind === 'manual')!;
    const indicator = own.items.find((i) => i.kind === 'indicator')!;
    const ok = await upload(countyA, 'assessment_item', manual.id, '创新做法材料.pdf', PDF);
    expect(ok.statusCode, ok.body).toBe(201);
    const after: Own = (await countyA.get(`/assessments/mine?year=${year}`)).json();
    expect(after.items.find((i) => i.id === manual.id)!.attachments.map((f) => f.fileName)).toEqual([
      '创新做法材料.pdf',
    ]);

    const onIndicator = await upload(countyA, 'assessment_item', indicator.id, '指标.pdf', PDF);
    expect(onIndicator.statusCode).toBe(422);
    expect(onIndicator.json().detail).toContain('自动评分');
    // A sibling cannot see the item, so cannot attach to it; its own view holds none of A's files.
    expect((await upload(countyB, 'assessment_item', manual.id, '冒名.pdf', PDF)).statusCode).toBe(404);
    expect(JSON.stringify((await countyB.get(`/assessments/mine?year=${year}`)).json())).not.toContain('创新做法材料');

    // 2020's deadline (2021-01-31) has passed: refused with a Chinese message naming it, nothing written.
    const old: Own = (await countyA.get('/assessments/mine?year=2020')).json();
    expect([old.evidenceOpen, old.evidenceDeadline]).toEqual([false, '2021-01-31']);
    const oldManual = old.items.find((i) => i.kind === 'manual')!;
    const late = await upload(countyA, 'assessment_item', oldManual.id, '补交材料.pdf', PDF);
    expect(late.statusCode).toBe(422);
    expect(late.json().detail).toBe('2020 年度考核佐证材料已于 2021-01-31 截止提交，不能再添加附件');
    expect(
      await t.db
        .selectFrom('attachment')
        .select('id')
        .where('owner_type', '=', 'assessment_item')
        .where('owner_id', '=', oldManual.id)
        .execute(),
    ).toEqual([]);
  });
});
