import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import multipart from '@fastify/multipart';
import ExcelJS from 'exceljs';
import type { Selectable } from 'kysely';
import type { ImportJobTable } from '../../db/schema.js';
import { decryptField } from '../../crypto/field.js';
import { Problem, badRequest, forbidden } from '../../http/errors.js';
import { neutralise, sendXlsx } from '../../http/xlsx.js';
import { TEMPLATES, type ImportKind } from '../../jobs/import/templates.js';
import { ImportGate } from './gate.js';
import { writeEncrypted } from '../../jobs/import/stored-file.js';
import { SourceError } from '../../jobs/import/sources.js';
import { VOCABULARY } from '../../domain/import/vocabulary.js';
import { schemaOf } from '../../http/contract.js';
import {
  IMPORT_TAGS,
  cancelImport,
  deleteImportProfile,
  getImport,
  importChanges,
  importErrorReport,
  importTemplate,
  listImportProfiles,
  listImports,
  planImport,
  rerunImport,
  saveImportProfile,
  startImport,
  uploadAndImport,
  uploadForPlan,
} from './contract.js';
import {
  assertFullRoster,
  assertStartable,
  deleteProfile,
  claimUpload,
  findUpload,
  forgetUpload,
  listProfiles,
  mappingFor,
  previewFile,
  saveProfile,
  storeUpload,
  UPLOAD_EXTENSIONS,
  UPLOAD_REFUSED,
} from './service.js';
import {
  identityChanges,
  importPage,
  jobAsSeen,
  jobRejections,
  loadJob,
  manageableJob,
  toJob,
  uploaderOf,
} from './queries.js';
import { addImportJob, requestCancel } from './writes.js';
import {
  cleanFileName,
  fileNameForOthers,
  redactFreeText,
  redactFreeTextKeeping,
} from '../../domain/identifiers/free-text.js';
import { importRefusal } from '../../domain/import/who-imports.js';
import {
  DUPLICATE_MARK_HEADER,
  ORIGINAL_ROW_HEADER,
  REPORT_HEADERS,
  duplicateMark,
} from '../../domain/ledger/import-marks.js';
import { localImportRoutes } from './local.js';
import { rowLabel, rowPlace } from '../../domain/ledger/sheets.js';
import { MESSAGE_EXAMPLES } from '../../domain/ledger/rows.js';

/** The one rule for who imports (src/domain/import/who-imports.ts), as a 403. */
const refuseStationImport = (kind: ImportKind, scopeKey: string): void => {
  const refusal = importRefusal(kind, scopeKey);
  if (refusal) throw forbidden(refusal);
};

/** Imports of registry extracts and annual reports: templates, upload, progress, cancel, error report. */
export async function importRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { config } = app.ctx;
  await app.register(multipart, { limits: { fileSize: config.importMaxBytes, files: 1, fields: 0 } });
  const dir = path.join(config.dataDir, 'imports');
  const gate = new ImportGate(app.ctx.db, config.importMaxPerAccount, config.importMaxPending);

  r.get(importTemplate.path, {
    config: { access: 'data.read' },
    schema: { tags: IMPORT_TAGS, summary: importTemplate.summary, params: importTemplate.params },
    handler: async (req, reply) => {
      const t = TEMPLATES[req.params.kind];
      const wb = new ExcelJS.Workbook();
      const ws = wb.addWorksheet('数据');
      ws.columns = t.columns.map((c) => ({ header: c.header, width: Math.max(14, c.header.length * 2 + 2) }));
      ws.getRow(1).font = { bold: true };
      ws.getRow(1).eachCell((cell, i) => {
        if (t.columns[i - 1].required || t.oneOf.includes(t.columns[i - 1].field))
          cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFE0E0' } };
      });
      const help = wb.addWorksheet('填写说明');
      help.columns = [
        { header: '列名', width: 30 },
        { header: '必填', width: 8 },
        { header: '示例 / 可填值', width: 60 },
        { header: '也可识别的列名', width: 50 },
      ];
      help.getRow(1).font = { bold: true };
      for (const c of t.columns) {
        const aliases = [...new Set([...c.aliases, ...(VOCABULARY[req.params.kind][c.field] ?? [])])].filter(
          (a) => a !== c.header,
        );
        help.addRow([
          c.header,
          c.required ? '是' : t.oneOf.includes(c.field) ? '二选一' : '',
          neutralise(c.example),
          aliases.join('、'),
        ]);
      }
      const buf = await wb.xlsx.writeBuffer();
      return reply
        .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(`${t.label}导入模板.xlsx`)}`)
        .send(Buffer.from(buf));
    },
  });

  /** The column plan of a stored file, or its refusal as a whole (unreadable, duplicate headers …) in Chinese. */
  const planOf = async (
    kind: ImportKind,
    upload: string,
    file: string,
    fileName: string,
    m: Record<string, string>,
    sheet?: string | null,
  ) => {
    try {
      return await previewFile(app.ctx.keys, kind, upload, file, fileName, m, sheet);
    } catch (err) {
      if (err instanceof SourceError) throw badRequest(err.message, [{ field: 'file', message: err.message }]);
      throw err;
    }
  };

  /**
   * The one way an upload becomes a queued job (uploaded and started at once, or started after
   * its preview): its column plan checked and confirmed, the job added and audited. The caller
   * holds a slot of the import gate: the job is counted from here on.
   */
  const queueJob = (
    req: FastifyRequest,
    kind: ImportKind,
    f: { upload: string; file: string; fileName: string; bytes: number },
    choice: {
      profile?: string;
      mapping?: Record<string, string>;
      sheet?: string | null;
      acknowledge: string[];
      fullRoster: boolean;
    },
  ) =>
    req.scoped(async ({ db, audit }) => {
      const m = await mappingFor(db, kind, choice.profile, choice.mapping);
      const p = await planOf(kind, f.upload, f.file, f.fileName, m, choice.sheet);
      assertStartable(p, choice.acknowledge);
      assertFullRoster(p, kind, choice.fullRoster);
      const j = await addImportJob(db, {
        kind,
        fileName: f.fileName.slice(0, 200),
        filePath: f.file,
        fileBytes: f.bytes,
        scopeKey: req.user!.scopeKey,
        createdBy: req.user!.id,
        mapping: p.mapping,
        sheet: p.sheet,
        sheets: p.sheets,
        fullRoster: choice.fullRoster,
      });
      audit({
        action: 'import.upload',
        objectType: 'import_job',
        objectId: j.id,
        detail: {
          kind: j.kind,
          fullRoster: choice.fullRoster,
          fileName: fileNameForOthers(j.file_name), // the auditor reads no personal number
          sheets: p.sheets,
          bytes: f.bytes,
          profile: choice.profile ?? null,
          ignoredAcknowledged: p.warnings.map((w) => w.header),
        },
      });
      return j;
    });

  r.post(uploadForPlan.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(uploadForPlan, IMPORT_TAGS),
      params: uploadForPlan.params,
      querystring: uploadForPlan.query,
      response: { 200: uploadForPlan.response },
    },
    handler: async (req) => {
      refuseStationImport(req.params.kind, req.user!.scopeKey);
      if (!req.isMultipart())
        throw new Problem(415, '不支持的内容类型', '请以 multipart/form-data 上传文件（字段名 file）');
      const file = await req.file({ limits: { fileSize: config.importMaxBytes, files: 1 } });
      if (!file) throw badRequest('没有收到文件', [{ field: 'file', message: '请选择文件' }]);
      const fileName = cleanFileName(file.filename);
      if (!UPLOAD_EXTENSIONS.includes(path.extname(fileName).toLowerCase())) {
        file.file.resume();
        throw badRequest(UPLOAD_REFUSED, [{ field: 'file', message: '文件类型不支持' }]);
      }
      // Receiving and reading a preview costs what an import's upload does: it takes a slot too.
      const release = await gate.enter(req.user!.id).catch((err: unknown) => {
        file.file.resume();
        throw err;
      });
      try {
        const stored = await storeUpload(app.ctx.keys, dir, req.user!.id, file.file, fileName);
        if (file.file.truncated) {
          fs.rmSync(stored.file, { force: true });
          forgetUpload(dir, stored.upload);
          throw new Problem(413, '文件过大', `文件超过上限 ${Math.round(config.importMaxBytes / 1024 ** 2)} MB`);
        }
        const m = await req.scoped(async ({ db, audit }) => {
          audit({
            action: 'import.preview',
            objectType: 'import_upload',
            objectId: stored.upload,
            detail: {
              kind: req.params.kind,
              fileName: fileNameForOthers(fileName.slice(0, 200)),
              bytes: stored.bytes,
            },
          });
          return mappingFor(db, req.params.kind, undefined, undefined);
        });
        return planOf(req.params.kind, stored.upload, stored.file, fileName, m, req.query.sheet);
      } finally {
        release();
      }
    },
  });

  r.post(planImport.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(planImport, IMPORT_TAGS),
      params: planImport.params,
      body: planImport.body,
      response: { 200: planImport.response },
    },
    handler: async (req) => {
      refuseStationImport(req.params.kind, req.user!.scopeKey);
      const up = findUpload(dir, req.user!.id, req.body.upload);
      const m = await req.scoped(({ db }) => mappingFor(db, req.params.kind, req.body.profile, req.body.mapping));
      return planOf(req.params.kind, req.body.upload, up.file, up.fileName, m, req.body.sheet);
    },
  });

  r.post(startImport.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(startImport, IMPORT_TAGS),
      params: startImport.params,
      body: startImport.body,
      response: { 202: startImport.response },
    },
    handler: async (req, reply) => {
      refuseStationImport(req.params.kind, req.user!.scopeKey);
      const up = claimUpload(dir, req.user!.id, req.body.upload);
      const row = await gate
        .enter(req.user!.id)
        .then((release) =>
          queueJob(req, req.params.kind, { upload: req.body.upload, ...up }, req.body).finally(release),
        )
        .catch((err: unknown) => {
          up.restore();
          throw err;
        });
      up.forget();
      app.imports.enqueue(row.id);
      return reply.code(202).send(toJob(row));
    },
  });

  r.get(listImportProfiles.path, {
    config: { access: 'data.read' },
    schema: {
      ...schemaOf(listImportProfiles, IMPORT_TAGS),
      querystring: listImportProfiles.query,
      response: { 200: listImportProfiles.response },
    },
    handler: (req) => req.scoped(({ db }) => listProfiles(db, req.query.kind)),
  });

  r.post(saveImportProfile.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(saveImportProfile, IMPORT_TAGS),
      body: saveImportProfile.body,
      response: { 200: saveImportProfile.response },
    },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const p = await saveProfile(
          db,
          req.user!.scopeKey,
          req.user!.id,
          req.body.kind,
          req.body.name,
          req.body.mapping,
        );
        audit({
          action: 'import.profile_save',
          objectType: 'import_profile',
          objectId: p.id,
          detail: { kind: p.kind, name: p.name },
        });
        return p;
      }),
  });

  r.delete(deleteImportProfile.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(deleteImportProfile, IMPORT_TAGS), params: deleteImportProfile.params },
    handler: async (req, reply) => {
      await req.scoped(async ({ db, audit }) => {
        const name = await deleteProfile(db, req.params.id);
        audit({
          action: 'import.profile_delete',
          objectType: 'import_profile',
          objectId: req.params.id,
          detail: { name },
        });
      });
      return reply.code(204).send();
    },
  });

  r.post(uploadAndImport.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(uploadAndImport, IMPORT_TAGS),
      params: uploadAndImport.params,
      querystring: uploadAndImport.query,
      response: { 202: uploadAndImport.response },
    },
    handler: async (req, reply) => {
      refuseStationImport(req.params.kind, req.user!.scopeKey);
      if (!req.isMultipart())
        throw new Problem(415, '不支持的内容类型', '请以 multipart/form-data 上传文件（字段名 file）');
      const file = await req.file({ limits: { fileSize: config.importMaxBytes, files: 1 } });
      if (!file) throw badRequest('没有收到文件', [{ field: 'file', message: '请选择文件' }]);
      const fileName = cleanFileName(file.filename);
      const ext = path.extname(fileName).toLowerCase();
      if (!UPLOAD_EXTENSIONS.includes(ext)) {
        file.file.resume();
        throw badRequest(UPLOAD_REFUSED, [{ field: 'file', message: '文件类型不支持' }]);
      }
      const release = await gate.enter(req.user!.id).catch((err: unknown) => {
        file.file.resume();
        throw err;
      });
      try {
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
        const stored = path.join(dir, `${Date.now()}-${crypto.randomBytes(6).toString('hex')}${ext}`);
        // Kept encrypted with the data key (for re-import) until the retention job removes it.
        const bytes = await writeEncrypted(app.ctx.keys, file.file, stored);
        if (file.file.truncated) {
          fs.rmSync(stored, { force: true });
          throw new Problem(413, '文件过大', `文件超过上限 ${Math.round(config.importMaxBytes / 1024 ** 2)} MB`);
        }
        const row = await queueJob(
          req,
          req.params.kind,
          { upload: '', file: stored, fileName, bytes },
          {
            profile: req.query.profile,
            sheet: req.query.sheet,
            acknowledge: (req.query.acknowledge ?? '').split(',').map((h) => h.trim()),
            fullRoster: req.query.fullRoster === 'true',
          },
        ).catch((err: unknown) => {
          fs.rmSync(stored, { force: true }); // refused: there is no job to keep it for
          throw err;
        });
        app.imports.enqueue(row.id);
        return reply.code(202).send(toJob(row));
      } finally {
        release();
      }
    },
  });

  r.get(listImports.path, {
    config: { access: 'data.read' },
    schema: {
      ...schemaOf(listImports, IMPORT_TAGS),
      querystring: listImports.query,
      response: { 200: listImports.response },
    },
    handler: (req) => req.scoped(({ db }) => importPage(db, req.query, req.user!)),
  });

  r.get(getImport.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(getImport, IMPORT_TAGS), params: getImport.params, response: { 200: getImport.response } },
    handler: (req) => req.scoped(({ db }) => jobAsSeen(db, req.params.id, req.user!)),
  });

  r.get(importChanges.path, {
    config: { access: 'data.read' },
    schema: {
      ...schemaOf(importChanges, IMPORT_TAGS),
      params: importChanges.params,
      response: { 200: importChanges.response },
    },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const j = await loadJob(db, req.params.id);
        return { items: await identityChanges(db, j.id, j.sheets) };
      }),
  });

  r.post(cancelImport.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(cancelImport, IMPORT_TAGS),
      params: cancelImport.params,
      response: { 200: cancelImport.response },
    },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const j = await manageableJob(db, req.params.id, req.user!.scopeKey);
        if (!['queued', 'running'].includes(j.status)) throw badRequest('该任务已结束，无需取消');
        const row = await requestCancel(db, j.id);
        audit({ action: 'import.cancel', objectType: 'import_job', objectId: j.id });
        return toJob(row, req.user!);
      }),
  });

  r.post(rerunImport.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(rerunImport, IMPORT_TAGS),
      params: rerunImport.params,
      response: { 202: rerunImport.response },
    },
    handler: async (req, reply) => {
      const release = await gate.enter(req.user!.id);
      const row = await req
        .scoped(async ({ db, audit }) => {
          const j = await manageableJob(db, req.params.id, req.user!.scopeKey);
          // A rerun imports again: the rule for who imports holds for the rerunner and the job's node
          // (a station reran a station-level job a service account had delivered, round-6 probe).
          refuseStationImport(j.kind, req.user!.scopeKey);
          refuseStationImport(j.kind, j.scope_key);
          if (['queued', 'running'].includes(j.status)) throw badRequest('该任务仍在进行');
          if (!fs.existsSync(j.file_path)) throw badRequest('原文件已不在服务器上，请重新上传');
          const n = await addImportJob(db, {
            kind: j.kind,
            // The new job is the rerunner's: it carries the file's name as they were shown it.
            fileName: toJob(j, req.user!).fileName,
            filePath: j.file_path,
            fileBytes: j.file_bytes,
            // The file was checked against its uploader's scope: it runs again within that scope.
            scopeKey: j.scope_key,
            createdBy: req.user!.id,
            mapping: j.mapping,
            sheet: j.sheet,
            sheets: j.sheets,
            fullRoster: j.full_roster,
          });
          audit({ action: 'import.upload', objectType: 'import_job', objectId: n.id, detail: { rerunOf: j.id } });
          return n;
        })
        .finally(release);
      app.imports.enqueue(row.id);
      return reply.code(202).send(toJob(row));
    },
  });

  r.get(importErrorReport.path, {
    config: { access: 'data.write' },
    schema: { tags: IMPORT_TAGS, summary: importErrorReport.summary, params: importErrorReport.params },
    handler: async (req, reply) => {
      const { j, rows } = await req.scoped(async ({ db, audit }) => {
        const j = await loadJob(db, req.params.id);
        const rows = await jobRejections(db, j.id);
        // The rows as written (ID numbers, phones in clear) go back only to who uploaded the file
        // (not to whoever ran it again); every other reader of the job's rows in their scope gets
        // what is wrong, with any personal number in it masked, whatever column it sat in.
        const uploader = (await uploaderOf(db, j.file_path)) === req.user!.id;
        audit({
          action: 'import.error_report',
          objectType: 'import_job',
          objectId: j.id,
          detail: { rows: rows.length, rowsAsWritten: uploader },
        });
        return { j, rows: uploader ? rows : rows.map(maskedRejection) };
      });
      return sendErrorReport(
        reply,
        j,
        rows,
        (enc) => JSON.parse(decryptField(app.ctx.keys, enc)) as Record<string, string>,
      );
    },
  });
  await app.register(localImportRoutes);
}

/**
 * A refused row as someone other than its uploader sees it: no row as written, numbers masked; the
 * reason's own examples (如 20240315) in full, unless the refused value holds one (then it is the value's).
 */
const maskedRejection = <R extends { value: string | null; reason: string; raw_enc: string | null }>(r: R): R => ({
  ...r,
  value: r.value === null ? null : redactFreeText(r.value).text,
  reason: redactFreeTextKeeping(
    r.reason,
    MESSAGE_EXAMPLES.filter((e) => !r.value?.includes(e)),
  ),
  raw_enc: null,
});

/** Two sheets: what is wrong (row, column, value, reason), and the rejected rows in the file's own columns to fix and upload again. */
async function sendErrorReport(
  reply: import('fastify').FastifyReply,
  j: Selectable<ImportJobTable>,
  rows: {
    row_no: number;
    col: string | null;
    value: string | null;
    reason: string;
    raw_enc: string | null;
    dup_key: string | null;
  }[],
  decrypt: (enc: string) => Record<string, string>,
) {
  // A row refused as a repeat carries its mark, so importing the sheet again cannot apply it;
  // a row refused before (already marked, or numbered by an earlier report) keeps its mark and original number.
  const dupOf = new Map(rows.filter((r) => r.dup_key).map((r) => [r.row_no, r.dup_key!]));
  const raws = rows.filter((r) => r.raw_enc).map((r) => ({ rowNo: r.row_no, raw: decrypt(r.raw_enc!) }));
  const own = raws.length
    ? [...new Set(raws.flatMap((x) => Object.keys(x.raw)))]
    : TEMPLATES[j.kind].columns.map((c) => c.header);
  const headers = own.filter((h) => !REPORT_HEADERS.has(h));
  const marked = dupOf.size > 0 || raws.some((x) => x.raw[DUPLICATE_MARK_HEADER]);
  // A job that read several sheets names each row's sheet (its row numbers are references).
  const { sheets } = j;
  const lead = (x: { rowNo: number; raw: Record<string, string> }) => {
    const original = x.raw[ORIGINAL_ROW_HEADER]?.trim() || (sheets ? rowLabel(x.rowNo, sheets) : x.rowNo);
    if (!marked) return [original];
    const dup = dupOf.get(x.rowNo);
    return [original, dup ? duplicateMark(j.kind, dup, sheets) : (x.raw[DUPLICATE_MARK_HEADER] ?? '')];
  };
  return sendXlsx(
    reply,
    `导入错误报告-${j.id}.xlsx`,
    '错误明细',
    [
      ...(sheets
        ? [{ header: '工作表', width: 16, value: (r: (typeof rows)[number]) => rowPlace(r.row_no, sheets).sheet }]
        : []),
      { header: '行号', width: 8, value: (r) => rowPlace(r.row_no, sheets).rowNo },
      { header: '列', width: 22, value: (r) => r.col ?? '（整行）' },
      { header: '值', width: 24, value: (r) => r.value, text: true },
      { header: '原因', width: 60, value: (r) => r.reason },
    ],
    rows,
    [
      {
        name: '待修正数据',
        headers: [ORIGINAL_ROW_HEADER, ...(marked ? [DUPLICATE_MARK_HEADER] : []), ...headers],
        rows: raws.map((x) => [...lead(x), ...headers.map((h) => x.raw[h] ?? '')]),
      },
    ],
  );
}
