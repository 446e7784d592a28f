import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { runScoped } from '../../db/scoped.js';
import type { Principal } from '../../db/audit-chain.js';
import { encryptField } from '../../crypto/field.js';
import { schemaOf } from '../../http/contract.js';
import { appealFeedback, publicPlatforms, publicServicePosts, submitAppeal, trackAppeal } from './contract.js';
import { Problem, badRequest } from '../../http/errors.js';
import { writeWithinCountyCap, type CountyCap } from '../../http/county-cap.js';
import { STATE_LABEL } from '../../domain/cases/engine.js';
import { routeCase } from '../../domain/cases/routing.js';
import { canonicalCode, moveCase, newTrackingCode, raiseCase, trackingHash } from './engine.js';
import {
  caseByTrackingHash,
  caseForUpdate,
  coveringUnits,
  platformsServing,
  publicServicePostList,
  riderPlace,
  trackedCase,
} from './queries.js';
import { BUSINESS_LABEL as PLATFORM_BUSINESS_LABEL } from '../../domain/platforms/labels.js';
import { maskFreeText, sealFreeText } from './free-text.js';

/**
 * 诉求直通 for riders: the public door. No login; anonymous allowed; the tracking code shown
 * once is the only key to the case afterwards. A code is found by its hash through one SECURITY
 * DEFINER function, then the case is read in its own unit's scope; no list, no id, no other
 * case is reachable from here. Contact phones are encrypted and never shown back.
 */
const ACTOR = '公众（诉求直通）';
const publicActor = (ip: string, scopeKey: string): Principal => ({
  userId: null,
  username: ACTOR,
  scopeKey,
  ip,
});
const PUBLIC = { actor: 'public', actorId: null } as const;

const unknownCode = () =>
  new Problem(
    404,
    '未找到',
    '没有找到这个查询码对应的诉求，请核对后重新输入',
    [{ field: 'code', message: '查询码不存在' }],
    'appeal_unknown',
  );

export async function appealPublicRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db, keys, config, settings } = app.ctx;

  /** The county's daily cap of appeals from every address together (round 12; http/county-cap.ts). */
  const appealCap: CountyCap = {
    bucket: 'appeal.county',
    action: 'appeal.county_limited',
    actor: ACTOR,
    cap: config.appealCountyDaily,
    title: '今日诉求已满',
    detail: (cap) =>
      `该县（区）今天通过本页收到的诉求已达 ${cap} 条的上限，请明天再提交；紧急情况请拨打 12345 或直接联系所在地市场监管所`,
    code: 'appeal_county_limit',
  };

  r.get(publicServicePosts.path, {
    config: { access: 'public', rateLimit: { max: 120, timeWindow: '1 minute' } },
    schema: {
      ...schemaOf(publicServicePosts, ['公开']),
      querystring: publicServicePosts.query,
      response: { 200: publicServicePosts.response },
    },
    // Posts are public places: read outside any scope, like the division list, and only active ones.
    handler: async (req) => {
      return publicServicePostList(db, req.query.area);
    },
  });

  r.get(publicPlatforms.path, {
    config: { access: 'public', rateLimit: { max: 120, timeWindow: '1 minute' } },
    schema: {
      ...schemaOf(publicPlatforms, ['公开']),
      querystring: publicPlatforms.query,
      response: { 200: publicPlatforms.response },
    },
    // Platform names are public (the brands riders work for); nothing else of the ledger is shown.
    handler: async (req) => {
      const rows = await platformsServing(db, req.query.area.slice(0, 6));
      return rows.map((p) => ({
        id: Number(p.id),
        name: p.name,
        business: p.business,
        businessLabel: PLATFORM_BUSINESS_LABEL[p.business],
      }));
    },
  });

  r.post(submitAppeal.path, {
    config: { access: 'public', rateLimit: { max: config.appealRatePerMinute, timeWindow: '1 minute' } },
    schema: { ...schemaOf(submitAppeal, ['公开']), body: submitAppeal.body, response: { 201: submitAppeal.response } },
    handler: async (req, reply) => {
      const b = req.body;
      const { place, unitOf, key, county } = await riderPlace(db, b.areaCode, b.servicePostId);
      // Only a rights problem may go past the station (routing.ts): look up who covers the place for those alone.
      const covering = b.category === 'rights' ? await coveringUnits(db, key, b.platformId) : {};
      const routed = routeCase({ door: 'rider', category: b.category, place, ...covering });
      if (!routed.ok) throw badRequest(routed.reason, [{ field: 'areaCode', message: routed.reason }]);
      const unit = await unitOf(routed.unit);
      const code = newTrackingCode();
      const d = await settings.get('cases');
      // Counted with the write, once the place and the unit are known (round 14: http/county-cap.ts).
      await writeWithinCountyCap(db, appealCap, county, publicActor(req.ip, unit.scopeKey), async ({ db: tx }) =>
        raiseCase(
          tx,
          {
            door: 'rider',
            category: b.category,
            ...sealFreeText(keys, b.content),
            contactEnc: b.phone ? encryptField(keys, b.phone) : null,
            areaCode: b.servicePostId ? place.code : b.areaCode,
            servicePostId: b.servicePostId ?? null,
            unit,
            raisedKey: unit.scopeKey,
            trackingHash: trackingHash(code),
          },
          PUBLIC,
          d,
          new Date(),
        ),
      );
      return reply.code(201).send({
        code,
        message: '诉求已提交并已转交承办单位。请保存查询码：凭它查询进度、评价办理结果；查询码只显示这一次。',
      });
    },
  });

  r.get(trackAppeal.path, {
    config: { access: 'public', rateLimit: { max: 30, timeWindow: '1 minute' } },
    schema: { ...schemaOf(trackAppeal, ['公开']), params: trackAppeal.params, response: { 200: trackAppeal.response } },
    handler: async (req) => {
      const found = await locate(req.params.code, req.ip);
      const d = await settings.get('cases');
      return runScoped(db, publicActor(req.ip, found.scope_key), ({ db: tx }) =>
        trackedCase(tx, found.id, d.reopenDays),
      );
    },
  });

  r.post(appealFeedback.path, {
    config: { access: 'public', rateLimit: { max: 10, timeWindow: '1 minute' } },
    schema: {
      ...schemaOf(appealFeedback, ['公开']),
      params: appealFeedback.params,
      body: appealFeedback.body,
      response: { 200: appealFeedback.response },
    },
    handler: async (req) => {
      const found = await locate(req.params.code, req.ip);
      const d = await settings.get('cases');
      const b = req.body;
      const to = await runScoped(db, publicActor(req.ip, found.scope_key), async ({ db: tx }) => {
        const c = await caseForUpdate(tx, found.id);
        return b.action === 'feedback'
          ? moveCase(
              tx,
              c,
              'feedback',
              PUBLIC,
              {
                satisfaction: b.satisfaction,
                comment: maskFreeText(b.comment) ?? null,
                note: maskFreeText(b.comment) ?? undefined,
              },
              d,
              new Date(),
            )
          : moveCase(tx, c, 'reopen', PUBLIC, { note: maskFreeText(b.comment) ?? undefined }, d, new Date());
      });
      return {
        state: to,
        stateLabel: STATE_LABEL[to],
        message: b.action === 'feedback' ? '感谢您的评价！' : '已要求重新办理，承办单位将再次处理。',
      };
    },
  });

  /** The case a code opens, or 404; a code that cannot be one is refused before any lookup. */
  async function locate(raw: string, ip: string) {
    const code = canonicalCode(raw);
    if (!code) throw unknownCode();
    const row = await runScoped(db, publicActor(ip, '-'), ({ db: tx }) => caseByTrackingHash(tx, trackingHash(code)));
    if (!row) throw unknownCode();
    return { id: Number(row.id), scope_key: row.scope_key };
  }
}
