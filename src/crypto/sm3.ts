import crypto from 'node:crypto';

export const sm3Hex = (data: string | Buffer): string => crypto.createHash('sm3').update(data).digest('hex');

export const hmacSm3 = (key: Buffer, data: string | Buffer): Buffer =>
  crypto.createHmac('sm3', key).update(data).digest();

/** JSON with object keys sorted at every depth: the same value always gives the same text (for hashing). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
