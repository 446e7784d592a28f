import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql, type Transaction } from 'kysely';
import { z } from 'zod';
import type { DB } from '../../db/schema.js';
import { INDICATORS, GROUP_LABEL } from '../../domain/indicators/registry.js';
import { FORMS, FORM_CODES, dueOn, headerGroups, periodLabel, periodProblem, type FormCode } from '../../domain/reports/forms.js';
import { REPORT_STATE_LABEL, reportActions, reportTransition, type Actor, type ReportAction, type ReportState, type ReportTransition } from '../../domain/reports/workflow.js';
import { Problem, notFound } from '../../http/errors.js';
import { idParam } from '../../http/paging.js';
import { values } from '../indicators/routes.js';
import { nodeInScope, type Node } from '../jurisdictions/subtree.js';
import { checksOf, consolidate, liveData, rowsOut, snapshotData, type ReportData } from './service.js';
import { reportWorkbook, sendWorkbook } from './xlsx.js';

type Tx = Transaction<DB>;
type User = { id: number; displayName: string; jurisdictionCode: string; scopeKey: string };
const today = () => new Date().toISOString().slice(0, 10);

const form = z.enum(FORM_CODES as [FormCode, ...FormCode[]]);
const period = z.string().trim().max(10);
/** A report row: every indicator of the registry (the dashboard's schema) beside the row's place. */
const row = values.extend({ code: z.string().nullable(), name: z.string(), kind: z.enum(['child', 'own', 'total']) });
const failure = z.object({ code: z.string(), label: z.string(), row: z.string(), message: z.string() });
const place = z.object({ code: z.string(), name: z.string(), level: z.string() });
const summary = z.object({ id: z.number(), state: z.string(), stateLabel: z.string(), version: z.number(), preparedAt: z.string(), returnReason: z.string().nullable(), submittedAt: z.string().nullable() });

/** The report, its node and the node's parent, in the caller's scope (outside it: not found). */
async function loadReport(db: Tx, id: number) {
  const r = await db.selectFrom('report as r').innerJoin('jurisdiction as j', 'j.code', 'r.jurisdiction_code')
    .select(['r.id', 'r.form', 'r.period', 'r.jurisdiction_code', 'r.scope_key', 'r.state', 'r.data', 'r.note', 'r.prepared_at', 'r.version', 'r.return_reason', 'r.returned_at', 'j.name', 'j.level', 'j.parent_code'])
    .where('r.id', '=', id).executeTakeFirst();
  if (!r) throw notFound('报表');
  return r;
}
type Loaded = Awaited<ReturnType<typeof loadReport>>;

/** Who the caller is to the report: its own level, the level directly above, or only a reader further up. */
const actorOf = (user: User, r: { jurisdiction_code: string; parent_code: string | null }): Actor | null =>
  user.jurisdictionCode === r.jurisdiction_code ? 'own' : user.jurisdictionCode === r.parent_code ? 'above' : null;

/** A refused move as problem+json (failed checks listed as field errors of the acknowledgement). */
function refuse(t: Extract<ReportTransition, { ok: false }>): never {
  const title = t.status === 403 ? '无权操作' : t.status === 409 ? '当前状态不允许此操作' : '不符合规定';
  const errors = t.failures?.length ? t.failures.map((f) => ({ field: t.field ?? 'acknowledgement', message: f.message })) : t.field ? [{ field: t.field, message: t.reason }] : undefined;
  throw new Problem(t.status, title, t.reason, errors);
}
function move(user: User, r: Loaded | null, action: ReportAction, input: Parameters<typeof reportTransition>[3] = {}) {
  const actor = r ? actorOf(user, r) : 'own';
  if (!actor) throw new Problem(403, '无权操作', '只有本级可以填报、上报，直接上级可以退回');
  const t = reportTransition((r?.state as ReportState | undefined) ?? null, action, actor, input);
  if (!t.ok) refuse(t);
  return t.to;
}

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

async function versionsOf(db: Tx, id: number) {
  return db.selectFrom('report_version').select(['version', 'submitted_at', 'submitted_by_name', 'acknowledgement', 'checks']).where('report_id', '=', id).orderBy('version').execute();
}

async function detail(db: Tx, user: User, r: Loaded) {
  const data = r.data as ReportData;
  const versions = await versionsOf(db, r.id);
  const events = await db.selectFrom('report_event').select(['action', 'version', 'reason', 'at', 'by_name']).where('report_id', '=', r.id).orderBy('id').execute();
  const actor = actorOf(user, r);
  const f = FORMS[r.form as FormCode];
  return {
    id: r.id, form: r.form, title: f.title, period: r.period, periodLabel: periodLabel(f.period, r.period), dueOn: dueOn(f, r.period),
    node: { code: r.jurisdiction_code, name: r.name, level: r.level },
    state: r.state, stateLabel: REPORT_STATE_LABEL[r.state], version: r.version, note: r.note, returnReason: r.return_reason,
    source: data.source, asOf: data.asOf, preparedAt: iso(r.prepared_at)!,
    rows: rowsOut(data), checks: checksOf(data),
    versions: versions.map((v) => ({ version: v.version, submittedAt: iso(v.submitted_at)!, submittedBy: v.submitted_by_name, acknowledgement: v.acknowledgement })),
    events: events.map((e) => ({ action: e.action, version: e.version, reason: e.reason, at: iso(e.at)!, by: e.by_name })),
    actions: actor ? reportActions(r.state, actor) : [],
  };
}
const detailSchema = z.object({
  id: z.number(), form: z.string(), title: z.string(), period: z.string(), periodLabel: z.string(), dueOn: z.string(), node: place,
  state: z.string(), stateLabel: z.string(), version: z.number(), note: z.string().nullable(), returnReason: z.string().nullable(),
  source: z.enum(['live', 'snapshot']), asOf: z.string(), preparedAt: z.string(), rows: z.array(row), checks: z.array(failure),
  versions: z.array(z.object({ version: z.number(), submittedAt: z.string(), submittedBy: z.string(), acknowledgement: z.string().nullable() })),
  events: z.array(z.object({ action: z.string(), version: z.number().nullable(), reason: z.string().nullable(), at: z.string(), by: z.string() })),
  actions: z.array(z.string()),
});

const event = (db: Tx, user: User, r: { id: number; scope_key: string }, action: 'prepare' | 'submit' | 'return', e: { version?: number; reason?: string } = {}) =>
  db.insertInto('report_event').values({ report_id: r.id, action, version: e.version ?? null, reason: e.reason ?? null, by_user: user.id, by_name: user.displayName, scope_key: r.scope_key }).execute();

/** The report of a form and period for each child of the node, with its latest submitted version's data. */
async function childReports(db: Tx, node: Node, code: FormCode, p: string) {
  return (await sql<{ code: string; name: string; level: string; id: number | null; state: ReportState | null; version: number | null; prepared_at: Date | null; return_reason: string | null; submitted_at: Date | null; data: ReportData | null }>`
    SELECT j.code, j.name, j.level, r.id, r.state, r.version, r.prepared_at, r.return_reason, v.submitted_at, CASE WHEN r.state = 'submitted' THEN v.data END AS data
    FROM jurisdiction j
    LEFT JOIN report r ON r.jurisdiction_code = j.code AND r.form = ${code} AND r.period = ${p}
    LEFT JOIN report_version v ON v.report_id = r.id AND v.version = r.version
    WHERE j.parent_code = ${node.code} ORDER BY j.code`.execute(db)).rows;
}
const summaryOf = (r: { id: number | null; state: ReportState | null; version: number | null; prepared_at: Date | null; return_reason: string | null; submitted_at?: Date | null }) =>
  r.id === null ? null : { id: r.id, state: r.state!, stateLabel: REPORT_STATE_LABEL[r.state!], version: r.version!, preparedAt: iso(r.prepared_at)!, returnReason: r.return_reason, submittedAt: iso(r.submitted_at ?? null) };

const boardQuery = z.strictObject({ form: form.default('xgz_core'), period, under: z.string().regex(/^\d{6,9}$/, '辖区代码应为 6 或 9 位数字').optional() });

/** For a node, form and period: its own report, each child's (submitted, overdue, returned) and the consolidated rows. */
async function boardOf(db: Tx, user: User, q: z.infer<typeof boardQuery>) {
  const f = FORMS[q.form];
  const problem = periodProblem(f, q.period, today());
  if (problem) throw new Problem(400, '请求有误', problem, [{ field: 'period', message: problem }]);
  const node = await nodeInScope(db, user, q.under);
  const own = await db.selectFrom('report as r').leftJoin('report_version as v', (j) => j.onRef('v.report_id', '=', 'r.id').onRef('v.version', '=', 'r.version'))
    .select(['r.id', 'r.state', 'r.version', 'r.prepared_at', 'r.return_reason', 'v.submitted_at'])
    .where('r.jurisdiction_code', '=', node.code).where('r.form', '=', q.form).where('r.period', '=', q.period).executeTakeFirst();
  const children = await childReports(db, node, q.form, q.period);
  const due = dueOn(f, q.period);
  const late = today() > due;
  return {
    node: { code: node.code, name: node.name, level: node.level }, form: q.form, period: q.period, periodLabel: periodLabel(f.period, q.period), dueOn: due, overdueNow: late,
    own: own ? summaryOf(own) : null,
    children: children.map((c) => ({ code: c.code, name: c.name, level: c.level, report: summaryOf(c), overdue: late && c.state !== 'submitted' })),
    consolidated: rowsOut({ source: 'live', asOf: '', rows: consolidate(children) }),
  };
}

/** 统计报表: forms as data, prepare → annotate → submit, the level above returns; versions immutable; xlsx export. */
export async function reportRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/report-forms', {
    config: { access: 'data.read' },
    schema: { tags: ['统计报表'], summary: '报表表式（由指标库定义的列、表头分组、报告期与上报期限）' },
    handler: async () => FORM_CODES.map((c) => {
      const f = FORMS[c];
      return {
        code: f.code, title: f.title, period: f.period, dueDays: f.dueDays,
        groups: headerGroups(f).map((g) => ({ group: g.group, label: GROUP_LABEL[g.group], columns: g.columns.map((k) => ({ key: k, label: INDICATORS[k].label, unit: INDICATORS[k].unit, kind: INDICATORS[k].kind })) })),
      };
    }),
  });

  r.get('/reports', {
    config: { access: 'data.read' },
    schema: {
      tags: ['统计报表'],
      summary: '某表式某报告期：本级报表状态、各下级上报情况（已报/逾期/退回）与汇总表（各下级最新上报版本合计）',
      querystring: boardQuery,
      response: {
        200: z.object({
          node: place, form: z.string(), period: z.string(), periodLabel: z.string(), dueOn: z.string(), overdueNow: z.boolean(),
          own: summary.nullable(),
          children: z.array(place.extend({ report: summary.nullable(), overdue: z.boolean() })),
          consolidated: z.array(row),
        }),
      },
    },
    handler: (req) => req.scoped(async ({ db }) => boardOf(db, req.user!, req.query)),
  });

  r.get('/reports/consolidated/export', {
    config: { access: 'data.read' },
    schema: { tags: ['统计报表'], summary: '导出汇总表 xlsx（各下级最新上报版本合计；导出留痕）', querystring: boardQuery },
    handler: async (req, reply) => {
      const b = await req.scoped(async ({ db, audit }) => {
        const b = await boardOf(db, req.user!, req.query);
        audit({ action: 'report.export', objectType: 'report', objectId: `${b.node.code}/${b.form}/${b.period}`, detail: { consolidated: true, rows: b.consolidated.length } });
        return b;
      });
      const f = FORMS[b.form];
      const submitted = b.children.filter((c) => c.report?.state === 'submitted').length;
      const meta = {
        unit: b.node.name, period: b.periodLabel, source: `下级上报汇总（已报 ${submitted} / ${b.children.length}）`,
        preparer: req.user!.displayName, date: today(), version: '汇总表', note: null,
      };
      return sendWorkbook(reply, `${f.title}-${b.node.name}-汇总.xlsx`, await reportWorkbook(f, meta, b.consolidated));
    },
  });

  r.post('/reports', {
    config: { access: 'data.write' },
    schema: {
      tags: ['统计报表'],
      summary: '本级生成（或重新生成）某表式某报告期的报表：实时数据或该期最近的月度快照',
      body: z.strictObject({ form: form.default('xgz_core'), period, source: z.enum(['live', 'snapshot']).default('live') }),
      response: { 201: detailSchema },
    },
    handler: async (req, reply) => {
      const out = await req.scoped(async ({ db, audit }) => {
        const user = req.user!;
        const f = FORMS[req.body.form];
        const problem = periodProblem(f, req.body.period, today());
        if (problem) throw new Problem(422, '不符合规定', problem, [{ field: 'period', message: problem }]);
        const node = await nodeInScope(db, user);
        const existing = await db.selectFrom('report').select('id').where('jurisdiction_code', '=', node.code).where('form', '=', req.body.form).where('period', '=', req.body.period).executeTakeFirst();
        const current = existing ? await loadReport(db, existing.id) : null;
        const to = move(user, current, 'prepare');
        const data = req.body.source === 'live' ? await liveData(db, node) : await snapshotData(db, node, f, req.body.period);
        const values = { data: JSON.stringify(data), prepared_at: new Date(), prepared_by: user.id, state: to };
        const saved = current
          ? await db.updateTable('report').set(values).where('id', '=', current.id).returning(['id', 'scope_key']).executeTakeFirstOrThrow()
          : await db.insertInto('report').values({ ...values, form: req.body.form, period: req.body.period, jurisdiction_code: node.code, scope_key: node.scope_key }).returning(['id', 'scope_key']).executeTakeFirstOrThrow();
        await event(db, user, saved, 'prepare');
        audit({ action: 'report.prepare', objectType: 'report', objectId: String(saved.id), detail: { form: req.body.form, period: req.body.period, source: data.source, asOf: data.asOf } });
        return detail(db, user, await loadReport(db, saved.id));
      });
      return reply.code(201).send(out);
    },
  });

  r.get('/reports/:id', {
    config: { access: 'data.read' },
    schema: { tags: ['统计报表'], summary: '报表（当前工作稿）：各行指标、审核结果、上报版本与流转记录', params: idParam, response: { 200: detailSchema } },
    handler: (req) => req.scoped(async ({ db }) => detail(db, req.user!, await loadReport(db, req.params.id))),
  });

  r.patch('/reports/:id', {
    config: { access: 'data.write' },
    schema: { tags: ['统计报表'], summary: '填写报表说明（本级，上报前）', params: idParam, body: z.strictObject({ note: z.string().trim().max(2000).nullable() }), response: { 200: detailSchema } },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const rep = await loadReport(db, req.params.id);
        move(req.user!, rep, 'annotate');
        await db.updateTable('report').set({ note: req.body.note || null }).where('id', '=', rep.id).execute();
        audit({ action: 'report.annotate', objectType: 'report', objectId: String(rep.id), detail: { before: rep.note, after: req.body.note || null } });
        return detail(db, req.user!, await loadReport(db, rep.id));
      }),
  });

  r.post('/reports/:id/submit', {
    config: { access: 'data.write' },
    schema: {
      tags: ['统计报表'],
      summary: '上报（生成不可修改的新版本）；未通过审核的须填写情况说明，否则 422 并列出未通过的审核项',
      params: idParam, body: z.strictObject({ acknowledgement: z.string().trim().max(2000).optional() }), response: { 201: detailSchema },
    },
    handler: async (req, reply) => {
      const out = await req.scoped(async ({ db, audit }) => {
        const user = req.user!;
        const rep = await loadReport(db, req.params.id);
        const failures = checksOf(rep.data as ReportData);
        const acknowledgement = failures.length ? req.body.acknowledgement || null : null;
        const to = move(user, rep, 'submit', { failures, acknowledgement });
        const version = rep.version + 1;
        await db.insertInto('report_version').values({
          report_id: rep.id, version, form: rep.form, period: rep.period, jurisdiction_code: rep.jurisdiction_code, scope_key: rep.scope_key,
          data: JSON.stringify(rep.data), note: rep.note, checks: JSON.stringify(failures), acknowledgement, submitted_by: user.id, submitted_by_name: user.displayName,
        }).execute();
        await db.updateTable('report').set({ state: to, version }).where('id', '=', rep.id).execute();
        await event(db, user, rep, 'submit', { version });
        audit({ action: 'report.submit', objectType: 'report', objectId: String(rep.id), detail: { version, failedChecks: failures.map((f) => f.code), acknowledgement } });
        return detail(db, user, await loadReport(db, rep.id));
      });
      return reply.code(201).send(out);
    },
  });

  r.post('/reports/:id/return', {
    config: { access: 'data.write' },
    schema: { tags: ['统计报表'], summary: '退回下级报表修改（直接上级，须说明理由）', params: idParam, body: z.strictObject({ reason: z.string().trim().max(500) }), response: { 200: detailSchema } },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const user = req.user!;
        const rep = await loadReport(db, req.params.id);
        const to = move(user, rep, 'return', { reason: req.body.reason });
        await db.updateTable('report').set({ state: to, return_reason: req.body.reason, returned_at: new Date(), returned_by: user.id }).where('id', '=', rep.id).execute();
        await event(db, user, rep, 'return', { version: rep.version, reason: req.body.reason });
        audit({ action: 'report.return', objectType: 'report', objectId: String(rep.id), detail: { version: rep.version, reason: req.body.reason } });
        return detail(db, user, await loadReport(db, rep.id));
      }),
  });

  r.get('/reports/:id/versions/:version', {
    config: { access: 'data.read' },
    schema: {
      tags: ['统计报表'], summary: '已上报的某一版本（不可修改）',
      params: z.strictObject({ id: z.coerce.number().int().positive(), version: z.coerce.number().int().positive('版本号应为正整数') }),
      response: { 200: z.object({ version: z.number(), source: z.string(), asOf: z.string(), note: z.string().nullable(), acknowledgement: z.string().nullable(), checks: z.array(failure), submittedAt: z.string(), submittedBy: z.string(), rows: z.array(row) }) },
    },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const v = await db.selectFrom('report_version').selectAll().where('report_id', '=', req.params.id).where('version', '=', req.params.version).executeTakeFirst();
        if (!v) throw notFound('报表版本');
        const data = v.data as ReportData;
        return { version: v.version, source: data.source, asOf: data.asOf, note: v.note, acknowledgement: v.acknowledgement, checks: v.checks as z.infer<typeof failure>[], submittedAt: iso(v.submitted_at)!, submittedBy: v.submitted_by_name, rows: rowsOut(data) };
      }),
  });

  r.get('/reports/:id/export', {
    config: { access: 'data.read' },
    schema: { tags: ['统计报表'], summary: '导出报表 xlsx（多级表头、填报单位、报告期、填报人、日期；导出留痕）：某一上报版本，缺省为当前工作稿', params: idParam, querystring: z.strictObject({ version: z.coerce.number().int().positive().optional() }) },
    handler: async (req, reply) => {
      const { f, meta, rows } = await req.scoped(async ({ db, audit }) => {
        const rep = await loadReport(db, req.params.id);
        const f = FORMS[rep.form as FormCode];
        const v = req.query.version ? await db.selectFrom('report_version').selectAll().where('report_id', '=', rep.id).where('version', '=', req.query.version).executeTakeFirst() : null;
        if (req.query.version && !v) throw notFound('报表版本');
        const data = (v ? v.data : rep.data) as ReportData;
        const preparer = v ? v.submitted_by_name : (await db.selectFrom('app_user').select('display_name').where('id', '=', req.user!.id).executeTakeFirst())?.display_name ?? '';
        audit({ action: 'report.export', objectType: 'report', objectId: String(rep.id), detail: { version: v?.version ?? null, rows: data.rows.length } });
        const meta = {
          unit: rep.name, period: periodLabel(f.period, rep.period), source: data.source === 'live' ? `实时数据（${data.asOf}）` : `月度快照（${data.asOf}）`,
          preparer, date: (v ? iso(v.submitted_at)! : iso(rep.prepared_at)!).slice(0, 10), version: v ? `第 ${v.version} 版（已上报）` : `工作稿（${REPORT_STATE_LABEL[rep.state]}）`, note: v ? v.note : rep.note,
        };
        return { f, meta, rows: rowsOut(data) };
      });
      // Written after the scoped transaction: the rows read and the audit record are committed first.
      return sendWorkbook(reply, `${f.title}-${meta.unit}-${req.params.id}.xlsx`, await reportWorkbook(f, meta, rows));
    },
  });
}
