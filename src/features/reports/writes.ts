import type { z } from 'zod';
import { FORMS, dueOn, periodLabel, periodProblem, type FormCode } from '../../domain/reports/forms.js';
import { reportTransition, type ReportAction, type ReportTransition } from '../../domain/reports/workflow.js';
import type { MissingMark } from '../../domain/reports/consolidation.js';
import { Problem } from '../../http/errors.js';
import { nodeInScope } from '../../db/subtree.js';
import type { Scoped } from '../../db/scoped.js';
import { actorOf as actorOfUser, answerLedgerTask, deployReportPeriod, returnLedgerTask } from '../worktasks/index.js';
import { notify } from '../workbench/index.js';
import {
  basisFor,
  markParentOutdated,
  checksOf,
  childSubmissions,
  consolidationOf,
  prepareData,
  type ReportData,
} from './service.js';
import { actorOf, loadReport, today, type Loaded, type Tx, type User } from './queries.js';
import type {
  annotateReport as annotateEndpoint,
  deployPeriod as deployEndpoint,
  prepareReport as prepareEndpoint,
  submitReport as submitEndpoint,
} from './contract.js';

/** The reports' writes, one per move of the workflow: each checks the move with the domain's workflow, writes, records the event and the audit, and tells whom it concerns. */

const reportPath = (form: string, period: string) => `/reports?form=${form}&period=${encodeURIComponent(period)}`;
const titleOf = (form: string, period: string) => {
  const f = FORMS[form as FormCode];
  return f ? `${f.title}（${periodLabel(f.period, period)}）` : `${form} ${period}`;
};

/** A submission tells the level above (awaiting its review) and answers the report period's task it deployed, if any (linked: nothing re-keyed). */
async function submittedUp(
  s: Scoped,
  user: User,
  rep: {
    id: number;
    form: string;
    period: string;
    jurisdiction_code: string;
    name: string;
    parent_code: string | null;
  },
  version: number,
) {
  const now = new Date();
  await notify(
    s,
    { nodes: [rep.parent_code!] },
    {
      kind: 'report.submitted',
      title: `${rep.name}已上报${titleOf(rep.form, rep.period)}，待审核`,
      body: `第 ${version} 版`,
      link: reportPath(rep.form, rep.period),
    },
  );
  await answerLedgerTask(
    s,
    actorOfUser(user),
    {
      source: 'report_period',
      issuerCode: rep.parent_code!,
      key: `${rep.form}:${rep.period}`,
      node: rep.jurisdiction_code,
      text: `已上报第 ${version} 版`,
      links: [{ kind: 'report', id: rep.id }],
    },
    now,
  );
}

/** A return tells the node's accounts, and returns its part of the report period's task with the same reason. */
async function returnedDown(
  s: Scoped,
  user: User,
  rep: { id: number; form: string; period: string; jurisdiction_code: string; parent_code: string | null },
  reason: string,
) {
  await notify(
    s,
    { nodes: [rep.jurisdiction_code] },
    {
      kind: 'report.returned',
      title: `报表被退回：${titleOf(rep.form, rep.period)}`,
      body: reason,
      link: `${reportPath(rep.form, rep.period)}&open=${rep.id}`,
    },
  );
  if (rep.parent_code)
    await returnLedgerTask(
      s,
      actorOfUser(user),
      {
        source: 'report_period',
        issuerCode: rep.parent_code,
        key: `${rep.form}:${rep.period}`,
        node: rep.jurisdiction_code,
        reason,
      },
      new Date(),
    );
}

/** A refused move as problem+json (failed checks listed as field errors of the acknowledgement). */
function refuse(t: Extract<ReportTransition, { ok: false }>): never {
  const title = t.status === 403 ? '无权操作' : t.status === 409 ? '当前状态不允许此操作' : '不符合规定';
  const errors = t.errors?.length
    ? [...t.errors]
    : t.failures?.length
      ? t.failures.map((f) => ({ field: t.field ?? 'acknowledgement', message: f.message }))
      : t.field
        ? [{ field: t.field, message: t.reason }]
        : undefined;
  throw new Problem(t.status, title, t.reason, errors);
}
function move(user: User, r: Loaded | null, action: ReportAction, input: Parameters<typeof reportTransition>[3] = {}) {
  const actor = r ? actorOf(user, r) : 'own';
  if (!actor) throw new Problem(403, '无权操作', '只有本级可以填报、上报，直接上级可以退回');
  const t = reportTransition(r?.state ?? null, action, actor, {
    outdated: !!r?.outdated_at,
    accepted: !!r?.accepted_at,
    ...input,
  });
  if (!t.ok) refuse(t);
  return t.to;
}

const event = (
  db: Tx,
  user: User,
  r: { id: number; scope_key: string },
  action: 'prepare' | 'submit' | 'return' | 'accept',
  e: { version?: number; reason?: string } = {},
) =>
  db
    .insertInto('report_event')
    .values({
      report_id: r.id,
      action,
      version: e.version ?? null,
      reason: e.reason ?? null,
      by_user: user.id,
      by_name: user.displayName,
      scope_key: r.scope_key,
    })
    .execute();

/** 下发报告期: the period's task to the direct children; returns the task (null when there is no child to report). */
export async function deployPeriod(
  s: Scoped,
  user: User,
  body: z.output<typeof deployEndpoint.body>,
): Promise<number | null> {
  const f = FORMS[body.form];
  const problem = periodProblem(f, body.period, today());
  if (problem) throw new Problem(422, '不符合规定', problem, [{ field: 'period', message: problem }]);
  if (dueOn(f, body.period) < today())
    throw new Problem(422, '不符合规定', `该报告期的上报期限（${dueOn(f, body.period)}）已过，不能再下发`, [
      { field: 'period', message: '上报期限已过' },
    ]);
  return deployReportPeriod(s, actorOfUser(user), user.jurisdictionCode, body.form, body.period, new Date());
}

/** 生成报表: the node's report of the period prepared (again) from its children's submissions and its own figures; returns its id. */
export async function prepareReport(
  { db, audit }: Scoped,
  user: User,
  body: z.output<typeof prepareEndpoint.body>,
): Promise<number> {
  const f = FORMS[body.form];
  const problem = periodProblem(f, body.period, today());
  if (problem) throw new Problem(422, '不符合规定', problem, [{ field: 'period', message: problem }]);
  const node = await nodeInScope(db, user);
  const existing = await db
    .selectFrom('report')
    .select('id')
    .where('jurisdiction_code', '=', node.code)
    .where('form', '=', body.form)
    .where('period', '=', body.period)
    .executeTakeFirst();
  const current = existing ? await loadReport(db, existing.id, true) : null;
  const to = move(user, current, 'prepare');
  const basis = await basisFor(db, node, f, body.period, { source: body.source, liveReason: body.liveReason });
  const data = await prepareData(db, node, f, body.period, basis);
  const values = {
    data: JSON.stringify(data),
    prepared_at: new Date(),
    prepared_by: user.id,
    state: to,
    outdated_at: null,
    outdated_reason: null,
  };
  const saved = current
    ? await db
        .updateTable('report')
        .set(values)
        .where('id', '=', current.id)
        .returning(['id', 'scope_key'])
        .executeTakeFirstOrThrow()
    : await db
        .insertInto('report')
        .values({
          ...values,
          form: body.form,
          period: body.period,
          jurisdiction_code: node.code,
          scope_key: node.scope_key,
        })
        .returning(['id', 'scope_key'])
        .executeTakeFirstOrThrow();
  await event(db, user, saved, 'prepare');
  audit({
    action: 'report.prepare',
    objectType: 'report',
    objectId: String(saved.id),
    detail: {
      form: body.form,
      period: body.period,
      source: data.source,
      asOf: data.asOf,
      liveReason: data.liveReason ?? null,
      outdated: current?.outdated_reason ?? null,
    },
  });
  return saved.id;
}

/** 填写说明、标记缺报 (the node itself, before it submits). */
export async function annotateReport(
  { db, audit }: Scoped,
  user: User,
  id: number,
  body: z.output<typeof annotateEndpoint.body>,
): Promise<void> {
  const rep = await loadReport(db, id, true);
  move(user, rep, 'annotate');
  const set: { note?: string | null; explanation?: string | null; missing?: string } = {};
  if (body.note !== undefined) set.note = body.note || null;
  if (body.explanation !== undefined) set.explanation = body.explanation || null;
  if (body.missing) {
    const node = { code: rep.jurisdiction_code, name: rep.name, level: rep.level, scope_key: rep.scope_key };
    const children = await childSubmissions(db, node, rep.form, rep.period);
    const errors = body.missing.flatMap((m, i) => {
      const c = children.find((x) => x.code === m.code);
      if (!c) return [{ field: `missing.${i}.code`, message: `${m.code} 不是本级的直接下级` }];
      if (c.state === 'submitted') return [{ field: `missing.${i}.code`, message: `${c.name}已上报，不能标记缺报` }];
      return [];
    });
    if (errors.length) throw new Problem(422, '不符合规定', errors.map((e) => e.message).join('；'), errors);
    const marks: MissingMark[] = body.missing.map((m) => ({
      code: m.code,
      name: children.find((x) => x.code === m.code)!.name,
      reason: m.reason,
      by: rep.name,
    }));
    set.missing = JSON.stringify(marks);
  }
  if (!Object.keys(set).length)
    throw new Problem(400, '请求有误', '没有要修改的内容', [{ field: 'note', message: '没有要修改的内容' }]);
  await db.updateTable('report').set(set).where('id', '=', rep.id).execute();
  audit({
    action: 'report.annotate',
    objectType: 'report',
    objectId: String(rep.id),
    detail: { before: { note: rep.note, explanation: rep.explanation, missing: rep.missing }, after: set },
  });
}

/** 上报: a new immutable version; the level above, if it already submitted the period, is marked outdated. */
export async function submitReport(
  s: Scoped,
  user: User,
  id: number,
  body: z.output<typeof submitEndpoint.body>,
  tolerance: number,
): Promise<void> {
  const { db, audit } = s;
  const rep = await loadReport(db, id, true);
  const data = rep.data as ReportData;
  const node = { code: rep.jurisdiction_code, name: rep.name, level: rep.level, scope_key: rep.scope_key };
  // What the draft consolidated must still be what the children have submitted.
  if (data.consolidated && actorOf(user, rep) === 'own' && rep.state !== 'submitted') {
    const now = await childSubmissions(db, node, rep.form, rep.period);
    const used = new Map((data.children ?? []).map((c) => [c.code, c.state === 'submitted' ? c.version : null]));
    const changed = now.filter((c) => (c.state === 'submitted' ? c.version : null) !== (used.get(c.code) ?? null));
    if (changed.length) {
      const why = changed.map((c) =>
        c.state === 'submitted'
          ? `${c.name}已上报第 ${c.version} 版`
          : `${c.name}的报表已${c.state === 'returned' ? '退回' : '撤回'}`,
      );
      throw new Problem(
        409,
        '下级上报情况已变化',
        `${why.join('；')}。请重新生成报表后上报`,
        changed.map((c, i) => ({ field: 'children', message: why[i] })),
      );
    }
  }
  const c = consolidationOf(
    { code: rep.jurisdiction_code, name: rep.name },
    data,
    rep.missing as MissingMark[],
    tolerance,
  );
  const failures = checksOf(data);
  const acknowledgement = failures.length ? body.acknowledgement || null : null;
  const unexplained = c.differences.filter((d) => d.beyond);
  const explanation = body.explanation || rep.explanation || null;
  const to = move(user, rep, 'submit', { failures, acknowledgement, waiting: c.waiting, unexplained, explanation });
  const version = rep.version + 1;
  await db
    .insertInto('report_version')
    .values({
      report_id: rep.id,
      version,
      form: rep.form,
      period: rep.period,
      jurisdiction_code: rep.jurisdiction_code,
      scope_key: rep.scope_key,
      data: JSON.stringify(data),
      note: rep.note,
      checks: JSON.stringify(failures),
      acknowledgement,
      submitted_by: user.id,
      submitted_by_name: user.displayName,
      missing: JSON.stringify(c.carried),
      differences: JSON.stringify(c.differences),
      explanation: unexplained.length || c.differences.length ? explanation : null,
    })
    .execute();
  await db
    .updateTable('report')
    .set({ state: to, version, missing: JSON.stringify(c.applying), explanation })
    .where('id', '=', rep.id)
    .execute();
  await event(db, user, rep, 'submit', { version });
  // The level above, if it already submitted this period, now reports figures this submission changed.
  const reason = `${rep.name}于 ${today()} ${version > 1 ? '重新' : ''}上报第 ${version} 版，本级报表应重新汇总`;
  const parentOutdated = await markParentOutdated(db, rep.jurisdiction_code, rep.form, rep.period, reason);
  audit({
    action: 'report.submit',
    objectType: 'report',
    objectId: String(rep.id),
    detail: {
      version,
      failedChecks: failures.map((f) => f.code),
      acknowledgement,
      missing: c.carried.map((m) => m.code),
      explanation,
      parentOutdated,
    },
  });
  if (rep.parent_code) await submittedUp(s, user, rep, version);
}

/** 退回 (the level directly above, with its reason). */
export async function returnReport(s: Scoped, user: User, id: number, reason: string): Promise<void> {
  const { db, audit } = s;
  const rep = await loadReport(db, id, true);
  const to = move(user, rep, 'return', { reason });
  await db
    .updateTable('report')
    .set({ state: to, return_reason: reason, returned_at: new Date(), returned_by: user.id })
    .where('id', '=', rep.id)
    .execute();
  await event(db, user, rep, 'return', { version: rep.version, reason });
  // The returning level's own submitted report of the period consolidated the version it has just
  // refused: it no longer stands (the level above must not pass it as checked) until consolidated again.
  const ownOutdated = await markParentOutdated(
    db,
    rep.jurisdiction_code,
    rep.form,
    rep.period,
    `本级于 ${today()} 退回${rep.name}第 ${rep.version} 版（${reason}），待其重新上报后本级报表应重新汇总`,
  );
  audit({
    action: 'report.return',
    objectType: 'report',
    objectId: String(rep.id),
    detail: { version: rep.version, reason, ownOutdated },
  });
  await returnedDown(s, user, rep, reason);
}

/** 审核通过 (the level directly above): its submitted version is checked; a new version or a return undoes the mark (0160). */
export async function acceptReport(s: Scoped, user: User, id: number): Promise<void> {
  const { db, audit } = s;
  const rep = await loadReport(db, id, true);
  move(user, rep, 'accept');
  await db
    .updateTable('report')
    .set({ accepted_version: rep.version, accepted_at: new Date(), accepted_by: user.id })
    .where('id', '=', rep.id)
    .execute();
  await event(db, user, rep, 'accept', { version: rep.version });
  audit({ action: 'report.accept', objectType: 'report', objectId: String(rep.id), detail: { version: rep.version } });
  // Told as a return is: the node's accounts learn that the version they submitted has been checked.
  await notify(
    s,
    { nodes: [rep.jurisdiction_code] },
    {
      kind: 'report.accepted',
      title: `报表已审核通过：${titleOf(rep.form, rep.period)}`,
      body: `第 ${rep.version} 版`,
      link: `${reportPath(rep.form, rep.period)}&open=${rep.id}`,
    },
  );
}
