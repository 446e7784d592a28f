import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';

/** Keys derived from one 256-bit master key (HKDF-SM3), each for one purpose. */
export type Keys = {
  /** SM4-CTR key for personal-data fields and TOTP secrets. */
  fieldEnc: Buffer;
  /** HMAC-SM3 key authenticating encrypted fields (encrypt-then-MAC). */
  fieldMac: Buffer;
  /** HMAC-SM3 key for blind indexes (exact lookup of encrypted values). */
  blindIndex: Buffer;
  /** SM4-CTR and HMAC-SM3 keys for files kept on disk (uploaded import files). */
  fileEnc: Buffer;
  fileMac: Buffer;
  /** HMAC-SM3 key of the audit chain: a database superuser without it cannot recompute the chain. */
  auditMac: Buffer;
};

const derive = (master: Buffer, purpose: string, length: number) =>
  Buffer.from(crypto.hkdfSync('sm3', master, Buffer.alloc(0), `xgz:${purpose}`, length));

export function deriveKeys(master: Buffer): Keys {
  return {
    fieldEnc: derive(master, 'field-enc', 16),
    fieldMac: derive(master, 'field-mac', 32),
    blindIndex: derive(master, 'blind-index', 32),
    fileEnc: derive(master, 'file-enc', 16),
    fileMac: derive(master, 'file-mac', 32),
    auditMac: derive(master, 'audit-mac', 32),
  };
}

function parseMasterKey(text: string): Buffer {
  const t = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (key.length !== 32) throw new Error('XGZ_DATA_KEY 必须是 32 字节密钥（64 位十六进制或 base64）');
  return key;
}

/**
 * The master key comes from XGZ_DATA_KEY, else from <dataDir>/keys/master.key, which is
 * generated (mode 0600) on first start. Losing it makes encrypted personal data unreadable.
 */
export function loadOrCreateMasterKey(
  dataDir: string,
  envKey?: string,
): { key: Buffer; created: boolean; file?: string } {
  if (envKey) return { key: parseMasterKey(envKey), created: false };
  const file = path.join(dataDir, 'keys', 'master.key');
  if (fs.existsSync(file)) return { key: parseMasterKey(fs.readFileSync(file, 'utf8')), created: false, file };
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const key = crypto.randomBytes(32);
  fs.writeFileSync(file, key.toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  return { key, created: true, file };
}
