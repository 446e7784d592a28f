import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { blindIndex, decryptField, encryptField } from './field.js';
import { deriveKeys, loadOrCreateMasterKey } from './keys.js';
import { hashPassword, verifyPassword } from './password.js';
import { canonicalJson, sm3Hex } from './sm3.js';

const keys = deriveKeys(crypto.randomBytes(32));

describe('field encryption (SM4-CTR + HMAC-SM3)', () => {
  it('round-trips and never repeats a ciphertext', () => {
    const a = encryptField(keys, '320102199001011234');
    const b = encryptField(keys, '320102199001011234');
    expect(a).not.toBe(b);
    expect(a).not.toContain('320102199001011234');
    expect(decryptField(keys, a)).toBe('320102199001011234');
  });
  it('refuses a tampered ciphertext and a wrong key', () => {
    const sealed = encryptField(keys, '13812345678');
    const raw = Buffer.from(sealed.slice(3), 'base64');
    raw[20] ^= 1;
    expect(() => decryptField(keys, `v1.${raw.toString('base64')}`)).toThrow(/authentication/);
    expect(() => decryptField(deriveKeys(crypto.randomBytes(32)), sealed)).toThrow(/authentication/);
  });
  it('gives equal blind indexes for equal values only, and depends on the key', () => {
    expect(blindIndex(keys, 'x')).toBe(blindIndex(keys, 'x'));
    expect(blindIndex(keys, 'x')).not.toBe(blindIndex(keys, 'y'));
    expect(blindIndex(deriveKeys(crypto.randomBytes(32)), 'x')).not.toBe(blindIndex(keys, 'x'));
  });
});

describe('master key', () => {
  it('is generated once with mode 0600 and then reused', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xgz-key-'));
    const first = loadOrCreateMasterKey(dir);
    const again = loadOrCreateMasterKey(dir);
    expect(first.created).toBe(true);
    expect(again.created).toBe(false);
    expect(again.key.equals(first.key)).toBe(true);
    expect(fs.statSync(first.file!).mode & 0o777).toBe(0o600);
    fs.rmSync(dir, { recursive: true });
  });
  it('takes XGZ_DATA_KEY as hex and refuses a short one', () => {
    const hex = crypto.randomBytes(32).toString('hex');
    expect(loadOrCreateMasterKey('/nonexistent', hex).key.toString('hex')).toBe(hex);
    expect(() => loadOrCreateMasterKey('/nonexistent', 'abcd')).toThrow(/32 字节/);
  });
});

describe('password hashing (PBKDF2-HMAC-SM3)', () => {
  it('verifies the right password only, with a per-user salt', async () => {
    const h1 = await hashPassword('Secret-123', 1000);
    const h2 = await hashPassword('Secret-123', 1000);
    expect(h1).not.toBe(h2);
    expect(h1.startsWith('pbkdf2-sm3$1000$')).toBe(true);
    expect(await verifyPassword('Secret-123', h1)).toBe(true);
    expect(await verifyPassword('Secret-124', h1)).toBe(false);
    expect(await verifyPassword('Secret-123', 'md5$x')).toBe(false);
  });
});

describe('SM3 and canonical JSON', () => {
  it('matches the GB/T 32905 test vector "abc"', () => {
    expect(sm3Hex('abc')).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
  });
  it('orders keys at every depth and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[2,{"y":2,"z":1}]},"b":1}',
    );
  });
});
