import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/domain/random.js';
import { localDate } from '../../src/domain/time/zone.js';
import { uscc } from '../../src/demo/ledger.js';
import { BACKENDS } from '../helpers/db.js';
import { ledger } from '../helpers/ledger.js';
import { csvFile, importFile } from '../helpers/imports.js';
import { A, B, S1, S2, moveProbe, type Client } from '../helpers/moves.js';

const rnd = seededRandom(1818);
const FIGURES = ['contactPoints', 'assistedEntities', 'assignmentsInForce'] as const;

/**
 * What else hangs on an entity when it moves (moveEntityRows): its 联系点 and the point's yearly
 * reviews go with it wherever it goes; its place in an assistance program and an instructor's
 * assignment to it go with it within the program's or the instructor's jurisdiction, and stay
 * with them, as their record, when the entity is re-registered in another county.
 */
describe.each(BACKENDS)('the rows of an entity that moved on %s', (backend) => {
  const probe = moveProbe(backend, FIGURES);
  const { city, dir, keyOf, ok, figures, plus } = probe;
  const year = Number(localDate().slice(0, 4));

  /** An entity at S1 (imported, so a later extract can move it) with a county 联系点 reviewed this year, in a county program and guided by a county instructor. */
  async function entityWithWork(name: string) {
    const code = uscc(rnd, 'individual', A);
    const row = { 统一社会信用代码: code, 名称: name, 主体类型: '个体工商户', 所属县区代码: A, 基层所代码: S1 };
    const imported = await importFile(probe.t, 'registry', csvFile(dir, `${name}.csv`, [row]), city);
    expect(imported.rejections).toEqual([]);
    const e = await probe.t.db.selectFrom('entity').select('id').where('uscc', '=', code).executeTakeFirstOrThrow();
    const point = await probe.t.db
      .insertInto('recognition_point')
      .values({
        kind: 'contact',
        level: 'county',
        subject_type: 'entity',
        entity_id: e.id,
        subject_name: name,
        designated_on: `${year - 2}-03-01`,
        responsible_name: '王局',
        scope_key: S1,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await probe.t.db
      .insertInto('point_review')
      .values({ point_id: point.id, year, outcome: 'keep', reviewed_on: localDate(), scope_key: S1 })
      .execute();
    const program = await probe.t.db
      .insertInto('assistance_program')
      .values({
        name: `${name}帮扶`,
        business_line: 'registration',
        starts_on: `${year}-01-01`,
        ends_on: `${year}-12-31`,
        jurisdiction_code: A,
        scope_key: await keyOf(A),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await probe.t.db
      .insertInto('assistance_entity')
      .values({ program_id: program.id, entity_id: e.id, joined_on: localDate(), scope_key: S1 })
      .execute();
    const instructor = await ledger(probe.t.db).instructor(A);
    await probe.t.db
      .insertInto('instructor_assignment')
      .values({ instructor_id: instructor, target: 'entity', entity_id: e.id, start_on: localDate(), scope_key: S1 })
      .execute();
    return { id: e.id, row };
  }

  it('moved to another station of the county: its 联系点 (reviewed this year), its place in the probe.county’s program and the probe.county instructor’s assignment count at the new station', async () => {
    const e = await entityWithWork('玄武区随迁花店');
    const before = [await figures(probe.s1, S1), await figures(probe.s2, S2), await figures(probe.county, A)];
    await ok(probe.county.patch(`/entities/${e.id}`, { stationCode: S2 }));
    expect([await figures(probe.s1, S1), await figures(probe.s2, S2), await figures(probe.county, A)]).toEqual([
      plus(before[0], -1),
      plus(before[1], 1),
      before[2],
    ]);
    // The new station is not asked to review again a point reviewed this year, nor the old one to review a point it no longer holds.
    const points = async (c: Client) =>
      (await ok(c.get('/points?reviewDue=true'))).json().items.map((p: { subjectName: string }) => p.subjectName);
    expect(await points(probe.s2)).toEqual([]);
    expect(await points(probe.s1)).toEqual([]);
    const shown = (await ok(probe.s2.get('/points'))).json().items;
    expect(shown).toEqual([
      expect.objectContaining({ subjectName: '玄武区随迁花店', lastReviewYear: year, reviewDue: false }),
    ]);
  });

  it('re-registered in another county: its 联系点 goes with it; the program’s help and the instructor’s assignment stay with the probe.county that gave them', async () => {
    const e = await entityWithWork('玄武区迁出花店');
    const before = [await figures(probe.county, A), await figures(probe.countyB, B)];
    const moved = await importFile(
      probe.t,
      'registry',
      csvFile(dir, 'moved.csv', [{ ...e.row, 所属县区代码: B, 基层所代码: '' }]),
      city,
    );
    expect(moved.rejections).toEqual([]);
    expect([await figures(probe.county, A), await figures(probe.countyB, B)]).toEqual([
      { ...before[0], contactPoints: before[0].contactPoints - 1 },
      { ...before[1], contactPoints: before[1].contactPoints + 1 },
    ]);
    // Nothing of county A's program or instructor shows in county B.
    const records = (await ok(probe.countyB.get(`/entities/${e.id}/records`))).json();
    expect(records.assistance).toEqual([]);
    expect(records.points).toEqual([expect.objectContaining({ id: expect.any(Number) })]);
  });

  it('covered by its old station’s branch: the new station’s 组建建议 proposes no organization for it and its annual report registers none, as its coverage counts it covered', async () => {
    const l = ledger(probe.t.db);
    const e = await l.entity({ place: S1, name: '玄武区有支部随迁公司' });
    await l.members(e, 3);
    await l.report(e, year - 1, { members: 3, orgForm: 1, orgWay: 1 });
    const org = await probe.t.db
      .insertInto('party_org')
      .values({
        name: '玄武区随迁公司联合党支部',
        kind: 'branch',
        setup_mode: 'standalone',
        status: 'established',
        founded_on: '2020-07-01',
        ...l.placeOf(S1),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await probe.t.db.insertInto('party_org_entity').values({ org_id: org.id, entity_id: e, scope_key: S1 }).execute();
    await ok(probe.county.patch(`/entities/${e}`, { stationCode: S2 }));
    const covered = (await ok(probe.s2.get(`/entities/${e}`))).json().coverage;
    expect(covered).toMatchObject({ anyOrg: true });
    await ok(probe.s2.post('/org-proposals/generate'));
    const named = (await ok(probe.s2.get('/org-proposals?pageSize=100')))
      .json()
      .items.flatMap((p: { entities: { id: number }[] }) => p.entities.map((x) => x.id));
    expect(named).not.toContain(e);
    // Nor does its annual report's declared branch enter the ledger a second time.
    expect((await ok(probe.s2.post('/orgs/from-reports'))).json()).toEqual({ registered: 0 });
  });

  it('named in members’ self-reports: the one not yet decided goes to the new station with its report (it opens there), the one decided stays with the station that decided it', async () => {
    const code = uscc(rnd, 'individual', A);
    const row = {
      统一社会信用代码: code,
      名称: '玄武区报到随迁店',
      主体类型: '个体工商户',
      所属县区代码: A,
      基层所代码: S1,
    };
    expect((await importFile(probe.t, 'registry', csvFile(dir, 'reported.csv', [row]), city)).rejections).toEqual([]);
    const e = await probe.t.db.selectFrom('entity').select('id').where('uscc', '=', code).executeTakeFirstOrThrow();
    const report = async (name: string, i: number) => {
      const res = await probe.t.app.inject({
        method: 'POST',
        url: '/api/v1/public/self-report',
        payload: { name, phone: '13812340000', countyCode: A, entityName: '报到随迁店', uscc: code, consent: true },
        remoteAddress: `203.0.113.${20 + i}`,
      });
      expect(res.statusCode, res.body).toBe(201);
    };
    await report('报到甲', 0);
    await report('报到乙', 1);
    const reported = async (c: Client) =>
      (await ok(c.get('/cases?pageSize=100&kind=self_report'))).json().items as { id: number; state: string }[];
    const atS1 = await reported(probe.s1);
    expect(atS1).toHaveLength(2);
    const [decided, pending] = [...atS1].sort((x, y) => x.id - y.id);
    await ok(probe.s1.post(`/cases/${decided.id}/actions`, { action: 'dismiss', reason: '经核实不在该店工作' }));
    await ok(probe.county.patch(`/entities/${e.id}`, { stationCode: S2 }));
    expect((await reported(probe.s2)).map((c) => c.id)).toEqual([pending.id]);
    expect((await reported(probe.s1)).map((c) => c.id)).toEqual([decided.id]);
    expect((await ok(probe.s2.get(`/cases/${pending.id}`))).json()).toMatchObject({
      id: pending.id,
      kind: 'self_report',
    });
  });

  it('in an open 组建建议 of its old station: it leaves the proposal, which its new station’s own generation makes again there', async () => {
    const l = ledger(probe.t.db);
    // Accounts of their own: a generation is once a minute per account.
    const own1 = await probe.t.signIn(await probe.t.user({ roles: ['station_staff'], jurisdiction: S1 }));
    const own2 = await probe.t.signIn(await probe.t.user({ roles: ['station_staff'], jurisdiction: S2 }));
    const e = await l.entity({ place: S1, name: '玄武区建议随迁公司' });
    await l.members(e, 3);
    const named = async (c: Client) =>
      (await ok(c.get('/org-proposals?pageSize=100&state=open')))
        .json()
        .items.flatMap((p: { entities: { id: number }[] }) => p.entities.map((x) => x.id)) as number[];
    await ok(own1.post('/org-proposals/generate'));
    expect(await named(own1)).toContain(e);
    await ok(probe.county.patch(`/entities/${e}`, { stationCode: S2 }));
    expect(await named(own1)).not.toContain(e);
    // No proposal of the old station counts a unit it no longer shows.
    const proposals = (await ok(own1.get('/org-proposals?pageSize=100&state=open'))).json().items as {
      units: number;
      entities: unknown[];
    }[];
    expect(proposals.filter((p) => p.units !== p.entities.length)).toEqual([]);
    const left = await probe.t.db
      .selectFrom('org_proposal_entity as pe')
      .innerJoin('org_proposal as o', 'o.id', 'pe.proposal_id')
      .select('o.scope_key')
      .where('pe.entity_id', '=', e)
      .where('o.state', '=', 'open')
      .execute();
    expect(left).toEqual([]);
    await ok(own2.post('/org-proposals/generate'));
    expect(await named(own2)).toContain(e);
  });

  it('an organization 撤销: the instructor assigned to it is assigned no more, the entity it covered has no work coverage from it, and its 联系点 is revoked', async () => {
    const l = ledger(probe.t.db);
    const e = await l.entity({ place: S1, name: '玄武区撤销支部公司' });
    const org = await probe.t.db
      .insertInto('party_org')
      .values({
        name: '玄武区撤销支部公司党支部',
        kind: 'branch',
        setup_mode: 'standalone',
        status: 'established',
        founded_on: '2020-07-01',
        ...l.placeOf(S1),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await probe.t.db.insertInto('party_org_entity').values({ org_id: org.id, entity_id: e, scope_key: S1 }).execute();
    const instructor = await l.instructor(A);
    await probe.t.db
      .insertInto('instructor_assignment')
      .values({ instructor_id: instructor, target: 'org', org_id: org.id, start_on: '2024-01-01', scope_key: S1 })
      .execute();
    await probe.t.db
      .insertInto('recognition_point')
      .values({
        kind: 'contact',
        level: 'county',
        subject_type: 'org',
        org_id: org.id,
        subject_name: '玄武区撤销支部公司党支部',
        designated_on: '2024-03-01',
        responsible_name: '王局',
        scope_key: S1,
      })
      .execute();
    const coverage = async () => (await ok(probe.s1.get(`/entities/${e}`))).json().coverage;
    expect(await coverage()).toMatchObject({ anyOrg: true, work: true });
    const before = await figures(probe.s1, S1);
    await ok(probe.county.patch(`/orgs/${org.id}`, { status: 'dissolved', dissolvedOn: localDate() }));
    expect(await coverage()).toMatchObject({ anyOrg: false, work: false });
    expect(await figures(probe.s1, S1)).toEqual({
      ...before,
      assignmentsInForce: before.assignmentsInForce - 1,
      contactPoints: before.contactPoints - 1,
    });
    const point = (await ok(probe.s1.get('/points?subjectType=org'))).json().items;
    expect(point).toEqual([expect.objectContaining({ status: 'revoked', revokeReason: '党组织已撤销' })]);
    const ended = await probe.t.db
      .selectFrom('instructor_assignment')
      .select(['end_on', 'end_reason'])
      .where('org_id', '=', org.id)
      .executeTakeFirstOrThrow();
    expect(ended).toEqual({ end_on: expect.anything(), end_reason: '党组织已撤销' });
  });
});
