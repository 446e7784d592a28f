import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql, type Selectable, type Transaction } from 'kysely';
import type { AppUserTable, DB } from '../../db/schema.js';
import { ROLES, type Role } from '../../domain/auth/roles.js';
import { badRequest, notFound } from '../../http/errors.js';
import { containing, offsetOf } from '../../http/paging.js';
import { schemaOf } from '../../http/contract.js';
import { createAccount, endSession, listAccounts, listLogins, listSessions, resetPassword, resetTotp, unlockAccount, updateAccount } from './contract.js';
import { endSessionsOf } from '../auth/index.js';
import { assertBinding, assertMayAssign, assertNotDutyCredential, assertRoleSet, newPasswordHash, visibleNode } from './service.js';


type Row = Selectable<AppUserTable> & { jurisdiction_name: string; address_locked?: boolean };
/** Whether some address is currently locked out of the account (wrong passwords from there). */
const addressLocked = sql<boolean>`EXISTS (SELECT 1 FROM login_throttle t WHERE t.user_id = u.id AND t.locked_until > now())`.as('address_locked');
const toAccount = (u: Row) => ({
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
const snapshot = (u: Selectable<AppUserTable>) => ({ displayName: u.display_name, jurisdictionCode: u.jurisdiction_code, roles: u.roles, disabled: u.disabled,
  platformId: u.bound_platform_id, orgId: u.bound_org_id, instructorId: u.bound_instructor_id });

/** Accounts, each bound to one jurisdiction node; managed under 三员分立. */
export async function accountRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const iterations = app.ctx.config.passwordIterations;

  const loadAccount = async (db: Transaction<DB>, id: number): Promise<Row> => {
    const u = await db.selectFrom('app_user as u').innerJoin('jurisdiction as j', 'j.code', 'u.jurisdiction_code').selectAll('u').select(['j.name as jurisdiction_name', addressLocked]).where('u.id', '=', id).where('u.is_service', '=', false).executeTakeFirst();
    if (!u) throw notFound('账号');
    return u;
  };

  r.get(listAccounts.path, {
    config: { access: 'accounts.read' },
    schema: { ...schemaOf(listAccounts, ['账号']), querystring: listAccounts.query, response: { 200: listAccounts.response } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const { q, role: ro, disabled } = req.query;
        // Service accounts (other systems' tokens) have their own page (系统对接).
        let base = db.selectFrom('app_user as u').innerJoin('jurisdiction as j', 'j.code', 'u.jurisdiction_code').where('u.is_service', '=', false);
        if (q) {
          const like = containing(q);
          base = base.where((eb) => eb.or([eb('u.username', 'like', like), eb('u.display_name', 'like', like)]));
        }
        if (ro) base = base.where(sql<boolean>`${ro} = ANY(u.roles)`);
        if (disabled) base = base.where('u.disabled', '=', disabled === 'true');
        const [{ total }] = await base.select(sql<number>`count(*)::int`.as('total')).execute();
        const rows = await base.selectAll('u').select(['j.name as jurisdiction_name', addressLocked]).orderBy('u.scope_key').orderBy('u.username').limit(req.query.pageSize).offset(offsetOf(req.query)).execute();
        return { items: rows.map(toAccount), total, page: req.query.page, pageSize: req.query.pageSize };
      }),
  });

  r.post(createAccount.path, {
    config: { access: 'accounts.read' },
    schema: { ...schemaOf(createAccount, ['账号']), body: createAccount.body, response: { 201: createAccount.response } },
    handler: (req, reply) =>
      req.scoped(async ({ db, audit }) => {
        const b = req.body;
        assertRoleSet(b.roles);
        assertMayAssign(req.user!.permissions, b.roles);
        assertNotDutyCredential(b.roles, '创建');
        const node = await visibleNode(db, b.jurisdictionCode);
        const binding = { platformId: b.platformId ?? null, orgId: b.orgId ?? null, instructorId: b.instructorId ?? null };
        await assertBinding(db, b.roles, binding, node.scope_key);
        // A random password nobody sees: the account cannot sign in until a one-time password is issued.
        const { hash } = await newPasswordHash(iterations);
        const row = await db
          .insertInto('app_user')
          .values({ username: b.username, display_name: b.displayName, jurisdiction_code: node.code, scope_key: node.scope_key, roles: b.roles, password_hash: hash, must_change_password: true,
            bound_platform_id: binding.platformId, bound_org_id: binding.orgId, bound_instructor_id: binding.instructorId })
          .returningAll()
          .executeTakeFirstOrThrow();
        audit({ action: 'account.create', objectType: 'user', objectId: row.id, detail: { after: { username: row.username, ...snapshot(row) } } });
        reply.code(201);
        return toAccount({ ...row, jurisdiction_name: node.name });
      }),
  });

  r.patch(updateAccount.path, {
    config: { access: 'accounts.read' },
    schema: { ...schemaOf(updateAccount, ['账号']), params: updateAccount.params, body: updateAccount.body, response: { 200: updateAccount.response } },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const before = await loadAccount(db, req.params.id);
        const b = req.body;
        if (before.id === req.user!.id && (b.roles || b.disabled || b.jurisdictionCode)) throw badRequest('不能修改自己的角色、辖区或停用自己');
        const perms = req.user!.permissions;
        if (b.roles) {
          assertRoleSet(b.roles);
          const changed = [...b.roles.filter((x) => !before.roles.includes(x)), ...before.roles.filter((x) => !(b.roles as string[]).includes(x))];
          assertMayAssign(perms, changed);
        }
        // Editing the account of a duty holder is itself a duty matter.
        if (b.displayName !== undefined || b.disabled !== undefined || b.jurisdictionCode !== undefined) assertMayAssign(perms, before.roles);
        const node = b.jurisdictionCode ? await visibleNode(db, b.jurisdictionCode) : null;
        // A binding given replaces the account's binding (fields left out are cleared); none given keeps it.
        const given = b.platformId !== undefined || b.orgId !== undefined || b.instructorId !== undefined;
        const binding = {
          platformId: b.platformId !== undefined ? b.platformId : given ? null : before.bound_platform_id,
          orgId: b.orgId !== undefined ? b.orgId : given ? null : before.bound_org_id,
          instructorId: b.instructorId !== undefined ? b.instructorId : given ? null : before.bound_instructor_id,
        };
        const same = (x: number | null, y: number | null) => (x == null ? null : Number(x)) === (y == null ? null : Number(y));
        const rebound = !same(binding.platformId, before.bound_platform_id) || !same(binding.orgId, before.bound_org_id) || !same(binding.instructorId, before.bound_instructor_id);
        if (rebound) assertMayAssign(perms, b.roles ?? before.roles);
        if (rebound || b.roles || node) await assertBinding(db, b.roles ?? before.roles, binding, node?.scope_key ?? before.scope_key);
        const row = await db
          .updateTable('app_user')
          .set({
            display_name: b.displayName ?? before.display_name,
            roles: b.roles ?? before.roles,
            disabled: b.disabled ?? before.disabled,
            jurisdiction_code: node?.code ?? before.jurisdiction_code,
            scope_key: node?.scope_key ?? before.scope_key,
            bound_platform_id: binding.platformId, bound_org_id: binding.orgId, bound_instructor_id: binding.instructorId,
            updated_at: new Date(),
          })
          .where('id', '=', before.id)
          .returningAll()
          .executeTakeFirstOrThrow();
        const accessChanged = !!b.roles || b.disabled === true || !!node || rebound;
        const ended = accessChanged ? await endSessionsOf(db, row.id) : 0;
        audit({ action: 'account.update', objectType: 'user', objectId: row.id, detail: { before: snapshot(before), after: snapshot(row), sessionsEnded: ended } });
        return toAccount({ ...row, jurisdiction_name: node?.name ?? before.jurisdiction_name });
      }),
  });

  r.post(resetPassword.path, {
    config: { access: 'accounts.reset' },
    schema: { ...schemaOf(resetPassword, ['账号']), params: resetPassword.params, response: { 200: resetPassword.response } },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const before = await loadAccount(db, req.params.id);
        if (before.id === req.user!.id) throw badRequest('请在"修改密码"中修改自己的密码');
        assertNotDutyCredential(before.roles, '密码');
        const { password, hash } = await newPasswordHash(iterations);
        await db.updateTable('app_user').set({ password_hash: hash, must_change_password: true, failed_logins: 0, locked_until: null, updated_at: new Date() }).where('id', '=', before.id).execute();
        await db.deleteFrom('login_throttle').where('user_id', '=', before.id).execute();
        const ended = await endSessionsOf(db, before.id);
        audit({ action: 'account.reset_password', objectType: 'user', objectId: before.id, detail: { sessionsEnded: ended, oneTimePassword: true } });
        return { temporaryPassword: password };
      }),
  });

  r.post(unlockAccount.path, {
    config: { access: 'sessions.manage' },
    schema: { ...schemaOf(unlockAccount, ['账号']), params: unlockAccount.params, response: { 200: unlockAccount.response } },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const before = await loadAccount(db, req.params.id);
        const row = await db.updateTable('app_user').set({ failed_logins: 0, locked_until: null, updated_at: new Date() }).where('id', '=', before.id).returningAll().executeTakeFirstOrThrow();
        const cleared = await db.deleteFrom('login_throttle').where('user_id', '=', before.id).executeTakeFirst();
        audit({ action: 'account.unlock', objectType: 'user', objectId: before.id, detail: { addressLocks: Number(cleared.numDeletedRows) } });
        return toAccount({ ...row, jurisdiction_name: before.jurisdiction_name });
      }),
  });

  r.post(resetTotp.path, {
    config: { access: 'sessions.manage' },
    schema: { ...schemaOf(resetTotp, ['账号']), params: resetTotp.params, response: { 200: resetTotp.response } },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const before = await loadAccount(db, req.params.id);
        assertNotDutyCredential(before.roles, '动态口令');
        const row = await db.updateTable('app_user').set({ totp_enabled: false, totp_secret_enc: null, totp_last_step: null, updated_at: new Date() }).where('id', '=', before.id).returningAll().executeTakeFirstOrThrow();
        const ended = await endSessionsOf(db, before.id);
        audit({ action: 'account.reset_totp', objectType: 'user', objectId: before.id, detail: { sessionsEnded: ended } });
        return toAccount({ ...row, jurisdiction_name: before.jurisdiction_name });
      }),
  });

  r.get(listLogins.path, {
    config: { access: 'accounts.read' },
    schema: { ...schemaOf(listLogins, ['账号']), params: listLogins.params, querystring: listLogins.query, response: { 200: listLogins.response } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        await loadAccount(db, req.params.id);
        const base = db.selectFrom('login_history').where('user_id', '=', req.params.id);
        const [{ total }] = await base.select(sql<number>`count(*)::int`.as('total')).execute();
        const rows = await base.select(['at', 'ip', 'user_agent', 'outcome']).orderBy('at', 'desc').limit(req.query.pageSize).offset(offsetOf(req.query)).execute();
        return { items: rows.map((h) => ({ at: h.at, ip: h.ip, userAgent: h.user_agent, outcome: h.outcome })), total, page: req.query.page, pageSize: req.query.pageSize };
      }),
  });

  r.get(listSessions.path, {
    config: { access: 'sessions.manage' },
    schema: { ...schemaOf(listSessions, ['账号']), querystring: listSessions.query, response: { 200: listSessions.response } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const base = db.selectFrom('user_session as s').innerJoin('app_user as u', 'u.id', 's.user_id');
        const [{ total }] = await base.select(sql<number>`count(*)::int`.as('total')).execute();
        const rows = await base.select(['s.id_hash', 's.user_id', 'u.username', 'u.display_name', 's.stage', 's.ip', 's.user_agent', 's.created_at', 's.last_seen_at']).orderBy('s.last_seen_at', 'desc').limit(req.query.pageSize).offset(offsetOf(req.query)).execute();
        return {
          items: rows.map((s) => ({ id: s.id_hash, userId: s.user_id, username: s.username, displayName: s.display_name, stage: s.stage, ip: s.ip, userAgent: s.user_agent, createdAt: s.created_at, lastSeenAt: s.last_seen_at })),
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
      req.scoped(async ({ db, audit }) => {
        const s = await db.deleteFrom('user_session').where('id_hash', '=', req.params.id).returning(['user_id']).executeTakeFirst();
        if (!s) throw notFound('会话');
        audit({ action: 'session.force_logout', objectType: 'user', objectId: s.user_id });
        reply.code(204);
        return null;
      }),
  });
}
