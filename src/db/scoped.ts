import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from './schema.js';
import { appendAudit, type AuditEntry, type Principal } from './audit-chain.js';

/** What a feature gets to work with: a transaction limited to the principal's subtree, and the audit buffer. */
export type Scoped = {
  db: Transaction<DB>;
  who: Principal;
  audit(entry: AuditEntry): void;
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
  return db.connection().execute(async (conn) => {
    // BEGIN and the scope in one round trip (a statement without parameters, so the simple
    // protocol, which takes several): the scope, the user, then the role (set_config('role') is
    // SET LOCAL ROLE). Every request pays its round trips twice in system calls, client and server.
    await sql.raw(`BEGIN; SELECT set_config('xgz.scope', ${literal(who.scopeKey)}, true), set_config('xgz.user_id', ${literal(String(who.userId ?? ''))}, true), set_config('role', 'xgz_app', true)`).execute(conn);
    try {
      const trx = conn as Transaction<DB>;
      const entries: AuditEntry[] = [];
      const result = await fn({ db: trx, who, audit: (e) => entries.push(e) });
      await appendAudit(trx, who, entries);
      await sql.raw('COMMIT').execute(conn);
      return result;
    } catch (err) {
      await sql.raw('ROLLBACK').execute(conn).catch(() => undefined); // the first error is the one to report
      throw err;
    }
  });
}

/** A string as an SQL literal (standard_conforming_strings is on: only quotes are doubled). */
const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;
