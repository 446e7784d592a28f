import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { recordAudit } from '../../db/audit-chain.js';
import { hashPassword } from '../../crypto/password.js';
import { temporaryPassword } from './service.js';
import { endSessionsOf } from '../auth/index.js';
import { clearLocks, setOneTimePassword, unbindTotp } from './writes.js';

/**
 * What the server's operator does with `xgz user …`, outside any duty holder's reach: the only
 * way to reset a duty account (三员) and one way to unlock any account. Each step is audited as
 * done by the system through the command line.
 */
const SYSTEM = { userId: null, username: 'system', scopeKey: '', ip: null };

const find = (db: Kysely<DB>, username: string) =>
  db.selectFrom('app_user').select(['id', 'scope_key']).where('username', '=', username).executeTakeFirst();

/** Clears the account's own lock and every address lock; false when there is no such account. */
export async function unlockAccount(db: Kysely<DB>, username: string): Promise<boolean> {
  const u = await find(db, username);
  if (!u) return false;
  const { addressLocks } = await clearLocks(db, u.id);
  await recordAudit(db, SYSTEM, {
    action: 'account.unlock',
    objectType: 'user',
    objectId: u.id,
    detail: { via: 'cli', addressLocks },
  });
  return true;
}

/** A one-time password (printed to the operator only), forced change at next sign-in, locks cleared, sessions ended. */
export async function resetPasswordOnServer(
  db: Kysely<DB>,
  username: string,
  iterations?: number,
): Promise<string | null> {
  const u = await find(db, username);
  if (!u) return null;
  const password = temporaryPassword();
  const ended = await setOneTimePassword(db, u.id, await hashPassword(password, iterations));
  await recordAudit(db, SYSTEM, {
    action: 'account.reset_password',
    objectType: 'user',
    objectId: u.id,
    detail: { via: 'cli', sessionsEnded: ended },
  });
  return password;
}

/** Unbinds the TOTP secret (lost phone): the next sign-in enrols a new one. */
export async function resetTotpOnServer(db: Kysely<DB>, username: string): Promise<boolean> {
  const u = await find(db, username);
  if (!u) return false;
  const { sessionsEnded } = await unbindTotp(db, u.id);
  await recordAudit(db, SYSTEM, {
    action: 'account.reset_totp',
    objectType: 'user',
    objectId: u.id,
    detail: { via: 'cli', sessionsEnded },
  });
  return true;
}

/** Disables (sessions ended) or enables an account — for a duty account the only way; false when there is no such account. */
export async function setDisabledOnServer(db: Kysely<DB>, username: string, disabled: boolean): Promise<boolean> {
  const u = await find(db, username);
  if (!u) return false;
  await db.updateTable('app_user').set({ disabled, updated_at: new Date() }).where('id', '=', u.id).execute();
  const ended = disabled ? await endSessionsOf(db, u.id) : 0;
  await recordAudit(db, SYSTEM, {
    action: 'account.update',
    objectType: 'user',
    objectId: u.id,
    detail: { after: { disabled }, via: 'cli', sessionsEnded: ended },
  });
  return true;
}
