import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/domain/random.js';
import { idNumber, uscc } from '../../src/demo/ledger.js';
import { BACKENDS } from '../helpers/db.js';
import { nextIp, testApp, type TestApp } from '../helpers/app.js';
import { csvFile, importFile, tmpDir } from '../helpers/imports.js';

/**
 * Round 18 of the security probe (SECURITY.md, 第十八轮探测). Every test here failed on the code
 * before its fix.
 */
const COUNTY = '320102';
const rnd = seededRandom(1818);

describe.each(BACKENDS)('security regressions, round 18, on %s', (backend) => {
  let t: TestApp;

  const dir = tmpDir();
  beforeAll(async () => {
    t = await testApp(backend);
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a long run of Cyrillic letters and digits in any text is checked for look-alikes in linear time: not signed in, one 90 KB login held the server for 19 s, a 1 MB one would for over an hour (the mixed-script check backtracked over the run from each letter)', async () => {
    // 'а' is Cyrillic: 200,000 characters, 300 KB of UTF-8, inside the body limit. No clock: the old
    // check would hold this request for many minutes, past the suite's time for a test.
    const username = 'а'.repeat(100_000) + '1'.repeat(100_000);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username, password: 'whatever-Pw1' },
      remoteAddress: nextIp(),
    });
    expect(res.statusCode).toBeLessThan(500);

    // The check still refuses a look-alike word, naming it (shortened when long), in a form and in a long run.
    const c = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: COUNTY }));
    for (const name of ['W\u0430nda 第十八轮广场', 'W\u0251nda 第十八轮', 'a'.repeat(5_000) + '\u0430 第十八轮']) {
      const spoof = await c.post('/zones', { kind: 'market', name, countyCode: COUNTY });
      expect(spoof.statusCode, spoof.body).toBe(400);
      expect(spoof.json().errors).toEqual([{ field: 'name', message: expect.stringContaining('冒充') }]);
      expect(spoof.body.length).toBeLessThan(2_000);
    }
    expect(
      (await c.post('/zones', { kind: 'market', name: 'Магазин 1 第十八轮', countyCode: COUNTY })).statusCode,
    ).toBe(201);
    expect((await c.post('/zones', { kind: 'market', name: 'ɑ 第十八轮', countyCode: COUNTY })).statusCode).toBe(201);
  });

  it("a file's name cells of spaces are read in linear time: a registry file whose 名称 and 经营者 cells held 4,000 full-width spaces between two letters took about 0.1 s a row (the rules for padding, line breaks and a header's notes backtracked over the run from each space; 80 rows, 8.2 s), so a county clerk or a service account held the server row by row", async () => {
    const importer = await t.user({ roles: ['editor'], jurisdiction: COUNTY });
    // Over two lines: joinLines reads it too. No clock: at 20,000 spaces a cell, the old rules would
    // hold the import for many minutes, past the suite's time for a test.
    const padded = 'A' + '\u3000'.repeat(20_000) + 'B\nC';
    const rows = Array.from({ length: 150 }, (_, i) => ({
      统一社会信用代码: uscc(rnd, 'individual', COUNTY),
      名称: padded,
      主体类型: '个体工商户',
      登记状态: '存续',
      成立日期: '2020-05-01',
      住所: '玄武区中山路 18 号',
      所属县区代码: COUNTY,
      '法定代表人/经营者': padded,
      '法定代表人/经营者身份证号': idNumber(rnd, COUNTY, new Date(1980, 0, 1 + i)),
    }));
    const file = csvFile(dir, 'padded.csv', rows);
    const { job, rejections } = await importFile(t, 'registry', file, { id: importer.id, scopeKey: COUNTY });
    // Refused as too long, each naming its field, as before.
    expect(job).toMatchObject({ status: 'done', rows_read: 150, rows_accepted: 0, rows_rejected: 150 });
    expect(new Set(rejections.map((r) => r.row_no)).size).toBe(150);
  });
});
