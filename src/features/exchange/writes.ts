import crypto from 'node:crypto';
import type { Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Node } from '../../db/subtree.js';
import type { ImportKind } from '../imports/index.js';

/**
 * The exchange's writes: a service account issued and changed (the routes check each change and
 * refuse a write their scope filtered out), and a delivered batch recorded against its job.
 */
type Tx = Transaction<DB>;

/**
 * A service account: a disabled, roleless user that cannot sign in (it has no password), and the
 * account row with its token's keyed hash. Returns its id (the user's).
 */
export async function issueServiceAccount(
  db: Tx,
  v: {
    name: string;
    note: string | null;
    node: Node;
    permissions: string[];
    tokenHash: string;
    tokenHint: string;
    expiresAt: Date;
    ipAllowlist: string[];
    ratePerMinute: number;
    by: number;
  },
): Promise<number> {
  const u = await db
    .insertInto('app_user')
    .values({
      username: `svc-${crypto.randomBytes(6).toString('hex')}`,
      display_name: v.name,
      jurisdiction_code: v.node.code,
      scope_key: v.node.scope_key,
      roles: [],
      password_hash: '!service-account',
      must_change_password: false,
      disabled: true,
      is_service: true,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('service_account')
    .values({
      user_id: u.id,
      name: v.name,
      note: v.note,
      jurisdiction_code: v.node.code,
      scope_key: v.node.scope_key,
      permissions: v.permissions,
      token_hash: v.tokenHash,
      token_hint: v.tokenHint,
      expires_at: v.expiresAt,
      ip_allowlist: v.ipAllowlist,
      rate_per_minute: v.ratePerMinute,
      created_by: v.by,
    })
    .execute();
  return u.id;
}

/** Changes what was sent of an account's note, permissions, expiry, allowlist and rate. */
export const amendServiceAccount = (
  db: Tx,
  id: number,
  c: { note?: string | null; permissions?: string[]; expiresAt?: Date; ipAllowlist?: string[]; ratePerMinute?: number },
) =>
  db
    .updateTable('service_account')
    .set({
      ...(c.note !== undefined ? { note: c.note } : {}),
      ...(c.permissions ? { permissions: c.permissions } : {}),
      ...(c.expiresAt ? { expires_at: c.expiresAt } : {}),
      ...(c.ipAllowlist ? { ip_allowlist: c.ipAllowlist } : {}),
      ...(c.ratePerMinute ? { rate_per_minute: c.ratePerMinute } : {}),
      // What the account may do, from where, how often and until when was confirmed by the business
      // side (its terms): a change asks again (expiry and rate too, round-5 probe).
      ...(c.permissions || c.ipAllowlist || c.expiresAt || c.ratePerMinute
        ? { confirmed_at: null, confirmed_by: null }
        : {}),
      updated_at: new Date(),
    })
    .where('user_id', '=', id)
    .executeTakeFirst();

/** Revokes an account not yet revoked. */
export const revokeAccount = (db: Tx, id: number, by: number, reason: string) =>
  db
    .updateTable('service_account')
    .set({ revoked_at: new Date(), revoked_by: by, revoke_reason: reason, updated_at: new Date() })
    .where('user_id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();

/** Registers an account's client certificate in place of any before it (to be confirmed again); null removes it. */
export const setCertificate = (
  db: Tx,
  id: number,
  c: { fingerprint: string; subject: string | null; notAfter: Date | null } | null,
) =>
  db
    .updateTable('service_account')
    .set({
      cert_fingerprint: c?.fingerprint ?? null,
      cert_subject: c?.subject ?? null,
      cert_not_after: c?.notAfter ?? null,
      ...(c ? { confirmed_at: null, confirmed_by: null } : {}),
      updated_at: new Date(),
    })
    .where('user_id', '=', id)
    .executeTakeFirst();

/** The business side confirms the account and takes its new token (the old one stops working at once). */
export const confirmWithToken = (db: Tx, id: number, hash: string, hint: string, by: number) =>
  db
    .updateTable('service_account')
    .set({ token_hash: hash, token_hint: hint, confirmed_at: new Date(), confirmed_by: by, updated_at: new Date() })
    .where('user_id', '=', id)
    .executeTakeFirst();

/** A delivered batch: the account's batch id, what it was delivered as, and the job that imports it. */
export const recordBatch = (
  db: Tx,
  v: { accountId: number; batch: string; kind: ImportKind; bodyHash: string; jobId: number; scopeKey: string },
) =>
  db
    .insertInto('exchange_batch')
    .values({
      account_id: v.accountId,
      batch_id: v.batch,
      kind: v.kind,
      body_hash: v.bodyHash,
      job_id: v.jobId,
      scope_key: v.scopeKey,
    })
    .execute();
