/**
 * The case engine for problems people raise (诉求直通, 大走访大调研, the plaque page): one workflow
 * for every front door. Written beside the verification work list (workflow.ts) in the same
 * style (a table of moves, one transition function, Chinese reasons) rather than on it: that list
 * verifies a finding (confirm or dismiss) and has no responsible unit, deadlines, escalation,
 * public reply or feedback from the person who raised it.
 *
 *   intake → routed → accepted → handling → resolved → closed
 *              ↑ route/transfer (from any open state)   ↘ reopen (by the person, within N days)
 *
 * Pure: every function takes "now" as a parameter, so the rules are tested without a clock.
 */
export type CaseDoor = 'rider' | 'visit' | 'plaque';
export type CaseState = 'intake' | 'routed' | 'accepted' | 'handling' | 'resolved' | 'closed';
export type CaseAction = 'route' | 'accept' | 'note' | 'resolve' | 'close' | 'feedback' | 'reopen';
/** Who acts: station or bureau staff, the person who raised the case (holding the tracking code), or the system. */
export type CaseActor = 'staff' | 'public' | 'system';

export const DOORS: CaseDoor[] = ['rider', 'visit', 'plaque'];
export const STATES: CaseState[] = ['intake', 'routed', 'accepted', 'handling', 'resolved', 'closed'];
export const ACTIONS: CaseAction[] = ['route', 'accept', 'note', 'resolve', 'close', 'feedback', 'reopen'];
/** States in which the responsible unit owes work (deadlines run, escalation applies). */
export const OPEN_STATES: CaseState[] = ['intake', 'routed', 'accepted', 'handling'];

const MOVES: Record<CaseAction, { from: CaseState[]; to: CaseState | 'same'; by: CaseActor[] }> = {
  // Routing from intake is the first move; from later open states it is a transfer, and the new unit must accept.
  route: { from: ['intake', 'routed', 'accepted', 'handling'], to: 'routed', by: ['staff', 'system'] },
  accept: { from: ['routed'], to: 'accepted', by: ['staff'] },
  note: { from: ['accepted', 'handling'], to: 'handling', by: ['staff'] },
  resolve: { from: ['accepted', 'handling'], to: 'resolved', by: ['staff'] },
  // Staff close a resolved case nobody answered, or an open one that is not a case (duplicate, no content); the system closes after the window.
  close: { from: ['routed', 'accepted', 'handling', 'resolved'], to: 'closed', by: ['staff', 'system'] },
  feedback: { from: ['resolved'], to: 'closed', by: ['public'] },
  reopen: { from: ['resolved', 'closed'], to: 'accepted', by: ['public'] },
};

export const DOOR_LABEL: Record<CaseDoor, string> = { rider: '骑手诉求', visit: '走访问题', plaque: '牌匾反映' };
export const STATE_LABEL: Record<CaseState, string> = {
  intake: '已受理登记',
  routed: '已转办',
  accepted: '已签收',
  handling: '办理中',
  resolved: '已办结',
  closed: '已关闭',
};
export const ACTION_LABEL: Record<CaseAction, string> = {
  route: '转办',
  accept: '签收',
  note: '记录办理情况',
  resolve: '办结答复',
  close: '关闭',
  feedback: '评价',
  reopen: '重新办理',
};

/** The next state, or a Chinese reason the move is not allowed. */
export function transition(
  state: CaseState,
  action: CaseAction,
  by: CaseActor,
): { ok: true; to: CaseState } | { ok: false; reason: string } {
  const move = MOVES[action];
  if (!move.by.includes(by))
    return { ok: false, reason: `${by === 'public' ? '提出人' : '工作人员'}不能${ACTION_LABEL[action]}` };
  if (!move.from.includes(state))
    return { ok: false, reason: `诉求${STATE_LABEL[state]}，不能${ACTION_LABEL[action]}` };
  return { ok: true, to: move.to === 'same' ? state : move.to };
}

export const allowedActions = (state: CaseState, by: CaseActor): CaseAction[] =>
  ACTIONS.filter((a) => transition(state, a, by).ok);

// ── Deadlines ───────────────────────────────────────────────────────────────────────────
/** Days allowed for each step, and the window in which the person may reopen (configurable, see settings). */
export type CaseDeadlines = { routeDays: number; acceptDays: number; resolveDays: number; reopenDays: number };
export const DEFAULT_DEADLINES: CaseDeadlines = { routeDays: 1, acceptDays: 2, resolveDays: 15, reopenDays: 7 };

/** The step a state waits on, and so which deadline runs; null where the unit owes nothing. */
export function stepOf(state: CaseState): 'route' | 'accept' | 'resolve' | null {
  return state === 'intake'
    ? 'route'
    : state === 'routed'
      ? 'accept'
      : state === 'accepted' || state === 'handling'
        ? 'resolve'
        : null;
}

const DAY = 86_400_000;
const daysFor = (step: 'route' | 'accept' | 'resolve', d: CaseDeadlines) =>
  ({ route: d.routeDays, accept: d.acceptDays, resolve: d.resolveDays })[step];

/** When the current step is due (the step started when the case entered its state), or null. */
export function dueAt(state: CaseState, stepStartedAt: Date, d: CaseDeadlines): Date | null {
  const step = stepOf(state);
  return step ? new Date(stepStartedAt.getTime() + daysFor(step, d) * DAY) : null;
}

export const isOverdue = (state: CaseState, stepStartedAt: Date, d: CaseDeadlines, now: Date): boolean => {
  const due = dueAt(state, stepStartedAt, d);
  return !!due && now.getTime() > due.getTime();
};

/**
 * The escalation level a case should be at: one level up for each full step period it has
 * been overdue (due + 0 → 1, due + one period → 2, …), never above what the tree has
 * (`maxLevel`) and never more than one level above the current one per run of the job, so the
 * level above has one step period to act before the case goes higher again.
 */
export function escalationDue(
  c: { state: CaseState; stepStartedAt: Date; level: number },
  d: CaseDeadlines,
  now: Date,
  maxLevel: number,
): number {
  const step = stepOf(c.state);
  const due = dueAt(c.state, c.stepStartedAt, d);
  if (!step || !due || now.getTime() <= due.getTime()) return c.level;
  const periods = 1 + Math.floor((now.getTime() - due.getTime()) / (daysFor(step, d) * DAY));
  return Math.max(c.level, Math.min(periods, c.level + 1, maxLevel));
}

/** Whether the person may still reopen: within reopenDays of the resolution. */
export const canReopen = (state: CaseState, resolvedAt: Date | null, d: CaseDeadlines, now: Date): boolean =>
  transition(state, 'reopen', 'public').ok &&
  !!resolvedAt &&
  now.getTime() <= resolvedAt.getTime() + d.reopenDays * DAY;

/** A resolved case nobody answered within the window closes itself (the job does it). */
export const closesUnanswered = (state: CaseState, resolvedAt: Date | null, d: CaseDeadlines, now: Date): boolean =>
  state === 'resolved' && !!resolvedAt && now.getTime() > resolvedAt.getTime() + d.reopenDays * DAY;

// ── Time per step ───────────────────────────────────────────────────────────────────────
/** The steps whose time is measured, named by the move that ends them. */
export const TIMED_STEPS = { route: '转办', accept: '签收', resolve: '办结', feedback: '评价' } as const;
export type TimedStep = keyof typeof TIMED_STEPS;
/** Which timed step a move ends: accept ends the wait for acceptance, and so on; a transfer ends none (the new unit's wait starts). */
export const stepEndedBy = (from: CaseState, action: CaseAction): TimedStep | null =>
  action === 'route'
    ? from === 'intake'
      ? 'route'
      : null
    : action === 'accept'
      ? 'accept'
      : action === 'resolve'
        ? 'resolve'
        : action === 'feedback'
          ? 'feedback'
          : null;

/** Whether a move starts a new step clock: a transfer and every change of state do, except the first note (handling continues the resolve step). */
export const restartsClock = (from: CaseState, action: CaseAction, to: CaseState): boolean =>
  action === 'route' || (from !== to && !(from === 'accepted' && to === 'handling'));

// ── Categories ──────────────────────────────────────────────────────────────────────────
/** The rider door's categories (fixed by the issue); the visit door's business lines are the configurable code list 'business_line'. */
export const RIDER_CATEGORY_LABEL = {
  entry: '进门难',
  upstairs: '上楼难',
  parking: '停车难',
  charging: '充电难',
  rights: '权益保障',
  food_clue: '食品安全线索',
  other: '其他',
} as const;
export type RiderCategory = keyof typeof RIDER_CATEGORY_LABEL;

/** Satisfaction 1–5, with the words the public page shows. */
export const SATISFACTION_LABEL = { 1: '很不满意', 2: '不满意', 3: '一般', 4: '满意', 5: '很满意' } as const;
