import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { SETTING_GROUPS, readableGroups, type SettingGroup } from '../../domain/settings/settings.js';
import { forbidden } from '../../http/errors.js';
import { schemaOf } from '../../http/contract.js';
import { getSettings, updateSettings } from './contract.js';
import { saveSettingGroup } from './writes.js';

/**
 * Deployment settings. They apply to the whole deployment, so only a duty holder bound to
 * the top node may change them, and only the group their duty owns.
 */
export async function settingRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const store = app.ctx.settings;

  r.get(getSettings.path, {
    config: { access: 'settings.read' },
    schema: { ...schemaOf(getSettings, ['设置']), response: { 200: getSettings.response } },
    handler: async (req) => {
      const all = await store.all();
      return Object.fromEntries(readableGroups(req.user!.permissions).map((g) => [g, all[g]]));
    },
  });

  for (const [group, def] of Object.entries(SETTING_GROUPS)) {
    const e = updateSettings[group as SettingGroup];
    r.put(e.path, {
      config: { access: def.permission },
      schema: { ...schemaOf(e, ['设置']), body: def.schema.partial(), response: { 200: def.schema } },
      handler: async (req) => {
        if (req.user!.scopeKey !== '') throw forbidden('部署设置只能由全国（顶级）辖区的管理员修改');
        const before = await store.get(group as keyof typeof SETTING_GROUPS);
        return req.scoped(async ({ db, audit }) => {
          const after = def.schema.parse({ ...before, ...req.body });
          await saveSettingGroup(db, group as SettingGroup, after, req.user!.id);
          audit({ action: 'settings.update', objectType: 'setting', objectId: group, detail: { before, after } });
          store.invalidate();
          return after;
        });
      },
    });
  }
}
