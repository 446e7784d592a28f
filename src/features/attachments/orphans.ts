import fs from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { recordAudit } from '../../db/audit-chain.js';
import { attachmentDir } from './store.js';

/**
 * How long a stored file with no attachment row is left alone: an upload writes its file first and
 * its row just after (store.ts, routes.ts), and a file found again by its content is touched when
 * reused, so a younger file may still be an upload on its way.
 */
export const ORPHAN_GRACE_HOURS = 24;

const SYSTEM = { userId: null, username: '系统（附件清理）', scopeKey: '', ip: null };

/** The files under the attachment directory: content keys and the temporary copies a crash left. */
function storedFiles(root: string): { file: string; key: string; bytes: number; mtimeMs: number }[] {
  if (!fs.existsSync(root)) return [];
  const out = [];
  for (const sub of fs.readdirSync(root)) {
    const dir = path.join(root, sub);
    if (!/^[0-9a-f]{2}$/.test(sub) || !fs.statSync(dir).isDirectory()) continue;
    for (const name of fs.readdirSync(dir)) {
      const st = fs.statSync(path.join(dir, name), { throwIfNoEntry: false });
      if (st?.isFile()) out.push({ file: path.join(dir, name), key: name, bytes: st.size, mtimeMs: st.mtimeMs });
    }
  }
  return out;
}

/**
 * Removes the encrypted files no attachment row names (a removed attachment's row still names its
 * file), older than the grace period: left by uploads answered 408 under round 12's timer, by
 * uploads refused at the quota's second check (round 14) and by crashes between file and row.
 * Nothing read them, nothing counted them against a quota, nothing removed them (round 13's
 * leftover). One audit line per sweep that removed anything: how many files and bytes.
 */
export async function sweepOrphanFiles(
  db: Kysely<DB>,
  dataDir: string,
  now = Date.now(),
): Promise<{ files: number; bytes: number }> {
  const cutoff = now - ORPHAN_GRACE_HOURS * 3_600_000;
  const old = storedFiles(attachmentDir(dataDir)).filter((f) => f.mtimeMs < cutoff);
  const named = new Set<string>();
  for (let i = 0; i < old.length; i += 500) {
    const keys = old.slice(i, i + 500).map((f) => f.key);
    const rows = await db.selectFrom('attachment').select('content_key').where('content_key', 'in', keys).execute();
    for (const r of rows) named.add(r.content_key);
  }
  // Looked at again just before removing (stat and remove with nothing between them): a file an
  // upload touched while the rows were read is the upload's.
  const orphans = old.filter(
    (f) => !named.has(f.key) && (fs.statSync(f.file, { throwIfNoEntry: false })?.mtimeMs ?? now) < cutoff,
  );
  for (const f of orphans) fs.rmSync(f.file, { force: true });
  const swept = { files: orphans.length, bytes: orphans.reduce((n, f) => n + f.bytes, 0) };
  if (swept.files)
    await recordAudit(db, SYSTEM, {
      action: 'attachment.orphans_swept',
      objectType: 'attachment',
      detail: { ...swept, graceHours: ORPHAN_GRACE_HOURS },
    });
  return swept;
}
