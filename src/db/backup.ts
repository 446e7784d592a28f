import fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';

/** A consistent copy of the embedded database: PGlite's own dump of its data dir (gzipped tar). */
export async function backupPglite(dataDir: string, file: string): Promise<number> {
  if (!fs.existsSync(dataDir)) throw new Error(`数据目录 ${dataDir} 不存在`);
  const pg = await PGlite.create(dataDir);
  try {
    const blob = await pg.dumpDataDir('gzip');
    const bytes = Buffer.from(await blob.arrayBuffer());
    fs.writeFileSync(file, bytes, { mode: 0o600 });
    return bytes.length;
  } finally {
    await pg.close();
  }
}

/** Restores a dump into dataDir; an existing dir is renamed aside, never deleted. Returns where it went. */
export async function restorePglite(file: string, dataDir: string): Promise<string | null> {
  const blob = new Blob([fs.readFileSync(file)]);
  let kept: string | null = null;
  if (fs.existsSync(dataDir)) {
    kept = `${dataDir}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    fs.renameSync(dataDir, kept);
  }
  const pg = await PGlite.create(dataDir, { loadDataDir: blob });
  await pg.query('SELECT 1');
  await pg.close();
  return kept;
}
