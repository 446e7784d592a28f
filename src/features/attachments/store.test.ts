import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { deriveKeys } from '../../crypto/keys.js';
import { contentKeyOf, getFile, openFile, putFile, sealFile } from './store.js';

const keys = deriveKeys(crypto.randomBytes(32));

describe('attachment files on disk', () => {
  it('are SM4-encrypted, authenticated, stored once per content under a keyed name, mode 0600', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xgz-store-'));
    const bytes = Buffer.from('%PDF-1.4 机密内容');
    const key = await putFile(dir, keys, bytes);
    expect(await putFile(dir, keys, bytes)).toBe(key);
    expect(key).toBe(contentKeyOf(keys, bytes));
    expect(key).not.toBe(contentKeyOf(deriveKeys(crypto.randomBytes(32)), bytes)); // the name says nothing without the key
    const file = path.join(dir, 'attachments', key.slice(0, 2), key);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file).includes(bytes)).toBe(false);
    expect((await getFile(dir, keys, key)).equals(bytes)).toBe(true);
    fs.rmSync(dir, { recursive: true });
  });
  it('refuses a tampered file and a wrong key', () => {
    const sealed = sealFile(keys, Buffer.from('内容'));
    const bad = Buffer.from(sealed);
    bad[25] ^= 1;
    expect(() => openFile(keys, bad)).toThrow(/authentication/);
    expect(() => openFile(deriveKeys(crypto.randomBytes(32)), sealed)).toThrow(/authentication/);
  });
});
