import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/domain/random.js';
import { localDate } from '../../src/domain/time/zone.js';
import { idNumber, uscc } from '../../src/demo/ledger.js';
import { valuesOf } from '../../src/domain/indicators/registry.js';
import { recomputeCounts } from '../../src/features/indicators/recompute.js';
import { BACKENDS } from '../helpers/db.js';
import { ledger } from '../helpers/ledger.js';
import { csvFile, importFile } from '../helpers/imports.js';
import { A, B, S1, S2, moveProbe, type Client } from '../helpers/moves.js';

const rnd = seededRandom(1919);
const FIGURES = ['orgsEstablished', 'contactPoints', 'assignmentsInForce'] as const;
let ips = 0;

/**
 * Round 19: the records follow later facts. An organization formed by the entity alone (单独建)
 * follows it to its new station within the county; an instructor's assignment to an entity that
 * stops operating ends on that day with the reason, and comes back if a later extract undoes it.
 */
describe.each(BACKENDS)('records that follow later facts on %s', (backend) => {
  const probe = moveProbe(backend, FIGURES);
  const { city, dir, ok, figures, plus } = probe;
  const orgNames = async (c: Client) =>
    (await ok(c.get('/orgs?pageSize=100'))).json().items.map((o: { name: string }) => o.name) as string[];

  /** An entity at S1, imported (a later extract can move it), with 3 members found in it. */
  async function importedEntity(name: string) {
    const code = uscc(rnd, 'enterprise', A);
    const row = {
      统一社会信用代码: code,
      名称: name,
      主体类型: '有限责任公司(自然人投资或控股)',
      所属县区代码: A,
      基层所代码: S1,
    };
    expect((await importFile(probe.t, 'registry', csvFile(dir, `${name}.csv`, [row]), city)).rejections).toEqual([]);
    const e = await probe.t.db.selectFrom('entity').select('id').where('uscc', '=', code).executeTakeFirstOrThrow();
    return { id: e.id, row };
  }

  /** An established organization at S1 covering the entities, with the entity's members registered, a secretary, a 联系点 and a county instructor. */
  async function orgOf(name: string, mode: 'standalone' | 'joint', entityIds: number[], members: number[]) {
    const l = ledger(probe.t.db);
    const org = await probe.t.db
      .insertInto('party_org')
      .values({
        name,
        kind: mode === 'joint' ? 'joint_branch' : 'branch',
        setup_mode: mode,
        status: 'established',
        founded_on: '2021-07-01',
        ...l.placeOf(S1),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await probe.t.db
      .insertInto('party_org_entity')
      .values(entityIds.map((entity_id) => ({ org_id: org.id, entity_id, scope_key: S1 })))
      .execute();
    for (const m of members) {
      const { person_id } = await probe.t.db
        .selectFrom('member')
        .select('person_id')
        .where('id', '=', m)
        .executeTakeFirstOrThrow();
      await ok(probe.county.post(`/orgs/${org.id}/members`, { memberId: m, joinedOn: '2021-07-01' }));
      if (m === members[0])
        await ok(
          probe.county.post(`/orgs/${org.id}/officers`, {
            personId: person_id,
            role: 'secretary',
            termStart: localDate(),
          }),
        );
    }
    await probe.t.db
      .insertInto('recognition_point')
      .values({
        kind: 'contact',
        level: 'county',
        subject_type: 'org',
        org_id: org.id,
        subject_name: name,
        designated_on: '2024-03-01',
        responsible_name: '王局',
        scope_key: S1,
      })
      .execute();
    await probe.t.db
      .insertInto('instructor_assignment')
      .values({
        instructor_id: await l.instructor(A),
        target: 'org',
        org_id: org.id,
        start_on: '2024-01-01',
        scope_key: S1,
      })
      .execute();
    return org.id;
  }

  it('an entity’s own branch (单独建) follows it to its new station: the new station holds it with its members, secretary, 联系点 and instructor; the old one no longer counts it', async () => {
    const e = await importedEntity('玄武区自建支部随迁公司');
    const members = await ledger(probe.t.db).members(e.id, 3);
    const org = await orgOf('玄武区自建支部随迁公司党支部', 'standalone', [e.id], members);
    const before = [await figures(probe.s1, S1), await figures(probe.s2, S2), await figures(probe.county, A)];
    const feedFrom = String(
      (
        await probe.t.db
          .selectFrom('change_log')
          .select((x) => x.fn.max('seq').as('seq'))
          .executeTakeFirstOrThrow()
      ).seq ?? 0,
    );
    await ok(probe.county.patch(`/entities/${e.id}`, { stationCode: S2 }));

    expect(await orgNames(probe.s2)).toContain('玄武区自建支部随迁公司党支部');
    expect(await orgNames(probe.s1)).not.toContain('玄武区自建支部随迁公司党支部');
    const detail = (await ok(probe.s2.get(`/orgs/${org}`))).json();
    expect(detail).toMatchObject({ stationCode: S2, countyCode: A });
    expect(detail.entities.map((x: { id: number }) => x.id)).toEqual([e.id]);
    expect(detail.members).toHaveLength(3);
    expect(detail.officers).toEqual([expect.objectContaining({ role: 'secretary' })]);
    expect((await ok(probe.s2.get('/points?subjectType=org'))).json().items).toEqual([
      expect.objectContaining({ subjectName: '玄武区自建支部随迁公司党支部', status: 'active' }),
    ]);
    expect([await figures(probe.s1, S1), await figures(probe.s2, S2), await figures(probe.county, A)]).toEqual([
      plus(before[0], -1),
      plus(before[1], 1),
      before[2],
    ]);
    // The move's audit line names the organization that went along.
    const audit = await probe.t.db
      .selectFrom('audit_log')
      .select('detail')
      .where('action', '=', 'entity.update')
      .where('object_id', '=', String(e.id))
      .executeTakeFirstOrThrow();
    expect(audit.detail).toMatchObject({ orgsMoved: [org] });
    // The change feed tells the old station's subtree the organization left and the new one that it came.
    const feed = await probe.t.db
      .selectFrom('change_log')
      .select(['op', 'scope_key'])
      .where('kind', '=', 'organization')
      .where('object_id', '=', org)
      .where('seq', '>', feedFrom)
      .execute();
    expect(feed).toEqual(
      expect.arrayContaining([
        { op: 'moved_out', scope_key: S1 },
        { op: 'update', scope_key: S2 },
      ]),
    );
  });

  it('a joint branch (联合建) covering the moved entity and another stays with its station, as the probe.county’s organization does', async () => {
    const l = ledger(probe.t.db);
    const e = await importedEntity('玄武区联建随迁商行');
    const other = await l.entity({ place: S1, name: '玄武区联建留守商行' });
    const org = await orgOf('玄武区联建商行联合党支部', 'joint', [e.id, other], []);
    await ok(probe.county.patch(`/entities/${e.id}`, { stationCode: S2 }));
    expect(await orgNames(probe.s1)).toContain('玄武区联建商行联合党支部');
    expect((await ok(probe.s1.get(`/orgs/${org}`))).json()).toMatchObject({ stationCode: S1 });
  });

  it('re-registered in another county: its own branch stays with the probe.county whose 小个专党委 it belongs to (a move across counties is the party committees’ 隶属关系 decision, not a registry fact)', async () => {
    const e = await importedEntity('玄武区自建支部迁出公司');
    const org = await orgOf('玄武区自建支部迁出公司党支部', 'standalone', [e.id], []);
    const moved = await importFile(
      probe.t,
      'registry',
      csvFile(dir, 'out.csv', [{ ...e.row, 所属县区代码: B, 基层所代码: '' }]),
      city,
    );
    expect(moved.rejections).toEqual([]);
    expect(await orgNames(probe.s1)).toContain('玄武区自建支部迁出公司党支部');
    expect(await orgNames(probe.countyB)).not.toContain('玄武区自建支部迁出公司党支部');
    expect((await ok(probe.s1.get(`/orgs/${org}`))).json()).toMatchObject({ stationCode: S1, countyCode: A });
  });
  it('an instructor’s assignment to an entity a later extract says 注销 ends that day with the reason; 存续 again puts it back in force, but not one ended by hand', async () => {
    const l = ledger(probe.t.db);
    const e = await importedEntity('玄武区注销指导公司');
    const instructor = await l.instructor(A);
    const assign = async (endOn: string | null, endReason: string | null) =>
      (
        await probe.t.db
          .insertInto('instructor_assignment')
          .values({
            instructor_id: instructor,
            target: 'entity',
            entity_id: e.id,
            start_on: '2025-01-01',
            end_on: endOn,
            end_reason: endReason,
            scope_key: S1,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    const inForce = await assign(null, null);
    const byHand = await assign('2025-06-30', '指导期满');
    const ended = async () =>
      probe.t.db
        .selectFrom('instructor_assignment')
        .select(['id', 'end_on', 'end_reason'])
        .where('entity_id', '=', e.id)
        .orderBy('id')
        .execute();
    const extract = async (status: string) =>
      expect(
        (await importFile(probe.t, 'registry', csvFile(dir, `${status}.csv`, [{ ...e.row, 登记状态: status }]), city))
          .rejections,
      ).toEqual([]);
    const before = [await figures(probe.s1, S1), await figures(probe.county, A)];

    await extract('注销');
    const today = localDate();
    expect(await ended()).toEqual([
      { id: inForce, end_on: today, end_reason: '主体已注销' },
      { id: byHand, end_on: '2025-06-30', end_reason: '指导期满' },
    ]);
    expect([await figures(probe.s1, S1), await figures(probe.county, A)]).toEqual([
      { ...before[0], assignmentsInForce: before[0].assignmentsInForce - 1 },
      { ...before[1], assignmentsInForce: before[1].assignmentsInForce - 1 },
    ]);
    // The instructor's page says when and why.
    expect((await ok(probe.county.get(`/instructors/${instructor}`))).json().assignmentList).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: inForce, endOn: today, endReason: '主体已注销' })]),
    );

    await extract('存续');
    expect(await ended()).toEqual([
      { id: inForce, end_on: null, end_reason: null },
      { id: byHand, end_on: '2025-06-30', end_reason: '指导期满' },
    ]);
    expect([await figures(probe.s1, S1), await figures(probe.county, A)]).toEqual(before);
  });
  it('a member the roster says died or whose membership stopped: their 三亮 record is withdrawn and the plaque revoked with the reason (the public page no longer says 共产党员经营户); back on the roll, both return; 已转出 changes nothing', async () => {
    const id = idNumber(rnd, A, new Date(1979, 4, 6));
    const row = {
      统一社会信用代码: uscc(rnd, 'individual', A),
      名称: '玄武区亮牌小吃店',
      主体类型: '个体工商户',
      所属县区代码: A,
      基层所代码: S1,
      '法定代表人/经营者': '亮牌人',
      '法定代表人/经营者身份证号': id,
    };
    expect((await importFile(probe.t, 'registry', csvFile(dir, 'shown.csv', [row]), city)).rejections).toEqual([]);
    const roster = async (status: string, out = '') =>
      expect(
        (
          await importFile(
            probe.t,
            'roster',
            csvFile(dir, `roster-${++ips}.csv`, [
              {
                姓名: '亮牌人',
                公民身份号码: id,
                党员类别: '正式党员',
                组织关系所在党组织: '玄武区某社区党支部',
                党员状态: status,
                转出日期: out,
              },
            ]),
            city,
          )
        ).rejections,
      ).toEqual([]);
    await roster('正常');
    const { id: e } = await probe.t.db
      .selectFrom('entity')
      .select('id')
      .where('uscc', '=', row.统一社会信用代码)
      .executeTakeFirstOrThrow();
    const { member_id: member } = await probe.t.db
      .selectFrom('member_link')
      .select('member_id')
      .where('entity_id', '=', e)
      .executeTakeFirstOrThrow();
    const record = await ok(
      probe.county.post('/sanliang', {
        kind: 'member_operator',
        memberId: member,
        entityId: e,
        duties: '亮职责：守法经营、诚实守信、明码标价',
        commitment: '本人承诺：不售假货，不缺斤短两，接受群众监督',
        shownOn: '2026-03-01',
      }),
    );
    const recordId = record.json().id as number;
    const plaqueId = (await ok(probe.s1.post(`/sanliang/${recordId}/plaques`))).json().id as number;
    const { public_token: token } = await probe.t.db
      .selectFrom('sanliang_plaque')
      .select('public_token')
      .where('id', '=', plaqueId)
      .executeTakeFirstOrThrow();
    const verdict = async () => {
      const res = await probe.t.app.inject({
        method: 'GET',
        url: `/api/v1/public/plaques/${token}`,
        remoteAddress: `198.51.100.${++ips}`,
      });
      expect(res.statusCode, res.body).toBe(200);
      return res.json().verdict as string;
    };
    const state = async () => ({
      record: await probe.t.db
        .selectFrom('sanliang')
        .select(['status', 'withdrawn_on', 'withdraw_reason'])
        .where('id', '=', recordId)
        .executeTakeFirstOrThrow(),
      plaque: await probe.t.db
        .selectFrom('sanliang_plaque')
        .select(['state', 'revoked_on', 'revoke_reason'])
        .where('id', '=', plaqueId)
        .executeTakeFirstOrThrow(),
    });
    const counted = async () => {
      const f = (await ok(probe.s1.get(`/dashboard?under=${S1}`))).json().figures;
      expect(f).toEqual(valuesOf(await recomputeCounts(probe.t.db, S1)));
      return { participants: f.sanliangParticipants as number, plaques: f.validPlaques as number };
    };
    const before = await counted();
    const shown = await state();
    expect(await verdict()).toBe('valid');

    await roster('正常', '2026-09-01');
    expect(
      (await probe.t.db.selectFrom('member').select('member_status').where('id', '=', member).executeTakeFirstOrThrow())
        .member_status,
    ).toBe('transferred_out');
    expect(await state()).toEqual(shown);
    await roster('正常');

    const today = localDate();
    for (const [s, reason] of [
      ['去世', '党员已去世'],
      ['停止党籍', '党员已停止党籍'],
    ]) {
      await roster(s);
      expect(await state()).toEqual({
        record: { status: 'withdrawn', withdrawn_on: today, withdraw_reason: reason },
        plaque: { state: 'revoked', revoked_on: today, revoke_reason: reason },
      });
      expect(await verdict()).toBe('revoked');
      expect(await counted()).toEqual({ participants: before.participants - 1, plaques: before.plaques - 1 });
      await roster('正常');
      expect(await state()).toEqual(shown);
      expect(await verdict()).toBe('valid');
      expect(await counted()).toEqual(before);
    }
  });
});
