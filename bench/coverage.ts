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
import { sql } from 'kysely';
import { loadCandidates } from '../src/features/orgs/queries.js';
import { generateProposals } from '../src/features/orgs/writes.js';
import { recomputeTally } from '../src/features/coverage/queries.js';
import { jointUpperBound } from '../src/domain/orgs/grouping.js';
import { ruleSettings } from '../src/domain/settings/settings.js';
import { arg, scratchDatabase } from './_scratch.js';
import { generateLedger } from './_ledger.js';
import { ms, quantile, signedInApp, timeGet } from './_api.js';

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
    const orgs = await sql<{
      mode: string;
      n: number;
      units: number;
    }>`SELECT o.setup_mode AS mode, count(DISTINCT o.id)::int AS n, count(pe.entity_id)::int AS units FROM party_org o LEFT JOIN party_org_entity pe ON pe.org_id = o.id GROUP BY 1`.execute(
      db,
    );
    console.log(
      `organizations: ${orgs.rows.map((o) => `${o.mode} ${o.n.toLocaleString()} covering ${o.units.toLocaleString()}`).join(', ')}`,
    );
    console.log(
      `[${database.kind}] ${entities.toLocaleString()} entities in ${counties.length} counties written in ${loadS.toFixed(1)} s; coverage rebuilt from scratch in ${rebuildS.toFixed(1)} s`,
    );

    // (a) the API, as a nation-level viewer sees it.
    const { app, cookie } = await signedInApp(ctx, db);
    const county = counties[0];
    const me: number[] = [];
    for (let i = 0; i < runs; i++) {
      const s = performance.now();
      await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } });
      me.push(performance.now() - s);
    }
    console.log(`  (a signed-in request that reads nothing, GET /auth/me: p50 ${ms(quantile(me, 0.5))} ms)`);
    const nodes = [
      ['nation', '000000', ''],
      ['province', `${county.slice(0, 2)}0000`, county.slice(0, 2)],
      ['county', county, county],
      ['station', `${county}001`, `${county}001`],
    ] as const;
    const results: Record<string, { p50: number; p95: number; naive: number }> = {};
    for (const [level, code, key] of nodes) {
      const { p50, p95, body } = await timeGet(app, cookie, `/api/v1/coverage?under=${code}`, runs);
      const naive: number[] = [];
      let recomputed: Awaited<ReturnType<typeof recomputeTally>> | null = null;
      for (let i = 0; i < Math.max(3, Math.min(runs, 10)); i++) {
        const s = performance.now();
        recomputed = await recomputeTally(db, key);
        naive.push(performance.now() - s);
      }
      if (!recomputed) throw new Error(`${level}: no recompute ran`);
      const api = JSON.parse(body).total;
      if (api.operating !== recomputed.operating || api.anyOrg !== recomputed.anyOrg || api.work !== recomputed.work)
        throw new Error(`${level}: kept figures differ from the recompute`);
      results[level] = { p50, p95, naive: quantile(naive, 0.5) };
      console.log(
        `  ${level.padEnd(8)} ${code}: API p50 ${ms(results[level].p50)} ms  p95 ${ms(results[level].p95)} ms   naive GROUP BY recompute p50 ${ms(results[level].naive)} ms   (operating ${api.operating.toLocaleString()}, org coverage ${(api.orgCoverage * 100).toFixed(1)}%)`,
      );
    }
    // One change (an organization established) and how long until the station's figure has it.
    const org = await db
      .selectFrom('party_org')
      .select(['id', 'station_code'])
      .where('status', '=', 'preparing')
      .where('station_code', 'is not', null)
      .executeTakeFirst();
    if (org) {
      const station = `/api/v1/coverage?under=${org.station_code}`;
      const before = (await app.inject({ method: 'GET', url: station, headers: { cookie } })).json().total.anyOrg;
      const s = performance.now();
      await db
        .updateTable('party_org')
        .set({ status: 'established', founded_on: '2026-11-01' })
        .where('id', '=', org.id)
        .execute();
      const after = (await app.inject({ method: 'GET', url: station, headers: { cookie } })).json().total.anyOrg;
      console.log(
        `  a change (organization established): station figure ${before} → ${after} in ${ms(performance.now() - s)} ms, update included`,
      );
    }
    await app.close();

    // (b) proposals for everything.
    const rules = ruleSettings.parse({});
    const p0 = performance.now();
    const generated = await db.transaction().execute((tx) => generateProposals(tx, '', rules));
    const proposalsS = (performance.now() - p0) / 1000;
    const bound = jointUpperBound(await loadCandidates(db, ''), rules);
    const { rows } = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM org_proposal_entity pe JOIN org_proposal p ON p.id = pe.proposal_id WHERE p.mode IN ('zone', 'joint', 'station')`.execute(
      db,
    );
    const share = bound.candidates ? rows[0].n / bound.candidates : 0;
    const upper = bound.candidates ? bound.bound / bound.candidates : 0;
    console.log(
      `proposals: ${generated.proposals.toLocaleString()} for ${generated.candidates.toLocaleString()} entities without an organization in ${proposalsS.toFixed(1)} s (${JSON.stringify(generated.counts)})`,
    );
    console.log(
      `joint placement: ${rows[0].n.toLocaleString()} of ${bound.candidates.toLocaleString()} entities with 1–2 full members placed in joint branches = ${share.toFixed(3)}; upper bound from the members available per county ${upper.toFixed(3)}`,
    );
    const pg = database.kind === 'postgres';
    const p95 = Math.max(...Object.values(results).map((r) => r.p95));
    const naiveRatio = results.nation.naive / results.nation.p50;
    console.log(
      `worst API p95 ${ms(p95)} ms; the nation's naive recompute takes ${naiveRatio.toFixed(1)}× the kept figure's API call`,
    );
    console.log(
      `RESULT coverage entities=${entities} ${pg ? 'pg' : 'pglite'}_p95_ms=${ms(p95)} naive_ratio=${naiveRatio.toFixed(1)} proposals_s=${proposalsS.toFixed(1)} joint_share=${share.toFixed(3)} joint_upper_bound=${upper.toFixed(3)}`,
    );
  } finally {
    await drop();
  }
}

await main();
