import { z } from 'zod';
import { endpoint } from '../../http/contract.js';
import { caseSettings, exitSettings, ruleSettings, securitySettings } from '../../domain/settings/settings.js';

/** Deployment settings' contract (pure), shared with the web: the groups, read together, each written on its own. */
export const getSettings = endpoint({
  method: 'GET',
  path: '/settings',
  summary: '部署设置（只含本职责所管的设置组）',
  response: z.object({
    security: securitySettings.optional(),
    rules: ruleSettings.optional(),
    cases: caseSettings.optional(),
    exit: exitSettings.optional(),
  }),
});

const put = <S extends z.ZodObject, P extends string>(path: P, label: string, schema: S) =>
  endpoint({ method: 'PUT', path, summary: `修改${label}`, body: schema.partial(), response: schema });

/** One endpoint per group, by the group's key (PUT /settings/<group>). */
export const updateSettings = {
  security: put('/settings/security', '安全策略', securitySettings),
  rules: put('/settings/rules', '组织设置规则', ruleSettings),
  cases: put('/settings/cases', '诉求办理时限', caseSettings),
  exit: put('/settings/exit', '退出机制规则', exitSettings),
};

export type Settings = z.infer<typeof getSettings.response>;
