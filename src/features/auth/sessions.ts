import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AppUser, DB, SessionStage } from '../../db/schema.js';
import { hashToken } from '../../http/session-token.js';
import { requiresTotp } from '../../domain/auth/roles.js';

export { SESSION_COOKIE, hashToken } from '../../http/session-token.js';

/** Sign-in proceeds: second factor (if enrolled) → forced password change → second-factor enrolment (if required) → full. */
export function nextStage(
  u: Pick<AppUser, 'must_change_password' | 'totp_enabled' | 'roles'>,
  requireTotpForAll: boolean,
  totpVerified: boolean,
): SessionStage {
  if (u.totp_enabled && !totpVerified) return 'totp';
  if (u.must_change_password) return 'password_change';
  if (!u.totp_enabled && requiresTotp(u.roles, requireTotpForAll)) return 'totp_enrol';
  return 'full';
}

/** A session's secret (the cookie; stored only as its hash) and its CSRF token. */
export const newSessionTokens = () => ({
  token: crypto.randomBytes(32).toString('base64url'),
  csrfToken: crypto.randomBytes(24).toString('base64url'),
});

export async function createSession(
  db: Kysely<DB>,
  user: AppUser,
  stage: SessionStage,
  meta: { ip: string | null; userAgent: string | null },
): Promise<{ token: string; csrfToken: string }> {
  const { token, csrfToken } = newSessionTokens();
  await db
    .insertInto('user_session')
    .values({
      id_hash: hashToken(token),
      user_id: user.id,
      scope_key: user.scope_key,
      csrf_token: csrfToken,
      stage,
      ip: meta.ip,
      user_agent: meta.userAgent?.slice(0, 300) ?? null,
    })
    .execute();
  return { token, csrfToken };
}

/** Ends every session of a user (logout everywhere, disabling, role change, password reset). */
export async function endSessionsOf(db: Kysely<DB>, userId: number, except?: string): Promise<number> {
  let q = db.deleteFrom('user_session').where('user_id', '=', userId);
  if (except) q = q.where('id_hash', '<>', except);
  const res = await q.executeTakeFirst();
  return Number(res.numDeletedRows);
}

/**
 * Keeps an account's newest `keep` signed-in sessions and ends the older ones (issue 16,
 * finding 14); returns what it ended, for the audit log. Half-signed-in sessions do not count:
 * they are ended by the idle timeout and by a lock.
 */
export async function endOldestSessions(
  db: Kysely<DB>,
  userId: number,
  keep: number,
): Promise<{ idHash: string; ip: string | null; createdAt: Date }[]> {
  const full = await db
    .selectFrom('user_session')
    .select(['id_hash', 'ip', 'created_at'])
    .where('user_id', '=', userId)
    .where('stage', '=', 'full')
    .orderBy('created_at', 'desc')
    .orderBy('last_seen_at', 'desc')
    .execute();
  const old = full.slice(keep);
  if (old.length)
    await db
      .deleteFrom('user_session')
      .where(
        'id_hash',
        'in',
        old.map((s) => s.id_hash),
      )
      .execute();
  return old.map((s) => ({ idHash: s.id_hash, ip: s.ip, createdAt: s.created_at }));
}

/** Ends every session of an account that has not finished signing in (when the account locks). */
export async function endHalfSignedIn(db: Kysely<DB>, userId: number): Promise<number> {
  const res = await db
    .deleteFrom('user_session')
    .where('user_id', '=', userId)
    .where('stage', '<>', 'full')
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}
