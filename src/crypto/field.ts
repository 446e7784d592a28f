import crypto from 'node:crypto';
import { hmacSm3 } from './sm3.js';
import type { Keys } from './keys.js';

const VERSION = 'v1';

/**
 * Field encryption: SM4-CTR with a random IV, then HMAC-SM3 over version|iv|ciphertext
 * (Node's SM4 has no GCM). Output: "v1.<base64 iv|ct|tag>".
 */
export function encryptField(keys: Keys, plaintext: string): string {
  const iv = crypto.randomBytes(16);
  const cipher = crypto.createCipheriv('sm4-ctr', keys.fieldEnc, iv);
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = hmacSm3(keys.fieldMac, Buffer.concat([Buffer.from(VERSION), iv, ct]));
  return `${VERSION}.${Buffer.concat([iv, ct, tag]).toString('base64')}`;
}

export function decryptField(keys: Keys, sealed: string): string {
  const [version, body] = sealed.split('.', 2);
  if (version !== VERSION || !body) throw new Error('unknown field encryption format');
  const raw = Buffer.from(body, 'base64');
  if (raw.length < 48) throw new Error('encrypted field too short');
  const iv = raw.subarray(0, 16);
  const ct = raw.subarray(16, raw.length - 32);
  const tag = raw.subarray(raw.length - 32);
  const expected = hmacSm3(keys.fieldMac, Buffer.concat([Buffer.from(VERSION), iv, ct]));
  if (!crypto.timingSafeEqual(tag, expected)) throw new Error('encrypted field failed authentication');
  const decipher = crypto.createDecipheriv('sm4-ctr', keys.fieldEnc, iv);
  return Buffer.concat([decipher.update(ct), decipher.final()]).toString('utf8');
}

/** Keyed SM3 blind index: equal inputs give equal indexes, without revealing the value. */
export const blindIndex = (keys: Keys, value: string): string => hmacSm3(keys.blindIndex, value).toString('hex');
