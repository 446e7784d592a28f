import type { Scoped } from '../../db/scoped.js';
import type { TargetState } from '../../db/schema-worktasks.js';

/**
 * A node's reply on record, from the reply form or from the ledger record that answers a task: the
 * target moves to `state` (and counts as received, if it was not), and its trail gets the reply.
 */
export async function recordReply(
  s: Scoped,
  t: { id: number; scope_key: string; state: TargetState; received_at: unknown },
  state: TargetState,
  by: { id: number | null; name: string },
  reply: { text: string; figures?: Record<string, number>; links: { kind: string; id: number }[] },
  late: boolean,
  now: Date,
): Promise<void> {
  await s.db
    .updateTable('deployment_target')
    .set({
      state,
      reply_text: reply.text,
      reply_figures: reply.figures ? JSON.stringify(reply.figures) : null,
      reply_links: JSON.stringify(reply.links),
      replied_at: now,
      replied_by: by.id,
      replied_by_name: by.name,
      late,
      ...(t.received_at ? {} : { received_at: now, received_by: by.id, received_by_name: by.name }),
    })
    .where('id', '=', t.id)
    .where('state', '=', t.state)
    .execute();
  await s.db
    .insertInto('deployment_event')
    .values({
      target_id: t.id,
      scope_key: t.scope_key,
      action: 'reply',
      note: reply.text.slice(0, 500),
      late,
      at: now,
      by_user: by.id,
      by_name: by.name,
    })
    .execute();
}
