import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ROLES, type Role } from '../../domain/auth/roles.js';
import { badRequest } from '../../http/errors.js';
import { schemaOf } from '../../http/contract.js';
import {
  createAccount,
  endSession,
  listAccounts,
  listLogins,
  listSessions,
  resetPassword,
  resetTotp,
  unlockAccount,
  updateAccount,
} from './contract.js';
import {
  assertBinding,
  assertDutyAccountKept,
  assertMayAssign,
  assertNotDutyCredential,
  assertRoleSet,
  newPasswordHash,
  visibleNode,
} from './service.js';
import { accountPage, accountRow, loginPage, sessionPage, type AccountRow } from './queries.js';
import {
  clearAccountLocks,
  forceLogout,
  insertAccount,
  resetAccountPassword,
  unbindAccountTotp,
  updateAccountRecord,
} from './writes.js';

const toAccount = (u: AccountRow) => ({
  id: u.id,
  username: u.username,
  displayName: u.display_name,
  jurisdictionCode: u.jurisdiction_code,
  jurisdictionName: u.jurisdiction_name,
  roles: u.roles.map((code) => ({ code, label: ROLES[code as Role] ?? code })),
  disabled: u.disabled,
  locked: (!!u.locked_until && u.locked_until.getTime() > Date.now()) || !!u.address_locked,
  totpEnabled: u.totp_enabled,
  mustChangePassword: u.must_change_password,
  lastLoginAt: u.last_login_at,
  createdAt: u.created_at,
  platformId: u.bound_platform_id == null ? null : Number(u.bound_platform_id),
  orgId: u.bound_org_id == null ? null : Number(u.bound_org_id),
  instructorId: u.bound_instructor_id == null ? null : Number(u.bound_instructor_id),
});

/** Accounts, each bound to one jurisdiction node; managed under 三员分立. */
export async function accountRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const iterations = app.ctx.config.passwordIterations;

  r.get(listAccounts.path, {
    config: { access: 'accounts.read' },
    schema: {
      ...schemaOf(listAccounts, ['账号']),
      querystring: listAccounts.query,
      response: { 200: listAccounts.response },
    },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const { rows, total } = await accountPage(db, req.query, req.query);
        return { items: rows.map(toAccount), total, page: req.query.page, pageSize: req.query.pageSize };
      }),
  });

  r.post(createAccount.path, {
    config: { access: 'accounts.read' },
    schema: {
      ...schemaOf(createAccount, ['账号']),
      body: createAccount.body,
      response: { 201: createAccount.response },
    },
    handler: (req, reply) =>
      req.scoped(async (sc) => {
        const { db } = sc;
        const b = req.body;
        assertRoleSet(b.roles);
        assertMayAssign(req.user!.permissions, b.roles);
        assertNotDutyCredential(b.roles, '创建');
        const node = await visibleNode(db, b.jurisdictionCode);
        const binding = {
          platformId: b.platformId ?? null,
          orgId: b.orgId ?? null,
          instructorId: b.instructorId ?? null,
        };
        await assertBinding(db, b.roles, binding, node.scope_key);
        // A random password nobody sees: the account cannot sign in until a one-time password is issued.
        const { hash } = await newPasswordHash(iterations);
        const row = await insertAccount(sc, b, node, binding, hash);
        reply.code(201);
        return toAccount({ ...row, jurisdiction_name: node.name });
      }),
  });

  r.patch(updateAccount.path, {
    config: { access: 'accounts.read' },
    schema: {
      ...schemaOf(updateAccount, ['账号']),
      params: updateAccount.params,
      body: updateAccount.body,
      response: { 200: updateAccount.response },
    },
    handler: (req) =>
      req.scoped(async (sc) => {
        const { db } = sc;
        const before = await accountRow(db, req.params.id);
        const b = req.body;
        if (before.id === req.user!.id && (b.roles || b.disabled || b.jurisdictionCode))
          throw badRequest('不能修改自己的角色、辖区或停用自己');
        const perms = req.user!.permissions;
        if (b.roles) assertRoleSet(b.roles);
        assertDutyAccountKept(before, b);
        if (b.roles) {
          const changed = [
            ...b.roles.filter((x) => !before.roles.includes(x)),
            ...before.roles.filter((x) => !(b.roles as string[]).includes(x)),
          ];
          assertMayAssign(perms, changed);
        }
        // Editing the account of a duty holder is itself a duty matter.
        if (b.displayName !== undefined || b.disabled !== undefined || b.jurisdictionCode !== undefined)
          assertMayAssign(perms, before.roles);
        const node = b.jurisdictionCode ? await visibleNode(db, b.jurisdictionCode) : null;
        // A binding given replaces the account's binding (fields left out are cleared); none given keeps it.
        const given = b.platformId !== undefined || b.orgId !== undefined || b.instructorId !== undefined;
        const binding = {
          platformId: b.platformId !== undefined ? b.platformId : given ? null : before.bound_platform_id,
          orgId: b.orgId !== undefined ? b.orgId : given ? null : before.bound_org_id,
          instructorId: b.instructorId !== undefined ? b.instructorId : given ? null : before.bound_instructor_id,
        };
        const same = (x: number | null, y: number | null) =>
          (x == null ? null : Number(x)) === (y == null ? null : Number(y));
        const rebound =
          !same(binding.platformId, before.bound_platform_id) ||
          !same(binding.orgId, before.bound_org_id) ||
          !same(binding.instructorId, before.bound_instructor_id);
        if (rebound) assertMayAssign(perms, b.roles ?? before.roles);
        if (rebound || b.roles || node)
          await assertBinding(db, b.roles ?? before.roles, binding, node?.scope_key ?? before.scope_key);
        const accessChanged = !!b.roles || b.disabled === true || !!node || rebound;
        const row = await updateAccountRecord(sc, before, b, node, binding, accessChanged);
        return toAccount({ ...row, jurisdiction_name: node?.name ?? before.jurisdiction_name });
      }),
  });

  r.post(resetPassword.path, {
    config: { access: 'accounts.reset' },
    schema: {
      ...schemaOf(resetPassword, ['账号']),
      params: resetPassword.params,
      response: { 200: resetPassword.response },
    },
    handler: (req) =>
      req.scoped(async (sc) => {
        const before = await accountRow(sc.db, req.params.id);
        if (before.id === req.user!.id) throw badRequest('请在"修改密码"中修改自己的密码');
        assertNotDutyCredential(before.roles, '密码');
        const { password, hash } = await newPasswordHash(iterations);
        await resetAccountPassword(sc, before.id, hash);
        return { temporaryPassword: password };
      }),
  });

  r.post(unlockAccount.path, {
    config: { access: 'sessions.manage' },
    schema: {
      ...schemaOf(unlockAccount, ['账号']),
      params: unlockAccount.params,
      response: { 200: unlockAccount.response },
    },
    handler: (req) =>
      req.scoped(async (sc) => {
        const before = await accountRow(sc.db, req.params.id);
        const row = await clearAccountLocks(sc, before.id);
        return toAccount({ ...row, jurisdiction_name: before.jurisdiction_name });
      }),
  });

  r.post(resetTotp.path, {
    config: { access: 'sessions.manage' },
    schema: { ...schemaOf(resetTotp, ['账号']), params: resetTotp.params, response: { 200: resetTotp.response } },
    handler: (req) =>
      req.scoped(async (sc) => {
        const before = await accountRow(sc.db, req.params.id);
        assertNotDutyCredential(before.roles, '动态口令');
        const row = await unbindAccountTotp(sc, before.id);
        return toAccount({ ...row, jurisdiction_name: before.jurisdiction_name });
      }),
  });

  r.get(listLogins.path, {
    config: { access: 'accounts.read' },
    schema: {
      ...schemaOf(listLogins, ['账号']),
      params: listLogins.params,
      querystring: listLogins.query,
      response: { 200: listLogins.response },
    },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        await accountRow(db, req.params.id);
        const { rows, total } = await loginPage(db, req.params.id, req.query);
        return {
          items: rows.map((h) => ({ at: h.at, ip: h.ip, userAgent: h.user_agent, outcome: h.outcome })),
          total,
          page: req.query.page,
          pageSize: req.query.pageSize,
        };
      }),
  });

  r.get(listSessions.path, {
    config: { access: 'sessions.manage' },
    schema: {
      ...schemaOf(listSessions, ['账号']),
      querystring: listSessions.query,
      response: { 200: listSessions.response },
    },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const { rows, total } = await sessionPage(db, req.query);
        return {
          items: rows.map((s) => ({
            id: s.id_hash,
            userId: s.user_id,
            username: s.username,
            displayName: s.display_name,
            stage: s.stage,
            ip: s.ip,
            userAgent: s.user_agent,
            createdAt: s.created_at,
            lastSeenAt: s.last_seen_at,
          })),
          total,
          page: req.query.page,
          pageSize: req.query.pageSize,
        };
      }),
  });

  r.delete(endSession.path, {
    config: { access: 'sessions.manage' },
    schema: { ...schemaOf(endSession, ['账号']), params: endSession.params, response: { 204: endSession.response } },
    handler: (req, reply) =>
      req.scoped(async (sc) => {
        await forceLogout(sc, req.params.id);
        reply.code(204);
        return null;
      }),
  });
}
