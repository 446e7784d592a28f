import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { guidanceRefusal } from '../../domain/instructors/instructors.js';
import { badRequest, forbidden, notFound } from '../../http/errors.js';
import { boundInstructorOf } from '../../domain/auth/binding.js';
import { registerAttachmentOwner } from '../attachments/index.js';
import { schemaOf } from '../../http/contract.js';
import { createGuidance, exportGuidance, listGuidance, updateGuidance } from './contract.js';
import { guidanceExportItems, guidancePage, guidanceScope } from './queries.js';
import { addGuidance, changeGuidance } from './writes.js';
import { today } from '../../domain/time/zone.js';
import { listExportRoute } from '../../http/export-route.js';

// Photos of a visit (走访照片): whoever may log guidance adds them to a record they see; an
// instructor's account sees its own records only (row-level security, 0031).
registerAttachmentOwner('guidance_record', {
  label: '指导记录',
  permission: 'guidance.write',
  async writable(s, id) {
    const scopeKey = await guidanceScope(s.db, id);
    if (!scopeKey) throw notFound('指导记录');
    return { scopeKey };
  },
});

/** Guidance records (指导记录): what an instructor did where, and what is to follow. */
export async function guidanceRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(listGuidance.path, {
    config: { access: 'data.read' },
    schema: {
      ...schemaOf(listGuidance, ['党建指导员']),
      querystring: listGuidance.query,
      response: { 200: listGuidance.response },
    },
    handler: (req) => req.scoped(({ db }) => guidancePage(db, req.query)),
  });

  listExportRoute(app, {
    ...exportGuidance,
    tags: ['党建指导员'],
    summary: '导出指导记录（xlsx，导出留痕）',
    action: 'guidance.export',
    objectType: 'guidance_record',
    read: guidanceExportItems,
    file: '指导记录',
    sheet: '指导记录',
    columns: [
      { header: '日期', width: 12, value: (g) => g.onDate },
      { header: '指导员', width: 10, value: (g) => g.instructorName },
      { header: '方式', width: 12, value: (g) => g.kindLabel },
      { header: '市场主体', width: 30, value: (g) => g.entityName },
      { header: '党组织', width: 30, value: (g) => g.orgName },
      { header: '指导内容', width: 50, value: (g) => g.content },
      { header: '后续事项', width: 30, value: (g) => g.followUp },
      { header: '后续办结', width: 10, value: (g) => (g.followUp ? (g.followUpDone ? '已办结' : '未办结') : '') },
      { header: '登记人', width: 10, value: (g) => g.createdBy },
    ],
  });

  r.post(createGuidance.path, {
    config: { access: 'guidance.write' },
    schema: {
      ...schemaOf(createGuidance, ['党建指导员']),
      body: createGuidance.body,
      response: { 201: createGuidance.response },
    },
    handler: async (req, reply) => {
      const b = req.body;
      const refusal = guidanceRefusal(b.onDate, today());
      if (refusal) throw badRequest(refusal.message, [refusal]);
      const bound = boundInstructorOf(req.user!.bound);
      if (bound !== null && bound !== b.instructorId) throw forbidden('指导员账号只能登记本人的指导记录');
      if (!b.entityId && !b.orgId)
        throw badRequest('请选择指导的市场主体或党组织', [{ field: 'entityId', message: '请选择市场主体或党组织' }]);
      const id = await req.scoped(async ({ db, audit }) => {
        const { id, instructorId } = await addGuidance(db, b, req.user!.id);
        audit({
          action: 'guidance.create',
          objectType: 'guidance_record',
          objectId: id,
          detail: { instructorId, entityId: b.entityId ?? null, orgId: b.orgId ?? null, kind: b.kind },
        });
        return id;
      });
      return reply.code(201).send({ id });
    },
  });

  r.patch(updateGuidance.path, {
    config: { access: 'guidance.write' },
    schema: {
      ...schemaOf(updateGuidance, ['党建指导员']),
      params: updateGuidance.params,
      body: updateGuidance.body,
      response: { 200: updateGuidance.response },
    },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const out = await changeGuidance(db, req.params.id, req.body);
        audit({
          action: 'guidance.update',
          objectType: 'guidance_record',
          objectId: out.id,
          detail: { followUpDone: out.followUpDone },
        });
        return out;
      }),
  });
}
