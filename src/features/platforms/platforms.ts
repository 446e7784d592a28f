import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { schemaOf } from '../../http/contract.js';
import { pageFrom } from '../../http/paging.js';
import type { Column } from '../../http/xlsx.js';
import { addPartner, createPlatform, exportPlatforms, getPlatform, listPlatforms, updatePlatform } from './contract.js';
import { platformDetail, platformsFiltered, toPlatform } from './queries.js';
import { changePlatform, registerPartner, registerPlatform } from './writes.js';
import { TAGS } from './tags.js';
import { listExportRoute, exportReadRows } from '../../http/export-route.js';

const PLATFORM_COLUMNS: Column<ReturnType<typeof toPlatform>>[] = [
  { header: '平台企业', width: 24, value: (p) => p.name },
  { header: '业态', width: 10, value: (p) => p.businessLabel },
  { header: '状态', width: 8, value: (p) => p.statusLabel },
  { header: '登记单位', width: 16, value: (p) => p.registeredBy },
  { header: '对应市场主体', width: 30, value: (p) => p.entityName },
  { header: '总部所在地', width: 20, value: (p) => p.headquarters },
  { header: '合作商数', width: 10, value: (p) => p.partners },
  { header: '运营站点数', width: 10, value: (p) => p.stations },
  { header: '骑手数（最新）', width: 12, value: (p) => p.riders },
  { header: '党员骑手数', width: 10, value: (p) => p.memberRiders },
  { header: '组织覆盖', width: 10, value: (p) => (p.anyOrg ? '是' : '否') },
  { header: '工作覆盖', width: 10, value: (p) => (p.work ? '是' : '否') },
];

/** Platforms (registered by a bureau, read below it to record local presence) and their partner firms. */
export async function platformResourceRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(listPlatforms.path, {
    config: { access: 'data.read' },
    schema: {
      ...schemaOf(listPlatforms, TAGS),
      querystring: listPlatforms.query,
      response: { 200: listPlatforms.response },
    },
    handler: (req) =>
      req.scoped(async ({ db }) =>
        pageFrom(
          await platformsFiltered(db, req.user!.scopeKey, req.query),
          req.query,
          (q) => q.orderBy('p.name').orderBy('p.id'),
          toPlatform,
        ),
      ),
  });

  listExportRoute(app, {
    ...exportPlatforms,
    tags: TAGS,
    action: 'platform.export',
    objectType: 'platform',
    read: async (db, q, req) =>
      (await platformsFiltered(db, req.user!.scopeKey, q))
        .orderBy('p.name')
        .orderBy('p.id')
        .limit(exportReadRows())
        .execute()
        .then((rows) => rows.map(toPlatform)),
    file: '平台企业',
    sheet: '平台企业',
    columns: PLATFORM_COLUMNS,
  });

  r.post(createPlatform.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(createPlatform, TAGS),
      body: createPlatform.body,
      response: { 201: createPlatform.response },
    },
    handler: async (req, reply) => {
      const id = await req.scoped((sc) => registerPlatform(sc, req.user!, req.body));
      return reply.code(201).send({ id });
    },
  });

  r.get(getPlatform.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(getPlatform, TAGS), params: getPlatform.params, response: { 200: getPlatform.response } },
    handler: (req) => req.scoped(({ db }) => platformDetail(db, req.user!.scopeKey, req.params.id)),
  });

  r.patch(updatePlatform.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(updatePlatform, TAGS),
      params: updatePlatform.params,
      body: updatePlatform.body,
      response: { 200: updatePlatform.response },
    },
    handler: async (req) => ({ id: await req.scoped((sc) => changePlatform(sc, req.user!, req.params.id, req.body)) }),
  });

  r.post(addPartner.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(addPartner, TAGS),
      params: addPartner.params,
      body: addPartner.body,
      response: { 201: addPartner.response },
    },
    handler: async (req, reply) => {
      const id = await req.scoped((sc) => registerPartner(sc, req.params.id, req.body));
      return reply.code(201).send({ id });
    },
  });
}
