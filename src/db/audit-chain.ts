import { sql, type Kysely, type Transaction } from 'kysely';
import { canonicalJson, sm3Hex } from '../crypto/sm3.js';
import type { AuditLogTable, DB } from './schema.js';

/** Who acts. Requests carry the signed-in user; system work (start-up, CLI) has no user id. */
export type Principal = {
  userId: number | null;
  username: string | null;
  scopeKey: string;
  ip: string | null;
};

export type AuditEntry = {
  action: string;
  objectType?: string;
  objectId?: string | number;
  outcome?: 'success' | 'failure' | 'denied';
  /** before/after values of a change, or what was exported/revealed. Never cleartext personal data. */
  detail?: Record<string, unknown>;
};

type HashedFields = Omit<AuditLogTable, 'id' | 'hash' | 'prev_hash'>;

/** The SM3 hash of a record: its predecessor's hash followed by its content in canonical JSON. */
export function recordHash(prevHash: string, r: HashedFields): string {
  return sm3Hex(
    prevHash +
      canonicalJson({
        at: r.at.toISOString(),
        actor_id: r.actor_id,
        actor_name: r.actor_name,
        scope_key: r.scope_key,
        ip: r.ip,
        action: r.action,
        object_type: r.object_type,
        object_id: r.object_id,
        outcome: r.outcome,
        detail: r.detail ?? null,
      }),
  );
}

/**
 * Appends entries to the chain inside the caller's transaction. The head row is locked
 * until commit, so appends are serialized and a rolled-back change leaves no audit row.
 */
export async function appendAudit(trx: Transaction<DB>, who: Principal, entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const head = await sql<{ last_hash: string }>`SELECT last_hash FROM audit_head WHERE id = 1 FOR UPDATE`.execute(trx);
  let prev = head.rows[0].last_hash;
  const rows = entries.map((e) => {
    const fields: HashedFields = {
      at: new Date(),
      actor_id: who.userId,
      actor_name: who.username,
      scope_key: who.scopeKey,
      ip: who.ip,
      action: e.action,
      object_type: e.objectType ?? null,
      object_id: e.objectId === undefined ? null : String(e.objectId),
      outcome: e.outcome ?? 'success',
      detail: e.detail ?? null,
    };
    const hash = recordHash(prev, fields);
    const row = { ...fields, detail: fields.detail === null ? null : JSON.stringify(fields.detail), prev_hash: prev, hash };
    prev = hash;
    return row;
  });
  // Many rows to a statement (a job's batch audits each case it moves); ids follow the list's order.
  let lastId = 0;
  for (let i = 0; i < rows.length; i += 1000) {
    const ids = await trx.insertInto('audit_log').values(rows.slice(i, i + 1000)).returning('id').execute();
    lastId = Math.max(lastId, ...ids.map((r) => Number(r.id)));
  }
  await trx.updateTable('audit_head').set({ last_id: lastId, last_hash: prev }).where('id', '=', 1).execute();
}

/** Records entries in a transaction of their own (for events with no data change, e.g. a failed login). */
export const recordAudit = (db: Kysely<DB>, who: Principal, ...entries: AuditEntry[]): Promise<void> =>
  db.transaction().execute((trx) => appendAudit(trx, who, entries));

export type VerifyResult = { ok: true; count: number } | { ok: false; count: number; brokenId: number; reason: string };

/** Walks the whole chain in id order; names the first record whose hash or link does not hold. */
export async function verifyAuditChain(db: Kysely<DB>, batch = 5000): Promise<VerifyResult> {
  let prev = '0'.repeat(64);
  let afterId = 0;
  let count = 0;
  for (;;) {
    const rows = await db.selectFrom('audit_log').selectAll().where('id', '>', afterId).orderBy('id').limit(batch).execute();
    for (const r of rows) {
      if (r.prev_hash !== prev) return { ok: false, count, brokenId: r.id, reason: '与前一条记录的链接不符（前面的记录被删除或改动）' };
      if (recordHash(prev, r) !== r.hash) return { ok: false, count, brokenId: r.id, reason: '记录内容与其哈希不符（记录被改动）' };
      prev = r.hash;
      afterId = r.id;
      count++;
    }
    if (rows.length < batch) break;
  }
  const head = await db.selectFrom('audit_head').selectAll().executeTakeFirstOrThrow();
  if (head.last_hash !== prev) {
    return { ok: false, count, brokenId: head.last_id, reason: '链尾与记录不符（末尾的记录被删除）' };
  }
  return { ok: true, count };
}
