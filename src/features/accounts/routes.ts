import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql, type Selectable, type Transaction } from 'kysely';
import { z } from 'zod';
import type { AppUserTable, DB } from '../../db/schema.js';
import { ROLE_CODES, ROLES, type Role } from '../../domain/auth/roles.js';
import { badRequest, notFound } from '../../http/errors.js';
import { containing, idParam, offsetOf, pageOf, pageQuery } from '../../http/paging.js';
import { endSessionsOf } from '../auth/sessions.js';
import { assertMayAssign, assertRoleSet, newPasswordHash, visibleNode } from './service.js';

const role = z.enum(ROLE_CODES as [Role, ...Role[]]);
const account = z.object({
  id: z.number(),
  username: z.string(),
  displayName: z.string(),
  jurisdictionCode: z.string(),
  jurisdictionName: z.string(),
  roles: z.array(z.object({ code: z.string(), label: z.string() })),
  disabled: z.boolean(),
  locked: z.boolean(),
  totpEnabled: z.boolean(),
  mustChangePassword: z.boolean(),
  lastLoginAt: z.date().nullable(),
  createdAt: z.date(),
});

type Row = Selectable<AppUserTable> & { jurisdiction_name: string };
const toAccount = (u: Row) => ({
  id: u.id,
  username: u.username,
  displayName: u.display_name,
  jurisdictionCode: u.jurisdiction_code,
  jurisdictionName: u.jurisdiction_name,
  roles: u.roles.map((code) => ({ code, label: ROLES[code as Role] ?? code })),
  disabled: u.disabled,
  locked: !!u.locked_until && u.locked_until.getTime() > Date.now(),
  totpEnabled: u.totp_enabled,
  mustChangePassword: u.must_change_password,
  lastLoginAt: u.last_login_at,
  createdAt: u.created_at,
});
const snapshot = (u: Selectable<AppUserTable>) => ({ displayName: u.display_name, jurisdictionCode: u.jurisdiction_code, roles: u.roles, disabled: u.disabled });

/** Accounts, each bound to one jurisdiction node; managed under 三员分立. */
export async function accountRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const iterations = app.ctx.config.passwordIterations;

  const loadAccount = async (db: Transaction<DB>, id: number): Promise<Row> => {
    const u = await db.selectFrom('app_user as u').innerJoin('jurisdiction as j', 'j.code', 'u.jurisdiction_code').selectAll('u').select('j.name as jurisdiction_name').where('u.id', '=', id).executeTakeFirst();
    if (!u) throw notFound('账号');
    return u;
  };

  r.get('/accounts', {
    config: { access: 'accounts.read' },
    schema: {
      tags: ['账号'],
      summary: '账号列表',
      querystring: z.strictObject({ ...pageQuery, q: z.string().trim().max(40).optional(), role: role.optional(), disabled: z.enum(['true', 'false']).optional() }),
      response: { 200: pageOf(account) },
    },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const { q, role: ro, disabled } = req.query;
        let base = db.selectFrom('app_user as u').innerJoin('jurisdiction as j', 'j.code', 'u.jurisdiction_code');
        if (q) {
          const like = containing(q);
          base = base.where((eb) => eb.or([eb('u.username', 'like', like), eb('u.display_name', 'like', like)]));
        }
        if (ro) base = base.where(sql<boolean>`${ro} = ANY(u.roles)`);
        if (disabled) base = base.where('u.disabled', '=', disabled === 'true');
        const [{ total }] = await base.select(sql<number>`count(*)::int`.as('total')).execute();
        const rows = await base.selectAll('u').select('j.name as jurisdiction_name').orderBy('u.scope_key').orderBy('u.username').limit(req.query.pageSize).offset(offsetOf(req.query)).execute();
        return { items: rows.map(toAccount), total, page: req.query.page, pageSize: req.query.pageSize };
      }),
  });

  r.post('/accounts', {
    config: { access: 'accounts.read' },
    schema: {
      tags: ['账号'],
      summary: '新建账号（返回一次性初始密码）',
      body: z.strictObject({
        username: z.string().trim().regex(/^[a-zA-Z][a-zA-Z0-9_.-]{2,31}$/, '账号名 3–32 位，以字母开头，可含字母、数字、_ . -'),
        displayName: z.string().trim().min(1, '请填写姓名').max(30, '姓名不超过 30 个字'),
        jurisdictionCode: z.string().regex(/^\d{6,9}$/, '辖区代码应为 6 或 9 位数字'),
        roles: z.array(role).min(1, '至少分配一个角色'),
      }),
      response: { 201: account.extend({ temporaryPassword: z.string() }) },
    },
    handler: (req, reply) =>
      req.scoped(async ({ db, audit }) => {
        const b = req.body;
        assertRoleSet(b.roles);
        assertMayAssign(req.user!.permissions, b.roles);
        const node = await visibleNode(db, b.jurisdictionCode);
        const { password, hash } = await newPasswordHash(iterations);
        const row = await db
          .insertInto('app_user')
          .values({ username: b.username, display_name: b.displayName, jurisdiction_code: node.code, scope_key: node.scope_key, roles: b.roles, password_hash: hash, must_change_password: true })
          .returningAll()
          .executeTakeFirstOrThrow();
        audit({ action: 'account.create', objectType: 'user', objectId: row.id, detail: { after: { username: row.username, ...snapshot(row) } } });
        reply.code(201);
        return { ...toAccount({ ...row, jurisdiction_name: node.name }), temporaryPassword: password };
      }),
  });

  r.patch('/accounts/:id', {
    config: { access: 'accounts.read' },
    schema: {
      tags: ['账号'],
      summary: '修改账号：姓名、辖区、角色、停用（角色或辖区变更、停用会结束其全部会话）',
      params: idParam,
      body: z.strictObject({
        displayName: z.string().trim().min(1).max(30).optional(),
        jurisdictionCode: z.string().regex(/^\d{6,9}$/, '辖区代码应为 6 或 9 位数字').optional(),
        roles: z.array(role).min(1, '至少分配一个角色').optional(),
        disabled: z.boolean().optional(),
      }),
      response: { 200: account },
    },
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
        const row = await db
          .updateTable('app_user')
          .set({
            display_name: b.displayName ?? before.display_name,
            roles: b.roles ?? before.roles,
            disabled: b.disabled ?? before.disabled,
            jurisdiction_code: node?.code ?? before.jurisdiction_code,
            scope_key: node?.scope_key ?? before.scope_key,
            updated_at: new Date(),
          })
          .where('id', '=', before.id)
          .returningAll()
          .executeTakeFirstOrThrow();
        const accessChanged = !!b.roles || b.disabled === true || !!node;
        const ended = accessChanged ? await endSessionsOf(db, row.id) : 0;
        audit({ action: 'account.update', objectType: 'user', objectId: row.id, detail: { before: snapshot(before), after: snapshot(row), sessionsEnded: ended } });
        return toAccount({ ...row, jurisdiction_name: node?.name ?? before.jurisdiction_name });
      }),
  });

  r.post('/accounts/:id/reset-password', {
    config: { access: 'accounts.read' },
    schema: { tags: ['账号'], summary: '重置密码（返回一次性密码，下次登录须修改）', params: idParam, response: { 200: z.object({ temporaryPassword: z.string() }) } },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const before = await loadAccount(db, req.params.id);
        assertMayAssign(req.user!.permissions, before.roles);
        const { password, hash } = await newPasswordHash(iterations);
        await db.updateTable('app_user').set({ password_hash: hash, must_change_password: true, failed_logins: 0, locked_until: null, updated_at: new Date() }).where('id', '=', before.id).execute();
        const ended = await endSessionsOf(db, before.id);
        audit({ action: 'account.reset_password', objectType: 'user', objectId: before.id, detail: { sessionsEnded: ended } });
        return { temporaryPassword: password };
      }),
  });

  r.post('/accounts/:id/unlock', {
    config: { access: 'sessions.manage' },
    schema: { tags: ['账号'], summary: '解除锁定', params: idParam, response: { 200: account } },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const before = await loadAccount(db, req.params.id);
        const row = await db.updateTable('app_user').set({ failed_logins: 0, locked_until: null, updated_at: new Date() }).where('id', '=', before.id).returningAll().executeTakeFirstOrThrow();
        audit({ action: 'account.unlock', objectType: 'user', objectId: before.id });
        return toAccount({ ...row, jurisdiction_name: before.jurisdiction_name });
      }),
  });

  r.post('/accounts/:id/reset-totp', {
    config: { access: 'sessions.manage' },
    schema: { tags: ['账号'], summary: '解绑动态口令（丢失手机时），下次登录须重新绑定', params: idParam, response: { 200: account } },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const before = await loadAccount(db, req.params.id);
        const row = await db.updateTable('app_user').set({ totp_enabled: false, totp_secret_enc: null, totp_last_step: null, updated_at: new Date() }).where('id', '=', before.id).returningAll().executeTakeFirstOrThrow();
        const ended = await endSessionsOf(db, before.id);
        audit({ action: 'account.reset_totp', objectType: 'user', objectId: before.id, detail: { sessionsEnded: ended } });
        return toAccount({ ...row, jurisdiction_name: before.jurisdiction_name });
      }),
  });

  r.get('/accounts/:id/logins', {
    config: { access: 'accounts.read' },
    schema: {
      tags: ['账号'],
      summary: '登录历史',
      params: idParam,
      querystring: z.strictObject(pageQuery),
      response: { 200: pageOf(z.object({ at: z.date(), ip: z.string().nullable(), userAgent: z.string().nullable(), outcome: z.string() })) },
    },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        await loadAccount(db, req.params.id);
        const base = db.selectFrom('login_history').where('user_id', '=', req.params.id);
        const [{ total }] = await base.select(sql<number>`count(*)::int`.as('total')).execute();
        const rows = await base.select(['at', 'ip', 'user_agent', 'outcome']).orderBy('at', 'desc').limit(req.query.pageSize).offset(offsetOf(req.query)).execute();
        return { items: rows.map((h) => ({ at: h.at, ip: h.ip, userAgent: h.user_agent, outcome: h.outcome })), total, page: req.query.page, pageSize: req.query.pageSize };
      }),
  });

  r.get('/sessions', {
    config: { access: 'sessions.manage' },
    schema: {
      tags: ['账号'],
      summary: '在线会话',
      querystring: z.strictObject(pageQuery),
      response: { 200: pageOf(z.object({ id: z.string(), userId: z.number(), username: z.string(), displayName: z.string(), stage: z.string(), ip: z.string().nullable(), userAgent: z.string().nullable(), createdAt: z.date(), lastSeenAt: z.date() })) },
    },
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

  r.delete('/sessions/:id', {
    config: { access: 'sessions.manage' },
    schema: { tags: ['账号'], summary: '强制下线', params: z.strictObject({ id: z.string().regex(/^[0-9a-f]{64}$/, '会话编号格式错误') }), response: { 204: z.null() } },
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
