import { z } from 'zod';
import { endpoint, type ResponseOf } from '../../http/contract.js';
import { JURISDICTION_LEVELS } from '../../domain/jurisdiction/codes.js';

/** The sign-in steps' contract (pure), shared with the web: password, dynamic code, password change, code enrolment, who is signed in. */

const stage = z.enum(['password_change', 'totp_enrol', 'totp', 'full']);
/** Each sign-in step answers with the next stage and the session's CSRF token. */
const sessionResponse = z.object({ stage, csrfToken: z.string() });
const codeBody = z.strictObject({ code: z.string().trim() });

export const login = endpoint({
  method: 'POST',
  path: '/auth/login',
  summary: '账号密码登录',
  body: z.strictObject({ username: z.string().trim().min(1).max(64), password: z.string().min(1).max(128) }),
  response: sessionResponse,
});

export const verifyTotp = endpoint({
  method: 'POST',
  path: '/auth/totp/verify',
  summary: '输入动态口令完成登录',
  body: codeBody,
  response: sessionResponse,
});

export const changePassword = endpoint({
  method: 'POST',
  path: '/auth/password',
  summary: '修改本人密码（须当前密码；已绑定动态口令的账号在登录后修改还须当前动态口令）',
  body: z.strictObject({
    currentPassword: z.string().min(1).max(128),
    newPassword: z.string().min(1).max(128),
    code: z.string().trim().optional(),
  }),
  response: sessionResponse,
});

export const setupTotp = endpoint({
  method: 'POST',
  path: '/auth/totp/setup',
  summary: '生成动态口令绑定二维码（登录后重新绑定须当前密码与当前动态口令）',
  body: z
    .strictObject({ currentPassword: z.string().max(128).optional(), code: z.string().trim().optional() })
    .optional(),
  response: z.object({ secret: z.string(), uri: z.string(), qrDataUrl: z.string() }),
});

export const enrolTotp = endpoint({
  method: 'POST',
  path: '/auth/totp/enrol',
  summary: '输入动态口令确认绑定',
  body: codeBody,
  response: sessionResponse,
});

export const logout = endpoint({
  method: 'POST',
  path: '/auth/logout',
  summary: '退出登录',
  status: 204,
  response: z.null(),
});

export const getMe = endpoint({
  method: 'GET',
  path: '/auth/me',
  summary: '当前登录信息',
  response: z.object({
    id: z.number(),
    username: z.string(),
    displayName: z.string(),
    roles: z.array(z.object({ code: z.string(), label: z.string() })),
    permissions: z.array(z.string()),
    stage,
    csrfToken: z.string(),
    totpEnabled: z.boolean(),
    /** The deployment's time zone (XGZ_TIME_ZONE): the web shows every time in it, not in the browser's. */
    timeZone: z.string(),
    jurisdiction: z.object({
      code: z.string(),
      name: z.string(),
      level: z.enum(JURISDICTION_LEVELS),
      path: z.array(z.object({ code: z.string(), name: z.string() })),
    }),
  }),
});

export type Me = ResponseOf<typeof getMe>;
export type Stage = z.infer<typeof stage>;
