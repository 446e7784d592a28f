import type { Kysely, Selectable } from 'kysely';
import type { AppUserTable, DB } from '../../db/schema.js';
import type { Scoped } from '../../db/scoped.js';
import type { Binding } from '../../domain/auth/binding.js';
import { notFound } from '../../http/errors.js';
import { endSessionsOf } from '../auth/index.js';
import type { AccountRow } from './queries.js';

/** The account writes done through the API: each records its audit line in the caller's transaction. */

type User = Selectable<AppUserTable>;
type Node = { code: string; scope_key: string };
export type NewAccount = { username: string; displayName: string; roles: string[] };
export type AccountChange = { displayName?: string; roles?: string[]; disabled?: boolean };

const snapshot = (u: User) => ({
  displayName: u.display_name,
  jurisdictionCode: u.jurisdiction_code,
  roles: u.roles,
  disabled: u.disabled,
  platformId: u.bound_platform_id,
  orgId: u.bound_org_id,
  instructorId: u.bound_instructor_id,
});

/** A new account that must change its (unseen) password before it can work. */
export async function insertAccount(
  { db, audit }: Scoped,
  b: NewAccount,
  node: Node,
  binding: Binding,
  passwordHash: string,
): Promise<User> {
  const row = await db
    .insertInto('app_user')
    .values({
      username: b.username,
      display_name: b.displayName,
      jurisdiction_code: node.code,
      scope_key: node.scope_key,
      roles: b.roles,
      password_hash: passwordHash,
      must_change_password: true,
      bound_platform_id: binding.platformId,
      bound_org_id: binding.orgId,
      bound_instructor_id: binding.instructorId,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  audit({
    action: 'account.create',
    objectType: 'user',
    objectId: row.id,
    detail: { after: { username: row.username, ...snapshot(row) } },
  });
  return row;
}

/** Changes the account (fields left out keep their value); a change of access ends its sessions. */
export async function updateAccountRecord(
  { db, audit }: Scoped,
  before: AccountRow,
  b: AccountChange,
  node: Node | null,
  binding: Binding,
  accessChanged: boolean,
): Promise<User> {
  const row = await db
    .updateTable('app_user')
    .set({
      display_name: b.displayName ?? before.display_name,
      roles: b.roles ?? before.roles,
      disabled: b.disabled ?? before.disabled,
      jurisdiction_code: node?.code ?? before.jurisdiction_code,
      scope_key: node?.scope_key ?? before.scope_key,
      bound_platform_id: binding.platformId,
      bound_org_id: binding.orgId,
      bound_instructor_id: binding.instructorId,
      updated_at: new Date(),
    })
    .where('id', '=', before.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  const ended = accessChanged ? await endSessionsOf(db, row.id) : 0;
  audit({
    action: 'account.update',
    objectType: 'user',
    objectId: row.id,
    detail: { before: snapshot(before), after: snapshot(row), sessionsEnded: ended },
  });
  return row;
}

// A reset, an unlock and a TOTP unbinding are the same statements on the command line (admin.ts), which
// audits them as the system: each returns what its audit line reports.

/** Sets a one-time password (forced change at next sign-in), clears the locks and ends the sessions: how many. */
export async function setOneTimePassword(db: Kysely<DB>, userId: number, passwordHash: string): Promise<number> {
  await db
    .updateTable('app_user')
    .set({
      password_hash: passwordHash,
      must_change_password: true,
      failed_logins: 0,
      locked_until: null,
      updated_at: new Date(),
    })
    .where('id', '=', userId)
    .execute();
  await db.deleteFrom('login_throttle').where('user_id', '=', userId).execute();
  return endSessionsOf(db, userId);
}

/** Clears the account's own lock and every address lock (how many of those there were). */
export async function clearLocks(db: Kysely<DB>, userId: number): Promise<{ row: User; addressLocks: number }> {
  const row = await db
    .updateTable('app_user')
    .set({ failed_logins: 0, locked_until: null, updated_at: new Date() })
    .where('id', '=', userId)
    .returningAll()
    .executeTakeFirstOrThrow();
  const cleared = await db.deleteFrom('login_throttle').where('user_id', '=', userId).executeTakeFirst();
  return { row, addressLocks: Number(cleared.numDeletedRows) };
}

/** Unbinds the TOTP secret (lost phone) and ends the sessions (how many): the next sign-in enrols a new one. */
export async function unbindTotp(db: Kysely<DB>, userId: number): Promise<{ row: User; sessionsEnded: number }> {
  const row = await db
    .updateTable('app_user')
    .set({ totp_enabled: false, totp_secret_enc: null, totp_last_step: null, updated_at: new Date() })
    .where('id', '=', userId)
    .returningAll()
    .executeTakeFirstOrThrow();
  return { row, sessionsEnded: await endSessionsOf(db, userId) };
}

/** The API's reset: a one-time password the security administrator hands over. */
export async function resetAccountPassword({ db, audit }: Scoped, userId: number, passwordHash: string): Promise<void> {
  const ended = await setOneTimePassword(db, userId, passwordHash);
  audit({
    action: 'account.reset_password',
    objectType: 'user',
    objectId: userId,
    detail: { sessionsEnded: ended, oneTimePassword: true },
  });
}

/** The API's unlock. */
export async function clearAccountLocks({ db, audit }: Scoped, userId: number): Promise<User> {
  const { row, addressLocks } = await clearLocks(db, userId);
  audit({ action: 'account.unlock', objectType: 'user', objectId: userId, detail: { addressLocks } });
  return row;
}

/** The API's TOTP unbinding. */
export async function unbindAccountTotp({ db, audit }: Scoped, userId: number): Promise<User> {
  const { row, sessionsEnded } = await unbindTotp(db, userId);
  audit({ action: 'account.reset_totp', objectType: 'user', objectId: userId, detail: { sessionsEnded } });
  return row;
}

/** Signs one session out (forced logout); 404 when it is already gone. */
export async function forceLogout({ db, audit }: Scoped, sessionId: string): Promise<void> {
  const s = await db
    .deleteFrom('user_session')
    .where('id_hash', '=', sessionId)
    .returning(['user_id'])
    .executeTakeFirst();
  if (!s) throw notFound('会话');
  audit({ action: 'session.force_logout', objectType: 'user', objectId: s.user_id });
}
