import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { findNode } from '../../db/subtree.js';
import { Problem, badRequest, forbidden, notFound } from '../../http/errors.js';
import { pageOf, pageQuery, idParam } from '../../http/paging.js';
import { writeEncrypted } from '../../jobs/import/stored-file.js';
import { SourceError } from '../../jobs/import/sources.js';
import { hmacSm3 } from '../../crypto/sm3.js';
import { parseCursor, writePermissionOf } from '../../domain/auth/service.js';
import { valuesOf } from '../../domain/indicators/registry.js';
import {
  ImportGate,
  TEMPLATES,
  addImportJob,
  assertFullRoster,
  assertStartable,
  mappingFor,
  previewFile,
  toJob,
  type ImportKind,
} from '../imports/index.js';
import { importJob } from '../imports/contract.js';
import { figuresWithChildren, values as indicatorValues } from '../indicators/index.js';
import { batchQuery, changesPage, changesQuery, rejection } from './contract.js';
import { changesAfter } from './feed.js';
import { NdjsonError, ndjsonToCsv } from './ndjson.js';
import { batchJob, batchPage, priorBatch, rejectionPage, reportVersionsSince } from './queries.js';
import { recordBatch } from './writes.js';
import { importRefusal } from '../../domain/import/who-imports.js';
import { clientKey } from '../../domain/auth/client-address.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const FORMATS: Record<string, 'csv' | 'xlsx' | 'ndjson'> = {
  'text/csv': 'csv',
  [XLSX]: 'xlsx',
  'application/x-ndjson': 'ndjson',
  'application/ndjson': 'ndjson',
};
const mimeOf = (req: FastifyRequest) =>
  String(req.headers['content-type'] ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();

/** The import job as the imports pages show it, less what only a person's page needs (the scope figures of another's job, the rate). */
const job = importJob.pick({
  id: true,
  kind: true,
  kindLabel: true,
  status: true,
  rowsRead: true,
  rowsAccepted: true,
  rowsRejected: true,
  rowsChanged: true,
  percent: true,
  error: true,
  fullRoster: true,
  absentMembers: true,
  membersLeft: true,
  createdAt: true,
  startedAt: true,
  finishedAt: true,
});
const delivered = z.object({
  batch: z.string(),
  node: z.string(),
  replayed: z.boolean(),
  ignoredColumns: z.array(z.string()),
  job,
});
const place = { code: z.string(), name: z.string(), level: z.string() };

/**
 * The exchange API for other systems (issue 15), called with a service account's bearer token
 * (http/service-auth.ts): deliver a batch of any import kind through the import pipeline
 * (idempotent by the caller's batch id), follow its job, and pull the change feed, the indicator
 * figures and the submitted report versions of the account's subtree. Each route is rate-limited
 * per account at the account's own rate; every call is audited under the account.
 */
export async function exchangeRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { config, keys } = app.ctx;
  const gate = new ImportGate(app.ctx.db, config.importMaxPerAccount, config.importMaxPending);
  const dir = path.join(config.dataDir, 'imports');
  // The body is read by the handler as it streams (never buffered whole).
  app.addContentTypeParser(Object.keys(FORMATS), (_req, _payload, done) => done(null, undefined));
  const rateLimit = {
    max: (req: FastifyRequest) => req.serviceAccount?.ratePerMinute ?? 60,
    timeWindow: 60_000,
    keyGenerator: (req: FastifyRequest) => `service:${req.serviceAccount?.id ?? clientKey(req.ip)}`,
  };
  const kinds = Object.keys(TEMPLATES) as [ImportKind, ...ImportKind[]];
  // Either credential: a bearer token, or a registered client certificate (mutual TLS).
  const security: { [scheme: string]: string[] }[] = [{ bearer: [] }, { mutualTLS: [] }];

  r.post('/exchange/imports/:kind', {
    config: { access: 'service', rateLimit },
    schema: {
      tags: ['系统对接'],
      summary:
        '报送一批数据：请求体为 CSV（text/csv，UTF-8 或 GB18030）、XLSX 或 NDJSON（application/x-ndjson，每行一个对象，键为模板的列名或字段名），走与上传文件相同的导入流程；返回导入任务。batch 为调用方的批次号：同一批次号、同一内容再次报送返回同一任务（200，replayed=true），不同内容（或 fullRoster 不同）409。党员名册可加 fullRoster=true 表明是所涉党组织的完整名册',
      description:
        '需要与导入类型对应的权限（registry.write / annual_report.write / roster.write / credit.write）。node 为导入到的辖区（默认服务账号绑定的辖区，须在其辖区内，否则 403）。',
      security,
      params: z.strictObject({ kind: z.enum(kinds) }),
      querystring: batchQuery,
      response: { 200: delivered, 202: delivered },
    },
    handler: async (req, reply) => {
      const sa = req.serviceAccount!;
      const kind = req.params.kind;
      const perm = writePermissionOf(kind);
      if (!perm || !sa.permissions.has(perm))
        throw forbidden(`该服务账号没有报送"${TEMPLATES[kind].label}"的权限${perm ? `（${perm}）` : ''}`);
      const format = FORMATS[mimeOf(req)];
      if (!format)
        throw new Problem(
          415,
          '不支持的内容类型',
          '请求体应为 text/csv、application/x-ndjson 或 XLSX（application/vnd.openxmlformats-officedocument.spreadsheetml.sheet）',
          [{ field: 'content-type', message: '内容类型不支持' }],
        );
      const code = req.query.node ?? req.user!.jurisdictionCode;
      const node = await req.scoped(({ db }) => findNode(db, code, req.user!.scopeKey));
      if (!node) throw forbidden(`辖区 ${code} 不在该服务账号的辖区内`);
      // The web's rule for who imports, not a looser copy (rosters and credit lists reached stations, round-6 probe).
      const refusal = importRefusal(kind, node.scope_key);
      if (refusal) throw forbidden(refusal);
      const batch = req.query.batch;
      const fullRoster = req.query.fullRoster === 'true';

      const release = await gate.enter(sa.id);
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      const stored = path.join(
        dir,
        `${Date.now()}-${crypto.randomBytes(6).toString('hex')}${format === 'xlsx' ? '.xlsx' : '.csv'}`,
      );
      let keep = false;
      try {
        const { hash, bytes } = await receive(
          req,
          format === 'ndjson' ? TEMPLATES[kind].columns : null,
          stored,
          config.importMaxBytes,
        );
        const fileName = `${batch}${format === 'xlsx' ? '.xlsx' : '.csv'}`;
        const attempt = () =>
          req.scoped(async ({ db, audit }) => {
            const prior = await priorBatch(db, sa.id, batch);
            if (prior) {
              if (prior.body_hash !== hash || prior.batch_kind !== kind || prior.full_roster !== fullRoster) {
                throw new Problem(
                  409,
                  '批次号冲突',
                  `批次"${batch}"已于 ${new Date(prior.batch_at).toISOString()} 以不同的内容提交（导入任务 ${prior.id}），同一批次号不能用于其他数据，请使用新的批次号`,
                  [{ field: 'batch', message: `批次"${batch}"已提交过不同的内容` }],
                  'batch_conflict',
                );
              }
              return { row: prior, replayed: true, ignored: [] as string[] };
            }
            const m = await mappingFor(db, kind, req.query.profile, undefined);
            let p;
            try {
              p = await previewFile(keys, kind, '', stored, fileName, m, req.query.sheet);
            } catch (err) {
              if (err instanceof SourceError) throw badRequest(err.message, [{ field: 'body', message: err.message }]);
              throw err;
            }
            const ignored = p.warnings.map((w) => w.header);
            assertStartable(p, ignored);
            assertFullRoster(p, kind, fullRoster);
            const row = await addImportJob(db, {
              kind,
              fileName: fileName.slice(0, 200),
              filePath: stored,
              fileBytes: bytes,
              scopeKey: node.scope_key,
              createdBy: sa.id,
              mapping: p.mapping,
              sheet: p.sheet,
              sheets: p.sheets,
              fullRoster,
            });
            await recordBatch(db, {
              accountId: sa.id,
              batch,
              kind,
              bodyHash: hash,
              jobId: row.id,
              scopeKey: node.scope_key,
            });
            audit({
              action: 'import.upload',
              objectType: 'import_job',
              objectId: row.id,
              detail: {
                kind,
                batch,
                node: node.code,
                bytes,
                format,
                via: 'exchange',
                ignoredColumns: ignored,
                fullRoster,
              },
            });
            return { row, replayed: false, ignored };
          });
        let out;
        try {
          out = await attempt();
        } catch (err) {
          // Two deliveries of one batch at once: the second finds the first's job.
          if ((err as { code?: string }).code !== '23505') throw err;
          out = await attempt();
        }
        keep = !out.replayed;
        if (!out.replayed) app.imports.enqueue(out.row.id);
        return reply
          .code(out.replayed ? 200 : 202)
          .send({ batch, node: node.code, replayed: out.replayed, ignoredColumns: out.ignored, job: toJob(out.row) });
      } finally {
        if (!keep) fs.rmSync(stored, { force: true });
        release();
      }
    },
  });

  const ownJob = (req: FastifyRequest, id: number) => req.scoped(({ db }) => batchJob(db, req.serviceAccount!.id, id));

  r.get('/exchange/imports', {
    config: { access: 'service', rateLimit },
    schema: {
      tags: ['系统对接'],
      summary: '本服务账号报送的批次及其导入任务（新的在前）',
      security,
      querystring: z.strictObject(pageQuery),
      response: { 200: pageOf(job.extend({ batch: z.string() })) },
    },
    handler: (req) => req.scoped(({ db }) => batchPage(db, req.serviceAccount!.id, req.query)),
  });

  r.get('/exchange/imports/:id', {
    config: { access: 'service', rateLimit },
    schema: {
      tags: ['系统对接'],
      summary: '导入任务的进度与结果（本服务账号报送的）',
      security,
      params: idParam,
      response: { 200: job.extend({ batch: z.string() }) },
    },
    handler: async (req) => {
      const j = await ownJob(req, req.params.id);
      return { ...toJob(j), batch: j.batch_id };
    },
  });

  r.get('/exchange/imports/:id/rejections', {
    config: { access: 'service', rateLimit },
    schema: {
      tags: ['系统对接'],
      summary: '导入任务被拒绝的行：行号、列、值（身份证号、手机号已脱敏）与原因',
      security,
      params: idParam,
      querystring: z.strictObject({ ...pageQuery, pageSize: z.coerce.number().int().min(1).max(10_000).default(1000) }),
      response: { 200: pageOf(rejection) },
    },
    handler: async (req) => {
      const j = await ownJob(req, req.params.id);
      return req.scoped(async ({ db, audit }) => {
        const page = await rejectionPage(db, j.id, req.query, j.sheets);
        audit({
          action: 'import.error_report',
          objectType: 'import_job',
          objectId: j.id,
          detail: { rows: page.items.length, via: 'exchange' },
        });
        return page;
      });
    },
  });

  r.get('/exchange/changes', {
    config: { access: 'changes.read', rateLimit },
    schema: {
      tags: ['系统对接'],
      summary:
        '变更流：本辖区子树内主体、党组织（含覆盖的主体）、党员关联、三亮牌匾、核查线索的变更，按游标顺序；after 为上一页的 next（首次省略），每页至多 10000 条',
      description:
        '游标单调：已提交的变更不会被跳过，也不会重复（以事务号排序，只给出已结束事务的变更）。data 为对象的当前状态（已删除或移出本辖区时为 null）。党员关联与线索中的党员编号、姓名仅对有 members.read 权限的账号给出；任何情况下都不含身份证号、手机号。',
      security,
      querystring: changesQuery,
      response: { 200: changesPage },
    },
    handler: async (req, reply) => {
      const after = parseCursor(req.query.after);
      if (!after)
        throw badRequest('游标格式不正确，应为上一页返回的 next', [{ field: 'after', message: '游标格式不正确' }]);
      const withMembers = req.serviceAccount!.permissions.has('members.read');
      const page = await changesAfter(app.ctx.database, req.principal(), after, req.query.limit, withMembers);
      // Read-only: the page is read in a transaction of its own (on PostgreSQL a COPY), and who
      // was named is audited in the next, before the answer goes out.
      if (page.named) {
        await req.scoped(async ({ audit }) =>
          audit({
            action: 'exchange.member_names',
            objectType: 'service_account',
            objectId: req.serviceAccount!.id,
            detail: { after: req.query.after ?? null, next: page.next, rows: page.named },
          }),
        );
      }
      // The page is JSON built by the database (10,000 objects): sent as it is, described by the schema above.
      return reply.type('application/json; charset=utf-8').send(page.body as never);
    },
  });

  r.get('/exchange/figures', {
    config: { access: 'figures.read', rateLimit },
    schema: {
      tags: ['系统对接'],
      summary: '指标数据：某辖区（默认服务账号绑定的辖区）的全部指标与各下级的指标',
      security,
      querystring: z.strictObject({
        under: z
          .string()
          .regex(/^\d{2,9}$/, '辖区代码应为 2–9 位数字')
          .optional(),
      }),
      response: {
        200: z.object({
          node: z.object(place),
          figures: indicatorValues,
          children: z.array(indicatorValues.extend(place)),
        }),
      },
    },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const node = await findNode(db, req.query.under ?? req.user!.jurisdictionCode, req.user!.scopeKey);
        if (!node) throw notFound('辖区');
        const { total, children } = await figuresWithChildren(db, node);
        return {
          node: { code: node.code, name: node.name, level: node.level },
          figures: valuesOf(total),
          children: children.map((c) => ({ code: c.code, name: c.name, level: c.level, ...valuesOf(c.counts) })),
        };
      }),
  });

  r.get('/exchange/reports', {
    config: { access: 'figures.read', rateLimit },
    schema: {
      tags: ['系统对接'],
      summary: '已上报的统计报表版本（本辖区子树内，按上报时间）；since 为上次读到的最后上报时间，版本一经上报不再改变',
      security,
      querystring: z.strictObject({
        since: z.iso.datetime({ offset: true }).optional(),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
      }),
      response: {
        200: z.object({
          items: z.array(
            z.object({
              reportId: z.number(),
              version: z.number(),
              form: z.string(),
              period: z.string(),
              jurisdictionCode: z.string(),
              submittedAt: z.string(),
              data: z.unknown(),
              note: z.string().nullable(),
            }),
          ),
        }),
      },
    },
    handler: (req) => req.scoped(({ db }) => reportVersionsSince(db, req.query.since, req.query.limit)),
  });
}

/**
 * Streams the request body into an encrypted file (NDJSON converted to CSV on the way), with the
 * keyed hash of the body as sent (the batch's identity) and its size; over the limit is 413, an
 * empty body or a bad NDJSON line 400, and the partial file is removed by the caller.
 */
async function receive(
  req: FastifyRequest,
  ndjsonColumns: (typeof TEMPLATES)[ImportKind]['columns'] | null,
  dest: string,
  max: number,
): Promise<{ hash: string; bytes: number }> {
  const mac = crypto.createHmac('sm3', hmacSm3(req.server.ctx.keys.blindIndex, 'exchange-body'));
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      if (bytes > max)
        return cb(new Problem(413, '数据过大', `请求体超过上限 ${Math.round(max / 1024 ** 2)} MB，请分批报送`));
      mac.update(chunk);
      cb(null, chunk);
    },
  });
  let input: Readable = tap;
  if (ndjsonColumns) {
    const csv = ndjsonToCsv(ndjsonColumns);
    tap.on('error', (err) => csv.destroy(err));
    input = tap.pipe(csv);
  }
  req.raw.on('error', (err) => tap.destroy(err));
  req.raw.pipe(tap);
  try {
    await writeEncrypted(req.server.ctx.keys, input, dest);
  } catch (err) {
    req.raw.resume();
    if (err instanceof NdjsonError)
      throw badRequest(err.message, [{ field: `line ${err.line}`, message: err.message }]);
    throw err;
  }
  if (bytes === 0) throw badRequest('请求体为空', [{ field: 'body', message: '没有收到数据' }]);
  return { hash: mac.digest('hex'), bytes };
}
