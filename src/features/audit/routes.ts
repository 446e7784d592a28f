import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql, type SelectQueryBuilder } from 'kysely';
import type { DB } from '../../db/schema.js';
import { verifyAuditChain } from '../../db/audit-chain.js';
import { AnchorError, readAnchors } from '../../db/audit-anchor.js';
import { offsetOf } from '../../http/paging.js';
import { schemaOf } from '../../http/contract.js';
import { auditFilters, exportAudit, listAudit, verifyAudit } from './contract.js';
import { sendXlsx } from '../../http/xlsx.js';
import { ACTION_LABELS, OBJECT_LABELS } from './actions.js';
import { today } from '../../domain/time/zone.js';

type Filters = { [K in keyof typeof auditFilters]?: string };


function applyFilters(q: SelectQueryBuilder<DB, 'audit_log', object>, f: Filters) {
  if (f.actor) q = q.where('actor_name', '=', f.actor);
  if (f.action) q = q.where('action', '=', f.action);
  if (f.objectType) q = q.where('object_type', '=', f.objectType);
  if (f.objectId) q = q.where('object_id', '=', f.objectId);
  if (f.outcome) q = q.where('outcome', '=', f.outcome as 'success');
  if (f.from) q = q.where('at', '>=', new Date(f.from));
  if (f.to) q = q.where('at', '<', new Date(f.to));
  return q;
}

/** The audit trail: read and exported by the auditor only; the export is itself audited. */
export async function auditRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const label = (a: string) => ACTION_LABELS[a] ?? a;

  r.get(listAudit.path, {
    config: { access: 'audit.read' },
    schema: { ...schemaOf(listAudit, ['审计']), querystring: listAudit.query, response: { 200: listAudit.response } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const base = applyFilters(db.selectFrom('audit_log'), req.query);
        const [{ total }] = await base.select(sql<number>`count(*)::int`.as('total')).execute();
        const rows = await base.selectAll().orderBy('id', 'desc').limit(req.query.pageSize).offset(offsetOf(req.query)).execute();
        return {
          items: rows.map((a) => ({ id: a.id, at: a.at, actorName: a.actor_name, ip: a.ip, action: a.action, actionLabel: label(a.action), objectType: a.object_type, objectLabel: a.object_type ? OBJECT_LABELS[a.object_type] ?? a.object_type : null, objectId: a.object_id, outcome: a.outcome, detail: a.detail })),
          total,
          page: req.query.page,
          pageSize: req.query.pageSize,
        };
      }),
  });

  r.get(exportAudit.path, {
    config: { access: 'audit.read' },
    schema: { tags: ['审计'], summary: '导出审计日志（xlsx，最多 10 万条）', querystring: exportAudit.query },
    handler: async (req, reply) => {
      const rows = await req.scoped(async ({ db, audit }) => {
        const rows = await applyFilters(db.selectFrom('audit_log'), req.query).selectAll().orderBy('id', 'desc').limit(100_000).execute();
        audit({ action: 'audit.export', objectType: 'audit_log', detail: { filters: req.query, rows: rows.length } });
        return rows;
      });
      return sendXlsx(reply, `审计日志-${today()}.xlsx`, '审计日志', [
        { header: '序号', width: 8, value: (a) => a.id },
        { header: '时间', width: 20, value: (a) => a.at },
        { header: '操作人', value: (a) => a.actor_name },
        { header: 'IP', value: (a) => a.ip },
        { header: '操作', width: 20, value: (a) => label(a.action) },
        { header: '对象类型', value: (a) => (a.object_type ? OBJECT_LABELS[a.object_type] ?? a.object_type : '') },
        { header: '对象编号', value: (a) => a.object_id },
        { header: '结果', width: 8, value: (a) => ({ success: '成功', failure: '失败', denied: '拒绝' })[a.outcome] },
        { header: '详情', width: 60, value: (a) => (a.detail ? JSON.stringify(a.detail) : '') },
        { header: '哈希', width: 66, value: (a) => a.hash },
      ], rows);
    },
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
      await req.scoped(async ({ audit }) => audit({ action: 'audit.verify', objectType: 'audit_log', outcome: result.ok ? 'success' : 'failure', detail: { count: result.count } }));
      return result;
    },
  });
}
