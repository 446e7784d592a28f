import { sql, type Transaction } from 'kysely';
import type { z } from 'zod';
import type { feedbackFilters } from './contract.js';
import { today } from '../../domain/time/zone.js';
import type { DB } from '../../db/schema.js';
import { badRequest, conflict, notFound } from '../../http/errors.js';
import { containing, pageFrom, underNode } from '../../http/paging.js';
import {
  decidePlaque,
  needsReview,
  FEEDBACK_CATEGORY_LABEL,
  FEEDBACK_STATE_LABEL,
  plaqueNumber,
  RECORD_STATUS_LABEL,
  SANLIANG_KIND_LABEL,
  PLAQUE_STATE_LABEL,
  type PlaqueAction,
  type RecordStatus,
  type Refusal,
  type SanliangKind,
} from '../../domain/sanliang/plaque.js';

type Tx = Transaction<DB>;

export type RecordFilters = {
  under?: string;
  kind?: string;
  status?: string;
  plaque?: string;
  review?: string;
  q?: string;
};

/** 三亮 records with their entity, member, place and current valid plaque (if any). */
function recordList(db: Tx) {
  return (
    db
      .selectFrom('sanliang as s')
      .innerJoin('entity as e', 'e.id', 's.entity_id')
      .innerJoin('jurisdiction as c', 'c.code', 's.county_code')
      .leftJoin('jurisdiction as st', 'st.code', 'e.station_code')
      // The member's roster row may lie outside a station's sight (a county roster): the record still lists.
      .leftJoin('member as m', 'm.id', 's.member_id')
      .leftJoin('person as p', 'p.id', 'm.person_id')
      .leftJoin('sanliang_plaque as pl', (j) => j.onRef('pl.record_id', '=', 's.id').on('pl.state', '=', 'valid'))
      .select([
        's.id',
        's.kind',
        's.member_id',
        's.entity_id',
        's.post_name',
        's.duties',
        's.commitment',
        's.shown_on',
        's.status',
        's.withdrawn_on',
        's.withdraw_reason',
        'e.name as entity_name',
        'e.status as entity_status',
        'p.name as member_name',
        'c.name as county_name',
        'st.name as station_name',
        'pl.id as plaque_id',
        'pl.number as plaque_number',
        'pl.issued_on as plaque_issued_on',
        'pl.suspended_at as plaque_suspended_at',
      ])
      .select(
        sql<number>`(SELECT count(*)::int FROM plaque_feedback f WHERE f.record_id = s.id AND f.state = 'open')`.as(
          'open_feedback',
        ),
      )
  );
}

export async function filteredRecords(db: Tx, f: RecordFilters) {
  let q = recordList(db);
  if (f.under) q = q.where(await underNode(db, 's.scope_key', f.under));
  if (f.kind) q = q.where('s.kind', '=', f.kind as SanliangKind);
  if (f.status) q = q.where('s.status', '=', f.status as RecordStatus);
  if (f.plaque === 'valid') q = q.where('pl.id', 'is not', null);
  if (f.plaque === 'none') q = q.where('pl.id', 'is', null);
  if (f.review === 'true') q = q.where('s.status', '=', 'active').where('e.status', '<>', 'active');
  if (f.q) q = q.where((eb) => eb.or([eb('e.name', 'like', containing(f.q!)), eb('p.name', 'like', containing(f.q!))]));
  return q;
}

type Row = Awaited<ReturnType<Awaited<ReturnType<typeof filteredRecords>>['execute']>>[number];
export const toRecordItem = (s: Row) => ({
  id: s.id,
  kind: s.kind,
  kindLabel: SANLIANG_KIND_LABEL[s.kind],
  memberId: s.member_id,
  memberName: s.member_name,
  entityId: s.entity_id,
  entityName: s.entity_name,
  entityStatus: s.entity_status,
  needsReview: needsReview(s.status, s.entity_status),
  countyName: s.county_name,
  stationName: s.station_name,
  postName: s.post_name,
  duties: s.duties,
  commitment: s.commitment,
  shownOn: s.shown_on,
  status: s.status,
  statusLabel: RECORD_STATUS_LABEL[s.status],
  withdrawnOn: s.withdrawn_on,
  withdrawReason: s.withdraw_reason,
  plaque: s.plaque_id
    ? {
        id: s.plaque_id,
        number: s.plaque_number!,
        issuedOn: s.plaque_issued_on!,
        suspended: s.plaque_suspended_at !== null && s.plaque_suspended_at !== undefined,
      }
    : null,
  openFeedback: s.open_feedback,
});

export async function loadRecord(db: Tx, id: number, lock = false) {
  let q = db.selectFrom('sanliang').selectAll().where('id', '=', id);
  if (lock) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  if (!row) throw notFound('三亮记录');
  return row;
}

/** A plaque about to change: locked, so two clerks cannot revoke or reissue it at once. */
export async function loadPlaque(db: Tx, id: number) {
  const row = await db.selectFrom('sanliang_plaque').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!row) throw notFound('牌匾');
  return row;
}

export const plaqueItem = (p: {
  id: number;
  number: string;
  state: 'valid' | 'revoked';
  issued_on: string;
  revoked_on: string | null;
  revoke_reason: string | null;
  replaces_id: number | null;
}) => ({
  id: p.id,
  number: p.number,
  state: p.state,
  stateLabel: PLAQUE_STATE_LABEL[p.state],
  issuedOn: p.issued_on,
  revokedOn: p.revoked_on,
  revokeReason: p.revoke_reason,
  replacesId: p.replaces_id,
});

/** An allowed decision of the domain rules, or the refusal as the client sees it: 400 naming the field, or 409. */
export function orRefuse<T extends { ok: true }>(d: T | Refusal): T {
  if (d.ok) return d;
  throw d.kind === 'invalid'
    ? badRequest(d.message, [{ field: d.field ?? '', message: d.message }])
    : conflict(d.message);
}

/**
 * Issues, revokes or reissues, as the domain rules decide, and returns what changed. The one
 * place plaques change: the routes only find the record (and plaque) and audit the outcome.
 */
export async function actOnPlaque(
  db: Tx,
  action: PlaqueAction,
  record: { id: number; status: RecordStatus; county_code: string; scope_key: string },
  plaque: { id: number; state: 'valid' | 'revoked' } | null,
  reason?: string,
) {
  const valid = plaque
    ? plaque.state === 'valid'
    : !!(await db
        .selectFrom('sanliang_plaque')
        .select('id')
        .where('record_id', '=', record.id)
        .where('state', '=', 'valid')
        .executeTakeFirst());
  const effects = orRefuse(
    decidePlaque(action, {
      recordStatus: record.status,
      recordHasValidPlaque: valid,
      plaqueState: plaque?.state,
      reason,
    }),
  );
  const on = today();
  const why = reason?.trim() ?? null;
  if (effects.revokeOld && plaque) {
    await db
      .updateTable('sanliang_plaque')
      .set({ state: 'revoked', revoked_on: on, revoke_reason: action === 'reissue' ? `补发：${why}` : why })
      .where('id', '=', plaque.id)
      .execute();
  }
  if (effects.withdrawRecord) {
    await db
      .updateTable('sanliang')
      .set({ status: 'withdrawn', withdrawn_on: on, withdraw_reason: why, updated_at: new Date() })
      .where('id', '=', record.id)
      .execute();
  }
  let issued: { id: number; number: string } | null = null;
  if (effects.issueNew) {
    const { rows } = await sql<{ n: number }>`SELECT xgz_plaque_serial(${record.county_code}) AS n`.execute(db);
    issued = await db
      .insertInto('sanliang_plaque')
      .values({
        number: plaqueNumber(record.county_code, Number(rows[0].n)),
        record_id: record.id,
        scope_key: record.scope_key,
        issued_on: on,
        replaces_id: effects.revokeOld ? plaque!.id : null,
      })
      .returning(['id', 'number'])
      .executeTakeFirstOrThrow();
  }
  return { revoked: effects.revokeOld ? plaque!.id : null, issued, withdrawn: effects.withdrawRecord };
}

// ── Participation (members taking part in 三亮), by jurisdiction subtree and by month ────────
const FIGURES = sql`count(DISTINCT s.member_id) FILTER (WHERE s.status = 'active')::int AS members,
  count(s.id) FILTER (WHERE s.status = 'active')::int AS records,
  count(s.id) FILTER (WHERE s.status = 'active' AND s.kind = 'member_operator')::int AS member_operators,
  count(s.id) FILTER (WHERE s.status = 'active' AND s.kind = 'member_post')::int AS member_posts,
  count(DISTINCT s.entity_id) FILTER (WHERE s.status = 'active')::int AS entities,
  count(pl.id)::int AS valid_plaques,
  count(s.id) FILTER (WHERE s.status = 'withdrawn')::int AS withdrawn`;

type FigureRow = {
  members: number;
  records: number;
  member_operators: number;
  member_posts: number;
  entities: number;
  valid_plaques: number;
  withdrawn: number;
};
const toFigures = (r: FigureRow | undefined) => ({
  members: r?.members ?? 0,
  records: r?.records ?? 0,
  memberOperators: r?.member_operators ?? 0,
  memberPosts: r?.member_posts ?? 0,
  entities: r?.entities ?? 0,
  validPlaques: r?.valid_plaques ?? 0,
  withdrawn: r?.withdrawn ?? 0,
});

/** The node to count under: the caller's own, or one in their subtree (else 404, never an empty answer). */
const RECORDS_WITH_PLAQUE = sql`sanliang s LEFT JOIN sanliang_plaque pl ON pl.record_id = s.id AND pl.state = 'valid'`;

/** The node's figures, each child's, and what hangs on the node itself (not under any child). */
export async function participation(db: Tx, node: { code: string; scope_key: string }) {
  const { rows: total } =
    await sql<FigureRow>`SELECT ${FIGURES} FROM ${RECORDS_WITH_PLAQUE} WHERE starts_with(s.scope_key, ${node.scope_key})`.execute(
      db,
    );
  const { rows: own } =
    await sql<FigureRow>`SELECT ${FIGURES} FROM ${RECORDS_WITH_PLAQUE} WHERE s.scope_key = ${node.scope_key}`.execute(
      db,
    );
  const { rows: children } = await sql<FigureRow & { code: string; name: string; level: string }>`
    SELECT j.code, j.name, j.level, ${FIGURES}
    FROM jurisdiction j LEFT JOIN ${RECORDS_WITH_PLAQUE} ON starts_with(s.scope_key, j.scope_key)
    WHERE j.parent_code = ${node.code}
    GROUP BY j.code, j.name, j.level ORDER BY j.code`.execute(db);
  return {
    total: toFigures(total[0]),
    unassigned: toFigures(own[0]),
    children: children.map((c) => ({ code: c.code, name: c.name, level: c.level, ...toFigures(c) })),
  };
}

/** Month by month (the last `months`, this one included): members taking part at the month's end, and what started and ended in it. */
export async function participationByMonth(db: Tx, scopeKey: string, months: number) {
  const { rows } = await sql<{
    month: string;
    members: number;
    started: number;
    withdrawn: number;
    issued: number;
    revoked: number;
  }>`
    WITH m AS (SELECT d::date AS first, (d + interval '1 month')::date AS next
               FROM generate_series(date_trunc('month', ${today()}::date) - make_interval(months => ${months - 1}), date_trunc('month', ${today()}::date), interval '1 month') d),
         s AS (SELECT * FROM sanliang WHERE starts_with(scope_key, ${scopeKey})),
         p AS (SELECT * FROM sanliang_plaque WHERE starts_with(scope_key, ${scopeKey}))
    SELECT to_char(m.first, 'YYYY-MM') AS month,
      (SELECT count(DISTINCT s.member_id) FROM s WHERE s.shown_on < m.next AND (s.withdrawn_on IS NULL OR s.withdrawn_on >= m.next))::int AS members,
      (SELECT count(*) FROM s WHERE s.shown_on >= m.first AND s.shown_on < m.next)::int AS started,
      (SELECT count(*) FROM s WHERE s.withdrawn_on >= m.first AND s.withdrawn_on < m.next)::int AS withdrawn,
      (SELECT count(*) FROM p WHERE p.issued_on >= m.first AND p.issued_on < m.next)::int AS issued,
      (SELECT count(*) FROM p WHERE p.revoked_on >= m.first AND p.revoked_on < m.next)::int AS revoked
    FROM m ORDER BY m.first`.execute(db);
  return rows;
}

// ── The public's reports ─────────────────────────────────────────────────────────────────
export type FeedbackFilters = z.output<z.ZodObject<typeof feedbackFilters>>;

export async function filteredFeedback(db: Tx, f: FeedbackFilters) {
  let q = db
    .selectFrom('plaque_feedback as f')
    .innerJoin('sanliang_plaque as p', 'p.id', 'f.plaque_id')
    .innerJoin('sanliang as s', 's.id', 'f.record_id')
    .innerJoin('entity as e', 'e.id', 's.entity_id')
    .leftJoin('app_user as u', 'u.id', 'f.handled_by')
    .select([
      'f.id',
      'f.record_id',
      'f.category',
      'f.content',
      'f.state',
      'f.handling_note',
      'f.receipt',
      'f.handled_at',
      'f.created_at',
      'p.number',
      'p.state as plaque_state',
      'e.name as entity_name',
      'u.display_name as handled_by',
    ]);
  if (f.under) q = q.where(await underNode(db, 'f.scope_key', f.under));
  if (f.state) q = q.where('f.state', '=', f.state);
  if (f.category) q = q.where('f.category', '=', f.category);
  return q;
}

type FeedbackRow = Awaited<ReturnType<Awaited<ReturnType<typeof filteredFeedback>>['execute']>>[number];
export const toFeedbackItem = (f: FeedbackRow) => ({
  id: f.id,
  receipt: f.receipt,
  recordId: f.record_id,
  number: f.number,
  plaqueState: f.plaque_state,
  entityName: f.entity_name,
  category: f.category,
  categoryLabel: FEEDBACK_CATEGORY_LABEL[f.category],
  content: f.content,
  state: f.state,
  stateLabel: FEEDBACK_STATE_LABEL[f.state],
  handlingNote: f.handling_note,
  handledBy: f.handled_by,
  handledAt: f.handled_at?.toISOString() ?? null,
  createdAt: f.created_at.toISOString(),
});

/** One page of the public's reports, open ones first: they are the work to do. */
export async function feedbackPage(db: Tx, f: FeedbackFilters & { page: number; pageSize: number }) {
  return pageFrom(
    await filteredFeedback(db, f),
    f,
    (q) => q.orderBy(sql`f.state = 'open'`, 'desc').orderBy('f.id', 'desc'),
    toFeedbackItem,
  );
}

// ── Named reads the routes call ────────────────────────────────────────────────────────────
/** One record as the list shows it. */
export const recordItem = async (db: Tx, id: number) =>
  (await (await filteredRecords(db, {})).where('s.id', '=', id).execute()).map(toRecordItem)[0];
/** A record's plaques, newest first. */
export const plaquesOf = (db: Tx, recordId: number) =>
  db.selectFrom('sanliang_plaque').selectAll().where('record_id', '=', recordId).orderBy('id', 'desc').execute();
/** A record's latest reports from the public. */
export const recordFeedback = async (db: Tx, recordId: number) =>
  (
    await (
      await filteredFeedback(db, {})
    )
      .where('f.record_id', '=', recordId)
      .orderBy('f.id', 'desc')
      .limit(50)
      .execute()
  ).map(toFeedbackItem);
/** A plaque in the caller's scope, or null. */
export const plaqueById = (db: Tx, id: number) =>
  db.selectFrom('sanliang_plaque').selectAll().where('id', '=', id).executeTakeFirst();
/** A member of the roster in the caller's scope, or null. */
export const memberById = (db: Tx, id: number) =>
  db.selectFrom('member').select('id').where('id', '=', id).executeTakeFirst();
/** The entity a record is shown at: its status and where it lies. */
export const recordEntity = (db: Tx, id: number) =>
  db.selectFrom('entity').select(['id', 'status', 'county_code', 'scope_key']).where('id', '=', id).executeTakeFirst();
/** A report from the public about to be handled: locked, so two clerks cannot handle it at once. */
export const feedbackForUpdate = (db: Tx, id: number) =>
  db.selectFrom('plaque_feedback').select(['id', 'state']).where('id', '=', id).forUpdate().executeTakeFirst();

// ── The plaque's public page ────────────────────────────────────────────────────────────────
// Read through narrow SECURITY DEFINER functions by a token, in a scope that holds nothing.

type PublicPlaque = {
  number: string;
  state: 'valid' | 'revoked' | 'suspended';
  kind: SanliangKind;
  entity_name: string | null;
  entity_kind: string;
  people: (string | null)[];
  name_first: string | null;
  name_length: number | null;
  post_name: string | null;
  duties: string | null;
  commitment: string | null;
  issued_on: string;
  revoked_on: string | null;
  reissued: boolean;
  area: string;
};

/** What a plaque's QR code shows (unmasked: the route masks names), or undefined. */
export const publicPlaqueByToken = async (db: Tx, token: string) =>
  (await sql<PublicPlaque>`SELECT * FROM xgz_plaque_public_by_token(${token})`.execute(db)).rows[0];

/** Where a report on a plaque goes: the plaque, its record and its scope, or undefined. */
export const plaqueRouteByToken = async (db: Tx, token: string) =>
  (
    await sql<{
      plaque_id: number;
      record_id: number;
      scope_key: string;
      number: string;
    }>`SELECT * FROM xgz_plaque_route_by_token(${token})`.execute(db)
  ).rows[0];
