import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import { NOTIFICATION_KIND_LABELS } from './contract.js';
import { addDays, localDate, startOfLocalDay } from '../../domain/time/zone.js';

type Tx = Transaction<DB>;
/** Notifications are read by their own account only (row-level security, and the user_id filter for the index). */

const shape = (n: {
  id: number;
  kind: string;
  title: string;
  body: string | null;
  link: string | null;
  created_at: Date;
  read_at: Date | string | null;
}) => ({
  id: n.id,
  kind: n.kind,
  title: n.title,
  body: n.body,
  link: n.link,
  createdAt: new Date(n.created_at).toISOString(),
  read: n.read_at !== null,
});

/** The statement counting an account's unread notifications (the bell runs it alone: readScopedOnce). */
export const unreadCountQuery = (db: Kysely<DB>, userId: number) =>
  db
    .selectFrom('notification')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('user_id', '=', userId)
    .where('read_at', 'is', null);

export async function unreadCount(db: Tx, userId: number): Promise<number> {
  const { n } = await unreadCountQuery(db, userId).executeTakeFirstOrThrow();
  return n;
}

export async function notificationsOf(db: Tx, userId: number, unreadOnly: boolean, limit: number) {
  let q = db
    .selectFrom('notification')
    .select(['id', 'kind', 'title', 'body', 'link', 'created_at', 'read_at'])
    .where('user_id', '=', userId);
  if (unreadOnly) q = q.where('read_at', 'is', null);
  return (await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute()).map(shape);
}

export const markRead = async (db: Tx, userId: number, id: number) =>
  (await db
    .selectFrom('notification')
    .select('id')
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst()) &&
  (await db
    .updateTable('notification')
    .set({ read_at: new Date() })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .execute(),
  true);

export async function markAllRead(db: Tx, userId: number): Promise<number> {
  const r = await db
    .updateTable('notification')
    .set({ read_at: new Date() })
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** One day's notifications (the deployment's zone), grouped by kind. */
export async function digestOf(db: Tx, userId: number, day?: string) {
  const d = day ?? localDate();
  const from = startOfLocalDay(d);
  const to = startOfLocalDay(addDays(d, 1));
  const rows = await db
    .selectFrom('notification')
    .select(['id', 'kind', 'title', 'body', 'link', 'created_at', 'read_at'])
    .where('user_id', '=', userId)
    .where('created_at', '>=', from)
    .where('created_at', '<', to)
    .orderBy('created_at')
    .execute();
  const groups = new Map<string, ReturnType<typeof shape>[]>();
  for (const r of rows) groups.set(r.kind, [...(groups.get(r.kind) ?? []), shape(r)]);
  return {
    day: d,
    groups: [...groups].map(([kind, items]) => ({
      kind,
      label: NOTIFICATION_KIND_LABELS[kind] ?? '消息',
      count: items.length,
      items,
    })),
  };
}
