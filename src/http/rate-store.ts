import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { countPublicInWindow, readPublicWindow } from '../db/windows.js';
import type { WindowCount } from '../domain/auth/reveal-limit.js';

type Callback = (err: Error | null, res?: { current: number; ttl: number }) => void;
type RouteInfo = { method?: string | string[]; url?: string };

/**
 * The store @fastify/rate-limit counts in: the database (migration 0231), not each process's
 * memory, so the limits on sign-in, the public pages and the exchange API hold across server
 * processes and restarts (round 10 left them per process). Each rate-limited route counts in its
 * own bucket (its method and pattern), keyed as the plugin keys a client (its address; IPv6 by
 * network).
 */
export function databaseRateStore(db: Kysely<DB>) {
  return class DatabaseRateStore {
    bucket = 'global';

    /** The plugin passes the route's merged limits, the route itself under `routeInfo` (its types say the route). */
    child(params: object): DatabaseRateStore {
      const store = new DatabaseRateStore();
      const { method, url } = ((params as { routeInfo?: RouteInfo }).routeInfo ?? params) as RouteInfo;
      if (url) store.bucket = `${[method ?? ''].flat().join(',')} ${url}`;
      return store;
    }

    incr(key: string, cb: Callback, timeWindow: number): void {
      countPublicInWindow(db, this.bucket, key, timeWindow).then(
        (c) => cb(null, { current: c.used, ttl: ttlOf(c, timeWindow) }),
        (err: Error) => cb(err),
      );
    }

    read(key: string, cb: Callback, timeWindow: number): void {
      readPublicWindow(db, this.bucket, key, timeWindow).then(
        (c) => cb(null, c ? { current: c.used, ttl: ttlOf(c, timeWindow) } : { current: 0, ttl: 0 }),
        (err: Error) => cb(err),
      );
    }
  };
}

const ttlOf = (c: WindowCount, timeWindow: number) =>
  Math.max(0, c.windowStart.getTime() + timeWindow - c.now.getTime());
