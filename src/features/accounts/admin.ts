import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { recordAudit } from '../../db/audit-chain.js';
import { hashPassword } from '../../crypto/password.js';
import { endSessionsOf } from '../auth/index.js';
import { temporaryPassword } from './service.js';

/**
 * What the server's operator does with `xgz user …`, outside any duty holder's reach: the only
 * way to reset a duty account (三员) and one way to unlock any account. Each step is audited as
 * done by the system through the command line.
 */
const SYSTEM = { userId: null, username: 'system', scopeKey: '', ip: null };

const find = (db: Kysely<DB>, username: string) => db.selectFrom('app_user').select(['id', 'scope_key']).where('username', '=', username).executeTakeFirst();

/** Clears the account's own lock and every address lock; false when there is no such account. */
export async function unlockAccount(db: Kysely<DB>, username: string): Promise<boolean> {
  const u = await find(db, username);
  if (!u) return false;
  await db.updateTable('app_user').set({ failed_logins: 0, locked_until: null }).where('id', '=', u.id).execute();
  const cleared = await db.deleteFrom('login_throttle').where('user_id', '=', u.id).executeTakeFirst();
  await recordAudit(db, SYSTEM, { action: 'account.unlock', objectType: 'user', objectId: u.id, detail: { via: 'cli', addressLocks: Number(cleared.numDeletedRows) } });
  return true;
}

/** A one-time password (printed to the operator only), forced change at next sign-in, locks cleared, sessions ended. */
export async function resetPasswordOnServer(db: Kysely<DB>, username: string, iterations?: number): Promise<string | null> {
  const u = await find(db, username);
  if (!u) return null;
  const password = temporaryPassword();
  await db.updateTable('app_user').set({ password_hash: await hashPassword(password, iterations), must_change_password: true, failed_logins: 0, locked_until: null, updated_at: new Date() }).where('id', '=', u.id).execute();
  await db.deleteFrom('login_throttle').where('user_id', '=', u.id).execute();
  const ended = await endSessionsOf(db, u.id);
  await recordAudit(db, SYSTEM, { action: 'account.reset_password', objectType: 'user', objectId: u.id, detail: { via: 'cli', sessionsEnded: ended } });
  return password;
}

/** Unbinds the TOTP secret (lost phone): the next sign-in enrols a new one. */
export async function resetTotpOnServer(db: Kysely<DB>, username: string): Promise<boolean> {
  const u = await find(db, username);
  if (!u) return false;
  await db.updateTable('app_user').set({ totp_enabled: false, totp_secret_enc: null, totp_last_step: null, updated_at: new Date() }).where('id', '=', u.id).execute();
  const ended = await endSessionsOf(db, u.id);
  await recordAudit(db, SYSTEM, { action: 'account.reset_totp', objectType: 'user', objectId: u.id, detail: { via: 'cli', sessionsEnded: ended } });
  return true;
}
