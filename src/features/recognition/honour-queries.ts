import { sql, type Transaction } from 'kysely';
import type { z } from 'zod';
import type { honourFilters } from './contract.js';
import type { DB } from '../../db/schema.js';
import type { Node } from '../../db/subtree.js';
import {
  AWARD_LEVEL_LABEL,
  HONOUR_STATE_LABEL,
  honourActions,
  type ActorLevel,
  type HonourState,
  nominationProblem,
} from '../../domain/recognition/honours.js';
import { badRequest, notFound } from '../../http/errors.js';
import { containing, pageFrom, underNode } from '../../http/paging.js';
import type { BodyOf } from '../../http/contract.js';
import { childOf, childrenOf, codeList, refusal } from './shared.js';
import type { nominateHonour } from './contract.js';
import { exportReadRows } from '../../http/export-route.js';

/** The honours' reads: the list and its export, the counts by kind and area, one honour, the nominated subject, an entity's violations. */

type Tx = Transaction<DB>;

type Filters = z.output<z.ZodObject<typeof honourFilters>>;

function honourList(db: Tx) {
  return db
    .selectFrom('honour as h')
    .leftJoin('dictionary as d', (j) => j.on('d.kind', '=', 'honor_kind').onRef('d.code', '=', 'h.kind'))
    .select([
      'h.id',
      'h.kind',
      'd.label as kind_label',
      'h.subject_name',
      'h.entity_id',
      'h.zone_id',
      'h.member_id',
      'h.state',
      'h.nominated_on',
      'h.level',
      'h.year',
      'h.awarded_on',
      'h.revoked_on',
      'h.revoke_reason',
      'h.nomination_note',
      'h.review_note',
      'h.flagged_at',
      'h.flag_reason',
      'h.scope_key',
    ]);
}

/** The honours matching the list's filters (shared by the list and its export). */
async function filtered(db: Tx, f: Filters) {
  let q = honourList(db);
  if (f.under) q = q.where(await underNode(db, 'h.scope_key', f.under));
  if (f.kind) q = q.where('h.kind', '=', f.kind);
  if (f.state) q = q.where('h.state', '=', f.state);
  if (f.level) q = q.where('h.level', '=', f.level);
  if (f.year) q = q.where('h.year', '=', f.year);
  if (f.flagged) q = q.where('h.flagged_at', f.flagged === 'true' ? 'is not' : 'is', null);
  if (f.q) q = q.where('h.subject_name', 'like', containing(f.q));
  return q;
}

type Row = Awaited<ReturnType<ReturnType<typeof honourList>['execute']>>[number];
const itemFor = (actor: ActorLevel | null) => (h: Row) => ({
  id: h.id,
  kind: h.kind,
  kindLabel: h.kind_label ?? h.kind,
  subjectName: h.subject_name,
  entityId: h.entity_id,
  zoneId: h.zone_id,
  memberId: h.member_id,
  state: h.state,
  stateLabel: HONOUR_STATE_LABEL[h.state],
  nominatedOn: h.nominated_on,
  level: h.level,
  levelLabel: h.level ? AWARD_LEVEL_LABEL[h.level] : null,
  year: h.year,
  awardedOn: h.awarded_on,
  revokedOn: h.revoked_on,
  revokeReason: h.revoke_reason,
  nominationNote: h.nomination_note,
  reviewNote: h.review_note,
  flagged: h.flagged_at !== null,
  flagReason: h.flag_reason,
  actions: actor ? honourActions({ state: h.state, flagged: h.flagged_at !== null, level: h.level }, actor) : [],
});
export type HonourItem = ReturnType<ReturnType<typeof itemFor>>;

/** One page of the honours; flagged ones first: they wait for someone. */
export async function honoursPage(db: Tx, f: Filters & { page: number; pageSize: number }, actor: ActorLevel | null) {
  return pageFrom(
    await filtered(db, f),
    f,
    (q) =>
      q
        .orderBy(sql`h.flagged_at IS NULL`)
        .orderBy('h.nominated_on', 'desc')
        .orderBy('h.id', 'desc'),
    itemFor(actor),
  );
}

/** The honours of the export (up to 100,000), newest first. */
export async function honoursForExport(db: Tx, f: Filters, actor: ActorLevel | null) {
  const rows = await (
    await filtered(db, f)
  )
    .orderBy('h.nominated_on', 'desc')
    .orderBy('h.id', 'desc')
    .limit(exportReadRows())
    .execute();
  return rows.map(itemFor(actor));
}

/** Awarded, pending and flagged honours under the node: in all, by kind, by child node and on the node itself (in a year if given). */
export async function honourCountsUnder(db: Tx, node: Node, year: number | undefined) {
  let q = db
    .selectFrom('honour as h')
    .select([
      'h.kind',
      childOf(node, sql.ref('h.scope_key')).as('child'),
      sql<number>`count(*) FILTER (WHERE h.state = 'awarded')::int`.as('awarded'),
      sql<number>`count(*) FILTER (WHERE h.state IN ('nominated', 'approved'))::int`.as('pending'),
      sql<number>`count(*) FILTER (WHERE h.flagged_at IS NOT NULL AND h.state IN ('nominated', 'approved', 'awarded'))::int`.as(
        'flagged',
      ),
    ])
    .where(sql<boolean>`starts_with(h.scope_key, ${node.scope_key})`)
    .groupBy(['h.kind', 'child']);
  if (year) q = q.where('h.year', '=', year);
  const rows = await q.execute();
  const sum = (keep: (x: (typeof rows)[number]) => boolean) =>
    rows
      .filter(keep)
      .reduce(
        (a, x) => ({ awarded: a.awarded + x.awarded, pending: a.pending + x.pending, flagged: a.flagged + x.flagged }),
        { awarded: 0, pending: 0, flagged: 0 },
      );
  const kinds = await codeList(db, 'honor_kind');
  return {
    node: { code: node.code, name: node.name, level: node.level },
    total: sum(() => true),
    byKind: [...kinds].map(([kind, label]) => ({ kind, label, ...sum((x) => x.kind === kind) })),
    children: (await childrenOf(db, node)).map((c) => ({ ...c, ...sum((x) => x.child === c.code) })),
    own: sum((x) => x.child === null),
  };
}

/** One honour with its entity's violations and its history (the last 100 changes). */
export async function honourDetail(db: Tx, id: number, actor: ActorLevel | null) {
  const h = await honourList(db).where('h.id', '=', id).executeTakeFirst();
  if (!h) throw notFound('荣誉');
  const history = await db
    .selectFrom('ledger_history as x')
    .leftJoin('app_user as u', 'u.id', 'x.actor_id')
    .select([
      'x.at',
      'x.op',
      sql<string | null>`x.after->>'state'`.as('state'),
      sql<string | null>`x.after->>'flag_reason'`.as('flag_reason'),
      'u.display_name as actor',
    ])
    .where('x.object_type', '=', 'honour')
    .where('x.object_id', '=', h.id)
    .orderBy('x.at', 'desc')
    .limit(100)
    .execute();
  const violations = h.entity_id
    ? await db
        .selectFrom('entity_violation')
        .select(['id', 'occurred_on', 'description'])
        .where('entity_id', '=', h.entity_id)
        .orderBy('occurred_on', 'desc')
        .execute()
    : [];
  return {
    ...itemFor(actor)(h),
    violations: violations.map((v) => ({ id: v.id, occurredOn: v.occurred_on, description: v.description })),
    history: history.map((x) => ({
      at: x.at,
      op: x.op,
      state: x.state,
      stateLabel: x.state ? (HONOUR_STATE_LABEL[x.state as 'awarded'] ?? x.state) : null,
      flagReason: x.flag_reason,
      actor: x.actor ?? '系统',
    })),
  };
}

export type Nomination = BodyOf<typeof nominateHonour>;

/** The honoured subject in the caller's scope: its display name and the scope key the honour takes (the demo nominates through it too). */
export async function nominatedSubject(db: Tx, b: Nomination) {
  const zone = b.zoneId
    ? await db.selectFrom('zone').select(['name', 'kind', 'scope_key']).where('id', '=', b.zoneId).executeTakeFirst()
    : null;
  if (b.zoneId && !zone) throw notFound('专业市场');
  const problem = nominationProblem(b.kind, { entityId: b.entityId, zoneKind: zone?.kind, memberId: b.memberId });
  if (problem) throw badRequest(problem.message, [problem]);
  if (!b.entityId)
    return { name: zone!.name, scope_key: zone!.scope_key, entity_id: null, zone_id: b.zoneId!, member_id: null };
  const entity = await db
    .selectFrom('entity')
    .select(['id', 'name', 'status', 'scope_key'])
    .where('id', '=', b.entityId)
    .executeTakeFirst();
  if (!entity) throw notFound('市场主体');
  if (entity.status !== 'active')
    throw refusal({ status: 422, field: 'entityId', reason: `${entity.name}不在存续状态，不能提名` });
  let name = entity.name;
  if (b.memberId) {
    // The member must work in the entity (hold a role there), as the honour names both.
    const m = await db
      .selectFrom('member as m')
      .innerJoin('person as p', 'p.id', 'm.person_id')
      .select('p.name')
      .where('m.id', '=', b.memberId)
      .where((w) =>
        w.exists(
          w
            .selectFrom('entity_person as ep')
            .select('ep.id')
            .whereRef('ep.person_id', '=', 'm.person_id')
            .where('ep.entity_id', '=', entity.id),
        ),
      )
      .executeTakeFirst();
    if (!m)
      throw badRequest('该党员不在所选市场主体的人员中', [
        { field: 'memberId', message: '请选择在该主体任职或就业的党员' },
      ]);
    name = `${m.name}（${entity.name}）`;
  }
  return {
    name,
    scope_key: entity.scope_key,
    entity_id: entity.id,
    zone_id: b.zoneId ?? null,
    member_id: b.memberId ?? null,
  };
}

/** The honour row, or 404. */
export async function loadHonour(db: Tx, id: number) {
  const h = await db.selectFrom('honour').selectAll().where('id', '=', id).executeTakeFirst();
  if (!h) throw notFound('荣誉');
  return h;
}
export type HonourRecord = Awaited<ReturnType<typeof loadHonour>>;

type Subject = { kind: string; entity_id: number | null; zone_id: number | null; member_id: number | null };

/**
 * Another honour of the same kind for the same subject in one of `states` (of `year`, when given),
 * after taking the subject's lock for the caller's transaction: two nominations (or awards) of one
 * subject sent at once are checked one after the other, so the second sees the first.
 */
export async function sameHonour(db: Tx, s: Subject, states: HonourState[], year?: number) {
  const key = `${s.kind}:${s.entity_id ?? ''}:${s.zone_id ?? ''}:${s.member_id ?? ''}`;
  await sql`SELECT pg_advisory_xact_lock(hashtext('xgz.honour'), hashtext(${key}))`.execute(db);
  const same = (col: 'entity_id' | 'zone_id' | 'member_id', v: number | null) =>
    v === null ? sql<boolean>`${sql.ref(col)} IS NULL` : sql<boolean>`${sql.ref(col)} = ${v}`;
  return db
    .selectFrom('honour')
    .select('id')
    .where('kind', '=', s.kind)
    .where(same('entity_id', s.entity_id))
    .where(same('zone_id', s.zone_id))
    .where(same('member_id', s.member_id))
    .where('state', 'in', states)
    .$if(year !== undefined, (q) => q.where('year', '=', year!))
    .orderBy('id')
    .executeTakeFirst();
}

/** An entity's serious violations with who recorded them, the latest first. */
export async function violationsOf(db: Tx, entityId: number) {
  const e = await db.selectFrom('entity').select('id').where('id', '=', entityId).executeTakeFirst();
  if (!e) throw notFound('市场主体');
  const rows = await db
    .selectFrom('entity_violation as v')
    .leftJoin('app_user as u', 'u.id', 'v.recorded_by')
    .select(['v.id', 'v.occurred_on', 'v.description', 'v.created_at', 'u.display_name as recorded_by'])
    .where('v.entity_id', '=', e.id)
    .orderBy('v.occurred_on', 'desc')
    .execute();
  return {
    items: rows.map((v) => ({
      id: v.id,
      occurredOn: v.occurred_on,
      description: v.description,
      recordedAt: v.created_at,
      recordedBy: v.recorded_by,
    })),
  };
}
