import type { Scoped } from '../../db/scoped.js';
import type { DeploymentSource } from '../../db/schema-worktasks.js';
import { isLate, toldOfChange } from '../../domain/worktasks/rules.js';
import { notify } from '../workbench/index.js';
import { closeDeployment, moveTarget, recordReply, type Actor } from './replies.js';
import { localDateTime } from '../../domain/time/zone.js';

/**
 * Deployed work already kept in a ledger (a visit plan, an assistance program, a campaign, a report
 * period, an assessment year) reaches the nodes it names as a task: the record is the task's body,
 * written from the record whenever it changes (no second entry), and the task links back to it
 * (source_path) as the record links to the task (ledgerTaskOf). One task per issuer and record.
 *
 * 基层减负: such a task asks for no photo and no figure the ledger already holds; what the nodes do
 * in the ledger (a visit recorded, a report submitted) is linked to their reply, not re-keyed.
 */
export const SOURCE_LABELS: Record<DeploymentSource, string> = {
  visit_plan: '走访计划',
  assistance_program: '帮扶项目',
  campaign: '学习教育活动',
  report_period: '统计报表报告期',
  assessment_year: '年度目标责任考核',
};

export type LedgerTask = {
  source: DeploymentSource;
  /** The record's stable key within the issuer (its id, or form:period, or the year). */
  key: string;
  /** The issuing node: the record's own node. */
  issuer: { code: string; scopeKey: string };
  title: string;
  body: string;
  evidence?: string | null;
  dueAt: Date | null;
  /** The nodes the record names; those not strictly below the issuer are left out. */
  targets: readonly string[];
  /** Where the record is, in the web app. */
  path: string;
};

const link = (id: number) => `/work/${id}`;
const eq = (a: Date | string | null, b: Date | null) =>
  a === null ? b === null : b !== null && new Date(a).getTime() === b.getTime();

/** The task deployed from a ledger record (by its issuer), if any: the record's link to its task. */
export async function ledgerTaskOf(
  s: Scoped,
  source: DeploymentSource,
  issuerCode: string,
  key: string,
): Promise<{ id: number; closed: boolean } | null> {
  const d = await s.db
    .selectFrom('deployment')
    .select(['id', 'closed_at'])
    .where('issuer_code', '=', issuerCode)
    .where('source_type', '=', source)
    .where('source_key', '=', key)
    .executeTakeFirst();
  return d ? { id: Number(d.id), closed: d.closed_at !== null } : null;
}

/**
 * Creates or updates the task of a ledger record. New: a task to the named nodes (none named, or a
 * record whose end is already past when first written — a record of past work — deploys nothing).
 * Existing: title, body, deadline follow the record; newly named nodes are added and told; a node
 * no longer named leaves while it has not received it; a closed task is opened again.
 * Returns the deployment's id, or null when nothing is deployed.
 */
export async function syncLedgerTask(s: Scoped, by: Actor, t: LedgerTask, now: Date): Promise<number | null> {
  const named = [...new Set(t.targets)];
  const found = named.length
    ? await s.db.selectFrom('jurisdiction').select(['code', 'scope_key']).where('code', 'in', named).execute()
    : [];
  const nodes = new Map(
    found
      .filter((n) => n.scope_key.length > t.issuer.scopeKey.length && n.scope_key.startsWith(t.issuer.scopeKey))
      .map((n) => [n.code, n.scope_key]),
  );
  const existing = await s.db
    .selectFrom('deployment')
    .selectAll()
    .where('issuer_code', '=', t.issuer.code)
    .where('source_type', '=', t.source)
    .where('source_key', '=', t.key)
    .executeTakeFirst();
  const who = by.id;
  const byName = by.name;
  const label = SOURCE_LABELS[t.source];

  if (!existing) {
    if (nodes.size === 0 || (t.dueAt && t.dueAt.getTime() <= now.getTime())) return null;
    const d = await s.db
      .insertInto('deployment')
      .values({
        kind: 'task',
        title: t.title,
        body: t.body,
        issuer_code: t.issuer.code,
        scope_key: t.issuer.scopeKey,
        receipt_required: true,
        due_at: t.dueAt,
        remind_days: 3,
        evidence: t.evidence ?? null,
        figures: '[]',
        created_by: who,
        created_by_name: byName,
        created_at: now,
        source_type: t.source,
        source_key: t.key,
        source_path: t.path,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await s.db
      .insertInto('deployment_target')
      .values([...nodes].map(([code, key]) => ({ deployment_id: d.id, node_code: code, scope_key: key })))
      .execute();
    await notify(
      s,
      { nodes: [...nodes.keys()] },
      {
        kind: 'deployment.task',
        title: `${label}：${t.title}`,
        body: t.dueAt ? `截止 ${localDateTime(t.dueAt)}` : null,
        link: link(Number(d.id)),
      },
    );
    s.audit({
      action: 'deployment.issue',
      objectType: 'deployment',
      objectId: d.id,
      detail: { kind: 'task', title: t.title, source: t.source, sourceKey: t.key, targets: [...nodes.keys()] },
    });
    return Number(d.id);
  }

  const id = Number(existing.id);
  const changed =
    existing.title !== t.title ||
    existing.body !== t.body ||
    !eq(existing.due_at, t.dueAt) ||
    (existing.evidence ?? null) !== (t.evidence ?? null);
  const reopened = existing.closed_at !== null;
  await s.db
    .updateTable('deployment')
    .set({
      title: t.title,
      body: t.body,
      due_at: t.dueAt,
      evidence: t.evidence ?? null,
      source_path: t.path,
      closed_at: null,
      closed_reason: null,
    })
    .where('id', '=', id)
    .execute();
  const current = await s.db
    .selectFrom('deployment_target')
    .select(['id', 'node_code', 'scope_key', 'state'])
    .where('deployment_id', '=', id)
    .execute();
  // A later deadline: reminders and the overdue mark are due again.
  if (!eq(existing.due_at, t.dueAt))
    await s.db
      .updateTable('deployment_target')
      .set({ reminded_at: null, overdue_noted_at: null })
      .where('deployment_id', '=', id)
      .where('state', '<>', 'replied')
      .execute();
  const added = [...nodes].filter(([code]) => !current.some((c) => c.node_code === code));
  if (added.length)
    await s.db
      .insertInto('deployment_target')
      .values(added.map(([code, key]) => ({ deployment_id: id, node_code: code, scope_key: key })))
      .execute();
  const gone = current.filter((c) => !nodes.has(c.node_code) && c.state === 'pending');
  if (gone.length) {
    const ids = gone.map((g) => Number(g.id));
    await s.db.deleteFrom('deployment_event').where('target_id', 'in', ids).execute();
    await s.db.deleteFrom('deployment_target').where('id', 'in', ids).execute();
  }
  const staying = current.filter((c) => nodes.has(c.node_code) || c.state !== 'pending');
  if (changed || reopened) {
    for (const c of staying)
      await s.db
        .insertInto('deployment_event')
        .values({
          target_id: c.id,
          scope_key: c.scope_key,
          action: 'update',
          note: reopened ? '任务重新下发' : '任务内容已随台账更新',
          at: now,
          by_user: who,
          by_name: byName,
        })
        .execute();
    // As for a task changed by hand (toldOfChange): new words reach the nodes that replied to the old ones too.
    const textChanged =
      existing.title !== t.title || existing.body !== t.body || (existing.evidence ?? null) !== (t.evidence ?? null);
    const open = staying.filter((c) => toldOfChange('task', c.state, true, textChanged)).map((c) => c.node_code);
    await notify(
      s,
      { nodes: open },
      {
        kind: 'deployment.update',
        title: `${label}已${reopened ? '重新下发' : '更新'}：${t.title}`,
        body: t.dueAt ? `截止 ${localDateTime(t.dueAt)}` : null,
        link: link(id),
      },
    );
  }
  if (added.length)
    await notify(
      s,
      { nodes: added.map(([c]) => c) },
      {
        kind: 'deployment.task',
        title: `${label}：${t.title}`,
        body: t.dueAt ? `截止 ${localDateTime(t.dueAt)}` : null,
        link: link(id),
      },
    );
  if (changed || reopened || added.length || gone.length) {
    s.audit({
      action: 'deployment.update',
      objectType: 'deployment',
      objectId: id,
      detail: {
        source: t.source,
        sourceKey: t.key,
        added: added.map(([c]) => c),
        removed: gone.map((g) => g.node_code),
        reopened,
      },
    });
  }
  return id;
}

/** Closes the task of a cancelled record: it leaves every 待办 list and takes no more replies; the open nodes are told. */
export async function closeLedgerTask(
  s: Scoped,
  by: Actor,
  source: DeploymentSource,
  issuerCode: string,
  key: string,
  reason: string,
  now: Date,
): Promise<number | null> {
  const d = await s.db
    .selectFrom('deployment')
    .select(['id', 'title', 'closed_at'])
    .where('issuer_code', '=', issuerCode)
    .where('source_type', '=', source)
    .where('source_key', '=', key)
    .executeTakeFirst();
  if (!d || d.closed_at !== null) return d ? Number(d.id) : null;
  await closeDeployment(
    s,
    by,
    { id: Number(d.id), title: d.title },
    reason,
    { kind: 'deployment.close', title: `任务已撤销：${d.title}` },
    (t) => t.state !== 'replied',
    now,
  );
  s.audit({
    action: 'deployment.close',
    objectType: 'deployment',
    objectId: d.id,
    detail: { source, sourceKey: key, reason },
  });
  return Number(d.id);
}

/**
 * What a node did in the ledger answers its part of the task (a report submitted answers the report
 * period's task, linked, nothing re-keyed); the issuer is told. Nothing happens when no open task names the node.
 */
export async function answerLedgerTask(
  s: Scoped,
  by: Actor,
  a: {
    source: DeploymentSource;
    issuerCode: string;
    key: string;
    node: string;
    text: string;
    links: { kind: 'report' | 'visit'; id: number }[];
  },
  now: Date,
): Promise<boolean> {
  const t = await s.db
    .selectFrom('deployment_target as t')
    .innerJoin('deployment as d', 'd.id', 't.deployment_id')
    .select([
      't.id',
      't.scope_key',
      't.state',
      't.received_at',
      'd.id as deployment_id',
      'd.title',
      'd.due_at',
      'd.created_by',
      'd.scope_key as issuer_key',
    ])
    .where('d.issuer_code', '=', a.issuerCode)
    .where('d.source_type', '=', a.source)
    .where('d.source_key', '=', a.key)
    .where('d.closed_at', 'is', null)
    .where('t.node_code', '=', a.node)
    .executeTakeFirst();
  if (!t || t.state === 'replied') return false;
  const late = isLate(t.due_at ? new Date(t.due_at) : null, now);
  await recordReply(s, t, 'replied', by, a, late, now);
  if (t.created_by !== null)
    await notify(
      s,
      { users: [{ userId: Number(t.created_by), scopeKey: t.issuer_key }] },
      {
        kind: 'deployment.reply',
        title: `下级已完成：${t.title}${late ? '（逾期）' : ''}`,
        link: link(Number(t.deployment_id)),
      },
    );
  return true;
}

/** The issuer sent the node's ledger work back (a report returned): its part of the task is returned with the same reason. */
export async function returnLedgerTask(
  s: Scoped,
  by: Actor,
  a: { source: DeploymentSource; issuerCode: string; key: string; node: string; reason: string },
  now: Date,
): Promise<boolean> {
  const t = await s.db
    .selectFrom('deployment_target as t')
    .innerJoin('deployment as d', 'd.id', 't.deployment_id')
    .select(['t.id', 't.scope_key', 't.state'])
    .where('d.issuer_code', '=', a.issuerCode)
    .where('d.source_type', '=', a.source)
    .where('d.source_key', '=', a.key)
    .where('d.closed_at', 'is', null)
    .where('t.node_code', '=', a.node)
    .executeTakeFirst();
  if (!t || t.state !== 'replied') return false;
  await moveTarget(
    s,
    t,
    { state: 'returned', return_reason: a.reason, returned_at: now },
    { action: 'return', by, note: a.reason },
    now,
  );
  return true;
}
