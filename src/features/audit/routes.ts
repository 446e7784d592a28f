import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { verifyAuditChain } from '../../db/audit-chain.js';
import { AnchorError, readAnchors } from '../../db/audit-anchor.js';
import { schemaOf } from '../../http/contract.js';
import { exportAudit, listAudit, verifyAudit } from './contract.js';
import { OBJECT_LABELS, actionLabel } from './actions.js';
import { detailText } from './detail.js';
import { auditExportRows, auditPage } from './queries.js';
import { localDateTime } from '../../domain/time/zone.js';
import { listExportRoute } from '../../http/export-route.js';

/** The audit trail: read and exported by the auditor only; the export is itself audited. */
export async function auditRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(listAudit.path, {
    config: { access: 'audit.read' },
    schema: { ...schemaOf(listAudit, ['审计']), querystring: listAudit.query, response: { 200: listAudit.response } },
    handler: (req) => req.scoped(({ db }) => auditPage(db, req.query)),
  });

  listExportRoute(app, {
    ...exportAudit,
    access: 'audit.read',
    tags: ['审计'],
    summary: '导出审计日志（xlsx，最多 20 万条）',
    action: 'audit.export',
    objectType: 'audit_log',
    read: auditExportRows,
    file: '审计日志',
    sheet: '审计日志',
    columns: [
      { header: '序号', width: 8, value: (a) => a.id },
      { header: '时间', width: 20, value: (a) => localDateTime(a.at, true) },
      { header: '操作人', value: (a) => a.actor_name },
      { header: 'IP', value: (a) => a.ip },
      { header: '操作', width: 20, value: (a) => actionLabel(a.action) },
      { header: '对象类型', value: (a) => (a.object_type ? (OBJECT_LABELS[a.object_type] ?? a.object_type) : '') },
      { header: '对象编号', value: (a) => a.object_id },
      { header: '结果', width: 8, value: (a) => ({ success: '成功', failure: '失败', denied: '拒绝' })[a.outcome] },
      { header: '详情', width: 60, value: (a) => detailText(a.action, a.detail) },
      { header: '哈希', width: 66, value: (a) => a.hash },
    ],
  });

  r.get(verifyAudit.path, {
    config: { access: 'audit.read' },
    schema: { ...schemaOf(verifyAudit, ['审计']), response: { 200: verifyAudit.response } },
    // The chain spans all jurisdictions, so it is walked with the system connection; only the verdict is returned.
    handler: async (req) => {
      let result: Awaited<ReturnType<typeof verifyAuditChain>>;
      try {
        result = await verifyAuditChain(app.ctx.db, 5000, readAnchors(app.ctx.db, app.ctx.config.dataDir));
      } catch (err) {
        if (!(err instanceof AnchorError)) throw err;
        result = { ok: false, count: 0, brokenId: 0, reason: err.message };
      }
      await req.scoped(async ({ audit }) =>
        audit({
          action: 'audit.verify',
          objectType: 'audit_log',
          outcome: result.ok ? 'success' : 'failure',
          detail: { count: result.count },
        }),
      );
      return result;
    },
  });
}
