import { sql, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import { OUTCOME_LABEL } from '../../domain/platforms/labels.js';
import { badRequest, notFound } from '../../http/errors.js';
import { containing, pageFrom, underOrAbove } from '../../http/paging.js';
import { figuresByChild, type Node } from '../../db/subtree.js';
import { codeList } from '../dictionaries/index.js';
import { exportReadRows, exportable } from '../../http/export-route.js';

/** The assistance programs' reads: the list and its export, one program, the figures by child node. */

type Tx = Transaction<DB>;

export type Filters = { under?: string; line?: string; year?: number; q?: string };

/** Programs the caller reads (run in its subtree, or above it: RLS), with the entities its subtree brought in. */
function programList(db: Tx, scopeKey: string) {
  const n = (outcome: string) =>
    sql<number>`(SELECT count(*)::int FROM assistance_entity ae WHERE ae.program_id = a.id AND ae.outcome = ${outcome})`;
  return db
    .selectFrom('assistance_program as a')
    .innerJoin('jurisdiction as j', 'j.code', 'a.jurisdiction_code')
    .select([
      'a.id',
      'a.name',
      'a.business_line',
      'a.starts_on',
      'a.ends_on',
      'a.description',
      'a.scope_key',
      'a.cancelled_at',
      'a.cancel_reason',
      'j.name as organizer',
    ])
    .select(sql<boolean>`starts_with(a.scope_key, ${scopeKey})`.as('mine'))
    .select(sql<number>`(SELECT count(*)::int FROM assistance_entity ae WHERE ae.program_id = a.id)`.as('entities'))
    .select([
      n('resolved').as('resolved'),
      n('improved').as('improved'),
      n('unresolved').as('unresolved'),
      n('ongoing').as('ongoing'),
    ]);
}

/** The programs matching the list's filters (shared by the list and its export). */
async function filtered(db: Tx, scopeKey: string, f: Filters) {
  let q = programList(db, scopeKey);
  // Under a node: run there or below, or run above it (it reaches the node).
  if (f.under) {
    q = q.where(await underOrAbove(db, 'a.scope_key', f.under));
  }
  if (f.line) q = q.where('a.business_line', '=', f.line);
  if (f.year)
    q = q.where(
      sql<boolean>`extract(year FROM a.starts_on) <= ${f.year} AND extract(year FROM a.ends_on) >= ${f.year}`,
    );
  if (f.q) q = q.where('a.name', 'like', containing(f.q));
  return q;
}

type Row = Awaited<ReturnType<ReturnType<typeof programList>['execute']>>[number];
export const toItem = (lines: Map<string, string>) => (a: Row) => ({
  id: a.id,
  name: a.name,
  businessLine: a.business_line,
  businessLineLabel: lines.get(a.business_line) ?? a.business_line,
  startsOn: a.starts_on,
  endsOn: a.ends_on,
  description: a.description,
  organizer: a.organizer,
  mine: a.mine,
  cancelled: a.cancelled_at !== null,
  cancelReason: a.cancel_reason,
  entities: a.entities,
  resolved: a.resolved,
  improved: a.improved,
  unresolved: a.unresolved,
  ongoing: a.ongoing,
});

/** The program row (any the caller reads), or 404. */
export async function loadProgram(db: Tx, id: number) {
  const a = await db.selectFrom('assistance_program').selectAll().where('id', '=', id).executeTakeFirst();
  if (!a) throw notFound('帮扶项目');
  return a;
}

export type ProgramRow = Awaited<ReturnType<typeof loadProgram>>;

/** The business line must be in the dictionary's list. */
export async function checkLine(db: Tx, line: string) {
  const lines = await codeList(db, 'business_line');
  if (!lines.has(line)) throw badRequest('请选择业务条线', [{ field: 'businessLine', message: '业务条线不在清单中' }]);
}

const newestFirst = <Q extends ReturnType<typeof programList>>(q: Q) =>
  q.orderBy('a.starts_on', 'desc').orderBy('a.id', 'desc');

/** One page of the programs the caller reads, newest first. */
export async function programsPage(db: Tx, scopeKey: string, f: Filters & { page: number; pageSize: number }) {
  const lines = await codeList(db, 'business_line');
  return pageFrom(await filtered(db, scopeKey, f), f, newestFirst, toItem(lines));
}

/** The programs of the export (XGZ_EXPORT_MAX_ROWS at most) and the entities taking part in them. */
export async function programsForExport(db: Tx, scopeKey: string, f: Filters) {
  const lines = await codeList(db, 'business_line');
  const rows = (
    await newestFirst(await filtered(db, scopeKey, f))
      .limit(exportReadRows())
      .execute()
      .then(exportable)
  ).map(toItem(lines));
  const ids = rows.map((a) => a.id);
  const entities = ids.length
    ? await db
        .selectFrom('assistance_entity as ae')
        .innerJoin('entity as e', 'e.id', 'ae.entity_id')
        .select([
          'ae.program_id',
          'e.name',
          'e.uscc',
          'ae.joined_on',
          'ae.problem',
          'ae.actions',
          'ae.outcome',
          'ae.outcome_note',
        ])
        .where('ae.program_id', 'in', ids)
        .orderBy('ae.program_id')
        .orderBy('e.name')
        .execute()
    : [];
  return { rows, entities };
}

/** One program with the entities taking part. */
export async function programDetail(db: Tx, scopeKey: string, id: number) {
  const lines = await codeList(db, 'business_line');
  const a = await programList(db, scopeKey).where('a.id', '=', id).executeTakeFirst();
  if (!a) throw notFound('帮扶项目');
  const entities = await db
    .selectFrom('assistance_entity as ae')
    .innerJoin('entity as e', 'e.id', 'ae.entity_id')
    .select([
      'ae.id',
      'ae.entity_id',
      'e.name',
      'ae.joined_on',
      'ae.problem',
      'ae.actions',
      'ae.outcome',
      'ae.outcome_note',
    ])
    .where('ae.program_id', '=', a.id)
    .orderBy('e.name')
    .execute();
  return {
    ...toItem(lines)(a),
    participants: entities.map((e) => ({
      id: e.id,
      entityId: e.entity_id,
      entityName: e.name,
      joinedOn: e.joined_on,
      problem: e.problem,
      actions: e.actions,
      outcome: e.outcome,
      outcomeLabel: OUTCOME_LABEL[e.outcome],
      outcomeNote: e.outcome_note,
    })),
  };
}

/** Programs and entity lines (by outcome) under each child of the node, in a year if given. */
export function assistanceFiguresUnder(db: Tx, node: Node, y: number | undefined) {
  // A program counts in a year it runs; an entity line in the year it joined.
  const inYear = (from: string, to: string) =>
    y ? sql`AND extract(year FROM ${sql.ref(from)}) <= ${y} AND extract(year FROM ${sql.ref(to)}) >= ${y}` : sql``;
  return figuresByChild<{
    programs: number;
    entities: number;
    resolved: number;
    improved: number;
    unresolved: number;
    ongoing: number;
  }>(db, node, (k) => {
    const lines = (
      outcome: string | null,
    ) => sql`(SELECT count(*)::int FROM assistance_entity ae WHERE starts_with(ae.scope_key, ${k})
      ${outcome ? sql`AND ae.outcome = ${outcome}` : sql``} ${inYear('ae.joined_on', 'ae.joined_on')})`;
    return sql`(SELECT count(*)::int FROM assistance_program a WHERE starts_with(a.scope_key, ${k}) ${inYear('a.starts_on', 'a.ends_on')}) AS programs,
      ${lines(null)} AS entities, ${lines('resolved')} AS resolved, ${lines('improved')} AS improved, ${lines('unresolved')} AS unresolved, ${lines('ongoing')} AS ongoing`;
  });
}
