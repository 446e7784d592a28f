import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { z } from 'zod';
import { runScoped } from '../../db/scoped.js';
import type { Principal } from '../../db/audit-chain.js';
import { Problem } from '../../http/errors.js';
import { newTrackingCode, raiseCase, trackingHash } from '../appeals/engine.js';
import { plaqueUnit } from '../appeals/queries.js';
import { FEEDBACK_CATEGORY_LABEL, maskedName, parsePlaqueNumber, SANLIANG_KIND_LABEL, verdictText, type SanliangKind } from '../../domain/sanliang/plaque.js';

/**
 * The public side of a plaque: anyone who scans its QR code sees whether it is valid and what
 * it shows, and may report a problem. No login. The reads go through one narrow SECURITY
 * DEFINER function and run as xgz_app in a scope that holds nothing ('-' precedes every key),
 * so even a careless query here could read no ledger row.
 */
const nowhere = (ip: string): Principal => ({ userId: null, username: '公众（牌匾核验）', scopeKey: '-', ip });
const numberParam = z.strictObject({ number: z.string().max(40, '牌匾编号过长') });

type PublicRow = {
  number: string; state: 'valid' | 'revoked'; kind: SanliangKind; entity_name: string; name_first: string | null; name_length: number | null;
  post_name: string | null; duties: string | null; commitment: string | null; issued_on: string; revoked_on: string | null; reissued: boolean; area: string;
};

const badNumber = () => new Problem(400, '请求有误', '牌匾编号格式不正确，应形如 XGZ-320102-000123', [{ field: 'number', message: '牌匾编号格式不正确' }]);
/** The canonical number, or 400 naming the field. */
function canonical(raw: string): string {
  const n = parsePlaqueNumber(raw);
  if (!n) throw badNumber();
  return n;
}

const unknownPlaque = () => {
  const t = verdictText('unknown');
  return new Problem(404, t.title, t.detail, undefined, 'plaque_unknown');
};

export async function sanliangPublicRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = app.ctx;

  r.get('/public/plaques/:number', {
    config: { access: 'public', rateLimit: { max: 30, timeWindow: '1 minute' } },
    schema: {
      tags: ['公开'],
      summary: '三亮牌匾核验（扫码打开）：是否有效、市场主体、党员（姓名脱敏）、职责与承诺',
      params: numberParam,
      response: {
        200: z.object({
          number: z.string(), verdict: z.enum(['valid', 'revoked']), title: z.string(), detail: z.string(), kind: z.string(), kindLabel: z.string(), entityName: z.string(),
          memberName: z.string().nullable(), postName: z.string().nullable(), duties: z.string().nullable(), commitment: z.string().nullable(),
          issuedOn: z.string(), revokedOn: z.string().nullable(), area: z.string(),
        }),
      },
    },
    handler: async (req) => {
      const number = canonical(req.params.number);
      const p = await runScoped(db, nowhere(req.ip), async ({ db: tx }) => (await sql<PublicRow>`SELECT * FROM xgz_plaque_public(${number})`.execute(tx)).rows[0]);
      if (!p) throw unknownPlaque();
      const text = verdictText(p.state, { reissued: p.reissued });
      return {
        number: p.number, verdict: p.state, ...text, kind: p.kind, kindLabel: SANLIANG_KIND_LABEL[p.kind], entityName: p.entity_name,
        memberName: p.name_first ? maskedName(p.name_first, Number(p.name_length)) : null, postName: p.post_name, duties: p.duties, commitment: p.commitment,
        issuedOn: p.issued_on, revokedOn: p.revoked_on, area: p.area,
      };
    },
  });

  r.post('/public/plaques/:number/feedback', {
    config: { access: 'public', rateLimit: { max: 5, timeWindow: '1 minute' } },
    schema: {
      tags: ['公开'],
      summary: '对牌匾反映问题（转至所在地基层所处理）',
      params: numberParam,
      body: z.strictObject({
        category: z.enum(Object.keys(FEEDBACK_CATEGORY_LABEL) as [keyof typeof FEEDBACK_CATEGORY_LABEL], { error: '请选择问题类别' }),
        content: z.string().trim().min(5, '请具体说明问题（至少 5 个字）').max(500, '内容不超过 500 字'),
      }),
      response: { 201: z.object({ receipt: z.string(), code: z.string(), message: z.string() }) },
    },
    handler: async (req, reply) => {
      const number = canonical(req.params.number);
      const route = await runScoped(db, nowhere(req.ip), async ({ db: tx }) =>
        (await sql<{ plaque_id: number; record_id: number; scope_key: string }>`SELECT * FROM xgz_plaque_route(${number})`.execute(tx)).rows[0]);
      if (!route) throw unknownPlaque();
      // The report is a case of the plaque door in the one case engine, with a tracking code like a rider's appeal.
      const unit = await plaqueUnit(db, route.scope_key, req.body.category);
      const code = newTrackingCode();
      const deadlines = await app.ctx.settings.get('cases');
      // Written in the scope of the plaque's station, like a station clerk's entry: the policies hold.
      const id = await runScoped(db, { ...nowhere(req.ip), scopeKey: route.scope_key }, async ({ db: tx, audit }) => {
        const row = await tx.insertInto('plaque_feedback').values({ plaque_id: Number(route.plaque_id), record_id: Number(route.record_id), scope_key: route.scope_key, category: req.body.category, content: req.body.content })
          .returning('id').executeTakeFirstOrThrow();
        await raiseCase(tx, { door: 'plaque', category: req.body.category, content: req.body.content, plaqueFeedbackId: row.id, unit, raisedKey: unit.scopeKey, trackingHash: trackingHash(code) },
          { actor: 'public', actorId: null }, deadlines, new Date());
        audit({ action: 'plaque.feedback_receive', objectType: 'plaque_feedback', objectId: row.id, detail: { number, category: req.body.category } });
        return row.id;
      });
      return reply.code(201).send({ receipt: `FK${String(id).padStart(8, '0')}`, code, message: '已收到您的反映，所在地市场监管所将核实处理。凭查询码可查询办理进度并评价。感谢您的监督！' });
    },
  });
}
