import fs from 'node:fs';
import path from 'node:path';

/** PGlite is one process's database: a pid file keeps a second server or a backup off a live data dir. */
const lockFile = (dataDir: string) => path.join(dataDir, 'xgz.pid');

function livePid(dataDir: string): number | null {
  try {
    const pid = Number(fs.readFileSync(lockFile(dataDir), 'utf8'));
    if (!pid || pid === process.pid) return null;
    process.kill(pid, 0);
    return pid;
  } catch {
    return null;
  }
}

export function assertDataDirFree(dataDir: string): void {
  const pid = livePid(dataDir);
  if (pid) throw new Error(`数据目录 ${dataDir} 正被进程 ${pid} 使用，请先停止服务`);
}

export function acquireDataDirLock(dataDir: string): void {
  assertDataDirFree(dataDir);
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(lockFile(dataDir), String(process.pid));
  process.on('exit', () => {
    if (livePid(dataDir) === null) fs.rmSync(lockFile(dataDir), { force: true });
  });
}
