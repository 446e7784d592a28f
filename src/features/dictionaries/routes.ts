import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { schemaOf } from '../../http/contract.js';
import { listDictionaries } from './contract.js';
import { allCodeLists } from './queries.js';

/** Code lists with Chinese labels, kept as data; roles and permissions come from code. */
export async function dictionaryRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(listDictionaries.path, {
    config: { access: 'session' },
    schema: { ...schemaOf(listDictionaries, ['字典']), response: { 200: listDictionaries.response } },
    handler: (req) => req.scoped(({ db }) => allCodeLists(db)),
  });
}
