import { BlockList } from 'node:net';
import crypto from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { FastifyRequest } from 'fastify';
import { hmacSm3 } from '../crypto/sm3.js';
import type { Keys } from '../crypto/keys.js';
import {
  TOKEN_PREFIX,
  ipVersion,
  isServicePermission,
  looksLikeToken,
  normalizeFingerprint,
  serviceLapse,
} from '../domain/auth/service.js';
import { runScoped } from '../db/scoped.js';
import { Problem, forbidden, unauthorized } from './errors.js';
import { authUserOf } from './context.js';
import { auditableUrl } from './loggable-url.js';

/** A new token (shown once) and the keyed hash kept of it (HMAC-SM3 under the blind-index key, domain-separated). */
export function newServiceToken(keys: Keys): { token: string; hash: string } {
  const token = `${TOKEN_PREFIX}${crypto.randomBytes(32).toString('base64url')}`;
  return { token, hash: serviceTokenHash(keys, token) };
}
export const serviceTokenHash = (keys: Keys, token: string): string =>
  hmacSm3(keys.blindIndex, `service-token:${token}`).toString('hex');

/** The token of an `Authorization: Bearer …` header; null when there is no bearer header. */
export function bearerOf(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return null;
  const m = /^Bearer\s+(\S*)\s*$/i.exec(h);
  return m ? m[1] : null;
}

/** Whether an address is in an allowlist of addresses and CIDR blocks (an empty list allows none: a list is required). */
export function ipAllowed(ip: string, allow: readonly string[]): boolean {
  const list = new BlockList();
  const plain = ip.startsWith('::ffff:') && ipVersion(ip.slice(7)) === 4 ? ip.slice(7) : ip;
  const v = ipVersion(plain);
  if (!v) return false;
  for (const entry of allow) {
    const [addr, bits] = entry.split('/');
    const type = ipVersion(addr) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(addr, type);
    else list.addSubnet(addr, Number(bits), type);
  }
  return list.check(plain, v === 6 ? 'ipv6' : 'ipv4');
}

const TOUCH_EVERY_MS = 60_000;

/** What a service account is found by: the keyed hash of its token, or its client certificate's fingerprint. */
export type Credential = { token: string } | { fingerprint: string };

/**
 * The client certificate of a request on the server's TLS listener: none presented (or no TLS);
 * presented but not verified against the configured client CA ('untrusted'); or verified, with
 * its SHA-256 fingerprint (lowercase hex). Only the server's own TLS handshake counts — never a
 * header a proxy or the caller could set.
 */
export function clientCertificateOf(
  req: FastifyRequest,
): { state: 'none' } | { state: 'untrusted' } | { state: 'verified'; fingerprint: string } {
  const socket = req.raw.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate !== 'function') return { state: 'none' };
  const cert = socket.getPeerCertificate();
  if (!cert || !cert.fingerprint256) return { state: 'none' };
  if (!socket.authorized) return { state: 'untrusted' };
  return { state: 'verified', fingerprint: normalizeFingerprint(cert.fingerprint256)! };
}

/**
 * Authenticates a service account for an exchange route, by its bearer token or by a verified
 * client certificate registered for it: an unknown, revoked or expired credential is 401 (looked
 * up on every request, so a revocation holds from the next call); a call from an address outside
 * the account's allowlist is 403. On success the request carries the account as its user (its
 * node's scope, its own permissions) and as req.serviceAccount; every call is then audited under
 * the account (installAuth's onSend).
 */
export async function authenticateService(req: FastifyRequest, credential: Credential): Promise<void> {
  const byToken = 'token' in credential;
  if (byToken && !looksLikeToken(credential.token)) throw unauthorized('令牌无效', 'token_invalid');
  const row = await accountOf(req, credential);
  const permissions = new Set(row.permissions.filter(isServicePermission));
  req.serviceAccount = { id: row.user_id, name: row.name, ratePerMinute: row.rate_per_minute, permissions };
  // A user with no roles (what it may call is the account's permissions above), named as the account, at its node.
  req.user = authUserOf({
    id: row.user_id,
    username: row.username,
    display_name: row.name,
    roles: [],
    jurisdiction_code: row.code,
    scope_key: row.scope_key,
  });
  refuseAccount(req, row, byToken);
  if (!row.last_used_at || Date.now() - new Date(row.last_used_at).getTime() > TOUCH_EVERY_MS) {
    await req.server.ctx.db
      .updateTable('service_account')
      .set({ last_used_at: new Date(), last_used_ip: req.ip })
      .where('user_id', '=', row.user_id)
      .execute();
  }
}

/**
 * The credential looked at again before a request that began a while ago writes (http/auth.ts's
 * scoped): a delivery streams its body for minutes, and the token revoked, expired, rotated or the
 * account sent back for confirmation in that time no longer writes (round 21: a batch still
 * arriving when the security administrator revoked a leaked token was queued and imported).
 */
export async function recheckService(req: FastifyRequest, credential: Credential): Promise<void> {
  const row = await accountOf(req, credential);
  if (row.user_id !== req.serviceAccount?.id) throw unauthorized('令牌无效', 'token_invalid');
  refuseAccount(req, row, 'token' in credential);
  // Fewer permissions now than when the request began: the route checked the old ones.
  const now = new Set(row.permissions.filter(isServicePermission));
  if ([...req.serviceAccount.permissions].some((p) => !now.has(p)))
    throw forbidden('该服务账号的权限刚被修改，请重新报送');
}

/** The account a token or certificate names, with its node; 401 when none does. */
async function accountOf(req: FastifyRequest, credential: Credential) {
  const byToken = 'token' in credential;
  const { db, keys } = req.server.ctx;
  const row = await db
    .selectFrom('service_account as s')
    .innerJoin('app_user as u', 'u.id', 's.user_id')
    .innerJoin('jurisdiction as j', 'j.code', 's.jurisdiction_code')
    .select([
      's.user_id',
      's.name',
      's.permissions',
      's.expires_at',
      's.revoked_at',
      's.confirmed_at',
      's.ip_allowlist',
      's.rate_per_minute',
      's.last_used_at',
      'u.username',
      'j.scope_key',
      'j.code',
    ])
    .where(
      byToken ? 's.token_hash' : 's.cert_fingerprint',
      '=',
      byToken ? serviceTokenHash(keys, credential.token) : credential.fingerprint,
    )
    .where('u.is_service', '=', true)
    .executeTakeFirst();
  if (!row)
    throw byToken
      ? unauthorized('令牌无效', 'token_invalid')
      : unauthorized('该客户端证书未登记到任何服务账号', 'cert_unknown');
  return row;
}

/** Refuses an account revoked, expired, not confirmed, or called from an address outside its list. */
function refuseAccount(req: FastifyRequest, row: Awaited<ReturnType<typeof accountOf>>, byToken: boolean): void {
  const lapse = serviceLapse(row);
  if (lapse === 'revoked') throw unauthorized(byToken ? '令牌已吊销' : '服务账号已吊销', 'token_revoked');
  if (lapse === 'expired') throw unauthorized(byToken ? '令牌已过期' : '服务账号已过期', 'token_expired');
  if (lapse === 'unconfirmed')
    throw unauthorized('该服务账号待业务部门确认启用（确认后发放新令牌）', 'account_unconfirmed');
  if (!ipAllowed(req.ip, row.ip_allowlist))
    throw new Problem(403, '无权操作', `来源地址 ${req.ip} 不在该服务账号的地址白名单内`, undefined, 'ip_not_allowed');
}

/** Refuses a service route to a caller without a token: a signed-in person 403 (the route is not theirs), anyone else 401. */
export function refuseWithoutToken(signedIn: boolean): never {
  if (signedIn) throw forbidden('此接口仅供系统对接（服务账号令牌）调用，不能以登录会话调用');
  throw unauthorized('请以服务账号令牌（Authorization: Bearer <令牌>）或已登记的客户端证书调用', 'token_required');
}

/** Every call of a service account, audited under the account (with the outcome), in its own scoped transaction. */
export async function auditServiceCall(req: FastifyRequest, status: number): Promise<void> {
  const sa = req.serviceAccount!;
  const outcome = status < 400 ? 'success' : [401, 403, 404, 409, 429].includes(status) ? 'denied' : 'failure';
  await runScoped(req.server.ctx.db, req.principal(), async ({ audit }) => {
    audit({
      action: 'exchange.call',
      objectType: 'service_account',
      objectId: sa.id,
      outcome,
      detail: {
        method: req.method,
        route: req.routeOptions.url ?? null,
        ...auditableUrl(req.url),
        status,
      },
    });
  });
}
