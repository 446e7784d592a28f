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
  return db.transaction().execute(async (trx) => {
    await sql`SELECT set_config('xgz.scope', ${who.scopeKey}, true), set_config('xgz.user_id', ${String(who.userId ?? '')}, true)`.execute(trx);
    await sql`SET LOCAL ROLE xgz_app`.execute(trx);
    const entries: AuditEntry[] = [];
    const result = await fn({ db: trx, who, audit: (e) => entries.push(e) });
    await appendAudit(trx, who, entries);
    return result;
  });
}
