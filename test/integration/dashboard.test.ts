import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { COUNT_KEYS, valuesOf, type Counts } from '../../src/domain/indicators/registry.js';
import { PENDING_STATES } from '../../src/domain/cases/workflow.js';
import { recomputeCounts } from '../../src/features/indicators/recompute.js';
import { MEASURES, SOURCES } from '../../src/features/indicators/sources/index.js';
import { periodOf, trendStart } from '../../src/features/indicators/service.js';
import { buildApp } from '../../src/server.js';
import { BACKENDS } from '../helpers/db.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { ledger } from '../helpers/ledger.js';

const NATION = '000000';
const A = '320102';
const A1 = '320102001';
const A2 = '320102002';
const B = '320104';
const B1 = '320104001';
/** Nodes whose figures are compared: code and scope key. */
const NODES = [
  [NATION, ''],
  ['320000', '32'],
  ['320100', '3201'],
  [A, A],
  [A1, A1],
  [A2, A2],
  [B, B],
  [B1, B1],
] as const;

describe('the indicator sources', () => {
  it('measure every count of the registry, each in exactly one place', () => {
    const measured = MEASURES.flatMap((m) => m.keys);
    expect([...measured].sort()).toEqual([...COUNT_KEYS].sort());
    expect(new Set(measured).size).toBe(measured.length);
    expect(Object.keys(SOURCES)).toEqual([
      'coverage',
      'members',
      'orgs',
      'instructors',
      'sanliang',
      'appeals',
      'recognition',
      'units',
      'newEmployment',
      'league',
      'assistance',
    ]);
  });
});

describe.each(BACKENDS)('the dashboard on %s', (backend) => {
  let t: TestApp;
  let nation: Awaited<ReturnType<TestApp['signIn']>>;
  let countyB: Awaited<ReturnType<TestApp['signIn']>>;
  let editorB: Awaited<ReturnType<TestApp['signIn']>>;
  let editorNation: Awaited<ReturnType<TestApp['signIn']>>;
  let editorBId: number;

  /** A small ledger touching every source, in two stations of A, on A itself, and in B. */
  async function makeLedger() {
    const l = ledger(t.db);
    for (const s of [A1, A2, B1]) await l.station(s);
    const zone = await l.zone('market', '甲市场', A);
    const e = {
      a1: await l.entity({ place: A1, kind: 'individual', zoneId: zone }),
      a1b: await l.entity({ place: A1, kind: 'enterprise', registeredOn: new Date().toISOString().slice(0, 10) }),
      a1c: await l.entity({ place: A1, kind: 'cooperative', active: false }),
      a2: await l.entity({ place: A2, kind: 'enterprise', zoneId: zone }),
      a2b: await l.entity({ place: A2, kind: 'individual' }),
      aOwn: await l.entity({ place: A, kind: 'individual' }),
      b1: await l.entity({ place: B1, kind: 'enterprise' }),
    };
    const a1Members = await l.members(e.a1, 3, 1);
    const a2Members = await l.members(e.a2, 1);
    await l.members(e.b1, 2);
    // One member found in two stations' entities: found once at A, once in each station.
    const twice = (
      await t.db.selectFrom('member').select('person_id').where('id', '=', a1Members[0]).executeTakeFirstOrThrow()
    ).person_id;
    const role = await t.db
      .insertInto('entity_person')
      .values({ entity_id: e.a2b, person_id: twice, role: 'employee', scope_key: A2 })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.db
      .insertInto('member_link')
      .values({
        member_id: a1Members[0],
        entity_person_id: role.id,
        entity_id: e.a2b,
        method: 'exact',
        score: 99,
        levels: null,
        scope_key: A2,
      })
      .execute();
    // A roster member the county holds, found nowhere; and a declared member (annual report).
    const p = await t.db.insertInto('person').values({ name: '名册某' }).returning('id').executeTakeFirstOrThrow();
    await t.db
      .insertInto('member')
      .values({ person_id: p.id, membership: 'full', scope_key: A, confidence: 'declared', sources: ['roster'] })
      .execute();
    await l.report(e.aOwn, 2025, { members: 2 });
    await l.role(e.a2b, 'liaison');
    // Organizations: A1's standalone branch, a zone joint branch over both stations' entities, one in preparation, one league.
    const org = async (
      name: string,
      kind: string,
      mode: string,
      place: string,
      status: string,
      entities: number[],
      body = 'party',
    ) => {
      const o = await t.db
        .insertInto('party_org')
        .values({
          body: body as 'party',
          name,
          kind: kind as 'branch',
          setup_mode: mode as 'standalone',
          ...l.placeOf(place),
          status: status as 'established',
          founded_on: status === 'established' ? '2024-07-01' : null,
        })
        .returning(['id', 'scope_key'])
        .executeTakeFirstOrThrow();
      for (const id of entities)
        await t.db
          .insertInto('party_org_entity')
          .values({ org_id: o.id, entity_id: id, scope_key: o.scope_key })
          .execute();
      return o.id;
    };
    const a1Org = await org('甲一党支部', 'branch', 'standalone', A1, 'established', [e.a1]);
    const zoneOrg = await org('甲市场联合党支部', 'joint_branch', 'zone', A, 'established', [e.a2]);
    await org('乙筹建党支部', 'branch', 'standalone', B1, 'preparing', [e.b1]);
    await org('甲一团支部', 'branch', 'standalone', A1, 'established', [e.a1b], 'league');
    // An instructor of the county assigned to a station's entity; one inactive.
    const instructor = await l.instructor(A);
    await t.db
      .insertInto('instructor_assignment')
      .values({ instructor_id: instructor, target: 'entity', entity_id: e.a1b, start_on: '2026-01-01', scope_key: A })
      .execute();
    const idle = await l.instructor(B1);
    await t.db.updateTable('instructor').set({ status: 'inactive' }).where('id', '=', idle).execute();
    // Cases: two open in A1 (one contacted), one dismissed in A2.
    for (const [state, entity, scope] of [
      ['open', e.a1, A1],
      ['contacted', e.a1b, A1],
      ['dismissed', e.a2, A2],
    ] as const) {
      await t.db
        .insertInto('discovery_case')
        .values({
          kind: 'entity_without_org',
          entity_id: entity,
          scope_key: scope,
          county_code: scope.slice(0, 6),
          state,
          evidence: JSON.stringify({}),
          evidence_hash: `${entity}`,
        })
        .execute();
    }
    // 三亮: two records of one member in A1 (one plaque valid), a withdrawn one in A2.
    const record = async (
      member: number,
      entity: number,
      scope: string,
      kind: string,
      status: 'active' | 'withdrawn',
    ) =>
      (
        await t.db
          .insertInto('sanliang')
          .values({
            kind: kind as 'member_operator',
            member_id: member,
            entity_id: entity,
            county_code: A,
            scope_key: scope,
            duties: '职责',
            commitment: '承诺',
            shown_on: '2026-01-02',
            status,
            withdrawn_on: status === 'withdrawn' ? '2026-02-01' : null,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    const r1 = await record(a1Members[1], e.a1, A1, 'member_operator', 'active');
    await record(a1Members[1], e.a1, A1, 'member_post', 'active');
    await record(a2Members[0], e.a2, A2, 'member_operator', 'withdrawn');
    await t.db
      .insertInto('sanliang_plaque')
      .values({ number: '320102-000001', record_id: r1, scope_key: A1, issued_on: '2026-01-02' })
      .execute();
    // Points: a contact point in A1, a demo point on A's zone organization, a revoked one in B1 (not counted).
    const point = (
      kind: 'contact' | 'demo',
      entity: number | null,
      orgId: number | null,
      scope: string,
      status: 'active' | 'revoked' = 'active',
    ) =>
      t.db
        .insertInto('recognition_point')
        .values({
          kind,
          level: 'county',
          subject_type: entity ? 'entity' : 'org',
          entity_id: entity,
          org_id: orgId,
          subject_name: '对象',
          designated_on: '2026-01-01',
          responsible_name: '负责人',
          scope_key: scope,
          status,
          revoked_on: status === 'revoked' ? '2026-02-01' : null,
          revoke_reason: status === 'revoked' ? '不再符合' : null,
        })
        .execute();
    await point('contact', e.a1, null, A1);
    await point('demo', null, zoneOrg, A);
    await point('contact', e.b1, null, B1, 'revoked');
    // Honours: one awarded in A2, one only nominated in A1 (not counted).
    for (const [state, entity, scope] of [
      ['awarded', e.a2, A2],
      ['nominated', e.a1, A1],
    ] as const) {
      await t.db
        .insertInto('honour')
        .values({
          kind: 'star_operator',
          entity_id: entity,
          subject_name: '某户',
          state,
          nominated_on: '2026-01-01',
          scope_key: scope,
          ...(state === 'awarded' ? { level: 'county' as const, year: 2026, awarded_on: '2026-01-15' } : {}),
        })
        .execute();
    }
    // Training: two secretaries in office (A1's trained in time by a class that has ended, the zone's not), one whose term is over.
    const today = new Date().toISOString().slice(0, 10);
    const secretary = async (orgId: number, scope: string, termStart: string, termEnd: string) =>
      (
        await t.db
          .insertInto('party_org_officer')
          .values({
            org_id: orgId,
            person_id: (await l.role(e.a1)).person_id,
            role: 'secretary',
            term_start: termStart,
            term_end: termEnd,
            scope_key: scope,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    const trained = await secretary(a1Org, A1, '2025-12-01', '2028-11-30');
    await secretary(zoneOrg, A, '2025-12-01', '2028-11-30');
    await secretary(a1Org, A1, '2020-01-01', '2023-01-01');
    const cls = await t.db
      .insertInto('training_class')
      .values({
        name: '书记班',
        level: 'county',
        starts_on: '2026-01-05',
        ends_on: today < '2026-01-10' ? today : '2026-01-10',
        jurisdiction_code: A,
        scope_key: A,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.db
      .insertInto('training_trainee')
      .values({ class_id: cls.id, officer_id: trained, attended: true, completed: true, scope_key: A1 })
      .execute();
    // Cases: in A1 one open and overdue, one closed with 5 stars and one with 2; in A2 one open in time, one resolved; in B1 one open.
    const day = 86_400_000;
    const appeal = async (
      scope: string,
      state: string,
      dueInDays: number | null,
      satisfaction: number | null = null,
    ) => {
      const county = scope.slice(0, 6);
      const c = await t.db
        .insertInto('appeal_case')
        .values({
          door: 'rider',
          category: 'entry',
          content: '进不了小区',
          county_code: county,
          unit_kind: 'station',
          unit_code: scope,
          scope_key: scope,
          raised_key: scope,
          state: 'routed',
          step_started_at: new Date(),
          due_at: new Date(Date.now() + 2 * day),
          route_ms: 0,
        } as never)
        .returning('id')
        .executeTakeFirstOrThrow();
      // Moved afterwards, as the engine does: the kept tally follows updates too.
      await t.db
        .updateTable('appeal_case')
        .set({
          state,
          due_at: dueInDays == null ? null : new Date(Date.now() + dueInDays * day),
          satisfaction,
          accept_ms: 3_600_000,
          ...(state === 'resolved' || state === 'closed'
            ? { public_reply: '已处理', resolved_at: new Date(), resolve_ms: 20 * 3_600_000 }
            : {}),
        } as never)
        .where('id', '=', c.id)
        .execute();
    };
    await appeal(A1, 'accepted', -1);
    await appeal(A1, 'closed', null, 5);
    await appeal(A1, 'closed', null, 2);
    await appeal(A2, 'handling', 3);
    await appeal(A2, 'resolved', null);
    await appeal(B1, 'routed', 1);
    await t.db
      .insertInto('visit_record')
      .values(
        [e.a1, e.a1, e.a2].map((id, i) => ({
          entity_id: id,
          county_code: A,
          scope_key: i < 2 ? A1 : A2,
          visited_on: '2026-03-01',
          visitor_name: '走访人',
          learned: '经营正常',
        })),
      )
      .execute();
    // A problem raised on a visit to A2 (the visit door), open.
    await t.db
      .insertInto('appeal_case')
      .values({
        door: 'visit',
        category: 'entry',
        content: '走访发现的问题',
        county_code: A,
        unit_kind: 'station',
        unit_code: A2,
        scope_key: A2,
        raised_key: A2,
        state: 'routed',
        step_started_at: new Date(),
        due_at: new Date(Date.now() + 5 * day),
        route_ms: 0,
      } as never)
      .execute();
    // Units: the county's 小个专 committee and A1's guidance post; a dissolved post at A2 is not counted.
    for (const [kind, place, status] of [
      ['xgz_committee', A, 'active'],
      ['guidance_post', A1, 'active'],
      ['guidance_post', A2, 'dissolved'],
    ] as const) {
      await t.db
        .insertInto('bureau_unit')
        .values({ kind, jurisdiction_code: place, scope_key: place, name: `${kind}-${place}`, status })
        .execute();
    }
    // New employment: a platform registered by the city, a partner firm in A, two open stations (A1 with two counts, the later
    // one counting; A2's covered by a mobile branch of A, whose riders' committee is on A), a closed station in B1; riders who are
    // members (one has left); cards (one valid, one expired, one returned).
    const platform = (
      await t.db
        .insertInto('platform')
        .values({ name: '某外卖平台', business: 'food_delivery', jurisdiction_code: '320100', scope_key: '3201' })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    await t.db
      .insertInto('platform')
      .values({ name: '已退出平台', business: 'express', jurisdiction_code: A, scope_key: A, status: 'exited' })
      .execute();
    const partner = (
      await t.db
        .insertInto('platform_partner')
        .values({ platform_id: platform, name: '合作商甲', county_code: A, scope_key: A })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    const ds = async (name: string, place: string, status: 'open' | 'closed' = 'open') =>
      (
        await t.db
          .insertInto('delivery_station')
          .values({
            platform_id: platform,
            partner_id: partner,
            name,
            ...l.placeOf(place),
            status,
            closed_on: status === 'closed' ? '2026-01-01' : null,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    const s1 = await ds('甲一站', A1);
    const s2 = await ds('甲二站', A2);
    const s3 = await ds('乙站', B1, 'closed');
    for (const [station, asOf, riders, scope] of [
      [s1, '2026-01-31', 10, A1],
      [s1, '2026-02-28', 14, A1],
      [s2, '2026-02-28', 7, A2],
      [s3, '2025-12-31', 5, B1],
    ] as const) {
      await t.db
        .insertInto('rider_count')
        .values({ delivery_station_id: station, as_of: asOf, riders, scope_key: scope })
        .execute();
    }
    for (const [station, scope, left] of [
      [s1, A1, null],
      [s1, A1, '2026-02-01'],
      [s2, A2, null],
    ] as const) {
      const p = await t.db.insertInto('person').values({ name: '骑手' }).returning('id').executeTakeFirstOrThrow();
      await t.db
        .insertInto('rider_person')
        .values({
          delivery_station_id: station,
          person_id: p.id,
          role: 'member',
          since: '2025-06-01',
          left_on: left,
          scope_key: scope,
        })
        .execute();
    }
    const committee = await org('甲区网约配送员行业党委', 'committee', 'industry', A, 'established', []);
    await t.db.updateTable('party_org').set({ sector: 'riders' }).where('id', '=', committee).execute();
    const mobileBranch = await t.db
      .insertInto('party_org')
      .values({
        body: 'party',
        name: '甲区流动党员党支部',
        kind: 'branch',
        setup_mode: 'mobile',
        ...l.placeOf(A),
        status: 'established',
        founded_on: '2025-01-01',
        sector: 'riders',
        approved_by_org_id: committee,
        approved_on: '2025-01-01',
      })
      .returning(['id', 'scope_key'])
      .executeTakeFirstOrThrow();
    await t.db
      .insertInto('party_org_unit')
      .values({ org_id: mobileBranch.id, delivery_station_id: s2, scope_key: A2 })
      .execute();
    for (const [i, expires, returned] of [
      [0, '2099-12-31', null],
      [1, '2020-12-31', null],
      [2, '2099-12-31', '2026-01-01'],
    ] as const) {
      await t.db
        .insertInto('mobile_card')
        .values({
          member_id: a1Members[i],
          org_id: mobileBranch.id,
          card_no: `C${i}`,
          issued_by: '某地党委',
          issued_on: '2019-01-01',
          expires_on: expires,
          returned_on: returned,
          scope_key: A,
        })
        .execute();
    }
    // Youth League: the A1 league branch with two members (one person also in a dissolved league branch, not counted there).
    const leagueOrg = await t.db
      .selectFrom('party_org')
      .select(['id', 'scope_key'])
      .where('body', '=', 'league')
      .executeTakeFirstOrThrow();
    const gone = (
      await t.db
        .insertInto('party_org')
        .values({
          body: 'league',
          name: '甲二团支部',
          kind: 'branch',
          setup_mode: 'standalone',
          ...l.placeOf(A2),
          status: 'dissolved',
          founded_on: '2020-01-01',
          dissolved_on: '2025-01-01',
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    for (const person of [(await l.role(e.a1b)).person_id, (await l.role(e.a1b)).person_id]) {
      await t.db
        .insertInto('party_org_member')
        .values({ org_id: leagueOrg.id, person_id: person, scope_key: leagueOrg.scope_key })
        .execute();
      await t.db.insertInto('party_org_member').values({ org_id: gone, person_id: person, scope_key: A2 }).execute();
    }
    // Assistance: a program of the county, with three entities helped (resolved, improved, ongoing).
    const program = (
      await t.db
        .insertInto('assistance_program')
        .values({
          name: '纾困帮扶',
          business_line: 'registration',
          starts_on: '2026-01-01',
          ends_on: '2026-12-31',
          jurisdiction_code: A,
          scope_key: A,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    for (const [entity, outcome, scope] of [
      [e.a1, 'resolved', A1],
      [e.a2, 'improved', A2],
      [e.aOwn, 'ongoing', A],
    ] as const) {
      await t.db
        .insertInto('assistance_entity')
        .values({ program_id: program, entity_id: entity, joined_on: '2026-02-01', outcome, scope_key: scope })
        .execute();
    }
    return e;
  }

  beforeAll(async () => {
    t = await testApp(backend);
    await makeLedger();
    nation = await t.signIn(await t.user({ roles: ['viewer'], jurisdiction: NATION }));
    editorNation = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: NATION }));
    countyB = await t.signIn(await t.user({ roles: ['viewer'], jurisdiction: B }));
    const eb = await t.user({ roles: ['editor'], jurisdiction: B });
    editorBId = eb.id;
    editorB = await t.signIn(eb);
  });
  afterAll(() => t?.close());

  const dashboard = async (c: typeof nation, code: string) => {
    const res = await c.get(`/dashboard?under=${code}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const recomputed = async (key: string) => valuesOf(await recomputeCounts(t.db, key));

  it('counts what the ledger holds (hand-checked figures for county A)', async () => {
    const f = (await dashboard(nation, A)).figures;
    expect(f).toMatchObject({
      operating: 5,
      kindEnterprise: 2,
      kindIndividual: 3,
      kindCooperative: 0,
      newEntities: 1,
      membersOnRoster: 6,
      membersFound: 5,
      casesOpen: 2,
      orgsEstablished: 4,
      orgsPreparing: 0,
      orgsBranch: 2,
      orgsJointBranch: 1,
      orgsCommittee: 1,
      modeStandalone: 1,
      modeZone: 1,
      modeIndustry: 1,
      modeMobile: 1,
      withMembers: 4,
      ownOrg: 1,
      anyOrg: 2,
      work: 4,
      membersAnyOrg: 2,
      instructorsActive: 1,
      assignmentsInForce: 1,
      entitiesReached: 1,
      sanliangParticipants: 1,
      validPlaques: 1,
      contactPoints: 1,
      demoPoints: 1,
      honoursAwarded: 1,
      secretaries: 2,
      secretariesTrained: 1,
      appealsReceived: 6,
      appealsOpen: 3,
      appealsClosed: 3,
      visitProblems: 1,
      appealsOverdue: 1,
      appealsRated: 2,
      appealsSatisfied: 1,
      visits: 3,
      entitiesVisited: 2,
      orgCoverage: 2 / 5,
      workCoverage: 4 / 5,
      trainingCompletion: 1 / 2,
      xgzCommittees: 1,
      guidancePosts: 1,
      platforms: 0,
      platformPartners: 1,
      deliveryStations: 2,
      riders: 21,
      memberRiders: 2,
      riderCommittees: 1,
      mobileBranches: 1,
      mobileCardsValid: 1,
      platformsAnyOrg: 0,
      stationsAnyOrg: 1,
      stationsWork: 1,
      stationOrgCoverage: 1 / 2,
      stationWorkCoverage: 1 / 2,
      leagueOrgs: 1,
      leagueMembers: 2,
      assistancePrograms: 1,
      assistedEntities: 3,
      assistedResolved: 1,
      assistedImproved: 1,
      assistedOngoing: 1,
      assistedUnresolved: 0,
    });
    // The platform counts where it is registered (the city), its stations where they are.
    expect((await dashboard(nation, '320100')).figures).toMatchObject({
      platforms: 1,
      platformsAnyOrg: 0,
      platformOrgCoverage: 0,
      deliveryStations: 2,
      riders: 21,
    });
    const b = (await dashboard(nation, B)).figures;
    expect(b).toMatchObject({
      operating: 1,
      orgsPreparing: 1,
      orgsEstablished: 0,
      anyOrg: 0,
      instructorsActive: 0,
      membersFound: 2,
      contactPoints: 0,
      secretaries: 0,
      trainingCompletion: null,
    });
  });

  it("opens from 待核实线索 a case list holding as many cases as the figure: both states it counts, as the dashboard's link asks", async () => {
    const figure = (await dashboard(nation, A)).figures.casesOpen;
    const list = await nation.get(`/cases?under=${A}&state=${PENDING_STATES.join(',')}`);
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json().total).toBe(figure);
    expect(new Set(list.json().items.map((c: { state: string }) => c.state))).toEqual(new Set(['open', 'contacted']));
    // Repeated parameters name several states as well; a state that is none is refused, naming it.
    expect((await nation.get(`/cases?under=${A}&state=open&state=contacted`)).json().total).toBe(figure);
    const bad = await nation.get(`/cases?under=${A}&state=open,closed`);
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('state');
  });

  it('gives for every node, and for each of its children, the figures a fresh recompute from the ledger rows gives', async () => {
    for (const [code, key] of NODES) {
      const d = await dashboard(nation, code);
      expect(d.figures, code).toEqual(await recomputed(key));
      for (const c of d.children.filter((x: { code: string }) => NODES.some(([n]) => n === x.code))) {
        const { code: _c, name: _n, level: _l, ...figures } = c;
        expect(figures, `${code} → ${c.code}`).toEqual(await recomputed(NODES.find(([n]) => n === c.code)![1]));
      }
    }
    // The member found in both stations counts once in the county, once in each station.
    const a = await dashboard(nation, A);
    const byCode = new Map(a.children.map((c: { code: string; membersFound: number }) => [c.code, c]));
    expect((byCode.get(A1) as Counts).membersFound + (byCode.get(A2) as Counts).membersFound).toBe(
      a.figures.membersFound + 1,
    );
    // What hangs on the county itself (an entity, a roster member, the zone's organization) is its own line.
    expect(a.unassigned).toMatchObject({ operating: 1, membersOnRoster: 1, orgsJointBranch: 1, instructorsActive: 1 });
    expect(a.funnel.map((s: { value: number }) => s.value)).toEqual([5, 4, 2]);
  });

  it('takes a snapshot equal to the live figures, replaces it within the month, and keeps earlier months as history', async () => {
    const take = await editorNation.post('/dashboard/snapshots');
    expect(take.statusCode, take.body).toBe(201);
    expect(take.json().period).toBe(periodOf());
    for (const [code, key] of NODES) {
      const res = await nation.get(`/dashboard/snapshots?under=${code}`);
      const month = res.json().snapshots.find((s: { period: string }) => s.period === periodOf());
      expect(month?.values, code).toEqual(await recomputed(key));
      expect(month.trigger).toBe('demand');
    }
    // Nodes with no data get no row; the audit trail has the snapshot.
    const rows = await t.db
      .selectFrom(sql<{ scope_key: string }>`indicator_snapshot`.as('s'))
      .select('s.scope_key')
      .execute();
    expect(rows.map((r) => r.scope_key).sort()).toEqual(['', '32', '3201', A, A1, A2, B, B1].sort());
    expect(
      await t.db.selectFrom('audit_log').select('action').where('action', '=', 'indicator.snapshot').execute(),
    ).toHaveLength(1);

    // Last month's history stays; this month's row is replaced when taken again after a change.
    const last = trendStart(2);
    await sql`INSERT INTO indicator_snapshot (jurisdiction_code, scope_key, period, counts, trigger) VALUES (${A}, ${A}, ${last}, ${JSON.stringify({ operating: 3 })}, 'schedule')`.execute(
      t.db,
    );
    await ledger(t.db).entity({ place: A1 });
    // A minute later: an account takes them once a minute (round 16).
    await sql`UPDATE public_window SET window_start = now() - interval '61 seconds' WHERE bucket = 'snapshot.account'`.execute(
      t.db,
    );
    expect((await editorNation.post('/dashboard/snapshots')).statusCode).toBe(201);
    const snaps = (await nation.get(`/dashboard/snapshots?under=${A}`)).json().snapshots;
    expect(snaps.map((s: { period: string }) => s.period)).toEqual([last, periodOf()]);
    expect(snaps[1].values.operating).toBe(6);
    expect(snaps[0].values.operating).toBe(3);
    // The trend: history from snapshots, then the live month.
    const trend = (await dashboard(nation, A)).trend;
    expect(
      trend.map((p: { period: string; live: boolean; operating: number }) => [p.period, p.live, p.operating]),
    ).toEqual([
      [last, false, 3],
      [periodOf(), true, 6],
    ]);
  });

  it("lets a county read only its own subtree: a sibling's dashboard and snapshots are not found, its own snapshot touches only its own rows", async () => {
    for (const url of [
      `/dashboard?under=${A}`,
      `/dashboard?under=${A1}`,
      `/dashboard/snapshots?under=${A}`,
      `/dashboard?under=${NATION}`,
    ]) {
      expect((await countyB.get(url)).statusCode, url).toBe(404);
    }
    const own = await dashboard(countyB, B);
    expect(own.node.code).toBe(B);
    expect(own.children.map((c: { code: string }) => c.code)).toContain(B1);
    expect(own.figures).toEqual(await recomputed(B));
    const before = await sql<{
      scope_key: string;
      counts: unknown;
    }>`SELECT scope_key, counts FROM indicator_snapshot WHERE taken_by IS DISTINCT FROM ${editorBId} ORDER BY 1, counts::text`.execute(
      t.db,
    );
    expect((await editorB.post('/dashboard/snapshots')).statusCode).toBe(201);
    const mine = await sql<{
      scope_key: string;
    }>`SELECT scope_key FROM indicator_snapshot WHERE taken_by = ${editorBId} ORDER BY 1`.execute(t.db);
    expect(mine.rows.map((r) => r.scope_key)).toEqual([B, B1]);
    const others = await sql<{
      scope_key: string;
      counts: unknown;
    }>`SELECT scope_key, counts FROM indicator_snapshot WHERE taken_by IS DISTINCT FROM ${editorBId} ORDER BY 1, counts::text`.execute(
      t.db,
    );
    expect(others.rows).toEqual(before.rows.filter((r) => ![B, B1].includes(r.scope_key)));
    expect((await countyB.post('/dashboard/snapshots')).statusCode).toBe(403); // a viewer takes none
  });

  it("takes the month's snapshot on start-up when the month has none or only a day-old one, as the system", async () => {
    const startUp = async () => {
      const app = await buildApp(t.ctx, { webDist: null, logStream: { write: () => true } });
      await app.close(); // waits for a snapshot in progress
    };
    const nationRow = async () =>
      (
        await sql<{
          trigger: string;
          taken_at: Date;
        }>`SELECT trigger, taken_at FROM indicator_snapshot WHERE scope_key = '' AND period = ${periodOf()}`.execute(
          t.db,
        )
      ).rows[0];
    await sql`DELETE FROM indicator_snapshot`.execute(t.db);
    await startUp();
    expect((await nationRow())?.trigger).toBe('schedule');
    for (const [code, key] of NODES) {
      const { rows } = await sql<{
        counts: Counts;
      }>`SELECT counts FROM indicator_snapshot WHERE scope_key = ${key}`.execute(t.db);
      expect(valuesOf(rows[0].counts), code).toEqual(await recomputed(key));
    }
    // A fresh one is left alone; one older than a day is taken again.
    const fresh = (await nationRow()).taken_at;
    await startUp();
    expect((await nationRow()).taken_at).toEqual(fresh);
    await sql`UPDATE indicator_snapshot SET taken_at = now() - interval '25 hours', trigger = 'demand'`.execute(t.db);
    await startUp();
    expect((await nationRow()).trigger).toBe('schedule');
  });

  it('keeps the member tallies equal to the rows through links moved, added across counties and removed, members moved and deleted', async () => {
    const links = await t.db
      .selectFrom('member_link')
      .select(['id', 'member_id', 'scope_key', 'entity_person_id'])
      .orderBy('id')
      .execute();
    const inB = links.filter((l) => l.scope_key === B1);
    const inA1 = links.filter((l) => l.scope_key === A1);
    // A link moved to another station, one removed, and a B member found in A as well (two links in one statement).
    await t.db.updateTable('member_link').set({ scope_key: A2 }).where('id', '=', inA1[1].id).execute();
    await t.db.deleteFrom('member_link').where('id', '=', inA1[2].id).execute();
    const roles = await t.db
      .selectFrom('entity_person')
      .select(['id', 'entity_id', 'scope_key'])
      .where('scope_key', '=', A1)
      .orderBy('id')
      .limit(2)
      .execute();
    await t.db
      .insertInto('member_link')
      .values(
        roles.map((r) => ({
          member_id: inB[0].member_id,
          entity_person_id: r.id,
          entity_id: r.entity_id,
          method: 'staff' as const,
          score: 99,
          levels: null,
          scope_key: r.scope_key,
        })),
      )
      .execute();
    // The roster: a member held by the city from now on, and one deleted with its links.
    await t.db.updateTable('member').set({ scope_key: '3201' }).where('scope_key', '=', A).execute();
    await t.db.deleteFrom('member').where('id', '=', inB[1].member_id).execute();
    for (const [code, key] of NODES)
      expect((await dashboard(nation, code)).figures, code).toEqual(await recomputed(key));
    expect((await dashboard(nation, '320100')).unassigned.membersOnRoster).toBe(1);
    // And the tallies are what a rebuild from the rows makes.
    const tallies = async () =>
      (
        await sql<{
          scope_key: string;
          on_roster: number;
          found: number;
        }>`SELECT scope_key, on_roster, found FROM member_tally WHERE on_roster <> 0 OR found <> 0 ORDER BY 1`.execute(
          t.db,
        )
      ).rows;
    const kept = await tallies();
    await sql`SELECT xgz_member_tally_rebuild()`.execute(t.db);
    expect(kept).toEqual(await tallies());
  });

  it('keeps the open-case, plaque, 三亮, honour and assignment tallies equal to the rows through cases raised, moved, closed and deleted, 三亮 records added and withdrawn, a plaque revoked, an honour awarded and revoked, assignments ended and deleted', async () => {
    const counts = async () =>
      (
        await sql<{
          t: string;
          scope_key: string;
          state: string;
          n: number;
        }>`SELECT 'case' AS t, scope_key, state, sum(n)::int AS n FROM discovery_case_tally WHERE n <> 0 GROUP BY 2, 3
           UNION ALL SELECT 'plaque', scope_key, state, n FROM sanliang_plaque_tally WHERE n <> 0
           UNION ALL SELECT '三亮', scope_key, '', participants FROM sanliang_tally WHERE participants <> 0
           UNION ALL SELECT 'honour', scope_key, state, n FROM honour_tally WHERE n <> 0
           UNION ALL SELECT 'assignment', scope_key, state, n FROM instructor_assignment_tally WHERE n <> 0 ORDER BY 1, 2, 3`.execute(
          t.db,
        )
      ).rows;
    const fromRows = async () =>
      (
        await sql<{
          t: string;
          scope_key: string;
          state: string;
          n: number;
        }>`SELECT 'case' AS t, scope_key, state, count(*)::int AS n FROM discovery_case GROUP BY 2, 3
           UNION ALL SELECT 'plaque', scope_key, state, count(*)::int FROM sanliang_plaque GROUP BY 2, 3
           UNION ALL SELECT '三亮', scope_key, '', count(DISTINCT member_id)::int FROM sanliang WHERE status = 'active' GROUP BY 2
           UNION ALL SELECT 'honour', scope_key, state, count(*)::int FROM honour GROUP BY 2, 3
           UNION ALL SELECT 'assignment', scope_key, CASE WHEN end_on IS NULL THEN 'in_force' ELSE 'ended' END, count(*)::int FROM instructor_assignment GROUP BY 2, 3
           ORDER BY 1, 2, 3`.execute(t.db)
      ).rows;
    expect(await counts()).toEqual(await fromRows());
    const entities = await t.db.selectFrom('entity').select(['id', 'scope_key']).orderBy('id').execute();
    // Two cases raised in one statement (B1 and the city itself), one moved to another station, one closed, one deleted.
    await t.db
      .insertInto('discovery_case')
      .values(
        [entities[0], entities[entities.length - 1]].map((e, i) => ({
          kind: 'declared_not_found' as const,
          entity_id: e.id,
          scope_key: i ? '3201' : B1,
          county_code: i ? '3201' : B1.slice(0, 6),
          state: 'open' as const,
          evidence: JSON.stringify({}),
          evidence_hash: `tally-${e.id}`,
        })),
      )
      .execute();
    const cases = await t.db.selectFrom('discovery_case').select(['id', 'state']).orderBy('id').execute();
    await t.db.updateTable('discovery_case').set({ scope_key: A2 }).where('id', '=', cases[0].id).execute();
    await t.db.updateTable('discovery_case').set({ state: 'confirmed' }).where('id', '=', cases[1].id).execute();
    await t.db.deleteFrom('discovery_case').where('id', '=', cases[2].id).execute();
    // 三亮: the A1 member's record copied to A2 (one member under two keys), then another record withdrawn.
    const records = await t.db
      .selectFrom('sanliang')
      .selectAll()
      .where('status', '=', 'active')
      .orderBy('id')
      .execute();
    expect(records.length).toBeGreaterThan(1);
    const { id: _id, ...copy } = records[0];
    const inA2 = entities.find((e) => e.scope_key === A2)!;
    await t.db
      .insertInto('sanliang')
      .values({ ...copy, entity_id: inA2.id, scope_key: A2 })
      .execute();
    expect(await counts()).toEqual(await fromRows());
    expect((await dashboard(nation, NATION)).figures.sanliangParticipants).toBe(
      (await dashboard(nation, A1)).figures.sanliangParticipants,
    );
    await t.db
      .updateTable('sanliang')
      .set({ status: 'withdrawn', withdrawn_on: '2026-03-01' })
      .where('id', '=', records[1].id)
      .execute();
    // The plaque revoked.
    const plaques = await t.db.selectFrom('sanliang_plaque').select(['id']).orderBy('id').execute();
    expect(plaques.length).toBeGreaterThan(0);
    await t.db
      .updateTable('sanliang_plaque')
      .set({ state: 'revoked', revoked_on: '2026-03-01', revoke_reason: '测试' })
      .where('id', '=', plaques[0].id)
      .execute();
    expect(await counts()).toEqual(await fromRows());
    // An honour awarded at A2, then revoked; an assignment ended, a copy of it at A2 added and deleted.
    const honour = await t.db.selectFrom('honour').selectAll().orderBy('id').executeTakeFirstOrThrow();
    const { id: _h, ...honourCopy } = honour;
    const awarded = await t.db
      .insertInto('honour')
      .values({ ...honourCopy, state: 'awarded', level: 'county', year: 2026, awarded_on: '2026-01-10', scope_key: A2 })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.db
      .updateTable('honour')
      .set({ state: 'revoked', revoke_reason: '测试' })
      .where('id', '=', awarded.id)
      .execute();
    expect(await counts()).toEqual(await fromRows());
    const assignment = await t.db
      .selectFrom('instructor_assignment')
      .selectAll()
      .where('end_on', 'is', null)
      .orderBy('id')
      .executeTakeFirstOrThrow();
    await t.db
      .updateTable('instructor_assignment')
      .set({ end_on: '2026-03-01' })
      .where('id', '=', assignment.id)
      .execute();
    const { id: _a, ...assignmentCopy } = assignment;
    const copied = await t.db
      .insertInto('instructor_assignment')
      .values({ ...assignmentCopy, scope_key: A2 })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect(await counts()).toEqual(await fromRows());
    expect((await dashboard(nation, A2)).figures.assignmentsInForce).toBe((await recomputed(A2)).assignmentsInForce);
    await t.db.deleteFrom('instructor_assignment').where('id', '=', copied.id).execute();
    expect(await counts()).toEqual(await fromRows());
    for (const [code, key] of NODES)
      expect((await dashboard(nation, code)).figures, code).toEqual(await recomputed(key));
    // And they are what a rebuild from the rows makes.
    const kept = await counts();
    await sql`SELECT xgz_state_tally_rebuild()`.execute(t.db);
    expect(await counts()).toEqual(kept);
  });
});
