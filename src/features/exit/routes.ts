import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { schemaOf } from '../../http/contract.js';
import { exportReadRows, listExportRoute } from '../../http/export-route.js';
import { exportExitReviews, liftExit, listExitReviews, reviewExit } from './contract.js';
import { exitReviews } from './queries.js';
import { liftExitReview, markExitReviewed } from './writes.js';

const tags = ['三亮'];

/**
 * Exit reviews (退出复核): opened by the database when an entity is deregistered, revoked or put on
 * a credit list (its plaques suspended, honours and points flagged); staff note them reviewed, and
 * confirm the plaques' return once the cause is gone.
 */
export async function exitRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(listExitReviews.path, {
    config: { access: 'data.read' },
    schema: {
      ...schemaOf(listExitReviews, tags),
      querystring: listExitReviews.query,
      response: { 200: listExitReviews.response },
    },
    handler: (req) => req.scoped(async ({ db }) => ({ items: await exitReviews(db, req.query) })),
  });

  listExportRoute(app, {
    ...exportExitReviews,
    tags,
    summary: '导出退出复核（xlsx，导出留痕）',
    action: 'exit.export',
    objectType: 'exit_review',
    read: (db, q) => exitReviews(db, { state: q.state, limit: exportReadRows() }),
    file: '退出复核',
    sheet: '退出复核',
    columns: [
      { header: '市场主体', width: 30, value: (r) => r.entityName },
      { header: '原因', width: 18, value: (r) => r.causeLabel },
      { header: '说明', width: 36, value: (r) => r.reason },
      { header: '状态', width: 10, value: (r) => r.stateLabel },
      { header: '发起时间', width: 18, value: (r) => r.openedAt },
      { header: '原因消除时间', width: 18, value: (r) => r.clearedAt },
      { header: '复核时间', width: 18, value: (r) => r.reviewedAt },
      { header: '复核意见', width: 30, value: (r) => r.reviewNote },
      { header: '结束时间', width: 18, value: (r) => r.closedAt },
      { header: '结束说明', width: 30, value: (r) => r.closeNote },
      {
        header: '自动处理',
        width: 40,
        value: (r) => r.effects.map((x) => (x.objectLabel ? `${x.label}（${x.objectLabel}）` : x.label)).join('；'),
      },
    ],
  });

  r.post(reviewExit.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(reviewExit, tags),
      params: reviewExit.params,
      body: reviewExit.body,
      response: { 200: reviewExit.response },
    },
    handler: (req) => req.scoped((sc) => markExitReviewed(sc, req.params.id, req.user!.id, req.body.note)),
  });

  r.post(liftExit.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(liftExit, tags),
      params: liftExit.params,
      body: liftExit.body,
      response: { 200: liftExit.response },
    },
    handler: (req) => req.scoped((sc) => liftExitReview(sc, req.params.id, req.user!.id, req.body.note)),
  });
}
