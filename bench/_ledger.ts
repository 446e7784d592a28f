/**
 * The synthetic ledger the coverage and dashboard benchmarks share: N entities over 16 counties
 * of 2 provinces with 12 stations a county, written with set-based SQL, triggers off.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../src/db/schema.js';
import type { scratchDatabase } from './_scratch.js';

export const PROVINCES = ['32', '33'];
/** A deterministic pseudo-random percentage (0–99) of an SQL integer expression, one stream per salt. */
export const pct = (x: string, salt: number) => sql.raw(`(abs(hashint8((${x})::bigint * 1000 + ${salt})) % 100)`);

/**
 * Writes the synthetic ledger with the coverage triggers off (a bulk load; the rebuild after it
 * is timed): per entity a legal representative; 12% with 1–6 roster members (a quarter of them
 * probationary) found in their roles; 8% declaring members; 30% in one of 20 zones a county; a
 * standalone organization for most entities with ≥ 3 full members (a tenth of them 筹建); joint
 * organizations over some zones; liaisons in 5%.
 */
export async function generateLedger(
  pool: Awaited<ReturnType<typeof scratchDatabase>>['database']['db'],
  n: number,
): Promise<string[]> {
  // One connection throughout: the trigger switch and the temporary table belong to a session.
  return pool.connection().execute(async (db) => {
    const all = (
      await db
        .selectFrom('jurisdiction')
        .select('code')
        .where('level', '=', 'county')
        .where(sql<boolean>`left(code, 2) IN (${sql.join(PROVINCES)})`)
        .orderBy('code')
        .execute()
    ).map((c) => c.code);
    const counties = PROVINCES.flatMap((p) =>
      all
        .filter((c) => c.startsWith(p))
        .filter((_, i) => i % 6 === 0)
        .slice(0, 8),
    );
    await sql`SET session_replication_role = replica`.execute(db);
    await sql`INSERT INTO jurisdiction (code, parent_code, level, name, scope_key)
    SELECT c || lpad(s::text, 3, '0'), c, 'station', '第' || s || '所', c || lpad(s::text, 3, '0') FROM unnest(${counties}::text[]) c, generate_series(1, 12) s`.execute(
      db,
    );
    await sql`INSERT INTO zone (kind, name, county_code, station_code, scope_key)
    SELECT (ARRAY['building','market','park','district'])[1 + z % 4], c || '区域' || z, c, c || lpad((1 + z % 12)::text, 3, '0'), c
    FROM unnest(${counties}::text[]) c, generate_series(1, 20) z`.execute(db);
    await sql`INSERT INTO entity (kind, reg_no, name, status, registered_on, county_code, station_code, scope_key, industry_section)
    SELECT (ARRAY['individual','individual','enterprise','cooperative'])[1 + (i * 7) % 4], (100000000000000 + i)::text, '主体' || i,
      CASE WHEN i % 20 = 0 THEN 'deregistered' ELSE 'active' END, date '2026-11-01' - (i * 37 % 7000),
      cc, cc || lpad((1 + (i / 16) % 12)::text, 3, '0'), cc || lpad((1 + (i / 16) % 12)::text, 3, '0'), chr(65 + (i * 13) % 20)
    FROM generate_series(1, ${n}) i, LATERAL (SELECT (${counties}::text[])[1 + i % ${counties.length}] AS cc) x`.execute(
      db,
    );
    await sql`INSERT INTO entity_zone (entity_id, zone_id, scope_key)
    SELECT e.id, z.id, e.scope_key FROM entity e JOIN zone z ON z.county_code = e.county_code AND z.name = e.county_code || '区域' || (1 + ${pct('e.id', 7)} % 20) WHERE ${pct('e.id', 6)} < 30`.execute(
      db,
    );
    await sql`INSERT INTO person (name) SELECT '人' || i FROM generate_series(1, ${n}) i`.execute(db);
    await sql`INSERT INTO entity_person (entity_id, person_id, role, scope_key) SELECT e.id, e.id, 'legal_rep', e.scope_key FROM entity e`.execute(
      db,
    );
    // Members: 12% of entities hold 1–6 (mostly 1–2, as in the ledger); a quarter probationary.
    await sql`CREATE TEMP TABLE bench_member AS
    SELECT e.id AS entity_id, e.scope_key, k, row_number() OVER () AS rn FROM entity e, generate_series(1, 1 + ${pct('e.id', 1)} / 55 + ${pct('e.id', 2)} / 93 * 4) k WHERE ${pct('e.id', 3)} < 12`.execute(
      db,
    );
    await sql`CREATE INDEX ON bench_member (entity_id)`.execute(db);
    await sql`INSERT INTO person (name) SELECT '党员' || rn FROM bench_member ORDER BY rn`.execute(db);
    await sql`INSERT INTO entity_person (entity_id, person_id, role, scope_key) SELECT b.entity_id, ${n} + b.rn, 'employee', b.scope_key FROM bench_member b`.execute(
      db,
    );
    await sql`INSERT INTO member (person_id, membership, scope_key, confidence, sources) SELECT ${n} + b.rn, CASE WHEN b.rn % 4 = 0 THEN 'probationary' ELSE 'full' END, b.scope_key, 'confirmed', '{roster}' FROM bench_member b`.execute(
      db,
    );
    await sql`INSERT INTO member_link (member_id, entity_person_id, entity_id, method, score, scope_key)
    SELECT m.id, ep.id, ep.entity_id, 'exact', 99, ep.scope_key FROM member m JOIN entity_person ep ON ep.person_id = m.person_id`.execute(
      db,
    );
    await sql`INSERT INTO annual_report (entity_id, year, scope_key, party_members) SELECT e.id, 2025, e.scope_key, 1 + e.id % 3 FROM entity e WHERE ${pct('e.id', 4)} < 8`.execute(
      db,
    );
    await sql`INSERT INTO entity_person (entity_id, person_id, role, scope_key) SELECT e.id, e.id, 'liaison', e.scope_key FROM entity e WHERE ${pct('e.id', 5)} < 5`.execute(
      db,
    );
    // Organizations: standalone for 80% of entities with ≥ 3 full members; joint ones over a quarter of the zones.
    await sql`INSERT INTO party_org (name, kind, setup_mode, county_code, station_code, scope_key, status, founded_on)
    SELECT e.name || '党支部', 'branch', 'standalone', e.county_code, e.station_code, e.scope_key, CASE WHEN e.id % 10 = 1 THEN 'preparing' ELSE 'established' END, CASE WHEN e.id % 10 = 1 THEN NULL ELSE date '2020-07-01' END
    FROM entity e JOIN (SELECT entity_id FROM bench_member WHERE rn % 4 <> 0 GROUP BY entity_id HAVING count(*) >= 3) f ON f.entity_id = e.id WHERE e.id % 5 <> 0`.execute(
      db,
    );
    await sql`INSERT INTO party_org_entity (org_id, entity_id, scope_key) SELECT o.id, e.id, o.scope_key FROM party_org o JOIN entity e ON e.county_code = o.county_code AND e.name || '党支部' = o.name`.execute(
      db,
    );
    await sql`INSERT INTO party_org (name, kind, setup_mode, county_code, station_code, scope_key, zone_id, status, founded_on)
    SELECT z.name || '联合党支部', 'joint_branch', 'zone', z.county_code, z.station_code, z.station_code, z.id, 'established', date '2022-07-01' FROM zone z WHERE z.id % 4 = 0`.execute(
      db,
    );
    await sql`INSERT INTO party_org_entity (org_id, entity_id, scope_key)
    SELECT o.id, x.entity_id, o.scope_key FROM party_org o CROSS JOIN LATERAL (
      SELECT ez.entity_id FROM entity_zone ez WHERE ez.zone_id = o.zone_id AND EXISTS (SELECT 1 FROM bench_member b WHERE b.entity_id = ez.entity_id)
        AND NOT EXISTS (SELECT 1 FROM party_org_entity pe WHERE pe.entity_id = ez.entity_id) ORDER BY ez.entity_id LIMIT 5) x
    WHERE o.setup_mode = 'zone'`.execute(db);
    await sql`SET session_replication_role = DEFAULT`.execute(db);
    await sql`DROP TABLE bench_member`.execute(db);
    await sql`SELECT xgz_member_tally_rebuild()`.execute(db); // the roster and found tallies, after the load with triggers off
    return counties;
  });
}

/**
 * What the coverage ledger lacks for the other sources, set-based: an instructor per station
 * (one in ten inactive) assigned to 2% of its entities; cases for 3% of entities (a third still
 * open); 三亮 records for a third of found members (a tenth withdrawn), each active one with a plaque.
 */
export async function addWorkLedgers(db: Kysely<DB>) {
  await db.connection().execute(async (c) => {
    await sql`SET session_replication_role = replica`.execute(c);
    await sql`INSERT INTO person (name) SELECT '指导员' || j.code FROM jurisdiction j WHERE j.level = 'station'`.execute(
      c,
    );
    await sql`INSERT INTO instructor (person_id, source, county_code, station_code, scope_key, status)
      SELECT p.id, 'station', j.parent_code, j.code, j.code, CASE WHEN p.id % 10 = 0 THEN 'inactive' ELSE 'active' END
      FROM jurisdiction j JOIN person p ON p.name = '指导员' || j.code WHERE j.level = 'station'`.execute(c);
    await sql`INSERT INTO instructor_assignment (instructor_id, target, entity_id, start_on, scope_key)
      SELECT i.id, 'entity', e.id, date '2026-01-01', i.scope_key FROM entity e JOIN instructor i ON i.scope_key = e.scope_key WHERE ${pct('e.id', 8)} < 2`.execute(
      c,
    );
    await sql`INSERT INTO discovery_case (kind, entity_id, scope_key, county_code, state, evidence, evidence_hash)
      SELECT 'entity_without_org', e.id, e.scope_key, left(e.scope_key, 6), (ARRAY['open','confirmed','dismissed'])[1 + e.id % 3], '{}', e.id::text FROM entity e WHERE ${pct('e.id', 9)} < 3
      ON CONFLICT DO NOTHING`.execute(c); // beside the cases a discovery run raised (the province benchmark)
    await sql`INSERT INTO sanliang (kind, member_id, entity_id, county_code, scope_key, duties, commitment, shown_on, status, withdrawn_on)
      SELECT 'member_operator', l.member_id, l.entity_id, e.county_code, e.scope_key, '职责', '承诺', date '2026-01-01',
        CASE WHEN l.member_id % 10 = 0 THEN 'withdrawn' ELSE 'active' END, CASE WHEN l.member_id % 10 = 0 THEN date '2026-06-01' END
      FROM member_link l JOIN entity e ON e.id = l.entity_id WHERE ${pct('l.member_id', 10)} < 33`.execute(c);
    await sql`INSERT INTO sanliang_plaque (number, record_id, scope_key, issued_on)
      SELECT s.county_code || '-' || lpad(s.id::text, 8, '0'), s.id, s.scope_key, s.shown_on FROM sanliang s WHERE s.status = 'active'`.execute(
      c,
    );
    await sql`SET session_replication_role = DEFAULT`.execute(c);
    await sql`SELECT xgz_state_tally_rebuild()`.execute(c); // the open-case and plaque tallies (migration 0045), after the load with triggers off
  });
}

/**
 * The case engine's and the work loop's rows (set-based, triggers off): M riders' appeals over the
 * counties' stations in every state (some overdue and escalated), 40 tasks and notices per county
 * to its stations in every state, term ends for a tenth of the organizations, honours nominated
 * for 1% of entities.
 */
export async function addCaseLedger(db: Kysely<DB>, counties: string[], cases: number) {
  await db.connection().execute(async (c) => {
    await sql`SET session_replication_role = replica`.execute(c);
    await sql`
      INSERT INTO appeal_case (door, category, content, county_code, unit_kind, unit_code, scope_key, raised_key, state, step_started_at, due_at, escalation_level, escalated_key,
        public_reply, resolved_at, created_at, updated_at)
      SELECT 'rider', 'parking', '基准诉求 ' || i, cc, 'station', st_code, st_code, st_code, st, created, CASE WHEN st IN ('routed','accepted','handling') THEN created + interval '1 day' * CASE WHEN st = 'routed' THEN 2 ELSE 15 END END,
        CASE WHEN i % 50 = 0 AND st <> 'closed' THEN 1 ELSE 0 END, CASE WHEN i % 50 = 0 AND st <> 'closed' THEN cc END,
        CASE WHEN st = 'closed' THEN '已办结' END, CASE WHEN st = 'closed' THEN created + interval '1 day' END, created, created
      FROM generate_series(1::bigint, ${cases}) i,
        LATERAL (SELECT (${counties}::text[])[1 + i % ${counties.length}] AS cc, now() - interval '1 minute' * ((i * 7919) % 525600) AS created,
                        (ARRAY['closed','closed','closed','closed','closed','closed','closed','handling','accepted','routed'])[1 + (i / 10) % 10] AS st) a,
        LATERAL (SELECT cc || lpad((1 + (i / 16) % 12)::text, 3, '0') AS st_code) b`.execute(c);
    // Tasks and notices: 40 per county to each of its 12 stations, targets in every state.
    await sql`
      INSERT INTO deployment (kind, title, body, issuer_code, scope_key, receipt_required, due_at, created_by_name, created_at)
      SELECT CASE WHEN k % 4 = 0 THEN 'notice' ELSE 'task' END, '基准任务 ' || c || '-' || k, '要求', c, c, true,
        CASE WHEN k % 4 = 0 THEN NULL ELSE now() + interval '1 day' * (k - 20) END, '基准', now() - interval '1 day' * (40 - k)
      FROM unnest(${counties}::text[]) c, generate_series(1, 40) k`.execute(c);
    await sql`
      INSERT INTO deployment_target (deployment_id, node_code, scope_key, state, received_at, replied_at, reply_text, return_reason)
      SELECT d.id, j.code, j.scope_key, s, CASE WHEN s <> 'pending' THEN now() END, CASE WHEN s IN ('replied','returned') THEN now() END,
        CASE WHEN s IN ('replied','returned') THEN '已办' END, CASE WHEN s = 'returned' THEN '请补充' END
      FROM deployment d JOIN jurisdiction j ON j.parent_code = d.issuer_code AND j.level = 'station',
        LATERAL (SELECT CASE WHEN d.kind = 'notice' THEN (ARRAY['pending','received'])[1 + (d.id + length(j.code)) % 2]
                             ELSE (ARRAY['pending','received','replied','replied','returned'])[1 + (d.id * 7 + right(j.code, 2)::int) % 5] END AS s) x`.execute(
      c,
    );
    // Term ends within the half year for a tenth of the organizations; honours nominated for 1% of entities.
    await sql`INSERT INTO party_org_officer (org_id, person_id, role, term_start, term_end, scope_key)
      SELECT o.id, 1 + o.id % 1000, 'secretary', date '2021-06-01', CASE WHEN o.id % 10 = 0 THEN current_date + 30 ELSE current_date + 900 END, o.scope_key FROM party_org o`.execute(
      c,
    );
    await sql`INSERT INTO honour (kind, entity_id, subject_name, state, nominated_on, scope_key)
      SELECT 'honest_enterprise', e.id, e.name, 'nominated', current_date, e.scope_key FROM entity e WHERE e.id % 100 = 0`.execute(
      c,
    );
    await sql`SET session_replication_role = DEFAULT`.execute(c);
    await sql`SELECT xgz_state_tally_rebuild()`.execute(c); // the honours' tally (migration 0050), after the load with triggers off
  });
}

/**
 * Organizations over a ledger whose members were found by discovery (the province benchmark): a
 * standalone branch for 80% of the operating entities with ≥ 3 full members linked (a tenth 筹建),
 * and joint branches over a quarter of the zones, each taking up to 5 entities with linked members
 * and no organization. Set-based, triggers off; the coverage rebuild comes after.
 */
export async function addOrgLedger(db: Kysely<DB>) {
  await db.connection().execute(async (c) => {
    await sql`SET session_replication_role = replica`.execute(c);
    await sql`CREATE TEMP TABLE b_org AS
      SELECT nextval('party_org_id_seq') AS org_id, e.id, e.name, e.county_code, e.station_code, e.scope_key FROM entity e
      JOIN (SELECT l.entity_id FROM member_link l JOIN member m ON m.id = l.member_id WHERE m.membership = 'full' GROUP BY l.entity_id HAVING count(*) >= 3) f ON f.entity_id = e.id
      WHERE e.status = 'active' AND e.id % 5 <> 0`.execute(c);
    await sql`INSERT INTO party_org (id, name, kind, setup_mode, county_code, station_code, scope_key, status, founded_on)
      SELECT org_id, name || '党支部', 'branch', 'standalone', county_code, station_code, scope_key, CASE WHEN id % 10 = 1 THEN 'preparing' ELSE 'established' END, CASE WHEN id % 10 = 1 THEN NULL ELSE date '2020-07-01' END FROM b_org`.execute(
      c,
    );
    await sql`INSERT INTO party_org_entity (org_id, entity_id, scope_key) SELECT org_id, id, scope_key FROM b_org`.execute(
      c,
    );
    await sql`DROP TABLE b_org`.execute(c);
    await sql`INSERT INTO party_org (name, kind, setup_mode, county_code, station_code, scope_key, zone_id, status, founded_on)
      SELECT z.name || '联合党支部', 'joint_branch', 'zone', z.county_code, z.station_code, z.scope_key, z.id, 'established', date '2022-07-01' FROM zone z WHERE z.id % 4 = 0`.execute(
      c,
    );
    await sql`INSERT INTO party_org_entity (org_id, entity_id, scope_key)
      SELECT o.id, x.entity_id, o.scope_key FROM party_org o CROSS JOIN LATERAL (
        SELECT ez.entity_id FROM entity_zone ez WHERE ez.zone_id = o.zone_id AND EXISTS (SELECT 1 FROM member_link l WHERE l.entity_id = ez.entity_id)
          AND NOT EXISTS (SELECT 1 FROM party_org_entity pe WHERE pe.entity_id = ez.entity_id) ORDER BY ez.entity_id LIMIT 5) x
      WHERE o.setup_mode = 'zone'`.execute(c);
    await sql`SET session_replication_role = DEFAULT`.execute(c);
  });
}
