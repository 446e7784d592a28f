import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { runScoped } from '../../db/scoped.js';
import type { Principal } from '../../db/audit-chain.js';
import { Problem } from '../../http/errors.js';
import { writeWithinCountyCap, type CountyCap } from '../../http/county-cap.js';
import { maskedName, parsePlaqueNumber, SANLIANG_KIND_LABEL, verdictText } from '../../domain/sanliang/plaque.js';
import { newTrackingCode, plaqueUnit, raiseCase, sealFreeText, trackingHash } from '../appeals/index.js';
import { publicEntityName } from '../../domain/sanliang/public-name.js';
import { schemaOf } from '../../http/contract.js';
import { reportPlaqueProblem, verifyPlaque } from './contract.js';
import { plaqueRouteByToken, publicPlaqueByToken } from './queries.js';
import { insertPlaqueFeedback } from './writes.js';

/**
 * The public side of a plaque: anyone who scans its QR code sees whether it is valid and what
 * it shows, and may report a problem. No login. The reads go through one narrow SECURITY
 * DEFINER function and run as xgz_app in a scope that holds nothing ('-' precedes every key),
 * so even a careless query here could read no ledger row.
 */
const ACTOR = '公众（牌匾核验）';
const nowhere = (ip: string): Principal => ({ userId: null, username: ACTOR, scopeKey: '-', ip });

/** The token, or 400 naming the field (a printed number is not accepted: plaques are not listable by counting). */
function canonical(raw: string): string {
  const t = raw.trim().toLowerCase();
  if (/^[0-9a-f]{32}$/.test(t)) return t;
  const hint = parsePlaqueNumber(raw)
    ? '请扫描牌匾上的二维码打开核验页（牌匾编号不能直接查询）'
    : '核验链接不完整，请重新扫描牌匾上的二维码';
  throw new Problem(400, '请求有误', hint, [{ field: 'token', message: '核验码格式不正确' }]);
}

const unknownPlaque = () => {
  const t = verdictText('unknown');
  return new Problem(404, t.title, t.detail, undefined, 'plaque_unknown');
};

export async function sanliangPublicRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = app.ctx;

  /** The county's daily cap of plaque feedback from every address together (round 12; http/county-cap.ts). */
  const feedbackCap: CountyCap = {
    bucket: 'plaque_feedback.county',
    action: 'plaque.feedback_county_limited',
    actor: ACTOR,
    cap: app.ctx.config.plaqueFeedbackCountyDaily,
    title: '今日反映已满',
    detail: (cap) => `该县（区）今天通过牌匾收到的反映已达 ${cap} 条的上限，请明天再提交，或直接联系所在地市场监管所`,
    code: 'plaque_feedback_county_limit',
  };

  r.get(verifyPlaque.path, {
    config: { access: 'public', rateLimit: { max: 30, timeWindow: '1 minute' } },
    schema: {
      ...schemaOf(verifyPlaque, ['公开']),
      params: verifyPlaque.params,
      response: { 200: verifyPlaque.response },
    },
    handler: async (req) => {
      const token = canonical(req.params.token);
      const p = await runScoped(db, nowhere(req.ip), ({ db: tx }) => publicPlaqueByToken(tx, token));
      if (!p) throw unknownPlaque();
      const text = verdictText(p.state, { reissued: p.reissued });
      // 暂停公示: the number scanned and that word, nothing about the entity, the member or why.
      if (p.state === 'suspended') {
        return {
          number: p.number,
          verdict: p.state,
          ...text,
          kind: p.kind,
          kindLabel: SANLIANG_KIND_LABEL[p.kind],
          entityName: null,
          memberName: null,
          postName: null,
          duties: null,
          commitment: null,
          issuedOn: null,
          revokedOn: null,
          area: null,
        };
      }
      return {
        number: p.number,
        verdict: p.state,
        ...text,
        kind: p.kind,
        kindLabel: SANLIANG_KIND_LABEL[p.kind],
        // An operator's name inside an individual business's name is masked like the member's.
        entityName: publicEntityName(p.entity_name ?? '', p.entity_kind, p.people ?? []),
        memberName: p.name_first ? maskedName(p.name_first, Number(p.name_length)) : null,
        postName: p.post_name,
        duties: p.duties,
        commitment: p.commitment,
        issuedOn: p.issued_on,
        revokedOn: p.revoked_on,
        area: p.area,
      };
    },
  });

  r.post(reportPlaqueProblem.path, {
    config: { access: 'public', rateLimit: { max: 5, timeWindow: '1 minute' } },
    schema: {
      ...schemaOf(reportPlaqueProblem, ['公开']),
      params: reportPlaqueProblem.params,
      body: reportPlaqueProblem.body,
      response: { 201: reportPlaqueProblem.response },
    },
    handler: async (req, reply) => {
      const token = canonical(req.params.token);
      const route = await runScoped(db, nowhere(req.ip), ({ db: tx }) => plaqueRouteByToken(tx, token));
      if (!route) throw unknownPlaque();
      const county = route.scope_key.slice(0, 6);
      const number = route.number;
      // The report is a case of the plaque door in the one case engine, with a tracking code like a rider's appeal.
      const unit = await plaqueUnit(db, route.scope_key, req.body.category);
      const code = newTrackingCode();
      const deadlines = await app.ctx.settings.get('cases');
      // Written in the scope of the plaque's station, like a station clerk's entry: the policies hold.
      const sealed = sealFreeText(app.ctx.keys, req.body.content);
      // Counted with the write (round 14: http/county-cap.ts).
      const receipt = await writeWithinCountyCap(
        db,
        feedbackCap,
        { code: county, scopeKey: county },
        { ...nowhere(req.ip), scopeKey: route.scope_key },
        async ({ db: tx, audit }) => {
          const { id, receipt } = await insertPlaqueFeedback(tx, {
            plaqueId: Number(route.plaque_id),
            recordId: Number(route.record_id),
            scopeKey: route.scope_key,
            category: req.body.category,
            content: sealed.content,
          });
          await raiseCase(
            tx,
            {
              door: 'plaque',
              category: req.body.category,
              ...sealed,
              plaqueFeedbackId: id,
              unit,
              raisedKey: unit.scopeKey,
              trackingHash: trackingHash(code),
            },
            { actor: 'public', actorId: null },
            deadlines,
            new Date(),
          );
          audit({
            action: 'plaque.feedback_receive',
            objectType: 'plaque_feedback',
            objectId: id,
            detail: { number, category: req.body.category },
          });
          return receipt;
        },
      );
      return reply.code(201).send({
        receipt,
        code,
        message: '已收到您的反映，所在地市场监管所将核实处理。凭查询码可查询办理进度并评价。感谢您的监督！',
      });
    },
  });
}
