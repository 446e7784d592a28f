import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { runScoped, type Scoped } from '../../db/scoped.js';
import type { TargetState } from '../../db/schema-worktasks.js';
import {
  checkFigures,
  isDone,
  isLate,
  reachable,
  reminderDue,
  transition,
  KIND_LABELS,
  missingLinkMessage,
  revisionNote,
  toldOfChange,
  type DeploymentKind,
  type FigureSpec,
  type LinkKind,
} from '../../domain/worktasks/rules.js';
import { conflict, forbidden, notFound, Problem } from '../../http/errors.js';
import type { AuthUser } from '../../http/context.js';
import { notify, readAbout } from '../workbench/index.js';
import type { NewDeployment } from './contract.js';
import { deploymentById, missingLink, targetById } from './queries.js';
import { actorOf, closeDeployment, moveTarget, onEveryTarget, recordReply } from './replies.js';
import { SOURCE_LABELS } from './ledger.js';
import { deadlineOf, localDateTime, startOfLocalDay } from '../../domain/time/zone.js';

/** Writes of notices and tasks: issue (or pass down), receive, reply, return; and the reminder job. */

const unprocessable = (field: string, message: string) => new Problem(422, '不符合规定', message, [{ field, message }]);

/**
 * A deadline as given: a date means the end of that day, a time without an offset that time, both
 * in the deployment's zone; a day the calendar has not (2027-02-30) is invalid, not the next month's.
 */
export function parseDue(raw: string | undefined): Date | null | 'invalid' {
  if (!raw) return null;
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(\.\d+)?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(raw);
  if (!m || !isCalendarDate(m[1])) return 'invalid';
  if (m[2] === undefined) return deadlineOf(m[1]);
  if (m[6]) {
    const d = new Date(raw);
    return Number.isNaN(d.getTime()) ? 'invalid' : d;
  }
  const [h, min, sec] = [Number(m[2]), Number(m[3]), Number(m[4] ?? 0)];
  if (h > 23 || min > 59 || sec > 59) return 'invalid';
  return new Date(startOfLocalDay(m[1]).getTime() + ((h * 60 + min) * 60 + sec) * 1000);
}

const isCalendarDate = (d: string) => {
  const t = new Date(`${d}T00:00:00Z`);
  return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === d;
};

const link = (id: number) => `/work/${id}`;

/**
 * Issues a notice or a task from the caller's node to nodes strictly below it. A node outside
 * the caller's subtree is "not found" (404) and nothing is written. Passing down: the caller's
 * own target row of a task it received becomes the parent.
 */
export async function issue(s: Scoped, user: AuthUser, b: NewDeployment, now: Date): Promise<number> {
  const parsed = parseDue(b.dueAt);
  if (parsed === 'invalid') throw unprocessable('dueAt', '截止时间格式应为 YYYY-MM-DD 或 ISO 日期时间');
  const due = parsed;
  if (b.kind === 'task' && !due) throw unprocessable('dueAt', '工作任务须设截止时间');
  if (due && due.getTime() <= now.getTime()) throw unprocessable('dueAt', '截止时间应晚于现在');
  if (b.kind === 'notice' && b.figures.length) throw unprocessable('figures', '通知不要求填报数字');
  const keys = new Set<string>();
  for (const f of b.figures)
    if (keys.has(f.key) || !keys.add(f.key)) throw unprocessable('figures', `数字项代码"${f.key}"重复`);

  let parent: Awaited<ReturnType<typeof deploymentById>>;
  let parentTarget: Awaited<ReturnType<typeof targetById>>;
  if (b.parentTargetId !== undefined) {
    const p = (parentTarget = await targetById(s.db, b.parentTargetId, true));
    if (!p) throw notFound('上级任务');
    if (p.node_code !== user.jurisdictionCode) throw forbidden('只能转派本单位收到的任务');
    parent = await deploymentById(s.db, Number(p.deployment_id));
    if (parent?.closed_at)
      throw conflict(`上级任务已撤销${parent.closed_reason ? `（${parent.closed_reason}）` : ''}，不能再转派`);
    if (parent?.due_at && due && due.getTime() > new Date(parent.due_at).getTime())
      throw unprocessable('dueAt', '转派的截止时间不能晚于上级任务的截止时间');
  }

  // The nodes: as named, and every node of the named levels below; each must be in the caller's subtree (row-level security) and below its node.
  const named = [...new Set(b.targets)];
  const found = named.length
    ? await s.db.selectFrom('jurisdiction').select(['code', 'scope_key']).where('code', 'in', named).execute()
    : [];
  // The position only, not the code: a 404 must not confirm anything about a node out of reach.
  const missing = named.findIndex(
    (c) => !found.some((f) => f.code === c) || !reachable(user.scopeKey, found.find((f) => f.code === c)!.scope_key),
  );
  if (missing >= 0)
    throw new Problem(404, '未找到', `下发对象第 ${missing + 1} 个单位不存在，或不在您的下级`, [
      { field: `targets.${missing}`, message: '不存在，或不在您的下级' },
    ]);
  const byLevel = b.levels.length
    ? await s.db
        .selectFrom('jurisdiction')
        .select(['code', 'scope_key'])
        .where('level', 'in', b.levels)
        .where('scope_key', '>', user.scopeKey)
        .where('scope_key', 'like', `${user.scopeKey}%`)
        .execute()
    : [];
  const nodes = new Map(
    [...found, ...byLevel].filter((n) => reachable(user.scopeKey, n.scope_key)).map((n) => [n.code, n.scope_key]),
  );
  if (nodes.size === 0) throw unprocessable('targets', '请选择下发到的下级单位或层级');

  const d = await s.db
    .insertInto('deployment')
    .values({
      kind: b.kind,
      title: b.title,
      body: b.body,
      issuer_code: user.jurisdictionCode,
      scope_key: user.scopeKey,
      receipt_required: b.kind === 'task' ? true : b.receiptRequired,
      due_at: due,
      remind_days: b.remindDays,
      evidence: b.evidence || null,
      figures: JSON.stringify(b.figures),
      parent_target_id: b.parentTargetId ?? null,
      parent_deployment_id: parent?.id ?? null,
      parent_title: parent?.title ?? null,
      parent_issuer_name: parent?.issuer_name ?? null,
      created_by: user.id,
      created_by_name: user.displayName,
      created_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await s.db
    .insertInto('deployment_target')
    .values([...nodes].map(([code, key]) => ({ deployment_id: d.id, node_code: code, scope_key: key })))
    .execute();
  if (parentTarget) {
    const p = parentTarget;
    // Passing a task on is acting on it: the unit has it in hand (签收), as the issuer's board should say.
    if (p.state === 'pending')
      await moveTarget(
        s,
        p,
        { state: 'received', received_at: now, received_by: user.id, received_by_name: user.displayName },
        { action: 'receive', by: actorOf(user), note: '转派即签收' },
        now,
      );
    await s.db
      .insertInto('deployment_event')
      .values({
        target_id: p.id,
        scope_key: p.scope_key,
        action: 'pass_down',
        note: `转派 ${nodes.size} 个下级单位：${b.title}`,
        at: now,
        by_user: user.id,
        by_name: user.displayName,
      })
      .execute();
  }
  await notify(
    s,
    { nodes: [...nodes.keys()] },
    {
      kind: `deployment.${b.kind}`,
      title: `${KIND_LABELS[b.kind]}：${b.title}`,
      body: due ? `截止 ${localDateTime(due)}` : null,
      link: link(d.id),
    },
  );
  s.audit({
    action: 'deployment.issue',
    objectType: 'deployment',
    objectId: d.id,
    detail: {
      kind: b.kind,
      title: b.title,
      targets: [...nodes.keys()],
      dueAt: due?.toISOString() ?? null,
      parentTargetId: b.parentTargetId ?? null,
    },
  });
  return d.id;
}

/** The caller's own target row (the node itself acts on it) with its deployment. */
async function ownTarget(s: Scoped, user: AuthUser, id: number) {
  const t = await targetById(s.db, id, true);
  if (!t) throw notFound('任务或通知');
  if (t.node_code !== user.jurisdictionCode) throw forbidden('只能由接收单位签收或回复');
  const d = (await deploymentById(s.db, Number(t.deployment_id)))!;
  if (d.closed_at) throw conflict(`任务已撤销${d.closed_reason ? `（${d.closed_reason}）` : ''}，不再签收或回复`);
  return { t, d };
}

export async function receive(s: Scoped, user: AuthUser, id: number, now: Date) {
  const { t, d } = await ownTarget(s, user, id);
  const next = transition(d.kind, t.state, 'receive');
  if (!next.ok) throw conflict(next.reason);
  await moveTarget(
    s,
    t,
    { state: next.to, received_at: now, received_by: user.id, received_by_name: user.displayName },
    { action: 'receive', by: actorOf(user) },
    now,
  );
  await readAbout(s, link(d.id));
  s.audit({
    action: 'deployment.receive',
    objectType: 'deployment_target',
    objectId: t.id,
    detail: { deploymentId: d.id },
  });
}

export async function reply(
  s: Scoped,
  user: AuthUser,
  id: number,
  body: { text: string; figures?: Record<string, number>; links: { kind: LinkKind; id: number }[] },
  now: Date,
) {
  const { t, d } = await ownTarget(s, user, id);
  const next = transition(d.kind, t.state, 'reply');
  if (!next.ok) throw conflict(next.reason);
  const asked = (typeof d.figures === 'string' ? JSON.parse(d.figures) : d.figures) as FigureSpec[];
  const bad = checkFigures(asked, body.figures);
  if (bad) throw unprocessable('figures', bad);
  const missing = await missingLink(s.db, body.links);
  if (missing)
    throw new Problem(404, '未找到', missingLinkMessage(missing), [
      { field: 'links', message: missingLinkMessage(missing) },
    ]);
  // Accepted after the deadline too, marked late.
  const late = isLate(d.due_at ? new Date(d.due_at) : null, now);
  await recordReply(s, t, next.to, actorOf(user), body, late, now);
  await readAbout(s, link(d.id));
  if (d.created_by !== null) {
    await notify(
      s,
      { users: [{ userId: Number(d.created_by), scopeKey: d.scope_key }] },
      {
        kind: 'deployment.reply',
        title: `${t.node_name}已回复：${d.title}${late ? '（逾期）' : ''}`,
        link: link(d.id),
      },
    );
  }
  s.audit({
    action: 'deployment.reply',
    objectType: 'deployment_target',
    objectId: t.id,
    detail: { deploymentId: d.id, late, links: body.links.length },
  });
  return { late };
}

/** A target of a deployment the caller's unit issued, held for the issuer's review (退回 or 采纳), with its deployment. */
async function issuedTarget(s: Scoped, user: AuthUser, id: number, verb: string) {
  const t = await targetById(s.db, id, true);
  if (!t) throw notFound('任务或通知');
  const d = (await deploymentById(s.db, Number(t.deployment_id)))!;
  if (d.issuer_code !== user.jurisdictionCode) throw forbidden(`只有下发单位可以${verb}`);
  if (d.closed_at) throw conflict(`任务已撤销，不再${verb}`);
  return { t, d };
}

/** The issuer returns a reply with a reason; the node must reply again. */
export async function returnReply(s: Scoped, user: AuthUser, id: number, reason: string, now: Date) {
  const { t, d } = await issuedTarget(s, user, id, '退回');
  const next = transition(d.kind, t.state, 'return', reason, t.accepted_at !== null);
  if (!next.ok) throw conflict(next.reason);
  await moveTarget(
    s,
    t,
    { state: next.to, return_reason: reason, returned_at: now },
    { action: 'return', by: actorOf(user), note: reason },
    now,
  );
  await notify(
    s,
    { nodes: [t.node_code] },
    { kind: 'deployment.return', title: `任务被退回：${d.title}`, body: reason, link: link(d.id) },
  );
  s.audit({
    action: 'deployment.return',
    objectType: 'deployment_target',
    objectId: t.id,
    detail: { deploymentId: d.id, reason },
  });
}

/**
 * The issuer accepts a reply (采纳): reviewed, it leaves the issuer's 待办 and stands (it is not
 * returned afterwards). The node is told.
 */
export async function acceptReply(s: Scoped, user: AuthUser, id: number, now: Date) {
  const { t, d } = await issuedTarget(s, user, id, '采纳');
  const next = transition(d.kind, t.state, 'accept', null, t.accepted_at !== null);
  if (!next.ok) throw conflict(next.reason);
  await moveTarget(
    s,
    t,
    { accepted_at: now, accepted_by: user.id, accepted_by_name: user.displayName },
    { action: 'accept', by: actorOf(user) },
    now,
  );
  await notify(
    s,
    { nodes: [t.node_code] },
    { kind: 'deployment.accept', title: `回复已采纳：${d.title}`, link: link(d.id) },
  );
  s.audit({
    action: 'deployment.accept',
    objectType: 'deployment_target',
    objectId: t.id,
    detail: { deploymentId: d.id },
  });
}

/** A deployment the caller's unit issued by hand and may still change: not a ledger record's task, not closed. */
async function ownIssued(s: Scoped, user: AuthUser, id: number, verb: string) {
  const d = await deploymentById(s.db, id);
  if (!d) throw notFound('通知或任务');
  if (d.issuer_code !== user.jurisdictionCode) throw forbidden(`只有下发单位可以${verb}`);
  if (d.source_type) {
    const label = SOURCE_LABELS[d.source_type];
    throw conflict(`本任务随${label}下发，请在${label}中${verb === '撤回' ? '撤销' : verb}`);
  }
  if (d.closed_at) throw conflict(`已撤销${d.closed_reason ? `（${d.closed_reason}）` : ''}，不能${verb}`);
  return d;
}

type Revision = { title?: string; body?: string; dueAt?: string; evidence?: string; note: string };

/**
 * The issuer corrects what it sent (a title, the text, the deadline, what to reply with): every
 * target's trail records it with the issuer's note, and the nodes not yet done are told. A later
 * deadline makes reminders and the overdue mark due again.
 */
export async function revise(s: Scoped, user: AuthUser, id: number, b: Revision, now: Date): Promise<void> {
  const d = await ownIssued(s, user, id, '修改');
  const parsed = b.dueAt === undefined ? undefined : parseDue(b.dueAt);
  if (parsed === 'invalid') throw unprocessable('dueAt', '截止时间格式应为 YYYY-MM-DD 或 ISO 日期时间');
  const oldDue = d.due_at ? new Date(d.due_at) : null;
  const due = parsed === undefined ? oldDue : parsed;
  if (d.kind === 'task' && !due) throw unprocessable('dueAt', '工作任务须设截止时间');
  const dueChanged = (due?.getTime() ?? null) !== (oldDue?.getTime() ?? null);
  if (dueChanged && due && due.getTime() <= now.getTime()) throw unprocessable('dueAt', '截止时间应晚于现在');
  if (dueChanged && due && d.parent_target_id !== null) {
    const parentTarget = await targetById(s.db, Number(d.parent_target_id));
    const parent = parentTarget && (await deploymentById(s.db, Number(parentTarget.deployment_id)));
    if (parent?.due_at && due.getTime() > new Date(parent.due_at).getTime())
      throw unprocessable('dueAt', '转派的截止时间不能晚于上级任务的截止时间');
  }
  const next = {
    title: b.title ?? d.title,
    body: b.body ?? d.body,
    evidence: b.evidence === undefined ? d.evidence : b.evidence || null,
  };
  const changes = [
    next.title !== d.title && '标题',
    next.body !== d.body && '正文',
    dueChanged && `截止时间改为 ${due ? localDateTime(due) : '无'}`,
    next.evidence !== d.evidence && '回复要求',
  ].filter((c): c is string => !!c);
  const note = revisionNote(
    {
      title: next.title !== d.title,
      body: next.body !== d.body,
      ...(dueChanged ? { due: due ? localDateTime(due) : null } : {}),
      evidence: next.evidence !== d.evidence,
    },
    b.note,
  );
  if (!note) throw unprocessable('note', '没有修改任何内容');
  await s.db
    .updateTable('deployment')
    .set({ ...next, due_at: due })
    .where('id', '=', d.id)
    .execute();
  if (dueChanged) await remindAgain(s, Number(d.id));
  const textChanged = next.title !== d.title || next.body !== d.body || next.evidence !== d.evidence;
  await tellChange(s, user, { ...d, title: next.title }, note, now, textChanged);
  // The stations working a part passed down work to this text: they are told it changed (their
  // part, the passing node's own words and deadline, stays as it was: that node changes it if need be).
  const toldBelow = textChanged ? await tellBelow(s, Number(d.id), next.title, note) : [];
  // A deadline brought forward: the parts passed down that end later end with it (a station cannot answer after the city's deadline).
  const broughtForward =
    dueChanged && due && oldDue && due < oldDue ? await bringForward(s, user, Number(d.id), due, now) : [];
  s.audit({
    action: 'deployment.update',
    objectType: 'deployment',
    objectId: d.id,
    detail: { changes, note: b.note, dueAt: due?.toISOString() ?? null, broughtForward, toldBelow },
  });
}

/** Reminders and the overdue mark due again for the nodes not done (a deadline moved). */
const remindAgain = (s: Scoped, id: number) =>
  s.db
    .updateTable('deployment_target')
    .set({ reminded_at: null, overdue_noted_at: null })
    .where('deployment_id', '=', id)
    .where('state', '<>', 'replied')
    .execute();

/** A change on every target's trail, the nodes it concerns told (toldOfChange). */
async function tellChange(
  s: Scoped,
  user: AuthUser,
  d: { id: number; kind: DeploymentKind; title: string; receipt_required: boolean },
  note: string,
  now: Date,
  textChanged: boolean,
) {
  const targets = await onEveryTarget(s, d.id, { action: 'update', note, by: actorOf(user) }, now);
  await notify(
    s,
    {
      nodes: targets
        .filter((t) => toldOfChange(d.kind, t.state, d.receipt_required, textChanged))
        .map((t) => t.node_code),
    },
    { kind: 'deployment.update', title: `${KIND_LABELS[d.kind]}已修改：${d.title}`, body: note, link: link(d.id) },
  );
}

/** The open parts that the nodes of these deployments passed down, one level below. */
const passedDown = (s: Scoped, ids: number[]) =>
  s.db
    .selectFrom('deployment as c')
    .innerJoin('deployment_target as t', 't.id', 'c.parent_target_id')
    .select(['c.id', 'c.title', 'c.kind', 'c.due_at', 'c.receipt_required'])
    .where('t.deployment_id', 'in', ids)
    .where('c.closed_at', 'is', null)
    .execute();

/**
 * The nodes of every open part passed down below a deployment (at any depth), told that the task
 * they work for changed, with a link to their own part (which opens the changed one read-only).
 * Returns the parts.
 */
async function tellBelow(s: Scoped, id: number, title: string, note: string): Promise<number[]> {
  const told: number[] = [];
  for (let level = [id]; level.length;) {
    const parts = await passedDown(s, level);
    for (const c of parts) {
      const nodes = await s.db
        .selectFrom('deployment_target')
        .select('node_code')
        .where('deployment_id', '=', Number(c.id))
        .execute();
      await notify(
        s,
        { nodes: nodes.map((n) => n.node_code) },
        {
          kind: 'deployment.update',
          title: `上级任务已修改：${title}`,
          body: `${note}（本级承办的"${c.title}"由此转派，如需调整由转派单位修改）`,
          link: link(Number(c.id)),
        },
      );
      told.push(Number(c.id));
    }
    level = parts.map((c) => Number(c.id));
  }
  return told;
}

/** Every part passed down below a deployment that ends after `due` now ends at it, its nodes told; returns their ids. */
async function bringForward(s: Scoped, user: AuthUser, id: number, due: Date, now: Date): Promise<number[]> {
  const moved: number[] = [];
  const note = `上级任务截止时间提前，本任务截止时间随之改为 ${localDateTime(due)}`;
  // A part within its parent's deadline has its own parts within it too: only the moved ones are descended.
  for (let level = [id]; level.length;) {
    const later = (await passedDown(s, level)).filter((c) => c.due_at && new Date(c.due_at) > due);
    for (const c of later) {
      const part = { ...c, id: Number(c.id) };
      await s.db.updateTable('deployment').set({ due_at: due }).where('id', '=', part.id).execute();
      await remindAgain(s, part.id);
      await tellChange(s, user, part, note, now, false);
      moved.push(part.id);
    }
    level = later.map((c) => Number(c.id));
  }
  return moved;
}

/**
 * The issuer withdraws what it sent: it is closed for every node, and so is every part of it a
 * node passed down (and theirs below), each node told. Nothing is deleted: the trail stays.
 */
export async function withdraw(s: Scoped, user: AuthUser, id: number, reason: string, now: Date): Promise<void> {
  const d = await ownIssued(s, user, id, '撤回');
  const by = actorOf(user);
  const closed: number[] = [];
  let level = [{ id: Number(d.id), title: d.title, kind: d.kind }];
  for (let depth = 0; level.length; depth++) {
    for (const x of level) {
      await closeDeployment(
        s,
        by,
        x,
        depth === 0 ? `下发单位撤回：${reason}` : `上级任务已撤回：${reason}`,
        { kind: 'deployment.close', title: `${KIND_LABELS[x.kind]}已撤回：${x.title}` },
        () => true,
        now,
      );
      closed.push(x.id);
    }
    level = (
      await passedDown(
        s,
        level.map((x) => x.id),
      )
    ).map((c) => ({ id: Number(c.id), title: c.title, kind: c.kind }));
  }
  s.audit({
    action: 'deployment.withdraw',
    objectType: 'deployment',
    objectId: d.id,
    detail: { reason, closed },
  });
}

/**
 * Reminders before the deadline and the overdue mark after it, each once per target: the node's
 * accounts are told, and for an overdue target the issuer too. System work across the tree.
 */
export async function runReminders(db: Kysely<DB>, now: Date): Promise<{ reminded: number; overdue: number }> {
  return runScoped(db, { userId: null, username: 'system', scopeKey: '', ip: null }, async (s) => {
    const { rows } = await sql<{
      id: number;
      deployment_id: number;
      node_code: string;
      scope_key: string;
      state: TargetState;
      reminded_at: Date | null;
      overdue_noted_at: Date | null;
      kind: 'notice' | 'task';
      title: string;
      due_at: Date;
      remind_days: number;
      receipt_required: boolean;
      created_by: number | null;
      issuer_key: string;
    }>`
      SELECT t.id, t.deployment_id, t.node_code, t.scope_key, t.state, t.reminded_at, t.overdue_noted_at, d.kind, d.title, d.due_at, d.remind_days, d.receipt_required, d.created_by, d.scope_key AS issuer_key
      FROM deployment_target t JOIN deployment d ON d.id = t.deployment_id
      WHERE d.due_at IS NOT NULL AND d.closed_at IS NULL AND t.overdue_noted_at IS NULL AND d.due_at < ${new Date(now.getTime() + 61 * 86_400_000)}
        AND (CASE WHEN d.kind = 'task' THEN t.state <> 'replied' ELSE d.receipt_required AND t.state = 'pending' END)`.execute(
      s.db,
    );
    let reminded = 0;
    let overdue = 0;
    for (const r of rows) {
      const due = new Date(r.due_at);
      const done = isDone(r.kind, r.state, r.receipt_required);
      if (now.getTime() > due.getTime()) {
        await s.db.updateTable('deployment_target').set({ overdue_noted_at: now }).where('id', '=', r.id).execute();
        await s.db
          .insertInto('deployment_event')
          .values({ target_id: r.id, scope_key: r.scope_key, action: 'overdue', at: now, by_name: '系统' })
          .execute();
        await notify(
          s,
          {
            nodes: [r.node_code],
            users: r.created_by !== null ? [{ userId: Number(r.created_by), scopeKey: r.issuer_key }] : [],
          },
          { kind: 'deployment.overdue', title: `已逾期：${r.title}`, link: link(Number(r.deployment_id)) },
        );
        overdue++;
      } else if (reminderDue(due, r.remind_days, now, done, !!r.reminded_at)) {
        await s.db.updateTable('deployment_target').set({ reminded_at: now }).where('id', '=', r.id).execute();
        await s.db
          .insertInto('deployment_event')
          .values({ target_id: r.id, scope_key: r.scope_key, action: 'remind', at: now, by_name: '系统' })
          .execute();
        await notify(
          s,
          { nodes: [r.node_code] },
          {
            kind: 'deployment.remind',
            title: `即将到期（${localDateTime(due)}）：${r.title}`,
            link: link(Number(r.deployment_id)),
          },
        );
        reminded++;
      }
    }
    return { reminded, overdue };
  });
}
