import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { z } from 'zod';
import { conflict, notFound } from '../../http/errors.js';
import { idParam } from '../../http/paging.js';
import { decideExit } from '../../domain/exit/exit.js';
import { exitNoteBody, exitReview, exitReviewQuery } from './contract.js';
import { exitReviews } from './queries.js';
import { auditExitEffects } from './effects.js';

/**
 * Exit reviews (退出复核): opened by the database when an entity is deregistered, revoked or put on
 * a credit list (its plaques suspended, honours and points flagged); staff note them reviewed, and
 * confirm the plaques' return once the cause is gone.
 */
export async function exitRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/exit-reviews', {
    config: { access: 'data.read' },
    schema: { tags: ['三亮'], summary: '退出复核：注销、吊销、列入经营异常名录或严重违法失信名单的主体（牌匾暂停公示、荣誉与联系点待复核）', querystring: exitReviewQuery, response: { 200: z.object({ items: z.array(exitReview) }) } },
    handler: (req) => req.scoped(async ({ db }) => ({ items: await exitReviews(db, req.query) })),
  });

  r.post('/exit-reviews/:id/review', {
    config: { access: 'data.write' },
    schema: { tags: ['三亮'], summary: '复核（原因仍在时：记录复核意见，牌匾继续暂停公示）', params: idParam, body: exitNoteBody, response: { 200: exitReview } },
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

  r.post('/exit-reviews/:id/lift', {
    config: { access: 'data.write' },
    schema: { tags: ['三亮'], summary: '确认恢复公示（已移出名单或登记状态恢复后）：牌匾恢复有效，联系点解除标记', params: idParam, body: exitNoteBody, response: { 200: exitReview } },
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
