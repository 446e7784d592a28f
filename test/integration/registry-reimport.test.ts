import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/domain/random.js';
import { idNumber, uscc } from '../../src/demo/ledger.js';
import { regNoCheckDigit } from '../../src/domain/identifiers/uscc.js';
import { BACKENDS } from '../helpers/db.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { csvFile, importFile, tmpDir } from '../helpers/imports.js';
import { ledger } from '../helpers/ledger.js';

const rnd = seededRandom(77);
const regNo = (n: number) => {
  const first = `3201020000${String(n).padStart(4, '0')}`;
  return `${first}${regNoCheckDigit(first)}`;
};

/** Later registry extracts about entities already on file: what they do not say stays as it was. */
describe.each(BACKENDS)('registry re-imports on %s', (backend) => {
  let t: TestApp;
  let importer: { id: number; scopeKey: string };
  let editor: Awaited<ReturnType<TestApp['user']>>;
  const dir = tmpDir();
  const registry = (file: string, rows: Record<string, string>[]) =>
    importFile(t, 'registry', csvFile(dir, file, rows), importer);
  const entity = (code: string) =>
    t.db
      .selectFrom('entity')
      .select(['id', 'uscc', 'reg_no', 'status', 'name'])
      .where((eb) => eb.or([eb('uscc', '=', code), eb('reg_no', '=', code)]))
      .execute();

  beforeAll(async () => {
    t = await testApp(backend);
    editor = await t.user({ roles: ['editor'], jurisdiction: '320102' });
    importer = { id: editor.id, scopeKey: '320102' };
  });
  afterAll(() => t?.close());

  it('keeps a 注销 entity 注销 when a later list has no 登记状态 (or leaves it blank); a new one is 存续', async () => {
    const [gone, fresh] = [uscc(rnd, 'individual', '320102'), uscc(rnd, 'individual', '320102')];
    const row = (code: string, status?: string) => ({
      统一社会信用代码: code,
      名称: `玄武区${code.slice(-4)}便利店`,
      主体类型: '个体工商户',
      所属县区代码: '320102',
      ...(status === undefined ? {} : { 登记状态: status }),
    });
    await registry('first.csv', [row(gone, '注销')]);
    await registry('no-status.csv', [row(gone), row(fresh)]);
    await registry('blank-status.csv', [row(gone, ''), row(fresh, '')]);
    expect((await entity(gone))[0].status).toBe('deregistered');
    expect((await entity(fresh))[0].status).toBe('active');
  });

  it("keeps an entity at its station (and in the station's sight, with its people) when a later extract names no station; a move to another county takes its rows along", async () => {
    const station = '320102001';
    await ledger(t.db).station(station, '东所');
    const stationKey = (
      await t.db.selectFrom('jurisdiction').select('scope_key').where('code', '=', station).executeTakeFirstOrThrow()
    ).scope_key;
    const code = uscc(rnd, 'individual', '320102');
    const row = {
      统一社会信用代码: code,
      名称: '玄武区严宇花店',
      主体类型: '个体工商户',
      经营者: '严宇',
      证件号码: idNumber(rnd, '320102', new Date('1980-05-06')),
      所属县区代码: '320102',
    };
    await registry('at-station.csv', [{ ...row, 基层所代码: station }]);
    const placed = async () => {
      const [e] = await entity(code);
      const at = await t.db
        .selectFrom('entity')
        .select(['station_code', 'scope_key'])
        .where('id', '=', e.id)
        .executeTakeFirstOrThrow();
      const people = await t.db.selectFrom('entity_person').select('scope_key').where('entity_id', '=', e.id).execute();
      return { ...at, people: people.map((p) => p.scope_key) };
    };
    expect(await placed()).toEqual({ station_code: station, scope_key: stationKey, people: [stationKey] });
    const again = await registry('no-station.csv', [row]);
    expect(await placed()).toEqual({ station_code: station, scope_key: stationKey, people: [stationKey] });
    expect(again.job.rows_changed).toBe(0);
    const staff = await t.signIn(await t.user({ roles: ['station_staff'], jurisdiction: station }));
    const [e] = await entity(code);
    expect((await staff.get(`/entities/${e.id}`)).statusCode).toBe(200);
    // Moved to another county by a later extract (the city's): no station there yet, the county's scope for all its rows.
    const keyOf = async (code: string) =>
      (await t.db.selectFrom('jurisdiction').select('scope_key').where('code', '=', code).executeTakeFirstOrThrow())
        .scope_key;
    const city = await t.user({ roles: ['editor'], jurisdiction: '320100' });
    const move = await importFile(t, 'registry', csvFile(dir, 'moved.csv', [{ ...row, 所属县区代码: '320104' }]), {
      id: city.id,
      scopeKey: await keyOf('320100'),
    });
    expect(move.rejections).toEqual([]);
    const countyKey = await keyOf('320104');
    expect(await placed()).toEqual({ station_code: null, scope_key: countyKey, people: [countyKey] });
  });

  it('keeps the identified representative when a later extract names them without the 证件号码', async () => {
    const code = uscc(rnd, 'individual', '320102');
    const row = (id: string) => ({
      统一社会信用代码: code,
      名称: '玄武区证件便利店',
      主体类型: '个体工商户',
      所属县区代码: '320102',
      '法定代表人/经营者': '王五',
      '法定代表人/经营者身份证号': id,
    });
    await registry('with-id.csv', [row(idNumber(rnd, '320102', new Date('1970-01-02')))]);
    const rep = () =>
      t.db
        .selectFrom('entity_person as ep')
        .innerJoin('entity as e', 'e.id', 'ep.entity_id')
        .innerJoin('person as p', 'p.id', 'ep.person_id')
        .select(['p.id', 'p.id_bi'])
        .where('e.uscc', '=', code)
        .where('ep.role', '=', 'legal_rep')
        .execute();
    const [before] = await rep();
    expect(before.id_bi).not.toBeNull();
    await registry('without-id.csv', [row('')]);
    expect(await rep()).toEqual([before]);
  });

  it('imports an entity whose extract masks the representative’s 证件号码 and phone, keeping what is on file, and counts them', async () => {
    const code = uscc(rnd, 'individual', '320102');
    const row = (id: string, phone: string) => ({
      统一社会信用代码: code,
      名称: '玄武区脱敏便利店',
      主体类型: '个体工商户',
      所属县区代码: '320102',
      法人代表: '赵六',
      法人代表身份证号: id,
      联系电话: phone,
    });
    const masked = await registry('masked.csv', [row('320102********1234', '139****5000')]);
    expect(masked.job).toMatchObject({ rows_accepted: 1, rows_rejected: 0 });
    expect(masked.job.withheld).toBe(
      '列"法人代表身份证号"：1 个值已脱敏（含 *），未保存；列"联系电话"：1 个值已脱敏（含 *），未保存',
    );
    const rep = () =>
      t.db
        .selectFrom('entity_person as ep')
        .innerJoin('entity as e', 'e.id', 'ep.entity_id')
        .innerJoin('person as p', 'p.id', 'ep.person_id')
        .select(['p.id', 'p.name', 'p.id_bi', 'p.phone_bi'])
        .where('e.uscc', '=', code)
        .where('ep.role', '=', 'legal_rep')
        .execute();
    expect(await rep()).toMatchObject([{ name: '赵六', id_bi: null, phone_bi: null }]);
    // The whole extract, then a masked one: the number and phone on file stay.
    await registry('whole.csv', [row(idNumber(rnd, '320102', new Date('1971-02-03')), '13912345000')]);
    const [whole] = await rep();
    expect(whole.id_bi).not.toBeNull();
    const again = await registry('masked-again.csv', [row('320102********1234', '139****5000')]);
    expect(again.job).toMatchObject({ rows_accepted: 1, rows_rejected: 0 });
    expect(await rep()).toEqual([whole]);
  });

  it("counts a re-import that changes only a person's 联系电话 as 变更 and writes it into the entity's history, the number never", async () => {
    const [known, named] = [uscc(rnd, 'individual', '320102'), uscc(rnd, 'individual', '320102')];
    const row = (code: string, rep: string, id: string, phone: string) => ({
      统一社会信用代码: code,
      名称: `玄武区${rep}电话便利店`,
      主体类型: '个体工商户',
      所属县区代码: '320102',
      经营者: rep,
      经营者身份证号: id,
      联系电话: phone,
    });
    const id = idNumber(rnd, '320102', new Date('1975-04-05'));
    const first = await registry('phones.csv', [
      row(known, '钱七', id, '13912340001'),
      row(named, '孙八', '', '13912340002'),
    ]);
    expect(first.job).toMatchObject({ rows_accepted: 2, rows_changed: 2 });
    const same = await registry('phones-same.csv', [
      row(known, '钱七', id, '13912340001'),
      row(named, '孙八', '', '13912340002'),
    ]);
    expect(same.job.rows_changed).toBe(0);
    const changed = await registry('phones-new.csv', [
      row(known, '钱七', id, '13912340009'),
      row(named, '孙八', '', '13912340008'),
    ]);
    expect(changed.job).toMatchObject({ rows_accepted: 2, rows_changed: 2 });
    const client = await t.signIn(editor);
    for (const [code, rep, phone] of [
      [known, '钱七', '139****0009'],
      [named, '孙八', '139****0008'],
    ]) {
      const [e] = await entity(code);
      const page = (await client.get(`/entities/${e.id}`)).json();
      expect(page.people).toMatchObject([{ name: rep, phone }]);
      const lines = page.timeline.filter((h: { op: string }) => h.op === 'U');
      expect(lines).toMatchObject([
        { objectType: 'entity_person', changes: [{ field: 'phone', from: `${rep}的原号码`, to: `${rep}的新号码` }] },
      ]);
      expect(JSON.stringify(page.timeline)).not.toMatch(/1391234/);
    }
    const again = await registry('phones-new-again.csv', [
      row(known, '钱七', id, '13912340009'),
      row(named, '孙八', '', '13912340008'),
    ]);
    expect(again.job.rows_changed).toBe(0);
  });

  it('imports an extract whose 注册号 column holds the 统一社会信用代码 (alone, or copied beside it) by that code', async () => {
    const [alone, twice] = [uscc(rnd, 'individual', '320102'), uscc(rnd, 'individual', '320102')];
    const r = await registry('regno-holds-uscc.csv', [
      {
        注册号: alone,
        统一社会信用代码: '',
        名称: '玄武区代码在注册号店',
        主体类型: '个体工商户',
        所属县区代码: '320102',
      },
      {
        注册号: twice,
        统一社会信用代码: twice,
        名称: '玄武区代码写两遍店',
        主体类型: '个体工商户',
        所属县区代码: '320102',
      },
    ]);
    expect(r.rejections).toEqual([]);
    expect((await entity(alone))[0]).toMatchObject({ uscc: alone, reg_no: null });
    expect((await entity(twice))[0]).toMatchObject({ uscc: twice, reg_no: null });
  });

  it('gives a 个体工商户 on file by its 注册号 the USCC it got (换照), and never fails a batch on a number held elsewhere', async () => {
    const [code, other, third] = [
      uscc(rnd, 'individual', '320102'),
      uscc(rnd, 'individual', '320102'),
      uscc(rnd, 'individual', '320102'),
    ];
    const row = (u: string, r: string, name: string) => ({
      统一社会信用代码: u,
      注册号: r,
      名称: name,
      主体类型: '个体工商户',
      所属县区代码: '320102',
    });
    await registry('by-number.csv', [row('', regNo(1), '玄武区老字号饭店')]);
    const [before] = await entity(regNo(1));
    const r = await registry('re-licensed.csv', [
      row(code, regNo(1), '玄武区老字号饭店'),
      row(other, regNo(1), '玄武区同号甲店'), // the same number under another USCC, in the same batch
    ]);
    expect(r.job).toMatchObject({ status: 'done', rows_accepted: 2, rows_rejected: 0, rows_changed: 2 });
    expect(await entity(regNo(1))).toEqual([{ ...before, uscc: code }]);
    // A later file giving the number to a third USCC: imported without it, the number stays.
    const r2 = await registry('later.csv', [row(third, regNo(1), '玄武区同号乙店')]);
    expect(r2.job).toMatchObject({ status: 'done', rows_accepted: 1 });
    expect((await entity(third))[0]).toMatchObject({ reg_no: null });
    expect((await entity(other))[0]).toMatchObject({ reg_no: null });
  });

  it('gives a 个体工商户 on file by its 注册号 the USCC a later extract gives alone (换照, the 注册号 column blank), when kind, name and 成立日期 agree in the county', async () => {
    const [code, twin, lookalike] = [
      uscc(rnd, 'individual', '320102'),
      uscc(rnd, 'individual', '320102'),
      uscc(rnd, 'individual', '320102'),
    ];
    const row = (u: string, r: string, name: string, since: string) => ({
      统一社会信用代码: u,
      注册号: r,
      名称: name,
      主体类型: '个体工商户',
      成立日期: since,
      所属县区代码: '320102',
    });
    await registry('old-numbers.csv', [
      row('', regNo(11), '玄武区换照面馆', '2005-01-02'),
      row('', regNo(12), '玄武区同名小店', '2006-03-04'),
      row('', regNo(13), '玄武区同名小店', '2006-03-04'), // two on file alike: neither is taken
    ]);
    const [before] = await entity(regNo(11));
    const r = await registry('new-codes.csv', [
      row(code, '', '玄武区换照面馆', '2005-01-02'),
      row(twin, '', '玄武区同名小店', '2006-03-04'),
      row(lookalike, '', '玄武区换照面馆', '2015-01-02'), // another 成立日期: another entity
    ]);
    // 变更: the one that took its USCC; new: the other two.
    expect(r.job).toMatchObject({ status: 'done', rows_accepted: 3, rows_rejected: 0, rows_changed: 3 });
    expect(await entity(code)).toEqual([{ ...before, uscc: code }]);
    expect(await entity(regNo(11))).toHaveLength(1);
    expect((await entity(twin))[0]).toMatchObject({ reg_no: null });
    expect((await entity(regNo(12)))[0]).toMatchObject({ uscc: null });
    expect((await entity(lookalike))[0]).toMatchObject({ reg_no: null });
  });
});
