import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { recordAudit } from '../../db/audit-chain.js';
import { selfRef, type ProcessRef } from '../../db/lock.js';
import { Problem, badRequest, notFound } from '../../http/errors.js';
import { idParam } from '../../http/paging.js';
import { importKind, localImportQuery, mapping } from './contract.js';
import { assertFullRoster, assertStartable, mappingFor, previewFile } from './service.js';
import { SourceError } from '../../jobs/import/sources.js';
import { accountByName, localJobStatus } from './queries.js';
import { addImportJob } from './writes.js';
import { fileNameForOthers } from '../../domain/identifiers/free-text.js';
import { importRefusal } from '../../domain/import/who-imports.js';

/** Where a running server tells `xgz import` how to reach it: address and a random token, mode 0600, in the data dir. */
export const LOCAL_ACCESS_FILE = 'local-import.json';
/** `server` identifies the server process as the data-dir lock does (pid, host, start token). */
export type LocalAccess = { url: string; token: string; server: ProcessRef };

export function readLocalAccess(dataDir: string): LocalAccess | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(dataDir, LOCAL_ACCESS_FILE), 'utf8')) as LocalAccess;
  } catch {
    return null;
  }
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const kindParam = z.strictObject({ kind: importKind });

/**
 * The loopback hand-off of `xgz import`: with the embedded database only the server process
 * may open the data dir, so the command line gives the server the file's path and follows the
 * job. Accepted only from the loopback interface with the token the server wrote into the data
 * dir (readable by the account the server runs as, nobody else); the job runs in the server's
 * import queue as the named account (or the system), audited like an upload.
 */
export async function localImportRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { ctx } = app;
  const token = crypto.randomBytes(32).toString('hex');
  const fileOf = () => path.join(ctx.config.dataDir, LOCAL_ACCESS_FILE);

  app.addHook('onListen', async () => {
    const addr = app.server.address() as AddressInfo | null;
    if (!addr || typeof addr !== 'object') return;
    const host =
      LOOPBACK.has(addr.address) || addr.address === '0.0.0.0' || addr.address === '::'
        ? addr.family === 'IPv6' && addr.address !== '0.0.0.0'
          ? '[::1]'
          : '127.0.0.1'
        : null;
    if (!host) return; // not reachable on the loopback interface: the command line cannot hand over
    fs.mkdirSync(ctx.config.dataDir, { recursive: true, mode: 0o700 });
    const file = fileOf();
    const tmp = `${file}.${process.pid}`;
    fs.writeFileSync(
      tmp,
      JSON.stringify({ url: `http://${host}:${addr.port}`, token, server: selfRef() } satisfies LocalAccess),
      { mode: 0o600 },
    );
    fs.renameSync(tmp, file);
  });
  app.addHook('onClose', async () => {
    if (readLocalAccess(ctx.config.dataDir)?.token === token) fs.rmSync(fileOf(), { force: true });
  });

  const authorize = (req: FastifyRequest) => {
    const given = String(req.headers['x-xgz-local-token'] ?? '');
    const ok =
      LOOPBACK.has(req.socket.remoteAddress ?? '') &&
      given.length === token.length &&
      crypto.timingSafeEqual(Buffer.from(given), Buffer.from(token));
    if (!ok) throw new Problem(403, '无权操作', '本地导入接口只接受本机命令行（须持有数据目录中的令牌）');
  };

  r.post('/local/imports/:kind', {
    config: { access: 'public' },
    schema: {
      hide: true,
      params: kindParam,
      querystring: localImportQuery,
      body: z.strictObject({
        path: z.string().min(1).max(4096),
        mapping: mapping.optional(),
        acknowledge: z.array(z.string().max(200)).max(500).default([]),
      }),
    },
    handler: async (req, reply) => {
      authorize(req);
      const { fileName, user, sheet } = req.query;
      const filePath = path.resolve(req.body.path);
      if (!fs.existsSync(filePath) || !fs.statSync(filePath).isFile())
        throw badRequest(`服务进程读不到文件：${filePath}`, [{ field: 'path', message: '文件不存在或不可读' }]);
      const u = user ? await accountByName(ctx.db, user) : null;
      if (user && (!u || u.disabled))
        throw badRequest(`账号 ${user} 不存在或已停用`, [{ field: 'user', message: '账号不存在或已停用' }]);
      // The rule for who imports holds on the command line too: not as a station's account.
      const refusal = u ? importRefusal(req.params.kind, u.scope_key) : null;
      if (refusal) throw badRequest(`账号 ${user}：${refusal}`, [{ field: 'user', message: refusal }]);
      // The same column plan as an upload: a missing field or an unacknowledged warned column refuses the file.
      const m = await ctx.db
        .transaction()
        .execute((trx) => mappingFor(trx, req.params.kind, req.query.profile, req.body.mapping));
      const plan = await previewFile(ctx.keys, req.params.kind, '', filePath, fileName, m, sheet).catch(
        (err: unknown) => {
          throw err instanceof SourceError ? badRequest(err.message, [{ field: 'file', message: err.message }]) : err;
        },
      );
      assertStartable(
        plan,
        req.body.acknowledge.includes('all') ? plan.warnings.map((w) => w.header) : req.body.acknowledge,
      );
      const fullRoster = req.query.fullRoster === 'true';
      assertFullRoster(plan, req.params.kind, fullRoster);
      const j = await addImportJob(ctx.db, {
        kind: req.params.kind,
        fileName,
        filePath,
        fileBytes: fs.statSync(filePath).size,
        scopeKey: u?.scope_key ?? '',
        createdBy: u?.id ?? null,
        sheet: plan.sheet,
        sheets: plan.sheets,
        mapping: plan.mapping,
        fullRoster,
      });
      await recordAudit(
        ctx.db,
        { userId: u?.id ?? null, username: u?.username ?? 'cli', scopeKey: u?.scope_key ?? '', ip: null },
        {
          action: 'import.upload',
          objectType: 'import_job',
          objectId: j.id,
          detail: { kind: req.params.kind, fileName: fileNameForOthers(fileName), via: 'cli', fullRoster },
        },
      );
      app.imports.enqueue(j.id);
      return reply
        .code(202)
        .send({ id: j.id, columns: plan.columns.map((c) => `${c.header || `第${c.index + 1}列`} → ${c.note}`) });
    },
  });

  r.get('/local/imports/:id', {
    config: { access: 'public' },
    schema: { hide: true, params: idParam },
    handler: async (req) => {
      authorize(req);
      const j = await localJobStatus(ctx.db, req.params.id);
      if (!j) throw notFound('导入任务');
      return j;
    },
  });
}
