import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { deriveKeys } from '../../crypto/keys.js';
import { buffer, text } from 'node:stream/consumers';
import { contentKeyOf, fileStream, putFile } from './store.js';

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
    expect(await text(await fileStream(dir, keys, key))).toBe(bytes.toString());
    fs.rmSync(dir, { recursive: true });
  });
  it('are streamed only once their MAC holds: a tampered file and a wrong key are refused before any byte', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xgz-store-'));
    const bytes = crypto.randomBytes(300_000); // several chunks of the read stream
    const key = await putFile(dir, keys, bytes);
    expect((await buffer(await fileStream(dir, keys, key))).equals(bytes)).toBe(true);
    await expect(fileStream(dir, deriveKeys(crypto.randomBytes(32)), key)).rejects.toThrow(/authentication/);
    const file = path.join(dir, 'attachments', key.slice(0, 2), key);
    const sealed = fs.readFileSync(file);
    sealed[200_000] ^= 1;
    fs.writeFileSync(file, sealed);
    await expect(fileStream(dir, keys, key)).rejects.toThrow(/authentication/);
    fs.rmSync(dir, { recursive: true });
  });
});
