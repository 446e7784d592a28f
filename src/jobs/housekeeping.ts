import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { writeAnchor } from '../db/audit-anchor.js';
import { sweepImportFiles } from './import/stored-file.js';
import { purgePublicWindows } from '../db/windows.js';
import { sweepOrphanFiles } from '../features/attachments/index.js';

const HOUR = 3600_000;

/**
 * The server's own upkeep (the serve command turns it on; tests call the pieces directly):
 * the audit head anchored outside the database — at start, hourly and at shutdown — in the data
 * directory's anchor file and in the log; kept import files removed after the retention period
 * (XGZ_IMPORT_RETENTION_DAYS), at start and daily; attachment files no record names, past their
 * grace period (features/attachments/orphans.ts), at start and daily; counts of public requests whose
 * window is long over (db/windows.ts), hourly.
 */
export function housekeeping(app: FastifyInstance, o: { anchorEveryMs?: number; sweepEveryMs?: number } = {}): void {
  const { config, db } = app.ctx;
  const anchor = async (when: string) => {
    try {
      const a = await writeAnchor(db, config.dataDir);
      if (a) app.log.info({ auditAnchor: { ...a, when } }, 'audit chain head anchored');
    } catch (err) {
      app.log.error({ err }, 'audit anchor not written');
    }
  };
  const sweep = () => {
    try {
      const removed = sweepImportFiles(path.join(config.dataDir, 'imports'), config.importRetentionDays);
      if (removed) app.log.info({ removed, retentionDays: config.importRetentionDays }, 'expired import files removed');
    } catch (err) {
      app.log.error({ err }, 'import file sweep failed');
    }
  };
  const orphans = async () => {
    try {
      const swept = await sweepOrphanFiles(db, config.dataDir);
      if (swept.files) app.log.info({ swept }, 'attachment files no record names removed');
    } catch (err) {
      app.log.error({ err }, 'attachment orphan sweep failed');
    }
  };
  const purge = async () => {
    try {
      const removed = await purgePublicWindows(db);
      if (removed) app.log.info({ removed }, 'expired request counts removed');
    } catch (err) {
      app.log.error({ err }, 'request count purge failed');
    }
  };
  const timers: NodeJS.Timeout[] = [];
  app.addHook('onReady', async () => {
    await anchor('start');
    sweep();
    // Beside start-up, not before it: the sweep stats every stored file and asks which are named.
    void orphans();
    timers.push(
      setInterval(() => void anchor('schedule'), o.anchorEveryMs ?? HOUR),
      setInterval(() => void purge(), HOUR),
      setInterval(sweep, o.sweepEveryMs ?? 24 * HOUR),
      setInterval(() => void orphans(), 24 * HOUR),
    );
    for (const t of timers) t.unref();
  });
  app.addHook('onClose', async () => {
    for (const t of timers) clearInterval(t);
    await anchor('shutdown');
  });
}
