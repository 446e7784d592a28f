import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { PERMISSIONS, ROLES } from '../../domain/auth/roles.js';
import { schemaOf } from '../../http/contract.js';
import { listDictionaries } from './contract.js';


/** Code lists with Chinese labels, kept as data; roles and permissions come from code. */
export async function dictionaryRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(listDictionaries.path, {
    config: { access: 'session' },
    schema: { ...schemaOf(listDictionaries, ['字典']), response: { 200: listDictionaries.response } },
    handler: async (req) => {
      const rows = await req.scoped(({ db }) => db.selectFrom('dictionary').select(['kind', 'code', 'label']).orderBy('kind').orderBy('sort_order').execute());
      const out: Record<string, { code: string; label: string }[]> = {
        role: Object.entries(ROLES).map(([code, label]) => ({ code, label })),
        permission: Object.entries(PERMISSIONS).map(([code, label]) => ({ code, label })),
      };
      for (const { kind, code, label } of rows) (out[kind] ??= []).push({ code, label });
      return out;
    },
  });
}
