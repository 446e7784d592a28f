import type { FastifyInstance } from 'fastify';
import { nextTickIn, snapshotTick } from './service.js';

const HOUR = 3600 * 1000;

/**
 * The snapshots, kept by the app in the deployment's time zone: at start-up and then at least
 * hourly, a run closes the month just ended (its period-end snapshot, the figures a past month or
 * quarter is reported from: taken right after the month ends, or at the first start after a
 * missed end) and keeps the current month's snapshot no older than a day. A run is also timed for
 * just after each month's end. Runs as the system over the whole tree; stopped, and a run in
 * progress awaited, when the app closes.
 */
export function snapshotSchedule(app: FastifyInstance, everyMs = HOUR): void {
  let running: Promise<void> | null = null;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const run = () => {
    running ??= snapshotTick(app.ctx.db)
      .then(
        (r) =>
          void (
            (r.closed || r.current !== null) &&
            app.log.info({ closedMonth: r.closed, nodes: r.current }, 'indicator snapshot taken')
          ),
      )
      .catch(
        (err: unknown) =>
          void (app.ctx.database.health.report(err) || app.log.error({ err }, 'indicator snapshot failed')),
      )
      .finally(() => {
        running = null;
      });
    return running;
  };
  const schedule = () => {
    if (closed) return;
    timer = setTimeout(() => void run().then(schedule), nextTickIn(everyMs));
    timer.unref();
  };
  app.addHook('onReady', async () => {
    void run().then(schedule);
    // A run the database's absence made fail (one transaction: nothing half-written) is taken
    // again as soon as it is back; a tick is idempotent (a month closed or kept is not taken twice).
    app.ctx.database.health.on('up', onUp);
  });
  const onUp = () => void run();
  app.addHook('onClose', async () => void app.ctx.database.health.off('up', onUp));
  app.addHook('onClose', async () => {
    closed = true;
    clearTimeout(timer);
    await running;
  });
}
