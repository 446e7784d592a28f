/**
 * Coverage benchmark. A synthetic ledger of N entities over 16 counties of 2 provinces with
 * 12 stations a county, written with set-based SQL (zones, roles, roster members linked to
 * entities, declared members, standalone and joint organizations, liaisons), then:
 *  (a) GET /api/v1/coverage through the real app (session, scope, RLS) for the nation, a
 *      province, a county and a station: p50/p95, beside a naive GROUP BY recompute of the same
 *      figure from the ledger in the same run; plus one ledger change and the time until the
 *      figure shows it;
 *  (b) setup proposals for the whole data set: seconds, and the share of 1–2-member entities
 *      placed in joint branches beside an upper bound computed from the data.
 * Usage: npm run bench -- coverage [--entities N] [--runs R]   (PostgreSQL with DATABASE_URL, else PGlite)
 */
import crypto from 'node:crypto';
import { sql } from 'kysely';
import { buildApp } from '../src/server.js';
import { hashPassword } from '../src/crypto/password.js';
import { generateProposals, loadCandidates } from '../src/features/orgs/proposals.js';
import { recomputeTally } from '../src/features/coverage/queries.js';
import { jointUpperBound } from '../src/domain/orgs/grouping.js';
import { ruleSettings } from '../src/domain/settings/settings.js';
import { arg, scratchDatabase } from './_scratch.js';

const PROVINCES = ['32', '33'];
/** A deterministic pseudo-random percentage (0–99) of an SQL integer expression, one stream per salt. */
const pct = (x: string, salt: number) => sql.raw(`(abs(hashint8((${x})::bigint * 1000 + ${salt})) % 100)`);
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
const ms = (x: number) => x.toFixed(1);

async function main() {
  const entities = Number(arg('entities', '1000000'));
  const runs = Number(arg('runs', '40'));
  const { database, ctx, drop } = await scratchDatabase('cov');
  const db = database.db;
  try {
    const t0 = performance.now();
    const counties = await generateLedger(db, entities);
    const loadS = (performance.now() - t0) / 1000;
    const r0 = performance.now();
    await sql`SELECT xgz_coverage_rebuild()`.execute(db);
    const rebuildS = (performance.now() - r0) / 1000;
    await sql`VACUUM ANALYZE`.execute(db); // settle the bulk load, so autovacuum does not run during the timings
    const orgs = await sql<{ mode: string; n: number; units: number }>`SELECT o.setup_mode AS mode, count(DISTINCT o.id)::int AS n, count(pe.entity_id)::int AS units FROM party_org o LEFT JOIN party_org_entity pe ON pe.org_id = o.id GROUP BY 1`.execute(db);
    console.log(`organizations: ${orgs.rows.map((o) => `${o.mode} ${o.n.toLocaleString()} covering ${o.units.toLocaleString()}`).join(', ')}`);
    console.log(`[${database.kind}] ${entities.toLocaleString()} entities in ${counties.length} counties written in ${loadS.toFixed(1)} s; coverage rebuilt from scratch in ${rebuildS.toFixed(1)} s`);

    // (a) the API, as a nation-level viewer sees it.
    const app = await buildApp(ctx, { webDist: null, logStream: { write: () => true } as never });
    const password = `Pw-${crypto.randomBytes(6).toString('hex')}A`;
    await db.insertInto('app_user').values({ username: 'bench', display_name: '基准', jurisdiction_code: '000000', scope_key: '', roles: ['viewer'], password_hash: await hashPassword(password, 1000), must_change_password: false }).execute();
    const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'bench', password } });
    const cookie = String(login.headers['set-cookie']).split(';')[0];
    const county = counties[0];
    const me: number[] = [];
    for (let i = 0; i < runs; i++) {
      const s = performance.now();
      await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } });
      me.push(performance.now() - s);
    }
    console.log(`  (a signed-in request that reads nothing, GET /auth/me: p50 ${ms(quantile(me, 0.5))} ms)`);
    const nodes = [['nation', '000000', ''], ['province', `${county.slice(0, 2)}0000`, county.slice(0, 2)], ['county', county, county], ['station', `${county}001`, `${county}001`]] as const;
    const results: Record<string, { p50: number; p95: number; naive: number }> = {};
    for (const [level, code, key] of nodes) {
      const times: number[] = [];
      let body = '';
      for (let i = 0; i < runs + 3; i++) {
        const s = performance.now();
        const res = await app.inject({ method: 'GET', url: `/api/v1/coverage?under=${code}`, headers: { cookie } });
        if (i >= 3) times.push(performance.now() - s); // the first calls warm caches and the plan
        body = res.body;
        if (res.statusCode !== 200) throw new Error(`${level}: ${res.statusCode} ${res.body}`);
      }
      const naive: number[] = [];
      let recomputed = null;
      for (let i = 0; i < Math.max(3, Math.min(runs, 10)); i++) {
        const s = performance.now();
        recomputed = await recomputeTally(db, key);
        naive.push(performance.now() - s);
      }
      const api = JSON.parse(body).total;
      if (api.operating !== recomputed!.operating || api.anyOrg !== recomputed!.anyOrg || api.work !== recomputed!.work) throw new Error(`${level}: kept figures differ from the recompute`);
      results[level] = { p50: quantile(times, 0.5), p95: quantile(times, 0.95), naive: quantile(naive, 0.5) };
      console.log(`  ${level.padEnd(8)} ${code}: API p50 ${ms(results[level].p50)} ms  p95 ${ms(results[level].p95)} ms   naive GROUP BY recompute p50 ${ms(results[level].naive)} ms   (operating ${api.operating.toLocaleString()}, org coverage ${(api.orgCoverage * 100).toFixed(1)}%)`);
    }
    // One change (an organization established) and how long until the station's figure has it.
    const org = await db.selectFrom('party_org').select(['id', 'station_code']).where('status', '=', 'preparing').where('station_code', 'is not', null).executeTakeFirst();
    if (org) {
      const station = `/api/v1/coverage?under=${org.station_code}`;
      const before = (await app.inject({ method: 'GET', url: station, headers: { cookie } })).json().total.anyOrg;
      const s = performance.now();
      await db.updateTable('party_org').set({ status: 'established', founded_on: '2026-11-01' }).where('id', '=', org.id).execute();
      const after = (await app.inject({ method: 'GET', url: station, headers: { cookie } })).json().total.anyOrg;
      console.log(`  a change (organization established): station figure ${before} → ${after} in ${ms(performance.now() - s)} ms, update included`);
    }
    await app.close();

    // (b) proposals for everything.
    const rules = ruleSettings.parse({});
    const p0 = performance.now();
    const generated = await db.transaction().execute((tx) => generateProposals(tx, '', rules));
    const proposalsS = (performance.now() - p0) / 1000;
    const bound = jointUpperBound(await loadCandidates(db, ''), rules);
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM org_proposal_entity pe JOIN org_proposal p ON p.id = pe.proposal_id WHERE p.mode IN ('zone', 'joint', 'station')`.execute(db);
    const share = bound.candidates ? rows[0].n / bound.candidates : 0;
    const upper = bound.candidates ? bound.bound / bound.candidates : 0;
    console.log(`proposals: ${generated.proposals.toLocaleString()} for ${generated.candidates.toLocaleString()} entities without an organization in ${proposalsS.toFixed(1)} s (${JSON.stringify(generated.counts)})`);
    console.log(`joint placement: ${rows[0].n.toLocaleString()} of ${bound.candidates.toLocaleString()} entities with 1–2 full members placed in joint branches = ${share.toFixed(3)}; upper bound from the members available per county ${upper.toFixed(3)}`);
    const pg = database.kind === 'postgres';
    const p95 = Math.max(...Object.values(results).map((r) => r.p95));
    const naiveRatio = results.nation.naive / results.nation.p50;
    console.log(`worst API p95 ${ms(p95)} ms; the nation's naive recompute takes ${naiveRatio.toFixed(1)}× the kept figure's API call`);
    console.log(`RESULT coverage entities=${entities} ${pg ? 'pg' : 'pglite'}_p95_ms=${ms(p95)} naive_ratio=${naiveRatio.toFixed(1)} proposals_s=${proposalsS.toFixed(1)} joint_share=${share.toFixed(3)} joint_upper_bound=${upper.toFixed(3)}`);
  } finally {
    await drop();
  }
}

/**
 * Writes the synthetic ledger with the coverage triggers off (a bulk load; the rebuild after it
 * is timed): per entity a legal representative; 12% with 1–6 roster members (a quarter of them
 * probationary) found in their roles; 8% declaring members; 30% in one of 20 zones a county; a
 * standalone organization for most entities with ≥ 3 full members (a tenth of them 筹建); joint
 * organizations over some zones; liaisons in 5%.
 */
async function generateLedger(pool: Awaited<ReturnType<typeof scratchDatabase>>['database']['db'], n: number): Promise<string[]> {
  // One connection throughout: the trigger switch and the temporary table belong to a session.
  return pool.connection().execute(async (db) => {
  const all = (await db.selectFrom('jurisdiction').select('code').where('level', '=', 'county').where(sql<boolean>`left(code, 2) IN (${sql.join(PROVINCES)})`).orderBy('code').execute()).map((c) => c.code);
  const counties = PROVINCES.flatMap((p) => all.filter((c) => c.startsWith(p)).filter((_, i) => i % 6 === 0).slice(0, 8));
  await sql`SET session_replication_role = replica`.execute(db);
  await sql`INSERT INTO jurisdiction (code, parent_code, level, name, scope_key)
    SELECT c || lpad(s::text, 3, '0'), c, 'station', '第' || s || '所', c || lpad(s::text, 3, '0') FROM unnest(${counties}::text[]) c, generate_series(1, 12) s`.execute(db);
  await sql`INSERT INTO zone (kind, name, county_code, station_code, scope_key)
    SELECT (ARRAY['building','market','park','district'])[1 + z % 4], c || '区域' || z, c, c || lpad((1 + z % 12)::text, 3, '0'), c
    FROM unnest(${counties}::text[]) c, generate_series(1, 20) z`.execute(db);
  await sql`INSERT INTO entity (kind, reg_no, name, status, registered_on, county_code, station_code, scope_key, industry_section)
    SELECT (ARRAY['individual','individual','enterprise','cooperative'])[1 + (i * 7) % 4], (100000000000000 + i)::text, '主体' || i,
      CASE WHEN i % 20 = 0 THEN 'deregistered' ELSE 'active' END, date '2026-11-01' - (i * 37 % 7000),
      cc, cc || lpad((1 + (i / 16) % 12)::text, 3, '0'), cc || lpad((1 + (i / 16) % 12)::text, 3, '0'), chr(65 + (i * 13) % 20)
    FROM generate_series(1, ${n}) i, LATERAL (SELECT (${counties}::text[])[1 + i % ${counties.length}] AS cc) x`.execute(db);
  await sql`INSERT INTO entity_zone (entity_id, zone_id, scope_key)
    SELECT e.id, z.id, e.scope_key FROM entity e JOIN zone z ON z.county_code = e.county_code AND z.name = e.county_code || '区域' || (1 + ${pct('e.id', 7)} % 20) WHERE ${pct('e.id', 6)} < 30`.execute(db);
  await sql`INSERT INTO person (name) SELECT '人' || i FROM generate_series(1, ${n}) i`.execute(db);
  await sql`INSERT INTO entity_person (entity_id, person_id, role, scope_key) SELECT e.id, e.id, 'legal_rep', e.scope_key FROM entity e`.execute(db);
  // Members: 12% of entities hold 1–6 (mostly 1–2, as in the ledger); a quarter probationary.
  await sql`CREATE TEMP TABLE bench_member AS
    SELECT e.id AS entity_id, e.scope_key, k, row_number() OVER () AS rn FROM entity e, generate_series(1, 1 + ${pct('e.id', 1)} / 55 + ${pct('e.id', 2)} / 93 * 4) k WHERE ${pct('e.id', 3)} < 12`.execute(db);
  await sql`CREATE INDEX ON bench_member (entity_id)`.execute(db);
  await sql`INSERT INTO person (name) SELECT '党员' || rn FROM bench_member ORDER BY rn`.execute(db);
  await sql`INSERT INTO entity_person (entity_id, person_id, role, scope_key) SELECT b.entity_id, ${n} + b.rn, 'employee', b.scope_key FROM bench_member b`.execute(db);
  await sql`INSERT INTO member (person_id, membership, scope_key, confidence, sources) SELECT ${n} + b.rn, CASE WHEN b.rn % 4 = 0 THEN 'probationary' ELSE 'full' END, b.scope_key, 'confirmed', '{roster}' FROM bench_member b`.execute(db);
  await sql`INSERT INTO member_link (member_id, entity_person_id, entity_id, method, score, scope_key)
    SELECT m.id, ep.id, ep.entity_id, 'exact', 99, ep.scope_key FROM member m JOIN entity_person ep ON ep.person_id = m.person_id`.execute(db);
  await sql`INSERT INTO annual_report (entity_id, year, scope_key, party_members) SELECT e.id, 2025, e.scope_key, 1 + e.id % 3 FROM entity e WHERE ${pct('e.id', 4)} < 8`.execute(db);
  await sql`INSERT INTO entity_person (entity_id, person_id, role, scope_key) SELECT e.id, e.id, 'liaison', e.scope_key FROM entity e WHERE ${pct('e.id', 5)} < 5`.execute(db);
  // Organizations: standalone for 80% of entities with ≥ 3 full members; joint ones over a quarter of the zones.
  await sql`INSERT INTO party_org (name, kind, setup_mode, county_code, station_code, scope_key, status, founded_on)
    SELECT e.name || '党支部', 'branch', 'standalone', e.county_code, e.station_code, e.scope_key, CASE WHEN e.id % 10 = 1 THEN 'preparing' ELSE 'established' END, CASE WHEN e.id % 10 = 1 THEN NULL ELSE date '2020-07-01' END
    FROM entity e JOIN (SELECT entity_id FROM bench_member WHERE rn % 4 <> 0 GROUP BY entity_id HAVING count(*) >= 3) f ON f.entity_id = e.id WHERE e.id % 5 <> 0`.execute(db);
  await sql`INSERT INTO party_org_entity (org_id, entity_id, scope_key) SELECT o.id, e.id, o.scope_key FROM party_org o JOIN entity e ON e.county_code = o.county_code AND e.name || '党支部' = o.name`.execute(db);
  await sql`INSERT INTO party_org (name, kind, setup_mode, county_code, station_code, scope_key, zone_id, status, founded_on)
    SELECT z.name || '联合党支部', 'joint_branch', 'zone', z.county_code, z.station_code, z.station_code, z.id, 'established', date '2022-07-01' FROM zone z WHERE z.id % 4 = 0`.execute(db);
  await sql`INSERT INTO party_org_entity (org_id, entity_id, scope_key)
    SELECT o.id, x.entity_id, o.scope_key FROM party_org o CROSS JOIN LATERAL (
      SELECT ez.entity_id FROM entity_zone ez WHERE ez.zone_id = o.zone_id AND EXISTS (SELECT 1 FROM bench_member b WHERE b.entity_id = ez.entity_id)
        AND NOT EXISTS (SELECT 1 FROM party_org_entity pe WHERE pe.entity_id = ez.entity_id) ORDER BY ez.entity_id LIMIT 5) x
    WHERE o.setup_mode = 'zone'`.execute(db);
  await sql`SET session_replication_role = DEFAULT`.execute(db);
  await sql`DROP TABLE bench_member`.execute(db);
  return counties;
  });
}

await main();
