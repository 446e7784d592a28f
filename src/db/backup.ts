import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { PGlite } from '@electric-sql/pglite';
import { listMigrations } from './migrate.js';

/** A backup that cannot be used, with what is wrong in words for the operator. */
export class BackupError extends Error {}

/** A consistent copy of the embedded database: PGlite's own dump of its data dir (gzipped tar). */
export async function backupPglite(dataDir: string, file: string): Promise<number> {
  if (!fs.existsSync(dataDir)) throw new BackupError(`数据目录 ${dataDir} 不存在`);
  const pg = await PGlite.create(dataDir);
  let bytes: Buffer;
  try {
    const blob = await pg.dumpDataDir('gzip');
    bytes = Buffer.from(await blob.arrayBuffer());
  } finally {
    await pg.close();
  }
  // Written beside the target and renamed: a backup interrupted half-way never passes for a whole one.
  const tmp = `${file}.partial-${process.pid}`;
  try {
    fs.writeFileSync(tmp, bytes, { mode: 0o600 });
    fs.renameSync(tmp, file);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  return bytes.length;
}

export type ArchiveInfo = { bytes: number; files: number; schemaVersion: number; auditRecords: number; users: number };

/**
 * Reads an archive to its end and checks that it is a whole XGZ data dir this program can use:
 * the gzip stream is complete and intact (its CRC), every tar header's checksum holds and the
 * archive ends with its end marker, a PostgreSQL data dir is inside (PG_VERSION, global/pg_control),
 * the database in it opens, holds XGZ's tables, and its migrations are this program's (none newer,
 * none edited). Throws BackupError saying, in Chinese, what is wrong. Touches nothing.
 */
export async function verifyPgliteArchive(file: string): Promise<ArchiveInfo & { tar: Buffer }> {
  if (!fs.existsSync(file)) throw new BackupError(`备份文件不存在：${file}`);
  const raw = fs.readFileSync(file);
  if (raw.length === 0) throw new BackupError('备份文件是空的');
  let tar: Buffer;
  if (raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      tar = zlib.gunzipSync(raw);
    } catch (err) {
      const code = (err as { code?: string }).code;
      throw new BackupError(
        code === 'Z_BUF_ERROR'
          ? '备份文件不完整（在结尾之前被截断），无法使用'
          : '备份文件已损坏（压缩数据校验失败），无法使用',
      );
    }
  } else if (raw.subarray(0, 5).toString('latin1') === 'PGDMP') {
    throw new BackupError('这是 PostgreSQL 的 pg_dump 备份，应以 pg_restore 恢复到 PostgreSQL 服务器（见 README）');
  } else {
    tar = raw; // an uncompressed dump ('none')
  }
  const names = readTar(tar);
  for (const need of ['PG_VERSION', 'global/pg_control']) {
    if (!names.has(need)) throw new BackupError(`备份中没有 PostgreSQL 数据目录（缺少 ${need}），不是 XGZ 的备份`);
  }
  let pg: PGlite | null = null;
  try {
    try {
      pg = await PGlite.create('memory://', { loadDataDir: new Blob([tar as Uint8Array<ArrayBuffer>]) });
      await pg.query('SELECT 1');
    } catch (err) {
      throw new BackupError(`备份中的数据库无法打开（${(err as Error).message.slice(0, 200)}），无法使用`);
    }
    const has = await pg.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public' AND tablename IN ('schema_migration', 'audit_log', 'app_user')`,
    );
    if (has.rows[0].n < 3) throw new BackupError('备份中的数据库不是 XGZ 的数据（缺少 XGZ 的数据表）');
    const applied = (
      await pg.query<{ version: number; name: string; checksum: string }>(
        'SELECT version, name, checksum FROM schema_migration ORDER BY version',
      )
    ).rows;
    const known = new Map(listMigrations().map((m) => [m.version, m]));
    const latest = Math.max(0, ...known.keys());
    for (const a of applied) {
      const m = known.get(a.version);
      if (!m)
        throw new BackupError(
          `备份来自更新版本的程序（含本程序没有的数据库迁移 ${a.version}_${a.name}），请先升级程序再恢复`,
        );
      if (m.checksum !== a.checksum)
        throw new BackupError(`备份的数据库迁移 ${a.version}_${a.name} 与本程序的不同，不是本程序的数据`);
    }
    const schemaVersion = applied.length ? applied[applied.length - 1].version : 0;
    if (schemaVersion > latest) throw new BackupError('备份来自更新版本的程序，请先升级程序再恢复');
    const audit = await pg.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log');
    const users = await pg.query<{ n: number }>('SELECT count(*)::int AS n FROM app_user');
    return {
      bytes: raw.length,
      files: names.size,
      schemaVersion,
      auditRecords: audit.rows[0].n,
      users: users.rows[0].n,
      tar,
    };
  } finally {
    await pg?.close().catch(() => undefined);
  }
}

/** The names in a tar (ustar) archive; throws BackupError when a header is damaged or the archive ends early. */
function readTar(buf: Buffer): Set<string> {
  const names = new Set<string>();
  const cut = () => new BackupError('备份文件不完整（归档在结尾之前中断），无法使用');
  let off = 0;
  for (;;) {
    if (off + 512 > buf.length) throw cut();
    const h = buf.subarray(off, off + 512);
    if (h.every((b) => b === 0)) {
      // End of archive: two zero blocks.
      if (off + 1024 > buf.length || !buf.subarray(off + 512, off + 1024).every((b) => b === 0)) throw cut();
      return names;
    }
    if (off === 0 && h.subarray(257, 262).toString('latin1') !== 'ustar')
      throw new BackupError('不是 XGZ 的备份（内容不是数据目录的归档）');
    const field = (start: number, len: number) =>
      h
        .subarray(start, start + len)
        .toString('latin1')
        .replace(/\0.*$/s, '')
        .trim();
    const stored = parseInt(field(148, 8), 8);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
    if (!Number.isFinite(stored) || stored !== sum)
      throw new BackupError(`备份文件已损坏（第 ${Math.floor(off / 512) + 1} 块的文件头校验失败），无法使用`);
    const size = parseInt(field(124, 12) || '0', 8);
    const name = [field(345, 155), field(0, 100)].filter(Boolean).join('/').replace(/^\/+/, '');
    names.add(name);
    off += 512 + Math.ceil(size / 512) * 512;
    if (off > buf.length) throw cut();
  }
}

export type RestoreResult = { keptAt: string | null; info: ArchiveInfo };

/**
 * Restores an archive into dataDir without ever leaving less than there was. The whole archive
 * is verified first; it is then unpacked into a new directory beside the live one and opened
 * there; only then are the two swapped by renames (the old one kept as
 * `<dir>.before-restore-<time>`). On any failure before the swap the new directory is removed
 * and the live data is untouched; a failed swap is undone.
 */
export async function restorePglite(file: string, dataDir: string): Promise<RestoreResult> {
  const { tar, ...info } = await verifyPgliteArchive(file);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const staging = `${dataDir}.restoring-${stamp}`;
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  try {
    let pg: PGlite | null = null;
    try {
      pg = await PGlite.create(staging, { loadDataDir: new Blob([tar as Uint8Array<ArrayBuffer>]) });
      const n = await pg.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log');
      if (n.rows[0].n !== info.auditRecords) throw new BackupError('恢复出的数据与备份不一致，已放弃恢复');
    } catch (err) {
      if (err instanceof BackupError) throw err;
      const e = err as NodeJS.ErrnoException;
      throw new BackupError(
        e.code === 'ENOSPC'
          ? '磁盘空间不足，无法展开备份；现有数据未改动'
          : `展开备份失败（${e.message.slice(0, 200)}）；现有数据未改动`,
      );
    } finally {
      await pg?.close().catch(() => undefined);
    }
    let keptAt: string | null = null;
    if (fs.existsSync(dataDir)) {
      keptAt = `${dataDir}.before-restore-${stamp}`;
      fs.renameSync(dataDir, keptAt);
    }
    try {
      fs.renameSync(staging, dataDir);
    } catch (err) {
      if (keptAt) fs.renameSync(keptAt, dataDir);
      throw new BackupError(`无法替换数据目录（${(err as Error).message}）；现有数据未改动`);
    }
    return { keptAt, info };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * `xgz backup --pg`: pg_dump of the PostgreSQL database in its custom format (compressed,
 * restorable table by table with pg_restore), from one consistent snapshot, without the import
 * jobs' temporary key rows. Written beside the target and renamed when whole, then read back to
 * its end (pg_restore to /dev/null) before it is reported as done.
 */
export function backupPostgres(databaseUrl: string, file: string): number {
  const tmp = `${file}.partial-${process.pid}`;
  try {
    const dump = spawnSync(
      'pg_dump',
      ['--format=custom', '--compress=6', '--no-unlogged-table-data', `--file=${tmp}`, `--dbname=${databaseUrl}`],
      { encoding: 'utf8' },
    );
    if (dump.error)
      throw new BackupError(
        (dump.error as NodeJS.ErrnoException).code === 'ENOENT'
          ? '找不到 pg_dump：请安装与服务器同版本的 PostgreSQL 客户端（如 apt-get install postgresql-client）'
          : `pg_dump 无法运行：${dump.error.message}`,
      );
    if (dump.status !== 0) throw new BackupError(`pg_dump 失败：${dump.stderr.trim().slice(0, 500)}`);
    verifyPostgresDump(tmp);
    fs.chmodSync(tmp, 0o600);
    fs.renameSync(tmp, file);
    return fs.statSync(file).size;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** Reads a pg_dump custom-format archive to its end and checks it holds XGZ's tables. */
export function verifyPostgresDump(file: string): { bytes: number; tables: number } {
  if (!fs.existsSync(file)) throw new BackupError(`备份文件不存在：${file}`);
  const list = spawnSync('pg_restore', ['--list', file], { encoding: 'utf8' });
  if (list.error)
    throw new BackupError('找不到 pg_restore：请安装 PostgreSQL 客户端（如 apt-get install postgresql-client）');
  if (list.status !== 0)
    throw new BackupError(
      /end of file/i.test(list.stderr)
        ? '备份文件不完整（在结尾之前被截断），无法使用'
        : `不是可用的 pg_dump 备份（${list.stderr.trim().slice(0, 200)}）`,
    );
  const tables = list.stdout.split('\n').filter((l) => / TABLE DATA public /.test(l));
  if (!tables.some((l) => / schema_migration /.test(l)) || !tables.some((l) => / audit_log /.test(l)))
    throw new BackupError('备份中没有 XGZ 的数据表，不是 XGZ 的备份');
  const full = spawnSync('pg_restore', ['--file=/dev/null', file], { encoding: 'utf8' });
  if (full.status !== 0) throw new BackupError(`备份文件已损坏或不完整（${full.stderr.trim().slice(0, 200)}）`);
  return { bytes: fs.statSync(file).size, tables: tables.length };
}
