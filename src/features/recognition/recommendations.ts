import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { POINT_KIND_LABEL, POINT_LEVEL_LABEL } from '../../domain/recognition/points.js';
import {
  DECISIONS, RECOMMENDATION_STATE_LABEL, decisionProblem, recommendedLevel, type RecommendationState,
} from '../../domain/recognition/recommendations.js';
import { forbidden, notFound } from '../../http/errors.js';
import { idParam, pageFrom } from '../../http/paging.js';
import { schemaOf } from '../../http/contract.js';
import { listRecommendations, recommendationItem } from './contract.js';
import { attachment, attachmentsOf, registerAttachmentOwner } from '../attachments/index.js';
import {
  SUBJECT_TABLE, decide, insertRecommendation, recommendationById, recommendationList, resubmit, subjectOf, type RecommendationRow, type SubjectType,
} from './recommendation-queries.js';
import { ownNode, refusal } from './shared.js';

const SUBJECTS = Object.keys(SUBJECT_TABLE) as [SubjectType, ...SubjectType[]];
const SUBJECT_LABEL: Record<SubjectType, string> = { entity: '市场主体', org: '党组织', zone: '市场·园区·楼宇·商圈', platform: '平台企业' };
const reasonText = z.string().trim().min(4, '请填写推荐理由（至少 4 个字）').max(2000, '推荐理由不超过 2000 字');

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
  const toItem = (me: { jurisdictionCode: string }) => (x: RecommendationRow) => ({
    id: Number(x.id), kind: x.kind, kindLabel: POINT_KIND_LABEL[x.kind], level: x.level, levelLabel: POINT_LEVEL_LABEL[x.level], subjectType: x.subject_type,
    subjectTypeLabel: SUBJECT_LABEL[x.subject_type], subjectId: Number(x.subject_id), subjectName: x.subject_name, reason: x.reason, fromCode: x.from_code, fromName: x.from_name,
    toCode: x.to_code, state: x.state, stateLabel: RECOMMENDATION_STATE_LABEL[x.state], reviewReason: x.review_reason,
    createdAt: new Date(x.created_at).toISOString(), reviewedAt: x.reviewed_at ? new Date(x.reviewed_at).toISOString() : null,
    reviewable: x.state === 'pending' && x.to_code === me.jurisdictionCode,
    resendable: x.state === 'returned' && x.from_code === me.jurisdictionCode,
  });

  r.get(listRecommendations.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(listRecommendations, ['联系点示范点']), querystring: listRecommendations.query, response: { 200: listRecommendations.response } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        let q = recommendationList(db);
        if (req.query.direction === 'incoming') q = q.where('r.to_code', '=', req.user!.jurisdictionCode);
        if (req.query.direction === 'outgoing') q = q.where('r.from_code', '=', req.user!.jurisdictionCode);
        if (req.query.state) q = q.where('r.state', '=', req.query.state);
        return pageFrom(q, req.query, (q) => q.orderBy('r.created_at', 'desc').orderBy('r.id', 'desc'), toItem(req.user!));
      }),
  });

  r.get('/point-recommendations/:id', {
    config: { access: 'data.read' },
    schema: { tags: ['联系点示范点'], summary: '推荐详情：理由、材料、审核结果', params: idParam, response: { 200: recommendationItem.extend({ attachments: z.array(attachment) }) } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const x = await recommendationById(db, req.params.id);
        if (!x) throw notFound('推荐');
        return { ...toItem(req.user!)(x), attachments: (await attachmentsOf(db, 'point_recommendation', [Number(x.id)])).get(Number(x.id)) ?? [] };
      }),
  });

  r.post('/point-recommendations', {
    config: { access: 'data.write' },
    schema: {
      tags: ['联系点示范点'], summary: '向上级推荐联系点或示范点（理由；材料用附件上传）',
      body: z.strictObject({ kind: z.enum(['contact', 'demo'], '请选择联系点或示范点'), subjectType: z.enum(SUBJECTS, '请选择推荐对象类型'), subjectId: z.number().int().positive('请选择推荐对象'), reason: reasonText }),
      response: { 201: z.object({ id: z.number() }) },
    },
    handler: async (req, reply) => {
      const b = req.body;
      const id = await req.scoped(async ({ db, audit, who }) => {
        const me = await ownNode(db, req.user!.jurisdictionCode);
        const parent = await db.selectFrom('jurisdiction').select('parent_code').where('code', '=', me.code).executeTakeFirstOrThrow();
        const level = recommendedLevel(me.level);
        if (!level || !parent.parent_code) throw forbidden('本级没有可以推荐的上级');
        const subject = await subjectOf(db, b.subjectType, b.subjectId);
        if (!subject || !subject.scope_key.startsWith(who.scopeKey)) throw notFound(SUBJECT_LABEL[b.subjectType]);
        const row = await insertRecommendation(db, {
          kind: b.kind, level, subjectType: b.subjectType, subjectId: b.subjectId, subjectName: subject.name, reason: b.reason,
          fromCode: me.code, toCode: parent.parent_code, scopeKey: me.scope_key, by: req.user!.id,
        });
        if (!row) throw refusal({ status: 409, reason: `该${SUBJECT_LABEL[b.subjectType]}已推荐为${POINT_KIND_LABEL[b.kind]}，正在审核或待补充`, field: 'subjectId' });
        audit({ action: 'point_recommendation.create', objectType: 'point_recommendation', objectId: row.id, detail: { kind: b.kind, level, subjectType: b.subjectType, subjectId: b.subjectId, to: parent.parent_code } });
        return Number(row.id);
      });
      return reply.code(201).send({ id });
    },
  });

  r.post('/point-recommendations/:id/review', {
    config: { access: 'data.write' },
    schema: {
      tags: ['联系点示范点'], summary: '审核下级推荐：选定、退回（补充材料）或不予采纳（须说明理由）；选定后按命名规则另行命名',
      params: idParam, body: z.strictObject({ decision: z.enum(DECISIONS, '请选择审核结果'), reason: z.string().trim().max(500, '理由不超过 500 字').optional() }),
      response: { 200: recommendationItem },
    },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const x = await recommendationById(db, req.params.id);
        if (!x) throw notFound('推荐');
        if (x.to_code !== req.user!.jurisdictionCode) throw forbidden('只有接受推荐的上级单位可以审核');
        const problem = decisionProblem(x.state, req.body.decision, req.body.reason);
        if (problem) throw refusal(problem);
        await decide(db, Number(x.id), req.body.decision, req.body.reason?.trim() || null, req.user!.id);
        audit({ action: `point_recommendation.${req.body.decision}`, objectType: 'point_recommendation', objectId: Number(x.id), detail: { reason: req.body.reason ?? null } });
        return toItem(req.user!)((await recommendationById(db, Number(x.id)))!);
      }),
  });

  r.post('/point-recommendations/:id/resubmit', {
    config: { access: 'data.write' },
    schema: { tags: ['联系点示范点'], summary: '补充后重新报送退回的推荐', params: idParam, body: z.strictObject({ reason: reasonText }), response: { 200: recommendationItem } },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const x = await recommendationById(db, req.params.id);
        if (!x) throw notFound('推荐');
        if (x.from_code !== req.user!.jurisdictionCode) throw forbidden('只有推荐单位可以重新报送');
        if (x.state !== 'returned') throw refusal({ status: 409, reason: `该推荐${RECOMMENDATION_STATE_LABEL[x.state as RecommendationState]}，只有退回的推荐可以重新报送` });
        await resubmit(db, Number(x.id), req.body.reason);
        audit({ action: 'point_recommendation.resubmit', objectType: 'point_recommendation', objectId: Number(x.id) });
        return toItem(req.user!)((await recommendationById(db, Number(x.id)))!);
      }),
  });
}
