import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { BACKENDS, freshDatabase } from '../helpers/db.js';
import type { Database } from '../../src/db/connection.js';
import { registerAuditKey } from '../../src/db/audit-chain.js';
import { runScoped } from '../../src/db/scoped.js';
import { ledger } from '../helpers/ledger.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { measureAll } from '../../src/features/indicators/measure.js';
import { MEASURES } from '../../src/features/indicators/sources/index.js';
import {
  citusBlockers,
  citusState,
  distributeForCitus,
  DISTRIBUTED_TABLES,
  isCitus,
  REFERENCE_TABLES,
} from '../../src/db/citus.js';

// The Citus step of `xgz migrate`: on a cluster (CITUS_URL) the tables are placed and the
// distributed ones work under the app's role and scope; elsewhere it does nothing at all.
describe.each(BACKENDS)('the Citus distribution step on %s', (backend) => {
  let d: Database;
  beforeAll(async () => {
    d = await freshDatabase(backend);
  });
  afterAll(async () => {
    await d?.close();
  });

  // What Citus cannot plan once the tables are in its metadata (bench/README.md "## citus"), kept
  // out of the schema on every backend: migrations 0150 and 0151.
  it('has no SQL function with parameters that runs as its owner or with its own settings (Citus cannot plan their parameters)', async () => {
    const found = await sql<{ fn: string }>`
      SELECT p.oid::regprocedure::text AS fn FROM pg_proc p
      JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang
      WHERE n.nspname = 'public' AND l.lanname = 'sql' AND p.pronargs > 0 AND (p.prosecdef OR p.proconfig IS NOT NULL)
      ORDER BY 1`.execute(d.db);
    expect(found.rows.map((r) => r.fn)).toEqual([]);
  });

  it("has no function typed by a table's row type (Citus gives the type to the table's shard)", async () => {
    const found = await sql<{ fn: string }>`
      SELECT DISTINCT p.oid::regprocedure::text AS fn FROM pg_proc p
      JOIN pg_namespace n ON n.oid = p.pronamespace
      CROSS JOIN LATERAL unnest(p.proargtypes::oid[] || coalesce(p.proallargtypes, '{}') || p.prorettype) a(t)
      JOIN pg_type ty ON ty.oid = a.t
      JOIN pg_class c ON c.oid = coalesce(nullif(ty.typrelid, 0), (SELECT e.typrelid FROM pg_type e WHERE e.oid = ty.typelem))
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
      ORDER BY 1`.execute(d.db);
    expect(found.rows.map((r) => r.fn)).toEqual([]);
  });

  // A unit account's narrowing (no appeal tallies) is part of the scope's policy, on every backend
  // (migration 0232). As a restrictive policy, Citus copied it as permissive, OR-ed with the scope:
  // on the cluster the unit account saw the tally (and a station every entity an instructor's
  // narrowing hides, every case a unit's does) in a single-table statement.
  it("narrows what a unit account sees: not its scope's appeal tallies", async () => {
    registerAuditKey(d.db, Buffer.alloc(32, 7));
    await sql`INSERT INTO appeal_tally (scope_key, door, category, state, escalated, n, rated, stars, satisfied)
      VALUES ('320102', 'probe', 'probe', 'open', false, 1, 0, 0, 0)`.execute(d.db);
    const count = (bound: string) =>
      runScoped(d.db, { userId: null, username: 'probe', scopeKey: '320102', ip: null, bound }, async ({ db }) => {
        const all = await sql<{ n: number }>`SELECT count(*)::int AS n FROM appeal_tally`.execute(db);
        const one = await sql<{ n: number }>`SELECT count(*)::int AS n FROM appeal_tally WHERE door = 'probe'`.execute(
          db,
        );
        return [all.rows[0].n, one.rows[0].n];
      });
    expect(await count('')).toEqual([1, 1]);
    expect(await count('platform:1')).toEqual([0, 0]);
  });

  it("has no restrictive policy, which Citus would copy as permissive: each narrowing is in its table's policies", async () => {
    const policies = await sql<{ policy: string; permissive: boolean; using: string | null }>`
      SELECT c.relname || '.' || p.polname AS policy, p.polpermissive AS permissive, pg_get_expr(p.polqual, p.polrelid) AS using
      FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' ORDER BY 1`.execute(d.db);
    expect(policies.rows.filter((p) => !p.permissive).map((p) => p.policy)).toEqual([]);
    const using = new Map(policies.rows.map((p) => [p.policy, p.using ?? '']));
    expect(using.get('entity.entity_scope')).toMatch(/xgz_instructor_reaches\(id\)/);
    expect(using.get('appeal_case.appeal_case_read')).toMatch(/unit_platform_id/);
  });

  // The history trigger fires on a Citus local table's shard (entity_102056): it wrote that name,
  // so a record's page found no history and an entity's changes had no entity id (migration 0210).
  it("writes a change's history under the table's own name, an entity's with its id", async () => {
    const id = await ledger(d.db).entity({ place: '320104' });
    const h = await sql<{ object_type: string; entity_id: number | null }>`
      SELECT object_type, entity_id::int AS entity_id FROM ledger_history WHERE object_id = ${id} AND op = 'I'
        AND object_type ~ '^entity(_[0-9]+)?$'`.execute(d.db);
    expect(h.rows).toEqual([{ object_type: 'entity', entity_id: id }]);
  });

  // The case group (issue 18): what Citus needs of a distributed table's schema is there on every
  // backend (0245, 0246) — county_code on every row, in every unique key, the trail's key to its
  // case on (case_id, county_code) — and citusBlockers names what is left: the tables' triggers and
  // their keys to coordinator tables (the change log, entity, member, self_report).
  it('gives the case group county_code in every row and every unique key, and names unique indexes that lack it', async () => {
    const blockers = new Map((await citusBlockers(d.pool)).map((b) => [b.table, b.reasons.join('; ')]));
    for (const t of ['discovery_case', 'case_event', 'discovery_case_tally'])
      expect(blockers.get(t) ?? '').not.toMatch(/no county_code column|unique keys without county_code/);
    expect(blockers.get('self_report')).toMatch(/unique keys without county_code .*self_report_receipt_uq/);
    const fk = await sql<{ cols: string; ref: string }>`
      SELECT (SELECT string_agg(a.attname, ',' ORDER BY a.attnum) FROM pg_attribute a WHERE a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey)) AS cols,
        k.confrelid::regclass::text AS ref
      FROM pg_constraint k WHERE k.conrelid = 'case_event'::regclass AND k.contype = 'f'`.execute(d.db);
    expect(fk.rows).toEqual([{ cols: 'case_id,county_code', ref: 'discovery_case' }]);
  });

  // Citus runs no GROUPING SETS over a distributed table ("could not run distributed query with
  // GROUPING"): a measure over the case group is additive, read per group and summed, with the
  // figures GROUPING SETS gives.
  it('measures the case group without GROUPING SETS', async () => {
    const group = /\b(discovery_case|case_event|discovery_case_tally)\b/;
    const overGroup = MEASURES.filter((m) => group.test(m.from.compile(d.db).sql));
    expect(overGroup.map((m) => m.keys.join())).toEqual(['casesOpen']);
    for (const m of overGroup) expect(m.additive).toBe(true);
    await sql`INSERT INTO discovery_case_tally (scope_key, state, county_code, n)
      VALUES ('3201040101', 'open', '320104', 2), ('3201040102', 'contacted', '320104', 3), ('320105', 'open', '320105', 4),
        ('3201050101', 'dismissed', '320105', 5)`.execute(d.db);
    // Literal figures, not a GROUPING SETS reading beside it: on the cluster, with the tally
    // distributed, that reading is what Citus refuses.
    const open = async (under: string, depth: number) => {
      const m = await measureAll(d.db, overGroup, under, depth);
      return { total: m.total.casesOpen, groups: Object.fromEntries([...m.groups].map(([k, c]) => [k, c.casesOpen])) };
    };
    expect(await open('32', 6)).toEqual({ total: 9, groups: { '320104': 5, '320105': 4 } });
    expect(await open('320104', 8)).toEqual({ total: 5, groups: { '32010401': 5 } });
    expect(await open('3201040101', 10)).toEqual({ total: 2, groups: { '3201040101': 2 } });
    expect(await open('330000', 8)).toEqual({ total: 0, groups: {} });
    await sql`DELETE FROM discovery_case_tally WHERE scope_key IN ('3201040101', '3201040102', '320105', '3201050101')`.execute(
      d.db,
    );
  });

  if (backend !== 'citus') {
    it('does nothing where the citus extension is not installed', async () => {
      expect(await isCitus(d.pool)).toBe(false);
      expect(await distributeForCitus(d.pool)).toBe(false);
      const fk = await sql<{
        n: number;
      }>`SELECT count(*)::int AS n FROM pg_constraint WHERE conrelid = 'sanliang_plaque_counter'::regclass AND contype = 'f'`.execute(
        d.db,
      );
      expect(fk.rows[0].n).toBe(1); // the key the Citus step drops is still there
    });
    return;
  }

  it('places the tables: reference copies on every node, the distributed ones in shards on both workers', async () => {
    const state = await citusState(d.pool);
    expect(state.workers).toBe(2);
    expect(state.reference.sort()).toEqual([...REFERENCE_TABLES].sort());
    expect(state.distributed.map((t) => t.table).sort()).toEqual([...DISTRIBUTED_TABLES].sort());
    for (const t of state.distributed) expect(t.column).toBe('county_code');
    const nodes = await sql<{
      n: number;
    }>`SELECT count(DISTINCT nodeport)::int AS n FROM citus_shards WHERE citus_table_type = 'distributed'`.execute(
      d.db,
    );
    expect(nodes.rows[0].n).toBe(2);
  });

  it('is idempotent: a second run changes nothing', async () => {
    const before = await citusState(d.pool);
    expect(await distributeForCitus(d.pool)).toBe(true);
    expect(await citusState(d.pool)).toEqual(before);
  });

  it('draws plaque serials per county from the distributed counter through the coordinator', async () => {
    // As the system connection; the next test draws one as the app does.
    const serial = async (county: string) =>
      (await sql<{ n: number }>`SELECT xgz_plaque_serial(${county}) AS n`.execute(d.db)).rows[0].n;
    expect([await serial('320102'), await serial('320102'), await serial('320104')]).toEqual([1, 2, 1]);
    const rows = await sql<{
      county_code: string;
      last: number;
    }>`SELECT county_code, last FROM sanliang_plaque_counter ORDER BY 1`.execute(d.db);
    expect(rows.rows).toEqual([
      { county_code: '320102', last: 2 },
      { county_code: '320104', last: 1 },
    ]);
    const placed = await sql<{
      n: number;
    }>`SELECT count(DISTINCT nodeport)::int AS n FROM citus_shards WHERE table_name = 'sanliang_plaque_counter'::regclass`.execute(
      d.db,
    );
    expect(placed.rows[0].n).toBe(2);
  });

  it('draws a serial in a scoped transaction, as the app does when it issues a plaque', async () => {
    registerAuditKey(d.db, Buffer.alloc(32, 7));
    const who = { userId: null, username: 'probe', scopeKey: '320102', ip: null };
    const drawn = await runScoped(d.db, who, async ({ db }) => {
      await sql`SELECT count(*) FROM sanliang`.execute(db); // the transaction has been to the workers before
      return (await sql<{ n: number }>`SELECT xgz_plaque_serial('320105') AS n`.execute(db)).rows[0].n;
    });
    expect(drawn).toBe(1);
  });

  // Citus writes a table's policies out again for the copies it makes, without AS RESTRICTIVE: the
  // step refuses a restrictive policy a later migration might add, before it converts anything.
  it('refuses to distribute while a restrictive policy exists', async () => {
    await sql`CREATE POLICY probe_restrictive ON visit_record AS RESTRICTIVE FOR SELECT USING (true)`.execute(d.db);
    try {
      await expect(distributeForCitus(d.pool)).rejects.toThrow(/restrictive policies.*visit_record\.probe_restrictive/);
    } finally {
      await sql`DROP POLICY probe_restrictive ON visit_record`.execute(d.db);
    }
    expect(await distributeForCitus(d.pool)).toBe(true);
  });

  it('says why each remaining large table stays on the coordinator', async () => {
    const blockers = new Map((await citusBlockers(d.pool)).map((b) => [b.table, b.reasons.join('; ')]));
    expect(blockers.get('entity')).toMatch(/row triggers .*entity_history/);
    expect(blockers.get('entity')).toMatch(/unique keys without county_code .*entity_uscc_key/);
    expect(blockers.get('entity_person')).toMatch(/no county_code column/);
    expect(blockers.has('sanliang_plaque_counter')).toBe(false);
  });

  it('holds every other table as a Citus local table: on the coordinator, in the metadata, none left out', async () => {
    const state = await citusState(d.pool);
    expect(state.local).toEqual(expect.arrayContaining(['entity', 'person', 'member', 'change_log', 'audit_log']));
    const outside = await sql<{ t: string }>`
      SELECT c.relname::text AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname <> 'schema_migration'
        AND NOT EXISTS (SELECT 1 FROM pg_dist_partition p WHERE p.logicalrelid = c.oid) AND NOT relation_is_a_known_shard(c.oid)`.execute(
      d.db,
    );
    expect(outside.rows).toEqual([]);
  });

  // The case group is distributed by county_code; its tally is kept by the statement triggers of
  // discovery_case (0246), which run on the shards (citus.enable_unsafe_triggers) and write the
  // tally rows of the same county, on the same worker. A case keeps the county it was raised in
  // when its scope moves to another county: the tally follows the scope, on the case's shard.
  it('keeps the case tally on the shards: a bulk insert over two counties, a state change, a move to another county, a delete', async () => {
    const state = await citusState(d.pool);
    expect(state.distributed.map((t) => t.table)).toEqual(
      expect.arrayContaining(['discovery_case', 'case_event', 'discovery_case_tally']),
    );
    await sql`INSERT INTO discovery_case (kind, scope_key, county_code, evidence, evidence_hash)
      SELECT 'self_report', k, left(k, 6), '{}', 'probe' FROM unnest(ARRAY['320102', '320102', '3201040101', '320104']) k`.execute(
      d.db,
    );
    await sql`UPDATE discovery_case SET state = 'dismissed' WHERE scope_key = '320104'`.execute(d.db);
    await sql`UPDATE discovery_case SET scope_key = '320105' WHERE scope_key = '3201040101'`.execute(d.db);
    await sql`DELETE FROM discovery_case WHERE id = (SELECT min(id) FROM discovery_case WHERE scope_key = '320102')`.execute(
      d.db,
    );
    const tally = await sql<{ scope_key: string; state: string; county_code: string; n: number }>`
      SELECT scope_key, state, county_code, n::int AS n FROM discovery_case_tally WHERE n <> 0 ORDER BY 1, 2`.execute(
      d.db,
    );
    expect(tally.rows).toEqual([
      { scope_key: '320102', state: 'open', county_code: '320102', n: 1 },
      { scope_key: '320104', state: 'dismissed', county_code: '320104', n: 1 },
      { scope_key: '320105', state: 'open', county_code: '320104', n: 1 },
    ]);
    await sql`DELETE FROM discovery_case WHERE evidence_hash = 'probe'`.execute(d.db);
  });

  // The coverage upkeep passed entity_coverage rows (whole-row references, arrays of its row type)
  // and the person upsert is a definer function with parameters: over Citus local tables they
  // failed ("xgz_coverage_rows(entity_coverage_…) does not exist", "could not create distributed
  // plan") until 0150 and 0151.
  it('keeps the coverage tallies and upserts people over Citus local tables', async () => {
    expect((await citusState(d.pool)).local).toEqual(
      expect.arrayContaining(['entity_coverage', 'coverage_tally', 'person', 'member_link']),
    );
    const l = ledger(d.db);
    const first = await l.entity({ place: '320102' });
    await l.entity({ place: '320102', kind: 'individual' });
    await sql`UPDATE entity SET status = 'deregistered' WHERE id = ${first}`.execute(d.db);
    const tally = await sql<{ dim: string; value: string; operating: number }>`
      SELECT dim, value, operating FROM coverage_tally WHERE scope_key = '320102' AND dim IN ('all', 'kind') AND operating <> 0
      ORDER BY 1, 2`.execute(d.db);
    expect(tally.rows).toEqual([
      { dim: 'all', value: '', operating: 1 },
      { dim: 'kind', value: 'individual', operating: 1 },
    ]);
    const upsert = (name: string) =>
      sql<{ bi: string; old_name: string | null }>`SELECT bi, old_name FROM xgz_person_upsert(
        ARRAY['probe-bi'], ARRAY['enc'], ARRAY[${name}]::text[], ARRAY['1980-01-01']::date[], ARRAY['male'], ARRAY[NULL]::text[], ARRAY[NULL]::text[])`
        .execute(d.db)
        .then((r) => r.rows);
    expect(await upsert('张三')).toEqual([{ bi: 'probe-bi', old_name: null }]);
    expect(await upsert('张三丰')).toEqual([{ bi: 'probe-bi', old_name: '张三' }]);
  });
});

// The jurisdiction tree is a reference table on the cluster: a copy on every node. A county's
// scoped requests write it (a station, under the tree's row-level policies) and read it there.
describe.runIf(BACKENDS.includes('citus'))('the jurisdiction tree as a Citus reference table', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp('citus');
  });
  afterAll(() => t?.close());

  it("is copied to every node, and a county's scoped requests write and read it in their scope", async () => {
    const placed = await sql<{ type: string; nodes: number }>`
      SELECT t.citus_table_type AS type, (SELECT count(DISTINCT s.nodeport)::int FROM citus_shards s WHERE s.table_name = t.table_name) AS nodes
      FROM citus_tables t WHERE t.table_name = 'jurisdiction'::regclass`.execute(t.db);
    expect(placed.rows).toEqual([{ type: 'reference', nodes: 3 }]);
    const c = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: '320102' }));
    const station = { countyCode: '320102', suffix: '001', name: '梅园新村市场监管所', servedAreas: ['梅园新村街道'] };
    expect((await c.post('/stations', station)).statusCode).toBe(201);
    // The row the request wrote is in every node's copy.
    const copies = await sql<{ result: string }>`SELECT result FROM run_command_on_placements('jurisdiction',
      $$SELECT count(*) FROM %s WHERE code = '320102001'$$) ORDER BY nodeport`.execute(t.db);
    expect(copies.rows.map((r) => r.result)).toEqual(['1', '1', '1']);
    const children = await c.get('/jurisdictions/320102/children');
    expect(children.statusCode).toBe(200);
    expect(children.json<{ code: string }[]>().map((n) => n.code)).toEqual(['320102001']);
    expect((await c.get('/jurisdictions/320000')).statusCode).toBe(200); // a node above is visible
    // Another county is outside the scope: not visible, and no station may be put there.
    expect((await c.get('/jurisdictions/320104')).statusCode).toBe(404);
    expect((await c.post('/stations', { ...station, countyCode: '320104' })).statusCode).toBe(404);
    const other = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM jurisdiction WHERE parent_code = '320104'`.execute(t.db);
    expect(other.rows[0].n).toBe(0);
  });
});
