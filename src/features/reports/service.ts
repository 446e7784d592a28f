import { sql } from 'kysely';
import { emptyCounts, toCounts, valuesOf, type Counts } from '../../domain/indicators/registry.js';
import { closingMonth, periodEnded, periodRange, type ReportForm } from '../../domain/reports/forms.js';
import { runChecks } from '../../domain/reports/checks.js';
import {
  carriedMarks,
  consolidate,
  differences,
  OWN_ROW,
  TOTAL_ROW,
  unreported,
  type ChildSubmission,
  type ConsolidatedRow,
  type MissingMark,
} from '../../domain/reports/consolidation.js';
import { localDate } from '../../domain/time/zone.js';
import { Problem } from '../../http/errors.js';
import { findNode, type Node } from '../../db/subtree.js';
import type { Db } from '../indicators/index.js';
import { figuresWithChildren } from '../indicators/index.js';

export type RowKind = 'child' | 'own' | 'total';
export type ReportRow = { code: string | null; name: string; kind: RowKind; counts: Counts; version?: number };
/**
 * What a report holds. `rows`: each child's submitted total (with the version it comes from), the
 * node's own rows and the total: the consolidation. `source`/`asOf`: what the node's own rows (and a
 * leaf's figures) were measured from; `liveReason` when a past period was measured live because it
 * has no period-end snapshot (the preparer said so). `consolidated`: rows of children are their
 * submissions (false in reports prepared before consolidation existed, whose child rows were live).
 * `missingBelow`: the 缺报 marks the children's versions carried up. `differences`: from the live
 * figures of the same subtree at preparation, each explained.
 */
export type ReportData = {
  source: 'live' | 'snapshot';
  asOf: string;
  rows: ReportRow[];
  consolidated?: boolean;
  liveReason?: string | null;
  /** The children as they stood at preparation: state, version used, what it was measured from, the marks it carried. */
  children?: ChildSubmission[];
  /** The live figures of the same subtree at preparation, beside the consolidation as a check (and the period-end snapshot's total, where used). */
  live?: { total: Counts; own: Counts; children: Record<string, Counts>; missing?: Record<string, Counts> };
  snapshot?: { month: string; total: Counts } | null;
};

export { OWN_ROW, TOTAL_ROW };

/**
 * The node's and each child's counts (and the node's own rows) from one month's snapshots (a child
 * with no row had nothing to count), or null when the whole tree has no snapshot that month
 * (`closing`: only the month's period-end one).
 */
export async function snapshotOfMonth(db: Db, node: Node, month: string, closing = false) {
  const {
    rows: [tree],
  } = closing
    ? await sql<{ taken_at: Date }>`SELECT taken_at FROM xgz_snapshot_of_tree(${month})`.execute(db)
    : { rows: [null] };
  if (closing && !tree) return null;
  const { rows } = await sql<{
    code: string;
    name: string;
    level: string;
    counts: Record<string, number> | null;
    own: Record<string, number> | null;
  }>`
    SELECT j.code, j.name, j.level, s.counts, s.own FROM jurisdiction j
    LEFT JOIN indicator_snapshot s ON s.scope_key = j.scope_key AND s.period = ${month}
    WHERE j.parent_code = ${node.code} OR j.code = ${node.code} ORDER BY j.code`.execute(db);
  const self = rows.find((x) => x.code === node.code);
  if (!closing && !self?.counts) return null;
  const children = rows.filter((x) => x !== self);
  return {
    takenAt: tree ? new Date(tree.taken_at).toISOString() : null,
    total: toCounts(self?.counts ?? {}),
    // A node with no children holds all its rows itself; before own rows were kept (0028) a node's own line is unknown: none.
    own: toCounts(self?.own ?? (children.length ? {} : (self?.counts ?? {}))),
    children: children.map((x) => ({ code: x.code, name: x.name, level: x.level, counts: toCounts(x.counts ?? {}) })),
  };
}

/** The latest month within the period with a snapshot of the node. */
async function snapshotMonthIn(db: Db, node: Node, form: ReportForm, period: string): Promise<string | null> {
  const r = periodRange(form.period, period)!;
  return (
    (
      await sql<{ p: string | null }>`SELECT max(period) AS p FROM indicator_snapshot
    WHERE scope_key = ${node.scope_key} AND period >= ${r.start.slice(0, 7)} AND period <= ${r.end.slice(0, 7)}`.execute(
        db,
      )
    ).rows[0]?.p ?? null
  );
}

/** Each child of the node with its report of a form and period and that report's latest submitted version. */
export async function childSubmissions(
  db: Db,
  node: Node,
  form: string,
  period: string,
): Promise<
  (ChildSubmission & {
    level: string;
    id: number | null;
    preparedAt: Date | null;
    returnReason: string | null;
    accepted: boolean;
    /** Its submitted report is 待更新: a child of its own submitted again since. */
    outdatedAt: Date | null;
  })[]
> {
  const { rows } = await sql<{
    code: string;
    name: string;
    level: string;
    id: number | null;
    state: ChildSubmission['state'];
    version: number | null;
    prepared_at: Date | null;
    return_reason: string | null;
    submitted_at: Date | null;
    total: Record<string, number> | null;
    source: 'live' | 'snapshot' | null;
    as_of: string | null;
    missing: MissingMark[] | null;
    accepted: boolean;
    outdated_at: Date | null;
  }>`
    SELECT j.code, j.name, j.level, r.id, r.state, r.version, r.prepared_at, r.return_reason, v.submitted_at, r.outdated_at,
      r.accepted_at IS NOT NULL AS accepted,
      CASE WHEN r.state = 'submitted' THEN (SELECT x -> 'counts' FROM jsonb_array_elements(v.data -> 'rows') x WHERE x ->> 'kind' = 'total' LIMIT 1) END AS total,
      v.data ->> 'source' AS source, v.data ->> 'asOf' AS as_of, CASE WHEN r.state = 'submitted' THEN v.missing END AS missing
    FROM jurisdiction j
    LEFT JOIN report r ON r.jurisdiction_code = j.code AND r.form = ${form} AND r.period = ${period}
    LEFT JOIN report_version v ON v.report_id = r.id AND v.version = r.version
    WHERE j.parent_code = ${node.code} ORDER BY j.code`.execute(db);
  return rows.map((r) => ({
    code: r.code,
    name: r.name,
    level: r.level,
    id: r.id,
    state: r.state,
    version: r.version && r.version > 0 ? r.version : null,
    submittedAt: r.submitted_at ? new Date(r.submitted_at).toISOString() : null,
    source: r.source,
    asOf: r.as_of,
    total: r.total ? toCounts(r.total) : null,
    missing: r.missing ?? [],
    preparedAt: r.prepared_at,
    returnReason: r.return_reason,
    accepted: !!r.accepted,
    outdatedAt: r.outdated_at,
  }));
}

export type Basis = { source: 'live' | 'snapshot'; liveReason?: string | null };

/**
 * What the node's own rows are measured from for a period: the current period from live figures;
 * a past one from its period-end snapshot; a past one without such a snapshot is refused, plainly,
 * unless the preparer chose live figures and said why. `source: 'snapshot'` asks for the latest
 * snapshot within the period (a current period's monthly one, too).
 */
export async function basisFor(
  db: Db,
  node: Node,
  form: ReportForm,
  period: string,
  asked: { source?: 'live' | 'snapshot'; liveReason?: string | null },
  today = localDate(),
) {
  const ended = periodEnded(form.period, period, today);
  if (asked.source === 'live' || (!asked.source && !ended)) {
    if (ended && !asked.liveReason?.trim()) {
      const month = closingMonth(form.period, period);
      throw new Problem(
        422,
        '不符合规定',
        `${period} 已结束，应按期末快照（${month}）填报；没有期末快照时，如确需按当前实时数据填报，须说明原因`,
        [{ field: 'liveReason', message: '按实时数据填报已结束的报告期，须说明原因' }],
      );
    }
    return { source: 'live' as const, month: null, liveReason: ended ? asked.liveReason!.trim() : null };
  }
  const closing = asked.source !== 'snapshot';
  const month = closing ? closingMonth(form.period, period) : await snapshotMonthIn(db, node, form, period);
  if (!month || !(await snapshotOfMonth(db, node, month, closing))) {
    const detail = closing
      ? `${period} 没有期末快照（${closingMonth(form.period, period)} 月末未取快照，例如平台当时尚未运行）。可改按当前实时数据填报，但须说明原因，说明随上报版本保存`
      : '该报告期内没有月度指标快照，请从实时数据生成，或先取快照';
    throw new Problem(422, closing ? '没有期末快照' : '没有可用的快照', detail, [
      { field: closing ? 'liveReason' : 'source', message: closing ? '该报告期没有期末快照' : '该报告期没有快照' },
    ]);
  }
  return { source: 'snapshot' as const, month, closing, liveReason: null };
}

/**
 * Prepares a level's report: the consolidation of its children's latest submitted versions and its
 * own rows (measured from the basis), the 缺报 marks carried up, and the differences from the live
 * figures of the same subtree, each explained (those beyond the tolerance flagged).
 */
export async function prepareData(
  db: Db,
  node: Node,
  form: ReportForm,
  period: string,
  basis: Awaited<ReturnType<typeof basisFor>>,
): Promise<ReportData> {
  const children = await childSubmissions(db, node, form.code, period);
  const live = await figuresWithChildren(db, node);
  // A leaf's own rows are all its figures (figuresWithChildren reports own only beside children).
  const liveOwn = children.length ? live.own : live.total;
  let own: Counts;
  let asOf: string;
  let snapshot: Awaited<ReturnType<typeof snapshotOfMonth>> = null;
  if (basis.source === 'snapshot') {
    snapshot = await snapshotOfMonth(db, node, basis.month, basis.closing);
    own = snapshot!.own;
    asOf = basis.month!;
  } else {
    own = liveOwn;
    asOf = localDate();
  }
  const rows: ConsolidatedRow[] = consolidate({ code: node.code }, children, own);
  return {
    source: basis.source,
    asOf,
    consolidated: true,
    liveReason: basis.liveReason ?? null,
    rows,
    children: children.map(({ code, name, state, version, submittedAt, source, asOf: at, total, missing }) => ({
      code,
      name,
      state,
      version,
      submittedAt,
      source,
      asOf: at,
      total,
      missing,
    })),
    live: {
      total: live.total,
      own: liveOwn,
      children: Object.fromEntries(live.children.map((c) => [c.code, c.counts])),
      missing: await liveOfMissingBelow(db, children),
    },
    snapshot: snapshot && basis.month ? { month: basis.month, total: snapshot.total } : null,
  };
}

/**
 * The live figures of the units the children's versions left out as 缺报 (a version short by them
 * is explained by their reasons, consolidation.ts differences()).
 */
async function liveOfMissingBelow(db: Db, children: readonly ChildSubmission[]): Promise<Record<string, Counts>> {
  const out: Record<string, Counts> = {};
  for (const code of new Set(carriedMarks([], children).map((m) => m.code))) {
    const n = await findNode(db, code);
    if (n) out[code] = (await figuresWithChildren(db, n)).total;
  }
  return out;
}

/** The 缺报 marks that apply (children still not submitted as the report stands), the marks the version carries up, and the differences from the live figures. */
export function consolidationOf(
  node: { code: string; name: string },
  data: ReportData,
  marks: readonly MissingMark[],
  tolerance: number,
) {
  const children = data.children ?? [];
  const applying = unreported(children, marks).marked.map((c) => marks.find((m) => m.code === c.code)!);
  const own = data.rows.find((r) => r.kind === 'own')?.counts ?? emptyCounts();
  return {
    children,
    applying,
    waiting: unreported(children, marks).waiting,
    carried: carriedMarks(applying, children),
    missingBelow: carriedMarks([], children),
    differences: data.live
      ? differences({
          node,
          children,
          marks: applying,
          own: { counts: toCounts(own), source: data.source, asOf: data.asOf },
          live: {
            total: toCounts(data.live.total),
            own: toCounts(data.live.own),
            children: new Map(Object.entries(data.live.children).map(([k, v]) => [k, toCounts(v)])),
            missing: new Map(Object.entries(data.live.missing ?? {}).map(([k, v]) => [k, toCounts(v)])),
          },
          tolerance,
        })
      : [],
  };
}

/** Rows as shown: every indicator's value (counts and the rates derived from them) beside the row's place. */
export const rowsOut = (data: ReportData) =>
  data.rows.map((r) => ({
    code: r.code,
    name: r.name,
    kind: r.kind,
    version: r.version ?? null,
    ...valuesOf(toCounts(r.counts)),
  }));

/**
 * The figures beside the consolidation as a check, never in its place: the subtree's live total
 * when the report was prepared, and the period-end snapshot's total where the own rows came from one.
 */
export const checkRowsOf = (node: { code: string }, data: ReportData) => [
  ...(data.live
    ? [
        {
          code: node.code,
          name: `核对：实时数（${data.source === 'live' ? data.asOf : '生成时'}）`,
          kind: 'total' as const,
          version: null,
          ...valuesOf(toCounts(data.live.total)),
        },
      ]
    : []),
  ...(data.snapshot
    ? [
        {
          code: node.code,
          name: `核对：期末快照（${data.snapshot.month}）`,
          kind: 'total' as const,
          version: null,
          ...valuesOf(toCounts(data.snapshot.total)),
        },
      ]
    : []),
];

/** The checks over the stored rows. */
export const checksOf = (data: ReportData) =>
  runChecks(data.rows.map((r) => ({ name: r.name, counts: toCounts(r.counts) })));

/** A source line for headers and exports: 下级上报汇总 (where there is a level below) + what the own rows were measured from. */
export const sourceLabel = (data: ReportData) => {
  const own =
    data.source === 'live'
      ? `实时数据（${data.asOf}）${data.liveReason ? '，期末无快照，按实时数据填报' : ''}`
      : `期末快照（${data.asOf}）`;
  return data.consolidated && data.children?.length ? `下级上报汇总 + 本级${own}` : own;
};

/** Marks the parent's submitted report of the same form and period outdated (a child of the caller's subtree submitted again); whether one was. */
export async function markParentOutdated(
  db: Db,
  child: string,
  form: string,
  period: string,
  reason: string,
): Promise<boolean> {
  const {
    rows: [marked],
  } = await sql<{ n: number }>`SELECT xgz_report_mark_outdated(${child}, ${form}, ${period}, ${reason}) AS n`.execute(
    db,
  );
  return Number(marked.n) > 0;
}
