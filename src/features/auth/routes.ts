import crypto from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import QRCode from 'qrcode';
import type { AppUser } from '../../db/schema.js';
import { recordAudit } from '../../db/audit-chain.js';
import { hashPassword, verifyPassword } from '../../crypto/password.js';
import { blindIndex, decryptField, encryptField } from '../../crypto/field.js';
import { UnknownNameThrottle } from './unknown-throttle.js';
import { checkPassword } from '../../domain/auth/password-policy.js';
import { isLocked, minutesLeft } from '../../domain/auth/lockout.js';
import { ACCOUNT_NAME, attemptedName } from '../../domain/auth/account-name.js';
import { ROLES, type Role, permissionsOf } from '../../domain/auth/roles.js';
import { schemaOf } from '../../http/contract.js';
import { Problem, badRequest, unauthorized } from '../../http/errors.js';
import { changePassword, enrolTotp, getMe, login, logout, setupTotp, verifyTotp } from './contract.js';
import {
  SESSION_COOKIE,
  createSession,
  endHalfSignedIn,
  endOldestSessions,
  endSessionsOf,
  nextStage,
} from './sessions.js';
import { newTotpSecret, totpStep, totpUri } from './totp.js';
import { endSession } from '../../http/sessions.js';
import { clientKey } from '../../domain/auth/client-address.js';
import {
  addressLockedUntil,
  commonIterations,
  jurisdictionPath,
  pendingTotpSecret,
  userById,
  userByName,
} from './queries.js';
import {
  bindTotp,
  clearAddressFailures,
  countAddressAttempt,
  lockAddress,
  countSecondFactorAttempt,
  lockAfterSecondFactor,
  settleSecondFactor,
  takeTotpStep,
  holdPendingTotp,
  markSignedIn,
  recordLoginHistory,
  setOwnPassword,
  advanceSession,
} from './writes.js';

const genericLoginFailure = () => unauthorized('账号或密码错误', 'bad_credentials');
/** The refusal of a password attempt past the threshold while those before it are checked (sent at once). */
const ATTEMPTS_AT_ONCE = '本地址短时间内的登录尝试过多，该账号在本地址的登录已暂停，请稍后再试';

const TAGS = ['认证'];

export async function authRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db, keys, settings, config } = app.ctx;
  // An unknown account's password is checked against a hash of the accounts' own cost (the count
  // most of their stored hashes carry), so the answer takes as long as for a known one: a fixed
  // 100,000 (round 4), then this process's calibration after a restart (round 5) told them apart.
  let dummyHash: Promise<string> | undefined;
  const dummy = () =>
    (dummyHash ??= commonIterations(db).then((it) =>
      hashPassword(crypto.randomUUID(), it ?? config.passwordIterations),
    ));

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
    recordLoginHistory(db, u, { ip: req.ip, userAgent: req.headers['user-agent']?.slice(0, 300) ?? null }, outcome);

  const lockedProblem = (detail: string) => new Problem(423, '账号已锁定', detail, undefined, 'locked');

  /**
   * The lock, checked at every step of signing in (password, TOTP code, forced password change):
   * the account's own lock (set by wrong second factors, or by an administrator) and the lock of
   * this account at this client address (set by wrong passwords). A half-signed-in session that
   * meets a lock is ended. Before the password is checked only the address lock answers (`addressOnly`),
   * as it does for a name that names no account: the account's own lock and its being disabled are
   * told to whoever knows its password, else the name alone tells that it exists and has a second
   * factor (round-8 probe: a wrong password for an account locked by wrong codes answered 423).
   */
  async function assertMaySignIn(req: FastifyRequest, u: AppUser, addressOnly = false): Promise<void> {
    const refuse = async (reason: string, detail: string, code = 'locked') => {
      if (req.session && req.session.stage !== 'full') await endSession(db, req.session.idHash);
      await recordAudit(db, who(req, u), {
        action: 'auth.login',
        objectType: 'user',
        objectId: u.id,
        outcome: 'denied',
        detail: { reason, step: req.session?.stage ?? 'password' },
      });
      throw code === 'disabled' ? unauthorized(detail, 'disabled') : lockedProblem(detail);
    };
    if (!addressOnly && u.disabled) return refuse('disabled', '账号已停用，请联系管理员', 'disabled');
    if (!addressOnly && isLocked(u.locked_until))
      return refuse('locked', `账号已锁定，请 ${minutesLeft(u.locked_until!)} 分钟后再试，或请安全管理员解锁`);
    const here = await addressLockedUntil(db, u.id, clientKey(req.ip));
    if (isLocked(here)) return refuse('locked_here', lockedHereDetail(here!));
  }
  /**
   * A password attempt past the threshold while those before it are still being checked (sent at
   * once): refused unchecked, in the same words for a name with an account and one without.
   */
  async function refuseUnchecked(req: FastifyRequest, u: AppUser): Promise<never> {
    await recordAudit(db, who(req, u), {
      action: 'auth.login',
      objectType: 'user',
      objectId: u.id,
      outcome: 'denied',
      detail: { reason: 'locked_here', step: 'password', unchecked: true },
    });
    throw lockedProblem(ATTEMPTS_AT_ONCE);
  }
  const lockedHereDetail = (until: Date) =>
    `本地址连续验证失败，该账号在本地址的登录已暂停，请 ${minutesLeft(until)} 分钟后再试`;
  const thresholdProblem = (threshold: number, minutes: number) =>
    lockedProblem(`连续 ${threshold} 次密码错误，该账号在本地址的登录已暂停 ${minutes} 分钟`);

  /**
   * A name that names no account answers as an account would: the dummy hash's time, and the
   * address lock at the same threshold (unknown-throttle.ts), audited as before.
   */
  const unknownNames = new UnknownNameThrottle();
  async function failUnknownName(req: FastifyRequest, username: string, password: string): Promise<never> {
    const nameKey = blindIndex(keys, `sign-in:${username}`);
    const audit = (more: Record<string, unknown>) =>
      recordAudit(db, who(req), {
        action: 'auth.login',
        objectType: 'user',
        // Not as typed unless it has an account name's shape: a phone, an ID number or a password
        // typed into the name field stays out of the trail (round-6 probe).
        objectId: attemptedName(username).slice(0, 64),
        outcome: 'failure',
        detail: {
          reason: 'unknown_user',
          ...(ACCOUNT_NAME.test(username) ? {} : { shape: 'not_account_name' }),
          ...more,
        },
      });
    const here = unknownNames.lockedUntil(nameKey, clientKey(req.ip));
    if (here) {
      await audit({ lockedHere: true });
      throw lockedProblem(lockedHereDetail(here));
    }
    const sec = await settings.get('security');
    const attempt = unknownNames.attempt(nameKey, clientKey(req.ip));
    if (attempt > sec.lockoutThreshold) {
      await audit({ lockedHere: true, unchecked: true });
      throw lockedProblem(ATTEMPTS_AT_ONCE);
    }
    await verifyPassword(password, await dummy()); // same timing as a known account
    const { lock, minutes } = unknownNames.fail(nameKey, clientKey(req.ip), attempt, sec);
    await audit({ lockedHere: lock, ...(lock ? { minutes } : {}) });
    if (lock) throw thresholdProblem(sec.lockoutThreshold, minutes);
    throw genericLoginFailure();
  }

  /**
   * A wrong password at sign-in: counted for this account at this address only. At the threshold
   * this address is locked out of this account, each time twice as long; the owner signs in from
   * elsewhere (issue 16, finding 8).
   */
  async function failPassword(
    req: FastifyRequest,
    u: AppUser,
    { attempt, locks }: { attempt: number; locks: number },
    sec: { lockoutThreshold: number; lockoutMinutes: number },
  ): Promise<never> {
    const lock = attempt >= sec.lockoutThreshold;
    const minutes = lock ? await lockAddress(db, u.id, clientKey(req.ip), locks, sec) : 0;
    await history(req, u, lock ? 'locked' : 'failure');
    await recordAudit(db, who(req, u), {
      action: 'auth.login',
      objectType: 'user',
      objectId: u.id,
      outcome: 'failure',
      detail: { reason: 'password', lockedHere: lock, ...(lock ? { minutes } : {}) },
    });
    if (lock) throw thresholdProblem(sec.lockoutThreshold, minutes);
    throw genericLoginFailure();
  }

  /**
   * A TOTP code, or the current password inside a session: whoever sends it already got past the
   * password, so each attempt counts on the account (countSecondFactorAttempt, before it is
   * checked) and the threshold locks it from everywhere; every half-signed-in session of the
   * account ends with the lock (issue 16, finding 2). `wrongOf` checks the answer (taking the
   * code's step) and names what was wrong, null when nothing; a right answer forgives the failures before it.
   */
  async function secondFactor(
    req: FastifyRequest,
    u: AppUser,
    wrongOf: () => Promise<'totp' | 'current_password' | null>,
  ): Promise<void> {
    const sec = await settings.get('security');
    const counted = await countSecondFactorAttempt(db, u.id, sec);
    if (!counted) {
      const ended = await endHalfSignedIn(db, u.id);
      await recordAudit(db, who(req, u), {
        action: 'auth.login',
        objectType: 'user',
        objectId: u.id,
        outcome: 'denied',
        detail: { reason: 'locked', step: req.session?.stage ?? 'password', sessionsEnded: ended },
      });
      throw lockedProblem('账号已锁定（连续验证失败，或由管理员锁定），请稍后再试，或请安全管理员解锁');
    }
    const what = await wrongOf();
    if (!what) return settleSecondFactor(db, u.id);
    const lock = counted.attempt >= sec.lockoutThreshold;
    if (lock) await lockAfterSecondFactor(db, u.id);
    const ended = lock ? await endHalfSignedIn(db, u.id) : 0;
    await history(req, u, lock ? 'locked' : 'failure');
    await recordAudit(db, who(req, u), {
      action: 'auth.login',
      objectType: 'user',
      objectId: u.id,
      outcome: 'failure',
      detail: { reason: what, locked: lock, ...(lock ? { sessionsEnded: ended } : {}) },
    });
    if (lock)
      throw lockedProblem(
        `连续 ${sec.lockoutThreshold} 次验证失败，账号已锁定 ${sec.lockoutMinutes} 分钟；如非本人操作，请立即联系安全管理员并修改密码`,
      );
    if (what === 'totp') throw unauthorized('动态口令错误或已使用', 'bad_totp');
    throw unauthorized('当前密码错误', 'bad_credentials');
  }

  /** Whether a code is the account's for now, its step not taken before (nor at this moment by another request). */
  const codePasses = async (u: AppUser, code: string) => {
    const step = totpStep(decryptField(keys, u.totp_secret_enc!), code);
    return step !== null && (await takeTotpStep(db, u.id, step));
  };

  async function userOfSession(req: FastifyRequest): Promise<AppUser> {
    return userById(db, req.user!.id);
  }

  /** A session has reached the full stage: the account's oldest sessions beyond the limit end, audited. */
  async function onSignedIn(req: FastifyRequest, u: AppUser): Promise<void> {
    const { maxSessionsPerAccount } = await settings.get('security');
    const ended = await endOldestSessions(db, u.id, maxSessionsPerAccount);
    for (const s of ended) {
      await recordAudit(db, who(req, u), {
        action: 'session.evicted',
        objectType: 'user',
        objectId: u.id,
        detail: {
          reason: 'max_sessions',
          limit: maxSessionsPerAccount,
          sessionIp: s.ip,
          sessionCreatedAt: s.createdAt.toISOString(),
        },
      });
    }
  }

  /** The session's next stage, under a new token (writes.ts, advanceSession): the cookie is set again. */
  async function advance(req: FastifyRequest, reply: FastifyReply, u: AppUser, totpVerified: boolean) {
    const sec = await settings.get('security');
    const stage = nextStage(u, sec.requireTotpForAll, totpVerified);
    const next = await advanceSession(db, req.session!.idHash, stage);
    req.session = { idHash: next.idHash, stage, csrfToken: next.csrfToken };
    setCookie(req, reply, next.token);
    if (stage === 'full') await onSignedIn(req, u);
    return { stage, csrfToken: next.csrfToken };
  }

  /**
   * Re-authentication inside a signed-in session before a credential changes (issue 16,
   * finding 7): the current password, and the current TOTP code when one is bound. A session
   * still signing in has just given them.
   */
  async function reauthenticate(
    req: FastifyRequest,
    u: AppUser,
    given: { currentPassword?: string; code?: string },
  ): Promise<void> {
    const needCode = req.session!.stage === 'full' && u.totp_enabled;
    const missing: { field: string; message: string }[] = [];
    if (!given.currentPassword) missing.push({ field: 'currentPassword', message: '请输入当前密码' });
    if (needCode && !given.code) missing.push({ field: 'code', message: '请输入当前的动态口令' });
    if (missing.length)
      throw badRequest(`修改登录凭据前须验证身份：${missing.map((m) => m.message).join('；')}`, missing);
    // One attempt for both: a wrong password or a wrong code counts once.
    await secondFactor(req, u, async () => {
      if (!(await verifyPassword(given.currentPassword!, u.password_hash))) return 'current_password';
      return !needCode || (await codePasses(u, given.code!)) ? null : 'totp';
    });
  }

  /** Ends the session a sign-in replaces, audited under the account it belonged to. */
  async function endReplacedSession(req: FastifyRequest, u: AppUser): Promise<void> {
    await endSession(db, req.session!.idHash);
    await recordAudit(
      db,
      who(req, req.user ? { id: req.user.id, username: req.user.username, scope_key: req.user.scopeKey } : u),
      {
        action: 'session.replaced',
        objectType: 'user',
        objectId: req.user?.id ?? u.id,
        detail: { stage: req.session!.stage, signedInAs: u.id },
      },
    );
    req.session = null;
    req.user = null;
  }

  r.post(login.path, {
    config: { access: 'public', rateLimit: { max: 20, timeWindow: '1 minute' } },
    schema: { ...schemaOf(login, TAGS), body: login.body, response: { 200: login.response } },
    handler: async (req, reply) => {
      const { username, password } = req.body;
      const u = await userByName(db, username);
      if (!u) return failUnknownName(req, username, password);
      await assertMaySignIn(req, u, true);
      const sec = await settings.get('security');
      const counted = await countAddressAttempt(db, u, clientKey(req.ip));
      if (counted.attempt > sec.lockoutThreshold) await refuseUnchecked(req, u);
      if (!(await verifyPassword(password, u.password_hash))) return failPassword(req, u, counted, sec);
      await assertMaySignIn(req, u);

      // The session this browser still held (its cookie came with the sign-in) ends here: the new
      // cookie replaces it in the browser, and left alive it lapsed only at the idle timeout, usable
      // by whoever had read its token (round 10 left this open).
      if (req.session) await endReplacedSession(req, u);
      const stage = nextStage(u, sec.requireTotpForAll, false);
      const session = await createSession(db, u, stage, { ip: req.ip, userAgent: req.headers['user-agent'] ?? null });
      await clearAddressFailures(db, u.id, clientKey(req.ip));
      // The account's second-factor failure count resets only when a sign-in completes.
      await markSignedIn(db, u.id, stage !== 'totp');
      await history(req, u, stage === 'totp' ? 'password_ok' : 'success');
      await recordAudit(db, who(req, u), {
        action: 'auth.login',
        objectType: 'user',
        objectId: u.id,
        detail: { stage, ...(u.must_change_password ? { oneTimePassword: true } : {}) },
      });
      if (stage === 'full') await onSignedIn(req, u);
      setCookie(req, reply, session.token);
      return { stage, csrfToken: session.csrfToken };
    },
  });

  r.post(verifyTotp.path, {
    config: { access: 'signing-in', rateLimit: { max: 20, timeWindow: '1 minute' } },
    schema: { ...schemaOf(verifyTotp, TAGS), body: verifyTotp.body, response: { 200: verifyTotp.response } },
    handler: async (req, reply) => {
      if (req.session!.stage !== 'totp') throw badRequest('当前无需输入动态口令');
      const u = await userOfSession(req);
      await assertMaySignIn(req, u);
      await secondFactor(req, u, async () => ((await codePasses(u, req.body.code)) ? null : 'totp'));
      await recordAudit(db, who(req, u), { action: 'auth.totp_verify', objectType: 'user', objectId: u.id });
      return advance(req, reply, u, true);
    },
  });

  r.post(changePassword.path, {
    config: { access: 'signing-in', rateLimit: { max: 20, timeWindow: '1 minute' } },
    schema: {
      ...schemaOf(changePassword, TAGS),
      body: changePassword.body,
      response: { 200: changePassword.response },
    },
    handler: async (req, reply) => {
      if (req.session!.stage === 'totp') throw new Problem(403, '请先完成登录步骤', '请输入动态口令');
      const u = await userOfSession(req);
      if (req.session!.stage !== 'full') await assertMaySignIn(req, u);
      await reauthenticate(req, u, req.body);
      const sec = await settings.get('security');
      const problems = checkPassword(req.body.newPassword, u.username, { minLength: sec.passwordMinLength });
      if (req.body.newPassword === req.body.currentPassword) problems.push('新密码不能与原密码相同');
      if (problems.length)
        throw badRequest(
          problems.join('；'),
          problems.map((message) => ({ field: 'newPassword', message })),
        );
      const password_hash = await hashPassword(req.body.newPassword, config.passwordIterations);
      const updated = await setOwnPassword(db, u.id, password_hash, req.session!.idHash);
      await recordAudit(db, who(req, u), { action: 'auth.password_change', objectType: 'user', objectId: u.id });
      return advance(req, reply, updated, updated.totp_enabled);
    },
  });

  r.post(setupTotp.path, {
    config: { access: 'signing-in', rateLimit: { max: 20, timeWindow: '1 minute' } },
    schema: { ...schemaOf(setupTotp, TAGS), body: setupTotp.body, response: { 200: setupTotp.response } },
    handler: async (req) => {
      if (!['totp_enrol', 'full'].includes(req.session!.stage))
        throw new Problem(403, '请先完成登录步骤', stageText(req.session!.stage));
      if (req.session!.stage === 'full') await reauthenticate(req, await userOfSession(req), req.body ?? {});
      const secret = newTotpSecret();
      await holdPendingTotp(db, req.session!.idHash, encryptField(keys, secret));
      const uri = totpUri(secret, req.user!.username);
      return { secret, uri, qrDataUrl: await QRCode.toDataURL(uri, { margin: 1, width: 220 }) };
    },
  });

  r.post(enrolTotp.path, {
    config: { access: 'signing-in', rateLimit: { max: 20, timeWindow: '1 minute' } },
    schema: { ...schemaOf(enrolTotp, TAGS), body: enrolTotp.body, response: { 200: enrolTotp.response } },
    handler: async (req, reply) => {
      if (!['totp_enrol', 'full'].includes(req.session!.stage))
        throw new Problem(403, '请先完成登录步骤', stageText(req.session!.stage));
      const pending = await pendingTotpSecret(db, req.session!.idHash);
      if (!pending) throw badRequest('请先生成绑定二维码');
      const secret = decryptField(keys, pending);
      const step = totpStep(secret, req.body.code);
      if (step === null)
        throw badRequest('动态口令不正确，请核对手机时间后重试', [{ field: 'code', message: '动态口令不正确' }]);
      const rebind = req.session!.stage === 'full';
      const updated = await bindTotp(db, req.user!.id, encryptField(keys, secret), step);
      // A new second factor ends the account's other sessions, as a new password does.
      const ended = rebind ? await endSessionsOf(db, updated.id, req.session!.idHash) : 0;
      await recordAudit(db, who(req, updated), {
        action: 'auth.totp_enrol',
        objectType: 'user',
        objectId: updated.id,
        detail: rebind ? { rebind, sessionsEnded: ended } : undefined,
      });
      return advance(req, reply, updated, true);
    },
  });

  r.post(logout.path, {
    config: { access: 'signing-in' },
    schema: { ...schemaOf(logout, TAGS), response: { 204: logout.response } },
    handler: async (req, reply) => {
      await endSession(db, req.session!.idHash);
      await recordAudit(db, req.principal(), { action: 'auth.logout', objectType: 'user', objectId: req.user!.id });
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      reply.code(204);
      return null;
    },
  });

  r.get(getMe.path, {
    config: { access: 'signing-in' },
    schema: { ...schemaOf(getMe, TAGS), response: { 200: getMe.response } },
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
        timeZone: app.ctx.config.timeZone,
        jurisdiction: await jurisdictionPath(db, u.jurisdiction_code),
      };
    },
  });
}

const stageText = (stage: string) => (stage === 'totp' ? '请输入动态口令' : '请先修改密码');
