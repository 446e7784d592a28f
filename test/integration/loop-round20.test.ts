import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/domain/random.js';
import { localDate } from '../../src/domain/time/zone.js';
import { idNumber, uscc } from '../../src/demo/ledger.js';
import { csvFile, importFile } from '../helpers/imports.js';
import { BACKENDS } from '../helpers/db.js';
import { ledger } from '../helpers/ledger.js';
import { A, B, S1, moveProbe, standaloneBranch } from '../helpers/moves.js';

const FIGURES = ['secretaries', 'orgsEstablished'] as const;
const rnd = seededRandom(2020);

/**
 * Round 20: the work loop follows later facts. A secretary (or other officer) whose membership
 * ends (去世, 停止党籍) leaves office that day, without their term being rewritten: the
 * organization's list, page, rules, 待办 and the training indicator no longer count them, a new
 * secretary can be appointed, and the roll put right brings them back where no one took the seat.
 * An organization set up by its entity alone (单独建) whose entities are all 注销/吊销/迁出 or
 * re-registered in another county is put before the county in its 待办, to be dissolved or set up
 * anew, until it is.
 */
describe.each(BACKENDS)('the work loop follows later facts (round 20) on %s', (backend) => {
  const probe = moveProbe(backend, FIGURES);
  const { ok, figures } = probe;

  let files = 0;
  /** A county roster naming these members (name → 党员状态), as the county's 组织部门 shares it. */
  async function roster(people: { name: string; id: string; status?: string }[]) {
    const importer = await probe.t.user({ roles: ['editor'], jurisdiction: A });
    const lines = people.map((p) => ({
      姓名: p.name,
      公民身份号码: p.id,
      党员类别: '正式党员',
      入党日期: '2010-07-01',
      组织关系所在党组织: '玄武区某党支部',
      党员状态: p.status ?? '正常',
    }));
    const res = await importFile(probe.t, 'roster', csvFile(probe.dir, `roster-${++files}.csv`, lines), {
      id: importer.id,
      scopeKey: await probe.keyOf(A),
    });
    expect(res.rejections).toEqual([]);
  }

  /** An established branch at S1 over a new entity, `n` members of the county's roster registered in it, the first its secretary since `termStart`. */
  async function branch(name: string, n: number, termStart = '2025-03-01') {
    const l = ledger(probe.t.db);
    const e = await l.entity({ place: S1, name: `${name}公司` });
    const people = Array.from({ length: n }, (_, i) => ({
      name: `${name.slice(3, 5)}${'甲乙丙丁戊'[i]}`,
      id: idNumber(rnd, A, new Date(1970 + i, 2, 3)),
    }));
    await roster(people);
    const { org, members, persons } = await standaloneBranch(
      probe,
      `${name}党支部`,
      e,
      people.map((p) => p.name),
      termStart,
    );
    /** The roster again, the first member's 党员状态 as given. */
    const first = (status: string) => roster(people.map((p, i) => ({ ...p, status: i ? '正常' : status })));
    return { entity: e, org, members, persons, name: `${name}党支部`, first };
  }
  const listed = async (name: string) =>
    (await ok(probe.county.get(`/orgs?q=${encodeURIComponent(name)}`))).json().items[0] as { secretary: string | null };

  it('a secretary who died leaves office that day (the term stays as entered): the list, the page, the training indicator and its list count them no more, and a new secretary can be appointed; the roll put right brings them back only where no one took the seat', async () => {
    const b = await branch('玄武区书记去世', 3);
    const secretaryName = (await listed(b.name)).secretary;
    expect(secretaryName).not.toBeNull();
    const before = await figures(probe.county, A);
    const officer = async () =>
      (await ok(probe.county.get(`/orgs/${b.org}`))).json().officers as {
        personId: number;
        role: string;
        termEnd: string;
        leftOn: string | null;
        leftReason: string | null;
      }[];
    const [entered] = await officer();
    const trainees = async () =>
      (
        (await ok(probe.county.get(`/trainings/secretaries?pageSize=100&under=${A}`))).json().items as {
          orgName: string;
        }[]
      ).filter((s) => s.orgName === b.name).length;
    expect(await trainees()).toBe(1);

    await b.first('去世');
    const today = localDate();
    expect(await officer()).toEqual([
      expect.objectContaining({
        personId: b.persons[0],
        role: 'secretary',
        termEnd: entered.termEnd,
        leftOn: today,
        leftReason: '党员已去世',
      }),
    ]);
    expect((await listed(b.name)).secretary).toBeNull();
    expect(await figures(probe.county, A)).toEqual({ ...before, secretaries: before.secretaries - 1 });
    expect(await trainees()).toBe(0);

    // Back on the roll (the entry was a mistake): in office again, counted again.
    await b.first('正常');
    expect((await officer())[0]).toMatchObject({ leftOn: null, leftReason: null, termEnd: entered.termEnd });
    expect((await listed(b.name)).secretary).toBe(secretaryName);
    expect(await figures(probe.county, A)).toEqual(before);

    // 停止党籍: out again; a new secretary is appointed (no "设有 2 名书记"); the roll put right
    // leaves the seat with the new one.
    await b.first('停止党籍');
    expect((await officer())[0]).toMatchObject({ leftOn: today, leftReason: '党员已停止党籍' });
    await ok(
      probe.county.post(`/orgs/${b.org}/officers`, { personId: b.persons[1], role: 'secretary', termStart: today }),
    );
    await b.first('正常');
    const after = await officer();
    expect(after.find((f) => f.personId === b.persons[0])).toMatchObject({ leftReason: '党员已停止党籍' });
    expect(after.find((f) => f.personId === b.persons[1])).toMatchObject({ leftOn: null });
    expect((await ok(probe.county.get(`/orgs/${b.org}`))).json().findings).not.toContainEqual(
      expect.objectContaining({ rule: 'single_secretary' }),
    );
    expect(await figures(probe.county, A)).toEqual(before);
  });

  it('a 单独建 organization whose only entity a later extract says 注销, or re-registers in another county, is a county 待办 (撤销 or set up anew) listed by /orgs?lapsed=true, until the entity is 存续 here again or the organization is dissolved; a joint branch is not', async () => {
    const l = ledger(probe.t.db);
    const row = (name: string) => ({
      统一社会信用代码: uscc(rnd, 'enterprise', A),
      名称: name,
      主体类型: '有限责任公司(自然人投资或控股)',
      所属县区代码: A,
      基层所代码: S1,
    });
    const extract = async (rs: Record<string, string>[]) =>
      expect(
        (await importFile(probe.t, 'registry', csvFile(probe.dir, `registry-${++files}.csv`, rs), probe.city))
          .rejections,
      ).toEqual([]);
    const dead = row('玄武区单建注销公司');
    const gone = row('玄武区单建迁出公司');
    await extract([dead, gone]);
    const idOf = async (r: { 统一社会信用代码: string }) =>
      (
        await probe.t.db
          .selectFrom('entity')
          .select('id')
          .where('uscc', '=', r.统一社会信用代码)
          .executeTakeFirstOrThrow()
      ).id;
    const org = async (name: string, setupMode: string, entityIds: number[]) =>
      (
        await ok(
          probe.county.post('/orgs', {
            name,
            kind: setupMode === 'joint' ? 'joint_branch' : 'branch',
            setupMode,
            placeCode: S1,
            status: 'established',
            foundedOn: '2024-01-01',
            entityIds,
          }),
        )
      ).json().id as number;
    const [deadId, goneId] = [await idOf(dead), await idOf(gone)];
    await org('玄武区单建注销公司党支部', 'standalone', [deadId]);
    await org('玄武区单建迁出公司党支部', 'standalone', [goneId]);
    await org('玄武区注销公司联建党支部', 'joint', [deadId, await l.entity({ place: S1, name: '玄武区联建存续商行' })]);
    const todo = async (c: typeof probe.county) =>
      (
        (await ok(c.get('/workbench'))).json().items as { key: string; count: number; title: string; link: string }[]
      ).find((i) => i.key === 'org:lapsed');
    const lapsed = async () =>
      ((await ok(probe.county.get('/orgs?lapsed=true&pageSize=100'))).json().items as { name: string }[])
        .map((o) => o.name)
        .sort();
    expect(await todo(probe.county)).toBeUndefined();
    expect(await lapsed()).toEqual([]);

    await extract([
      { ...dead, 登记状态: '注销' },
      { ...gone, 所属县区代码: B, 基层所代码: '' },
    ]);
    expect(await todo(probe.county)).toMatchObject({ count: 2, link: '/orgs?lapsed=true' });
    expect(await lapsed()).toEqual(['玄武区单建注销公司党支部', '玄武区单建迁出公司党支部'].sort());
    // The county's work (its 小个专党委 decides): the station is not asked.
    expect(await todo(probe.s1)).toBeUndefined();

    // 存续 again: that one is off the list; the other leaves it once dissolved.
    await extract([{ ...dead, 登记状态: '存续' }]);
    expect(await lapsed()).toEqual(['玄武区单建迁出公司党支部']);
    const goneOrg = (
      (await ok(probe.county.get(`/orgs?q=${encodeURIComponent('玄武区单建迁出公司党支部')}`))).json().items[0] as {
        id: number;
      }
    ).id;
    await ok(probe.county.patch(`/orgs/${goneOrg}`, { status: 'dissolved', dissolvedOn: localDate() }));
    expect(await lapsed()).toEqual([]);
    expect(await todo(probe.county)).toBeUndefined();
  });
});
