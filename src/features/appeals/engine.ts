import type { DbHealth } from '../../db/connection.js';
import crypto from 'node:crypto';
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { AppealCaseTable } from '../../db/schema-cases.js';
import { runScoped } from '../../db/scoped.js';
import { sm3Hex } from '../../crypto/sm3.js';
import { conflict } from '../../http/errors.js';
import { maskFreeText } from './free-text.js';
import {
  canReopen,
  closesUnanswered,
  dueAt,
  escalationDue,
  restartsClock,
  stepEndedBy,
  transition,
  type CaseAction,
  type CaseActor,
  type CaseDeadlines,
  type CaseDoor,
  type CaseState,
} from '../../domain/cases/engine.js';
import type { Unit } from '../../domain/cases/routing.js';
import { CROCKFORD } from '../../domain/cases/receipt.js'; // base32 with no I, L, O, U to misread

/** The database side of the case engine: raising a case, moving it, and the escalation job. */
type Tx = Transaction<DB>;
export type CaseRow = Selectable<AppealCaseTable>;
/** A responsible unit with the scope key of its node (the case hangs there). */
export type PlacedUnit = Unit & { scopeKey: string; countyCode: string };
export type Mover = { actor: CaseActor; actorId: number | null };

// ── Tracking codes ──────────────────────────────────────────────────────────────────────
/** A new tracking code: 130 random bits as 26 base32 characters. Shown once; only its hash is kept. */
export function newTrackingCode(): string {
  const bytes = crypto.randomBytes(17);
  let bits = 0n;
  for (const b of bytes) bits = (bits << 8n) | BigInt(b);
  let out = '';
  for (let i = 0; i < 26; i++) out += CROCKFORD[Number((bits >> BigInt(i * 5)) & 31n)];
  return out;
}
/** The code as typed (any case, spaces or dashes between groups) in its canonical form, or null when it cannot be one. */
export function canonicalCode(raw: string): string | null {
  const c = raw.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  return /^[0-9A-HJKMNP-TV-Z]{26}$/.test(c) ? c : null;
}
export const trackingHash = (code: string) => sm3Hex(`appeal:${code}`);

// ── Raising and moving ──────────────────────────────────────────────────────────────────
export type NewCase = {
  door: CaseDoor;
  category: string;
  content: string;
  contentEnc?: string | null;
  contactEnc?: string | null;
  areaCode?: string | null;
  servicePostId?: number | null;
  entityId?: number | null;
  visitId?: number | null;
  plaqueFeedbackId?: number | null;
  unit: PlacedUnit;
  raisedKey: string;
  trackingHash?: string | null;
  raisedBy?: number | null;
};

/**
 * Raises a case and routes it in one go (routing is a rule, so it takes no time): the intake and
 * the routing are both written as events, and the wait for the unit's acceptance starts now.
 */
export async function raiseCase(tx: Tx, c: NewCase, by: Mover, d: CaseDeadlines, now: Date): Promise<number> {
  const due = dueAt('routed', now, d);
  // One statement writes the case and its two events (intake by whoever raised it, routing by the rule): the public door is the busy one.
  const { rows } = await sql<{ id: number }>`
    WITH c AS (
      INSERT INTO appeal_case (door, category, content, content_enc, contact_enc, area_code, service_post_id, entity_id, visit_id, plaque_feedback_id, county_code, unit_kind, unit_code, unit_line,
        unit_platform_id, unit_org_id, scope_key, raised_key, state, step_started_at, due_at, route_ms, tracking_hash, raised_by, created_at, updated_at)
      VALUES (${c.door}, ${c.category}, ${c.content}, ${c.contentEnc ?? null}, ${c.contactEnc ?? null}, ${c.areaCode ?? null}, ${c.servicePostId ?? null}, ${c.entityId ?? null}, ${c.visitId ?? null}, ${c.plaqueFeedbackId ?? null},
        ${c.unit.countyCode}, ${c.unit.kind}, ${c.unit.code}, ${c.unit.line}, ${unitRefs(c.unit).unit_platform_id}, ${unitRefs(c.unit).unit_org_id}, ${c.unit.scopeKey}, ${c.raisedKey}, 'routed', ${now}, ${due}, 0, ${c.trackingHash ?? null}, ${c.raisedBy ?? null}, ${now}, ${now})
      RETURNING id
    ), ev AS (
      INSERT INTO appeal_event (case_id, scope_key, raised_key, at, actor, actor_id, action, from_state, to_state, detail)
      SELECT c.id, ${c.unit.scopeKey}, ${c.raisedKey}, ${now}, x.actor, x.actor_id, x.action, x.from_state, x.to_state, x.detail::jsonb
      FROM c, (VALUES (${by.actor}, ${by.actorId}::bigint, 'intake', NULL, 'intake', ${JSON.stringify({ door: c.door, category: c.category })}),
                      ('system', NULL::bigint, 'route', 'intake', 'routed', ${JSON.stringify(unitDetail(c.unit))})) AS x(actor, actor_id, action, from_state, to_state, detail)
    )
    SELECT id FROM c`.execute(tx);
  return Number(rows[0].id);
}

const unitDetail = (u: Unit) => ({ kind: u.kind, code: u.code, line: u.line, ...(u.ref ? { ref: u.ref } : {}) });
/** The columns naming a contact point's platform or a committee (null for a station or bureau). */
const unitRefs = (u: Unit) => ({
  unit_platform_id: u.kind === 'platform' ? (u.ref ?? null) : null,
  unit_org_id: u.kind === 'committee' ? (u.ref ?? null) : null,
});

export type MoveInput = {
  note?: string;
  reply?: string;
  satisfaction?: number;
  comment?: string | null;
  unit?: PlacedUnit;
};

type CaseSet = Partial<Record<keyof AppealCaseTable, unknown>>;
/** What a move writes: the case's changed columns and one event. */
export type PlannedMove = { c: CaseRow; to: CaseState; set: CaseSet; event: Record<string, unknown> };

/**
 * One move of a case through the engine's rules, as what it will write; refused with the
 * engine's Chinese reason. The time a step took is added to its column; a change of step
 * restarts the clock and clears any escalation (the new step has its own deadline).
 */
export function planMove(
  c: CaseRow,
  action: CaseAction,
  by: Mover,
  input: MoveInput,
  d: CaseDeadlines,
  now: Date,
): PlannedMove {
  const t = transition(c.state, action, by.actor);
  if (!t.ok) throw conflict(t.reason);
  if (action === 'reopen' && !canReopen(c.state, c.resolved_at ? new Date(c.resolved_at) : null, d, now))
    throw conflict(`已超过 ${d.reopenDays} 天，不能再要求重新办理，可重新提交诉求`);
  const to = t.to;
  const started = new Date(c.step_started_at);
  const set: CaseSet = { state: to, updated_at: now };
  const ended = stepEndedBy(c.state, action);
  if (ended) set[`${ended}_ms`] = Number(c[`${ended}_ms`] ?? 0) + Math.max(0, now.getTime() - started.getTime());
  if (restartsClock(c.state, action, to))
    Object.assign(set, { step_started_at: now, due_at: dueAt(to, now, d), escalation_level: 0, escalated_key: null });
  // The reply goes out to whoever holds the tracking code: no ID number or phone in it.
  if (action === 'resolve') Object.assign(set, { public_reply: maskFreeText(input.reply), resolved_at: now });
  if (to === 'closed') set.closed_at = now;
  if (action === 'feedback')
    Object.assign(set, { satisfaction: input.satisfaction, feedback_comment: input.comment ?? null });
  if (action === 'reopen')
    Object.assign(set, {
      reopen_count: c.reopen_count + 1,
      resolved_at: null,
      closed_at: null,
      satisfaction: null,
      feedback_comment: null,
    });
  if (action === 'route' && input.unit) {
    const u = input.unit;
    Object.assign(set, {
      unit_kind: u.kind,
      unit_code: u.code,
      unit_line: u.line,
      ...unitRefs(u),
      scope_key: u.scopeKey,
      county_code: u.countyCode,
    });
  }
  return {
    c,
    to,
    set,
    event: {
      case_id: c.id,
      scope_key: set.scope_key ?? c.scope_key,
      raised_key: c.raised_key,
      actor: by.actor,
      actor_id: by.actorId,
      at: now,
      action,
      from_state: c.state,
      to_state: to,
      note: input.note ?? (action === 'resolve' ? input.reply : null) ?? null,
      detail: input.unit
        ? JSON.stringify({
            from: { kind: c.unit_kind, code: c.unit_code, line: c.unit_line },
            to: unitDetail(input.unit),
          })
        : action === 'feedback'
          ? JSON.stringify({ satisfaction: input.satisfaction })
          : null,
    },
  };
}

/**
 * Writes moves: their events in one statement, then the cases, one statement per distinct set of
 * changes (a batch of the escalation job is a handful). The events are written before the cases
 * move: once a case is handed up, the unit handing it no longer writes to it.
 */
export async function writeMoves(tx: Tx, moves: PlannedMove[]): Promise<void> {
  if (moves.length === 0) return;
  await tx
    .insertInto('appeal_event')
    .values(moves.map((m) => m.event) as never)
    .execute();
  const bySet = new Map<string, { set: CaseSet; ids: number[] }>();
  for (const m of moves) {
    const key = JSON.stringify(m.set);
    (bySet.get(key) ?? bySet.set(key, { set: m.set, ids: [] }).get(key)!).ids.push(m.c.id);
  }
  for (const { set, ids } of bySet.values())
    await tx
      .updateTable('appeal_case')
      .set(set as never)
      .where('id', 'in', ids)
      .execute();
  // A case moved to another unit takes its events along: the database copies the case's own key
  // onto them (the application role may not update events, which are history).
  const moved = moves
    .filter((x) => x.set.scope_key !== undefined && x.set.scope_key !== x.c.scope_key)
    .map((m) => m.c.id);
  if (moved.length) await sql`SELECT xgz_appeal_events_follow(${moved}::bigint[])`.execute(tx);
}

/** One move, written; a report from the plaque page keeps its own small record in step, for the 三亮 ledger's counts. */
export async function moveCase(
  tx: Tx,
  c: CaseRow,
  action: CaseAction,
  by: Mover,
  input: MoveInput,
  d: CaseDeadlines,
  now: Date,
): Promise<CaseState> {
  const move = planMove(c, action, by, input, d, now);
  await writeMoves(tx, [move]);
  if (c.plaque_feedback_id && action === 'resolve') {
    await tx
      .updateTable('plaque_feedback')
      .set({ state: 'handled', handling_note: input.reply!, handled_by: by.actorId, handled_at: now })
      .where('id', '=', c.plaque_feedback_id)
      .where('state', '=', 'open')
      .execute();
  }
  return move.to;
}

// ── Escalation ──────────────────────────────────────────────────────────────────────────
const SYSTEM = { userId: null, username: '系统（诉求超时督办）', scopeKey: '', ip: null };

/**
 * The escalation job: every open case past its step's deadline goes one level up (the node
 * above the one it was escalated to, starting from its unit), where it shows in that level's
 * list; resolved cases nobody answered within the window close. `now` is a parameter so tests
 * run the job at any time they choose. Runs in batches in the nation's scope as the system,
 * each batch's moves written together.
 */
export async function runEscalation(
  db: Kysely<DB>,
  d: CaseDeadlines,
  now: Date,
  batch = 2000,
): Promise<{ escalated: number; closed: number }> {
  let escalated = 0;
  let closed = 0;
  const ancestors = await ancestorKeys(db);
  const system: Mover = { actor: 'system', actorId: null };
  for (let lastId = 0; ;) {
    const done = await runScoped(db, SYSTEM, async ({ db: tx, audit }) => {
      const rows = await tx
        .selectFrom('appeal_case')
        .selectAll()
        .where((eb) =>
          eb.or([
            // Only cases whose next level is due (escalationDue: one more level per period past the
            // deadline) and not already at the top: the job no longer rereads every overdue case each run.
            eb.and([
              eb('state', 'in', ['intake', 'routed', 'accepted', 'handling']),
              eb('due_at', '<', now),
              sql<boolean>`due_at + escalation_level * (due_at - step_started_at) <= ${now}`,
              sql<boolean>`escalated_key IS DISTINCT FROM ''`,
            ]),
            eb.and([
              eb('state', '=', 'resolved'),
              eb('resolved_at', '<', new Date(now.getTime() - d.reopenDays * 86_400_000)),
            ]),
          ]),
        )
        .where('id', '>', lastId)
        .orderBy('id')
        .limit(batch)
        .forUpdate()
        .execute();
      const moves: PlannedMove[] = [];
      for (const c of rows) {
        lastId = Number(c.id);
        if (closesUnanswered(c.state, c.resolved_at ? new Date(c.resolved_at) : null, d, now)) {
          moves.push(planMove(c, 'close', system, { note: `${d.reopenDays} 天内未评价，自动关闭` }, d, now));
          continue;
        }
        const chain = ancestors(c.scope_key);
        const level = escalationDue(
          { state: c.state, stepStartedAt: new Date(c.step_started_at), level: c.escalation_level },
          d,
          now,
          chain.length,
        );
        if (level <= c.escalation_level) continue;
        const key = chain[level - 1];
        moves.push({
          c,
          to: c.state,
          set: { escalation_level: level, escalated_key: key, updated_at: now },
          event: {
            case_id: c.id,
            scope_key: c.scope_key,
            raised_key: c.raised_key,
            actor: 'system',
            actor_id: null,
            at: now,
            action: 'escalate',
            from_state: c.state,
            to_state: c.state,
            note: null,
            detail: JSON.stringify({ level, to: key }),
          },
        });
        audit({ action: 'appeal.escalate', objectType: 'appeal_case', objectId: c.id, detail: { level, to: key } });
      }
      await writeMoves(tx, moves);
      closed += moves.filter((m) => m.to === 'closed').length;
      escalated += moves.filter((m) => m.to !== 'closed').length;
      return rows.length < batch;
    });
    if (done) return { escalated, closed };
  }
}

/** The scope keys above a node's, nearest first (the county's, the city's, …, the nation's ''). */
async function ancestorKeys(db: Kysely<DB>): Promise<(scopeKey: string) => string[]> {
  // Stations are left out (there are tens of thousands): a station's parent is the longest key above it, its county.
  const rows = await db.selectFrom('jurisdiction').select(['scope_key']).where('level', '<>', 'station').execute();
  const keys = new Set(rows.map((r) => r.scope_key));
  return (scopeKey) => {
    const out: string[] = [];
    for (let n = scopeKey.length - 1; n >= 0; n--) if (keys.has(scopeKey.slice(0, n))) out.push(scopeKey.slice(0, n));
    return out;
  };
}

/** The job as the app runs it: once at start, then every `everyMs`, stopped when the app closes. */
export function scheduleEscalation(
  run: () => Promise<unknown>,
  everyMs: number,
  log: { error(o: object, m: string): void },
  health?: DbHealth,
) {
  let running: Promise<unknown> | null = null;
  // While the database is away the job pauses (a pass is one transaction per batch: a pass cut
  // short left nothing half-done) and runs again as soon as it is back.
  const onUp = () => tick();
  const tick = () => {
    if (running || !timer || (health && !health.isUp)) return;
    running = run()
      .catch((err: unknown) => void (health?.report(err) || log.error({ err }, 'appeal escalation failed')))
      .finally(() => (running = null));
  };
  let timer: NodeJS.Timeout | null = null;
  return {
    start() {
      timer = setInterval(tick, everyMs);
      timer.unref();
      tick();
      health?.on('up', onUp);
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      health?.off('up', onUp);
      await running;
    },
  };
}

/**
 * The 三亮 page still lets a station mark a plaque report handled; the report's case follows:
 * accepted if it was waiting, then resolved with the handling note as the reply to the reporter.
 */
export async function resolveWithPlaqueReport(
  tx: Tx,
  feedbackId: number,
  note: string,
  actorId: number,
  d: CaseDeadlines,
  now: Date,
): Promise<void> {
  let c = await tx
    .selectFrom('appeal_case')
    .selectAll()
    .where('plaque_feedback_id', '=', feedbackId)
    .forUpdate()
    .executeTakeFirst();
  if (!c) return;
  const by: Mover = { actor: 'staff', actorId };
  if (c.state === 'routed') {
    await moveCase(tx, c, 'accept', by, {}, d, now);
    c = await tx.selectFrom('appeal_case').selectAll().where('id', '=', c.id).executeTakeFirstOrThrow();
  }
  if (c.state === 'accepted' || c.state === 'handling') await moveCase(tx, c, 'resolve', by, { reply: note }, d, now);
}
