import { z } from 'zod';
import { ACCOUNT_NAME, ACCOUNT_NAME_RULE } from '../../domain/auth/account-name.js';
import { endpoint, idParam, pageOf, pageQuery, timestamp, type ItemOf } from '../../http/contract.js';
import { ROLE_CODES, type Role } from '../../domain/auth/roles.js';

/** Accounts' and sessions' contract (pure), shared with the web. */
const role = z.enum(ROLE_CODES as [Role, ...Role[]]);

export const account = z.object({
  id: z.number(),
  username: z.string(),
  displayName: z.string(),
  jurisdictionCode: z.string(),
  jurisdictionName: z.string(),
  roles: z.array(z.object({ code: z.string(), label: z.string() })),
  disabled: z.boolean(),
  locked: z.boolean(),
  totpEnabled: z.boolean(),
  mustChangePassword: z.boolean(),
  lastLoginAt: timestamp.nullable(),
  createdAt: timestamp,
  platformId: z.number().nullable(),
  orgId: z.number().nullable(),
  instructorId: z.number().nullable(),
});

const bindingFields = {
  platformId: z.number().int().positive().nullable().optional().describe('绑定的平台（其党建联系点账号）'),
  orgId: z.number().int().positive().nullable().optional().describe('绑定的网约配送员行业党委'),
  instructorId: z.number().int().positive().nullable().optional().describe('绑定的指导员'),
};

export const listAccounts = endpoint({
  method: 'GET',
  path: '/accounts',
  summary: '账号列表',
  query: z.strictObject({
    ...pageQuery,
    q: z.string().trim().max(40).optional(),
    role: role.optional(),
    disabled: z.enum(['true', 'false']).optional(),
  }),
  response: pageOf(account),
});

export const createAccount = endpoint({
  method: 'POST',
  path: '/accounts',
  summary: '新建业务账号（不返回密码：由安全管理员发放一次性密码；管理员账号只能用命令行创建）',
  body: z.strictObject({
    username: z.string().trim().regex(ACCOUNT_NAME, ACCOUNT_NAME_RULE),
    displayName: z.string().trim().min(1, '请填写姓名').max(30, '姓名不超过 30 个字'),
    jurisdictionCode: z.string().regex(/^\d{6,9}$/, '辖区代码应为 6 或 9 位数字'),
    roles: z.array(role).min(1, '至少分配一个角色'),
    ...bindingFields,
  }),
  status: 201,
  response: account,
});

export const updateAccount = endpoint({
  method: 'PATCH',
  path: '/accounts/:id',
  summary: '修改账号：姓名、辖区、角色、停用（角色或辖区变更、停用会结束其全部会话）',
  params: idParam,
  body: z.strictObject({
    displayName: z.string().trim().min(1).max(30).optional(),
    jurisdictionCode: z
      .string()
      .regex(/^\d{6,9}$/, '辖区代码应为 6 或 9 位数字')
      .optional(),
    roles: z.array(role).min(1, '至少分配一个角色').optional(),
    disabled: z.boolean().optional(),
    ...bindingFields,
  }),
  response: account,
});

export const resetPassword = endpoint({
  method: 'POST',
  path: '/accounts/:id/reset-password',
  summary: '为业务账号发放一次性密码（只显示一次，登录后须立即修改；已绑定的动态口令保留；管理员账号只能用命令行重置）',
  params: idParam,
  response: z.object({ temporaryPassword: z.string() }),
});

export const unlockAccount = endpoint({
  method: 'POST',
  path: '/accounts/:id/unlock',
  summary: '解除锁定（账号锁定与各地址的登录暂停）',
  params: idParam,
  response: account,
});

export const resetTotp = endpoint({
  method: 'POST',
  path: '/accounts/:id/reset-totp',
  summary: '解绑业务账号的动态口令（丢失手机时），下次登录须重新绑定；管理员账号只能用命令行解绑',
  params: idParam,
  response: account,
});

export const listLogins = endpoint({
  method: 'GET',
  path: '/accounts/:id/logins',
  summary: '登录历史',
  params: idParam,
  query: z.strictObject(pageQuery),
  response: pageOf(
    z.object({ at: timestamp, ip: z.string().nullable(), userAgent: z.string().nullable(), outcome: z.string() }),
  ),
});

export const listSessions = endpoint({
  method: 'GET',
  path: '/sessions',
  summary: '在线会话',
  query: z.strictObject(pageQuery),
  response: pageOf(
    z.object({
      id: z.string(),
      userId: z.number(),
      username: z.string(),
      displayName: z.string(),
      stage: z.string(),
      ip: z.string().nullable(),
      userAgent: z.string().nullable(),
      createdAt: timestamp,
      lastSeenAt: timestamp,
    }),
  ),
});

export const endSession = endpoint({
  method: 'DELETE',
  path: '/sessions/:id',
  summary: '强制下线',
  params: z.strictObject({ id: z.string().regex(/^[0-9a-f]{64}$/, '会话编号格式错误') }),
  status: 204,
  response: z.null(),
});

export type Account = ItemOf<typeof listAccounts>;
