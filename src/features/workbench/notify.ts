import { sql } from 'kysely';
import type { Scoped } from '../../db/scoped.js';

/**
 * In-app notifications, and the one seam where another channel (SMS, e-mail) plugs in later.
 * A feature says what happened and to whom (a node's accounts, or one account); every
 * registered Notifier delivers it. The in-app notifier (the bell) is always there; an outside
 * sender is added with addNotifier() at start-up, without touching any feature.
 */
export type Message = { kind: string; title: string; body?: string | null; link?: string | null };
/** Resolved recipients: an account and its scope key (the row hangs there). */
export type Recipient = { userId: number; scopeKey: string };

export interface Notifier {
  readonly name: string;
  /** Called inside the feature's transaction; a sender that talks to the outside should queue, not wait. */
  deliver(s: Scoped, to: readonly Recipient[], m: Message): Promise<void>;
}

/** The bell: one notification row per account (no RETURNING: the caller may not read another's notifications). */
export const inAppNotifier: Notifier = {
  name: 'in-app',
  async deliver(s, to, m) {
    if (to.length === 0) return;
    await s.db
      .insertInto('notification')
      .values(
        to.map((r) => ({
          user_id: r.userId,
          scope_key: r.scopeKey,
          kind: m.kind,
          title: m.title.slice(0, 200),
          body: m.body ?? null,
          link: m.link ?? null,
        })),
      )
      .execute();
  },
};

const notifiers: Notifier[] = [inAppNotifier];
export function addNotifier(n: Notifier): void {
  if (!notifiers.some((x) => x.name === n.name)) notifiers.push(n);
}

export type Audience = { nodes?: readonly string[]; users?: readonly Recipient[] };

/**
 * The business accounts of these nodes (codes), those that work the ledger, enabled: nodes in the
 * caller's subtree or up its own line (xgz_notify_accounts: the level above is told of a submission
 * it awaits though the caller cannot read its accounts), never a sibling's.
 */
async function accountsOf(s: Scoped, nodeCodes: readonly string[]): Promise<Recipient[]> {
  if (nodeCodes.length === 0) return [];
  const { rows } = await sql<{
    id: number;
    scope_key: string;
  }>`SELECT id, scope_key FROM xgz_notify_accounts(${[...new Set(nodeCodes)]}::text[])`.execute(s.db);
  return rows.map((r) => ({ userId: Number(r.id), scopeKey: r.scope_key }));
}

/** Tells the audience (each account once; never the one who acted). */
export async function notify(s: Scoped, audience: Audience, m: Message): Promise<void> {
  const all = [...(await accountsOf(s, audience.nodes ?? [])), ...(audience.users ?? [])];
  const seen = new Set<number>();
  const to = all.filter((r) => r.userId !== s.who.userId && !seen.has(r.userId) && seen.add(r.userId));
  for (const n of notifiers) await n.deliver(s, to, m);
}

/**
 * The acting account's unread notifications about one record (by its link), read: it has just
 * acted on that record (signed a notice, replied to a task), so the bell need not ask again.
 */
export async function readAbout(s: Scoped, link: string): Promise<void> {
  if (s.who.userId === null) return;
  await s.db
    .updateTable('notification')
    .set({ read_at: new Date() })
    .where('user_id', '=', s.who.userId)
    .where('link', '=', link)
    .where('read_at', 'is', null)
    .execute();
}
