import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SETTING_GROUPS, caseSettings, ruleSettings, securitySettings } from '../../domain/settings/settings.js';
import { forbidden } from '../../http/errors.js';

/**
 * Deployment settings. They apply to the whole deployment, so only a duty holder bound to
 * the top node may change them, and only the group their duty owns.
 */
export async function settingRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const store = app.ctx.settings;

  r.get('/settings', {
    config: { access: 'session' },
    schema: { tags: ['设置'], summary: '部署设置', response: { 200: z.object({ security: securitySettings, rules: ruleSettings, cases: caseSettings }) } },
    handler: () => store.all(),
  });

  for (const [group, def] of Object.entries(SETTING_GROUPS)) {
    r.put(`/settings/${group}`, {
      config: { access: def.permission },
      schema: { tags: ['设置'], summary: `修改${def.label}`, body: def.schema.partial(), response: { 200: def.schema } },
      handler: async (req) => {
        if (req.user!.scopeKey !== '') throw forbidden('部署设置只能由全国（顶级）辖区的管理员修改');
        const before = await store.get(group as keyof typeof SETTING_GROUPS);
        return req.scoped(async ({ db, audit }) => {
          const after = def.schema.parse({ ...before, ...(req.body as object) });
          await db
            .insertInto('setting')
            .values({ key: group, value: JSON.stringify(after), updated_by: req.user!.id })
            .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(after), updated_at: new Date(), updated_by: req.user!.id }))
            .execute();
          audit({ action: 'settings.update', objectType: 'setting', objectId: group, detail: { before, after } });
          store.invalidate();
          return after;
        });
      },
    });
  }
}
