import { sql, type Kysely, type Transaction } from 'kysely';
import { canonicalJson, hmacSm3, sm3Hex } from '../crypto/sm3.js';
import type { AuditLogTable, DB } from './schema.js';

/** Who acts. Requests carry the signed-in user; system work (start-up, CLI) has no user id. */
export type Principal = {
  userId: number | null;
  username: string | null;
  scopeKey: string;
  ip: string | null;
  /** An account bound to a unit or an instructor record (xgz.bound, see domain/auth/binding.ts). */
  bound?: string;
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

/**
 * The audit key of each database handle (HMAC-SM3, derived from the master key, which lives
 * outside the database). Registered where a context is built (openContext, buildApp); a write to
 * the chain through a handle without one is refused rather than written unkeyed.
 */
const auditKeys = new WeakMap<object, Buffer>();
export const registerAuditKey = (db: Kysely<DB>, key: Buffer): void => void auditKeys.set(db, key);
export function auditKeyOf(db: Kysely<DB>): Buffer {
  const key = auditKeys.get(db);
  if (!key) throw new Error('audit key not registered for this database handle (registerAuditKey)');
  return key;
}

/**
 * A record's link: its predecessor's hash followed by its content in canonical JSON, under
 * HMAC-SM3 with the audit key (records from audit_head.keyed_from on), or plain SM3 for the
 * records written before the chain was keyed (migration 0026).
 */
export function recordHash(prevHash: string, r: HashedFields, key?: Buffer | null): string {
  const text =
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
    });
  return key ? hmacSm3(key, text).toString('hex') : sm3Hex(text);
}

/** Serializes appends for the whole database (held to commit), without UPDATE on audit_head. */
const AUDIT_LOCK = 0x78677a41; // 'xgzA'

/**
 * Appends entries to the chain inside the caller's transaction. The head row is locked
 * until commit, so appends are serialized and a rolled-back change leaves no audit row.
 */
export async function appendAudit(
  trx: Transaction<DB>,
  who: Principal,
  entries: AuditEntry[],
  key: Buffer,
): Promise<void> {
  if (entries.length === 0) return;
  await sql`SELECT pg_advisory_xact_lock(${AUDIT_LOCK})`.execute(trx);
  const head = await sql<{ last_hash: string }>`SELECT last_hash FROM audit_head WHERE id = 1`.execute(trx);
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
    const hash = recordHash(prev, fields, key);
    const row = {
      ...fields,
      detail: fields.detail === null ? null : JSON.stringify(fields.detail),
      prev_hash: prev,
      hash,
    };
    prev = hash;
    return row;
  });
  // Many rows to a statement (a job's batch audits each case it moves); ids follow the list's order.
  // The head follows in the database (trigger audit_log_head), which also refuses a broken link.
  for (let i = 0; i < rows.length; i += 1000)
    await trx
      .insertInto('audit_log')
      .values(rows.slice(i, i + 1000))
      .execute();
}

/** Records entries in a transaction of their own (for events with no data change, e.g. a failed login). */
export const recordAudit = (db: Kysely<DB>, who: Principal, ...entries: AuditEntry[]): Promise<void> => {
  const key = auditKeyOf(db);
  return db.transaction().execute((trx) => appendAudit(trx, who, entries, key));
};

export type VerifyResult =
  | { ok: true; count: number; keyedFrom: number; anchors: number }
  | { ok: false; count: number; brokenId: number; reason: string };

/** A point of the chain recorded outside the database (see audit-anchor.ts). */
export type Anchor = { lastId: number; lastHash: string; keyedFrom: number };

/**
 * Walks the whole chain in id order; names the first record whose hash or link does not hold.
 * Records before audit_head.keyed_from are checked as plain SM3, the rest as HMAC-SM3 under the
 * audit key. Anchors (heads recorded outside the database) must each still be on the chain, and
 * agree on where the keyed part starts: rewriting the table and recomputing cannot satisfy them.
 */
export async function verifyAuditChain(db: Kysely<DB>, batch = 5000, anchors: Anchor[] = []): Promise<VerifyResult> {
  const key = auditKeyOf(db);
  const head = await db.selectFrom('audit_head').selectAll().executeTakeFirstOrThrow();
  const keyedFrom = Number(head.keyed_from);
  for (const a of anchors) {
    if (a.keyedFrom !== keyedFrom)
      return {
        ok: false,
        count: 0,
        brokenId: keyedFrom,
        reason: `链的加密起点与库外锚点不符（锚点记为第 ${a.keyedFrom} 条，库中为第 ${keyedFrom} 条）`,
      };
  }
  const anchored = new Map<number, string>();
  for (const a of anchors) if (a.lastId > 0) anchored.set(a.lastId, a.lastHash);
  let prev = '0'.repeat(64);
  let afterId = 0;
  let count = 0;
  for (;;) {
    const rows = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(batch)
      .execute();
    for (const r of rows) {
      if (r.prev_hash !== prev)
        return { ok: false, count, brokenId: r.id, reason: '与前一条记录的链接不符（前面的记录被删除或改动）' };
      if (recordHash(prev, r, r.id >= keyedFrom ? key : null) !== r.hash)
        return { ok: false, count, brokenId: r.id, reason: '记录内容与其哈希不符（记录被改动）' };
      const a = anchored.get(r.id);
      if (a !== undefined) {
        if (a !== r.hash) return { ok: false, count, brokenId: r.id, reason: '记录与库外锚点不符（链被改写）' };
        anchored.delete(r.id);
      }
      prev = r.hash;
      afterId = r.id;
      count++;
    }
    if (rows.length < batch) break;
  }
  if (anchored.size) {
    const id = Math.min(...anchored.keys());
    return { ok: false, count, brokenId: id, reason: '库外锚点记录的第 ' + id + ' 条已不在链上（记录被删除）' };
  }
  const last = await db.selectFrom('audit_head').selectAll().executeTakeFirstOrThrow();
  if (last.last_hash !== prev) {
    return { ok: false, count, brokenId: last.last_id, reason: '链尾与记录不符（末尾的记录被删除）' };
  }
  return { ok: true, count, keyedFrom, anchors: anchors.length };
}
