import type { FastifyInstance } from 'fastify';
import { takeSystemSnapshots } from './service.js';

const DAY = 24 * 3600 * 1000;

/**
 * The monthly snapshots, kept by the app: at start-up the current month gets its snapshot unless it
 * has one from the last day, and once a day the month's snapshot is taken again, so that when a
 * month is over its row holds (near enough) its last day's state, however often the server
 * restarts. Runs as the system over the whole tree. The timer is the app's: stopped, and a run in
 * progress awaited, when the app closes.
 */
export function snapshotSchedule(app: FastifyInstance, everyMs = DAY): void {
  let running: Promise<void> | null = null;
  let timer: NodeJS.Timeout | undefined;
  const run = (always: boolean) => {
    running ??= takeSystemSnapshots(app.ctx.db, always)
      .then((nodes) => void (nodes !== null && app.log.info({ nodes }, 'indicator snapshot taken')))
      .catch((err: unknown) => app.log.error({ err }, 'indicator snapshot failed'))
      .finally(() => { running = null; });
    return running;
  };
  app.addHook('onReady', async () => {
    void run(false);
    timer = setInterval(() => void run(true), everyMs);
    timer.unref();
  });
  app.addHook('onClose', async () => {
    clearInterval(timer);
    await running;
  });
}
