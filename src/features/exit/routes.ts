import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { conflict, notFound } from '../../http/errors.js';
import { schemaOf } from '../../http/contract.js';
import { decideExit } from '../../domain/exit/exit.js';
import { liftExit, listExitReviews, reviewExit } from './contract.js';
import { exitReviews } from './queries.js';
import { auditExitEffects } from './effects.js';

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
    schema: { ...schemaOf(listExitReviews, tags), querystring: listExitReviews.query, response: { 200: listExitReviews.response } },
    handler: (req) => req.scoped(async ({ db }) => ({ items: await exitReviews(db, req.query) })),
  });

  r.post(reviewExit.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(reviewExit, tags), params: reviewExit.params, body: reviewExit.body, response: { 200: reviewExit.response } },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const rv = await db.selectFrom('exit_review').select(['id', 'state']).where('id', '=', req.params.id).forUpdate().executeTakeFirst();
        if (!rv) throw notFound('退出复核');
        const d = decideExit(rv.state, 'review');
        if (!d.ok) throw conflict(d.message);
        await db.updateTable('exit_review').set({ state: 'reviewed', reviewed_at: new Date(), reviewed_by: req.user!.id, review_note: req.body.note }).where('id', '=', rv.id).execute();
        audit({ action: 'exit.review', objectType: 'exit_review', objectId: rv.id, detail: { from: rv.state, to: 'reviewed', note: req.body.note } });
        return (await exitReviews(db, { id: rv.id }))[0];
      }),
  });

  r.post(liftExit.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(liftExit, tags), params: liftExit.params, body: liftExit.body, response: { 200: liftExit.response } },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        // Read under the caller's scope first: the function runs as its owner.
        const rv = await db.selectFrom('exit_review').select(['id', 'state']).where('id', '=', req.params.id).forUpdate().executeTakeFirst();
        if (!rv) throw notFound('退出复核');
        const d = decideExit(rv.state, 'lift');
        if (!d.ok) throw conflict(d.message);
        await sql`SELECT xgz_exit_lift(${rv.id}::bigint, ${req.user!.id}::bigint, ${req.body.note}::text)`.execute(db);
        audit({ action: 'exit.lift', objectType: 'exit_review', objectId: rv.id, detail: { from: rv.state, to: 'closed', note: req.body.note } });
        await auditExitEffects(db, audit, { type: 'request', action: 'exit.lift', objectType: 'exit_review', objectId: rv.id });
        return (await exitReviews(db, { id: rv.id }))[0];
      }),
  });
}
