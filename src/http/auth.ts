import type { FastifyInstance, FastifyRequest } from 'fastify';
import { routeAllowed } from '../domain/auth/binding.js';
import { runScoped } from '../db/scoped.js';
import { SESSION_COOKIE, hashToken } from './session-token.js';
import { endSession, sessionOf, touchSession } from './sessions.js';
import { authUserOf } from './context.js';
import { forbidden, unauthorized, Problem } from './errors.js';
import { isServicePermission } from '../domain/auth/service.js';
import { REVEAL_LIMIT, revealRefusal } from '../domain/auth/reveal-limit.js';
import { countInWindow } from '../db/windows.js';
import { recordAudit } from '../db/audit-chain.js';
import { installScopeProbes } from './scope-probe.js';
import {
  auditServiceCall,
  authenticateService,
  bearerOf,
  clientCertificateOf,
  recheckService,
  refuseWithoutToken,
  type Credential,
} from './service-auth.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const TOUCH_EVERY_MS = 15_000;

/**
 * A request's credential is checked as it begins, before its body arrives; an upload's body may take
 * minutes (XGZ_REQUEST_TIMEOUT_SECONDS). A request that reaches its transaction later than this has
 * its session or token looked at again first (round 21: an attachment still arriving when the
 * account was disabled was stored, and a delivery still arriving when its token was revoked was
 * imported). The usual request is well within it and costs no second look.
 */
const RECHECK_AFTER_MS = 1_000;
type Held = { at: number; session: string } | { at: number; service: Credential };
const held = new WeakMap<FastifyRequest, Held>();

/** Refuses a request whose session has ended, or whose token no longer holds, since it began. */
async function recheck(req: FastifyRequest, h: Held): Promise<void> {
  if ('service' in h) await recheckService(req, h.service);
  else {
    const row = await sessionOf(req.server.ctx.db, h.session);
    if (!row || row.disabled || row.id !== req.user!.id || row.stage !== 'full')
      throw unauthorized('会话已结束（已退出登录、账号被停用或权限变更），本次操作未保存，请重新登录', 'session_ended');
  }
  h.at = Date.now();
}

/**
 * Loads the session named by the cookie, expires it when idle, and enforces the route's
 * declared access and the CSRF token. Runs before the body is parsed.
 */
export function installAuth(app: FastifyInstance): void {
  app.decorateRequest('user', null);
  app.decorateRequest('session', null);
  app.decorateRequest('serviceAccount', null);
  app.decorateRequest('principal', function (this: FastifyRequest) {
    return {
      userId: this.user?.id ?? null,
      username: this.user?.username ?? null,
      scopeKey: this.user?.scopeKey ?? '',
      ip: this.ip,
      bound: this.user?.bound ?? '',
    };
  });
  app.decorateRequest('scoped', function (this: FastifyRequest, fn: Parameters<FastifyRequest['scoped']>[0]) {
    if (!this.user) throw unauthorized();
    const h = held.get(this);
    if (h && Date.now() - h.at > RECHECK_AFTER_MS)
      return recheck(this, h).then(() => runScoped(this.server.ctx.db, this.principal(), fn));
    return runScoped(this.server.ctx.db, this.principal(), fn);
  });

  app.addHook('onRequest', async (req) => {
    // A target in absolute form (GET http://host/path, as a client sends to a proxy) still reaches
    // its route, but every check here reads the path: only the origin form is served.
    if (!req.url.startsWith('/'))
      throw new Problem(400, '请求格式不正确', '请求地址应以 / 开头（本服务不作代理）', undefined, 'absolute_form');
    // The checks read the route the router matched, not the raw target: /api/%64ocs is /api/docs.
    const route = req.routeOptions.url ?? '';
    // The API's description names every route and field: signed-in staff only (issue 16, finding 13).
    if (route === '/api/docs' || route.startsWith('/api/docs/')) {
      const expired = await loadSession(req);
      if (!req.session || req.session.stage !== 'full')
        throw unauthorized(
          expired ? '长时间未操作，会话已超时，请重新登录' : '请先登录后查看接口文档',
          expired ? 'session_expired' : undefined,
        );
      return;
    }
    const access = req.routeOptions.config?.access;
    if (!route.startsWith('/api/') || access === undefined) return;
    // Service accounts (issue 15): a bearer token opens the exchange routes and nothing else — not
    // the sign-in, not a session route; the exchange routes take no session.
    // A bearer token, or a client certificate the server's TLS listener verified against the
    // configured client CA (mutual TLS) and registered for an account: the same checks and audit.
    // A browser's certificate on any other route is ignored.
    const bearer = bearerOf(req);
    const serviceRoute = access === 'service' || isServicePermission(access);
    if (bearer !== null && !serviceRoute)
      throw unauthorized(
        '服务账号令牌只能调用系统对接接口（/api/v1/exchange/…），不能登录或调用其他接口',
        'token_not_for_session',
      );
    const cert = serviceRoute && bearer === null ? clientCertificateOf(req) : { state: 'none' as const };
    if (cert.state === 'untrusted') throw unauthorized('客户端证书不是由本平台信任的证书机构签发的', 'cert_untrusted');
    if (bearer !== null || cert.state === 'verified') {
      const credential =
        bearer !== null ? { token: bearer } : { fingerprint: (cert as { fingerprint: string }).fingerprint };
      await authenticateService(req, credential);
      if (access !== 'service' && !(isServicePermission(access) && req.serviceAccount!.permissions.has(access)))
        throw forbidden(`该服务账号没有"${access}"权限`);
      held.set(req, { at: Date.now(), service: credential });
      return;
    }
    if (serviceRoute) {
      await loadSession(req);
      refuseWithoutToken(!!req.user);
    }
    if (access !== 'public') refuseCrossSite(req);
    const expired = await loadSession(req);
    if (access === 'public') return;
    if (expired) throw unauthorized('长时间未操作，会话已超时，请重新登录', 'session_expired');
    if (!req.session || !req.user) throw unauthorized();
    if (!SAFE_METHODS.has(req.method) && req.headers['x-csrf-token'] !== req.session.csrfToken) {
      throw new Problem(403, '请求被拒绝', '缺少或错误的 CSRF 令牌，请刷新页面后重试', undefined, 'csrf');
    }
    if (access === 'signing-in') return;
    if (req.session.stage !== 'full')
      throw new Problem(403, '请先完成登录步骤', stageHint[req.session.stage], undefined, `stage:${req.session.stage}`);
    if (access !== 'session' && !req.user.permissions.has(access)) throw forbidden();
    // A unit account works its own cases only, an instructor account its own assignments: the rest
    // of the county's ledgers (and the deployment's settings) stay closed to them.
    if (!routeAllowed(req.user.bound, route)) throw forbidden();
    if (access === 'personal.reveal') await spendReveal(req);
    held.set(req, { at: Date.now(), session: req.session.idHash });
  });

  // No API answer is kept by a browser or a proxy: reveals carry full ID numbers and phones, and
  // lists carry names (issue 16, finding 13). A route that wants caching sets its own header.
  app.addHook('onSend', async (req, reply) => {
    if ((req.routeOptions.url ?? req.url).startsWith('/api/') && !reply.hasHeader('cache-control'))
      reply.header('cache-control', 'no-store');
    // Every call of a service account is audited under it, refusals included.
    if (req.serviceAccount) await auditServiceCall(req, reply.statusCode);
  });

  installScopeProbes(app);
}

/**
 * A browser names where a request comes from (Fetch Metadata). One from another site, or from a
 * sibling on the same site (another port of the host, another subdomain: SameSite=Strict sends the
 * cookie to those), is refused on every signed-in route, GETs included: an export, a download, the
 * audit check each write an audit line and cost work, and the CSRF token guards only the writes
 * (round-8 probe). A request without the header (an older browser, a script) is judged as before.
 */
function refuseCrossSite(req: FastifyRequest): void {
  const site = req.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site')
    throw new Problem(403, '请求被拒绝', '不接受从其他网站发起的请求，请在本平台的页面中操作', undefined, 'cross_site');
}

/**
 * One reveal of full personal data counted against the account in the database (domain/auth/reveal-limit.ts,
 * db/windows.ts); past the limit, 429 and a denied line in the audit trail. An export with the full
 * numbers (`people` > 1) reveals each of its people and counts as that many reveals: one request of
 * the ledger with `reveal=true` gave a province's 19,856 full ID numbers while the one-by-one reveal
 * stopped at 30 in 10 minutes (round-17 probe).
 */
export async function spendReveal(req: FastifyRequest, people = 1): Promise<void> {
  const count = await countInWindow(req.server.ctx.db, req.user!.id, 'reveal', REVEAL_LIMIT.windowMinutes, people);
  const minutes = revealRefusal(count);
  if (minutes === null) return;
  await recordAudit(req.server.ctx.db, req.principal(), {
    action: 'personal.reveal_limited',
    objectType: 'user',
    objectId: req.user!.id,
    outcome: 'denied',
    detail: {
      route: `${req.method} ${req.routeOptions.url ?? ''}`,
      limit: REVEAL_LIMIT,
      ...(people > 1 ? { people } : {}),
    },
  });
  const many =
    people > 1
      ? `；本次导出含 ${people} 人的完整身份证号，每人计一次，请缩小筛选范围${people > REVEAL_LIMIT.max ? '' : `或 ${minutes} 分钟后再试`}，或导出脱敏的名单`
      : `，请 ${minutes} 分钟后再试`;
  throw new Problem(
    429,
    '查看过于频繁',
    `${REVEAL_LIMIT.windowMinutes} 分钟内最多查看 ${REVEAL_LIMIT.max} 次完整个人信息${many}`,
    undefined,
    'reveal_limit',
  );
}

const stageHint = {
  totp: '请输入动态口令',
  password_change: '首次登录或密码被重置，请先修改密码',
  totp_enrol: '请先绑定动态口令（双因素认证）',
  full: '',
} as const;

/** Returns true when the cookie named a session that has just expired (idle timeout or absolute lifetime). */
async function loadSession(req: FastifyRequest): Promise<boolean> {
  const token = req.cookies[SESSION_COOKIE];
  if (!token) return false;
  const { db, settings } = req.server.ctx;
  const idHash = hashToken(token);
  const row = await sessionOf(db, idHash);
  if (!row) return false;
  const { sessionIdleMinutes, sessionMaxHours } = await settings.get('security');
  const idleMs = Date.now() - row.last_seen_at.getTime();
  const ageMs = Date.now() - row.created_at.getTime();
  if (row.disabled || idleMs > sessionIdleMinutes * 60_000 || ageMs > sessionMaxHours * 3_600_000) {
    await endSession(db, idHash);
    return !row.disabled;
  }
  if (idleMs > TOUCH_EVERY_MS) await touchSession(db, idHash);
  req.session = { idHash, stage: row.stage, csrfToken: row.csrf_token };
  req.user = authUserOf(row);
  return false;
}
