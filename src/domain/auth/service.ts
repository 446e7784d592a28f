/**
 * Service accounts (issue 15): other systems — the registration system, the annual-report system,
 * the organization department's roster, a credit system, a provincial platform — call the
 * exchange API with a bearer token. Their permissions are their own list, never a role's: no
 * person's role grants them, and a token grants nothing else.
 */
import { isCreditKind } from '../ledger/credit-rows.js';

export const SERVICE_PERMISSIONS = {
  'registry.write': '报送登记信息（市场主体及其人员）',
  'annual_report.write': '报送年报',
  'roster.write': '报送党员名册',
  'credit.write': '报送信用名单（经营异常名录、严重违法失信名单）',
  'changes.read': '读取变更流（主体、党组织、党员关联、牌匾、核查线索）',
  'members.read': '变更流中含党员关联与线索的党员姓名（个人信息，留痕）',
  'figures.read': '读取指标数据与已上报的统计报表',
} as const;
export type ServicePermission = keyof typeof SERVICE_PERMISSIONS;
export const SERVICE_PERMISSION_CODES = Object.keys(SERVICE_PERMISSIONS) as ServicePermission[];
export const isServicePermission = (p: string): p is ServicePermission => p in SERVICE_PERMISSIONS;

/** The permission a delivered batch of an import kind needs: the credit lists (经营异常名录, 严重违法失信名单) share one, the others are named by their kind. */
export function writePermissionOf(kind: string): ServicePermission | null {
  const p = isCreditKind(kind) ? 'credit.write' : `${kind}.write`;
  return isServicePermission(p) ? p : null;
}

/** Tokens: a recognisable prefix (secret scanners), then 32 random bytes in base64url. */
/** Why a service account may not act now (revoked, past its expiry, waiting for the business side's confirmation), or null. */
export type ServiceLapse = 'revoked' | 'expired' | 'unconfirmed';
export function serviceLapse(
  a: { revoked_at: Date | string | null; expires_at: Date | string; confirmed_at: Date | string | null },
  now: Date = new Date(),
): ServiceLapse | null {
  if (a.revoked_at) return 'revoked';
  if (new Date(a.expires_at).getTime() <= now.getTime()) return 'expired';
  return a.confirmed_at ? null : 'unconfirmed';
}

export const TOKEN_PREFIX = 'xgzsa_';
export const looksLikeToken = (t: string): boolean => t.startsWith(TOKEN_PREFIX) && /^[A-Za-z0-9_-]{40,80}$/.test(t);
/** What the list shows of a token: its prefix and last four characters. */
export const tokenHint = (t: string): string => `${TOKEN_PREFIX}…${t.slice(-4)}`;

const V4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
/** 4 or 6 for an address of that version, 0 for anything else (pure: the web uses it too). */
export function ipVersion(a: string): 0 | 4 | 6 {
  if (V4.test(a)) return 4;
  if (!/^[0-9a-fA-F:]+$/.test(a) || !a.includes(':')) return 0;
  const parts = a.split('::');
  if (parts.length > 2) return 0;
  const groups = parts.flatMap((p) => (p ? p.split(':') : []));
  if (groups.some((g) => g.length === 0 || g.length > 4)) return 0;
  return (parts.length === 2 ? groups.length < 8 : groups.length === 8) ? 6 : 0;
}

/** An allowlist entry: an IPv4 or IPv6 address, or a CIDR block. Returns a Chinese reason when malformed. */
export function checkAllowEntry(entry: string): string | null {
  const [addr, bits, extra] = entry.split('/');
  if (extra !== undefined) return `"${entry}" 不是 IP 地址或网段`;
  const v = ipVersion(addr);
  if (!v) return `"${entry}" 不是 IP 地址或网段`;
  if (bits === undefined) return null;
  const n = Number(bits);
  if (!/^\d{1,3}$/.test(bits) || n > (v === 4 ? 32 : 128)) return `"${entry}" 的前缀长度不正确`;
  return null;
}

/** Chinese reasons for a permission list that cannot be granted. */
export function checkServicePermissions(perms: readonly string[]): string | null {
  if (perms.length === 0) return '至少授予一项权限';
  const unknown = perms.filter((p) => !isServicePermission(p));
  if (unknown.length) return `未知权限：${unknown.join('、')}`;
  if (new Set(perms).size !== perms.length) return '权限重复';
  if (perms.includes('members.read') && !perms.includes('changes.read')) return '"含党员姓名"须与"读取变更流"一同授予';
  return null;
}

/** The change-feed cursor: the writing transaction's id and the row's serial, as "xid.seq". */
export type Cursor = { xid: string; seq: string };
export const START: Cursor = { xid: '0', seq: '0' };
export const formatCursor = (c: Cursor): string => `${c.xid}.${c.seq}`;
export function parseCursor(s: string | undefined): Cursor | null {
  if (s === undefined || s === '' || s === '0') return START;
  const m = /^(\d{1,19})\.(\d{1,19})$/.exec(s);
  return m ? { xid: m[1], seq: m[2] } : null;
}

/**
 * A client certificate's SHA-256 fingerprint as kept: 64 lowercase hex digits. Accepts the forms
 * people paste (colons, spaces, upper case, as openssl and Node print it); null for anything else.
 */
export function normalizeFingerprint(s: string): string | null {
  const hex = s
    .trim()
    .replace(/^sha256\s*(fingerprint)?\s*=?\s*/i, '')
    .replace(/[:\s]/g, '')
    .toLowerCase();
  return /^[0-9a-f]{64}$/.test(hex) ? hex : null;
}
/** A fingerprint as shown: upper-case pairs joined by colons (as openssl prints it). */
export const showFingerprint = (hex: string): string => hex.toUpperCase().match(/../g)!.join(':');
