import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { findNode } from '../../db/subtree.js';
import { expectWritten } from '../../db/writes.js';
import { badRequest, conflict, forbidden, notFound } from '../../http/errors.js';
import { canonicalJson, sm3Hex } from '../../crypto/sm3.js';
import { schemaOf } from '../../http/contract.js';
import { newServiceToken } from '../../http/service-auth.js';
import { normalizeFingerprint, showFingerprint, tokenHint } from '../../domain/auth/service.js';
import { endOfLocalDay, instantOfLocal } from '../../domain/time/zone.js';
import {
  createServiceAccount,
  listServiceAccounts,
  registerCertificate,
  removeCertificate,
  revokeServiceAccount,
  rotateToken,
  updateServiceAccount,
  type ServiceAccount,
} from './contract.js';
import { certificateHolder, loadServiceAccount, serviceAccountList, type ServiceAccountRow } from './queries.js';
import { amendServiceAccount, confirmWithToken, issueServiceAccount, revokeAccount, setCertificate } from './writes.js';

const TAGS = ['系统对接'];

/** A date alone expires at the end of that day, a time without an offset at that time, both in the deployment's zone. */
function expiryOf(s: string): Date {
  const d = /^\d{4}-\d{2}-\d{2}$/.test(s)
    ? endOfLocalDay(s)
    : /(Z|[+-]\d{2}:?\d{2})$/.test(s)
      ? new Date(s)
      : instantOfLocal(s);
  if (Number.isNaN(d.getTime()))
    throw badRequest('有效期不是有效的日期', [{ field: 'expiresAt', message: '日期无效' }]);
  if (d.getTime() <= Date.now())
    throw badRequest('有效期须晚于现在', [{ field: 'expiresAt', message: '有效期须晚于现在' }]);
  if (d.getTime() > Date.now() + 3 * 366 * 86_400_000)
    throw badRequest('有效期最长 3 年，到期前发放新令牌', [{ field: 'expiresAt', message: '有效期最长 3 年' }]);
  return d;
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

function present(s: ServiceAccountRow): ServiceAccount {
  const expired = new Date(s.expires_at).getTime() <= Date.now();
  return {
    id: s.user_id,
    name: s.name,
    note: s.note,
    jurisdictionCode: s.jurisdiction_code,
    jurisdictionName: s.jurisdiction_name,
    permissions: s.permissions,
    tokenHint: s.token_hint,
    expiresAt: iso(s.expires_at)!,
    ipAllowlist: s.ip_allowlist,
    ratePerMinute: s.rate_per_minute,
    state: s.revoked_at ? 'revoked' : expired ? 'expired' : s.confirmed_at ? 'active' : 'unconfirmed',
    revokedAt: iso(s.revoked_at),
    revokeReason: s.revoke_reason,
    lastUsedAt: iso(s.last_used_at),
    lastUsedIp: s.last_used_ip,
    confirmedAt: iso(s.confirmed_at),
    createdAt: iso(s.created_at)!,
    terms: termsOf(s),
    certificate: s.cert_fingerprint
      ? { fingerprint: showFingerprint(s.cert_fingerprint), subject: s.cert_subject, notAfter: iso(s.cert_not_after) }
      : null,
  };
}

/** What confirming an account vouches for, as a short digest (the confirmation dialog shows the same facts). */
function termsOf(s: Parameters<typeof present>[0]): string {
  const facts = {
    node: s.jurisdiction_code,
    permissions: [...s.permissions].sort(),
    addresses: [...s.ip_allowlist].sort(),
    rate: s.rate_per_minute,
    expires: iso(s.expires_at),
    certificate: s.cert_fingerprint,
  };
  return sm3Hex(canonicalJson(facts)).slice(0, 16);
}

/** The fingerprint, subject and expiry of a certificate to register, from its PEM or its fingerprint alone; 400 naming the field otherwise. */
function certificateOf(b: { pem?: string; fingerprint?: string }): {
  fingerprint: string;
  subject: string | null;
  notAfter: Date | null;
} {
  if (b.pem) {
    let cert: crypto.X509Certificate;
    try {
      cert = new crypto.X509Certificate(b.pem);
    } catch {
      throw badRequest('证书无法读取，请粘贴 PEM 格式的证书（-----BEGIN CERTIFICATE----- 开头）', [
        { field: 'pem', message: '不是有效的 PEM 证书' },
      ]);
    }
    if (cert.ca)
      throw badRequest('这是一张 CA 证书，请登记服务账号自己的客户端证书', [
        { field: 'pem', message: 'CA 证书不能登记' },
      ]);
    const notAfter = new Date(cert.validTo);
    if (notAfter.getTime() <= Date.now())
      throw badRequest(`证书已于 ${notAfter.toISOString()} 过期`, [{ field: 'pem', message: '证书已过期' }]);
    return {
      fingerprint: normalizeFingerprint(cert.fingerprint256)!,
      subject: cert.subject.replace(/\n/g, ', ').slice(0, 500),
      notAfter,
    };
  }
  const fingerprint = normalizeFingerprint(b.fingerprint ?? '');
  if (!fingerprint)
    throw badRequest('指纹应为 64 位十六进制（SHA-256），可带冒号', [
      { field: 'fingerprint', message: '不是 SHA-256 指纹' },
    ]);
  return { fingerprint, subject: null, notAfter: null };
}

/**
 * 系统对接账号 (issue 15): the security administrator issues service accounts for other systems,
 * each bound to one node of the administrator's subtree with its own permissions, expiry, address
 * allowlist and rate limit. A token is shown once (issue and rotation); revocation holds at once.
 */
export async function serviceAccountRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { keys } = app.ctx;

  r.get(listServiceAccounts.path, {
    // The security administrator issues and revokes; a bureau editor confirms and takes tokens.
    config: { access: 'service_accounts.read' },
    schema: { ...schemaOf(listServiceAccounts, TAGS), response: { 200: listServiceAccounts.response } },
    handler: (req) => req.scoped(async ({ db }) => ({ items: (await serviceAccountList(db)).map(present) })),
  });

  r.post(createServiceAccount.path, {
    config: { access: 'service_accounts.manage' },
    schema: {
      ...schemaOf(createServiceAccount, TAGS),
      body: createServiceAccount.body,
      response: { 201: createServiceAccount.response },
    },
    handler: async (req, reply) => {
      const b = req.body;
      const expires = expiryOf(b.expiresAt);
      // A token nobody is shown: the account works once the business side confirms it and takes its own.
      const { token, hash } = newServiceToken(keys);
      const account = await req.scoped(async ({ db, audit }) => {
        const node = await findNode(db, b.jurisdictionCode, req.user!.scopeKey);
        if (!node) throw notFound('辖区');
        const id = await issueServiceAccount(db, {
          name: b.name,
          note: b.note ?? null,
          node,
          permissions: b.permissions,
          tokenHash: hash,
          tokenHint: tokenHint(token),
          expiresAt: expires,
          ipAllowlist: b.ipAllowlist,
          ratePerMinute: b.ratePerMinute,
          by: req.user!.id,
        });
        audit({
          action: 'service_account.create',
          objectType: 'service_account',
          objectId: id,
          detail: {
            name: b.name,
            node: node.code,
            permissions: b.permissions,
            expiresAt: expires.toISOString(),
            ipAllowlist: b.ipAllowlist,
            ratePerMinute: b.ratePerMinute,
          },
        });
        return present(await loadServiceAccount(db, id));
      });
      return reply.code(201).send({ account, token: null });
    },
  });

  r.patch(updateServiceAccount.path, {
    config: { access: 'service_accounts.manage' },
    schema: {
      ...schemaOf(updateServiceAccount, TAGS),
      params: updateServiceAccount.params,
      body: updateServiceAccount.body,
      response: { 200: updateServiceAccount.response },
    },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const before = await loadServiceAccount(db, req.params.id);
        if (before.revoked_at) throw badRequest('该服务账号已吊销，不能修改');
        const b = req.body;
        const change = { ...b, expiresAt: b.expiresAt ? expiryOf(b.expiresAt) : undefined };
        const entry = { action: 'service_account.update', objectType: 'service_account', objectId: before.user_id };
        expectWritten(await amendServiceAccount(db, before.user_id, change), '服务账号', entry);
        const after = await loadServiceAccount(db, before.user_id);
        const pick = (s: typeof after) => ({
          note: s.note,
          permissions: s.permissions,
          expiresAt: iso(s.expires_at),
          ipAllowlist: s.ip_allowlist,
          ratePerMinute: s.rate_per_minute,
        });
        audit({ ...entry, detail: { before: pick(before), after: pick(after) } });
        return present(after);
      }),
  });

  r.post(revokeServiceAccount.path, {
    config: { access: 'service_accounts.manage' },
    schema: {
      ...schemaOf(revokeServiceAccount, TAGS),
      params: revokeServiceAccount.params,
      body: revokeServiceAccount.body,
      response: { 200: revokeServiceAccount.response },
    },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const before = await loadServiceAccount(db, req.params.id);
        if (before.revoked_at) throw badRequest('该服务账号已吊销');
        const entry = {
          action: 'service_account.revoke',
          objectType: 'service_account',
          objectId: before.user_id,
          detail: { reason: req.body.reason },
        };
        expectWritten(await revokeAccount(db, before.user_id, req.user!.id, req.body.reason), '服务账号', entry);
        audit(entry);
        return present(await loadServiceAccount(db, before.user_id));
      }),
  });

  r.put(registerCertificate.path, {
    config: { access: 'service_accounts.manage' },
    schema: {
      ...schemaOf(registerCertificate, TAGS),
      params: registerCertificate.params,
      body: registerCertificate.body,
      response: { 200: registerCertificate.response },
    },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const before = await loadServiceAccount(db, req.params.id);
        if (before.revoked_at) throw badRequest('该服务账号已吊销，请新建账号');
        const c = certificateOf(req.body);
        const entry = {
          action: 'service_account.certificate',
          objectType: 'service_account',
          objectId: before.user_id,
          detail: {
            before: before.cert_fingerprint ? showFingerprint(before.cert_fingerprint) : null,
            after: showFingerprint(c.fingerprint),
            subject: c.subject,
          },
        };
        // A fingerprint belongs to one account (unique): another account's is refused, naming the field.
        if (await certificateHolder(db, c.fingerprint, before.user_id))
          throw badRequest('该证书已登记到另一个服务账号', [
            { field: req.body.pem ? 'pem' : 'fingerprint', message: '证书已登记到另一个服务账号' },
          ]);
        expectWritten(await setCertificate(db, before.user_id, c), '服务账号', entry);
        audit(entry);
        return present(await loadServiceAccount(db, before.user_id));
      }),
  });

  r.delete(removeCertificate.path, {
    config: { access: 'service_accounts.manage' },
    schema: {
      ...schemaOf(removeCertificate, TAGS),
      params: removeCertificate.params,
      response: { 200: removeCertificate.response },
    },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const before = await loadServiceAccount(db, req.params.id);
        if (!before.cert_fingerprint) throw notFound('已登记的客户端证书');
        const entry = {
          action: 'service_account.certificate_remove',
          objectType: 'service_account',
          objectId: before.user_id,
          detail: { fingerprint: showFingerprint(before.cert_fingerprint), subject: before.cert_subject },
        };
        expectWritten(await setCertificate(db, before.user_id, null), '服务账号', entry);
        audit(entry);
        return present(await loadServiceAccount(db, before.user_id));
      }),
  });

  // 三员分立: the token goes to a business account of the node (or above), never to the security
  // administrator who set the account up; taking it confirms the account as it stands.
  r.post(rotateToken.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(rotateToken, TAGS),
      params: rotateToken.params,
      body: rotateToken.body,
      response: { 200: rotateToken.response },
    },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        // A station's staff write data too, but the business side that vouches for a system is a bureau's editor.
        if (!req.user!.permissions.has('service_accounts.read'))
          throw forbidden('只有市场监管局的业务编辑人员可以确认启用服务账号或更换令牌');
        const before = await loadServiceAccount(db, req.params.id, true);
        if (before.revoked_at) throw badRequest('该服务账号已吊销，请新建账号');
        if (req.body?.terms !== undefined && req.body.terms !== termsOf(before))
          throw conflict('该服务账号的配置刚被安全管理员修改，请刷新后核对权限、来源地址和证书，再确认启用');
        const { token, hash } = newServiceToken(keys);
        if (new Date(before.expires_at).getTime() <= Date.now())
          throw badRequest('该服务账号已过期，请安全管理员延长有效期');
        const entry = {
          action: before.confirmed_at ? 'service_account.rotate' : 'service_account.confirm',
          objectType: 'service_account',
          objectId: before.user_id,
          detail: {
            oldHint: before.token_hint,
            newHint: tokenHint(token),
            permissions: before.permissions,
            ipAllowlist: before.ip_allowlist,
            certificate: before.cert_fingerprint ? showFingerprint(before.cert_fingerprint) : null,
          },
        };
        expectWritten(
          await confirmWithToken(db, before.user_id, hash, tokenHint(token), req.user!.id),
          '服务账号',
          entry,
        );
        audit(entry);
        return { account: present(await loadServiceAccount(db, before.user_id)), token };
      }),
  });
}
