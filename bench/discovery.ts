/**
 * Discovery benchmark: generated entities with a hidden ground truth (which roster member is
 * which entity's owner; a fifth of roster members without a usable ID number, some names
 * written with homophones), imported through the real pipeline; then one discovery run.
 * Prints precision, recall and F1 of the links and of hidden-member cases beside an
 * exact-ID-only baseline, and the run's seconds beside a bare SQL hash join of the ID keys.
 * Usage: npm run bench -- discovery [--entities N] [--roles-per-entity R] [--member-share S] [--load sql]
 *   (PostgreSQL with DATABASE_URL, else PGlite)
 * --roles-per-entity R: each entity gets R−1 investors/employees with ID numbers besides its owner
 *   (default 1: the owner only); --member-share S: the share of those on the roster (default 0).
 * --load sql: the same generated rows written straight with COPY and set-based SQL instead of the
 *   import pipeline (PostgreSQL only; ledger history is not written, triggers are off during the
 *   load and the coverage tallies are rebuilt after it). Needed for R > 1: the registry template
 *   has no columns for investors and employees.
 * --reuse-database NAME: a database kept by an earlier run (XGZ_BENCH_KEEP=1) with the same
 *   options, on the server of DATABASE_URL: its discovery results are cleared (links, cases, members
 *   only declared) and the run measured again, without generating and loading again.
 */
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { runImportJob } from '../src/jobs/import/pipeline.js';
import { runDiscovery } from '../src/features/discovery/run.js';
import type { DemoOptions } from '../src/demo/ledger.js';
import { demoPlaces, writeDemoFiles } from '../src/demo/files.js';
import { arg, keptDatabase, scratchDatabase } from './_scratch.js';
import { groundTruth, loadWithSql } from './_discovery.js';
const COUNTIES = ['320102', '320104', '320105', '320106', '320111', '320113', '320114', '320115'];
const prf = (tp: number, predicted: number, truth: number) => {
  const p = predicted ? tp / predicted : 1;
  const r = truth ? tp / truth : 1;
  return { precision: p, recall: r, f1: p + r ? (2 * p * r) / (p + r) : 0 };
};
const f3 = (n: number) => n.toFixed(3);

async function main() {
  const entities = Number(arg('entities', '200000'));
  const seed = Number(arg('seed', '11'));
  const reuse = arg('reuse-database', '');
  const { database, ctx, dir, drop } = reuse ? await reusedDatabase(reuse) : await scratchDatabase('disc');
  try {
    const places = await demoPlaces(database.db, COUNTIES);
    const rolesPerEntity = Number(arg('roles-per-entity', '1'));
    const memberShare = Number(arg('member-share', '0'));
    const load = arg('load', 'pipeline');
    const opts: DemoOptions = {
      entities,
      seed,
      badShare: 0,
      places,
      today: new Date('2026-11-27'),
      ...(rolesPerEntity > 1 ? { rolesPerEntity, memberShare } : {}),
    };
    if (rolesPerEntity > 1 && load !== 'sql')
      throw new Error(
        '--roles-per-entity above 1 needs --load sql (the registry template names the owner and a liaison only)',
      );
    if (load === 'sql' && database.kind !== 'postgres') throw new Error('--load sql needs PostgreSQL (DATABASE_URL)');
    if (reuse) {
      console.log(
        `[${database.kind}] reusing database ${reuse} (${entities.toLocaleString()} entities, ${rolesPerEntity} roles each, member share ${memberShare}); discovery results cleared`,
      );
    } else if (load === 'sql') {
      console.log(
        `[${database.kind}] generating ${entities.toLocaleString()} entities (${rolesPerEntity} roles each, member share ${memberShare}) and loading them with COPY and SQL…`,
      );
      await loadWithSql(database, ctx, opts);
    } else {
      console.log(`[${database.kind}] generating and importing ${entities.toLocaleString()} entities…`);
      const files = await writeDemoFiles(dir, opts);
      for (const [kind, file] of [
        ['registry', files.registry],
        ['annual_report', files.annualReport],
        ['roster', files.roster],
      ] as const) {
        const job = await database.db
          .insertInto('import_job')
          .values({
            kind,
            file_name: path.basename(file),
            file_path: file,
            file_bytes: fs.statSync(file).size,
            scope_key: '',
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        const t0 = performance.now();
        await runImportJob(ctx, job.id, { batchSize: 10_000 });
        const j = await database.db
          .selectFrom('import_job')
          .selectAll()
          .where('id', '=', job.id)
          .executeTakeFirstOrThrow();
        console.log(
          `  ${kind}: ${j.rows_accepted.toLocaleString()} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s${j.rows_rejected ? `, ${j.rows_rejected} rejected` : ''}`,
        );
      }
    }

    const { truth, declared } = groundTruth(ctx, opts);

    const who = { userId: null, username: 'bench', scopeKey: '', ip: null };
    const run = await database.db
      .insertInto('discovery_run')
      .values({ scope_key: '' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const t0 = performance.now();
    const counts = await runDiscovery(ctx, who, run.id);
    const seconds = (performance.now() - t0) / 1000;
    const exactSeconds = counts.exactMs / 1000;
    const j0 = performance.now();
    await sql`SELECT count(*) FROM member m JOIN person p ON p.id = m.person_id JOIN person q ON q.id_bi = p.id_bi JOIN entity_person ep ON ep.person_id = q.id`.execute(
      database.db,
    );
    const joinSeconds = (performance.now() - j0) / 1000;

    const links = await sql<{
      key: string;
      uscc: string;
      method: string;
    }>`SELECT m.roster_key AS key, e.uscc, l.method FROM member_link l JOIN member m ON m.id = l.member_id JOIN entity e ON e.id = l.entity_id WHERE m.roster_key IS NOT NULL`.execute(
      database.db,
    );
    const correct = (l: { key: string; uscc: string }) => truth.get(l.key) === l.uscc;
    const all = prf(links.rows.filter(correct).length, links.rows.length, truth.size);
    const exact = links.rows.filter((l) => l.method === 'exact');
    const baseline = prf(exact.filter(correct).length, exact.length, truth.size);
    const hiddenTruth = new Set(
      [...truth].filter(([, code]) => (declared.get(code) ?? 0) === 0).map(([k, code]) => `${k}|${code}`),
    );
    const hidden = await sql<{
      key: string;
      uscc: string;
    }>`SELECT m.roster_key AS key, e.uscc FROM discovery_case d JOIN member m ON m.id = d.member_id JOIN entity e ON e.id = d.entity_id WHERE d.kind = 'hidden_member'`.execute(
      database.db,
    );
    const hiddenScore = prf(
      hidden.rows.filter((h) => hiddenTruth.has(`${h.key}|${h.uscc}`)).length,
      hidden.rows.length,
      hiddenTruth.size,
    );
    const roles = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM entity_person`.execute(database.db)).rows[0]
      .n;
    const ledger = (
      await sql<{
        entities: number;
        members: number;
        roster: number;
      }>`SELECT (SELECT count(*)::int FROM entity) AS entities, (SELECT count(*)::int FROM member) AS members, (SELECT count(*)::int FROM member WHERE 'roster' = ANY(sources)) AS roster`.execute(
        database.db,
      )
    ).rows[0];
    const noId = (
      await sql<{
        n: number;
      }>`SELECT count(*)::int AS n FROM member m JOIN person p ON p.id = m.person_id WHERE p.id_bi IS NULL`.execute(
        database.db,
      )
    ).rows[0].n;

    if (process.argv.includes('--misses')) {
      for (const l of links.rows.filter((x) => !correct(x)).slice(0, 6)) {
        const m =
          await sql`SELECT p.name, p.birth_date, p.id_bi IS NOT NULL AS has_id, p.phone_bi IS NOT NULL AS has_phone FROM member m JOIN person p ON p.id = m.person_id WHERE m.roster_key = ${l.key}`.execute(
            database.db,
          );
        const lv =
          await sql`SELECT l.levels, l.score, p.name, p.birth_date FROM member_link l JOIN member m ON m.id = l.member_id JOIN entity_person ep ON ep.id = l.entity_person_id JOIN person p ON p.id = ep.person_id WHERE m.roster_key = ${l.key}`.execute(
            database.db,
          );
        console.log(
          'false',
          JSON.stringify(m.rows[0]),
          '→',
          JSON.stringify(lv.rows),
          'truth:',
          truth.get(l.key) ?? '(not in truth)',
        );
      }
      const found = new Set(links.rows.filter(correct).map((l) => l.key));
      const missed = [...truth].filter(([k]) => !found.has(k)).slice(0, 8);
      for (const [k, code] of missed) {
        const m =
          await sql`SELECT p.name, p.birth_date, p.id_bi IS NOT NULL AS has_id, p.phone_bi IS NOT NULL AS has_phone FROM member m JOIN person p ON p.id = m.person_id WHERE m.roster_key = ${k}`.execute(
            database.db,
          );
        const r =
          await sql`SELECT p.name, p.birth_date, p.id_bi IS NOT NULL AS has_id, p.phone_bi IS NOT NULL AS has_phone, e.status FROM entity e JOIN entity_person ep ON ep.entity_id = e.id JOIN person p ON p.id = ep.person_id WHERE e.uscc = ${code}`.execute(
            database.db,
          );
        console.log('missed', JSON.stringify(m.rows[0]), '→', JSON.stringify(r.rows));
      }
    }
    console.log(
      `ledger: ${ledger.entities.toLocaleString()} entities, ${roles.toLocaleString()} person-roles, ${ledger.roster.toLocaleString()} roster members (${ledger.members.toLocaleString()} members with the declared ones)`,
    );
    console.log(
      `roster members: ${truth.size.toLocaleString()} in operating entities by the ground truth (${noId.toLocaleString()} members without a usable ID number), person-roles: ${roles.toLocaleString()}`,
    );
    console.log(
      `links          precision ${f3(all.precision)}  recall ${f3(all.recall)}  F1 ${f3(all.f1)}   (${links.rows.length.toLocaleString()} links)`,
    );
    console.log(
      `exact-ID only  precision ${f3(baseline.precision)}  recall ${f3(baseline.recall)}  F1 ${f3(baseline.f1)}`,
    );
    console.log(
      `hidden-member cases  precision ${f3(hiddenScore.precision)}  recall ${f3(hiddenScore.recall)}  F1 ${f3(hiddenScore.f1)}`,
    );
    console.log(
      `discovery run: ${seconds.toFixed(2)} s in all (${counts.candidates.toLocaleString()} candidate pairs; exact-ID join ${exactSeconds.toFixed(1)} s, candidates ${(counts.loadMs / 1000).toFixed(1)} s, scoring ${(counts.scoreMs / 1000).toFixed(1)} s, writing ${(counts.added + counts.changed + counts.removed).toLocaleString()} link changes ${(counts.linksMs / 1000).toFixed(1)} s (exact ones ${(counts.exactLinksMs / 1000).toFixed(1)} s, beside the candidates on PostgreSQL), cases ${(counts.casesMs / 1000).toFixed(1)} s)`,
    );
    console.log(
      `exact-ID part (the scoped join that derives the ${counts.exact.toLocaleString()} exact links; writing them is in "link changes" above) ${exactSeconds.toFixed(3)} s beside a bare SQL hash join of the ID keys ${joinSeconds.toFixed(3)} s (ratio ${(exactSeconds / joinSeconds).toFixed(2)})`,
    );
    console.log(`  discovery counts: ${JSON.stringify(counts)}`);
    console.log(
      `RESULT discovery entities=${entities} precision=${f3(all.precision)} recall=${f3(all.recall)} f1=${f3(all.f1)} baseline_recall=${f3(baseline.recall)} seconds=${seconds.toFixed(2)} join_ratio=${(exactSeconds / joinSeconds).toFixed(2)}`,
    );
  } finally {
    await drop();
  }
}

/** A kept bench database, its discovery results cleared so that the run starts as the first did. */
async function reusedDatabase(name: string) {
  const kept = await keptDatabase('disc', name);
  const db = kept.database.db;
  await sql`TRUNCATE discovery_case CASCADE`.execute(db);
  await sql`DELETE FROM member_link`.execute(db);
  await sql`DELETE FROM member WHERE NOT ('roster' = ANY(sources))`.execute(db);
  await sql`SELECT xgz_coverage_rebuild()`.execute(db);
  await sql`ANALYZE member, member_link, discovery_case, entity_coverage`.execute(db);
  return kept;
}

await main();
