import { sql, type Kysely } from 'kysely';
import type { AppUser, DB } from '../../db/schema.js';
import type { JurisdictionLevel } from '../../domain/jurisdiction/codes.js';

/** Signing in's reads, on the server's own connection: there is no caller's scope before a session is full. */

export const userByName = (db: Kysely<DB>, username: string): Promise<AppUser | undefined> =>
  db.selectFrom('app_user').selectAll().where('username', '=', username).executeTakeFirst();

export const userById = (db: Kysely<DB>, id: number): Promise<AppUser> =>
  db.selectFrom('app_user').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

/** Until when this account is locked out at this client address (wrong passwords from there), if it ever was. */
export async function addressLockedUntil(db: Kysely<DB>, userId: number, ip: string): Promise<Date | null | undefined> {
  const pair = await db
    .selectFrom('login_throttle')
    .select('locked_until')
    .where('user_id', '=', userId)
    .where('ip', '=', ip)
    .executeTakeFirst();
  return pair?.locked_until;
}

/** The encrypted TOTP secret the session is enrolling (shown as a QR code, not yet confirmed). */
export async function pendingTotpSecret(db: Kysely<DB>, sessionIdHash: string): Promise<string | null> {
  const s = await db
    .selectFrom('user_session')
    .select('totp_pending_enc')
    .where('id_hash', '=', sessionIdHash)
    .executeTakeFirstOrThrow();
  return s.totp_pending_enc;
}

/** The user's own node with its ancestors (names only: the breadcrumb above the tree). */
export async function jurisdictionPath(db: Kysely<DB>, code: string) {
  const path: { code: string; name: string; level: JurisdictionLevel }[] = [];
  let next: string | null = code;
  while (next) {
    const row: { code: string; name: string; level: JurisdictionLevel; parent_code: string | null } = await db
      .selectFrom('jurisdiction')
      .select(['code', 'name', 'level', 'parent_code'])
      .where('code', '=', next)
      .executeTakeFirstOrThrow();
    path.unshift(row);
    next = row.parent_code;
  }
  const self = path[path.length - 1];
  return { code: self.code, name: self.name, level: self.level, path: path.map(({ code, name }) => ({ code, name })) };
}

/** The PBKDF2 iteration count most stored password hashes carry (null before any account has one). */
export async function commonIterations(db: Kysely<DB>): Promise<number | null> {
  const r = await sql<{ it: number }>`SELECT split_part(password_hash, '$', 2)::int AS it FROM app_user
    WHERE password_hash LIKE 'pbkdf2-sm3$%' GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`.execute(db);
  return r.rows[0]?.it ?? null;
}
