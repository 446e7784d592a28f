import fs from 'node:fs';
import path from 'node:path';

/**
 * Data at rest on this machine: the data directory holds the embedded database, the master key,
 * kept import files and the audit anchors. Files the process creates are private (umask 077),
 * and at start everything already there is made so — directories 0700, files 0600 — including
 * what an earlier version or PGlite created with wider modes. Returns how many modes changed.
 */
export function secureDataDir(dataDir: string): number {
  process.umask(0o077);
  if (!fs.existsSync(dataDir)) {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    return 0;
  }
  let changed = 0;
  const fix = (p: string, mode: number, current: number) => {
    if ((current & 0o777) !== mode) {
      fs.chmodSync(p, mode);
      changed++;
    }
  };
  const walk = (dir: string) => {
    fix(dir, 0o700, fs.statSync(dir).mode);
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isSymbolicLink()) continue; // never follow a link out of the data directory
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) fix(p, 0o600, fs.statSync(p).mode);
    }
  };
  walk(dataDir);
  return changed;
}
