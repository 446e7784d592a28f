import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idParam } from '../../http/paging.js';
import { notFound } from '../../http/errors.js';
import { digestQuery, notification, notificationList, todoKind, todoList } from './contract.js';
import { todosOf } from './service.js';
import { runNotificationSweep } from './sweep.js';

const SWEEP_EVERY_MS = 60_000;
import { digestOf, markAllRead, markRead, notificationsOf, unreadCount, unreadCountQuery } from './queries.js';
import { readScopedOnce } from '../../db/scoped.js';

/** 工作台: the bell (in-app notifications) and the daily digest; the 待办 list. */
export async function workbenchRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  // The bell for what other features record (cases routed or escalated, new discovery cases, honours flagged, imports with refused rows), every minute while the server runs.
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> | null = null;
  app.addHook('onReady', async () => {
    timer = setInterval(() => {
      if (running) return;
      running = runNotificationSweep(app.ctx.db).catch((err: unknown) => app.log.error({ err }, 'notification sweep failed')).finally(() => (running = null));
    }, SWEEP_EVERY_MS);
    timer.unref();
  });
  app.addHook('onClose', async () => {
    if (timer) clearInterval(timer);
    await running;
  });

  r.get('/workbench', {
    config: { access: 'data.read' },
    schema: { tags: ['工作台'], summary: '今日待办：本账号所在单位要办的事，按到期先后（逾期、即将到期、新、其余），每项一键直达办理处', querystring: z.strictObject({ kind: z.array(todoKind).or(todoKind.transform((k) => [k])).optional() }), response: { 200: todoList } },
    // Not req.scoped: the one statement goes with BEGIN, the scope and COMMIT in a single round trip (the same scope, role and row-level security).
    handler: (req) => todosOf(app.ctx.db, app.ctx.database.pool, req.principal(), req.user!, new Date(), req.query.kind),
  });

  r.get('/notifications', {
    config: { access: 'session' },
    schema: { tags: ['工作台'], summary: '本人的消息（最新在前）与未读数', querystring: z.strictObject({ unread: z.enum(['true', 'false']).optional(), limit: z.coerce.number().int().min(1).max(100).default(20) }), response: { 200: notificationList } },
    handler: (req) =>
      req.scoped(async ({ db }) => ({ unread: await unreadCount(db, req.user!.id), items: await notificationsOf(db, req.user!.id, req.query.unread === 'true', req.query.limit) })),
  });

  r.get('/notifications/unread-count', {
    config: { access: 'session' },
    schema: { tags: ['工作台'], summary: '未读消息数（铃铛）', response: { 200: z.object({ unread: z.number() }) } },
    // Asked by every page every few seconds: the one statement with BEGIN, the scope and COMMIT in a single round trip (as the 待办).
    handler: async (req) => {
      const [{ n }] = await readScopedOnce<{ n: number }>(app.ctx.database.pool, req.principal(), unreadCountQuery(app.ctx.db, req.user!.id).compile());
      return { unread: n };
    },
  });

  r.post('/notifications/:id/read', {
    config: { access: 'session' },
    schema: { tags: ['工作台'], summary: '标记一条消息已读', params: idParam, response: { 204: z.null() } },
    handler: async (req, reply) => {
      const n = await req.scoped(({ db }) => markRead(db, req.user!.id, req.params.id));
      if (!n) throw notFound('消息');
      return reply.code(204).send(null);
    },
  });

  r.post('/notifications/read-all', {
    config: { access: 'session' },
    schema: { tags: ['工作台'], summary: '全部标记已读', response: { 200: z.object({ marked: z.number() }) } },
    handler: (req) => req.scoped(async ({ db }) => ({ marked: await markAllRead(db, req.user!.id) })),
  });

  r.get('/notifications/digest', {
    config: { access: 'session' },
    schema: { tags: ['工作台'], summary: '每日摘要：某日（默认今天，北京时间）收到的消息按类别汇总', querystring: digestQuery, response: { 200: z.object({ day: z.string(), groups: z.array(z.object({ kind: z.string(), label: z.string(), count: z.number(), items: z.array(notification) })) }) } },
    handler: (req) => req.scoped(({ db }) => digestOf(db, req.user!.id, req.query.day)),
  });
}
