import { sql, type Transaction } from 'kysely';
import type { z } from 'zod';
import type { pointFilters } from './contract.js';
import type { DB } from '../../db/schema.js';
import type { Node } from '../../db/subtree.js';
import {
  POINT_KIND_LABEL,
  POINT_LEVEL_LABEL,
  POINT_LEVELS,
  POINT_STATUS_LABEL,
  POINT_SUBJECT_LABEL,
  REVIEW_OUTCOME_LABEL,
  reviewDue,
} from '../../domain/recognition/points.js';
import { notFound } from '../../http/errors.js';
import { containing, pageFrom, underNode } from '../../http/paging.js';
import { childOf, childrenOf, today } from './shared.js';
import { exportReadRows } from '../../http/export-route.js';

/** The contact and demonstration points' reads: the list and its export, the counts by level and area, one point. */

type Tx = Transaction<DB>;

type Filters = z.output<z.ZodObject<typeof pointFilters>>;

function pointList(db: Tx) {
  return db
    .selectFrom('recognition_point as p')
    .leftJoin('app_user as u', 'u.id', 'p.responsible_user_id')
    .select([
      'p.id',
      'p.kind',
      'p.level',
      'p.subject_type',
      'p.entity_id',
      'p.org_id',
      'p.zone_id',
      'p.platform_id',
      'p.subject_name',
      'p.designated_on',
      'p.responsible_name',
      'u.display_name as responsible_user',
      'p.criteria',
      'p.evidence',
      'p.status',
      'p.revoked_on',
      'p.revoke_reason',
      'p.scope_key',
    ])
    .select(
      sql<
        number[]
      >`coalesce((SELECT array_agg(r.year::int ORDER BY r.year) FROM point_review r WHERE r.point_id = p.id), '{}')`.as(
        'reviewed_years',
      ),
    );
}

/** Standing points named before this year and not reviewed this year. */
const dueSql = (y: number) =>
  sql<boolean>`p.status = 'active' AND extract(year FROM p.designated_on) < ${y} AND NOT EXISTS (SELECT 1 FROM point_review r WHERE r.point_id = p.id AND r.year = ${y})`;

/** The points matching the list's filters (shared by the list and its export). */
async function filtered(db: Tx, f: Filters) {
  let q = pointList(db);
  if (f.under) q = q.where(await underNode(db, 'p.scope_key', f.under));
  if (f.kind) q = q.where('p.kind', '=', f.kind);
  if (f.level) q = q.where('p.level', '=', f.level);
  if (f.subjectType) q = q.where('p.subject_type', '=', f.subjectType);
  if (f.status) q = q.where('p.status', '=', f.status);
  if (f.year) q = q.where(sql<boolean>`extract(year FROM p.designated_on) = ${f.year}`);
  if (f.reviewDue) {
    const due = dueSql(Number(today().slice(0, 4)));
    q = q.where(f.reviewDue === 'true' ? due : sql<boolean>`NOT (${due})`);
  }
  if (f.q) q = q.where('p.subject_name', 'like', containing(f.q));
  return q;
}

type Row = Awaited<ReturnType<ReturnType<typeof pointList>['execute']>>[number];
const toItem = (p: Row) => ({
  id: p.id,
  kind: p.kind,
  kindLabel: POINT_KIND_LABEL[p.kind],
  level: p.level,
  levelLabel: POINT_LEVEL_LABEL[p.level],
  subjectType: p.subject_type,
  subjectTypeLabel: POINT_SUBJECT_LABEL[p.subject_type],
  subjectId: (p.entity_id ?? p.org_id ?? p.zone_id ?? p.platform_id)!,
  subjectName: p.subject_name,
  designatedOn: p.designated_on,
  responsible: [p.responsible_name, p.responsible_user].filter(Boolean).join(' / '),
  criteria: p.criteria,
  criteriaCount: p.criteria.length,
  evidence: p.evidence,
  status: p.status,
  statusLabel: POINT_STATUS_LABEL[p.status],
  revokedOn: p.revoked_on,
  revokeReason: p.revoke_reason,
  lastReviewYear: p.reviewed_years.at(-1) ?? null,
  reviewDue: reviewDue({ status: p.status, designatedOn: p.designated_on, reviewedYears: p.reviewed_years }, today()),
});
export type PointItem = ReturnType<typeof toItem>;

/** One page of the points, the latest named first. */
export async function pointsPage(db: Tx, f: Filters & { page: number; pageSize: number }) {
  return pageFrom(
    await filtered(db, f),
    f,
    (q) => q.orderBy('p.designated_on', 'desc').orderBy('p.id', 'desc'),
    toItem,
  );
}

/** The points of the export (up to 100,000), the latest named first. */
export async function pointsForExport(db: Tx, f: Filters) {
  const rows = await (
    await filtered(db, f)
  )
    .orderBy('p.designated_on', 'desc')
    .orderBy('p.id', 'desc')
    .limit(exportReadRows())
    .execute();
  return rows.map(toItem);
}

/** Standing contact and demonstration points under the node: in all, by level, by child node and on the node itself. */
export async function pointCountsUnder(db: Tx, node: Node) {
  const rows = await db
    .selectFrom('recognition_point as p')
    .select([
      'p.kind',
      'p.level',
      childOf(node, sql.ref('p.scope_key')).as('child'),
      sql<number>`count(*)::int`.as('n'),
    ])
    .where('p.status', '=', 'active')
    .where(sql<boolean>`starts_with(p.scope_key, ${node.scope_key})`)
    .groupBy(['p.kind', 'p.level', 'child'])
    .execute();
  const sum = (keep: (x: (typeof rows)[number]) => boolean) => ({
    contact: rows.filter((x) => x.kind === 'contact' && keep(x)).reduce((a, x) => a + x.n, 0),
    demo: rows.filter((x) => x.kind === 'demo' && keep(x)).reduce((a, x) => a + x.n, 0),
  });
  return {
    node: { code: node.code, name: node.name, level: node.level },
    total: sum(() => true),
    byLevel: POINT_LEVELS.map((level) => ({
      level,
      label: POINT_LEVEL_LABEL[level],
      ...sum((x) => x.level === level),
    })),
    children: (await childrenOf(db, node)).map((c) => ({ ...c, ...sum((x) => x.child === c.code) })),
    own: sum((x) => x.child === null),
  };
}

/** One point with its yearly reviews, the latest first. */
export async function pointDetail(db: Tx, id: number) {
  const p = await pointList(db).where('p.id', '=', id).executeTakeFirst();
  if (!p) throw notFound('联系点/示范点');
  const reviews = await db
    .selectFrom('point_review as r')
    .leftJoin('app_user as u', 'u.id', 'r.reviewer_id')
    .select(['r.id', 'r.year', 'r.outcome', 'r.reason', 'r.reviewed_on', 'u.display_name as reviewer'])
    .where('r.point_id', '=', p.id)
    .orderBy('r.year', 'desc')
    .execute();
  return {
    ...toItem(p),
    responsibleName: p.responsible_name,
    reviews: reviews.map((x) => ({
      id: x.id,
      year: x.year,
      outcome: x.outcome,
      outcomeLabel: REVIEW_OUTCOME_LABEL[x.outcome],
      reason: x.reason,
      reviewedOn: x.reviewed_on,
      reviewer: x.reviewer,
    })),
  };
}

/** The point row, or 404. */
export async function loadPoint(db: Tx, id: number) {
  const p = await db.selectFrom('recognition_point').selectAll().where('id', '=', id).executeTakeFirst();
  if (!p) throw notFound('联系点/示范点');
  return p;
}
export type PointRecord = Awaited<ReturnType<typeof loadPoint>>;
