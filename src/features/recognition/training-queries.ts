import { sql, type Transaction } from 'kysely';
import type { z } from 'zod';
import type { trainingFilters } from './contract.js';
import type { DB } from '../../db/schema.js';
import type { Node } from '../../db/subtree.js';
import {
  CLASS_LEVEL_LABEL,
  SECRETARY_STATUS_LABEL,
  TRAINING_WINDOW_MONTHS,
  emptyIndicator,
  withShare,
  type Indicator,
  type SecretaryStatus,
} from '../../domain/recognition/training.js';
import { notFound } from '../../http/errors.js';
import { containing, pageFrom, underOrAbove } from '../../http/paging.js';
import { areaNode, childOf, childrenOf, today } from './shared.js';
import { exportReadRows } from '../../http/export-route.js';
import { notLeft } from '../orgs/index.js';

/** Secretary training's reads: the classes (list, export, one class), the secretaries in office with their training, and the indicator. */

type Tx = Transaction<DB>;
type Counts = { child: string | null; new_org: boolean; secretaries: number; trained: number; pending: number };
export type AreaIndicator = { all: Indicator; newOrgs: Indicator };

/**
 * The definition's two parts as SQL over `party_org_officer f JOIN party_org o ON o.id = f.org_id`,
 * shared with the dashboard's indicator source (src/features/indicators/sources/training.ts):
 * a secretary in office on `asOf`, and trained in time (a completed class ending within the window, not after `asOf`).
 */
export const SECRETARY_FROM = sql`party_org_officer f JOIN party_org o ON o.id = f.org_id`;
export const secretaryInOffice = (asOf: string) =>
  sql<boolean>`f.role = 'secretary' AND o.body = 'party' AND o.status <> 'dissolved' AND f.term_start <= ${asOf}::date AND f.term_end >= ${asOf}::date AND ${notLeft('f', asOf)}`;
export const trainedInTime = (asOf: string) =>
  sql<boolean>`EXISTS (SELECT 1 FROM training_trainee t JOIN training_class c ON c.id = t.class_id
    WHERE t.officer_id = f.id AND t.completed AND c.ends_on >= f.term_start
      AND c.ends_on <= (f.term_start + make_interval(months => ${TRAINING_WINDOW_MONTHS}::int))::date AND c.ends_on <= ${asOf}::date)`;

/**
 * The training indicator of src/domain/recognition/training.ts in one query over the node's
 * subtree, split by the node's children (child NULL: hangs on the node itself). A test on a
 * random ledger holds it equal to the domain function.
 */
export async function indicatorCounts(db: Tx, node: Pick<Node, 'code' | 'scope_key'>, asOf: string): Promise<Counts[]> {
  const { rows } = await sql<Counts>`
    WITH s AS (
      SELECT f.scope_key,
        coalesce(extract(year FROM o.founded_on) = extract(year FROM ${asOf}::date), false) AS new_org,
        ${trainedInTime(asOf)} AS trained,
        (f.term_start + make_interval(months => ${TRAINING_WINDOW_MONTHS}::int))::date >= ${asOf}::date AS window_open
      FROM ${SECRETARY_FROM}
      WHERE ${secretaryInOffice(asOf)} AND starts_with(f.scope_key, ${node.scope_key}))
    SELECT x.child, x.new_org, count(*)::int AS secretaries, count(*) FILTER (WHERE x.trained)::int AS trained,
      count(*) FILTER (WHERE NOT x.trained AND x.window_open)::int AS pending
    FROM (SELECT s.*, ${childOf(node, sql.ref('s.scope_key'))} AS child FROM s) x
    GROUP BY x.child, x.new_org`.execute(db);
  return rows;
}

/** Folds the counts of the rows kept into the two indicators. */
export function fold(rows: Counts[], keep: (r: Counts) => boolean = () => true): AreaIndicator {
  const all = { secretaries: 0, trained: 0, pending: 0 };
  const newOrgs = { secretaries: 0, trained: 0, pending: 0 };
  for (const r of rows.filter(keep))
    for (const t of r.new_org ? [all, newOrgs] : [all]) {
      t.secretaries += r.secretaries;
      t.trained += r.trained;
      t.pending += r.pending;
    }
  return {
    all: all.secretaries ? withShare(all) : emptyIndicator(),
    newOrgs: newOrgs.secretaries ? withShare(newOrgs) : emptyIndicator(),
  };
}

type Filters = z.output<z.ZodObject<typeof trainingFilters>>;

/** Classes the caller sees (its subtree's and those held above it), with the trainees of its subtree. */
function classList(db: Tx, scopeKey: string) {
  return db
    .selectFrom('training_class as c')
    .innerJoin('jurisdiction as j', 'j.code', 'c.jurisdiction_code')
    .select(['c.id', 'c.name', 'c.level', 'c.starts_on', 'c.ends_on', 'c.place', 'c.scope_key', 'j.name as organizer'])
    .select(sql<boolean>`starts_with(c.scope_key, ${scopeKey})`.as('mine'))
    .select(sql<number>`(SELECT count(*)::int FROM training_trainee t WHERE t.class_id = c.id)`.as('trainees'))
    .select(
      sql<number>`(SELECT count(*) FILTER (WHERE t.attended)::int FROM training_trainee t WHERE t.class_id = c.id)`.as(
        'attended',
      ),
    )
    .select(
      sql<number>`(SELECT count(*) FILTER (WHERE t.completed)::int FROM training_trainee t WHERE t.class_id = c.id)`.as(
        'completed',
      ),
    );
}

/** The classes matching the list's filters (shared by the list and its export). */
async function filtered(db: Tx, scopeKey: string, f: Filters) {
  let q = classList(db, scopeKey);
  if (f.under) {
    q = q.where(await underOrAbove(db, 'c.scope_key', f.under));
  }
  if (f.level) q = q.where('c.level', '=', f.level);
  if (f.year) q = q.where(sql<boolean>`extract(year FROM c.starts_on) = ${f.year}`);
  if (f.q) q = q.where('c.name', 'like', containing(f.q));
  return q;
}

type Row = Awaited<ReturnType<ReturnType<typeof classList>['execute']>>[number];
const toItem = (c: Row) => ({
  id: c.id,
  name: c.name,
  level: c.level,
  levelLabel: CLASS_LEVEL_LABEL[c.level],
  startsOn: c.starts_on,
  endsOn: c.ends_on,
  place: c.place,
  organizer: c.organizer,
  mine: c.mine,
  trainees: c.trainees,
  attended: c.attended,
  completed: c.completed,
});

/** One page of the classes, the latest first. */
export async function classesPage(db: Tx, scopeKey: string, f: Filters & { page: number; pageSize: number }) {
  return pageFrom(
    await filtered(db, scopeKey, f),
    f,
    (q) => q.orderBy('c.starts_on', 'desc').orderBy('c.id', 'desc'),
    toItem,
  );
}

/** The classes of the export (up to 100,000), the latest first. */
export async function classesForExport(db: Tx, scopeKey: string, f: Filters) {
  const rows = await (await filtered(db, scopeKey, f)).orderBy('c.starts_on', 'desc').limit(exportReadRows()).execute();
  return rows.map(toItem);
}

/** One class with its trainees (those of the caller's scope). */
export async function classDetail(db: Tx, scopeKey: string, id: number) {
  const c = await classList(db, scopeKey).where('c.id', '=', id).executeTakeFirst();
  if (!c) throw notFound('培训班');
  const trainees = await db
    .selectFrom('training_trainee as t')
    .innerJoin('party_org_officer as f', 'f.id', 't.officer_id')
    .innerJoin('party_org as o', 'o.id', 'f.org_id')
    .innerJoin('person as p', 'p.id', 'f.person_id')
    .select(['t.id', 't.officer_id', 't.attended', 't.completed', 'p.name', 'o.name as org_name', 'f.term_start'])
    .where('t.class_id', '=', c.id)
    .orderBy('o.name')
    .execute();
  return {
    ...toItem(c),
    traineeList: trainees.map((t) => ({
      id: t.id,
      officerId: t.officer_id,
      name: t.name,
      orgName: t.org_name,
      termStart: t.term_start,
      attended: t.attended,
      completed: t.completed,
    })),
  };
}

/** The class row, or 404. */
export async function loadClass(db: Tx, id: number) {
  const c = await db.selectFrom('training_class').selectAll().where('id', '=', id).executeTakeFirst();
  if (!c) throw notFound('培训班');
  return c;
}
export type ClassRecord = Awaited<ReturnType<typeof loadClass>>;

/** Trained in time; else pending while the 12 months run; else overdue (over the row `s` of the list below). */
const statusOf = (asOf: string) =>
  sql<SecretaryStatus>`CASE WHEN s.trained_on IS NOT NULL THEN 'trained' WHEN s.window_end >= ${asOf} THEN 'pending' ELSE 'overdue' END`;

/**
 * Secretaries in office on a date in a subtree, with whether they were trained in time: the
 * list behind the indicator (same definition as the domain function), one row per appointment.
 */
function secretaries(db: Tx, scopeKey: string, asOf: string) {
  const windowEnd = sql`(f.term_start + make_interval(months => ${TRAINING_WINDOW_MONTHS}::int))::date`;
  const inOffice = db
    .selectFrom('party_org_officer as f')
    .innerJoin('party_org as o', 'o.id', 'f.org_id')
    .innerJoin('person as p', 'p.id', 'f.person_id')
    .leftJoin('jurisdiction as cj', 'cj.code', 'o.county_code')
    .leftJoin('jurisdiction as sj', 'sj.code', 'o.station_code')
    .select([
      'f.id',
      'p.name',
      'o.id as org_id',
      'o.name as org_name',
      'o.founded_on',
      'f.term_start',
      'f.term_end',
      'cj.name as county_name',
      'sj.name as station_name',
    ])
    .select(
      sql<string | null>`(SELECT max(c.ends_on)::text FROM training_trainee t JOIN training_class c ON c.id = t.class_id
      WHERE t.officer_id = f.id AND t.completed AND c.ends_on >= f.term_start AND c.ends_on <= ${windowEnd} AND c.ends_on <= ${asOf}::date)`.as(
        'trained_on',
      ),
    )
    .select(sql<string>`${windowEnd}::text`.as('window_end'))
    .where(secretaryInOffice(asOf))
    .where(sql<boolean>`starts_with(f.scope_key, ${scopeKey})`);
  return db.selectFrom(inOffice.as('s')).selectAll().select(statusOf(asOf).as('status'));
}

type SecretaryFilters = { under?: string; asOf?: string; status?: string; newOrgs?: string; q?: string };

/** The filtered secretary list (paged, or read whole for the export). */
async function secretaryList(db: Tx, scopeKey: string, f: SecretaryFilters) {
  const asOf = f.asOf ?? today();
  let q = secretaries(db, f.under ? (await areaNode(db, f.under)).scope_key : scopeKey, asOf);
  if (f.newOrgs === 'true')
    q = q.where(sql<boolean>`extract(year FROM s.founded_on) = extract(year FROM ${asOf}::date)`);
  if (f.status) q = q.where(sql<boolean>`${statusOf(asOf)} = ${f.status}`);
  if (f.q) q = q.where((w) => w.or([w('s.name', 'like', containing(f.q!)), w('s.org_name', 'like', containing(f.q!))]));
  return q;
}

type SecretaryRow = Awaited<ReturnType<ReturnType<typeof secretaries>['execute']>>[number];
const toSecretary = (s: SecretaryRow) => ({
  id: s.id,
  name: s.name,
  orgId: s.org_id,
  orgName: s.org_name,
  place: `${s.county_name ?? ''}${s.station_name ? ` / ${s.station_name}` : ''}`,
  foundedOn: s.founded_on,
  termStart: s.term_start,
  termEnd: s.term_end,
  windowEnd: s.window_end,
  trainedOn: s.trained_on,
  status: s.status,
  statusLabel: SECRETARY_STATUS_LABEL[s.status],
});

/** One page of the secretaries in office, by organization. */
export async function secretariesPage(
  db: Tx,
  scopeKey: string,
  f: SecretaryFilters & { page: number; pageSize: number },
) {
  return pageFrom(await secretaryList(db, scopeKey, f), f, (q) => q.orderBy('s.org_name').orderBy('s.id'), toSecretary);
}

/** The secretaries of the export (up to 100,000), by organization. */
export async function secretariesForExport(db: Tx, scopeKey: string, f: SecretaryFilters) {
  return (
    await (await secretaryList(db, scopeKey, f)).orderBy('s.org_name').orderBy('s.id').limit(exportReadRows()).execute()
  ).map(toSecretary);
}

/** The training indicator under the node on a date: in all, by child node and on the node itself. */
export async function trainingIndicatorUnder(db: Tx, node: Node, asOf: string) {
  const rows = await indicatorCounts(db, node, asOf);
  return {
    node: { code: node.code, name: node.name, level: node.level },
    asOf,
    total: fold(rows),
    children: (await childrenOf(db, node)).map((c) => ({ ...c, ...fold(rows, (x) => x.child === c.code) })),
    own: fold(rows, (x) => x.child === null),
  };
}
