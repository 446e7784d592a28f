import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import QRCode from 'qrcode';
import { z } from 'zod';
import type { AppUser } from '../../db/schema.js';
import { recordAudit } from '../../db/audit-chain.js';
import { hashPassword, verifyPassword } from '../../crypto/password.js';
import { decryptField, encryptField } from '../../crypto/field.js';
import { checkPassword } from '../../domain/auth/password-policy.js';
import { ROLES, type Role, permissionsOf } from '../../domain/auth/roles.js';
import { Problem, badRequest, unauthorized } from '../../http/errors.js';
import { SESSION_COOKIE, createSession, endSessionsOf, nextStage } from './sessions.js';
import { newTotpSecret, totpStep, totpUri } from './totp.js';

const DUMMY_HASH = 'pbkdf2-sm3$100000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
const genericLoginFailure = () => unauthorized('账号或密码错误', 'bad_credentials');

const sessionResponse = z.object({
  stage: z.enum(['password_change', 'totp_enrol', 'totp', 'full']),
  csrfToken: z.string(),
});

export async function authRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db, keys, settings, config } = app.ctx;

  const setCookie = (req: FastifyRequest, reply: FastifyReply, token: string) =>
    reply.setCookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      path: '/',
      secure: config.cookieSecure === 'always' || (config.cookieSecure === 'auto' && req.protocol === 'https'),
    });

  const who = (req: FastifyRequest, u?: Pick<AppUser, 'id' | 'username' | 'scope_key'>) => ({
    userId: u?.id ?? null,
    username: u?.username ?? null,
    scopeKey: u?.scope_key ?? '',
    ip: req.ip,
  });

  const history = (req: FastifyRequest, u: AppUser, outcome: string) =>
    db.insertInto('login_history').values({ user_id: u.id, scope_key: u.scope_key, ip: req.ip, user_agent: req.headers['user-agent']?.slice(0, 300) ?? null, outcome }).execute();

  /** Counts a failed password or code; locks the account at the threshold. */
  async function failAttempt(req: FastifyRequest, u: AppUser, what: string): Promise<never> {
    const sec = await settings.get('security');
    const failed = u.failed_logins + 1;
    const lock = failed >= sec.lockoutThreshold;
    await db
      .updateTable('app_user')
      .set(lock ? { failed_logins: 0, locked_until: new Date(Date.now() + sec.lockoutMinutes * 60_000) } : { failed_logins: failed })
      .where('id', '=', u.id)
      .execute();
    await history(req, u, lock ? 'locked' : 'failure');
    await recordAudit(db, who(req, u), { action: 'auth.login', objectType: 'user', objectId: u.id, outcome: 'failure', detail: { reason: what, locked: lock } });
    if (lock) throw new Problem(423, '账号已锁定', `连续 ${sec.lockoutThreshold} 次验证失败，账号已锁定 ${sec.lockoutMinutes} 分钟`, undefined, 'locked');
    if (what === 'totp') throw unauthorized('动态口令错误或已使用', 'bad_totp');
    throw genericLoginFailure();
  }

  async function userOfSession(req: FastifyRequest): Promise<AppUser> {
    return db.selectFrom('app_user').selectAll().where('id', '=', req.user!.id).executeTakeFirstOrThrow();
  }

  async function advance(req: FastifyRequest, u: AppUser, totpVerified: boolean) {
    const sec = await settings.get('security');
    const stage = nextStage(u, sec.requireTotpForAll, totpVerified);
    await db.updateTable('user_session').set({ stage, totp_pending_enc: null }).where('id_hash', '=', req.session!.idHash).execute();
    return { stage, csrfToken: req.session!.csrfToken };
  }

  r.post('/auth/login', {
    config: { access: 'public', rateLimit: { max: 20, timeWindow: '1 minute' } },
    schema: {
      tags: ['认证'],
      summary: '账号密码登录',
      body: z.strictObject({ username: z.string().trim().min(1).max(64), password: z.string().min(1).max(128) }),
      response: { 200: sessionResponse },
    },
    handler: async (req, reply) => {
      const { username, password } = req.body;
      const u = await db.selectFrom('app_user').selectAll().where('username', '=', username).executeTakeFirst();
      if (!u) {
        await verifyPassword(password, DUMMY_HASH); // same timing as a known account
        await recordAudit(db, who(req), { action: 'auth.login', objectType: 'user', objectId: username.slice(0, 64), outcome: 'failure', detail: { reason: 'unknown_user' } });
        throw genericLoginFailure();
      }
      if (u.disabled) {
        await recordAudit(db, who(req, u), { action: 'auth.login', objectType: 'user', objectId: u.id, outcome: 'denied', detail: { reason: 'disabled' } });
        throw unauthorized('账号已停用，请联系管理员', 'disabled');
      }
      if (u.locked_until && u.locked_until.getTime() > Date.now()) {
        const minutes = Math.ceil((u.locked_until.getTime() - Date.now()) / 60_000);
        await recordAudit(db, who(req, u), { action: 'auth.login', objectType: 'user', objectId: u.id, outcome: 'denied', detail: { reason: 'locked' } });
        throw new Problem(423, '账号已锁定', `账号已锁定，请 ${minutes} 分钟后再试`, undefined, 'locked');
      }
      if (!(await verifyPassword(password, u.password_hash))) return failAttempt(req, u, 'password');

      const sec = await settings.get('security');
      const stage = nextStage(u, sec.requireTotpForAll, false);
      const session = await createSession(db, u, stage, { ip: req.ip, userAgent: req.headers['user-agent'] ?? null });
      await db.updateTable('app_user').set({ failed_logins: 0, locked_until: null, last_login_at: new Date() }).where('id', '=', u.id).execute();
      await history(req, u, stage === 'totp' ? 'password_ok' : 'success');
      await recordAudit(db, who(req, u), { action: 'auth.login', objectType: 'user', objectId: u.id, detail: { stage } });
      setCookie(req, reply, session.token);
      return { stage, csrfToken: session.csrfToken };
    },
  });

  r.post('/auth/totp/verify', {
    config: { access: 'signing-in', rateLimit: { max: 20, timeWindow: '1 minute' } },
    schema: { tags: ['认证'], summary: '输入动态口令完成登录', body: z.strictObject({ code: z.string().trim() }), response: { 200: sessionResponse } },
    handler: async (req) => {
      if (req.session!.stage !== 'totp') throw badRequest('当前无需输入动态口令');
      const u = await userOfSession(req);
      const step = totpStep(decryptField(keys, u.totp_secret_enc!), req.body.code);
      if (step === null || (u.totp_last_step !== null && step <= u.totp_last_step)) return failAttempt(req, u, 'totp');
      await db.updateTable('app_user').set({ totp_last_step: step, failed_logins: 0 }).where('id', '=', u.id).execute();
      await recordAudit(db, who(req, u), { action: 'auth.totp_verify', objectType: 'user', objectId: u.id });
      return advance(req, u, true);
    },
  });

  r.post('/auth/password', {
    config: { access: 'signing-in', rateLimit: { max: 20, timeWindow: '1 minute' } },
    schema: {
      tags: ['认证'],
      summary: '修改本人密码',
      body: z.strictObject({ currentPassword: z.string().min(1).max(128), newPassword: z.string().min(1).max(128) }),
      response: { 200: sessionResponse },
    },
    handler: async (req) => {
      if (req.session!.stage === 'totp') throw new Problem(403, '请先完成登录步骤', '请输入动态口令');
      const u = await userOfSession(req);
      if (!(await verifyPassword(req.body.currentPassword, u.password_hash))) return failAttempt(req, u, 'password');
      const sec = await settings.get('security');
      const problems = checkPassword(req.body.newPassword, u.username, { minLength: sec.passwordMinLength });
      if (req.body.newPassword === req.body.currentPassword) problems.push('新密码不能与原密码相同');
      if (problems.length) throw badRequest(problems.join('；'), problems.map((message) => ({ field: 'newPassword', message })));
      const password_hash = await hashPassword(req.body.newPassword, config.passwordIterations);
      const updated = await db
        .updateTable('app_user')
        .set({ password_hash, must_change_password: false, password_changed_at: new Date(), failed_logins: 0, updated_at: new Date() })
        .where('id', '=', u.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await endSessionsOf(db, u.id, req.session!.idHash);
      await recordAudit(db, who(req, u), { action: 'auth.password_change', objectType: 'user', objectId: u.id });
      return advance(req, updated, updated.totp_enabled);
    },
  });

  r.post('/auth/totp/setup', {
    config: { access: 'signing-in' },
    schema: {
      tags: ['认证'],
      summary: '生成动态口令绑定二维码',
      response: { 200: z.object({ secret: z.string(), uri: z.string(), qrDataUrl: z.string() }) },
    },
    handler: async (req) => {
      if (!['totp_enrol', 'full'].includes(req.session!.stage)) throw new Problem(403, '请先完成登录步骤', stageText(req.session!.stage));
      const secret = newTotpSecret();
      await db.updateTable('user_session').set({ totp_pending_enc: encryptField(keys, secret) }).where('id_hash', '=', req.session!.idHash).execute();
      const uri = totpUri(secret, req.user!.username);
      return { secret, uri, qrDataUrl: await QRCode.toDataURL(uri, { margin: 1, width: 220 }) };
    },
  });

  r.post('/auth/totp/enrol', {
    config: { access: 'signing-in', rateLimit: { max: 20, timeWindow: '1 minute' } },
    schema: { tags: ['认证'], summary: '输入动态口令确认绑定', body: z.strictObject({ code: z.string().trim() }), response: { 200: sessionResponse } },
    handler: async (req) => {
      const s = await db.selectFrom('user_session').select('totp_pending_enc').where('id_hash', '=', req.session!.idHash).executeTakeFirstOrThrow();
      if (!s.totp_pending_enc) throw badRequest('请先生成绑定二维码');
      const secret = decryptField(keys, s.totp_pending_enc);
      const step = totpStep(secret, req.body.code);
      if (step === null) throw badRequest('动态口令不正确，请核对手机时间后重试', [{ field: 'code', message: '动态口令不正确' }]);
      const updated = await db
        .updateTable('app_user')
        .set({ totp_secret_enc: encryptField(keys, secret), totp_enabled: true, totp_last_step: step, updated_at: new Date() })
        .where('id', '=', req.user!.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordAudit(db, who(req, updated), { action: 'auth.totp_enrol', objectType: 'user', objectId: updated.id });
      return advance(req, updated, true);
    },
  });

  r.post('/auth/logout', {
    config: { access: 'signing-in' },
    schema: { tags: ['认证'], summary: '退出登录', response: { 204: z.null() } },
    handler: async (req, reply) => {
      await db.deleteFrom('user_session').where('id_hash', '=', req.session!.idHash).execute();
      await recordAudit(db, req.principal(), { action: 'auth.logout', objectType: 'user', objectId: req.user!.id });
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      reply.code(204);
        return null;
    },
  });

  r.get('/auth/me', {
    config: { access: 'signing-in' },
    schema: {
      tags: ['认证'],
      summary: '当前登录信息',
      response: {
        200: z.object({
          id: z.number(),
          username: z.string(),
          displayName: z.string(),
          roles: z.array(z.object({ code: z.string(), label: z.string() })),
          permissions: z.array(z.string()),
          stage: z.string(),
          csrfToken: z.string(),
          totpEnabled: z.boolean(),
          jurisdiction: z.object({ code: z.string(), name: z.string(), level: z.string(), path: z.array(z.object({ code: z.string(), name: z.string() })) }),
        }),
      },
    },
    handler: async (req) => {
      const u = await userOfSession(req);
      return {
        id: u.id,
        username: u.username,
        displayName: u.display_name,
        roles: u.roles.map((code) => ({ code, label: ROLES[code as Role] ?? code })),
        permissions: [...permissionsOf(u.roles)],
        stage: req.session!.stage,
        csrfToken: req.session!.csrfToken,
        totpEnabled: u.totp_enabled,
        jurisdiction: await jurisdictionPath(app, u.jurisdiction_code),
      };
    },
  });
}

const stageText = (stage: string) => (stage === 'totp' ? '请输入动态口令' : '请先修改密码');

/** The user's own node with its ancestors (names only: the breadcrumb above the tree). */
async function jurisdictionPath(app: FastifyInstance, code: string) {
  const path: { code: string; name: string; level: string }[] = [];
  let next: string | null = code;
  while (next) {
    const row: { code: string; name: string; level: string; parent_code: string | null } = await app.ctx.db
      .selectFrom('jurisdiction')
      .select(['code', 'name', 'level', 'parent_code'])
      .where('code', '=', next)
      .executeTakeFirstOrThrow();
    path.unshift(row);
    next = row.parent_code;
  }
  const self = path[path.length - 1];
  return { code: self.code, name: self.name, level: self.level, path: path.map(({ code, name }) => ({ code, name })) };
}
