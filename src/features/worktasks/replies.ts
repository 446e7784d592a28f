import type { Updateable } from 'kysely';
import type { Scoped } from '../../db/scoped.js';
import { notify } from '../workbench/index.js';
import { expectMoved } from '../../db/writes.js';
import type { DeploymentEventAction, DeploymentTargetTable, TargetState } from '../../db/schema-worktasks.js';

/** Who acts (an account, or the system), as the events and the board name them. */
export type Actor = { id: number | null; name: string };
export const actorOf = (u: { id: number; displayName: string }): Actor => ({ id: u.id, name: u.displayName });

/**
 * Moves a target still in the state it was read in and puts the move on its trail; a concurrent
 * move wins (the update changes nothing) and this one is refused with 409, its event unwritten.
 */
export async function moveTarget(
  s: Scoped,
  t: { id: number; scope_key: string; state: TargetState },
  set: Updateable<DeploymentTargetTable>,
  e: { action: DeploymentEventAction; by: Actor; note?: string; late?: boolean },
  now: Date,
): Promise<void> {
  expectMoved(
    await s.db
      .updateTable('deployment_target')
      .set(set)
      .where('id', '=', t.id)
      .where('state', '=', t.state)
      .executeTakeFirst(),
    '该任务',
  );
  await s.db
    .insertInto('deployment_event')
    .values({
      target_id: t.id,
      scope_key: t.scope_key,
      action: e.action,
      note: e.note ?? null,
      late: e.late,
      at: now,
      by_user: e.by.id,
      by_name: e.by.name,
    })
    .execute();
}

/**
 * A node's reply on record, from the reply form or from the ledger record that answers a task: the
 * target moves to `state` (and counts as received, if it was not), and its trail gets the reply.
 */
export async function recordReply(
  s: Scoped,
  t: { id: number; scope_key: string; state: TargetState; received_at: unknown },
  state: TargetState,
  by: Actor,
  reply: { text: string; figures?: Record<string, number>; links: { kind: string; id: number }[] },
  late: boolean,
  now: Date,
): Promise<void> {
  await moveTarget(
    s,
    t,
    {
      state,
      reply_text: reply.text,
      reply_figures: reply.figures ? JSON.stringify(reply.figures) : null,
      reply_links: JSON.stringify(reply.links),
      replied_at: now,
      replied_by: by.id,
      replied_by_name: by.name,
      late,
      ...(t.received_at ? {} : { received_at: now, received_by: by.id, received_by_name: by.name }),
    },
    { action: 'reply', by, note: reply.text.slice(0, 500), late },
    now,
  );
}

/**
 * Closes a deployment: it leaves every 待办 list and takes no more receipts or replies; each target's
 * trail says why, and the targets `tell` picks hear it.
 */
export async function closeDeployment(
  s: Scoped,
  by: Actor,
  d: { id: number; title: string },
  reason: string,
  bell: { kind: string; title: string },
  tell: (t: { state: TargetState }) => boolean,
  now: Date,
): Promise<void> {
  await s.db.updateTable('deployment').set({ closed_at: now, closed_reason: reason }).where('id', '=', d.id).execute();
  const targets = await onEveryTarget(s, d.id, { action: 'close', note: reason, by }, now);
  await notify(
    s,
    { nodes: targets.filter(tell).map((t) => t.node_code) },
    { kind: bell.kind, title: bell.title, body: reason, link: `/work/${d.id}` },
  );
}

/**
 * Puts one event on the trail of every target of a deployment (a change or a close); returns the
 * targets. They are locked, so a reply or receipt in flight finishes first (and its trail line
 * comes before the close), and one that starts later reads the deployment closed.
 */
export async function onEveryTarget(
  s: Scoped,
  deploymentId: number,
  e: { action: DeploymentEventAction; note: string; by: Actor },
  now: Date,
) {
  const targets = await s.db
    .selectFrom('deployment_target')
    .select(['id', 'node_code', 'scope_key', 'state'])
    .where('deployment_id', '=', deploymentId)
    .orderBy('id')
    .forUpdate()
    .execute();
  if (targets.length)
    await s.db
      .insertInto('deployment_event')
      .values(
        targets.map((t) => ({
          target_id: t.id,
          scope_key: t.scope_key,
          action: e.action,
          note: e.note,
          at: now,
          by_user: e.by.id,
          by_name: e.by.name,
        })),
      )
      .execute();
  return targets;
}
