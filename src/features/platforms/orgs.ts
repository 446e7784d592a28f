import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { schemaOf } from '../../http/contract.js';
import { pageFrom } from '../../http/paging.js';
import type { Column } from '../../http/xlsx.js';
import {
  createCommittee,
  createMobileBranch,
  exportRiderOrgs,
  linkOrgUnit,
  listApprovers,
  listRiderOrgs,
  unlinkOrgUnit,
} from './contract.js';
import { approvers, riderOrgsFiltered, toRiderOrg } from './queries.js';
import { foundCommittee, foundMobileBranch, linkOrgToUnit, unlinkOrgFromUnit } from './writes.js';
import { TAGS } from './tags.js';
import { listExportRoute, exportReadRows } from '../../http/export-route.js';

const ORG_COLUMNS: Column<ReturnType<typeof toRiderOrg>>[] = [
  { header: '名称', width: 30, value: (o) => o.name },
  { header: '类型', width: 18, value: (o) => o.typeLabel },
  { header: '层级', width: 8, value: (o) => o.levelLabel },
  { header: '所在辖区', width: 16, value: (o) => o.placeName },
  { header: '状态', width: 8, value: (o) => o.statusLabel },
  { header: '成立日期', width: 12, value: (o) => o.foundedOn },
  { header: '批准党委', width: 24, value: (o) => o.approverName },
  { header: '批准日期', width: 12, value: (o) => o.approvedOn },
  { header: '登记党员数', width: 10, value: (o) => o.memberCount },
  { header: '联系平台/站点数', width: 14, value: (o) => o.units },
  { header: '即将到期活动证', width: 14, value: (o) => o.cardsExpiring },
];

/** Rider industry committees and mobile-member branches (party_org, sector 'riders'), with their approval and the units they serve. */
export async function riderOrgRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(listRiderOrgs.path, {
    config: { access: 'data.read' },
    schema: {
      ...schemaOf(listRiderOrgs, TAGS),
      querystring: listRiderOrgs.query,
      response: { 200: listRiderOrgs.response },
    },
    handler: (req) =>
      req.scoped(async ({ db }) =>
        pageFrom(
          await riderOrgsFiltered(db, req.query),
          req.query,
          (q) => q.orderBy('o.scope_key').orderBy('o.name'),
          toRiderOrg,
        ),
      ),
  });

  listExportRoute(app, {
    ...exportRiderOrgs,
    tags: TAGS,
    action: 'rider_org.export',
    objectType: 'party_org',
    read: async (db, q) =>
      (await riderOrgsFiltered(db, q))
        .orderBy('o.scope_key')
        .orderBy('o.name')
        .limit(exportReadRows())
        .execute()
        .then((rows) => rows.map(toRiderOrg)),
    file: '行业党委与流动党员党支部',
    sheet: '组织',
    columns: ORG_COLUMNS,
  });

  r.get(listApprovers.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(listApprovers, TAGS), response: { 200: listApprovers.response } },
    handler: (req) => req.scoped(async ({ db }) => ({ items: await approvers(db) })),
  });

  r.post(createCommittee.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(createCommittee, TAGS),
      body: createCommittee.body,
      response: { 201: createCommittee.response },
    },
    handler: async (req, reply) => {
      const id = await req.scoped((sc) => foundCommittee(sc, req.user!, req.body));
      return reply.code(201).send({ id });
    },
  });

  r.post(createMobileBranch.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(createMobileBranch, TAGS),
      body: createMobileBranch.body,
      response: { 201: createMobileBranch.response },
    },
    handler: async (req, reply) => {
      const id = await req.scoped((sc) => foundMobileBranch(sc, req.body));
      return reply.code(201).send({ id });
    },
  });

  r.post(linkOrgUnit.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(linkOrgUnit, TAGS),
      params: linkOrgUnit.params,
      body: linkOrgUnit.body,
      response: { 204: linkOrgUnit.response },
    },
    handler: async (req, reply) => {
      await req.scoped((sc) => linkOrgToUnit(sc, req.params.id, req.body));
      return reply.code(204).send(null);
    },
  });

  r.delete(unlinkOrgUnit.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(unlinkOrgUnit, TAGS),
      params: unlinkOrgUnit.params,
      response: { 204: unlinkOrgUnit.response },
    },
    handler: async (req, reply) => {
      await req.scoped((sc) => unlinkOrgFromUnit(sc, req.params.id, req.params.key));
      return reply.code(204).send(null);
    },
  });
}
