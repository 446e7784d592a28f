import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { schemaOf } from '../../http/contract.js';
import { pageFrom } from '../../http/paging.js';
import type { Column } from '../../http/xlsx.js';
import { createCard, exportCards, listCards, updateCard } from './contract.js';
import { cardsFiltered, toCard } from './queries.js';
import { cardDatesProblem, issueCard, renewOrReturnCard } from './writes.js';
import { TAGS } from './tags.js';
import { listExportRoute, exportReadRows } from '../../http/export-route.js';

const CARD_COLUMNS: Column<ReturnType<typeof toCard>>[] = [
  { header: '党员', width: 10, value: (c) => c.memberName },
  { header: '流动党员党支部', width: 28, value: (c) => c.orgName },
  { header: '活动证编号', width: 18, value: (c) => c.cardNo },
  { header: '发证党组织', width: 28, value: (c) => c.issuedBy },
  { header: '发证日期', width: 12, value: (c) => c.issuedOn },
  { header: '有效期至', width: 12, value: (c) => c.expiresOn },
  { header: '交回日期', width: 12, value: (c) => c.returnedOn },
  { header: '状态', width: 10, value: (c) => c.stateLabel },
];

/** Mobile-member cards (流动党员活动证): issued, renewed, returned, listed by state. */
export async function cardRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(listCards.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(listCards, TAGS), querystring: listCards.query, response: { 200: listCards.response } },
    handler: (req) =>
      req.scoped(async ({ db }) =>
        pageFrom(
          await cardsFiltered(db, req.query),
          req.query,
          (q) => q.orderBy('c.expires_on').orderBy('c.id'),
          toCard,
        ),
      ),
  });

  listExportRoute(app, {
    ...exportCards,
    tags: TAGS,
    action: 'mobile_card.export',
    objectType: 'mobile_card',
    read: async (db, q) =>
      (await cardsFiltered(db, q))
        .orderBy('c.expires_on')
        .orderBy('c.id')
        .limit(exportReadRows())
        .execute()
        .then((rows) => rows.map(toCard)),
    file: '流动党员活动证',
    sheet: '流动党员活动证',
    columns: CARD_COLUMNS,
  });

  r.post(createCard.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(createCard, TAGS), body: createCard.body, response: { 201: createCard.response } },
    handler: async (req, reply) => {
      cardDatesProblem(req.body);
      const id = await req.scoped((sc) => issueCard(sc, req.body));
      return reply.code(201).send({ id });
    },
  });

  r.patch(updateCard.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(updateCard, TAGS),
      params: updateCard.params,
      body: updateCard.body,
      response: { 200: updateCard.response },
    },
    handler: async (req) => ({ id: await req.scoped((sc) => renewOrReturnCard(sc, req.params.id, req.body)) }),
  });
}
