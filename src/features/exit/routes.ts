import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { schemaOf } from '../../http/contract.js';
import { liftExit, listExitReviews, reviewExit } from './contract.js';
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
