import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { DestinationStream } from 'pino';
import type { ApiRoute, AppContext } from './http/context.js';
import { installAuth } from './http/auth.js';
import { clientErrorHandler, frameworkErrors, installErrorHandling, RETRY_AFTER_SECONDS } from './http/errors.js';
import { installTextGuard } from './http/text-guard.js';
import { installExportGate } from './http/export-gate.js';
import { installJsonParser } from './http/json-body.js';
import { loggableUrl } from './http/loggable-url.js';
import { appliedMigrations, listMigrations } from './db/migrate.js';
import { releaseDataDirLock } from './db/lock.js';
import { accountRoutes } from './features/accounts/index.js';
import { auditRoutes } from './features/audit/index.js';
import { authRoutes } from './features/auth/index.js';
import { dictionaryRoutes } from './features/dictionaries/index.js';
import { jurisdictionRoutes } from './features/jurisdictions/index.js';
import { settingRoutes } from './features/settings/index.js';
import { unitRoutes } from './features/units/index.js';
import { entityRoutes, entityWorkRoutes } from './features/entities/index.js';
import { zoneRoutes } from './features/zones/index.js';
import { importRoutes } from './features/imports/index.js';
import { stationAssignmentRoutes } from './features/station-assignment/index.js';
import { discoveryRoutes, endInterruptedDiscoveryRuns, selfReportRoutes } from './features/discovery/index.js';
import { memberRoutes } from './features/members/index.js';
import { orgRoutes, proposalRoutes } from './features/orgs/index.js';
import { coverageRoutes } from './features/coverage/index.js';
import { guidanceRoutes, instructorRoutes } from './features/instructors/index.js';
import { guidancePostRoutes } from './features/guidance-posts/index.js';
import { sanliangPublicRoutes, sanliangRoutes } from './features/sanliang/index.js';
import { recognitionRoutes } from './features/recognition/index.js';
import { dashboardRoutes } from './features/indicators/index.js';
import { platformRoutes } from './features/platforms/index.js';
import { assistanceRoutes } from './features/assistance/index.js';
import { appealRoutes } from './features/appeals/index.js';
import { reportRoutes } from './features/reports/index.js';
import { assessmentRoutes } from './features/assessment/index.js';
import { attachmentRoutes } from './features/attachments/index.js';
import { workTaskRoutes } from './features/worktasks/index.js';
import { workbenchRoutes } from './features/workbench/index.js';
import { exitRoutes } from './features/exit/index.js';
import { exchangeRoutes, serviceAccountRoutes } from './features/exchange/index.js';
import { ImportRunner } from './jobs/import/runner.js';
import { registerAuditKey } from './db/audit-chain.js';
import { housekeeping } from './jobs/housekeeping.js';
import { databaseRateStore } from './http/rate-store.js';
import './domain/zod-chinese.js';

export const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../web/dist');

/** Feature route plugins, mounted under /api/v1. A new capability adds its plugin here. */
const FEATURES = [
  authRoutes,
  accountRoutes,
  jurisdictionRoutes,
  unitRoutes,
  entityRoutes,
  entityWorkRoutes,
  zoneRoutes,
  importRoutes,
  stationAssignmentRoutes,
  memberRoutes,
  discoveryRoutes,
  selfReportRoutes,
  orgRoutes,
  proposalRoutes,
  coverageRoutes,
  instructorRoutes,
  guidanceRoutes,
  guidancePostRoutes,
  sanliangRoutes,
  sanliangPublicRoutes,
  exitRoutes,
  recognitionRoutes,
  dashboardRoutes,
  platformRoutes,
  assistanceRoutes,
  appealRoutes,
  reportRoutes,
  assessmentRoutes,
  attachmentRoutes,
  workTaskRoutes,
  workbenchRoutes,
  serviceAccountRoutes,
  exchangeRoutes,
  settingRoutes,
  dictionaryRoutes,
  auditRoutes,
];

/** housekeeping: the server's timed work — the audit anchor, import-file retention, the bell's sweep, task reminders (the serve command; tests call them directly). */
export type BuildOptions = { logStream?: DestinationStream; webDist?: string | null; housekeeping?: boolean };

/**
 * /healthz: the process is up and serving (a supervisor restarts it when this stops answering).
 * /readyz: it can do its work: the database answers and its migrations are those of this code
 * (a load balancer sends traffic only while this says ready). Both public, minimal JSON, not
 * logged. While the app is closing both say 503 with Connection: close, and so does every other
 * request that still arrives.
 */
function installProbes(app: FastifyInstance, ctx: AppContext): void {
  let closing = false;
  app.addHook('preClose', async () => void (closing = true));
  app.addHook('onRequest', async (req, reply) => {
    if (!closing) return;
    return reply
      .code(503)
      .header('retry-after', String(RETRY_AFTER_SECONDS))
      .header('connection', 'close')
      .type('application/problem+json; charset=utf-8')
      .send({
        type: 'about:blank',
        status: 503,
        title: '服务暂不可用',
        detail: '服务正在停止或重启，本次操作未执行，请稍后重试',
        code: 'shutting_down',
      });
  });
  const known = listMigrations();
  const latest = known.length ? known[known.length - 1].version : 0;
  const probeOpts = { config: { access: 'public' as const }, logLevel: 'warn' as const, schema: { hide: true } };
  app.get('/healthz', probeOpts, async () => ({ status: 'ok' }));
  app.get('/readyz', probeOpts, async (_req, reply) => {
    const notReady = (reason: string, detail: string) =>
      reply
        .code(503)
        .header('retry-after', String(RETRY_AFTER_SECONDS))
        .send({ status: 'unavailable', reason, detail });
    if (!ctx.database.health.isUp) return notReady('database_unreachable', '数据库暂时无法连接');
    let applied: { n: number; max: number | null };
    try {
      const q = appliedMigrations(ctx.db);
      const timeout = new Promise<never>((_, reject) =>
        setTimeout(
          () => reject(Object.assign(new Error('readiness probe timed out'), { code: 'ETIMEDOUT' })),
          3000,
        ).unref(),
      );
      applied = await Promise.race([q, timeout]);
    } catch (err) {
      ctx.database.health.report(err);
      return notReady('database_unreachable', '数据库暂时无法连接');
    }
    if (Number(applied.n) < known.length || Number(applied.max ?? 0) < latest)
      return notReady('migrations_pending', '数据库迁移尚未完成');
    if (Number(applied.max ?? 0) > latest) return notReady('schema_newer', '数据库结构比本程序新，请升级程序');
    return { status: 'ready' };
  });
}

/**
 * Graceful stop (SIGTERM/SIGINT): stops accepting connections; requests in flight finish while
 * later ones get 503; background jobs stop (an import after its current batch, handed back to
 * the queue; schedules after their current pass); then the database closes and the data-dir
 * lock is released. Whatever is still running after `timeoutMs` is abandoned: an import left
 * so is ended as interrupted at the next start (its committed batches kept, re-runnable).
 * Resolves with whether everything finished in time.
 */
export async function shutdown(app: FastifyInstance, ctx: AppContext, timeoutMs = 25_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  const closed = app.close().then(
    () => true,
    (err: unknown) => {
      app.log.error({ err }, 'error while closing');
      return false;
    },
  );
  let clean = await Promise.race([closed, deadline]);
  clearTimeout(timer);
  if (!clean) {
    app.log.warn({ timeoutMs }, 'shutdown timed out; abandoning requests and jobs still running');
    app.server.closeAllConnections();
  }
  clean =
    (await Promise.race([
      ctx.database.close().then(
        () => true,
        () => false,
      ),
      new Promise<false>((r) => setTimeout(() => r(false), 5000).unref()),
    ])) && clean;
  releaseDataDirLock();
  return clean;
}

/** Fastify's HTTPS options from the configured PEM files (read at start; a missing file stops the start with its name). */
function tlsOptions(tls: NonNullable<AppContext['config']['tls']>): https.ServerOptions {
  const read = (file: string, what: string) => {
    try {
      return fs.readFileSync(file);
    } catch {
      throw new Error(`无法读取${what}文件 ${file}`);
    }
  };
  const options: https.ServerOptions = {
    cert: read(tls.cert, 'TLS 证书（XGZ_TLS_CERT）'),
    key: read(tls.key, 'TLS 私钥（XGZ_TLS_KEY）'),
  };
  if (tls.clientCa)
    Object.assign(options, {
      ca: read(tls.clientCa, '客户端证书 CA（XGZ_TLS_CLIENT_CA）'),
      requestCert: true,
      rejectUnauthorized: false,
    });
  return options;
}

export async function buildApp(ctx: AppContext, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: {
      level: ctx.config.logLevel,
      // Personal data never reaches the log: no bodies are logged, and these headers are hidden.
      redact: [
        'req.headers.cookie',
        'req.headers["x-csrf-token"]',
        'req.headers.authorization',
        'res.headers["set-cookie"]',
      ],
      // A query string's values and a secret path's last part are never logged (loggableUrl).
      serializers: {
        req: (req: FastifyRequest) => ({
          method: req.method,
          url: loggableUrl(req.url),
          host: req.host,
          remoteAddress: req.ip,
        }),
      },
      ...(opts.logStream ? { stream: opts.logStream } : {}),
    },
    bodyLimit: ctx.config.bodyLimit,
    frameworkErrors,
    clientErrorHandler,
    trustProxy: ctx.config.trustProxy,
    // While closing, requests still arriving get our own 503 (below), in Chinese.
    return503OnClosing: false,
    // A request must have arrived whole within this time (Node's own default; Fastify's is none):
    // a body trickled a byte at a time no longer holds a connection, and a slot, for ever (round 12).
    requestTimeout: ctx.config.requestTimeoutSeconds * 1000,
    // Optional TLS on our own listener. With a client CA, a client certificate is asked for but
    // never required (browsers connect without one): the exchange routes take a verified one as a
    // service account's credential (http/service-auth.ts), every other route ignores it.
    ...(ctx.config.tls ? { https: tlsOptions(ctx.config.tls) } : {}),
  });
  app.decorate('ctx', ctx);
  registerAuditKey(ctx.db, ctx.keys.auditMac);
  const imports = new ImportRunner(ctx, app.log);
  app.decorate('imports', imports);
  app.addHook('onReady', () => imports.recover());
  app.addHook('onReady', () =>
    endInterruptedDiscoveryRuns(ctx.db).catch(
      (err: unknown) => void (ctx.database.health.report(err) || app.log.error({ err }, 'discovery recovery failed')),
    ),
  );
  app.addHook('onClose', () => imports.stop());
  if (opts.housekeeping) housekeeping(app);
  app.decorate('housekeeping', opts.housekeeping ?? false);
  app.decorate('discoveryRuns', new Set<Promise<unknown>>());
  app.addHook('onClose', async () => void (await Promise.allSettled(app.discoveryRuns)));
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app, opts.webDist === undefined ? WEB_DIST : opts.webDist);
  installProbes(app, ctx);
  installJsonParser(app);
  installTextGuard(app);
  installExportGate(app);

  // Every API route must say who may call it; a route without a declared access fails start-up.
  const apiRoutes: ApiRoute[] = [];
  app.decorate('apiRoutes', apiRoutes);
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/v1/')) return;
    const access = (route.config as { access?: string } | undefined)?.access;
    if (!access) throw new Error(`route ${[route.method].flat().join(',')} ${route.url} declares no access`);
    for (const m of [route.method].flat()) if (m !== 'HEAD') apiRoutes.push({ method: m, url: route.url, access });
  });

  await app.register(cookie);
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"], // Ant Design injects its styles at run time
        imgSrc: ["'self'", 'data:'],
        scriptSrc: ["'self'"],
        connectSrc: ["'self'"],
        upgradeInsecureRequests: null,
      },
    },
    strictTransportSecurity: false, // set by the TLS-terminating proxy
  });
  // Counted in the database, so every process and a restart see the same counts (round 11).
  await app.register(rateLimit, { global: false, store: databaseRateStore(ctx.db) });
  await app.register(swagger, {
    openapi: {
      info: { title: 'XGZ 小个专党建工作平台 API', version: '1' },
      servers: [],
      components: {
        securitySchemes: {
          // Staff use the session cookie (signed in through /auth/login); other systems a service account's token on /exchange/… only.
          cookie: {
            type: 'apiKey',
            in: 'cookie',
            name: 'xgz_sid',
            description: '工作人员登录会话（浏览器）；写操作另需 X-CSRF-Token 头',
          },
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description:
              '系统对接服务账号的令牌（xgzsa_…，由安全管理员在"系统对接"页发放，只显示一次）。只能调用 /api/v1/exchange/… 接口。例：Authorization: Bearer xgzsa_3q2…',
          },
          mutualTLS: {
            type: 'mutualTLS',
            description:
              '系统对接服务账号的客户端证书（双向 TLS）：服务端以 XGZ_TLS_CERT / XGZ_TLS_KEY 提供 HTTPS，并以 XGZ_TLS_CLIENT_CA 指定签发客户端证书的 CA；证书的 SHA-256 指纹须已登记到一个有效的服务账号（"系统对接"页）。只能调用 /api/v1/exchange/… 接口。例：curl --cert client.crt --key client.key https://…/api/v1/exchange/changes',
          } as never, // OpenAPI 3.1's scheme type, not in the 3.0 typings
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true });
  installAuth(app);

  await app.register(
    async (api) => {
      api.get('/health', { config: { access: 'public' }, schema: { hide: true } }, async () => ({
        status: 'ok',
        database: ctx.database.kind,
      }));
      for (const feature of FEATURES) await api.register(feature);
    },
    { prefix: '/api/v1' },
  );

  const webDist = opts.webDist === undefined ? WEB_DIST : opts.webDist;
  if (webDist && fs.existsSync(path.join(webDist, 'index.html'))) {
    await app.register(fastifyStatic, { root: webDist, wildcard: false, index: 'index.html' });
  }
  await app.ready();
  return app;
}
