import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AppUser, DB, SessionStage } from '../../db/schema.js';
import { sm3Hex } from '../../crypto/sm3.js';
import { requiresTotp } from '../../domain/auth/roles.js';

export const SESSION_COOKIE = 'xgz_sid';

/** Sign-in proceeds: second factor (if enrolled) → forced password change → second-factor enrolment (if required) → full. */
export function nextStage(u: Pick<AppUser, 'must_change_password' | 'totp_enabled' | 'roles'>, requireTotpForAll: boolean, totpVerified: boolean): SessionStage {
  if (u.totp_enabled && !totpVerified) return 'totp';
  if (u.must_change_password) return 'password_change';
  if (!u.totp_enabled && requiresTotp(u.roles, requireTotpForAll)) return 'totp_enrol';
  return 'full';
}

export const hashToken = (token: string): string => sm3Hex(`session:${token}`);

export async function createSession(
  db: Kysely<DB>,
  user: AppUser,
  stage: SessionStage,
  meta: { ip: string | null; userAgent: string | null },
): Promise<{ token: string; csrfToken: string }> {
  const token = crypto.randomBytes(32).toString('base64url');
  const csrfToken = crypto.randomBytes(24).toString('base64url');
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
