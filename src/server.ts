import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DestinationStream } from 'pino';
import type { ApiRoute, AppContext } from './http/context.js';
import { installAuth } from './http/auth.js';
import { installErrorHandling } from './http/errors.js';
import { accountRoutes } from './features/accounts/routes.js';
import { auditRoutes } from './features/audit/routes.js';
import { authRoutes } from './features/auth/routes.js';
import { dictionaryRoutes } from './features/dictionaries/routes.js';
import { jurisdictionRoutes } from './features/jurisdictions/routes.js';
import { settingRoutes } from './features/settings/routes.js';
import { unitRoutes } from './features/units/routes.js';
import { entityRoutes } from './features/entities/routes.js';
import { zoneRoutes } from './features/zones/routes.js';
import { importRoutes } from './features/imports/routes.js';
import { discoveryRoutes } from './features/discovery/routes.js';
import { selfReportRoutes } from './features/discovery/self-report.js';
import { memberRoutes } from './features/members/routes.js';
import { orgRoutes } from './features/orgs/routes.js';
import { proposalRoutes } from './features/orgs/proposals.js';
import { coverageRoutes } from './features/coverage/routes.js';
import { instructorRoutes } from './features/instructors/routes.js';
import { entityWorkRoutes } from './features/entities/work.js';
import { guidanceRoutes } from './features/instructors/guidance.js';
import { guidancePostRoutes } from './features/guidance-posts/routes.js';
import { sanliangRoutes } from './features/sanliang/routes.js';
import { sanliangPublicRoutes } from './features/sanliang/public.js';
import { recognitionRoutes } from './features/recognition/routes.js';
import { dashboardRoutes } from './features/indicators/routes.js';
import { platformRoutes } from './features/platforms/routes.js';
import { assistanceRoutes } from './features/assistance/routes.js';
import { appealRoutes } from './features/appeals/routes.js';
import { reportRoutes } from './features/reports/routes.js';
import { assessmentRoutes } from './features/assessment/routes.js';
import { ImportRunner } from './jobs/import/runner.js';

z.config(z.locales.zhCN());

export const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../web/dist');

/** Feature route plugins, mounted under /api/v1. A new capability adds its plugin here. */
const FEATURES = [authRoutes, accountRoutes, jurisdictionRoutes, unitRoutes, entityRoutes, entityWorkRoutes, zoneRoutes, importRoutes, memberRoutes, discoveryRoutes, selfReportRoutes, orgRoutes, proposalRoutes, coverageRoutes, instructorRoutes, guidanceRoutes, guidancePostRoutes, sanliangRoutes, sanliangPublicRoutes, recognitionRoutes, dashboardRoutes, platformRoutes, assistanceRoutes, appealRoutes, reportRoutes, assessmentRoutes, settingRoutes, dictionaryRoutes, auditRoutes];

export type BuildOptions = { logStream?: DestinationStream; webDist?: string | null };

export async function buildApp(ctx: AppContext, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: {
      level: ctx.config.logLevel,
      // Personal data never reaches the log: no bodies are logged, and these headers are hidden.
      redact: ['req.headers.cookie', 'req.headers["x-csrf-token"]', 'req.headers.authorization', 'res.headers["set-cookie"]'],
      ...(opts.logStream ? { stream: opts.logStream } : {}),
    },
    bodyLimit: ctx.config.bodyLimit,
    trustProxy: ctx.config.trustProxy,
  });
  app.decorate('ctx', ctx);
  const imports = new ImportRunner(ctx, app.log);
  app.decorate('imports', imports);
  app.addHook('onReady', () => imports.recover());
  app.addHook('onClose', () => imports.stop());
  app.decorate('discoveryRuns', new Set<Promise<unknown>>());
  app.addHook('onClose', async () => void (await Promise.allSettled(app.discoveryRuns)));
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app, opts.webDist === undefined ? WEB_DIST : opts.webDist);

  // Every API route must say who may call it; a route without a declared access fails start-up.
  const apiRoutes: ApiRoute[] = [];
  app.decorate('apiRoutes', apiRoutes);
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/v1/')) return;
    const access = (route.config as { access?: string } | undefined)?.access;
    if (!access) throw new Error(`route ${route.method} ${route.url} declares no access`);
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
  await app.register(rateLimit, { global: false });
  await app.register(swagger, {
    openapi: { info: { title: 'XGZ 小个专党建工作平台 API', version: '1' }, servers: [] },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true });
  installAuth(app);

  await app.register(
    async (api) => {
      api.get('/health', { config: { access: 'public' }, schema: { hide: true } }, async () => ({ status: 'ok', database: ctx.database.kind }));
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
