import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { POINT_KIND_LABEL, POINT_SUBJECT_LABEL } from '../../domain/recognition/points.js';
import {
  RECOMMENDATION_STATE_LABEL,
  decisionProblem,
  recommendedLevel,
  type RecommendationState,
} from '../../domain/recognition/recommendations.js';
import { forbidden, notFound } from '../../http/errors.js';
import { schemaOf } from '../../http/contract.js';
import {
  getRecommendation,
  listRecommendations,
  recommendPoint,
  resubmitRecommendation,
  reviewRecommendation,
} from './contract.js';
import { registerAttachmentOwner } from '../attachments/index.js';
import {
  itemFor,
  parentCodeOf,
  recommendationById,
  recommendationDetail,
  recommendationsPage,
  subjectOf,
} from './recommendation-queries.js';
import { decideRecommendation, insertRecommendation, resendRecommendation } from './recommendation-writes.js';
import { ownNode, refusal } from './shared.js';

const tags = ['联系点示范点'];

// Files on a recommendation: the recommending node adds them while it is open (pending or returned).
registerAttachmentOwner('point_recommendation', {
  label: '联系点/示范点推荐',
  async writable(s, id) {
    const r = await recommendationById(s.db, id);
    if (!r) throw notFound('推荐');
    if (r.scope_key !== s.who.scopeKey) throw forbidden('只有推荐单位可以为推荐添加材料');
    if (r.state !== 'pending' && r.state !== 'returned') throw forbidden('推荐已审核，不能再修改材料');
    return { scopeKey: r.scope_key };
  },
});

/** 联系点/示范点 推荐: the level below recommends with reasons and files; the level above selects, returns or rejects. */
export async function recommendationRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(listRecommendations.path, {
    config: { access: 'data.read' },
    schema: {
      ...schemaOf(listRecommendations, tags),
      querystring: listRecommendations.query,
      response: { 200: listRecommendations.response },
    },
    handler: (req) => req.scoped(({ db }) => recommendationsPage(db, req.user!, req.query)),
  });

  r.get(getRecommendation.path, {
    config: { access: 'data.read' },
    schema: {
      ...schemaOf(getRecommendation, tags),
      params: getRecommendation.params,
      response: { 200: getRecommendation.response },
    },
    handler: (req) => req.scoped(({ db }) => recommendationDetail(db, req.user!, req.params.id)),
  });

  r.post(recommendPoint.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(recommendPoint, tags),
      body: recommendPoint.body,
      response: { 201: recommendPoint.response },
    },
    handler: async (req, reply) => {
      const b = req.body;
      const id = await req.scoped(async ({ db, audit, who }) => {
        const me = await ownNode(db, req.user!.jurisdictionCode);
        const parentCode = await parentCodeOf(db, me.code);
        const level = recommendedLevel(me.level);
        if (!level || !parentCode) throw forbidden('本级没有可以推荐的上级');
        const subject = await subjectOf(db, b.subjectType, b.subjectId);
        if (!subject || !subject.scope_key.startsWith(who.scopeKey)) throw notFound(POINT_SUBJECT_LABEL[b.subjectType]);
        const row = await insertRecommendation(db, {
          kind: b.kind,
          level,
          subjectType: b.subjectType,
          subjectId: b.subjectId,
          subjectName: subject.name,
          reason: b.reason,
          fromCode: me.code,
          toCode: parentCode,
          scopeKey: me.scope_key,
          by: req.user!.id,
        });
        if (!row)
          throw refusal({
            status: 409,
            reason: `该${POINT_SUBJECT_LABEL[b.subjectType]}已推荐为${POINT_KIND_LABEL[b.kind]}，正在审核或待补充`,
            field: 'subjectId',
          });
        audit({
          action: 'point_recommendation.create',
          objectType: 'point_recommendation',
          objectId: row.id,
          detail: { kind: b.kind, level, subjectType: b.subjectType, subjectId: b.subjectId, to: parentCode },
        });
        return Number(row.id);
      });
      return reply.code(201).send({ id });
    },
  });

  r.post(reviewRecommendation.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(reviewRecommendation, tags),
      params: reviewRecommendation.params,
      body: reviewRecommendation.body,
      response: { 200: reviewRecommendation.response },
    },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const x = await recommendationById(db, req.params.id);
        if (!x) throw notFound('推荐');
        if (x.to_code !== req.user!.jurisdictionCode) throw forbidden('只有接受推荐的上级单位可以审核');
        const problem = decisionProblem(x.state, req.body.decision, req.body.reason);
        if (problem) throw refusal(problem);
        await decideRecommendation(db, Number(x.id), req.body.decision, req.body.reason?.trim() || null, req.user!.id);
        audit({
          action: `point_recommendation.${req.body.decision}`,
          objectType: 'point_recommendation',
          objectId: Number(x.id),
          detail: { reason: req.body.reason ?? null },
        });
        return itemFor(req.user!)((await recommendationById(db, Number(x.id)))!);
      }),
  });

  r.post(resubmitRecommendation.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(resubmitRecommendation, tags),
      params: resubmitRecommendation.params,
      body: resubmitRecommendation.body,
      response: { 200: resubmitRecommendation.response },
    },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const x = await recommendationById(db, req.params.id);
        if (!x) throw notFound('推荐');
        if (x.from_code !== req.user!.jurisdictionCode) throw forbidden('只有推荐单位可以重新报送');
        if (x.state !== 'returned')
          throw refusal({
            status: 409,
            reason: `该推荐${RECOMMENDATION_STATE_LABEL[x.state as RecommendationState]}，只有退回的推荐可以重新报送`,
          });
        await resendRecommendation(db, Number(x.id), req.body.reason);
        audit({ action: 'point_recommendation.resubmit', objectType: 'point_recommendation', objectId: Number(x.id) });
        return itemFor(req.user!)((await recommendationById(db, Number(x.id)))!);
      }),
  });
}
