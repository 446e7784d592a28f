import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/domain/random.js';
import { idNumber, uscc } from '../../src/demo/ledger.js';
import { BACKENDS } from '../helpers/db.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { csvFile, importFile, tmpDir } from '../helpers/imports.js';

/**
 * A re-imported 年报 after staff decided the cases raised on the old one: a decision stands unless
 * what it rests on changed (domain/cases/conditions.ts, decisionBasisChanged). A corrected report
 * does not reopen a dismissed pocket case (the report says nothing of org relations); a new year's
 * report that says the same does not undo a confirmation; one that says something else does.
 */
const rnd = seededRandom(4444);
const C = '320102';

describe.each(BACKENDS)('annual reports after decided cases, on %s', (backend) => {
  let t: TestApp;
  const dir = tmpDir();
  let n = 0;
  beforeAll(async () => {
    t = await testApp(backend);
  });
  afterAll(() => t?.close());

  it('a corrected or a new report reopens a decided case only when what the decision rests on changed', async () => {
    const u = await t.user({ roles: ['editor'], jurisdiction: C });
    const imp = { id: u.id, scopeKey: C };
    const editor = await t.signIn(u);
    const id = idNumber(rnd, C, new Date(1980, 1, 1));
    const code = uscc(rnd, 'enterprise', C);
    await importFile(
      t,
      'registry',
      csvFile(dir, 'r.csv', [
        {
          统一社会信用代码: code,
          名称: '年报甲有限公司',
          主体类型: '企业',
          所属县区代码: C,
          '法定代表人/经营者': '年甲',
          '法定代表人/经营者身份证号': id,
        },
      ]),
      imp,
    );
    const report = (year: string, members: number, form: number) =>
      importFile(
        t,
        'annual_report',
        csvFile(dir, `a${++n}.csv`, [
          {
            统一社会信用代码: code,
            年报年度: year,
            从业人数: '20',
            '党员人数（含预备党员）': String(members),
            党组织建立形式: String(form),
          },
        ]),
        imp,
      );
    await importFile(
      t,
      'roster',
      csvFile(dir, 'm.csv', [
        {
          姓名: '年甲',
          公民身份号码: id,
          党员类别: '正式党员',
          组织关系所在党组织: '外省某社区党支部',
          党员状态: '正常',
        },
      ]),
      imp,
    );
    await report('2024', 0, 0);
    const states = async () =>
      Object.fromEntries(
        (await t.db.selectFrom('discovery_case').select(['kind', 'state']).execute()).map((c) => [c.kind, c.state]),
      );
    expect(await states()).toEqual({ hidden_member: 'open', pocket_member: 'open', entity_without_org: 'open' });
    for (const c of await t.db.selectFrom('discovery_case').select(['id', 'kind']).execute()) {
      const body =
        c.kind === 'pocket_member'
          ? { action: 'dismiss', reason: '已核实其组织关系在居住地社区' }
          : { action: 'confirm' };
      expect((await editor.post(`/cases/${c.id}/actions`, body)).statusCode).toBe(200);
    }
    // The 2024 report corrected (1 member, a branch): nothing of the org relation changed, the dismissal stands;
    // the confirmations stand too (decided cases keep the person's decision when their condition ends).
    await report('2024', 1, 1);
    expect(await states()).toEqual({
      hidden_member: 'confirmed',
      pocket_member: 'dismissed',
      entity_without_org: 'confirmed',
    });
    // The 2025 report says what the original 2024 one said: the decisions stand.
    await report('2025', 0, 0);
    expect(await states()).toEqual({
      hidden_member: 'confirmed',
      pocket_member: 'dismissed',
      entity_without_org: 'confirmed',
    });
    const updated = await t.db
      .selectFrom('case_event')
      .select('action')
      .where('action', 'in', ['evidence_changed', 'reopened'])
      .execute();
    expect(updated.every((e) => e.action === 'evidence_changed')).toBe(true);
    // The 2025 report corrected to declare 3 members, still no organization: what the 有党员未建组织
    // confirmation rested on changed, so it is verified again; the dismissal stands.
    await report('2025', 3, 0);
    expect(await states()).toEqual({
      hidden_member: 'confirmed',
      pocket_member: 'dismissed',
      entity_without_org: 'open',
    });
  });
});
