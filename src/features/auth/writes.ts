import { sql, type Kysely } from 'kysely';
import type { AppUser, DB, SessionStage } from '../../db/schema.js';
import { lockMinutes } from '../../domain/auth/lockout.js';
import { endSessionsOf, hashToken, newSessionTokens } from './sessions.js';

/**
 * Signing in's writes, on the server's own connection (no caller's scope yet). Each is one step
 * of the sign-in; the route records the audit line after it, as before.
 */

type Db = Kysely<DB>;

export async function recordLoginHistory(
  db: Db,
  u: Pick<AppUser, 'id' | 'scope_key'>,
  client: { ip: string; userAgent: string | null },
  outcome: string,
): Promise<void> {
  await db
    .insertInto('login_history')
    .values({ user_id: u.id, scope_key: u.scope_key, ip: client.ip, user_agent: client.userAgent, outcome })
    .execute();
}

/**
 * One password attempt for this account from this address, counted before the password is checked:
 * its number since the last success or lock here, and the locks so far. Attempts sent at once were
 * all checked before any was counted (round-19 probe); counted first, those past the threshold are
 * refused unchecked. Failures a day old are forgotten first (and the table stays small under a spray
 * from many addresses).
 */
export async function countAddressAttempt(
  db: Db,
  u: Pick<AppUser, 'id' | 'scope_key'>,
  ip: string,
): Promise<{ attempt: number; locks: number }> {
  await db
    .deleteFrom('login_throttle')
    .where('updated_at', '<', new Date(Date.now() - 86_400_000))
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', new Date())]))
    .execute();
  const row = await db
    .insertInto('login_throttle')
    .values({ user_id: u.id, ip, scope_key: u.scope_key, failures: 1 })
    .onConflict((oc) =>
      oc
        .columns(['user_id', 'ip'])
        .doUpdateSet({ failures: sql`login_throttle.failures + 1`, updated_at: new Date() })
        // Not while locked: a request that found the address open, then counted after the threshold's
        // lock had reset the count, was checked as the first of a new round (seen under load on Citus).
        .where((eb) =>
          eb.or([eb('login_throttle.locked_until', 'is', null), eb('login_throttle.locked_until', '<=', new Date())]),
        ),
    )
    .returning(['failures', 'locks'])
    .executeTakeFirst();
  return row ? { attempt: row.failures, locks: row.locks } : { attempt: Infinity, locks: 0 };
}

/** The attempt at the threshold was wrong: this address is locked out of the account, each time twice as long (minutes returned). */
export async function lockAddress(
  db: Db,
  userId: number,
  ip: string,
  locks: number,
  sec: { lockoutMinutes: number },
): Promise<number> {
  const minutes = lockMinutes(locks + 1, sec.lockoutMinutes);
  await db
    .updateTable('login_throttle')
    .set({
      failures: 0,
      locks: locks + 1,
      locked_until: new Date(Date.now() + minutes * 60_000),
      updated_at: new Date(),
    })
    .where('user_id', '=', userId)
    .where('ip', '=', ip)
    .execute();
  return minutes;
}

/**
 * One attempt at a second factor (a dynamic code, or the current password inside a session),
 * counted on the account before it is checked, in one statement: attempts sent at once are counted
 * one by one (each read the count before any had written it, and twelve wrong codes at once were
 * all tried without a lock, round-19 probe). The attempt that reaches the threshold sets the lock
 * while it is checked, so the ones behind it are refused; it lifts the lock again if it passes
 * (`settleSecondFactor`). Null: the account is locked, this attempt is not made.
 */
export async function countSecondFactorAttempt(
  db: Db,
  userId: number,
  sec: { lockoutThreshold: number; lockoutMinutes: number },
): Promise<{ attempt: number } | null> {
  const now = new Date();
  const row = await db
    .updateTable('app_user')
    .set({
      failed_logins: sql`failed_logins + 1`,
      locked_until: sql`CASE WHEN failed_logins + 1 >= ${sec.lockoutThreshold} THEN ${new Date(now.getTime() + sec.lockoutMinutes * 60_000)}::timestamptz ELSE locked_until END`,
    })
    .where('id', '=', userId)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
    .returning('failed_logins')
    .executeTakeFirst();
  return row ? { attempt: row.failed_logins } : null;
}

/** A wrong second factor at the threshold: the lock its attempt set stands, and the count restarts. */
export async function lockAfterSecondFactor(db: Db, userId: number): Promise<void> {
  await db.updateTable('app_user').set({ failed_logins: 0 }).where('id', '=', userId).execute();
}

/** A right second factor: the failures before it are forgiven and a lock its attempt set is lifted. */
export async function settleSecondFactor(db: Db, userId: number): Promise<void> {
  await db.updateTable('app_user').set({ failed_logins: 0, locked_until: null }).where('id', '=', userId).execute();
}

/**
 * A TOTP code's step taken, once: false when this step (or a later one) was taken already, also by
 * a request at the same moment (two sessions sent one code at once and both signed in, round-19 probe).
 */
export async function takeTotpStep(db: Db, userId: number, step: number): Promise<boolean> {
  const row = await db
    .updateTable('app_user')
    .set({ totp_last_step: step })
    .where('id', '=', userId)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
    .returning('id')
    .executeTakeFirst();
  return !!row;
}

/** The right password from this address: its failures there are forgotten. */
export async function clearAddressFailures(db: Db, userId: number, ip: string): Promise<void> {
  await db.deleteFrom('login_throttle').where('user_id', '=', userId).where('ip', '=', ip).execute();
}

/** The sign-in time; the second-factor failure count resets only when no second factor is still to come (`resetFailures`). */
export async function markSignedIn(db: Db, userId: number, resetFailures: boolean): Promise<void> {
  await db
    .updateTable('app_user')
    .set({ last_login_at: new Date(), ...(resetFailures ? { failed_logins: 0 } : {}) })
    .where('id', '=', userId)
    .execute();
}

/**
 * The session moves to its next sign-in stage under a new token and CSRF token; the old token
 * names nothing any more. A step of the sign-in (dynamic code, password change, code enrolment)
 * raises what the session may do, so a token that was seen before the step — planted in the
 * browser, or read off it — must not carry over (round-10 probe: a password change kept the token
 * it was made with, so whoever held that token stayed signed in under the new password).
 */
export async function advanceSession(
  db: Db,
  sessionIdHash: string,
  stage: SessionStage,
): Promise<{ token: string; idHash: string; csrfToken: string }> {
  const { token, csrfToken } = newSessionTokens();
  const idHash = hashToken(token);
  await db
    .updateTable('user_session')
    .set({ id_hash: idHash, csrf_token: csrfToken, stage, totp_pending_enc: null })
    .where('id_hash', '=', sessionIdHash)
    .execute();
  return { token, idHash, csrfToken };
}

/** The user's own new password: the other sessions end and every address lock of the account clears. */
export async function setOwnPassword(
  db: Db,
  userId: number,
  passwordHash: string,
  keepSession: string,
): Promise<AppUser> {
  const updated = await db
    .updateTable('app_user')
    .set({
      password_hash: passwordHash,
      must_change_password: false,
      password_changed_at: new Date(),
      failed_logins: 0,
      updated_at: new Date(),
    })
    .where('id', '=', userId)
    .returningAll()
    .executeTakeFirstOrThrow();
  await endSessionsOf(db, userId, keepSession);
  await db.deleteFrom('login_throttle').where('user_id', '=', userId).execute();
  return updated;
}

/** Keeps a new TOTP secret (encrypted) on the session until a code from it confirms the enrolment. */
export async function holdPendingTotp(db: Db, sessionIdHash: string, secretEnc: string): Promise<void> {
  await db
    .updateTable('user_session')
    .set({ totp_pending_enc: secretEnc })
    .where('id_hash', '=', sessionIdHash)
    .execute();
}

/** Binds the confirmed TOTP secret (encrypted) to the account, with the step just used. */
export async function bindTotp(db: Db, userId: number, secretEnc: string, step: number): Promise<AppUser> {
  return db
    .updateTable('app_user')
    .set({ totp_secret_enc: secretEnc, totp_enabled: true, totp_last_step: step, updated_at: new Date() })
    .where('id', '=', userId)
    .returningAll()
    .executeTakeFirstOrThrow();
}
