import { z } from 'zod';
import { endpoint, pageOf, pageQuery, timestamp } from '../../http/contract.js';

/** The audit trail's contract (pure), shared with the web. */
export const auditFilters = {
  actor: z.string().trim().max(64).optional(),
  action: z.string().trim().max(64).optional(),
  objectType: z.string().trim().max(40).optional(),
  objectId: z.string().trim().max(64).optional(),
  outcome: z.enum(['success', 'failure', 'denied']).optional(),
  from: z.iso.datetime({ offset: true, message: '起始时间格式应为 ISO 8601' }).optional(),
  to: z.iso.datetime({ offset: true, message: '结束时间格式应为 ISO 8601' }).optional(),
};

export const auditRecord = z.object({
  id: z.number(),
  at: timestamp,
  actorName: z.string().nullable(),
  ip: z.string().nullable(),
  action: z.string(),
  actionLabel: z.string(),
  objectType: z.string().nullable(),
  objectLabel: z.string().nullable(),
  objectId: z.string().nullable(),
  outcome: z.string(),
  detail: z.unknown(),
  /** The detail in words (labels for its keys, values formatted): what the auditor reads. */
  detailLines: z.array(z.object({ label: z.string(), value: z.string() })),
});

export const listAudit = endpoint({
  method: 'GET',
  path: '/audit',
  summary: '审计日志',
  query: z.strictObject({ ...pageQuery, ...auditFilters }),
  response: pageOf(auditRecord),
});

/** The export is a file (xlsx), so its endpoint names only the path and the filters. */
export const exportAudit = { path: '/audit/export', query: z.strictObject(auditFilters) } as const;

export const verifyAudit = endpoint({
  method: 'GET',
  path: '/audit/verify',
  summary: '校验审计链完整性',
  response: z.object({
    ok: z.boolean(),
    count: z.number(),
    brokenId: z.number().optional(),
    reason: z.string().optional(),
  }),
});
