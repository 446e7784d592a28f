import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupError, backupPglite, restorePglite, verifyPgliteArchive } from '../../src/db/backup.js';
import { dirDigest, tmp, xgz } from './harness.js';

/**
 * Corrupt and truncated archives for restore: every one is refused with a Chinese message before
 * anything is touched, and the live data dir is byte for byte as it was (issue 17, finding 2:
 * a bad archive used to leave an empty database).
 */
describe('restore from damaged archives', () => {
  const dir = tmp('restore');
  const env = { XGZ_DATA_DIR: dir, DATABASE_URL: '' };
  const pgdata = path.join(dir, 'pgdata');
  let good: string;
  let goodBytes: Buffer;
  beforeAll(async () => {
    expect(
      (
        await xgz(env, [
          'user',
          'create',
          '--username',
          'before',
          '--name',
          '备份前',
          '--jurisdiction',
          '000000',
          '--roles',
          'viewer',
        ])
      ).code,
    ).toBe(0);
    good = path.join(dir, 'good.tar.gz');
    await backupPglite(pgdata, good);
    goodBytes = fs.readFileSync(good);
    // The live data moves on after the backup: a restore that went wrong would lose this.
    expect(
      (
        await xgz(env, [
          'user',
          'create',
          '--username',
          'after',
          '--name',
          '备份后',
          '--jurisdiction',
          '000000',
          '--roles',
          'viewer',
        ])
      ).code,
    ).toBe(0);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const tarOf = (gz: Buffer) => zlib.gunzipSync(gz);
  const damaged: [string, () => Buffer, RegExp][] = [
    ['empty', () => Buffer.alloc(0), /备份文件是空的/],
    ['truncated to 10%', () => goodBytes.subarray(0, Math.floor(goodBytes.length * 0.1)), /不完整/],
    ['truncated to 60%', () => goodBytes.subarray(0, Math.floor(goodBytes.length * 0.6)), /不完整/],
    ['missing its last byte', () => goodBytes.subarray(0, goodBytes.length - 1), /不完整|损坏/],
    [
      'bytes flipped in the middle',
      () => {
        const b = Buffer.from(goodBytes);
        for (let i = 0; i < 16; i++) b[Math.floor(b.length / 2) + i * 97] ^= 0xff;
        return b;
      },
      /损坏/,
    ],
    ['an uncompressed tar cut inside a file', () => tarOf(goodBytes).subarray(0, 700_000), /不完整/],
    [
      'an uncompressed tar with a damaged header',
      () => {
        const t = Buffer.from(tarOf(goodBytes));
        t[5] ^= 0x20;
        return t;
      },
      /文件头校验失败/,
    ],
    ['a gzip of something else', () => zlib.gzipSync(Buffer.from('hello '.repeat(1000))), /不是 XGZ 的备份/],
    [
      'random bytes',
      () => Buffer.from(Array.from({ length: 4096 }, () => Math.floor(Math.random() * 256))),
      /不完整|损坏|不是/,
    ],
  ];

  it.each(damaged)('refuses an archive %s and leaves the live data exactly as it was', async (_name, make, message) => {
    const file = path.join(dir, 'bad.tar.gz');
    fs.writeFileSync(file, make());
    const before = dirDigest(pgdata);
    await expect(verifyPgliteArchive(file)).rejects.toThrow(BackupError);
    const err = await restorePglite(file, pgdata).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(BackupError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).toMatch(/[\u4e00-\u9fff]/);
    expect(dirDigest(pgdata)).toEqual(before);
    expect(fs.readdirSync(dir).filter((f) => f.includes('.restoring-') || f.includes('.before-restore-'))).toEqual([]);
  });

  it('the CLI says what is wrong in Chinese, exits 1, and the next start serves the same data; a good archive restores', async () => {
    const cut = path.join(dir, 'cut.tar.gz');
    fs.writeFileSync(cut, goodBytes.subarray(0, goodBytes.length >> 1));
    const before = dirDigest(pgdata);
    const res = await xgz(env, ['restore', cut]);
    expect(res.code).toBe(1);
    expect(res.out).toMatch(/错误：备份文件不完整（在结尾之前被截断），无法使用/);
    expect(res.out).not.toMatch(/unexpected end|zlib/i);
    expect(dirDigest(pgdata)).toEqual(before);
    const check = await xgz(env, ['backup', 'verify', cut]);
    expect(check.code).toBe(1);
    const ok = await xgz(env, ['backup', 'verify', good]);
    expect(ok.code, ok.out).toBe(0);
    expect(ok.out).toMatch(/备份完好：XGZ 内置数据库，数据库结构版本 \d+/);

    const restored = await xgz(env, ['restore', good]);
    expect(restored.code, restored.out).toBe(0);
    expect(restored.out).toMatch(/原数据保留在/);
    const reset = await xgz(env, ['user', 'reset-password', 'after']);
    expect(reset.out).toMatch(/账号 after 不存在/); // the backup predates it
    expect((await xgz(env, ['user', 'reset-password', 'before'])).code).toBe(0);
  });
});
