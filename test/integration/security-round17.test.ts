import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { seededRandom } from '../../src/domain/random.js';
import { idNumber, uscc } from '../../src/demo/ledger.js';
import { BACKENDS } from '../helpers/db.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { ledger } from '../helpers/ledger.js';

/**
 * Round 17 of the security probe (SECURITY.md, 第十七轮探测). Every test here failed on the code
 * before its fix.
 */
const COUNTY = '320102';
const OTHER_COUNTIES = ['320104', '320105', '320106'];
const rnd = seededRandom(1717);

describe.each(BACKENDS)('security regressions, round 17, on %s', (backend) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await testApp(backend);
  });
  afterAll(() => t?.close());

  const idColumn = async (payload: unknown) => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(payload as ArrayBuffer);
    const ws = wb.worksheets[0];
    const header = (ws.getRow(1).values as string[]).indexOf('身份证号');
    const ids: string[] = [];
    ws.eachRow((r, n) => {
      if (n > 1) ids.push(r.getCell(header).text);
    });
    return ids;
  };

  it("an export of the ledger with the full ID numbers counts each person in it against the account's reveal budget: past it, 429 in Chinese and nothing revealed (one request with reveal=true gave a province's 19,856 full ID numbers while the one-by-one reveal stopped at 30 in 10 minutes)", async () => {
    const u = await t.user({ roles: ['editor'], jurisdiction: COUNTY });
    const c = await t.signIn(u);
    const l = ledger(t.db);
    const ids: string[] = [];
    for (const name of ['第十七轮甲公司', '第十七轮乙公司', '第十七轮丙公司']) {
      const id = await l.entity({ place: COUNTY, name });
      const number = idNumber(rnd, COUNTY, new Date('1980-01-0' + (ids.length + 1)));
      ids.push(number);
      const added = await c.post(`/entities/${id}/people`, {
        role: 'legal_rep',
        name: `法人${ids.length}`,
        idNumber: number,
      });
      expect(added.statusCode, added.body).toBe(201);
    }
    const used = async () =>
      (
        await t.db
          .selectFrom('account_window')
          .select('used')
          .where('user_id', '=', u.id)
          .where('kind', '=', 'reveal')
          .executeTakeFirst()
      )?.used ?? 0;

    const full = await c.get('/entities/export?q=第十七轮&reveal=true');
    expect(full.statusCode).toBe(200);
    expect((await idColumn(full.rawPayload)).sort()).toEqual([...ids].sort());
    expect(await used()).toBe(3); // three people revealed, three reveals

    // 28 of the 30 spent: three more people do not fit.
    await sql`UPDATE account_window SET used = 28 WHERE user_id = ${u.id} AND kind = 'reveal'`.execute(t.db);
    const refused = await c.get('/entities/export?q=第十七轮&reveal=true');
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(refused.json()).toMatchObject({ title: '查看过于频繁', code: 'reveal_limit' });
    expect(refused.json().detail).toMatch(/本次导出含 3 人的完整身份证号，每人计一次/);
    for (const n of ids) expect(refused.body).not.toContain(n);
    const denied = await t.db
      .selectFrom('audit_log')
      .select(['detail', 'outcome'])
      .where('action', '=', 'personal.reveal_limited')
      .where('actor_id', '=', u.id)
      .execute();
    expect(denied).toHaveLength(1);
    expect(denied[0]).toMatchObject({ outcome: 'denied', detail: { people: 3 } });
    // The export audited once, for the file that was sent.
    const exported = await t.db
      .selectFrom('audit_log')
      .select('detail')
      .where('action', '=', 'entity.export')
      .where('actor_id', '=', u.id)
      .execute();
    expect(exported.map((e) => (e.detail as { revealed: boolean }).revealed)).toEqual([true]);

    // The masked ledger costs no reveal and is still there.
    const masked = await c.get('/entities/export?q=第十七轮');
    expect(masked.statusCode).toBe(200);
    const shown = await idColumn(masked.rawPayload);
    expect(shown).toHaveLength(3);
    for (const n of ids) expect(shown).not.toContain(n);
  });

  it("a public self-report naming an entity by its code is counted against the county it lands in, not the county chosen on the form: past that county's cap, 429 whatever county is chosen (one address put reports into one county without limit, choosing another county each time)", async () => {
    const cap = t.ctx.config.selfReportCountyDaily;
    const code = uscc(rnd, 'enterprise', COUNTY);
    const entity = await ledger(t.db).entity({ place: COUNTY, name: '第十七轮报到公司' });
    await sql`UPDATE entity SET uscc = ${code} WHERE id = ${entity}`.execute(t.db);
    // The entity's county has taken all but one of today's reports.
    await sql`INSERT INTO public_window (bucket, key, window_start, used) VALUES ('self_report.county', ${COUNTY}, now(), ${cap - 1})
      ON CONFLICT (bucket, key) DO UPDATE SET window_start = EXCLUDED.window_start, used = EXCLUDED.used`.execute(t.db);
    const report = (countyCode: string, i: number) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/public/self-report',
        payload: {
          name: '灌入报到',
          phone: '13812340000',
          countyCode,
          entityName: '某公司',
          uscc: code,
          consent: true,
        },
        remoteAddress: `203.0.113.${170 + i}`,
      });
    const landed = () =>
      t.db.selectFrom('self_report').select(['county_code', 'scope_key']).where('entity_id', '=', entity).execute();
    try {
      const [first, ...rest] = OTHER_COUNTIES;
      expect((await report(first, 0)).statusCode).toBe(201); // the last place of the entity's county
      for (const [i, other] of rest.entries()) {
        const refused = await report(other, i + 1);
        expect([other, refused.statusCode]).toEqual([other, 429]);
        expect(refused.json()).toMatchObject({ title: '今日报到已满', code: 'self_report_county_limit' });
      }
      const rows = await landed();
      expect(rows).toHaveLength(1);
      expect(rows[0].county_code).toBe(COUNTY); // where it landed (its scope is the entity's), as its case is
      // The counties chosen on the form were not charged.
      const charged = await t.db
        .selectFrom('public_window')
        .select('key')
        .where('bucket', '=', 'self_report.county')
        .where('key', 'in', OTHER_COUNTIES)
        .execute();
      expect(charged).toEqual([]);
    } finally {
      await sql`DELETE FROM public_window WHERE bucket LIKE 'self_report.%'`.execute(t.db);
    }
  });
});
