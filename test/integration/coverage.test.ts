import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sql } from 'kysely';
import {
  addToTally,
  coverageFlags,
  emptyTally,
  type EntityFacts,
  type Tally,
} from '../../src/domain/coverage/coverage.js';
import { recomputeTally, tallyBy, tallyUnder } from '../../src/features/coverage/queries.js';
import { BACKENDS } from '../helpers/db.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { ledger } from '../helpers/ledger.js';

const STATIONS = ['320102001', '320102002', '320104001'];
const SCOPES = ['', '32', '3201', '320102', '320104', ...STATIONS];

type Op =
  | { op: 'entity'; station: number; kind: number; active: boolean; month: number }
  | { op: 'status'; pick: number; active: boolean }
  | { op: 'move'; pick: number; station: number }
  | { op: 'zone'; pick: number; zone: number; add: boolean }
  | { op: 'liaison'; pick: number; add: boolean }
  | { op: 'report'; pick: number; members: number }
  | { op: 'link'; pick: number; add: boolean }
  | { op: 'moveLinks'; pick: number; to: number }
  | { op: 'org'; picks: number[]; mode: number; status: number }
  | { op: 'orgStatus'; pick: number; status: number }
  | { op: 'orgDrop'; pick: number; entity: number }
  | { op: 'assign'; target: number; pick: number }
  | { op: 'unassign'; pick: number; remove: boolean }
  | { op: 'delete'; pick: number };

const nat = fc.nat({ max: 1000 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({
      op: fc.constant('entity' as const),
      station: fc.nat({ max: 3 }),
      kind: fc.nat({ max: 2 }),
      active: fc.boolean(),
      month: fc.nat({ max: 30 }),
    }),
    weight: 6,
  },
  fc.record({ op: fc.constant('status' as const), pick: nat, active: fc.boolean() }),
  fc.record({ op: fc.constant('move' as const), pick: nat, station: fc.nat({ max: 3 }) }),
  fc.record({ op: fc.constant('zone' as const), pick: nat, zone: fc.nat({ max: 2 }), add: fc.boolean() }),
  fc.record({ op: fc.constant('liaison' as const), pick: nat, add: fc.boolean() }),
  fc.record({ op: fc.constant('report' as const), pick: nat, members: fc.nat({ max: 3 }) }),
  fc.record({ op: fc.constant('link' as const), pick: nat, add: fc.boolean() }),
  fc.record({ op: fc.constant('moveLinks' as const), pick: nat, to: nat }),
  fc.record({
    op: fc.constant('org' as const),
    picks: fc.array(nat, { minLength: 1, maxLength: 3 }),
    mode: fc.nat({ max: 2 }),
    status: fc.nat({ max: 2 }),
  }),
  fc.record({ op: fc.constant('orgStatus' as const), pick: nat, status: fc.nat({ max: 2 }) }),
  fc.record({ op: fc.constant('orgDrop' as const), pick: nat, entity: nat }),
  fc.record({ op: fc.constant('assign' as const), target: fc.nat({ max: 2 }), pick: nat }),
  fc.record({ op: fc.constant('unassign' as const), pick: nat, remove: fc.boolean() }),
  fc.record({ op: fc.constant('delete' as const), pick: nat }),
);

const ORG_STATUS = ['preparing', 'established', 'dissolved'] as const;
const MODES = ['standalone', 'joint', 'zone'] as const;

describe.each(BACKENDS)('the two coverages on %s', (backend) => {
  let t: TestApp;
  const zones: number[] = [];
  let instructorId: number;

  beforeAll(async () => {
    t = await testApp(backend);
    const l = ledger(t.db);
    for (const code of STATIONS) await l.station(code);
    for (const [i, kind] of (['building', 'market', 'park'] as const).entries())
      zones.push(await l.zone(kind, `区域${i}`, '320102'));
    instructorId = await l.instructor('320102');
  });
  afterAll(() => t?.close());

  const ids = async (table: 'entity' | 'party_org' | 'instructor_assignment') =>
    (await t.db.selectFrom(table).select('id').orderBy('id').execute()).map((r) => r.id);
  const pickOf = (list: number[], n: number) => (list.length ? list[n % list.length] : null);

  /** A party organization of the county covering these entities. */
  async function addOrg(covered: number[], mode: (typeof MODES)[number], status: (typeof ORG_STATUS)[number]) {
    const org = await t.db
      .insertInto('party_org')
      .values({
        name: `党组织${crypto.randomUUID()}`,
        kind: 'branch',
        setup_mode: mode,
        county_code: '320102',
        scope_key: '320102',
        status,
        founded_on: status === 'preparing' ? null : '2024-01-01',
        dissolved_on: status === 'dissolved' ? '2025-01-01' : null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.db
      .insertInto('party_org_entity')
      .values(covered.map((entity_id) => ({ org_id: org.id, entity_id, scope_key: '320102' })))
      .execute();
  }

  async function apply(o: Op) {
    const entities = await ids('entity');
    const e = 'pick' in o ? pickOf(entities, o.pick) : null;
    const l = ledger(t.db);
    const place = (n: number) => STATIONS[n] ?? '320102';
    switch (o.op) {
      case 'entity': {
        const month = new Date(2024, o.month, 15).toISOString().slice(0, 10);
        await l.entity({
          place: place(o.station),
          kind: (['enterprise', 'individual', 'cooperative'] as const)[o.kind],
          active: o.active,
          registeredOn: month,
          industry: 'ABF'[o.kind],
        });
        return;
      }
      case 'status':
        if (e)
          await t.db
            .updateTable('entity')
            .set({ status: o.active ? 'active' : 'revoked' })
            .where('id', '=', e)
            .execute();
        return;
      case 'move':
        if (e)
          await t.db
            .updateTable('entity')
            .set(l.placeOf(place(o.station)))
            .where('id', '=', e)
            .execute();
        return;
      case 'zone':
        if (!e) return;
        if (o.add)
          await t.db
            .insertInto('entity_zone')
            .values({ entity_id: e, zone_id: zones[o.zone], scope_key: '320102' })
            .onConflict((c) => c.doNothing())
            .execute();
        else
          await t.db
            .deleteFrom('entity_zone')
            .where('entity_id', '=', e)
            .where('zone_id', '=', zones[o.zone])
            .execute();
        return;
      case 'liaison':
        if (!e) return;
        if (o.add) await l.role(e, 'liaison');
        else await t.db.deleteFrom('entity_person').where('entity_id', '=', e).where('role', '=', 'liaison').execute();
        return;
      case 'report':
        if (e)
          await t.db
            .updateTable('annual_report')
            .set({ party_members: o.members })
            .where('entity_id', '=', e)
            .execute();
        if (e && !(await t.db.selectFrom('annual_report').select('year').where('entity_id', '=', e).executeTakeFirst()))
          await l.report(e, 2025, { members: o.members });
        return;
      case 'link': {
        if (!e) return;
        if (!o.add) return void (await t.db.deleteFrom('member_link').where('entity_id', '=', e).execute());
        await l.members(e, 1);
        return;
      }
      case 'moveLinks': {
        // A rerun relinks a member to another entity: one UPDATE of entity_id (both entities' with_members may change).
        const to = pickOf(entities, o.to);
        if (e && to) await t.db.updateTable('member_link').set({ entity_id: to }).where('entity_id', '=', e).execute();
        return;
      }
      case 'org': {
        const covered = [...new Set(o.picks.map((p) => pickOf(entities, p)).filter((x): x is number => x !== null))];
        if (covered.length) await addOrg(covered, MODES[o.mode], ORG_STATUS[o.status]);
        return;
      }
      case 'orgStatus': {
        const org = pickOf(await ids('party_org'), o.pick);
        const status = ORG_STATUS[o.status];
        if (org)
          await t.db
            .updateTable('party_org')
            .set({ status, founded_on: '2024-01-01', dissolved_on: status === 'dissolved' ? '2025-01-01' : null })
            .where('id', '=', org)
            .execute();
        return;
      }
      case 'orgDrop': {
        const org = pickOf(await ids('party_org'), o.pick);
        if (org)
          await t.db
            .deleteFrom('party_org_entity')
            .where('org_id', '=', org)
            .where('entity_id', '=', pickOf(entities, o.entity) ?? 0)
            .execute();
        return;
      }
      case 'assign': {
        // An instructor assigned to an entity, a zone or an organization (whatever its status).
        const target = (['entity', 'zone', 'org'] as const)[o.target];
        const ref =
          target === 'entity'
            ? e
            : target === 'zone'
              ? zones[o.pick % zones.length]
              : pickOf(await ids('party_org'), o.pick);
        if (!ref) return;
        await t.db
          .insertInto('instructor_assignment')
          .values({
            instructor_id: instructorId,
            target,
            entity_id: target === 'entity' ? ref : null,
            zone_id: target === 'zone' ? ref : null,
            org_id: target === 'org' ? ref : null,
            start_on: '2026-01-01',
            scope_key: '320102',
          })
          .onConflict((c) => c.doNothing())
          .execute();
        return;
      }
      case 'unassign': {
        const a = pickOf(await ids('instructor_assignment'), o.pick);
        if (!a) return;
        if (o.remove) await t.db.deleteFrom('instructor_assignment').where('id', '=', a).execute();
        else
          await t.db
            .updateTable('instructor_assignment')
            .set({ end_on: '2026-06-30' })
            .where('id', '=', a)
            .where('end_on', 'is', null)
            .execute();
        return;
      }
      case 'delete':
        if (e) {
          await t.db.deleteFrom('member_link').where('entity_id', '=', e).execute();
          await t.db.deleteFrom('entity').where('id', '=', e).execute();
        }
        return;
    }
  }

  /** The figures computed in TypeScript from the raw ledger rows, through the domain definitions; and the operating entities an instructor reaches. */
  async function oracle(scope: string): Promise<Tally & { reached: number }> {
    const { rows } = await sql<{
      id: number;
      status: EntityFacts['status'];
      linked: number;
      declared: number | null;
      liaison: boolean;
      instructor: boolean;
      orgs: EntityFacts['orgs'];
    }>`
      SELECT e.id, e.status,
        (SELECT count(*)::int FROM member_link l WHERE l.entity_id = e.id) AS linked,
        (SELECT a.party_members FROM annual_report a WHERE a.entity_id = e.id ORDER BY a.year DESC LIMIT 1) AS declared,
        EXISTS (SELECT 1 FROM entity_person p WHERE p.entity_id = e.id AND p.role = 'liaison') AS liaison,
        EXISTS (SELECT 1 FROM instructor_assignment a WHERE a.end_on IS NULL AND (a.entity_id = e.id
          OR a.zone_id IN (SELECT ez.zone_id FROM entity_zone ez WHERE ez.entity_id = e.id)
          OR a.org_id IN (SELECT pe.org_id FROM party_org_entity pe WHERE pe.entity_id = e.id))) AS instructor,
        coalesce((SELECT json_agg(json_build_object('body', o.body, 'setupMode', o.setup_mode, 'status', o.status)) FROM party_org_entity pe JOIN party_org o ON o.id = pe.org_id WHERE pe.entity_id = e.id), '[]') AS orgs
      FROM entity e WHERE starts_with(e.scope_key, ${scope})`.execute(t.db);
    const tally = rows.reduce(
      (acc, r) =>
        addToTally(
          acc,
          coverageFlags({
            status: r.status,
            linkedMembers: r.linked,
            declaredMembers: r.declared ?? 0,
            liaison: r.liaison,
            instructor: r.instructor,
            orgs: r.orgs,
          }),
        ),
      emptyTally(),
    );
    return { ...tally, reached: rows.filter((r) => r.status === 'active' && r.instructor).length };
  }

  /** The per-county sums (migration 0044) against coverage_tally's rows summed by county, row for row (with the number of rows summed). */
  async function expectCountySums() {
    const cols = sql`operating, with_members, own_org, any_org, work, members_own_org, members_any_org, instructor`;
    const kept =
      await sql`SELECT dim, scope_key, value, ${cols}, tally_rows FROM coverage_tally_county ORDER BY dim, scope_key, value`.execute(
        t.db,
      );
    const summed =
      await sql`SELECT dim, left(scope_key, 6) AS scope_key, value, sum(operating)::int AS operating, sum(with_members)::int AS with_members,
      sum(own_org)::int AS own_org, sum(any_org)::int AS any_org, sum(work)::int AS work, sum(members_own_org)::int AS members_own_org,
      sum(members_any_org)::int AS members_any_org, sum(instructor)::int AS instructor, count(*)::int AS tally_rows
      FROM coverage_tally GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`.execute(t.db);
    expect(kept.rows).toEqual(summed.rows);
    return kept.rows.length;
  }

  async function expectConsistent() {
    expect(await expectCountySums()).toBeGreaterThan(0);
    for (const scope of SCOPES) {
      const kept = await tallyUnder(t.db, scope);
      expect(kept, `scope ${scope || '全国'}`).toEqual(await recomputeTally(t.db, scope));
      const { reached, ...tally } = await oracle(scope);
      expect(kept).toEqual(tally);
      // The entities instructors reach, tallied beside the coverages (migration 0019).
      const { rows } = await sql<{
        n: number;
      }>`SELECT coalesce(sum(instructor), 0)::int AS n FROM coverage_tally WHERE dim = 'all' AND starts_with(scope_key, ${scope})`.execute(
        t.db,
      );
      expect(rows[0].n, `reached under ${scope || '全国'}`).toBe(reached);
    }
    // Every split adds up to the total (each entity has one kind, one industry, one month).
    for (const dim of ['kind', 'industry', 'reg_month']) {
      const parts = [...(await tallyBy(t.db, '', dim)).values()].reduce(
        (a, b) => ({ ...a, operating: a.operating + b.operating, anyOrg: a.anyOrg + b.anyOrg }),
        emptyTally(),
      );
      const total = await tallyUnder(t.db, '');
      expect([parts.operating, parts.anyOrg]).toEqual([total.operating, total.anyOrg]);
    }
  }

  it('equals a full recompute and the domain definitions after random change sequences', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 5, maxLength: 25 }), async (ops) => {
        for (const o of ops) await apply(o);
        await expectConsistent();
      }),
      { numRuns: 12, seed: 1 },
    );
    const total = await tallyUnder(t.db, '');
    expect(total.operating).toBeGreaterThan(10);
    expect(total.anyOrg).toBeGreaterThan(0);
    expect(total.withMembers).toBeGreaterThan(0);
  });

  it('follows with_members through links moved, removed and re-added in one statement each, and reports declaring members or none, and the members-with-organization sums with it', async () => {
    // The links' and the reports' triggers refresh only entities whose with_members changes (migration 0052).
    const l = ledger(t.db);
    const [a, b, c] = [
      await l.entity({ place: '320102001' }),
      await l.entity({ place: '320102002' }),
      await l.entity({ place: '320102' }),
    ];
    const flag = async (e: number) =>
      (
        await t.db
          .selectFrom('entity_coverage')
          .select('with_members')
          .where('entity_id', '=', e)
          .executeTakeFirstOrThrow()
      ).with_members;
    await l.members(a, 2);
    await l.report(c, 2025, { members: 1 });
    expect([await flag(a), await flag(b), await flag(c)]).toEqual([true, false, true]);
    await t.db.updateTable('member_link').set({ entity_id: b }).where('entity_id', '=', a).execute();
    expect([await flag(a), await flag(b)]).toEqual([false, true]);
    await expectConsistent();
    // Onto an entity whose report already counts members: nothing of it changes but the link.
    await t.db.updateTable('member_link').set({ entity_id: c }).where('entity_id', '=', b).execute();
    await t.db.updateTable('annual_report').set({ party_members: 0 }).where('entity_id', '=', c).execute();
    expect([await flag(b), await flag(c)]).toEqual([false, true]);
    await t.db.deleteFrom('member_link').where('entity_id', '=', c).execute();
    expect(await flag(c)).toBe(false);
    await t.db.deleteFrom('annual_report').where('entity_id', '=', c).execute();
    await l.report(c, 2026, { members: 3 });
    expect(await flag(c)).toBe(true);
    await expectConsistent();
    // With an organization of its own (and so any organization), the entity's first and last members
    // move members_own_org and members_any_org with with_members; a joint one's only members_any_org (0053).
    const [own, joint] = [await l.entity({ place: '320102001' }), await l.entity({ place: '320102002' })];
    await addOrg([own], 'standalone', 'established');
    await addOrg([joint], 'joint', 'established');
    const before = await tallyUnder(t.db, '');
    await l.members(own, 2);
    await l.members(joint, 1);
    expect(await tallyUnder(t.db, '')).toMatchObject({
      withMembers: before.withMembers + 2,
      membersOwnOrg: before.membersOwnOrg + 1,
      membersAnyOrg: before.membersAnyOrg + 2,
    });
    await expectConsistent();
    await t.db.updateTable('member_link').set({ entity_id: joint }).where('entity_id', '=', own).execute();
    expect(await tallyUnder(t.db, '')).toMatchObject({
      withMembers: before.withMembers + 1,
      membersOwnOrg: before.membersOwnOrg,
      membersAnyOrg: before.membersAnyOrg + 1,
    });
    await t.db.deleteFrom('member_link').where('entity_id', '=', joint).execute();
    expect(await tallyUnder(t.db, '')).toEqual(before);
    await expectConsistent();
  });

  it('a rebuild from scratch (set-based, not the per-entity view) gives the very same flags and tallies', async () => {
    const flags = () => t.db.selectFrom('entity_coverage').selectAll().orderBy('entity_id').execute();
    const kept = await flags();
    expect(kept.length).toBeGreaterThan(10);
    const before = await t.db
      .selectFrom('coverage_tally')
      .selectAll()
      .where((eb) => eb.or([eb('operating', '<>', 0), eb('with_members', '<>', 0), eb('work', '<>', 0)]))
      .orderBy('dim')
      .orderBy('scope_key')
      .orderBy('value')
      .execute();
    await sql`SELECT xgz_coverage_rebuild()`.execute(t.db);
    const after = await t.db
      .selectFrom('coverage_tally')
      .selectAll()
      .orderBy('dim')
      .orderBy('scope_key')
      .orderBy('value')
      .execute();
    expect(after).toEqual(before);
    expect(await flags()).toEqual(kept);
    await expectCountySums();
  });

  it("keeps the per-county sums through coverage_tally's own inserts, updates and deletes, and a rebuild puts both back", async () => {
    const row = (scope: string, value: string, n: number) => ({
      scope_key: scope,
      dim: 'zone' as const,
      value,
      operating: n,
      with_members: n,
      own_org: 0,
      any_org: n,
      work: 1,
      members_own_org: 0,
      members_any_org: n,
      instructor: 1,
    });
    // Two stations of one county and the county itself, a value no entity has.
    await t.db
      .insertInto('coverage_tally')
      .values([
        row('320102001', '999001', 2),
        row('320102002', '999001', 3),
        row('320102', '999001', 1),
        row('32', '999001', 4),
      ])
      .execute();
    await expectCountySums();
    const sums = () =>
      sql<{
        scope_key: string;
        operating: number;
        tally_rows: number;
      }>`SELECT scope_key, operating, tally_rows FROM coverage_tally_county WHERE dim = 'zone' AND value = '999001' ORDER BY scope_key`.execute(
        t.db,
      );
    expect((await sums()).rows).toEqual([
      { scope_key: '32', operating: 4, tally_rows: 1 },
      { scope_key: '320102', operating: 6, tally_rows: 3 },
    ]);
    await t.db
      .updateTable('coverage_tally')
      .set({ operating: 0 })
      .where('value', '=', '999001')
      .where('scope_key', 'like', '320102%')
      .execute();
    // An upsert, as the refresh writes: one row inserted, one updated, in one statement.
    await sql`INSERT INTO coverage_tally AS t (scope_key, dim, value, operating, with_members, own_org, any_org, work, members_own_org, members_any_org)
      VALUES ('320102001', 'zone', '999001', 5, 0, 0, 0, 0, 0, 0), ('320104001', 'zone', '999001', 7, 0, 0, 0, 0, 0, 0)
      ON CONFLICT (dim, scope_key, value) DO UPDATE SET operating = t.operating + excluded.operating`.execute(t.db);
    await expectCountySums();
    expect((await sums()).rows).toEqual([
      { scope_key: '32', operating: 4, tally_rows: 1 },
      { scope_key: '320102', operating: 5, tally_rows: 3 },
      { scope_key: '320104', operating: 7, tally_rows: 1 },
    ]);
    // A row moved to another county's station, then rows removed: a county's row goes with its last tally row.
    await t.db
      .updateTable('coverage_tally')
      .set({ scope_key: '320104002' })
      .where('value', '=', '999001')
      .where('scope_key', '=', '320102002')
      .execute();
    await expectCountySums();
    await t.db
      .deleteFrom('coverage_tally')
      .where('value', '=', '999001')
      .where('scope_key', 'in', ['320104001', '320104002', '32'])
      .execute();
    await expectCountySums();
    expect((await sums()).rows).toEqual([{ scope_key: '320102', operating: 5, tally_rows: 2 }]);
    await t.db.deleteFrom('coverage_tally').where('value', '=', '999001').execute();
    expect((await sums()).rows).toEqual([]);
    await expectCountySums();
    // The splits above a county read the county sums: the same figures as summing the stations' rows.
    for (const scope of ['', '32', '3201'])
      expect(await tallyUnder(t.db, scope)).toEqual(await recomputeTally(t.db, scope));
    // The rebuild writes coverage_tally set-based and the county sums from it; with the triggers off, the county rebuild alone puts them right.
    await sql`SELECT xgz_coverage_rebuild()`.execute(t.db);
    expect(await expectCountySums()).toBeGreaterThan(0);
    await sql`UPDATE coverage_tally_county SET operating = operating + 1`.execute(t.db);
    await sql`SELECT xgz_coverage_county_rebuild()`.execute(t.db);
    expect(await expectCountySums()).toBeGreaterThan(0);
  });
});
