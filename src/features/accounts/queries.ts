import { sql, type Selectable, type Transaction } from 'kysely';
import type { AppUserTable, DB } from '../../db/schema.js';
import { notFound } from '../../http/errors.js';
import { containing, offsetOf } from '../../http/paging.js';

/** The account pages' reads: people's accounts only — service accounts (other systems' tokens) have their own page (系统对接). */

type Tx = Transaction<DB>;
type Page = { page: number; pageSize: number };
export type AccountRow = Selectable<AppUserTable> & { jurisdiction_name: string; address_locked?: boolean };
export type AccountFilters = { q?: string; role?: string; disabled?: string };

/** Whether some address is currently locked out of the account (wrong passwords from there). */
const addressLocked =
  sql<boolean>`EXISTS (SELECT 1 FROM login_throttle t WHERE t.user_id = u.id AND t.locked_until > now())`.as(
    'address_locked',
  );
const accounts = (db: Tx) =>
  db
    .selectFrom('app_user as u')
    .innerJoin('jurisdiction as j', 'j.code', 'u.jurisdiction_code')
    .where('u.is_service', '=', false);

/** One account with its node's name; 404 when there is none (or it is a service account). */
export async function accountRow(db: Tx, id: number): Promise<AccountRow> {
  const u = await accounts(db)
    .selectAll('u')
    .select(['j.name as jurisdiction_name', addressLocked])
    .where('u.id', '=', id)
    .executeTakeFirst();
  if (!u) throw notFound('账号');
  return u;
}

/** A page of accounts matching the filters, with the count of all matching. */
export async function accountPage(db: Tx, f: AccountFilters, p: Page): Promise<{ rows: AccountRow[]; total: number }> {
  let base = accounts(db);
  if (f.q) {
    const like = containing(f.q);
    base = base.where((eb) => eb.or([eb('u.username', 'like', like), eb('u.display_name', 'like', like)]));
  }
  if (f.role) base = base.where(sql<boolean>`${f.role} = ANY(u.roles)`);
  if (f.disabled) base = base.where('u.disabled', '=', f.disabled === 'true');
  const [{ total }] = await base.select(sql<number>`count(*)::int`.as('total')).execute();
  const rows = await base
    .selectAll('u')
    .select(['j.name as jurisdiction_name', addressLocked])
    .orderBy('u.scope_key')
    .orderBy('u.username')
    .limit(p.pageSize)
    .offset(offsetOf(p))
    .execute();
  return { rows, total };
}

/** A page of an account's sign-in history, newest first. */
export async function loginPage(db: Tx, userId: number, p: Page) {
  const base = db.selectFrom('login_history').where('user_id', '=', userId);
  const [{ total }] = await base.select(sql<number>`count(*)::int`.as('total')).execute();
  const rows = await base
    .select(['at', 'ip', 'user_agent', 'outcome'])
    .orderBy('at', 'desc')
    .limit(p.pageSize)
    .offset(offsetOf(p))
    .execute();
  return { rows, total };
}

/** A page of the open sessions of all accounts, most recently seen first. */
export async function sessionPage(db: Tx, p: Page) {
  const base = db.selectFrom('user_session as s').innerJoin('app_user as u', 'u.id', 's.user_id');
  const [{ total }] = await base.select(sql<number>`count(*)::int`.as('total')).execute();
  const rows = await base
    .select([
      's.id_hash',
      's.user_id',
      'u.username',
      'u.display_name',
      's.stage',
      's.ip',
      's.user_agent',
      's.created_at',
      's.last_seen_at',
    ])
    .orderBy('s.last_seen_at', 'desc')
    .limit(p.pageSize)
    .offset(offsetOf(p))
    .execute();
  return { rows, total };
}
