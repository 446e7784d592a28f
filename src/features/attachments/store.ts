import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Keys } from '../../crypto/keys.js';

/**
 * Attachment bytes on disk: <data dir>/attachments/<2 hex>/<64 hex>, each file SM4-CTR encrypted
 * with the data key and authenticated with HMAC-SM3 (encrypt-then-MAC, like personal-data fields).
 * The name is a keyed hash of the content, so equal files are stored once and the name says
 * nothing about the content without the key. Mode 0600; written to a temporary name, then renamed.
 */
const MAGIC = Buffer.from('XGZF1');

export const contentKeyOf = (keys: Keys, bytes: Uint8Array): string =>
  crypto.createHmac('sm3', keys.blindIndex).update('attachment:').update(bytes).digest('hex');

const fileOf = (dataDir: string, key: string) => path.join(dataDir, 'attachments', key.slice(0, 2), key);

/** The MAC over the magic, the IV and the ciphertext, fed in parts (no joined copy of a 20 MB file). */
const macOf = (keys: Keys, iv: Buffer, ct: Buffer): Buffer =>
  crypto.createHmac('sm3', keys.fieldMac).update(MAGIC).update(iv).update(ct).digest();

export function sealFile(keys: Keys, bytes: Uint8Array): Buffer {
  const iv = crypto.randomBytes(16);
  const cipher = crypto.createCipheriv('sm4-ctr', keys.fieldEnc, iv);
  const ct = Buffer.concat([cipher.update(bytes), cipher.final()]);
  return Buffer.concat([MAGIC, iv, ct, macOf(keys, iv, ct)]);
}

export function openFile(keys: Keys, sealed: Buffer): Buffer {
  if (sealed.length < MAGIC.length + 48 || !sealed.subarray(0, MAGIC.length).equals(MAGIC))
    throw new Error('unknown attachment file format');
  const iv = sealed.subarray(MAGIC.length, MAGIC.length + 16);
  const ct = sealed.subarray(MAGIC.length + 16, sealed.length - 32);
  const tag = sealed.subarray(sealed.length - 32);
  if (!crypto.timingSafeEqual(tag, macOf(keys, iv, ct))) throw new Error('attachment file failed authentication');
  const decipher = crypto.createDecipheriv('sm4-ctr', keys.fieldEnc, iv);
  return Buffer.concat([decipher.update(ct), decipher.final()]);
}

/** Stores the bytes (once per content) and returns their content key. */
export async function putFile(dataDir: string, keys: Keys, bytes: Uint8Array): Promise<string> {
  const key = contentKeyOf(keys, bytes);
  const file = fileOf(dataDir, key);
  if (fs.existsSync(file)) return key;
  await fs.promises.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${crypto.randomBytes(6).toString('hex')}.tmp`;
  await fs.promises.writeFile(tmp, sealFile(keys, bytes), { mode: 0o600 });
  await fs.promises.rename(tmp, file);
  return key;
}

export async function getFile(dataDir: string, keys: Keys, key: string): Promise<Buffer> {
  return openFile(keys, await fs.promises.readFile(fileOf(dataDir, key)));
}
