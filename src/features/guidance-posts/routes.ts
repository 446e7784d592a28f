import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { schemaOf } from '../../http/contract.js';
import { getGuidancePost } from './contract.js';
import { guidancePost } from './queries.js';

/** A station's guidance post (党建工作指导站) on one page (see guidancePost). */
export async function guidancePostRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(getGuidancePost.path, {
    config: { access: 'data.read' },
    schema: {
      ...schemaOf(getGuidancePost, ['党建指导员']),
      params: getGuidancePost.params,
      response: { 200: getGuidancePost.response },
    },
    handler: (req) => req.scoped(({ db }) => guidancePost(db, req.params.code)),
  });
}
