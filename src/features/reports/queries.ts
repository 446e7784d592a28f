import { sql, type Transaction } from 'kysely';
import type { z } from 'zod';
import type { DB } from '../../db/schema.js';
import { INDICATORS, GROUP_LABEL } from '../../domain/indicators/registry.js';
import {
  FORMS,
  FORM_CODES,
  dueOn,
  headerGroups,
  periodLabel,
  periodProblem,
  type FormCode,
} from '../../domain/reports/forms.js';
import { REPORT_STATE_LABEL, reportActions, type Actor, type ReportState } from '../../domain/reports/workflow.js';
import { consolidate, type MissingMark } from '../../domain/reports/consolidation.js';
import { localDate } from '../../domain/time/zone.js';
import { Problem, notFound } from '../../http/errors.js';
import { nodeInScope } from '../../db/subtree.js';
import {
  checkRowsOf,
  checksOf,
  childSubmissions,
  consolidationOf,
  rowsOut,
  sourceLabel,
  type ReportData,
} from './service.js';
import type { boardQuery, difference, failure } from './contract.js';

/** The reports' reads: a report as its node sees it, the board of a node's period, a submitted version, the forms. */
export type Tx = Transaction<DB>;
export type User = { id: number; displayName: string; jurisdictionCode: string; scopeKey: string };
export const today = () => localDate();

/**
 * The report, its node and the node's parent, in the caller's scope (outside it: not found).
 * `lock` holds the report for a move, so a submission and a return (or two submissions) take turns.
 */
export async function loadReport(db: Tx, id: number, lock = false) {
  const q = db
    .selectFrom('report as r')
    .innerJoin('jurisdiction as j', 'j.code', 'r.jurisdiction_code')
    .select([
      'r.id',
      'r.form',
      'r.period',
      'r.jurisdiction_code',
      'r.scope_key',
      'r.state',
      'r.data',
      'r.note',
      'r.prepared_at',
      'r.version',
      'r.return_reason',
      'r.returned_at',
      'r.missing',
      'r.explanation',
      'r.outdated_at',
      'r.outdated_reason',
      'r.accepted_version',
      'r.accepted_at',
      'j.name',
      'j.level',
      'j.parent_code',
    ])
    .where('r.id', '=', id);
  const r = await (lock ? q.forUpdate('r') : q).executeTakeFirst();
  if (!r) throw notFound('报表');
  return r;
}
export type Loaded = Awaited<ReturnType<typeof loadReport>>;

/** Who the caller is to the report: its own level, the level directly above, or only a reader further up. */
export const actorOf = (user: User, r: { jurisdiction_code: string; parent_code: string | null }): Actor | null =>
  user.jurisdictionCode === r.jurisdiction_code ? 'own' : user.jurisdictionCode === r.parent_code ? 'above' : null;

export const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

async function versionsOf(db: Tx, id: number) {
  return db
    .selectFrom('report_version')
    .select(['version', 'submitted_at', 'submitted_by_name', 'acknowledgement', 'checks', 'missing', 'explanation'])
    .where('report_id', '=', id)
    .orderBy('version')
    .execute();
}

export async function detailOf(db: Tx, user: User, r: Loaded, tolerance: number) {
  const data = r.data as ReportData;
  const versions = await versionsOf(db, r.id);
  const events = await db
    .selectFrom('report_event')
    .select(['action', 'version', 'reason', 'at', 'by_name'])
    .where('report_id', '=', r.id)
    .orderBy('id')
    .execute();
  const actor = actorOf(user, r);
  const f = FORMS[r.form as FormCode];
  const marks = r.missing as MissingMark[];
  const c = consolidationOf({ code: r.jurisdiction_code, name: r.name }, data, marks, tolerance);
  // The children as they stand now (a draft waits for those still out; a submitted report names what it consolidated).
  const now = await childSubmissions(
    db,
    { code: r.jurisdiction_code, name: r.name, level: r.level, scope_key: r.scope_key },
    r.form,
    r.period,
  );
  const used = new Map((data.children ?? []).map((x) => [x.code, x.version]));
  return {
    id: r.id,
    form: r.form as FormCode,
    title: f.title,
    period: r.period,
    periodLabel: periodLabel(f.period, r.period),
    dueOn: dueOn(f, r.period),
    node: { code: r.jurisdiction_code, name: r.name, level: r.level },
    state: r.state,
    stateLabel: REPORT_STATE_LABEL[r.state],
    version: r.version,
    note: r.note,
    returnReason: r.return_reason,
    source: data.source,
    asOf: data.asOf,
    sourceLabel: sourceLabel(data),
    liveReason: data.liveReason ?? null,
    preparedAt: iso(r.prepared_at)!,
    rows: rowsOut(data),
    checks: checksOf(data),
    checkRows: checkRowsOf({ code: r.jurisdiction_code }, data),
    children: now.map((x) => ({
      code: x.code,
      name: x.name,
      level: x.level,
      state: x.state,
      stateLabel: x.state ? REPORT_STATE_LABEL[x.state] : '未填报',
      version: x.version,
      used: used.get(x.code) ?? null,
      marked: marks.find((m) => m.code === x.code)?.reason ?? null,
      accepted: x.accepted,
    })),
    missing: marks,
    missingBelow: c.missingBelow,
    waiting: c.waiting.map((x) => ({ code: x.code, name: x.name })),
    differences: c.differences,
    tolerance,
    explanation: r.explanation,
    outdated: r.outdated_at ? { at: iso(r.outdated_at)!, reason: r.outdated_reason ?? '' } : null,
    versions: versions.map((v) => ({
      version: v.version,
      submittedAt: iso(v.submitted_at)!,
      submittedBy: v.submitted_by_name,
      acknowledgement: v.acknowledgement,
      explanation: v.explanation,
      missing: v.missing as MissingMark[],
    })),
    events: events.map((e) => ({
      action: e.action,
      version: e.version,
      reason: e.reason,
      at: iso(e.at)!,
      by: e.by_name,
    })),
    accepted: acceptedOf(r, events),
    actions: actor ? reportActions(r.state, actor, !!r.outdated_at, !!r.accepted_at) : [],
  };
}

/** The 审核通过 mark in force, and who set it (the trail's latest accept of that version). */
const acceptedOf = (
  r: { accepted_version: number | null; accepted_at: Date | null },
  events: readonly { action: string; version: number | null; by_name: string }[],
) =>
  r.accepted_at && r.accepted_version !== null
    ? {
        version: r.accepted_version,
        at: iso(r.accepted_at)!,
        by: events.findLast((e) => e.action === 'accept' && e.version === r.accepted_version)?.by_name ?? '',
      }
    : null;

const summaryOf = (r: {
  id: number | null;
  state: ReportState | null;
  version: number | null;
  prepared_at: Date | null;
  return_reason: string | null;
  submitted_at?: Date | string | null;
  outdated_at?: Date | null;
  accepted?: boolean;
}) =>
  r.id === null
    ? null
    : {
        id: r.id,
        state: r.state!,
        stateLabel: REPORT_STATE_LABEL[r.state!],
        version: r.version ?? 0,
        preparedAt: iso(r.prepared_at)!,
        returnReason: r.return_reason,
        submittedAt: iso(r.submitted_at ?? null),
        outdated: !!r.outdated_at,
        accepted: !!r.accepted,
      };

/**
 * For a node, form and period: its own report, each child's (submitted, overdue, returned, marked
 * 缺报 by this level, and the marks its version carried up) and the consolidation of what the
 * children submitted.
 */
export async function boardOf(db: Tx, user: User, q: z.infer<typeof boardQuery>) {
  const f = FORMS[q.form];
  const problem = periodProblem(f, q.period, today());
  if (problem) throw new Problem(400, '请求有误', problem, [{ field: 'period', message: problem }]);
  const node = await nodeInScope(db, user, q.under);
  const own = await db
    .selectFrom('report as r')
    .leftJoin('report_version as v', (j) => j.onRef('v.report_id', '=', 'r.id').onRef('v.version', '=', 'r.version'))
    .select([
      'r.id',
      'r.state',
      'r.version',
      'r.prepared_at',
      'r.return_reason',
      'r.missing',
      'r.outdated_at',
      'v.submitted_at',
      sql<boolean>`r.accepted_at IS NOT NULL`.as('accepted'),
    ])
    .where('r.jurisdiction_code', '=', node.code)
    .where('r.form', '=', q.form)
    .where('r.period', '=', q.period)
    .executeTakeFirst();
  const marks = (own?.missing ?? []) as MissingMark[];
  const children = await childSubmissions(db, node, q.form, q.period);
  const due = dueOn(f, q.period);
  const late = today() > due;
  return {
    node: { code: node.code, name: node.name, level: node.level },
    form: q.form,
    period: q.period,
    periodLabel: periodLabel(f.period, q.period),
    dueOn: due,
    overdueNow: late,
    own: own ? summaryOf(own) : null,
    children: children.map((c) => ({
      code: c.code,
      name: c.name,
      level: c.level,
      report: summaryOf({
        id: c.id,
        state: c.state,
        version: c.version,
        prepared_at: c.preparedAt,
        return_reason: c.returnReason,
        submitted_at: c.submittedAt,
        outdated_at: c.outdatedAt,
        accepted: c.accepted,
      }),
      overdue: late && c.state !== 'submitted',
      marked: c.state !== 'submitted' ? (marks.find((m) => m.code === c.code)?.reason ?? null) : null,
      carried: c.state === 'submitted' ? [...c.missing] : [],
    })),
    consolidated: rowsOut({ source: 'live', asOf: '', rows: consolidate({ code: null }, children, null) }),
  };
}

/** The forms as data: columns from the indicator registry, grouped under their headers. */
export const reportForms = () =>
  FORM_CODES.map((c) => {
    const f = FORMS[c];
    return {
      code: f.code,
      title: f.title,
      period: f.period,
      dueDays: f.dueDays,
      groups: headerGroups(f).map((g) => ({
        group: g.group,
        label: GROUP_LABEL[g.group],
        columns: g.columns.map((k) => ({
          key: k,
          label: INDICATORS[k].label,
          unit: INDICATORS[k].unit,
          kind: INDICATORS[k].kind,
        })),
      })),
    };
  });

/** One submitted version of a report, as it was submitted. */
export async function versionOf(db: Tx, id: number, version: number) {
  const v = await db
    .selectFrom('report_version')
    .selectAll()
    .where('report_id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  if (!v) throw notFound('报表版本');
  const data = v.data as ReportData;
  return {
    version: v.version,
    source: data.source,
    asOf: data.asOf,
    sourceLabel: sourceLabel(data),
    liveReason: data.liveReason ?? null,
    note: v.note,
    acknowledgement: v.acknowledgement,
    checks: v.checks as z.infer<typeof failure>[],
    submittedAt: iso(v.submitted_at)!,
    submittedBy: v.submitted_by_name,
    rows: rowsOut(data),
    missing: v.missing as MissingMark[],
    differences: v.differences as z.infer<typeof difference>[],
    explanation: v.explanation,
  };
}

/** What the export of a report writes: its form, the sheet's header facts and its rows (a submitted version, or the working copy). */
export async function reportSheet(db: Tx, user: User, id: number, version: number | undefined) {
  const rep = await loadReport(db, id);
  const f = FORMS[rep.form as FormCode];
  const v = version
    ? await db
        .selectFrom('report_version')
        .selectAll()
        .where('report_id', '=', rep.id)
        .where('version', '=', version)
        .executeTakeFirst()
    : null;
  if (version && !v) throw notFound('报表版本');
  const data = (v ? v.data : rep.data) as ReportData;
  const preparer = v
    ? v.submitted_by_name
    : ((await db.selectFrom('app_user').select('display_name').where('id', '=', user.id).executeTakeFirst())
        ?.display_name ?? '');
  const meta = {
    unit: rep.name,
    period: periodLabel(f.period, rep.period),
    source: sourceLabel(data),
    preparer,
    date: (v ? iso(v.submitted_at)! : iso(rep.prepared_at)!).slice(0, 10),
    version: v ? `第 ${v.version} 版（已上报）` : `工作稿（${REPORT_STATE_LABEL[rep.state]}）`,
    note:
      [
        v ? v.note : rep.note,
        ...((v ? v.missing : rep.missing) as MissingMark[]).map((m) => `${m.name}缺报（${m.by}标记：${m.reason}）`),
        data.liveReason ? `期末无快照，按实时数据填报：${data.liveReason}` : null,
      ]
        .filter(Boolean)
        .join('；') || null,
  };
  return { f, meta, rows: rowsOut(data), version: v?.version ?? null };
}
