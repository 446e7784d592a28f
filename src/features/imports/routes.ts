import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import multipart from '@fastify/multipart';
import ExcelJS from 'exceljs';
import { sql, type Selectable, type Transaction } from 'kysely';
import { z } from 'zod';
import type { DB, ImportJobTable } from '../../db/schema.js';
import { decryptField } from '../../crypto/field.js';
import { Problem, badRequest, forbidden, notFound } from '../../http/errors.js';
import { idParam, offsetOf, pageOf, pageQuery } from '../../http/paging.js';
import { neutralise, sendXlsx } from '../../http/xlsx.js';
import { TEMPLATES, type ImportKind } from './templates.js';

const kind = z.enum(['registry', 'annual_report', 'roster']);
const job = z.object({
  id: z.number(),
  kind,
  kindLabel: z.string(),
  fileName: z.string(),
  fileBytes: z.number(),
  status: z.enum(['queued', 'running', 'done', 'failed', 'cancelled']),
  rowsRead: z.number(),
  rowsAccepted: z.number(),
  rowsRejected: z.number(),
  rowsChanged: z.number(),
  percent: z.number(),
  rowsPerSecond: z.number().nullable(),
  etaSeconds: z.number().nullable(),
  error: z.string().nullable(),
  createdAt: z.date(),
  startedAt: z.date().nullable(),
  finishedAt: z.date().nullable(),
});

function toJob(j: Selectable<ImportJobTable>) {
  const finished = j.status === 'done';
  const percent = finished ? 100 : j.file_bytes ? Math.min(99, Math.floor((j.bytes_read / j.file_bytes) * 100)) : 0;
  const seconds = j.started_at ? ((j.finished_at ?? new Date()).getTime() - j.started_at.getTime()) / 1000 : 0;
  const rate = seconds > 0.5 ? Math.round(j.rows_read / seconds) : null;
  const eta = j.status === 'running' && rate && j.bytes_read > 0 ? Math.round((seconds * (j.file_bytes - j.bytes_read)) / j.bytes_read) : null;
  return {
    id: j.id,
    kind: j.kind,
    kindLabel: TEMPLATES[j.kind].label,
    fileName: j.file_name,
    fileBytes: j.file_bytes,
    status: j.status,
    rowsRead: j.rows_read,
    rowsAccepted: j.rows_accepted,
    rowsRejected: j.rows_rejected,
    rowsChanged: j.rows_changed,
    percent,
    rowsPerSecond: rate,
    etaSeconds: eta,
    error: j.error,
    createdAt: j.created_at,
    startedAt: j.started_at,
    finishedAt: j.finished_at,
  };
}

/** Imports of registry extracts and annual reports: templates, upload, progress, cancel, error report. */
export async function importRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { config } = app.ctx;
  await app.register(multipart, { limits: { fileSize: config.importMaxBytes, files: 1, fields: 0 } });
  const dir = path.join(config.dataDir, 'imports');

  r.get('/imports/templates/:kind', {
    config: { access: 'data.read' },
    schema: { tags: ['导入'], summary: '下载导入模板（xlsx）', params: z.strictObject({ kind }) },
    handler: async (req, reply) => {
      const t = TEMPLATES[req.params.kind];
      const wb = new ExcelJS.Workbook();
      const ws = wb.addWorksheet('数据');
      ws.columns = t.columns.map((c) => ({ header: c.header, width: Math.max(14, c.header.length * 2 + 2) }));
      ws.getRow(1).font = { bold: true };
      ws.getRow(1).eachCell((cell, i) => {
        if (t.columns[i - 1].required || t.oneOf.includes(t.columns[i - 1].field)) cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFE0E0' } };
      });
      const help = wb.addWorksheet('填写说明');
      help.columns = [{ header: '列名', width: 30 }, { header: '必填', width: 8 }, { header: '示例 / 可填值', width: 60 }, { header: '也可识别的列名', width: 50 }];
      help.getRow(1).font = { bold: true };
      for (const c of t.columns) help.addRow([c.header, c.required ? '是' : t.oneOf.includes(c.field) ? '二选一' : '', neutralise(c.example), c.aliases.join('、')]);
      const buf = await wb.xlsx.writeBuffer();
      return reply
        .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(`${t.label}导入模板.xlsx`)}`)
        .send(Buffer.from(buf));
    },
  });

  r.post('/imports/:kind', {
    config: { access: 'data.write' },
    schema: { tags: ['导入'], summary: '上传文件并开始导入（multipart，字段 file；.xlsx 或 .csv）', params: z.strictObject({ kind }), response: { 202: job } },
    handler: async (req, reply) => {
      if (req.user!.scopeKey.length > 6) throw forbidden('登记信息和年报由县级及以上市场监管局导入');
      if (!req.isMultipart()) throw new Problem(415, '不支持的内容类型', '请以 multipart/form-data 上传文件（字段名 file）');
      const file = await req.file({ limits: { fileSize: config.importMaxBytes, files: 1 } });
      if (!file) throw badRequest('没有收到文件', [{ field: 'file', message: '请选择文件' }]);
      const ext = path.extname(file.filename).toLowerCase();
      if (!['.xlsx', '.csv'].includes(ext)) {
        file.file.resume();
        throw badRequest('只支持 .xlsx 或 .csv 文件', [{ field: 'file', message: '文件类型不支持' }]);
      }
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      const stored = path.join(dir, `${Date.now()}-${crypto.randomBytes(6).toString('hex')}${ext}`);
      await pipeline(file.file, fs.createWriteStream(stored, { mode: 0o600 }));
      if (file.file.truncated) {
        fs.rmSync(stored, { force: true });
        throw new Problem(413, '文件过大', `文件超过上限 ${Math.round(config.importMaxBytes / 1024 ** 2)} MB`);
      }
      const bytes = fs.statSync(stored).size;
      const row = await req.scoped(async ({ db, audit }) => {
        const j = await db
          .insertInto('import_job')
          .values({ kind: req.params.kind, file_name: file.filename.slice(0, 200), file_path: stored, file_bytes: bytes, scope_key: req.user!.scopeKey, created_by: req.user!.id })
          .returningAll()
          .executeTakeFirstOrThrow();
        audit({ action: 'import.upload', objectType: 'import_job', objectId: j.id, detail: { kind: j.kind, fileName: j.file_name, bytes } });
        return j;
      });
      app.imports.enqueue(row.id);
      return reply.code(202).send(toJob(row));
    },
  });

  r.get('/imports', {
    config: { access: 'data.read' },
    schema: { tags: ['导入'], summary: '导入任务', querystring: z.strictObject(pageQuery), response: { 200: pageOf(job) } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const [{ total }] = await db.selectFrom('import_job').select(sql<number>`count(*)::int`.as('total')).execute();
        const rows = await db.selectFrom('import_job').selectAll().orderBy('id', 'desc').limit(req.query.pageSize).offset(offsetOf(req.query)).execute();
        return { items: rows.map(toJob), total, page: req.query.page, pageSize: req.query.pageSize };
      }),
  });

  const load = async (db: Transaction<DB>, id: number) => {
    const j = await db.selectFrom('import_job').selectAll().where('id', '=', id).executeTakeFirst();
    if (!j) throw notFound('导入任务');
    return j;
  };

  r.get('/imports/:id', {
    config: { access: 'data.read' },
    schema: { tags: ['导入'], summary: '导入进度', params: idParam, response: { 200: job } },
    handler: (req) => req.scoped(async ({ db }) => toJob(await load(db, req.params.id))),
  });

  r.post('/imports/:id/cancel', {
    config: { access: 'data.write' },
    schema: { tags: ['导入'], summary: '取消导入（已提交的批次保留）', params: idParam, response: { 200: job } },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const j = await load(db, req.params.id);
        if (!['queued', 'running'].includes(j.status)) throw badRequest('该任务已结束，无需取消');
        const row = await db.updateTable('import_job').set({ cancel_requested: true }).where('id', '=', j.id).returningAll().executeTakeFirstOrThrow();
        audit({ action: 'import.cancel', objectType: 'import_job', objectId: j.id });
        return toJob(row);
      }),
  });

  r.post('/imports/:id/rerun', {
    config: { access: 'data.write' },
    schema: { tags: ['导入'], summary: '用同一文件重新导入（中断后补齐；结果与一次导完相同）', params: idParam, response: { 202: job } },
    handler: async (req, reply) => {
      const row = await req.scoped(async ({ db, audit }) => {
        const j = await load(db, req.params.id);
        if (['queued', 'running'].includes(j.status)) throw badRequest('该任务仍在进行');
        if (!fs.existsSync(j.file_path)) throw badRequest('原文件已不在服务器上，请重新上传');
        const n = await db
          .insertInto('import_job')
          .values({ kind: j.kind, file_name: j.file_name, file_path: j.file_path, file_bytes: j.file_bytes, scope_key: req.user!.scopeKey, created_by: req.user!.id })
          .returningAll()
          .executeTakeFirstOrThrow();
        audit({ action: 'import.upload', objectType: 'import_job', objectId: n.id, detail: { rerunOf: j.id } });
        return n;
      });
      app.imports.enqueue(row.id);
      return reply.code(202).send(toJob(row));
    },
  });

  r.get('/imports/:id/errors', {
    config: { access: 'data.write' },
    schema: { tags: ['导入'], summary: '错误报告（xlsx：错误明细 + 待修正数据，后者可改正后重新导入）', params: idParam },
    handler: async (req, reply) => {
      const { j, rows } = await req.scoped(async ({ db, audit }) => {
        const j = await load(db, req.params.id);
        const rows = await db.selectFrom('import_rejection').selectAll().where('job_id', '=', j.id).orderBy('row_no').limit(1_000_000).execute();
        audit({ action: 'import.error_report', objectType: 'import_job', objectId: j.id, detail: { rows: rows.length } });
        return { j, rows };
      });
      return sendErrorReport(reply, j, rows, (enc) => JSON.parse(decryptField(app.ctx.keys, enc)) as Record<string, string>);
    },
  });
}

/** Two sheets: what is wrong (row, column, value, reason), and the rejected rows in the file's own columns to fix and upload again. */
async function sendErrorReport(
  reply: import('fastify').FastifyReply,
  j: Selectable<ImportJobTable>,
  rows: { row_no: number; col: string | null; value: string | null; reason: string; raw_enc: string | null }[],
  decrypt: (enc: string) => Record<string, string>,
) {
  const raws = rows.filter((r) => r.raw_enc).map((r) => ({ rowNo: r.row_no, raw: decrypt(r.raw_enc!) }));
  const headers = raws.length ? Object.keys(raws[0].raw) : TEMPLATES[j.kind as ImportKind].columns.map((c) => c.header);
  return sendXlsx(reply, `导入错误报告-${j.id}.xlsx`, '错误明细', [
    { header: '行号', width: 8, value: (r) => r.row_no },
    { header: '列', width: 22, value: (r) => r.col ?? '（整行）' },
    { header: '值', width: 24, value: (r) => r.value },
    { header: '原因', width: 60, value: (r) => r.reason },
  ], rows, [{ name: '待修正数据', headers: ['原行号', ...headers], rows: raws.map((x) => [x.rowNo, ...headers.map((h) => x.raw[h] ?? '')]) }]);
}
