import type { FastifyInstance, FastifyRequest } from 'fastify';
import { permissionsOf } from '../domain/auth/roles.js';
import { runScoped } from '../db/scoped.js';
import { SESSION_COOKIE, hashToken } from '../features/auth/sessions.js';
import { forbidden, unauthorized, Problem } from './errors.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const TOUCH_EVERY_MS = 15_000;

/**
 * Loads the session named by the cookie, expires it when idle, and enforces the route's
 * declared access and the CSRF token. Runs before the body is parsed.
 */
export function installAuth(app: FastifyInstance): void {
  app.decorateRequest('user', null);
  app.decorateRequest('session', null);
  app.decorateRequest('principal', function (this: FastifyRequest) {
    return { userId: this.user?.id ?? null, username: this.user?.username ?? null, scopeKey: this.user?.scopeKey ?? '', ip: this.ip };
  });
  app.decorateRequest('scoped', function <T>(this: FastifyRequest, fn: Parameters<FastifyRequest['scoped']>[0]) {
    if (!this.user) throw unauthorized();
    return runScoped(this.server.ctx.db, this.principal(), fn) as Promise<T>;
  });

  app.addHook('onRequest', async (req) => {
    const access = req.routeOptions.config?.access;
    if (!req.url.startsWith('/api/') || access === undefined) return;
    const expired = await loadSession(req);
    if (access === 'public') return;
    if (expired) throw unauthorized('长时间未操作，会话已超时，请重新登录', 'session_expired');
    if (!req.session || !req.user) throw unauthorized();
    if (!SAFE_METHODS.has(req.method) && req.headers['x-csrf-token'] !== req.session.csrfToken) {
      throw new Problem(403, '请求被拒绝', '缺少或错误的 CSRF 令牌，请刷新页面后重试', undefined, 'csrf');
    }
    if (access === 'signing-in') return;
    if (req.session.stage !== 'full') throw new Problem(403, '请先完成登录步骤', stageHint[req.session.stage], undefined, `stage:${req.session.stage}`);
    if (access !== 'session' && !req.user.permissions.has(access)) throw forbidden();
  });
}

const stageHint = {
  totp: '请输入动态口令',
  password_change: '首次登录或密码被重置，请先修改密码',
  totp_enrol: '请先绑定动态口令（双因素认证）',
  full: '',
} as const;

/** Returns true when the cookie named a session that has just expired. */
async function loadSession(req: FastifyRequest): Promise<boolean> {
  const token = req.cookies[SESSION_COOKIE];
  if (!token) return false;
  const { db, settings } = req.server.ctx;
  const idHash = hashToken(token);
  const row = await db
    .selectFrom('user_session as s')
    .innerJoin('app_user as u', 'u.id', 's.user_id')
    .innerJoin('jurisdiction as j', 'j.code', 'u.jurisdiction_code')
    .select(['s.id_hash', 's.stage', 's.csrf_token', 's.last_seen_at', 'u.id', 'u.username', 'u.display_name', 'u.roles', 'u.disabled', 'u.jurisdiction_code', 'j.scope_key'])
    .where('s.id_hash', '=', idHash)
    .executeTakeFirst();
  if (!row) return false;
  const { sessionIdleMinutes } = await settings.get('security');
  const idleMs = Date.now() - row.last_seen_at.getTime();
  if (row.disabled || idleMs > sessionIdleMinutes * 60_000) {
    await db.deleteFrom('user_session').where('id_hash', '=', idHash).execute();
    return !row.disabled;
  }
  if (idleMs > TOUCH_EVERY_MS) {
    await db.updateTable('user_session').set({ last_seen_at: new Date() }).where('id_hash', '=', idHash).execute();
  }
  req.session = { idHash, stage: row.stage, csrfToken: row.csrf_token };
  req.user = {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    roles: row.roles,
    permissions: permissionsOf(row.roles),
    jurisdictionCode: row.jurisdiction_code,
    scopeKey: row.scope_key,
  };
  return false;
}
