import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * PGlite is one process's database: a lock file keeps a second server, a CLI command or a
 * backup off a live data dir. The file names the holder by pid AND a start token (the
 * process's start time from /proc, or where there is no /proc its command line), so a stale
 * file whose pid now belongs to an unrelated process never blocks start-up: the lock is held
 * only while the process that wrote it is alive and is still the same process.
 */
const lockFile = (dataDir: string) => path.join(dataDir, 'xgz.pid');

export type ProcessRef = { host: string; pid: number; token: string | null };

/** A token that changes when a pid is reused: the start time in clock ticks since boot (Linux). */
export function processStartToken(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) may hold spaces and parentheses: count fields after its closing ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return `t${fields[19]}`; // field 22 overall: starttime
  } catch {
    return null;
  }
}

/** This process as other processes (and import job leases) see it. */
export function selfRef(): ProcessRef {
  return { host: os.hostname(), pid: process.pid, token: processStartToken(process.pid) };
}

export const formatRef = (r: ProcessRef) => `${r.host}/${r.pid}/${r.token ?? ''}`;

export function parseRef(s: string | null | undefined): ProcessRef | null {
  const m = /^(.*)\/(\d+)\/(.*)$/.exec(s ?? '');
  return m ? { host: m[1], pid: Number(m[2]), token: m[3] || null } : null;
}

/**
 * Whether the process a reference names still runs: 'alive', 'dead', or 'unknown' (another
 * host: only a heartbeat can tell). A pid that is alive but started at another time is dead.
 */
export function processState(r: ProcessRef): 'alive' | 'dead' | 'unknown' {
  if (r.host !== os.hostname()) return 'unknown';
  if (r.pid === process.pid) return r.token === processStartToken(process.pid) ? 'alive' : 'dead';
  try {
    process.kill(r.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return 'dead';
  }
  const now = processStartToken(r.pid);
  if (now === null) {
    // No /proc: fall back to "some process has this pid" (kill(0) succeeded or EPERM).
    return fs.existsSync('/proc/self') ? 'dead' : 'alive';
  }
  return r.token === null || now === r.token ? 'alive' : 'dead';
}

type LockContent = ProcessRef & { command?: string; since?: string };

function readLock(dataDir: string): LockContent | null {
  let text: string;
  try {
    text = fs.readFileSync(lockFile(dataDir), 'utf8').trim();
  } catch {
    return null;
  }
  try {
    const j = JSON.parse(text) as LockContent;
    if (typeof j === 'object' && j && Number.isInteger(j.pid)) return j;
  } catch {
    // The older format: a bare pid. Without a token, only a live process running XGZ holds it.
  }
  const pid = Number(text);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  let cmd: string;
  try {
    cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return { host: os.hostname(), pid, token: null };
  }
  return { host: os.hostname(), pid, token: /xgz|cli\.ts/.test(cmd) ? processStartToken(pid) : 'not-xgz' };
}

/** The live XGZ process holding the data dir, if any (not this one). */
export function lockHolder(dataDir: string): LockContent | null {
  const held = readLock(dataDir);
  if (!held || (held.pid === process.pid && held.host === os.hostname())) return null;
  return processState(held) === 'dead' ? null : held;
}

export function assertDataDirFree(dataDir: string): void {
  const holder = lockHolder(dataDir);
  if (holder) {
    throw new Error(
      `数据目录 ${dataDir} 正被 XGZ 进程 ${holder.pid}${holder.command ? `（${holder.command}）` : ''} 使用，请先停止该进程（服务运行时不能执行此命令）`,
    );
  }
}

let released: (() => void) | null = null;

/**
 * Takes the data dir for this process (created with O_EXCL, so two processes starting together
 * cannot both win); a lock left by a dead process, or by a pid now used by another program, is
 * replaced. `command` says who holds it (shown to whoever is refused).
 */
export function acquireDataDirLock(dataDir: string, command = 'serve'): void {
  fs.mkdirSync(dataDir, { recursive: true });
  const me: LockContent = { ...selfRef(), command, since: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    try {
      fs.writeFileSync(lockFile(dataDir), JSON.stringify(me), { flag: 'wx', mode: 0o600 });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 2) throw e;
      const held = readLock(dataDir);
      if (held && held.pid === process.pid && held.host === me.host) {
        fs.writeFileSync(lockFile(dataDir), JSON.stringify(me), { mode: 0o600 });
        break;
      }
      assertDataDirFree(dataDir);
      fs.rmSync(lockFile(dataDir), { force: true }); // stale: its process is gone
    }
  }
  const release = () => {
    const held = readLock(dataDir);
    if (held && held.pid === me.pid && held.token === me.token) fs.rmSync(lockFile(dataDir), { force: true });
  };
  released = release;
  process.once('exit', release);
}

/** Releases this process's lock now (graceful shutdown); a no-op if it holds none. */
export function releaseDataDirLock(): void {
  released?.();
  released = null;
}
