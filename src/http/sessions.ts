import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';

/**
 * The session rows the request hook reads and keeps (a session is named by its token's hash),
 * on the server's own connection: a request names its session before there is a scope to run in.
 */
type Db = Kysely<DB>;

/** The session and its account, with the scope of the account's node. */
export const sessionOf = (db: Db, idHash: string) =>
  db
    .selectFrom('user_session as s')
    .innerJoin('app_user as u', 'u.id', 's.user_id')
    .innerJoin('jurisdiction as j', 'j.code', 'u.jurisdiction_code')
    .select([
      's.id_hash',
      's.stage',
      's.csrf_token',
      's.created_at',
      's.last_seen_at',
      'u.id',
      'u.username',
      'u.display_name',
      'u.roles',
      'u.disabled',
      'u.jurisdiction_code',
      'j.scope_key',
      'u.bound_platform_id',
      'u.bound_org_id',
      'u.bound_instructor_id',
    ])
    .where('s.id_hash', '=', idHash)
    .executeTakeFirst();

/** Ends one session (expired, its account disabled, a sign-out, or a half-signed-in session that met a lock). */
export async function endSession(db: Db, idHash: string): Promise<void> {
  await db.deleteFrom('user_session').where('id_hash', '=', idHash).execute();
}

/** The session was used now: its idle time starts again. */
export async function touchSession(db: Db, idHash: string): Promise<void> {
  await db.updateTable('user_session').set({ last_seen_at: new Date() }).where('id_hash', '=', idHash).execute();
}
