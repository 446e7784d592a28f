import { createRequire } from 'node:module';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { sql, type CompiledQuery, type Kysely, type Transaction } from 'kysely';
import type { DB } from './schema.js';
import { appendAudit, auditKeyOf, type AuditEntry, type Principal } from './audit-chain.js';
import { RefusedWrite } from './writes.js';

/** What a feature gets to work with: a transaction limited to the principal's subtree, and the audit buffer. */
export type Scoped = {
  db: Transaction<DB>;
  who: Principal;
  audit: (entry: AuditEntry) => void;
};

/**
 * The one scope mechanism. Runs fn in a transaction as the non-superuser role xgz_app with
 * xgz.scope set to the principal's scope key, so the row-level security policies of every
 * scoped table apply to every query fn makes, whoever wrote it. Audit entries fn records are
 * appended to the chain just before commit, so a change and its audit record commit together.
 * Inside fn use only s.db: PGlite is one connection, so a query on the system connection
 * would wait for this transaction forever. And return the response value rather than sending
 * the reply inside fn: a reply sent there reaches the client before the commit.
 */
export async function runScoped<T>(db: Kysely<DB>, who: Principal, fn: (s: Scoped) => Promise<T>): Promise<T> {
  const key = auditKeyOf(db);
  return db.connection().execute(async (conn) => {
    // BEGIN and the scope in one round trip (statements without parameters, so the simple
    // protocol, which takes several): the scope, the user, then the role. SET LOCAL rather than
    // set_config(): on a Citus cluster (db/citus.ts) SET commands are what Citus sends on to the
    // workers' connections, so the row-level security policies on the shards see the same scope.
    // Every request pays its round trips twice in system calls, client and server.
    await sql.raw(`BEGIN; ${scopeSettings(who)}`).execute(conn);
    try {
      const trx = conn as Transaction<DB>;
      const entries: AuditEntry[] = [];
      const result = await fn({ db: trx, who, audit: (e) => entries.push(e) });
      await appendAudit(trx, who, entries, key);
      await sql.raw('COMMIT').execute(conn);
      return result;
    } catch (err) {
      await sql
        .raw('ROLLBACK')
        .execute(conn)
        .catch(() => undefined); // the first error is the one to report
      if (err instanceof RefusedWrite) {
        // The write was filtered to nothing by the scope: recorded as refused, on its own.
        await sql.raw('BEGIN').execute(conn);
        try {
          await appendAudit(conn as Transaction<DB>, who, [{ ...err.entry, outcome: 'denied' }], key);
          await sql.raw('COMMIT').execute(conn);
        } catch {
          await sql
            .raw('ROLLBACK')
            .execute(conn)
            .catch(() => undefined);
        }
      }
      throw err;
    }
  });
}

/** The scope of a principal for row-level security, as SET LOCAL commands for one simple-protocol query (after BEGIN). */
const scopeSettings = (who: Principal) =>
  `SET LOCAL xgz.scope = ${literal(who.scopeKey)}; SET LOCAL xgz.user_id = ${literal(String(who.userId ?? ''))}; SET LOCAL xgz.bound = ${literal(who.bound ?? '')}; SET LOCAL ROLE xgz_app`;

/** A string as an SQL literal (standard_conforming_strings is on: only quotes are doubled). */
const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;

// node-postgres's own conversion of a parameter to the text it sends (dates with their offset, arrays as array literals).
const { prepareValue } = createRequire(import.meta.url)('pg/lib/utils.js') as {
  prepareValue: (v: unknown) => Buffer | string | null;
};

/**
 * A compiled statement's parameters written into its text as quoted literals. A quoted literal
 * is of type unknown until its context types it, exactly as node-postgres's text parameters are,
 * so the statement means the same. Placeholders are replaced only outside quoted strings and
 * identifiers; a statement with dollar quoting or an escape string is refused, not guessed at.
 */
export function inlineParameters(q: CompiledQuery): string {
  let out = '';
  for (let i = 0; i < q.sql.length; i++) {
    const ch = q.sql[i];
    if (ch === "'" || ch === '"') {
      const end = q.sql.indexOf(ch, i + 1);
      if (end < 0) throw new Error('inlineParameters: unterminated quote');
      // A doubled quote inside is two adjacent quoted runs: copied the same way.
      out += q.sql.slice(i, end + 1);
      i = end;
    } else if (ch === '$') {
      const m = /^\$(\d+)/.exec(q.sql.slice(i));
      if (!m) throw new Error('inlineParameters: dollar quoting is not supported');
      const v = prepareValue(q.parameters[Number(m[1]) - 1]);
      // An escape string (backslashes and quotes doubled) reads the same whatever standard_conforming_strings is.
      out += v === null ? 'NULL' : `E'${String(v).replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
      i += m[0].length - 1;
    } else if ((ch === 'E' || ch === 'e') && q.sql[i + 1] === "'" && !/[\w$]/.test(q.sql[i - 1] ?? ' ')) {
      throw new Error('inlineParameters: escape strings are not supported');
    } else out += ch;
  }
  return out;
}

/**
 * Read-only statements under the principal's scope in two round trips: BEGIN with the scope and
 * role (as runScoped sets them), then the statements with their parameters inlined and COMMIT,
 * each one simple-protocol query; the rows of each statement, in order. For a hot read (the
 * 工作台) this replaces runScoped's three round trips per statement. The SET commands travel in a
 * query of their own because Citus passes a SET LOCAL on to the workers as the whole text of the
 * query it came in: with the statement and COMMIT in that text, a worker ran them too (a COMMIT
 * in the middle of the coordinator's transaction, the statement against the shell tables).
 * Nothing is audited (nothing is written).
 */
export async function readScopedAll(
  pool: pg.Pool,
  who: Principal,
  qs: readonly CompiledQuery[],
): Promise<Record<string, unknown>[][]> {
  const client = await pool.connect();
  try {
    await client.query(`BEGIN; ${scopeSettings(who)}`);
    const text = [...qs.map(inlineParameters), 'COMMIT'].join('; ');
    const results = (await client.query(text)) as unknown as pg.QueryResult[];
    return results.slice(0, qs.length).map((r) => r.rows as Record<string, unknown>[]);
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined); // the first error is the one to report
    throw err;
  } finally {
    client.release();
  }
}

/** One read-only statement under the principal's scope (readScopedAll), its rows. */
export async function readScopedOnce<R>(pool: pg.Pool, who: Principal, q: CompiledQuery): Promise<R[]> {
  return (await readScopedAll(pool, who, [q]))[0] as R[];
}

/** The signature that opens a binary COPY (then a flags word and the header extension's length). */
const COPY_SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/**
 * One read-only statement under the principal's scope, its rows as the raw bytes of each field:
 * the statement runs inside `COPY (…) TO STDOUT (FORMAT binary)`, whose fields arrive as the
 * bytes of each value's binary form, never decoded into strings by the driver. For an answer the
 * database writes whole (a page of the change feed, ~4 MB of JSON), decoding it into a string
 * and encoding it back for the socket cost Node more CPU than the rest of the request; a text
 * field comes as its bytes in the client encoding, UTF-8 (set here): exactly the bytes to send.
 * `settings`: SET LOCAL commands sent with the scope. PostgreSQL only (PGlite has no COPY to the
 * client).
 */
export async function copyScopedOnce(
  pool: pg.Pool,
  who: Principal,
  q: CompiledQuery,
  settings = '',
): Promise<(Buffer | null)[][]> {
  const client = await pool.connect();
  try {
    await client.query(`BEGIN; ${scopeSettings(who)}; SET LOCAL client_encoding = 'UTF8'; ${settings}`);
    const chunks: Buffer[] = [];
    for await (const chunk of client.query(copyTo(`COPY (${inlineParameters(q)}) TO STDOUT (FORMAT binary)`)))
      chunks.push(chunk as Buffer);
    await client.query('COMMIT');
    return binaryCopyRows(Buffer.concat(chunks));
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined); // the first error is the one to report
    throw err;
  } finally {
    client.release();
  }
}

/** The rows of a binary COPY's output, each field a view of its bytes (null for NULL). */
export function binaryCopyRows(data: Buffer): (Buffer | null)[][] {
  if (!data.subarray(0, 11).equals(COPY_SIGNATURE)) throw new Error('binary COPY: no signature');
  let at = 15 + 4 + data.readInt32BE(15);
  const rows: (Buffer | null)[][] = [];
  for (;;) {
    const n = data.readInt16BE(at);
    at += 2;
    if (n === -1) return rows;
    const row: (Buffer | null)[] = [];
    for (let i = 0; i < n; i++) {
      const len = data.readInt32BE(at);
      at += 4;
      row.push(len === -1 ? null : data.subarray(at, at + len));
      if (len > 0) at += len;
    }
    rows.push(row);
  }
}
