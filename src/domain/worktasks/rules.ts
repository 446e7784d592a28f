/**
 * The work loop's rules (工作任务 · 通知): how a target node's receipt and reply move, what the
 * issuer's board counts, when a reminder or an overdue mark is due. Pure: no I/O.
 *
 * 基层减负: a reply is text, figures, links to records the system already holds and optional
 * files — never a compulsory photo or check-in; the board counts states per node and never
 * ranks nodes by how much they reply.
 */

export type DeploymentKind = 'notice' | 'task';
export type TargetState = 'pending' | 'received' | 'replied' | 'returned';
export type TargetAction = 'receive' | 'reply' | 'return' | 'accept';

export const KIND_LABELS: Record<DeploymentKind, string> = { notice: '通知', task: '工作任务' };
export const STATE_LABELS: Record<TargetState, string> = {
  pending: '未签收',
  received: '已签收',
  replied: '已回复',
  returned: '已退回',
};

/** What the board shows for one node: a single status per target (the tile it is counted in). */
export type BoardStatus = 'pending' | 'received' | 'done' | 'returned' | 'overdue';
export const BOARD_LABELS: Record<BoardStatus, string> = {
  pending: '未签收',
  received: '已签收未办结',
  done: '已办结',
  returned: '退回待重报',
  overdue: '逾期未办结',
};

/** Linked records a reply may name instead of re-entering what the system holds (数据最多报一次). */
export const LINK_KINDS = {
  visit: '走访记录',
  appeal: '诉求',
  case: '核实线索',
  import: '导入任务',
  report: '统计报表',
} as const;
export type LinkKind = keyof typeof LINK_KINDS;

/**
 * Where a linked record opens: the page that shows that one record (its drawer is kept in the
 * address as ?open=, a visit on the 走访 tab). Imports have no record page beyond their list.
 */
export const LINK_PATHS: Record<LinkKind, (id: number) => string> = {
  visit: (id) => `/appeals?tab=visits&open=${id}`,
  appeal: (id) => `/appeals?open=${id}`,
  case: (id) => `/discovery?open=${id}`,
  import: () => '/imports',
  report: (id) => `/reports?open=${id}`,
};

/** The refusal when a reply names a record the caller cannot see, in the clerk's words (never the code name). */
export const missingLinkMessage = (l: { kind: LinkKind; id: number }): string =>
  `关联的${LINK_KINDS[l.kind]}（编号 ${l.id}）不存在，或不在您的辖区内`;

/**
 * The line the receiving units read when the issuer corrects a notice or task: what changed
 * (the new deadline spelled out) and the issuer's reason. Empty changes give null.
 */
export function revisionNote(
  changed: { title?: boolean; body?: boolean; due?: string | null; evidence?: boolean },
  note: string,
): string | null {
  const parts = [
    changed.title && '标题',
    changed.body && '正文',
    changed.due !== undefined && `截止时间（改为 ${changed.due ?? '无'}）`,
    changed.evidence && '回复要求',
  ].filter((c): c is string => !!c);
  return parts.length ? `修改了${parts.join('、')}。说明：${note}` : null;
}

export type Transition = { ok: true; to: TargetState } | { ok: false; reason: string };

/**
 * A target's next state. Receipt is once; a notice is never replied to; a task may be replied
 * to with or without a prior receipt (the reply implies it), again after a return, and not while
 * its reply stands; only a standing reply can be returned, and only with a reason. The issuer reviews
 * each reply: it accepts it (采纳, final: an accepted reply is not returned afterwards) or returns it.
 */
export function transition(
  kind: DeploymentKind,
  from: TargetState,
  action: TargetAction,
  reason?: string | null,
  accepted = false,
): Transition {
  switch (action) {
    case 'receive':
      return from === 'pending' ? { ok: true, to: 'received' } : { ok: false, reason: '已签收，无需重复签收' };
    case 'reply':
      if (kind === 'notice') return { ok: false, reason: '通知只需签收，无需回复' };
      if (from === 'replied') return { ok: false, reason: '已回复，上级退回后才能重新回复' };
      return { ok: true, to: 'replied' };
    case 'return':
      if (kind === 'notice') return { ok: false, reason: '通知没有回复可退回' };
      if (from !== 'replied') return { ok: false, reason: '只有已回复的任务才能退回' };
      if (accepted) return { ok: false, reason: '回复已采纳，不能再退回' };
      if (!reason?.trim()) return { ok: false, reason: '退回须写明原因' };
      return { ok: true, to: 'returned' };
    case 'accept':
      if (kind === 'notice') return { ok: false, reason: '通知没有回复可采纳' };
      if (from !== 'replied') return { ok: false, reason: '只有已回复的任务才能采纳' };
      if (accepted) return { ok: false, reason: '回复已采纳' };
      return { ok: true, to: 'replied' };
  }
}

/** Done: a task replied (and not returned); a notice received, or merely delivered when no receipt is asked. */
export function isDone(kind: DeploymentKind, state: TargetState, receiptRequired: boolean): boolean {
  if (kind === 'task') return state === 'replied';
  return !receiptRequired || state !== 'pending';
}

/**
 * Whether a node is told of a change to what was sent. A change to the text (title, body, what to
 * reply with) reaches every node: one that signed or replied did so to the old text and must read
 * the new one. A deadline alone reaches the nodes not yet done: a node done has nothing left to do by it.
 */
export function toldOfChange(
  kind: DeploymentKind,
  state: TargetState,
  receiptRequired: boolean,
  textChanged: boolean,
): boolean {
  return textChanged || !isDone(kind, state, receiptRequired);
}

/** A reply is late when it comes after the deadline; it is accepted all the same. */
export const isLate = (dueAt: Date | null, at: Date): boolean => !!dueAt && at.getTime() > dueAt.getTime();

/** Overdue: not done and past the deadline (a notice without a deadline is never overdue). */
export function isOverdue(
  kind: DeploymentKind,
  state: TargetState,
  receiptRequired: boolean,
  dueAt: Date | null,
  now: Date,
): boolean {
  return !!dueAt && now.getTime() > dueAt.getTime() && !isDone(kind, state, receiptRequired);
}

/**
 * The moment a deployment's board is judged at: now, or when it was closed (withdrawn, or cancelled
 * with its record) if that came first. A node is not 逾期 for a deadline that passed after the task
 * was called off; one that had not answered by a deadline passed before the close stays 逾期.
 */
export const judgedAt = (closedAt: Date | null, now: Date): Date =>
  closedAt && closedAt.getTime() < now.getTime() ? closedAt : now;

export function boardStatus(
  kind: DeploymentKind,
  state: TargetState,
  receiptRequired: boolean,
  dueAt: Date | null,
  now: Date,
): BoardStatus {
  if (isDone(kind, state, receiptRequired)) return 'done';
  if (isOverdue(kind, state, receiptRequired, dueAt, now)) return 'overdue';
  return state === 'returned' ? 'returned' : state === 'received' ? 'received' : 'pending';
}

export type BoardCounts = Record<BoardStatus, number> & { total: number; late: number };

/** The board's tiles over its targets. */
export function countBoard(
  kind: DeploymentKind,
  receiptRequired: boolean,
  dueAt: Date | null,
  now: Date,
  targets: readonly { state: TargetState; late: boolean }[],
): BoardCounts {
  const c: BoardCounts = { total: 0, pending: 0, received: 0, done: 0, returned: 0, overdue: 0, late: 0 };
  for (const t of targets) {
    c.total++;
    c[boardStatus(kind, t.state, receiptRequired, dueAt, now)]++;
    if (t.late) c.late++;
  }
  return c;
}

/** An area of the board: a direct child of the issuer (a county of a city's task), by its scope key. */
export type BoardArea = { code: string; name: string; scopeKey: string };
export type AreaCounts<A extends BoardArea> = {
  area: A;
  counts: BoardCounts;
  passedDown: BoardCounts | null;
  targetIds: number[];
};

const sumCounts = (a: BoardCounts, b: BoardCounts): BoardCounts => ({
  total: a.total + b.total,
  pending: a.pending + b.pending,
  received: a.received + b.received,
  done: a.done + b.done,
  returned: a.returned + b.returned,
  overdue: a.overdue + b.overdue,
  late: a.late + b.late,
});

/**
 * The board by area (so a city sees which county lags): each target counted in the issuer's direct
 * child whose subtree holds it (scope keys are prefixes), the sub-tasks its targets passed down added
 * up beside it; areas with no target left out. The most behind first: the lowest share done, then the
 * most overdue, then by code.
 */
export function boardByArea<A extends BoardArea>(
  areas: readonly A[],
  targets: readonly {
    id: number;
    scopeKey: string;
    status: BoardStatus;
    late: boolean;
    passedDown: readonly BoardCounts[];
  }[],
): AreaCounts<A>[] {
  const out = new Map<string, AreaCounts<A>>();
  for (const t of targets) {
    const area = areas.find((a) => t.scopeKey.startsWith(a.scopeKey));
    if (!area) continue;
    const g = out.get(area.code) ?? {
      area,
      counts: { total: 0, pending: 0, received: 0, done: 0, returned: 0, overdue: 0, late: 0 },
      passedDown: null,
      targetIds: [],
    };
    g.targetIds.push(t.id);
    g.counts.total++;
    g.counts[t.status]++;
    if (t.late) g.counts.late++;
    for (const sub of t.passedDown) g.passedDown = g.passedDown ? sumCounts(g.passedDown, sub) : { ...sub };
    out.set(area.code, g);
  }
  const share = (c: BoardCounts) => (c.total ? c.done / c.total : 1);
  return [...out.values()].sort(
    (a, b) =>
      share(a.counts) - share(b.counts) ||
      b.counts.overdue - a.counts.overdue ||
      a.area.code.localeCompare(b.area.code),
  );
}

/** A reminder is due once, within remindDays of the deadline, while the target is not done. */
export function reminderDue(
  dueAt: Date | null,
  remindDays: number,
  now: Date,
  done: boolean,
  alreadyReminded: boolean,
): boolean {
  if (!dueAt || done || alreadyReminded || remindDays <= 0) return false;
  const left = dueAt.getTime() - now.getTime();
  return left > 0 && left <= remindDays * 86_400_000;
}

/** The nodes a deployment may reach: strictly below the issuer (scope keys are code prefixes). */
export const reachable = (issuerKey: string, targetKey: string): boolean =>
  targetKey !== issuerKey && targetKey.startsWith(issuerKey);

/** The figures a task asks for and a reply's values for them: every asked figure, a finite number ≥ 0. */
export type FigureSpec = { key: string; label: string; unit?: string };
export function checkFigures(
  asked: readonly FigureSpec[],
  given: Record<string, number> | null | undefined,
): string | null {
  if (asked.length === 0) return given && Object.keys(given).length ? '本任务不要求填报数字' : null;
  for (const f of asked) {
    const v = given?.[f.key];
    if (v === undefined || v === null) return `请填写"${f.label}"`;
    if (!Number.isFinite(v) || v < 0) return `"${f.label}"应为不小于 0 的数`;
  }
  const extra = Object.keys(given ?? {}).filter((k) => !asked.some((f) => f.key === k));
  return extra.length ? `本任务没有要求填报：${extra.join('、')}` : null;
}
