/**
 * Consolidation (逐级汇总): a level's report for a period is the sum of what its direct children
 * submitted for that period (each child's latest submitted version) plus its own directly held
 * rows (本级), the same at every level. Children that have not reported are either waited for or
 * marked 缺报 with a reason, which travels up with every version above. The consolidated figures
 * are compared with the live figures of the same subtree; each difference says why in plain
 * Chinese, and one beyond the tolerance must be explained before the report goes up.
 */
import { COUNTS, COUNT_KEYS, emptyCounts, type CountKey, type Counts } from '../indicators/registry.js';

/** A child marked 缺报: who, why, and which level marked it (the mark shows on every level above). */
export type MissingMark = { code: string; name: string; reason: string; by: string };

/** A child as the consolidation sees it: its latest submitted version's total (null when it has none in force). */
export type ChildSubmission = {
  code: string;
  name: string;
  state: 'draft' | 'submitted' | 'returned' | null;
  version: number | null;
  submittedAt: string | null;
  /** What the child's version was measured from: its source and date (`live` 2026-12-02, `snapshot` 2026-09). */
  source: 'live' | 'snapshot' | null;
  asOf: string | null;
  total: Counts | null;
  /** The 缺报 marks the child's version carried up. */
  missing: readonly MissingMark[];
};

export type ConsolidatedRow = {
  code: string | null;
  name: string;
  kind: 'child' | 'own' | 'total';
  counts: Counts;
  /** For a child row: the version of the child's report it comes from. */
  version?: number;
};

export const OWN_ROW = '本级（未划入下级）';
export const TOTAL_ROW = '合计';

const add = (a: Counts, b: Counts): Counts => {
  const out = emptyCounts();
  for (const k of COUNT_KEYS) out[k] = a[k] + b[k];
  return out;
};
const isZero = (c: Counts) => COUNT_KEYS.every((k) => c[k] === 0);

/** The children that count: submitted, with a version in force. */
export const submittedChildren = (children: readonly ChildSubmission[]) =>
  children.filter((c) => c.state === 'submitted' && c.total);

/**
 * The rows of a level's report: one per child that submitted (its version's total), the node's own
 * rows (only when there are any), and the total of them all.
 */
export function consolidate(
  node: { code: string | null },
  children: readonly ChildSubmission[],
  own: Counts | null,
): ConsolidatedRow[] {
  const rows: ConsolidatedRow[] = submittedChildren(children).map((c) => ({
    code: c.code,
    name: c.name,
    kind: 'child',
    counts: c.total!,
    version: c.version!,
  }));
  if (own && !isZero(own)) rows.push({ code: node.code, name: OWN_ROW, kind: 'own', counts: own });
  const total = rows.reduce((s, r) => add(s, r.counts), emptyCounts());
  return [...rows, { code: node.code, name: TOTAL_ROW, kind: 'total', counts: total }];
}

/**
 * The children neither submitted nor marked 缺报 (a returned child counts as not submitted until it
 * resubmits), and the marks that still apply (a mark on a child that has since submitted drops).
 */
export function unreported(children: readonly ChildSubmission[], marks: readonly { code: string }[]) {
  const marked = new Set(marks.map((m) => m.code));
  const notIn = children.filter((c) => c.state !== 'submitted');
  return { waiting: notIn.filter((c) => !marked.has(c.code)), marked: notIn.filter((c) => marked.has(c.code)) };
}

/** Every 缺报 mark a version carries: the level's own, then those its children's versions carried (each once). */
export function carriedMarks(own: readonly MissingMark[], children: readonly ChildSubmission[]): MissingMark[] {
  const seen = new Set<string>();
  const out: MissingMark[] = [];
  for (const m of [...own, ...submittedChildren(children).flatMap((c) => c.missing)]) {
    if (seen.has(m.code)) continue;
    seen.add(m.code);
    out.push(m);
  }
  return out;
}

/** Counts of people or entities counted once however many children they appear under: a sum of children's figures can exceed the subtree's. */
export const DISTINCT_COUNTS: ReadonlySet<CountKey> = new Set<CountKey>([
  'membersFound',
  'sanliangParticipants',
  'entitiesVisited',
  'leagueMembers',
]);

export type Difference = {
  /** The row: a child's code, the node's own line or the total. */
  code: string | null;
  row: string;
  kind: 'child' | 'own' | 'total';
  key: CountKey;
  label: string;
  consolidated: number;
  live: number;
  difference: number;
  /** Beyond the tolerance (judged on the total row): must be explained before submission. */
  beyond: boolean;
  /**
   * The total row's difference is what units left out as 缺报 account for (their live figures bring
   * it within the tolerance): the 缺报 reasons are its explanation, no other is asked for.
   */
  byMissing?: boolean;
  explanation: string;
};

const dateOf = (iso: string | null) => (iso ? iso.slice(0, 10) : '');
const basisOf = (source: 'live' | 'snapshot' | null, asOf: string | null) =>
  source === 'snapshot' ? `期末快照 ${asOf}` : `实时数据 ${asOf ?? ''}`.trimEnd();

/** The units a version left out as 缺报, named when few. */
const namesOf = (marks: readonly MissingMark[]) =>
  marks.length <= 3
    ? marks.map((m) => m.name).join('、')
    : `${marks
        .slice(0, 3)
        .map((m) => m.name)
        .join('、')}等 ${marks.length} 个单位`;

/** Whether a difference is beyond the tolerance: more than `tolerance` of the larger figure, and at least 1. */
export const beyondTolerance = (consolidated: number, live: number, tolerance: number) => {
  const d = Math.abs(consolidated - live);
  return d >= 1 && d > tolerance * Math.max(Math.abs(consolidated), Math.abs(live));
};

/**
 * Differences between the consolidated figures and the live figures of the same subtree, per
 * indicator, for each child, the node's own line and the total, each with its plain explanation.
 */
export function differences(input: {
  node: { code: string | null; name: string };
  children: readonly ChildSubmission[];
  marks: readonly MissingMark[];
  own: { counts: Counts; source: 'live' | 'snapshot'; asOf: string } | null;
  /** The live figures of units marked 缺报 further down (the marks the children's versions carried), by code. */
  live: {
    total: Counts;
    own: Counts;
    children: ReadonlyMap<string, Counts>;
    missing?: ReadonlyMap<string, Counts>;
  };
  tolerance: number;
}): Difference[] {
  const out: Difference[] = [];
  const marks = new Map(input.marks.map((m) => [m.code, m]));
  // What the units left out as 缺报 hold today: children this level marked, and units the children's versions left out.
  const left: { mark: MissingMark; live: Counts }[] = [
    ...input.children
      .filter((c) => c.state !== 'submitted' && marks.has(c.code))
      .map((c) => ({ mark: marks.get(c.code)!, live: input.live.children.get(c.code) ?? emptyCounts() })),
    ...submittedChildren(input.children).flatMap((c) =>
      c.missing.flatMap((m) => {
        const live = input.live.missing?.get(m.code);
        return live ? [{ mark: m, live }] : [];
      }),
    ),
  ];
  const childWhy = (c: ChildSubmission) => {
    if (c.state === 'submitted' && c.total) {
      const sent = `${c.name}于 ${dateOf(c.submittedAt)} 上报第 ${c.version} 版（${basisOf(c.source, c.asOf)}）`;
      // A version that left units out as 缺报 is short by their figures: that, not a later change, is the first reason.
      return c.missing.length
        ? `${sent}，其中${namesOf(c.missing)}缺报、数字未计入；上报后台账如有变化，也计入此差`
        : `${sent}，此后台账有变化`;
    }
    const m = marks.get(c.code);
    if (m) return `${c.name}缺报（${m.reason}），其数字未计入汇总`;
    return c.state === 'returned'
      ? `${c.name}的报表已退回、尚未重新上报，其数字未计入汇总`
      : `${c.name}尚未上报，其数字未计入汇总`;
  };
  const childLines = input.children.map((c) => ({
    c,
    consolidated: c.state === 'submitted' && c.total ? c.total : emptyCounts(),
    live: input.live.children.get(c.code) ?? emptyCounts(),
  }));
  const ownCounts = input.own?.counts ?? emptyCounts();
  for (const key of COUNT_KEYS) {
    const label = COUNTS[key].label;
    const reasons: string[] = [];
    for (const { c, consolidated, live } of childLines) {
      if (consolidated[key] === live[key]) continue;
      const why = childWhy(c);
      reasons.push(why);
      out.push({
        code: c.code,
        row: c.name,
        kind: 'child',
        key,
        label,
        consolidated: consolidated[key],
        live: live[key],
        difference: consolidated[key] - live[key],
        beyond: false,
        explanation: why,
      });
    }
    if (ownCounts[key] !== input.live.own[key]) {
      const why =
        input.own?.source === 'snapshot'
          ? `本级按期末快照（${input.own.asOf}）填报，此后台账有变化`
          : '本级数字取自生成报表时的实时数据，此后台账有变化';
      reasons.push(why);
      out.push({
        code: input.node.code,
        row: OWN_ROW,
        kind: 'own',
        key,
        label,
        consolidated: ownCounts[key],
        live: input.live.own[key],
        difference: ownCounts[key] - input.live.own[key],
        beyond: false,
        explanation: why,
      });
    }
    const consolidated = childLines.reduce((s, l) => s + l.consolidated[key], 0) + ownCounts[key];
    const live = input.live.total[key];
    if (consolidated === live) continue;
    if (DISTINCT_COUNTS.has(key))
      reasons.push(`${label}在全辖区按人（户）去重，同一对象在几个下级都计入时，各下级之和大于全辖区数`);
    // Beyond the tolerance only because units were left out as 缺报: their reasons explain it.
    const short = left.filter((l) => l.live[key] !== 0);
    const shortBy = short.reduce((s, l) => s + l.live[key], 0);
    const beyond = beyondTolerance(consolidated, live, input.tolerance);
    const byMissing = beyond && short.length > 0 && !beyondTolerance(consolidated + shortBy, live, input.tolerance);
    if (byMissing)
      reasons.push(
        `差异来自缺报单位（${short.map((l) => `${l.mark.name}：${l.mark.reason}`).join('；')}），缺报原因即差异说明`,
      );
    out.push({
      code: input.node.code,
      row: TOTAL_ROW,
      kind: 'total',
      key,
      label,
      consolidated,
      live,
      difference: consolidated - live,
      beyond: beyond && !byMissing,
      ...(byMissing ? { byMissing } : {}),
      explanation: reasons.length ? reasons.join('；') : '各行之和与全辖区实时数不同',
    });
  }
  return out;
}

/** The indicators whose total differs beyond the tolerance (they must be explained before submission). */
export const unexplained = (diffs: readonly Difference[]) => diffs.filter((d) => d.beyond);
