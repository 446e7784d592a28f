import pg from 'pg';

/**
 * XGZ on a Citus cluster. The migrations are one set for PGlite, PostgreSQL and Citus; on a
 * database where the citus extension is installed, `distributeForCitus` (run by `migrate` after
 * the migrations, and by `xgz citus distribute`) then turns the tables Citus can hold into
 * reference and distributed tables, idempotently: a table already in Citus's metadata is left
 * as it is, so it runs at every start and picks up tables a later migration adds.
 *
 * What goes where, and why (each checked on a local Citus 13.2 cluster, see bench/README.md):
 *  - REFERENCE_TABLES: dictionaries, settings and the jurisdiction tree — small, read by every
 *    query, replicated to every node so joins with them stay on the shard. Some 40 tables
 *    reference the tree by foreign key; Citus makes them "Citus local tables" (on the coordinator,
 *    in its metadata), and the step adds every other table the same way. What that took (0111,
 *    0150, 0151, 0170, 0171, 0210, 0211, the writers, the views' grants, the restrictive policies
 *    folded, 0232) is in bench/README.md, section citus.
 *  - DISTRIBUTED_TABLES: tables keyed by county_code, co-located: the plaque counter and the case
 *    group (discovery_case, case_event, discovery_case_tally; county_code in every row and key since
 *    0245, 0246). The group's tally is kept by discovery_case's statement triggers, which run on the
 *    shards (citus.enable_unsafe_triggers) and write only the same county's tally rows, on the same
 *    worker; its writers log to the change feed themselves (0247, discovery/case-log.ts). Its keys
 *    to entity, member and self_report (coordinator tables) are dropped on the cluster. The rule for
 *    the code: the group is read and written in statements of its own, never joined in one
 *    statement with a coordinator table (such statements crashed the coordinator, Citus 13.2.2, or
 *    were refused); then the other tables by id. bench/README.md, "The case group".
 *  - Everything else stays on the coordinator as a Citus local table; `citusBlockers` says what
 *    keeps each from being distributed by county_code.
 */

/** Small tables every node needs a copy of. */
export const REFERENCE_TABLES = ['dictionary', 'setting', 'jurisdiction'] as const;

/** Tables spread over the workers by county_code, all in one co-location group. */
export const DISTRIBUTED_TABLES: readonly string[] = [
  'sanliang_plaque_counter',
  'discovery_case',
  'case_event',
  'discovery_case_tally',
];

/**
 * Why a table stays on the coordinator: what in the schema stops Citus from distributing it by
 * county_code, read from the catalog (so the list follows the migrations). Citus refuses a
 * distributed table whose unique constraints do not include the distribution column, whose
 * foreign keys to or from other tables are neither to reference tables nor between co-located
 * tables on the distribution column, and it runs row triggers on the shards, where a trigger may
 * write co-located tables of the same county but not a reference table or a coordinator's table
 * (ours write ledger_history and every level's tallies; bench/citus/ledger-probe.sql shows both).
 */
export async function citusBlockers(pool: pg.Pool): Promise<{ table: string; reasons: string[] }[]> {
  const placed = new Set<string>([...REFERENCE_TABLES, ...DISTRIBUTED_TABLES]);
  const rows = (
    await pool.query<{
      table: string;
      has_county: boolean;
      triggers: string[] | null;
      uniques: string[] | null;
      fks_in: string[] | null;
      fks_out: string[] | null;
    }>(`
      SELECT c.relname AS table,
        EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'county_code' AND NOT a.attisdropped) AS has_county,
        (SELECT array_agg(t.tgname::text ORDER BY t.tgname) FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal) AS triggers,
        -- Every unique index, not only the constraints: Citus refuses a unique index without the
        -- distribution column as well (e.g. a partial one an ON CONFLICT names, self_report_receipt_uq).
        (SELECT array_agg(ic.relname::text ORDER BY ic.relname) FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
         WHERE i.indrelid = c.oid AND i.indisunique
           AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'county_code' AND a.attnum = ANY (i.indkey::int2[]))) AS uniques,
        (SELECT array_agg(DISTINCT k.conrelid::regclass::text) FROM pg_constraint k WHERE k.confrelid = c.oid AND k.contype = 'f' AND k.conrelid <> c.oid) AS fks_in,
        (SELECT array_agg(DISTINCT k.confrelid::regclass::text) FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'f' AND k.confrelid <> c.oid) AS fks_out
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> 'schema_migration'
      ORDER BY pg_total_relation_size(c.oid) DESC, c.relname`)
  ).rows;
  return rows
    .filter((r) => !placed.has(r.table))
    .map((r) => {
      const reasons: string[] = [];
      if (!r.has_county) reasons.push('no county_code column');
      if (r.triggers?.length) reasons.push(`row triggers ${r.triggers.join(', ')}`);
      if (r.uniques?.length) reasons.push(`unique keys without county_code ${r.uniques.join(', ')}`);
      const into = (r.fks_in ?? []).filter((t) => !DISTRIBUTED_TABLES.includes(t));
      if (into.length) reasons.push(`referenced by ${into.join(', ')}`);
      const out = (r.fks_out ?? []).filter(
        (t) => !(REFERENCE_TABLES as readonly string[]).includes(t) && !DISTRIBUTED_TABLES.includes(t),
      );
      if (out.length) reasons.push(`references ${out.join(', ')}`);
      return { table: r.table, reasons };
    });
}

export async function isCitus(pool: pg.Pool): Promise<boolean> {
  const r = await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_extension WHERE extname = 'citus'");
  return r.rows[0].n > 0;
}

export type CitusState = {
  workers: number;
  reference: string[];
  distributed: { table: string; column: string; shards: number }[];
  local: string[];
};

/** What Citus holds of the XGZ tables now. */
export async function citusState(pool: pg.Pool): Promise<CitusState> {
  const workers = (
    await pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_dist_node WHERE noderole = 'primary' AND groupid <> 0",
    )
  ).rows[0].n;
  const rows = (
    await pool.query<{ table: string; type: string; column: string | null; shards: number }>(
      `SELECT table_name::text AS table, citus_table_type AS type, distribution_column AS column, shard_count AS shards FROM citus_tables ORDER BY 1`,
    )
  ).rows;
  return {
    workers,
    reference: rows.filter((r) => r.type === 'reference').map((r) => r.table),
    distributed: rows
      .filter((r) => r.type === 'distributed')
      .map((r) => ({ table: r.table, column: r.column ?? '', shards: r.shards })),
    local: rows.filter((r) => r.type === 'local').map((r) => r.table),
  };
}

/**
 * Distributes the XGZ tables on a Citus coordinator; does nothing (returns false) elsewhere.
 * Safe to run again: tables already distributed are skipped.
 */
export async function distributeForCitus(pool: pg.Pool, log: (msg: string) => void = () => {}): Promise<boolean> {
  if (!(await isCitus(pool))) return false;
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock(727275)');
    await refuseRestrictivePolicies(client);
    const db = (await client.query<{ d: string }>('SELECT current_database() AS d')).rows[0].d;
    // Each setting holds for the database's later sessions and, from now, for this one (the pool's
    // connection that migrated, which then serves requests); migrate runs before the server listens.
    const setting = async (name: string, value: string) => {
      await client.query(`ALTER DATABASE ${ident(db)} SET ${name} = ${value}`);
      await client.query(`SET ${name} = ${value}`);
    };
    // The scope a row-level security policy reads is set with SET LOCAL in each scoped
    // transaction (db/scoped.ts); Citus sends SET LOCAL on to the workers' connections only
    // with this setting, so the policies on the shards see the caller's scope.
    await setting('citus.propagate_set_commands', `'local'`);
    // The case group's tallies are kept by statement triggers on its shards (0111, 0246): they
    // write only the tally rows of the same county, which live on the same shard's worker.
    await setting('citus.enable_unsafe_triggers', 'on');
    // A transaction that read the case group over several shards and then writes a coordinator
    // table (a verified case confirms its member) was refused ("cannot modify table … because
    // there was a parallel operation on a distributed table"): one connection per worker instead.
    await setting('citus.multi_shard_modify_mode', `'sequential'`);
    const known = new Map(
      (
        await client.query<{ t: string; type: string }>(
          'SELECT table_name::text AS t, citus_table_type AS type FROM citus_tables',
        )
      ).rows.map((r) => [r.t, r.type]),
    );
    // Citus makes the views over a table it converts again, without their grants (a scoped request
    // then met "permission denied for view …"): what the views grant is read before and given back after.
    const viewGrants = (
      await client.query<{ view: string; grantee: string; privilege: string; grantable: boolean }>(
        `SELECT c.relname::text AS view, CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END AS grantee,
           a.privilege_type AS privilege, a.is_grantable AS grantable
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         CROSS JOIN LATERAL aclexplode(c.relacl) a LEFT JOIN pg_roles r ON r.oid = a.grantee
         WHERE n.nspname = 'public' AND c.relkind = 'v' AND a.grantee <> c.relowner`,
      )
    ).rows;
    let converted = false;
    for (const t of REFERENCE_TABLES) {
      if (known.get(t) === 'reference') continue;
      if (known.has(t))
        await client.query('SELECT undistribute_table($1::regclass, cascade_via_foreign_keys => true)', [t]);
      await client.query('SELECT create_reference_table($1::regclass)', [t]);
      converted = true;
      log(`citus: reference table ${t}`);
    }
    // Citus reaches the shards on the workers as the current role: inside a scoped transaction
    // that is xgz_app (SET LOCAL ROLE), so it must be able to log in there (ALTER ROLE is
    // propagated to every node). The workers' pg_hba.conf should admit it from the coordinator only.
    // A role is the cluster's, not the database's: changed only when it cannot log in yet, since two
    // databases taking this step at once (the tests' copies) failed with "tuple concurrently updated".
    const { rows: role } = await client.query<{ login: boolean }>(
      "SELECT rolcanlogin AS login FROM pg_roles WHERE rolname = 'xgz_app'",
    );
    if (!role[0]?.login) await client.query('ALTER ROLE xgz_app LOGIN');
    let colocateWith = 'default';
    for (const t of DISTRIBUTED_TABLES) {
      if (known.get(t) === 'distributed') {
        colocateWith = t;
        continue;
      }
      // A distributed table may reference only reference tables: the county code a serial is
      // kept for comes from a 三亮 record's own checked county, so its key to the (coordinator's)
      // jurisdiction table is dropped on Citus.
      for (const fk of (
        await client.query<{ name: string }>(
          `SELECT conname::text AS name FROM pg_constraint k WHERE k.conrelid = $1::regclass AND k.contype = 'f'
           AND NOT EXISTS (SELECT 1 FROM pg_dist_partition p WHERE p.logicalrelid = k.confrelid AND (p.repmodel = 't' OR p.partmethod = 'h'))`,
          [t],
        )
      ).rows) {
        await client.query(`ALTER TABLE ${ident(t)} DROP CONSTRAINT ${ident(fk.name)}`);
        log(`citus: dropped ${t}.${fk.name} (a distributed table may reference reference tables only)`);
      }
      await client.query(`SELECT create_distributed_table($1::regclass, 'county_code', colocate_with => $2)`, [
        t,
        colocateWith,
      ]);
      colocateWith = t;
      log(`citus: distributed table ${t} by county_code`);
    }
    // Every other table joins Citus's metadata as a Citus local table (kept on the coordinator,
    // planned by Citus), so any statement may join it with the reference and distributed tables.
    // The tables referencing the tree became local tables with it (their foreign-key graph); these
    // are the rest. A shard (a table Citus renamed, e.g. jurisdiction_102008) is not ours to add.
    const rest = (
      await client.query<{ t: string }>(
        `SELECT c.relname::text AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname <> 'schema_migration'
           AND NOT EXISTS (SELECT 1 FROM pg_dist_partition p WHERE p.logicalrelid = c.oid)
           AND NOT relation_is_a_known_shard(c.oid)
         ORDER BY 1`,
      )
    ).rows.map((r) => r.t);
    for (const t of rest) {
      // One added with cascade_via_foreign_keys brings the tables its foreign keys tie it to.
      const { rows: inMetadata } = await client.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM pg_dist_partition WHERE logicalrelid = $1::regclass',
        [t],
      );
      if (inMetadata[0].n) continue;
      await client.query('SELECT citus_add_local_table_to_metadata($1::regclass, cascade_via_foreign_keys => true)', [
        t,
      ]);
      converted = true;
      log(`citus: local table ${t} (on the coordinator, in Citus's metadata)`);
    }
    if (converted)
      for (const g of viewGrants)
        await client.query(
          `GRANT ${g.privilege} ON ${ident(g.view)} TO ${g.grantee}${g.grantable ? ' WITH GRANT OPTION' : ''}`,
        );
    // A SECURITY DEFINER function (xgz_plaque_serial) reaches the shards over the connections the
    // transaction already holds, opened as xgz_app, not as the function's owner: a scoped
    // transaction that had read a distributed table was refused ("permission denied for table
    // …_<shard>"). So on Citus the app role holds the rights its functions use on these tables.
    for (const t of DISTRIBUTED_TABLES) await client.query(`GRANT SELECT, INSERT, UPDATE ON ${ident(t)} TO xgz_app`);
    return true;
  } finally {
    await client.query('SELECT pg_advisory_unlock(727275)').catch(() => {});
    client.release();
  }
}

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

/**
 * Citus copies a table's row-level security policies to the tables it makes from it (a Citus local
 * table's shell, a reference or distributed table's shards) without AS RESTRICTIVE (13.2.2,
 * commands/policy.c CreatePolicyCommandForPolicy): a narrowing would be OR-ed with the scope there
 * and widen what an account sees (bench/citus/ledger-probe.sql, step 4). Migration 0232 folded ours
 * into the permissive policies; one added later is refused before anything is converted.
 */
async function refuseRestrictivePolicies(client: pg.PoolClient): Promise<void> {
  const { rows } = await client.query<{ policy: string }>(
    `SELECT c.relname || '.' || p.polname AS policy FROM pg_policy p
     JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND NOT p.polpermissive ORDER BY 1`,
  );
  if (rows.length)
    throw new Error(
      `citus: restrictive policies, which Citus copies as permissive (fold each into its table's permissive policies, as migration 0232 did): ${rows.map((r) => r.policy).join(', ')}`,
    );
}

/**
 * A new database across a Citus cluster (tests and benches): CREATE DATABASE on every worker and
 * on the coordinator of `url` (a connection to the coordinator's maintenance database), each
 * with the citus extension, the workers joined. With `template`, each node's copy starts from
 * its own copy of that database (made the same way), so shards and metadata match.
 */
export async function createClusterDatabase(url: string, name: string, template?: string): Promise<void> {
  const nodes = await clusterNodes(url);
  const create = `CREATE DATABASE ${ident(name)}${template ? ` TEMPLATE ${ident(template)}` : ''}`;
  // Citus's maintenance daemon (and its connections between the nodes) keep every database with
  // the extension open — template1 too, which carries it — and CREATE DATABASE wants its source to
  // itself: end them just before the copy (they come back on their own), again if one came back first.
  const release = `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ${lit(template ?? 'template1')} AND pid <> pg_backend_pid()`;
  for (const node of nodes) await whileBusy(() => onNode(node, 'postgres', [release, create]));
  if (template) return;
  for (const node of nodes) await onNode(node, name, ['CREATE EXTENSION IF NOT EXISTS citus']);
  const [coordinator, ...workers] = nodes;
  await onNode(coordinator, name, [
    `SELECT citus_set_coordinator_host(${lit(coordinator.host)}, ${coordinator.port})`,
    ...workers.map((w) => `SELECT citus_add_node(${lit(w.host)}, ${w.port})`),
  ]);
}

/** Runs a CREATE DATABASE again while its source is briefly held by another session (up to 20 tries). */
async function whileBusy(create: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await create();
    } catch (err) {
      if (attempt >= 20 || !/being accessed by other users/.test((err as Error).message)) throw err;
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }
}

/** Drops a database made by createClusterDatabase on every node. */
export async function dropClusterDatabase(url: string, name: string): Promise<void> {
  for (const node of await clusterNodes(url))
    await onNode(node, 'postgres', [`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`]);
}

type Node = { host: string; port: number; url: string };

/** The coordinator of `url`, then its workers (as its maintenance database knows them). */
async function clusterNodes(url: string): Promise<Node[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const u = new URL(url);
    const rows = (
      await c.query<{ host: string; port: number }>(
        "SELECT nodename AS host, nodeport AS port FROM pg_dist_node WHERE groupid <> 0 AND noderole = 'primary' ORDER BY nodeid",
      )
    ).rows;
    const at = (host: string, port: number) =>
      Object.assign(new URL(url), { hostname: host, port: String(port) }).toString();
    return [
      { host: u.hostname, port: Number(u.port || 5432), url },
      ...rows.map((r) => ({ host: r.host, port: r.port, url: at(r.host, r.port) })),
    ];
  } finally {
    await c.end();
  }
}

async function onNode(node: Node, database: string, statements: string[]) {
  const c = new pg.Client({
    connectionString: Object.assign(new URL(node.url), { pathname: `/${database}` }).toString(),
  });
  await c.connect();
  try {
    for (const s of statements) await c.query(s);
  } finally {
    await c.end();
  }
}

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
