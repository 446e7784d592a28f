import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import QRCode from 'qrcode';
import { z } from 'zod';
import { badRequest, conflict, notFound } from '../../http/errors.js';
import { idParam, pageFrom, pageOf, pageQuery } from '../../http/paging.js';
import { sendXlsx } from '../../http/xlsx.js';
import { decideFeedback, plaqueActions, shownOnValid } from '../../domain/sanliang/plaque.js';
import { nodeInScope } from '../jurisdictions/subtree.js';
import { resolveWithPlaqueReport } from '../appeals/engine.js';
import { actOnPlaque, filteredFeedback, filteredRecords, loadPlaque, loadRecord, orRefuse, participation, participationByMonth, plaqueItem, toFeedbackItem, toRecordItem } from './queries.js';

const KINDS = ['member_operator', 'member_post'] as const;
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD');
const under = z.string().regex(/^\d{6,9}$/, '辖区代码应为 6 或 9 位数字').optional();

const filters = {
  under,
  kind: z.enum(KINDS).optional(),
  status: z.enum(['active', 'withdrawn']).optional(),
  plaque: z.enum(['valid', 'none']).optional(),
  review: z.enum(['true']).optional(),
  q: z.string().trim().max(40).optional(),
};

const plaqueShape = z.object({ id: z.number(), number: z.string(), issuedOn: z.string() });
const recordItem = z.object({
  id: z.number(), kind: z.string(), kindLabel: z.string(), memberId: z.number(), memberName: z.string().nullable(), entityId: z.number(), entityName: z.string(),
  entityStatus: z.string(), needsReview: z.boolean(),
  countyName: z.string(), stationName: z.string().nullable(), postName: z.string().nullable(), duties: z.string(), commitment: z.string(), shownOn: z.string(),
  status: z.string(), statusLabel: z.string(), withdrawnOn: z.string().nullable(), withdrawReason: z.string().nullable(), plaque: plaqueShape.nullable(), openFeedback: z.number(),
});

const recordBody = z.strictObject({
  kind: z.enum(KINDS),
  memberId: z.number().int().positive(),
  entityId: z.number().int().positive(),
  postName: z.string().trim().min(2, '岗位名称至少 2 个字').max(40, '岗位名称不超过 40 个字').optional(),
  duties: z.string().trim().min(2, '请填写亮职责的内容').max(500, '职责不超过 500 字'),
  commitment: z.string().trim().min(2, '请填写承诺内容').max(1000, '承诺不超过 1000 字'),
  shownOn: date,
});
const recordPatch = z.strictObject({
  postName: z.string().trim().min(2, '岗位名称至少 2 个字').max(40).nullable().optional(),
  duties: z.string().trim().min(2, '请填写亮职责的内容').max(500).optional(),
  commitment: z.string().trim().min(2, '请填写承诺内容').max(1000).optional(),
  shownOn: date.optional(),
});
const reasonBody = z.strictObject({ reason: z.string().trim().max(200, '原因不超过 200 字') });

const feedbackFilters = { under, state: z.enum(['open', 'handled']).optional(), category: z.enum(['identity', 'conduct', 'plaque', 'other']).optional() };

const ymd = () => new Date().toISOString().slice(0, 10);
/**
 * The public page a plaque's QR code opens: on XGZ_PUBLIC_URL when the deployment sets it (a clerk
 * on the intranet must not print an intranet address on a plaque), else where the caller reached us.
 */
export const verifyUrl = (req: FastifyRequest, number: string) =>
  `${req.server.ctx.config.publicUrl ?? `${req.protocol}://${req.host}`}/verify/${encodeURIComponent(number)}`;
/** One QR rendering for the route and for the tests that hold it to the link. */
export const qrPng = (url: string) => QRCode.toBuffer(url, { type: 'png', width: 480, margin: 2, errorCorrectionLevel: 'M' });

/** 三亮: records, plaques (issue, revoke, reissue, QR), the public's reports, participation figures. */
export async function sanliangRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/sanliang', {
    config: { access: 'data.read' },
    schema: { tags: ['三亮'], summary: '三亮台账（共产党员经营户、党员示范岗）', querystring: z.strictObject({ ...pageQuery, ...filters }), response: { 200: pageOf(recordItem) } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const q = await filteredRecords(db, req.query);
        return pageFrom(q, req.query, (q) => q.orderBy('s.shown_on', 'desc').orderBy('s.id', 'desc'), toRecordItem);
      }),
  });

  r.get('/sanliang/export', {
    config: { access: 'data.read' },
    schema: { tags: ['三亮'], summary: '导出三亮台账（xlsx，导出留痕）', querystring: z.strictObject(filters) },
    handler: async (req, reply) => {
      const rows = await req.scoped(async ({ db, audit }) => {
        const rows = await (await filteredRecords(db, req.query)).orderBy('s.shown_on', 'desc').orderBy('s.id', 'desc').limit(100_000).execute();
        audit({ action: 'sanliang.export', objectType: 'sanliang', detail: { filters: req.query, rows: rows.length } });
        return rows.map(toRecordItem);
      });
      return sendXlsx(reply, `三亮台账-${ymd()}.xlsx`, '三亮', [
        { header: '类别', width: 14, value: (s) => s.kindLabel },
        { header: '党员', width: 10, value: (s) => s.memberName },
        { header: '市场主体', width: 32, value: (s) => s.entityName },
        { header: '岗位', width: 14, value: (s) => s.postName },
        { header: '县区', width: 10, value: (s) => s.countyName },
        { header: '基层所', width: 14, value: (s) => s.stationName },
        { header: '亮职责', width: 40, value: (s) => s.duties },
        { header: '亮承诺', width: 40, value: (s) => s.commitment },
        { header: '亮牌日期', width: 12, value: (s) => s.shownOn },
        { header: '状态', width: 8, value: (s) => s.statusLabel },
        { header: '退出日期', width: 12, value: (s) => s.withdrawnOn },
        { header: '退出原因', width: 24, value: (s) => s.withdrawReason },
        { header: '有效牌匾编号', width: 20, value: (s) => s.plaque?.number },
        { header: '待复核（主体已不在营业）', width: 14, value: (s) => (s.needsReview ? '是' : '') },
        { header: '待处理反映', width: 10, value: (s) => s.openFeedback },
      ], rows);
    },
  });

  const figures = z.object({ members: z.number(), records: z.number(), memberOperators: z.number(), memberPosts: z.number(), entities: z.number(), validPlaques: z.number(), withdrawn: z.number() });
  r.get('/sanliang/participation', {
    config: { access: 'data.read' },
    schema: {
      tags: ['三亮'],
      summary: '三亮参与情况：本级、下级对比（按辖区子树）与逐月变化',
      querystring: z.strictObject({ under, months: z.coerce.number().int().min(1).max(36).default(12) }),
      response: {
        200: z.object({
          node: z.object({ code: z.string(), name: z.string(), level: z.string() }),
          total: figures,
          unassigned: figures,
          children: z.array(figures.extend({ code: z.string(), name: z.string(), level: z.string() })),
          months: z.array(z.object({ month: z.string(), members: z.number(), started: z.number(), withdrawn: z.number(), issued: z.number(), revoked: z.number() })),
        }),
      },
    },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const node = await nodeInScope(db, req.user!, req.query.under);
        return { node: { code: node.code, name: node.name, level: node.level }, ...(await participation(db, node)), months: await participationByMonth(db, node.scope_key, req.query.months) };
      }),
  });

  r.post('/sanliang', {
    config: { access: 'data.write' },
    schema: { tags: ['三亮'], summary: '新建三亮记录（选党员与市场主体）', body: recordBody, response: { 201: z.object({ id: z.number() }) } },
    handler: async (req, reply) => {
      const b = req.body;
      if (b.kind === 'member_post' && !b.postName) throw badRequest('党员示范岗须填写岗位名称', [{ field: 'postName', message: '请填写岗位名称' }]);
      if (!shownOnValid(b.shownOn, ymd())) throw badRequest('亮牌日期不能晚于今天', [{ field: 'shownOn', message: '亮牌日期不能晚于今天' }]);
      const id = await req.scoped(async ({ db, audit }) => {
        const member = await db.selectFrom('member').select('id').where('id', '=', b.memberId).executeTakeFirst();
        if (!member) throw notFound('党员');
        const entity = await db.selectFrom('entity').select(['id', 'status', 'county_code', 'scope_key']).where('id', '=', b.entityId).executeTakeFirst();
        if (!entity) throw notFound('市场主体');
        if (entity.status !== 'active') throw badRequest('该市场主体已不在营业（注销、吊销或迁出），不能亮牌', [{ field: 'entityId', message: '市场主体不在营业' }]);
        const row = await db.insertInto('sanliang').values({
          kind: b.kind, member_id: member.id, entity_id: entity.id, county_code: entity.county_code, scope_key: entity.scope_key,
          post_name: b.postName ?? null, duties: b.duties, commitment: b.commitment, shown_on: b.shownOn,
        }).returning('id').executeTakeFirstOrThrow();
        audit({ action: 'sanliang.create', objectType: 'sanliang', objectId: row.id, detail: { kind: b.kind, memberId: member.id, entityId: entity.id } });
        return row.id;
      });
      return reply.code(201).send({ id });
    },
  });

  r.get('/sanliang/:id', {
    config: { access: 'data.read' },
    schema: { tags: ['三亮'], summary: '三亮记录详情：牌匾（含已撤销）、群众反映、可做的操作', params: idParam },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const record = await loadRecord(db, req.params.id);
        const [item] = (await (await filteredRecords(db, {})).where('s.id', '=', record.id).execute()).map(toRecordItem);
        const plaques = await db.selectFrom('sanliang_plaque').selectAll().where('record_id', '=', record.id).orderBy('id', 'desc').execute();
        const feedback = await (await filteredFeedback(db, {})).where('f.record_id', '=', record.id).orderBy('f.id', 'desc').limit(50).execute();
        return {
          ...item,
          plaques: plaques.map(plaqueItem),
          actions: plaqueActions(record.status, plaques.some((p) => p.state === 'valid') ? 'valid' : null),
          feedback: feedback.map(toFeedbackItem),
        };
      }),
  });

  r.patch('/sanliang/:id', {
    config: { access: 'data.write' },
    schema: { tags: ['三亮'], summary: '修改三亮记录（岗位、职责、承诺、亮牌日期）；已退出的不能修改', params: idParam, body: recordPatch },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const before = await loadRecord(db, req.params.id, true);
        if (before.status === 'withdrawn') throw conflict('已退出的三亮记录不能修改');
        const b = req.body;
        if (b.shownOn && !shownOnValid(b.shownOn, ymd())) throw badRequest('亮牌日期不能晚于今天', [{ field: 'shownOn', message: '亮牌日期不能晚于今天' }]);
        const postName = b.postName === undefined ? before.post_name : b.postName;
        if (before.kind === 'member_post' && !postName) throw badRequest('党员示范岗须填写岗位名称', [{ field: 'postName', message: '请填写岗位名称' }]);
        await db.updateTable('sanliang').set({ post_name: postName, duties: b.duties ?? before.duties, commitment: b.commitment ?? before.commitment, shown_on: b.shownOn ?? before.shown_on, updated_at: new Date() })
          .where('id', '=', before.id).execute();
        audit({ action: 'sanliang.update', objectType: 'sanliang', objectId: before.id, detail: { fields: Object.keys(b) } });
        return { id: before.id };
      }),
  });

  r.delete('/sanliang/:id', {
    config: { access: 'data.write' },
    schema: { tags: ['三亮'], summary: '删除误录的三亮记录（未发过牌匾的才能删除；已发牌的请撤销牌匾）', params: idParam },
    handler: async (req, reply) => {
      await req.scoped(async ({ db, audit }) => {
        const record = await loadRecord(db, req.params.id, true);
        const issued = await db.selectFrom('sanliang_plaque').select('id').where('record_id', '=', record.id).executeTakeFirst();
        if (issued) throw conflict('该记录已发过牌匾，不能删除；如不再符合条件，请撤销牌匾（退出）');
        await db.deleteFrom('sanliang').where('id', '=', record.id).execute();
        audit({ action: 'sanliang.delete', objectType: 'sanliang', objectId: record.id, detail: { kind: record.kind, memberId: record.member_id, entityId: record.entity_id } });
      });
      return reply.code(204).send();
    },
  });

  // ── Plaques ───────────────────────────────────────────────────────────────────────────
  const issued = z.object({ id: z.number(), number: z.string() });
  r.post('/sanliang/:id/plaques', {
    config: { access: 'data.write' },
    schema: { tags: ['三亮'], summary: '发牌：为三亮记录发放编号牌匾（一条记录同时只有一块有效牌匾）', params: idParam, response: { 201: issued } },
    handler: async (req, reply) => {
      const plaque = await req.scoped(async ({ db, audit }) => {
        const record = await loadRecord(db, req.params.id, true);
        const out = await actOnPlaque(db, 'issue', record, null);
        audit({ action: 'plaque.issue', objectType: 'sanliang_plaque', objectId: out.issued!.id, detail: { recordId: record.id, number: out.issued!.number } });
        return out.issued!;
      });
      return reply.code(201).send(plaque);
    },
  });

  r.post('/plaques/:id/revoke', {
    config: { access: 'data.write' },
    schema: { tags: ['三亮'], summary: '撤销牌匾（退出机制：持牌人不再符合条件），三亮记录随之退出', params: idParam, body: reasonBody },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const plaque = await loadPlaque(db, req.params.id);
        const record = await loadRecord(db, plaque.record_id, true);
        await actOnPlaque(db, 'revoke', record, plaque, req.body.reason);
        audit({ action: 'plaque.revoke', objectType: 'sanliang_plaque', objectId: plaque.id, detail: { recordId: record.id, number: plaque.number, reason: req.body.reason } });
        return { id: plaque.id, state: 'revoked' };
      }),
  });

  r.post('/plaques/:id/reissue', {
    config: { access: 'data.write' },
    schema: { tags: ['三亮'], summary: '补发牌匾（遗失、损毁、信息变更）：原牌匾作废，发新编号', params: idParam, body: reasonBody, response: { 201: issued } },
    handler: async (req, reply) => {
      const plaque = await req.scoped(async ({ db, audit }) => {
        const old = await loadPlaque(db, req.params.id);
        const record = await loadRecord(db, old.record_id, true);
        const out = await actOnPlaque(db, 'reissue', record, old, req.body.reason);
        audit({ action: 'plaque.reissue', objectType: 'sanliang_plaque', objectId: out.issued!.id, detail: { recordId: record.id, replaced: old.number, number: out.issued!.number, reason: req.body.reason } });
        return out.issued!;
      });
      return reply.code(201).send(plaque);
    },
  });

  r.get('/plaques/:id', {
    config: { access: 'data.read' },
    schema: { tags: ['三亮'], summary: '牌匾（供打印）：编号、状态、核验链接与所属三亮记录', params: idParam },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const plaque = await db.selectFrom('sanliang_plaque').selectAll().where('id', '=', req.params.id).executeTakeFirst();
        if (!plaque) throw notFound('牌匾');
        const [record] = (await (await filteredRecords(db, {})).where('s.id', '=', plaque.record_id).execute()).map(toRecordItem);
        return { ...plaqueItem(plaque), verifyUrl: verifyUrl(req, plaque.number), record };
      }),
  });

  r.get('/plaques/:id/qr.png', {
    config: { access: 'data.read' },
    schema: { tags: ['三亮'], summary: '牌匾二维码（PNG），扫码打开公开核验页', params: idParam },
    handler: async (req, reply) => {
      const number = await req.scoped(async ({ db }) => {
        const p = await db.selectFrom('sanliang_plaque').select('number').where('id', '=', req.params.id).executeTakeFirst();
        if (!p) throw notFound('牌匾');
        return p.number;
      });
      return reply.type('image/png').header('content-disposition', `inline; filename="${number}.png"`).send(await qrPng(verifyUrl(req, number)));
    },
  });

  // ── The public's reports, in the station's work list ───────────────────────────────────
  const feedbackShape = z.object({
    id: z.number(), recordId: z.number(), number: z.string(), plaqueState: z.string(), entityName: z.string(), category: z.string(), categoryLabel: z.string(), content: z.string(),
    state: z.string(), stateLabel: z.string(), handlingNote: z.string().nullable(), handledBy: z.string().nullable(), handledAt: z.string().nullable(), createdAt: z.string(),
  });

  r.get('/plaque-feedback', {
    config: { access: 'data.read' },
    schema: { tags: ['三亮'], summary: '群众对牌匾的反映（基层所待办）', querystring: z.strictObject({ ...pageQuery, ...feedbackFilters }), response: { 200: pageOf(feedbackShape) } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const q = await filteredFeedback(db, req.query);
        // Open ones first: they are the work to do.
        return pageFrom(q, req.query, (q) => q.orderBy(sql`f.state = 'open'`, 'desc').orderBy('f.id', 'desc'), toFeedbackItem);
      }),
  });

  r.get('/plaque-feedback/export', {
    config: { access: 'data.read' },
    schema: { tags: ['三亮'], summary: '导出群众对牌匾的反映（xlsx，导出留痕）', querystring: z.strictObject(feedbackFilters) },
    handler: async (req, reply) => {
      const rows = await req.scoped(async ({ db, audit }) => {
        const rows = await (await filteredFeedback(db, req.query)).orderBy('f.id', 'desc').limit(100_000).execute();
        audit({ action: 'plaque.feedback_export', objectType: 'plaque_feedback', detail: { filters: req.query, rows: rows.length } });
        return rows.map(toFeedbackItem);
      });
      return sendXlsx(reply, `牌匾问题反映-${ymd()}.xlsx`, '反映', [
        { header: '收到时间', width: 20, value: (f) => f.createdAt.slice(0, 16).replace('T', ' ') },
        { header: '牌匾编号', width: 20, value: (f) => f.number },
        { header: '市场主体', width: 32, value: (f) => f.entityName },
        { header: '问题类别', width: 24, value: (f) => f.categoryLabel },
        { header: '反映内容', width: 50, value: (f) => f.content },
        { header: '状态', width: 8, value: (f) => f.stateLabel },
        { header: '处理情况', width: 40, value: (f) => f.handlingNote },
        { header: '处理人', width: 12, value: (f) => f.handledBy },
      ], rows);
    },
  });

  r.post('/plaque-feedback/:id/handle', {
    config: { access: 'data.write' },
    schema: { tags: ['三亮'], summary: '处理群众反映：待处理 → 已处理（须填写处理情况）', params: idParam, body: z.strictObject({ note: z.string().trim().max(1000, '处理情况不超过 1000 字') }) },
    handler: async (req) => {
      const deadlines = await req.server.ctx.settings.get('cases'); // read before the scoped transaction (PGlite is one connection)
      return req.scoped(async ({ db, audit }) => {
        const f = await db.selectFrom('plaque_feedback').select(['id', 'state']).where('id', '=', req.params.id).forUpdate().executeTakeFirst();
        if (!f) throw notFound('反映');
        orRefuse(decideFeedback(f.state, req.body.note));
        await db.updateTable('plaque_feedback').set({ state: 'handled', handling_note: req.body.note, handled_by: req.user!.id, handled_at: new Date() }).where('id', '=', f.id).execute();
        await resolveWithPlaqueReport(db, f.id, req.body.note, req.user!.id, deadlines, new Date());
        audit({ action: 'plaque.feedback_handle', objectType: 'plaque_feedback', objectId: f.id, detail: { note: req.body.note } });
        return { id: f.id, state: 'handled' };
      });
    },
  });
}
