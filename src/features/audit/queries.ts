import { sql, type SelectQueryBuilder, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import { offsetOf } from '../../http/paging.js';
import { OBJECT_LABELS, actionLabel } from './actions.js';
import { describeDetail } from './detail.js';
import type { z } from 'zod';
import type { auditFilters } from './contract.js';
import { exportReadRows, refuseLongExport } from '../../http/export-route.js';

/** The audit trail's reads: a page of it, and the rows an export writes, under the same filters. */
type Tx = Transaction<DB>;
type Filters = z.output<z.ZodObject<typeof auditFilters>>;

function applyFilters(q: SelectQueryBuilder<DB, 'audit_log', object>, f: Filters) {
  if (f.actor) q = q.where('actor_name', '=', f.actor);
  if (f.action) q = q.where('action', '=', f.action);
  if (f.objectType) q = q.where('object_type', '=', f.objectType);
  if (f.objectId) q = q.where('object_id', '=', f.objectId);
  if (f.outcome) q = q.where('outcome', '=', f.outcome);
  if (f.from) q = q.where('at', '>=', new Date(f.from));
  if (f.to) q = q.where('at', '<', new Date(f.to));
  return q;
}

/** One page of the trail, newest first, with its total. */
export async function auditPage(db: Tx, q: Filters & { page: number; pageSize: number }) {
  const base = applyFilters(db.selectFrom('audit_log'), q);
  const [{ total }] = await base.select(sql<number>`count(*)::int`.as('total')).execute();
  const rows = await base.selectAll().orderBy('id', 'desc').limit(q.pageSize).offset(offsetOf(q)).execute();
  return {
    items: rows.map((a) => ({
      id: a.id,
      at: a.at,
      actorName: a.actor_name,
      ip: a.ip,
      action: a.action,
      actionLabel: actionLabel(a.action),
      objectType: a.object_type,
      objectLabel: a.object_type ? (OBJECT_LABELS[a.object_type] ?? a.object_type) : null,
      objectId: a.object_id,
      outcome: a.outcome,
      detail: a.detail,
      detailLines: describeDetail(a.action, a.detail),
    })),
    total,
    page: q.page,
    pageSize: q.pageSize,
  };
}

/** The rows an export writes, newest first; a trail longer than an export holds is refused from its ids first (a province's runs to millions). */
export async function auditExportRows(db: Tx, f: Filters) {
  const trail = applyFilters(db.selectFrom('audit_log'), f);
  await refuseLongExport(trail.select('id'));
  return trail.selectAll().orderBy('id', 'desc').limit(exportReadRows()).execute();
}
