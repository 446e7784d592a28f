import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Keys } from '../../crypto/keys.js';

/**
 * Uploaded files kept for "re-import" are stored encrypted with the data key: SM4-CTR over the
 * whole file as it streams in, then HMAC-SM3 over magic|iv|ciphertext (encrypt-then-MAC, as for
 * fields). Layout: "XGZF1\n" | iv (16) | ciphertext | tag (32). An import decrypts to a 0600
 * temporary file next to it, checks the tag before reading a byte, and deletes the copy at the end.
 */
const MAGIC = Buffer.from('XGZF1\n');
const IV = 16;
const TAG = 32;

/** Streams `input` to `dest` (mode 0600) encrypted; returns the plaintext byte count. */
export async function writeEncrypted(keys: Keys, input: Readable, dest: string): Promise<number> {
  const iv = crypto.randomBytes(IV);
  const cipher = crypto.createCipheriv('sm4-ctr', keys.fileEnc, iv);
  const mac = crypto.createHmac('sm3', keys.fileMac).update(MAGIC).update(iv);
  let bytes = 0;
  const seal = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      const ct = cipher.update(chunk);
      mac.update(ct);
      cb(null, ct);
    },
    flush(cb) {
      const ct = cipher.final();
      mac.update(ct);
      this.push(ct);
      this.push(mac.digest());
      cb();
    },
  });
  const out = fs.createWriteStream(dest, { mode: 0o600 });
  out.write(Buffer.concat([MAGIC, iv]));
  await pipeline(input, seal, out);
  return bytes;
}

export function isEncrypted(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(MAGIC.length);
    const n = fs.readSync(fd, head, 0, head.length, 0);
    return n === MAGIC.length && head.equals(MAGIC);
  } finally {
    fs.closeSync(fd);
  }
}

export class StoredFileError extends Error {}

/**
 * The file in clear for the duration of an import: an encrypted file is decrypted (and
 * authenticated) to a 0600 temporary copy, which dispose() removes; a plain file (a CLI import
 * of the user's own file) is used as it is.
 */
export async function openPlain(keys: Keys, file: string): Promise<{ path: string; dispose: () => void }> {
  if (!fs.existsSync(file)) throw new StoredFileError('原文件已不在服务器上（可能已超过保存期限被删除），请重新上传');
  if (!isEncrypted(file)) return { path: file, dispose: () => undefined };
  const size = fs.statSync(file).size;
  if (size < MAGIC.length + IV + TAG) throw new StoredFileError('保存的导入文件已损坏（长度不足）');
  const fd = fs.openSync(file, 'r');
  const iv = Buffer.alloc(IV);
  fs.readSync(fd, iv, 0, IV, MAGIC.length);
  const tag = Buffer.alloc(TAG);
  fs.readSync(fd, tag, 0, TAG, size - TAG);
  fs.closeSync(fd);
  const decipher = crypto.createDecipheriv('sm4-ctr', keys.fileEnc, iv);
  const mac = crypto.createHmac('sm3', keys.fileMac).update(MAGIC).update(iv);
  const open = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      mac.update(chunk);
      cb(null, decipher.update(chunk));
    },
    flush(cb) {
      this.push(decipher.final());
      cb();
    },
  });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${crypto.randomBytes(6).toString('hex')}.open`);
  const dispose = () => fs.rmSync(tmp, { force: true });
  try {
    const ctEnd = size - TAG - 1;
    const input =
      ctEnd >= MAGIC.length + IV
        ? fs.createReadStream(file, { start: MAGIC.length + IV, end: ctEnd })
        : Readable.from([]);
    await pipeline(input, open, fs.createWriteStream(tmp, { mode: 0o600 }));
    if (!crypto.timingSafeEqual(mac.digest(), tag))
      throw new StoredFileError('保存的导入文件校验失败（可能被改动或密钥不符），请重新上传');
  } catch (err) {
    dispose();
    throw err;
  }
  // The extension matters to the reader (.xlsx or .csv): the copy keeps the original's.
  const withExt = `${tmp}${path.extname(file)}`;
  fs.renameSync(tmp, withExt);
  return { path: withExt, dispose: () => fs.rmSync(withExt, { force: true }) };
}

/**
 * Removes kept import files older than the retention period (and any temporary copy left by a
 * crash). Returns how many were removed. Jobs keep their rows; "re-import" then asks for the file again.
 */
export function sweepImportFiles(dir: string, retentionDays: number, now = Date.now()): number {
  if (!fs.existsSync(dir)) return 0;
  const cutoff = now - retentionDays * 86_400_000;
  let removed = 0;
  for (const name of fs.readdirSync(dir)) {
    const f = path.join(dir, name);
    const st = fs.statSync(f, { throwIfNoEntry: false });
    if (!st?.isFile()) continue;
    const staleCopy = name.startsWith('.') && name.includes('.open') && st.mtimeMs < now - 86_400_000;
    if (st.mtimeMs < cutoff || staleCopy) {
      fs.rmSync(f, { force: true });
      removed++;
    }
  }
  return removed;
}
