import { z } from 'zod';
import { SERVICE_PERMISSION_CODES, checkAllowEntry, checkServicePermissions } from '../../domain/auth/service.js';
import { endpoint, idParam } from '../../http/contract.js';

/** Request and response shapes of the exchange (issue 15): service accounts and what they call. Shared with the web. */

export const servicePermission = z.enum(SERVICE_PERMISSION_CODES as [string, ...string[]]);
const permissions = z.array(servicePermission).superRefine((ps, ctx) => {
  const why = checkServicePermissions(ps);
  if (why) ctx.addIssue({ code: 'custom', message: why });
});
const allowEntry = z
  .string()
  .trim()
  .min(2)
  .max(50)
  .superRefine((e, ctx) => {
    const why = checkAllowEntry(e);
    if (why) ctx.addIssue({ code: 'custom', message: why });
  });
const ipAllowlist = z.array(allowEntry).min(1, '请至少填写一个允许的来源地址或网段').max(50);
/** A date (YYYY-MM-DD, the end of that day) or a moment (ISO 8601; without an offset, the deployment's time), both in the deployment's zone (China time). */
const expiresAt = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/, '有效期应为日期（YYYY-MM-DD）或时间（ISO 8601）');

export const serviceAccount = z.object({
  id: z.number(),
  name: z.string(),
  note: z.string().nullable(),
  jurisdictionCode: z.string(),
  jurisdictionName: z.string(),
  permissions: z.array(z.string()),
  tokenHint: z.string(),
  expiresAt: z.string(),
  ipAllowlist: z.array(z.string()),
  ratePerMinute: z.number(),
  /** unconfirmed: waits for a business account of its node to confirm it and take its token. */
  state: z.enum(['unconfirmed', 'active', 'expired', 'revoked']),
  revokedAt: z.string().nullable(),
  revokeReason: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  lastUsedIp: z.string().nullable(),
  confirmedAt: z.string().nullable(),
  createdAt: z.string(),
  /** A digest of what a confirmation vouches for (node, permissions, addresses, rate, expiry, certificate): sent back with the confirmation, so a change made meanwhile is not confirmed unseen. */
  terms: z.string(),
  /** The client certificate registered for the account (mutual TLS), else null. */
  certificate: z
    .object({ fingerprint: z.string(), subject: z.string().nullable(), notAfter: z.string().nullable() })
    .nullable(),
});
export type ServiceAccount = z.infer<typeof serviceAccount>;

export const serviceAccountCreate = z.strictObject({
  name: z.string().trim().min(2, '名称至少 2 个字').max(60),
  note: z.string().trim().max(200).optional(),
  jurisdictionCode: z.string().regex(/^\d{2,9}$/, '辖区代码应为 2–9 位数字'),
  permissions,
  expiresAt,
  ipAllowlist,
  ratePerMinute: z.number().int().min(1).max(100_000).default(120),
});
export type ServiceAccountCreate = z.input<typeof serviceAccountCreate>;

export const serviceAccountPatch = z.strictObject({
  note: z.string().trim().max(200).nullable().optional(),
  permissions: permissions.optional(),
  expiresAt: expiresAt.optional(),
  ipAllowlist: ipAllowlist.optional(),
  ratePerMinute: z.number().int().min(1).max(100_000).optional(),
});

/** A client certificate to register: its PEM (the fingerprint, subject and expiry are read from it) or its SHA-256 fingerprint alone. */
export const certificateBody = z
  .strictObject({
    pem: z.string().trim().max(20_000).optional().meta({
      description: '客户端证书（PEM，-----BEGIN CERTIFICATE----- …），只登记其指纹、主题与有效期，不需要私钥',
    }),
    fingerprint: z
      .string()
      .trim()
      .max(120)
      .optional()
      .meta({
        examples: ['3A:5F:…:9C'],
        description: '或只给出证书的 SHA-256 指纹（openssl x509 -noout -fingerprint -sha256）',
      }),
  })
  .refine((b) => !!b.pem !== !!b.fingerprint, { message: '请提供证书（PEM）或其 SHA-256 指纹之一', path: ['pem'] });

export const revokeBody = z.strictObject({ reason: z.string().trim().min(2, '请填写吊销原因').max(200) });

/** A token is shown once, in this answer, to the business account confirming the account; only its keyed hash is kept. */
export const issued = z.object({ account: serviceAccount, token: z.string() });
/** A new account: no token yet (the business side takes it when confirming). */
export const created = z.object({ account: serviceAccount, token: z.null() });

export const listServiceAccounts = endpoint({
  method: 'GET',
  path: '/service-accounts',
  summary: '服务账号列表（本辖区及下级）',
  response: z.object({ items: z.array(serviceAccount) }),
});
export const createServiceAccount = endpoint({
  method: 'POST',
  path: '/service-accounts',
  summary:
    '新建服务账号（安全管理员）：绑定一个辖区、授予权限、设定有效期、来源地址白名单与限流；待该辖区业务部门确认启用并领取令牌',
  body: serviceAccountCreate,
  status: 201,
  response: created,
});
export const updateServiceAccount = endpoint({
  method: 'PATCH',
  path: '/service-accounts/:id',
  summary: '修改服务账号的权限、有效期、地址白名单、限流或备注（立即生效；改权限或白名单须业务部门重新确认启用）',
  params: idParam,
  body: serviceAccountPatch,
  response: serviceAccount,
});
export const revokeServiceAccount = endpoint({
  method: 'POST',
  path: '/service-accounts/:id/revoke',
  summary: '吊销服务账号（令牌立即失效，不能恢复）',
  params: idParam,
  body: revokeBody,
  response: serviceAccount,
});
export const registerCertificate = endpoint({
  method: 'PUT',
  path: '/service-accounts/:id/certificate',
  summary: '登记服务账号的客户端证书（双向 TLS，取代已登记的）：给出证书 PEM 或其 SHA-256 指纹；须业务部门重新确认启用',
  params: idParam,
  body: certificateBody,
  response: serviceAccount,
});
export const removeCertificate = endpoint({
  method: 'DELETE',
  path: '/service-accounts/:id/certificate',
  summary: '移除服务账号的客户端证书（立即失效）',
  params: idParam,
  response: serviceAccount,
});
export const rotateToken = endpoint({
  method: 'POST',
  path: '/service-accounts/:id/token',
  summary: '确认启用并领取令牌（本辖区或上级的业务账号，不是安全管理员）：旧令牌立即失效，新令牌只在本次返回',
  params: idParam,
  /** terms: the account's as the confirmer saw it; when it no longer is (changed meanwhile), 409 and nothing happens. */
  body: z.strictObject({ terms: z.string().max(64).optional() }).optional(),
  response: issued,
});

/** One change of the feed: what changed, how, and the object as it is now (null once deleted or moved out of the subtree). */
export const change = z.object({
  cursor: z.string(),
  kind: z.enum(['entity', 'organization', 'member_link', 'plaque', 'case']),
  id: z.number(),
  op: z.enum(['insert', 'update', 'delete', 'moved_out']),
  at: z.string(),
  data: z.record(z.string(), z.unknown()).nullable(),
});
export const changesQuery = z.strictObject({
  after: z
    .string()
    .max(40)
    .optional()
    .meta({ examples: ['757.12'], description: '上一页返回的 next；首次省略' }),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});
export const changesPage = z.object({ items: z.array(change), next: z.string(), more: z.boolean() }).meta({
  examples: [
    {
      items: [
        {
          cursor: '757.12',
          kind: 'entity',
          id: 7,
          op: 'update',
          at: '2026-12-02T08:00:00.000Z',
          data: {
            uscc: '92320102MA1PX7EB3T',
            regNo: null,
            name: '某某小吃店',
            kind: 'individual',
            status: 'revoked',
            registeredOn: '2020-05-01',
            countyCode: '320102',
            stationCode: '320102001',
          },
        },
      ],
      next: '757.12',
      more: false,
    },
  ],
});

export const batchQuery = z.strictObject({
  batch: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,100}$/, '批次号为 1–100 个字母、数字或 . _ : -')
    .meta({
      examples: ['REG-20261202-01'],
      description: '调用方的批次号：同一批次号、同一内容再次报送返回同一任务；不同内容 409',
    }),
  node: z
    .string()
    .regex(/^\d{2,9}$/, '辖区代码应为 2–9 位数字')
    .optional(),
  profile: z.string().trim().min(1).max(60).optional(),
  sheet: z.string().trim().min(1).max(100).optional(),
  fullRoster: z.enum(['true', 'false'], '应为 true 或 false').optional().meta({
    description:
      '仅党员名册（roster）：true 表示本批是所涉党组织的完整名册，导入成功后，这些党组织中本批没有的党员生成"名册中已不存在"核实线索；默认 false（部分名册，不作比较）',
  }),
});

export const rejection = z.object({
  rowNo: z.number(),
  /** The row's sheet, when the batch was a workbook whose sheets were read together. */
  sheet: z.string().nullable(),
  column: z.string().nullable(),
  value: z.string().nullable(),
  reason: z.string(),
});
