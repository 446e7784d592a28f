import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import QRCode from 'qrcode';
import { badRequest, conflict, notFound } from '../../http/errors.js';
import { pageFrom } from '../../http/paging.js';
import { decideFeedback, plaqueActions, shownOnValid } from '../../domain/sanliang/plaque.js';
import { nodeInScope } from '../../db/subtree.js';
import { resolveWithPlaqueReport } from '../appeals/index.js';
import {
  actOnPlaque,
  feedbackForUpdate,
  feedbackPage,
  filteredFeedback,
  filteredRecords,
  loadPlaque,
  loadRecord,
  memberById,
  orRefuse,
  participation,
  participationByMonth,
  plaqueById,
  plaqueItem,
  plaquesOf,
  recordEntity,
  recordFeedback,
  recordItem,
  toFeedbackItem,
  toRecordItem,
} from './queries.js';
import { deleteRecordRow, insertRecord, markFeedbackHandled, updateRecordText } from './writes.js';
import { schemaOf } from '../../http/contract.js';
import {
  createRecord,
  deleteRecord,
  exportFeedback,
  exportRecords,
  getPlaque,
  getRecord,
  handleFeedback,
  issuePlaque,
  listFeedback,
  listRecords,
  participation as participationEndpoint,
  plaqueQr,
  reissuePlaque,
  revokePlaque,
  updateRecord,
} from './contract.js';
import { localDateTime, today } from '../../domain/time/zone.js';
import { listExportRoute, exportReadRows } from '../../http/export-route.js';

const tags = ['三亮'];
/**
 * The public page a plaque's QR code opens: on XGZ_PUBLIC_URL when the deployment sets it (a clerk
 * on the intranet must not print an intranet address on a plaque), else where the caller reached us.
 */
export const verifyUrl = (req: FastifyRequest, publicToken: string) =>
  `${req.server.ctx.config.publicUrl ?? `${req.protocol}://${req.host}`}/verify/${encodeURIComponent(publicToken)}`;
/** One QR rendering for the route and for the tests that hold it to the link. */
export const qrPng = (url: string) =>
  QRCode.toBuffer(url, { type: 'png', width: 480, margin: 2, errorCorrectionLevel: 'M' });

/** 三亮: records, plaques (issue, revoke, reissue, QR), the public's reports, participation figures. */
export async function sanliangRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(listRecords.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(listRecords, tags), querystring: listRecords.query, response: { 200: listRecords.response } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const q = await filteredRecords(db, req.query);
        return pageFrom(q, req.query, (q) => q.orderBy('s.shown_on', 'desc').orderBy('s.id', 'desc'), toRecordItem);
      }),
  });

  listExportRoute(app, {
    ...exportRecords,
    tags,
    summary: '导出三亮台账（xlsx，导出留痕）',
    action: 'sanliang.export',
    objectType: 'sanliang',
    read: async (db, q) =>
      (await filteredRecords(db, q))
        .orderBy('s.shown_on', 'desc')
        .orderBy('s.id', 'desc')
        .limit(exportReadRows())
        .execute()
        .then((rows) => rows.map(toRecordItem)),
    file: '三亮台账',
    sheet: '三亮',
    columns: [
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
    ],
  });

  r.get(participationEndpoint.path, {
    config: { access: 'data.read' },
    schema: {
      ...schemaOf(participationEndpoint, tags),
      querystring: participationEndpoint.query,
      response: { 200: participationEndpoint.response },
    },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const node = await nodeInScope(db, req.user!, req.query.under);
        return {
          node: { code: node.code, name: node.name, level: node.level },
          ...(await participation(db, node)),
          months: await participationByMonth(db, node.scope_key, req.query.months),
        };
      }),
  });

  r.post(createRecord.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(createRecord, tags), body: createRecord.body, response: { 201: createRecord.response } },
    handler: async (req, reply) => {
      const b = req.body;
      if (b.kind === 'member_post' && !b.postName)
        throw badRequest('党员示范岗须填写岗位名称', [{ field: 'postName', message: '请填写岗位名称' }]);
      if (!shownOnValid(b.shownOn, today()))
        throw badRequest('亮牌日期不能晚于今天', [{ field: 'shownOn', message: '亮牌日期不能晚于今天' }]);
      const id = await req.scoped(async ({ db, audit }) => {
        const member = await memberById(db, b.memberId);
        if (!member) throw notFound('党员');
        const entity = await recordEntity(db, b.entityId);
        if (!entity) throw notFound('市场主体');
        if (entity.status !== 'active')
          throw badRequest('该市场主体已不在营业（注销、吊销或迁出），不能亮牌', [
            { field: 'entityId', message: '市场主体不在营业' },
          ]);
        const row = await insertRecord(db, {
          kind: b.kind,
          memberId: member.id,
          entity,
          postName: b.postName ?? null,
          duties: b.duties,
          commitment: b.commitment,
          shownOn: b.shownOn,
        });
        audit({
          action: 'sanliang.create',
          objectType: 'sanliang',
          objectId: row.id,
          detail: { kind: b.kind, memberId: member.id, entityId: entity.id },
        });
        return row.id;
      });
      return reply.code(201).send({ id });
    },
  });

  r.get(getRecord.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(getRecord, tags), params: getRecord.params, response: { 200: getRecord.response } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const record = await loadRecord(db, req.params.id);
        const plaques = await plaquesOf(db, record.id);
        return {
          ...(await recordItem(db, record.id)),
          plaques: plaques.map(plaqueItem),
          actions: plaqueActions(record.status, plaques.some((p) => p.state === 'valid') ? 'valid' : null),
          feedback: await recordFeedback(db, record.id),
        };
      }),
  });

  r.patch(updateRecord.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(updateRecord, tags),
      params: updateRecord.params,
      body: updateRecord.body,
      response: { 200: updateRecord.response },
    },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const before = await loadRecord(db, req.params.id, true);
        if (before.status === 'withdrawn') throw conflict('已退出的三亮记录不能修改');
        const b = req.body;
        if (b.shownOn && !shownOnValid(b.shownOn, today()))
          throw badRequest('亮牌日期不能晚于今天', [{ field: 'shownOn', message: '亮牌日期不能晚于今天' }]);
        const postName = b.postName === undefined ? before.post_name : b.postName;
        if (before.kind === 'member_post' && !postName)
          throw badRequest('党员示范岗须填写岗位名称', [{ field: 'postName', message: '请填写岗位名称' }]);
        await updateRecordText(db, before.id, {
          postName,
          duties: b.duties ?? before.duties,
          commitment: b.commitment ?? before.commitment,
          shownOn: b.shownOn ?? before.shown_on,
        });
        audit({
          action: 'sanliang.update',
          objectType: 'sanliang',
          objectId: before.id,
          detail: { fields: Object.keys(b) },
        });
        return { id: before.id };
      }),
  });

  r.delete(deleteRecord.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(deleteRecord, tags), params: deleteRecord.params },
    handler: async (req, reply) => {
      await req.scoped(async ({ db, audit }) => {
        const record = await loadRecord(db, req.params.id, true);
        if ((await plaquesOf(db, record.id)).length)
          throw conflict('该记录已发过牌匾，不能删除；如不再符合条件，请撤销牌匾（退出）');
        await deleteRecordRow(db, record.id);
        audit({
          action: 'sanliang.delete',
          objectType: 'sanliang',
          objectId: record.id,
          detail: { kind: record.kind, memberId: record.member_id, entityId: record.entity_id },
        });
      });
      return reply.code(204).send();
    },
  });

  // ── Plaques ───────────────────────────────────────────────────────────────────────────
  r.post(issuePlaque.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(issuePlaque, tags), params: issuePlaque.params, response: { 201: issuePlaque.response } },
    handler: async (req, reply) => {
      const plaque = await req.scoped(async ({ db, audit }) => {
        const record = await loadRecord(db, req.params.id, true);
        const out = await actOnPlaque(db, 'issue', record, null);
        audit({
          action: 'plaque.issue',
          objectType: 'sanliang_plaque',
          objectId: out.issued!.id,
          detail: { recordId: record.id, number: out.issued!.number },
        });
        return out.issued!;
      });
      return reply.code(201).send(plaque);
    },
  });

  r.post(revokePlaque.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(revokePlaque, tags),
      params: revokePlaque.params,
      body: revokePlaque.body,
      response: { 200: revokePlaque.response },
    },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const plaque = await loadPlaque(db, req.params.id);
        const record = await loadRecord(db, plaque.record_id, true);
        await actOnPlaque(db, 'revoke', record, plaque, req.body.reason);
        audit({
          action: 'plaque.revoke',
          objectType: 'sanliang_plaque',
          objectId: plaque.id,
          detail: { recordId: record.id, number: plaque.number, reason: req.body.reason },
        });
        return { id: plaque.id, state: 'revoked' as const };
      }),
  });

  r.post(reissuePlaque.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(reissuePlaque, tags),
      params: reissuePlaque.params,
      body: reissuePlaque.body,
      response: { 201: reissuePlaque.response },
    },
    handler: async (req, reply) => {
      const plaque = await req.scoped(async ({ db, audit }) => {
        const old = await loadPlaque(db, req.params.id);
        const record = await loadRecord(db, old.record_id, true);
        const out = await actOnPlaque(db, 'reissue', record, old, req.body.reason);
        audit({
          action: 'plaque.reissue',
          objectType: 'sanliang_plaque',
          objectId: out.issued!.id,
          detail: { recordId: record.id, replaced: old.number, number: out.issued!.number, reason: req.body.reason },
        });
        return out.issued!;
      });
      return reply.code(201).send(plaque);
    },
  });

  r.get(getPlaque.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(getPlaque, tags), params: getPlaque.params, response: { 200: getPlaque.response } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const plaque = await plaqueById(db, req.params.id);
        if (!plaque) throw notFound('牌匾');
        const record = await recordItem(db, plaque.record_id);
        // The link carries the plaque's unguessable token; the printed number is for people.
        return { ...plaqueItem(plaque), verifyUrl: verifyUrl(req, plaque.public_token), record };
      }),
  });

  r.get(plaqueQr.path, {
    config: { access: 'data.read' },
    schema: { tags, summary: '牌匾二维码（PNG），扫码打开公开核验页', params: plaqueQr.params },
    handler: async (req, reply) => {
      const p = await req.scoped(async ({ db }) => {
        const p = await plaqueById(db, req.params.id);
        if (!p) throw notFound('牌匾');
        return p;
      });
      return reply
        .type('image/png')
        .header('content-disposition', `inline; filename="${p.number}.png"`)
        .send(await qrPng(verifyUrl(req, p.public_token)));
    },
  });

  // ── The public's reports, in the station's work list ───────────────────────────────────
  r.get(listFeedback.path, {
    config: { access: 'data.read' },
    schema: {
      ...schemaOf(listFeedback, tags),
      querystring: listFeedback.query,
      response: { 200: listFeedback.response },
    },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        return feedbackPage(db, req.query);
      }),
  });

  listExportRoute(app, {
    ...exportFeedback,
    tags,
    summary: '导出群众对牌匾的反映（xlsx，导出留痕）',
    action: 'plaque.feedback_export',
    objectType: 'plaque_feedback',
    read: async (db, q) =>
      (await filteredFeedback(db, q))
        .orderBy('f.id', 'desc')
        .limit(exportReadRows())
        .execute()
        .then((rows) => rows.map(toFeedbackItem)),
    file: '牌匾问题反映',
    sheet: '反映',
    columns: [
      { header: '收到时间', width: 20, value: (f) => localDateTime(f.createdAt) },
      { header: '回执号', width: 16, value: (f) => f.receipt },
      { header: '牌匾编号', width: 20, value: (f) => f.number },
      { header: '市场主体', width: 32, value: (f) => f.entityName },
      { header: '问题类别', width: 24, value: (f) => f.categoryLabel },
      { header: '反映内容', width: 50, value: (f) => f.content },
      { header: '状态', width: 8, value: (f) => f.stateLabel },
      { header: '处理情况', width: 40, value: (f) => f.handlingNote },
      { header: '处理人', width: 12, value: (f) => f.handledBy },
    ],
  });

  r.post(handleFeedback.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(handleFeedback, tags),
      params: handleFeedback.params,
      body: handleFeedback.body,
      response: { 200: handleFeedback.response },
    },
    handler: async (req) => {
      const deadlines = await req.server.ctx.settings.get('cases'); // read before the scoped transaction (PGlite is one connection)
      return req.scoped(async ({ db, audit }) => {
        const f = await feedbackForUpdate(db, req.params.id);
        if (!f) throw notFound('反映');
        orRefuse(decideFeedback(f.state, req.body.note));
        await markFeedbackHandled(db, f.id, req.body.note, req.user!.id);
        await resolveWithPlaqueReport(db, f.id, req.body.note, req.user!.id, deadlines, new Date());
        audit({
          action: 'plaque.feedback_handle',
          objectType: 'plaque_feedback',
          objectId: f.id,
          detail: { note: req.body.note },
        });
        return { id: f.id, state: 'handled' as const };
      });
    },
  });
}
