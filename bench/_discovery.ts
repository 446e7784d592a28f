/**
 * The discovery benchmark's data set, shared with the province benchmark: the demo generator's
 * entities with a hidden ground truth, written straight with COPY and set-based SQL (PostgreSQL).
 */
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { sql } from 'kysely';
import { blindIndex, encryptField } from '../src/crypto/field.js';
import { annualReportRow, registryRow, rosterRow } from '../src/domain/ledger/rows.js';
import { parseIdNumber } from '../src/domain/identifiers/id-number.js';
import type { AppContext } from '../src/http/context.js';
import type { Database } from '../src/db/connection.js';
import { rosterKey } from '../src/jobs/import/writers/roster.js';
import { mapHeaders, TEMPLATES } from '../src/jobs/import/templates.js';
import { generateLedger, type DemoOptions } from '../src/demo/ledger.js';

/**
 * Ground truth: each roster row belongs to the owner of the entity it was generated with;
 * discovery looks at operating entities, so members of deregistered or revoked ones do not count.
 * truth: roster key → the entity's code; declared: the entity's declared party members.
 */
export function groundTruth(ctx: AppContext, opts: DemoOptions) {
  const headers = TEMPLATES.roster.columns.map((c) => c.header);
  const { index } = mapHeaders('roster', headers);
  const truth = new Map<string, string>();
  const declared = new Map<string, number>();
  for (const e of generateLedger(opts)) {
    const code = e.registry['统一社会信用代码'];
    declared.set(code, e.report ? Number(e.report['党员人数（含预备党员）'] || 0) : 0);
    if (e.registry['登记状态'] !== '存续') continue;
    for (const m of e.members) {
      const input = Object.fromEntries([...index].map(([f, i]) => [f, m[headers[i]] ?? '']));
      const parsed = rosterRow.safeParse(input);
      if (parsed.success) truth.set(rosterKey(ctx.keys, parsed.data), code);
    }
  }
  return { truth, declared };
}

/** COPY text format: tab-separated, \N for null, backslashes and control characters escaped. */
const cell = (v: string | number | boolean | null | undefined) =>
  v === null || v === undefined
    ? '\\N'
    : String(v).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
const line = (...vs: (string | number | boolean | null | undefined)[]) => vs.map(cell).join('\t') + '\n';

/**
 * Writes the generated ledger the way the import pipeline would leave it (same parsing by the
 * templates' schemas, same blind indexes, encryption, scope keys, roster keys, first row kept
 * for a repeated key, last name and phone kept for a person), but straight: COPY into staging
 * tables, then set-based SQL with triggers off, then the coverage rebuild and VACUUM ANALYZE.
 */
export async function loadWithSql(database: Database, ctx: AppContext, opts: DemoOptions) {
  const t0 = performance.now();
  const scopes = new Map(
    (
      await sql<{ code: string; scope_key: string }>`SELECT code, scope_key FROM jurisdiction`.execute(database.db)
    ).rows.map((r) => [r.code, r.scope_key]),
  );
  await sql`CREATE UNLOGGED TABLE s_entity (seq bigint, uscc text, kind text, name text, status text, registered_on date, address text, county_code text, station_code text,
      scope_key text, county_scope text, industry_section text, industry_division text, size_class text, employees int, zone_name text, zone_kind text);
    CREATE UNLOGGED TABLE s_role (seq bigint, uscc text, role text, id_bi text, id_enc text, name text, birth_date date, sex text, phone_enc text, phone_bi text, pid bigint);
    CREATE UNLOGGED TABLE s_report (uscc text, year int, filing_status text, filed_on date, employees int, party_members int, party_org_form int, party_org_way int,
      party_org_set_on date, rep_is_member bool, rep_is_secretary bool);
    CREATE UNLOGGED TABLE s_roster (seq bigint, roster_key text, id_bi text, id_enc text, name text, birth_date date, sex text, phone_enc text, phone_bi text, membership text,
      join_date date, org_relation text, org_relation_code text, member_status text, occupation text, workplace text, pid bigint)`.execute(
    database.db,
  );
  const url = (database.pool as unknown as { options: { connectionString: string } }).options.connectionString;
  const streams = await Promise.all(
    ['s_entity', 's_role', 's_report', 's_roster'].map(async (table) => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const stream = client.query(copyFrom(`COPY ${table} FROM STDIN`));
      return {
        client,
        stream,
        done: new Promise<void>((resolve, reject) => {
          stream.on('finish', resolve);
          stream.on('error', reject);
        }),
      };
    }),
  );
  // Lines gathered into chunks of about 256 kB: one CopyData message each, not one per line.
  const buffers: string[][] = streams.map(() => []);
  const sizes = streams.map(() => 0);
  const flush = async (i: number) => {
    if (!buffers[i].length) return;
    const chunk = buffers[i].join('');
    buffers[i] = [];
    sizes[i] = 0;
    if (!streams[i].stream.write(chunk)) await new Promise<void>((r) => streams[i].stream.once('drain', r));
  };
  const write = async (i: number, text: string) => {
    buffers[i].push(text);
    sizes[i] += text.length;
    if (sizes[i] > 256_000) await flush(i);
  };
  const enc = (v?: string | null) => (v ? encryptField(ctx.keys, v) : null);
  const bi = (v?: string | null) => (v ? blindIndex(ctx.keys, v) : null);
  const fieldsOf = (kind: 'registry' | 'annual_report' | 'roster', row: Record<string, string>) => {
    const headers = TEMPLATES[kind].columns.map((c) => c.header);
    const { index } = mapHeaders(kind, headers);
    return Object.fromEntries([...index].map(([f, i]) => [f, row[headers[i]] ?? '']));
  };
  let seq = 0;
  const n = { entities: 0, roles: 0, reports: 0, roster: 0, rejected: 0 };
  for (const e of generateLedger(opts)) {
    const r = registryRow.safeParse(fieldsOf('registry', e.registry));
    if (!r.success) {
      n.rejected++;
      continue;
    }
    const x = r.data;
    const uscc = x.uscc ?? null;
    await write(
      0,
      line(
        ++seq,
        uscc,
        x.kind,
        x.name,
        x.status,
        x.registeredOn,
        x.address,
        x.countyCode,
        x.stationCode,
        scopes.get(x.stationCode ?? x.countyCode),
        scopes.get(x.countyCode),
        x.industry?.section,
        x.industry?.division,
        x.sizeClass,
        x.employees,
        x.zoneName,
        x.zoneKind,
      ),
    );
    n.entities++;
    if (x.repName) {
      const id = x.repIdNumber;
      await write(
        1,
        line(
          ++seq,
          uscc,
          'legal_rep',
          id ? bi(id.value) : null,
          id ? enc(id.value) : null,
          x.repName,
          id?.birthDate,
          id?.sex,
          enc(x.repPhone),
          bi(x.repPhone),
          null,
        ),
      );
      n.roles++;
    }
    for (const role of e.roles ?? []) {
      const id = parseIdNumber(role.idNumber);
      if (!id.ok) continue;
      await write(
        1,
        line(
          ++seq,
          uscc,
          role.role,
          bi(id.value),
          enc(id.value),
          role.name,
          id.birthDate,
          id.sex,
          enc(role.phone),
          bi(role.phone),
          null,
        ),
      );
      n.roles++;
    }
    if (e.report) {
      const a = annualReportRow.safeParse(fieldsOf('annual_report', e.report));
      if (a.success) {
        const y = a.data as import('../src/domain/ledger/rows.js').AnnualReportRow;
        await write(
          2,
          line(
            y.uscc,
            y.year,
            y.filingStatus,
            y.filedOn,
            y.employees,
            y.partyMembers,
            y.partyOrgForm,
            y.partyOrgWay,
            y.partyOrgSetOn,
            y.repIsMember,
            y.repIsSecretary,
          ),
        );
        n.reports++;
      }
    }
    for (const m of e.members) {
      const p = rosterRow.safeParse(fieldsOf('roster', m));
      if (!p.success) continue;
      const y = p.data;
      const id = y.idNumber;
      // Roster rows come after every registry row, as the roster file is imported last.
      await write(
        3,
        line(
          1e12 + ++seq,
          rosterKey(ctx.keys, y),
          id ? bi(id.value) : null,
          id ? enc(id.value) : null,
          y.name,
          id ? id.birthDate : y.birthDate,
          id ? id.sex : y.sex,
          enc(y.phone),
          bi(y.phone),
          y.membership,
          y.joinDate,
          y.orgRelation,
          y.orgRelationCode,
          y.memberStatus,
          y.occupation,
          y.workplace,
          null,
        ),
      );
      n.roster++;
    }
  }
  for (let i = 0; i < streams.length; i++) await flush(i);
  for (const s of streams) s.stream.end();
  await Promise.all(streams.map((s) => s.done));
  await Promise.all(streams.map((s) => s.client.end()));
  const t1 = performance.now();
  console.log(
    `  generated and copied ${n.entities.toLocaleString()} entities, ${n.roles.toLocaleString()} roles, ${n.reports.toLocaleString()} reports, ${n.roster.toLocaleString()} roster rows in ${((t1 - t0) / 1000).toFixed(1)} s${n.rejected ? ` (${n.rejected} rejected)` : ''}`,
  );

  const client = await database.pool.connect();
  try {
    const q = (text: string) => client.query(text);
    await q('BEGIN');
    await q(`SET LOCAL session_replication_role = replica`);
    await q(`SET LOCAL work_mem = '256MB'`);
    // First row kept for a repeated key (entities by code, roster rows by roster key), as the import does.
    await q(`DELETE FROM s_entity s USING s_entity t WHERE s.uscc = t.uscc AND s.seq > t.seq`);
    await q(`DELETE FROM s_roster s USING s_roster t WHERE s.roster_key = t.roster_key AND s.seq > t.seq`);
    await q(`INSERT INTO zone (kind, name, county_code, scope_key)
      SELECT DISTINCT ON (county_code, zone_name) zone_kind, zone_name, county_code, county_scope FROM s_entity WHERE zone_name IS NOT NULL ORDER BY county_code, zone_name, seq`);
    await q(`INSERT INTO entity (kind, uscc, name, status, registered_on, address, county_code, station_code, scope_key, industry_section, industry_division, size_class, employees)
      SELECT kind, uscc, name, status, registered_on, address, county_code, station_code, scope_key, industry_section, industry_division, size_class, employees FROM s_entity ORDER BY seq`);
    await q(`INSERT INTO entity_zone (entity_id, zone_id, scope_key)
      SELECT e.id, z.id, e.scope_key FROM s_entity s JOIN entity e ON e.uscc = s.uscc JOIN zone z ON z.county_code = s.county_code AND z.name = s.zone_name`);
    // One person per ID number: the name and phone last given (the roster's, when it has them), birth date and sex from the number.
    await q(`INSERT INTO person (id_bi, id_enc, name, birth_date, sex, phone_enc, phone_bi)
      WITH p AS (SELECT seq, id_bi, id_enc, name, birth_date, sex, phone_enc, phone_bi FROM s_role WHERE id_bi IS NOT NULL
                 UNION ALL SELECT seq, id_bi, id_enc, name, birth_date, sex, phone_enc, phone_bi FROM s_roster WHERE id_bi IS NOT NULL),
      named AS (SELECT DISTINCT ON (id_bi) id_bi, id_enc, name, birth_date, sex FROM p ORDER BY id_bi, seq DESC),
      phoned AS (SELECT DISTINCT ON (id_bi) id_bi, phone_enc, phone_bi FROM p WHERE phone_bi IS NOT NULL ORDER BY id_bi, seq DESC)
      SELECT n.id_bi, n.id_enc, n.name, n.birth_date, n.sex, ph.phone_enc, ph.phone_bi FROM named n LEFT JOIN phoned ph USING (id_bi)`);
    // People without a usable number: one person each (an owner per entity, a roster row per key).
    await q(`UPDATE s_role SET pid = nextval('person_id_seq') WHERE id_bi IS NULL`);
    await q(
      `INSERT INTO person (id, name, phone_enc, phone_bi) SELECT pid, name, phone_enc, phone_bi FROM s_role WHERE pid IS NOT NULL`,
    );
    await q(`UPDATE s_roster SET pid = nextval('person_id_seq') WHERE id_bi IS NULL`);
    await q(
      `INSERT INTO person (id, name, birth_date, sex, phone_enc, phone_bi) SELECT pid, name, birth_date, sex, phone_enc, phone_bi FROM s_roster WHERE pid IS NOT NULL`,
    );
    await q(`INSERT INTO entity_person (entity_id, person_id, role, scope_key)
      SELECT e.id, coalesce(s.pid, p.id), s.role, e.scope_key FROM s_role s JOIN entity e ON e.uscc = s.uscc LEFT JOIN person p ON p.id_bi = s.id_bi
      ON CONFLICT DO NOTHING`);
    await q(`INSERT INTO annual_report (entity_id, year, scope_key, filing_status, filed_on, employees, party_members, party_org_form, party_org_way, party_org_set_on, rep_is_member, rep_is_secretary)
      SELECT e.id, s.year, e.scope_key, s.filing_status, s.filed_on, s.employees, s.party_members, s.party_org_form, s.party_org_way, s.party_org_set_on, s.rep_is_member, s.rep_is_secretary
      FROM s_report s JOIN entity e ON e.uscc = s.uscc ON CONFLICT DO NOTHING`);
    await q(`INSERT INTO member (person_id, roster_key, membership, join_date, org_relation, org_relation_code, member_status, occupation, workplace, sources, confidence, scope_key)
      SELECT DISTINCT ON (person_id) person_id, roster_key, membership, join_date, org_relation, org_relation_code, member_status, occupation, workplace, ARRAY['roster'], 'confirmed', ''
      FROM (SELECT coalesce(s.pid, p.id) AS person_id, s.* FROM s_roster s LEFT JOIN person p ON p.id_bi = s.id_bi) x ORDER BY person_id, seq DESC`);
    await q(`SET LOCAL session_replication_role = origin`);
    await q(`SELECT xgz_coverage_rebuild()`);
    await q(`SELECT xgz_member_tally_rebuild()`);
    await q('COMMIT');
    await q(`DROP TABLE s_entity, s_role, s_report, s_roster`);
    // Settle the bulk load as autovacuum would on a live system: freshly COPY'd rows carry no hint
    // bits or visibility map, and the first statement to read them would pay for writing those.
    await q(`VACUUM ANALYZE`);
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
  console.log(
    `  merged with SQL, coverage rebuilt, vacuumed and analysed in ${((performance.now() - t1) / 1000).toFixed(1)} s`,
  );
}
