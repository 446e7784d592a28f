import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { FORMS } from '../../domain/reports/forms.js';
import { schemaOf } from '../../http/contract.js';
import { heavyWork } from '../../http/heavy-work.js';
import {
  annotateReport,
  deployPeriod,
  exportConsolidated,
  exportReport,
  getReport,
  getReportBoard,
  getReportVersion,
  listReportForms,
  prepareReport,
  returnReport,
  acceptReport,
  submitReport,
} from './contract.js';
import {
  boardOf,
  detailOf,
  loadReport,
  reportForms,
  reportSheet,
  today,
  versionOf,
  type Loaded,
  type Tx,
  type User,
} from './queries.js';
import * as write from './writes.js';
import { reportWorkbook, sendWorkbook } from './xlsx.js';

const tags = ['统计报表'];

/** 统计报表: forms as data, prepare → annotate → submit, the level above returns; versions immutable; xlsx export. */
export async function reportRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tolerance = app.ctx.config.reportTolerance;
  const detail = (db: Tx, user: User, rep: Loaded) => detailOf(db, user, rep, tolerance);
  const detailById = async (db: Tx, user: User, id: number) => detail(db, user, await loadReport(db, id));

  r.get(listReportForms.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(listReportForms, tags), response: { 200: listReportForms.response } },
    handler: async () => reportForms(),
  });

  r.get(getReportBoard.path, {
    config: { access: 'data.read' },
    schema: {
      ...schemaOf(getReportBoard, tags),
      querystring: getReportBoard.query,
      response: { 200: getReportBoard.response },
    },
    handler: (req) => req.scoped(async ({ db }) => boardOf(db, req.user!, req.query)),
  });

  r.get(exportConsolidated.path, {
    config: { access: 'data.read' },
    schema: {
      tags,
      summary: '导出汇总表 xlsx（各下级最新上报版本合计；导出留痕）',
      querystring: exportConsolidated.query,
    },
    handler: async (req, reply) => {
      const b = await req.scoped(async ({ db, audit }) => {
        const b = await boardOf(db, req.user!, req.query);
        audit({
          action: 'report.export',
          objectType: 'report',
          objectId: `${b.node.code}/${b.form}/${b.period}`,
          detail: { consolidated: true, rows: b.consolidated.length },
        });
        return b;
      });
      const f = FORMS[b.form];
      const submitted = b.children.filter((c) => c.report?.state === 'submitted').length;
      const meta = {
        unit: b.node.name,
        period: b.periodLabel,
        source: `下级上报汇总（已报 ${submitted} / ${b.children.length}）`,
        preparer: req.user!.displayName,
        date: today(),
        version: '汇总表',
        note: null,
      };
      return sendWorkbook(reply, `${f.title}-${b.node.name}-汇总.xlsx`, await reportWorkbook(f, meta, b.consolidated));
    },
  });

  r.post(deployPeriod.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(deployPeriod, tags), body: deployPeriod.body, response: { 201: deployPeriod.response } },
    handler: async (req, reply) =>
      reply.code(201).send({ id: await req.scoped((s) => write.deployPeriod(s, req.user!, req.body)) }),
  });

  r.post(prepareReport.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(prepareReport, tags), body: prepareReport.body, response: { 201: prepareReport.response } },
    // Sums the latest versions of every child and measures the bureau's own figures (about 2 s for
    // a province): once a minute per account and once at a time per area (round 16; it had no limit).
    handler: async (req, reply) => {
      const out = await heavyWork(app.ctx.db, 'report', req.user!, () =>
        req.scoped(async (s) => detailById(s.db, req.user!, await write.prepareReport(s, req.user!, req.body))),
      );
      return reply.code(201).send(out);
    },
  });

  r.get(getReport.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(getReport, tags), params: getReport.params, response: { 200: getReport.response } },
    handler: (req) => req.scoped(async ({ db }) => detailById(db, req.user!, req.params.id)),
  });

  r.patch(annotateReport.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(annotateReport, tags),
      params: annotateReport.params,
      body: annotateReport.body,
      response: { 200: annotateReport.response },
    },
    handler: (req) =>
      req.scoped(async (s) => {
        await write.annotateReport(s, req.user!, req.params.id, req.body);
        return detailById(s.db, req.user!, req.params.id);
      }),
  });

  r.post(submitReport.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(submitReport, tags),
      params: submitReport.params,
      body: submitReport.body,
      response: { 201: submitReport.response },
    },
    handler: async (req, reply) => {
      const out = await req.scoped(async (s) => {
        await write.submitReport(s, req.user!, req.params.id, req.body, tolerance);
        return detailById(s.db, req.user!, req.params.id);
      });
      return reply.code(201).send(out);
    },
  });

  r.post(acceptReport.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(acceptReport, tags),
      params: acceptReport.params,
      response: { 200: acceptReport.response },
    },
    handler: (req) =>
      req.scoped(async (s) => {
        await write.acceptReport(s, req.user!, req.params.id);
        return detailById(s.db, req.user!, req.params.id);
      }),
  });

  r.post(returnReport.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(returnReport, tags),
      params: returnReport.params,
      body: returnReport.body,
      response: { 200: returnReport.response },
    },
    handler: (req) =>
      req.scoped(async (s) => {
        await write.returnReport(s, req.user!, req.params.id, req.body.reason);
        return detailById(s.db, req.user!, req.params.id);
      }),
  });

  r.get(getReportVersion.path, {
    config: { access: 'data.read' },
    schema: {
      ...schemaOf(getReportVersion, tags),
      params: getReportVersion.params,
      response: { 200: getReportVersion.response },
    },
    handler: (req) => req.scoped(async ({ db }) => versionOf(db, req.params.id, req.params.version)),
  });

  r.get(exportReport.path, {
    config: { access: 'data.read' },
    schema: {
      tags,
      summary: '导出报表 xlsx（多级表头、填报单位、报告期、填报人、日期；导出留痕）：某一上报版本，缺省为当前工作稿',
      params: exportReport.params,
      querystring: exportReport.query,
    },
    handler: async (req, reply) => {
      const { f, meta, rows } = await req.scoped(async ({ db, audit }) => {
        const sheet = await reportSheet(db, req.user!, req.params.id, req.query.version);
        audit({
          action: 'report.export',
          objectType: 'report',
          objectId: String(req.params.id),
          detail: { version: sheet.version, rows: sheet.rows.length },
        });
        return sheet;
      });
      // Written after the scoped transaction: the rows read and the audit record are committed first.
      return sendWorkbook(reply, `${f.title}-${meta.unit}-${req.params.id}.xlsx`, await reportWorkbook(f, meta, rows));
    },
  });
}
