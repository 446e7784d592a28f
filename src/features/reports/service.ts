import { sql } from 'kysely';
import { toCounts, valuesOf, type Counts } from '../../domain/indicators/registry.js';
import { periodRange, type ReportForm } from '../../domain/reports/forms.js';
import { runChecks } from '../../domain/reports/checks.js';
import { Problem } from '../../http/errors.js';
import type { Node } from '../jurisdictions/subtree.js';
import type { Db } from '../indicators/measure.js';
import { figuresWithChildren } from '../indicators/service.js';

export type RowKind = 'child' | 'own' | 'total';
export type ReportRow = { code: string | null; name: string; kind: RowKind; counts: Counts };
/** What a report holds: the counts of each row as measured (rates are derived on reading), and where they came from. */
export type ReportData = { source: 'live' | 'snapshot'; asOf: string; rows: ReportRow[] };

const OWN_ROW = '本级（未划入下级）';
const TOTAL_ROW = '合计';
const isZero = (c: Counts) => Object.values(c).every((v) => v === 0);

/**
 * The report's rows from live figures: one per sub-jurisdiction, what hangs on the node itself
 * (only when there is any), and the total. The same measures as the dashboard, in one pass.
 */
export async function liveData(db: Db, node: Node): Promise<ReportData> {
  const { total, own, children } = await figuresWithChildren(db, node);
  return {
    source: 'live',
    asOf: new Date().toISOString().slice(0, 10),
    rows: [
      ...children.map((c): ReportRow => ({ code: c.code, name: c.name, kind: 'child', counts: c.counts })),
      ...(isZero(own) ? [] : [{ code: node.code, name: OWN_ROW, kind: 'own' as const, counts: own }]),
      { code: node.code, name: TOTAL_ROW, kind: 'total', counts: total },
    ],
  };
}

/**
 * The node's and each child's counts from one month's snapshots (a child with no row had nothing
 * to count), or null when the node has no snapshot that month. Snapshots keep no "own" line.
 */
export async function snapshotOfMonth(db: Db, node: Node, month: string) {
  const { rows } = await sql<{ code: string; name: string; level: string; counts: Record<string, number> | null }>`
    SELECT j.code, j.name, j.level, s.counts FROM jurisdiction j
    LEFT JOIN indicator_snapshot s ON s.scope_key = j.scope_key AND s.period = ${month}
    WHERE j.parent_code = ${node.code} OR j.code = ${node.code} ORDER BY j.code`.execute(db);
  const self = rows.find((x) => x.code === node.code);
  if (!self?.counts) return null;
  return { total: toCounts(self.counts), children: rows.filter((x) => x !== self).map((x) => ({ code: x.code, name: x.name, level: x.level, counts: toCounts(x.counts ?? {}) })) };
}

/** The report's rows from the latest monthly snapshot within the period. */
export async function snapshotData(db: Db, node: Node, form: ReportForm, period: string): Promise<ReportData> {
  const r = periodRange(form.period, period)!;
  const month = (await sql<{ p: string | null }>`SELECT max(period) AS p FROM indicator_snapshot
    WHERE scope_key = ${node.scope_key} AND period >= ${r.start.slice(0, 7)} AND period <= ${r.end.slice(0, 7)}`.execute(db)).rows[0]?.p;
  const snap = month ? await snapshotOfMonth(db, node, month) : null;
  if (!month || !snap) throw new Problem(422, '没有可用的快照', '该报告期内本辖区没有月度指标快照，请从实时数据生成，或先取快照', [{ field: 'source', message: '该报告期没有快照' }]);
  return {
    source: 'snapshot',
    asOf: month,
    rows: [
      ...snap.children.map((c): ReportRow => ({ code: c.code, name: c.name, kind: 'child', counts: c.counts })),
      { code: node.code, name: TOTAL_ROW, kind: 'total', counts: snap.total },
    ],
  };
}

/** Rows as shown: every indicator's value (counts and the rates derived from them) beside the row's place. */
export const rowsOut = (data: ReportData) =>
  data.rows.map((r) => ({ code: r.code, name: r.name, kind: r.kind, ...valuesOf(toCounts(r.counts)) }));

/** The checks over the stored rows. */
export const checksOf = (data: ReportData) => runChecks(data.rows.map((r) => ({ name: r.name, counts: toCounts(r.counts) })));

/**
 * The consolidated report of the children's reports: each child's total row from its latest
 * submitted version (a returned or unsubmitted child has no row), and their sum. A sum of the
 * children's counts, not a measure of the node: a member found in two counties counts in each.
 */
export function consolidate(children: { code: string; name: string; data: ReportData | null }[]): ReportRow[] {
  const rows = children.flatMap((c) => {
    const total = c.data?.rows.find((r) => r.kind === 'total');
    return total ? [{ code: c.code, name: c.name, kind: 'child' as const, counts: toCounts(total.counts) }] : [];
  });
  const sum = toCounts({});
  for (const r of rows) for (const k of Object.keys(sum) as (keyof Counts)[]) sum[k] += r.counts[k];
  return [...rows, { code: null, name: TOTAL_ROW, kind: 'total', counts: sum }];
}
