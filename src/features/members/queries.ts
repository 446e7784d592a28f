import { sql, type Transaction } from 'kysely';
import type { z } from 'zod';
import type { memberFilters } from './contract.js';
import type { DB } from '../../db/schema.js';
import type { Keys } from '../../crypto/keys.js';
import { decryptField } from '../../crypto/field.js';
import { historyValue, MEMBER_CONFIDENCE_LABEL, MEMBER_STATUS_LABEL } from '../../domain/ledger/labels.js';
import { birthBesideMaskedId, maskIdNumber, maskPhone } from '../../domain/identifiers/id-number.js';
import { notFound } from '../../http/errors.js';
import { containing, offsetOf } from '../../http/paging.js';
import { areaNode } from '../../db/subtree.js';
import { memberBirthShown, readablePhone } from '../persons/index.js';
import { exportReadRows, refuseLongExport } from '../../http/export-route.js';

/** The party-member roster's reads: the list (and its export's rows) and a member's page. */

export const STATUS: Record<string, string> = MEMBER_STATUS_LABEL;
export const CONFIDENCE: Record<string, string> = MEMBER_CONFIDENCE_LABEL;

/** The roster's filters as the contract parses them, with `under` resolved to its node's scope key. */
type MemberFilters = z.output<z.ZodObject<typeof memberFilters>> & { underKey?: string };

/** The filters with `under` looked up in the caller's scope (a node outside it is "not found"). */
async function resolved(db: Transaction<DB>, f: MemberFilters): Promise<MemberFilters> {
  return f.under ? { ...f, underKey: (await areaNode(db, f.under)).scope_key } : f;
}

/** A personal field decrypted and masked (null when absent). */
export const masked = (keys: Keys, enc: string | null, mask: (v: string) => string) =>
  enc ? mask(decryptField(keys, enc)) : null;

/**
 * The members in scope matching the filters, as a materialized set. Their ids come first from the
 * two ways a member is in scope (its own scope key, or a link to an entity in scope: the tests of
 * xgz_member_visible, through indexes), so the member's row-level security runs on those rows
 * only, not on every member of the roster (~30 µs a row: 40 ms at a station of the demo city).
 */
function membersInScope(db: Transaction<DB>, f: MemberFilters) {
  return db.with(
    (cte) => cte('m').materialized(),
    (w) => {
      let m = w
        .selectFrom('member as m')
        .selectAll('m')
        .where(
          'm.id',
          'in',
          sql<number>`(SELECT s.id FROM member s WHERE xgz_in_scope(s.scope_key) UNION SELECT l.member_id FROM member_link l WHERE xgz_in_scope(l.scope_key))`,
        );
      if (f.status) m = m.where('m.member_status', '=', f.status);
      if (f.confidence) m = m.where('m.confidence', '=', f.confidence);
      if (f.held) m = m.where(sql<boolean>`xgz_in_scope(m.scope_key)`);
      const k = f.underKey;
      // Below a node, each filter reads as the dashboard's figure counts (indicators/recompute.ts):
      // 名册党员 by the roster's key, 已找到的党员 by the link's, the rest by either.
      const linkBelow = k ? sql`AND starts_with(l.scope_key, ${k})` : sql``;
      if (k && f.held) m = m.where(sql<boolean>`starts_with(m.scope_key, ${k})`);
      if (k && !f.held && f.linked !== 'true')
        m = m.where(
          sql<boolean>`(starts_with(m.scope_key, ${k}) OR EXISTS (SELECT 1 FROM member_link l WHERE l.member_id = m.id ${linkBelow}))`,
        );
      if (f.linked)
        m = m.where(
          sql<boolean>`EXISTS (SELECT 1 FROM member_link l WHERE l.member_id = m.id ${linkBelow}) = ${f.linked === 'true'}`,
        );
      return m;
    },
  );
}

/**
 * The members matching the filters and their persons. The members come first (membersInScope):
 * left to itself the planner walks every person in name order and evaluates the person's
 * row-level security (five lookups) for each, 1.3 s at a station of the demo.
 */
export function memberQuery(db: Transaction<DB>, f: MemberFilters) {
  const q = membersInScope(db, f)
    .selectFrom('m')
    .innerJoin('person as p', 'p.id', 'm.person_id')
    .$if(!!f.q, (q) => q.where('p.name', 'like', containing(f.q!)));
  return q
    .select([
      'm.id',
      'p.name',
      memberBirthShown('m', 'p').as('birth_date'),
      'p.sex',
      'p.id_enc',
      readablePhone('p').as('phone_enc'),
      'm.membership',
      'm.join_date',
      'm.org_relation',
      'm.member_status',
      'm.confidence',
      'm.sources',
      'm.workplace',
    ])
    .select(
      sql<
        string[]
      >`coalesce((SELECT array_agg(DISTINCT e.name) FROM member_link l JOIN entity e ON e.id = l.entity_id WHERE l.member_id = m.id), '{}')`.as(
        'entities',
      ),
    );
}

/**
 * How many members match. Without a name filter the persons are not read: a member in scope
 * always has its person in scope (xgz_person_visible holds for the person of a visible member),
 * so the join with person would drop no row, only evaluate the person's security for each.
 */
async function memberCount(db: Transaction<DB>, f: MemberFilters): Promise<number> {
  const count = sql<number>`count(*)::int`.as('total');
  const [{ total }] = f.q
    ? await memberQuery(db, f).clearSelect().select(count).execute()
    : await membersInScope(db, f).selectFrom('m').select(count).execute();
  return total;
}

/** A page of the roster, personal fields masked. */
export async function memberPage(
  db: Transaction<DB>,
  keys: Keys,
  query: MemberFilters & { page: number; pageSize: number },
) {
  const f = { ...query, ...(await resolved(db, query)) };
  const total = await memberCount(db, f);
  const rows = await memberQuery(db, f)
    .orderBy('p.name')
    .orderBy('m.id')
    .limit(f.pageSize)
    .offset(offsetOf(f))
    .execute();
  return {
    items: rows.map((m) => ({
      id: m.id,
      name: m.name,
      birthDate: birthBesideMaskedId(m.id_enc, m.birth_date),
      idNumber: masked(keys, m.id_enc, maskIdNumber),
      phone: masked(keys, m.phone_enc, maskPhone),
      membership: m.membership,
      joinDate: m.join_date,
      orgRelation: m.org_relation,
      status: m.member_status,
      confidence: m.confidence,
      sources: m.sources,
      entities: m.entities,
    })),
    total,
    page: f.page,
    pageSize: f.pageSize,
  };
}

/** The rows of the roster's export, in name order. */
export async function memberExportRows(db: Transaction<DB>, f: MemberFilters) {
  const list = memberQuery(db, await resolved(db, f));
  await refuseLongExport(list.clearSelect().select('m.id'));
  return list.orderBy('p.name').limit(exportReadRows()).execute();
}

/** A member's page: the person (masked), the roles it was found in, its discovery cases and its history. */
export async function memberDetail(db: Transaction<DB>, keys: Keys, id: number) {
  const m = await db
    .selectFrom('member as m')
    .innerJoin('person as p', 'p.id', 'm.person_id')
    .selectAll('m')
    .select([
      'p.name',
      memberBirthShown('m', 'p').as('birth_date'),
      'p.sex',
      'p.id_enc',
      readablePhone('p').as('phone_enc'),
    ])
    .where('m.id', '=', id)
    .executeTakeFirst();
  if (!m) throw notFound('党员');
  const roles = await db
    .selectFrom('member_link as l')
    .innerJoin('entity as e', 'e.id', 'l.entity_id')
    .innerJoin('entity_person as ep', 'ep.id', 'l.entity_person_id')
    .select(['e.id as entity_id', 'e.name', 'e.status', 'ep.role', 'l.method', 'l.score', 'l.levels'])
    .where('l.member_id', '=', m.id)
    .orderBy('e.name')
    .execute();
  const cases = await db
    .selectFrom('discovery_case')
    .select(['id', 'kind', 'state', 'updated_at'])
    .where('member_id', '=', m.id)
    .orderBy('id')
    .execute();
  const history = await db
    .selectFrom('ledger_history as h')
    .leftJoin('app_user as u', 'u.id', 'h.actor_id')
    .select(['h.id', 'h.op', 'h.at', 'h.before', 'h.after', 'u.display_name'])
    .where('h.object_type', '=', 'member')
    .where('h.object_id', '=', m.id)
    .orderBy('h.id', 'desc')
    .execute();
  const changed = (b: unknown, a: unknown) => {
    const x = (b ?? {}) as Record<string, unknown>;
    const y = (a ?? {}) as Record<string, unknown>;
    return ['membership', 'org_relation', 'member_status', 'ended_on', 'confidence', 'sources', 'workplace']
      .filter((k) => JSON.stringify(x[k]) !== JSON.stringify(y[k]))
      .map((k) => ({ field: k, from: historyValue(k, x[k] ?? null), to: historyValue(k, y[k] ?? null) }));
  };
  return {
    id: m.id,
    name: m.name,
    birthDate: birthBesideMaskedId(m.id_enc, m.birth_date),
    sex: m.sex,
    idNumber: masked(keys, m.id_enc, maskIdNumber),
    phone: masked(keys, m.phone_enc, maskPhone),
    membership: m.membership,
    joinDate: m.join_date,
    orgRelation: m.org_relation,
    orgRelationCode: m.org_relation_code,
    status: m.member_status,
    statusLabel: STATUS[m.member_status],
    endedOn: m.ended_on,
    confidence: m.confidence,
    confidenceLabel: CONFIDENCE[m.confidence],
    sources: m.sources,
    occupation: m.occupation,
    workplace: m.workplace,
    roles: roles.map((r) => ({
      entityId: r.entity_id,
      entityName: r.name,
      entityStatus: r.status,
      role: r.role,
      method: r.method,
      score: r.score,
      levels: r.levels,
    })),
    cases: cases.map((c) => ({ id: c.id, kind: c.kind, state: c.state, updatedAt: c.updated_at })),
    history: history.map((h) => ({
      id: h.id,
      op: h.op,
      at: h.at,
      actor: h.display_name ?? '系统/导入',
      changes: changed(h.before, h.after),
    })),
  };
}
