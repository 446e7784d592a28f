import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { schemaOf } from '../../http/contract.js';
import { notFound } from '../../http/errors.js';
import {
  getDigest,
  getTodos,
  listNotifications,
  readAllNotifications,
  readNotification,
  unreadNotifications,
} from './contract.js';
import { digestOf, markAllRead, markRead, notificationsOf, unreadCount, unreadCountQuery } from './queries.js';
import { readScopedOnce } from '../../db/scoped.js';
import { todosOf } from './service.js';
import { runNotificationSweep } from './sweep.js';

const SWEEP_EVERY_MS = 60_000;
const TAGS = ['工作台'];

/** 工作台: the bell (in-app notifications) and the daily digest; the 待办 list. */
export async function workbenchRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  // The bell for what other features record (cases routed or escalated, new discovery cases, honours flagged, imports with refused rows), every minute while the server runs.
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> | null = null;
  app.addHook('onReady', async () => {
    if (!app.housekeeping) return;
    timer = setInterval(() => {
      if (running) return;
      running = runNotificationSweep(app.ctx.db)
        .catch((err: unknown) => app.log.error({ err }, 'notification sweep failed'))
        .finally(() => (running = null));
    }, SWEEP_EVERY_MS);
    timer.unref();
  });
  app.addHook('onClose', async () => {
    if (timer) clearInterval(timer);
    await running;
  });

  r.get(getTodos.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(getTodos, TAGS), querystring: getTodos.query, response: { 200: getTodos.response } },
    // Not req.scoped: the one statement goes with BEGIN, the scope and COMMIT in a single round trip (the same scope, role and row-level security).
    handler: (req) =>
      todosOf(app.ctx.db, app.ctx.database.pool, req.principal(), req.user!, new Date(), req.query.kind),
  });

  r.get(listNotifications.path, {
    config: { access: 'session' },
    schema: {
      ...schemaOf(listNotifications, TAGS),
      querystring: listNotifications.query,
      response: { 200: listNotifications.response },
    },
    handler: (req) =>
      req.scoped(async ({ db }) => ({
        unread: await unreadCount(db, req.user!.id),
        items: await notificationsOf(db, req.user!.id, req.query.unread === 'true', req.query.limit),
      })),
  });

  r.get(unreadNotifications.path, {
    config: { access: 'session' },
    schema: { ...schemaOf(unreadNotifications, TAGS), response: { 200: unreadNotifications.response } },
    // Asked by every page every few seconds: the one statement with BEGIN, the scope and COMMIT in a single round trip (as the 待办).
    handler: async (req) => {
      const [{ n }] = await readScopedOnce<{ n: number }>(
        app.ctx.database.pool,
        req.principal(),
        unreadCountQuery(app.ctx.db, req.user!.id).compile(),
      );
      return { unread: n };
    },
  });

  r.post(readNotification.path, {
    config: { access: 'session' },
    schema: {
      ...schemaOf(readNotification, TAGS),
      params: readNotification.params,
      response: { 204: readNotification.response },
    },
    handler: async (req, reply) => {
      const n = await req.scoped(({ db }) => markRead(db, req.user!.id, req.params.id));
      if (!n) throw notFound('消息');
      return reply.code(204).send(null);
    },
  });

  r.post(readAllNotifications.path, {
    config: { access: 'session' },
    schema: { ...schemaOf(readAllNotifications, TAGS), response: { 200: readAllNotifications.response } },
    handler: (req) => req.scoped(async ({ db }) => ({ marked: await markAllRead(db, req.user!.id) })),
  });

  r.get(getDigest.path, {
    config: { access: 'session' },
    schema: { ...schemaOf(getDigest, TAGS), querystring: getDigest.query, response: { 200: getDigest.response } },
    handler: (req) => req.scoped(({ db }) => digestOf(db, req.user!.id, req.query.day)),
  });
}
