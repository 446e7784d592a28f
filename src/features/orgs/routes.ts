import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { BODY_LABEL } from '../../domain/orgs/rules.js';
import { badRequest } from '../../http/errors.js';
import { sendXlsx } from '../../http/xlsx.js';
import { today as todayInZone } from '../../domain/time/zone.js';
import { orgDetail, orgExportItems, orgPage, termsDue } from './queries.js';
import {
  addOrg,
  appointOfficer,
  changeOrg,
  coverEntity,
  registerOrgMember,
  registerOrgsFromReports,
  removeCoveredEntity,
  removeOfficer,
  removeOrgMemberRow,
  removeOrgPart,
  type OrgPart,
} from './writes.js';
import { schemaOf } from '../../http/contract.js';
import {
  addOrgEntity,
  addOrgMember,
  addOrgOfficer,
  createOrg,
  exportOrgs,
  getOrg,
  listOrgs,
  registerFromReports,
  removeOrgEntity,
  removeOrgMember,
  removeOrgOfficer,
  termReminders,
  updateOrg,
} from './contract.js';

/** The party- and Youth League-organization ledger: organizations, covered entities, members, officers, terms. */
export async function orgRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const rules = () => app.ctx.settings.get('rules');

  r.get(listOrgs.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(listOrgs, ['党组织']), querystring: listOrgs.query, response: { 200: listOrgs.response } },
    handler: (req) => req.scoped(({ db }) => orgPage(db, req.query)),
  });

  r.get(exportOrgs.path, {
    config: { access: 'data.read' },
    schema: { tags: ['党组织'], summary: '导出党组织台账（xlsx，导出留痕）', querystring: exportOrgs.query },
    handler: async (req, reply) => {
      const rows = await req.scoped(async ({ db, audit }) => {
        const items = await orgExportItems(db, req.query);
        audit({ action: 'org.export', objectType: 'party_org', detail: { filters: req.query, rows: items.length } });
        return items;
      });
      return sendXlsx(
        reply,
        `党组织台账-${todayInZone()}.xlsx`,
        '党组织',
        [
          { header: '类别', width: 8, value: (o) => BODY_LABEL[o.body as 'party'] },
          { header: '名称', width: 36, value: (o) => o.name },
          { header: '组织类型', width: 12, value: (o) => o.kindLabel },
          { header: '建立方式', width: 24, value: (o) => o.setupModeLabel },
          { header: '状态', width: 8, value: (o) => o.statusLabel },
          { header: '成立日期', width: 12, value: (o) => o.foundedOn },
          { header: '县区', width: 10, value: (o) => o.countyName },
          { header: '基层所', width: 16, value: (o) => o.stationName },
          { header: '覆盖单位数', width: 10, value: (o) => o.units },
          { header: '登记党员（团员）数', width: 12, value: (o) => o.memberCount },
          { header: '书记', width: 10, value: (o) => o.secretary },
          { header: '届满日期', width: 12, value: (o) => o.termEnd },
        ],
        rows,
      );
    },
  });

  r.get(termReminders.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(termReminders, ['党组织']), response: { 200: termReminders.response } },
    handler: async (req) => {
      const s = await rules();
      const today = todayInZone();
      return req.scoped(({ db }) => termsDue(db, today, s));
    },
  });

  r.post(createOrg.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(createOrg, ['党组织']), body: createOrg.body, response: { 201: createOrg.response } },
    handler: async (req, reply) => {
      const b = req.body;
      if (b.status === 'established' && !b.foundedOn)
        throw badRequest('已建组织须填写成立日期', [{ field: 'foundedOn', message: '请填写成立日期' }]);
      const s = await rules();
      const id = await req.scoped((sc) => addOrg(sc, b, s));
      return reply.code(201).send({ id });
    },
  });

  r.post(registerFromReports.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(registerFromReports, ['党组织']), response: { 200: registerFromReports.response } },
    handler: (req) => req.scoped((sc) => registerOrgsFromReports(sc, req.user!.scopeKey)),
  });

  r.get(getOrg.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(getOrg, ['党组织']), params: getOrg.params, response: { 200: getOrg.response } },
    handler: async (req) => {
      const s = await rules();
      const today = todayInZone();
      return req.scoped(({ db }) => orgDetail(db, req.params.id, today, s));
    },
  });

  r.patch(updateOrg.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(updateOrg, ['党组织']),
      params: updateOrg.params,
      body: updateOrg.body,
      response: { 200: updateOrg.response },
    },
    handler: async (req) => {
      const b = req.body;
      const s = await rules();
      return req.scoped((sc) => changeOrg(sc, req.params.id, b, s));
    },
  });

  r.post(addOrgEntity.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(addOrgEntity, ['党组织']), params: addOrgEntity.params, body: addOrgEntity.body },
    handler: async (req, reply) => {
      const s = await rules();
      await req.scoped((sc) => coverEntity(sc, req.params.id, req.body.entityId, s));
      return reply.code(204).send();
    },
  });

  r.post(addOrgMember.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(addOrgMember, ['党组织']),
      params: addOrgMember.params,
      body: addOrgMember.body,
      response: { 201: addOrgMember.response },
    },
    handler: async (req, reply) => {
      const id = await req.scoped((sc) => registerOrgMember(sc, app.ctx.keys, req.params.id, req.body));
      return reply.code(201).send({ id });
    },
  });

  r.post(addOrgOfficer.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(addOrgOfficer, ['党组织']),
      params: addOrgOfficer.params,
      body: addOrgOfficer.body,
      response: { 201: addOrgOfficer.response },
    },
    handler: async (req, reply) => {
      const b = req.body;
      const s = await rules();
      const id = await req.scoped((sc) => appointOfficer(sc, req.params.id, b, s));
      return reply.code(201).send({ id });
    },
  });

  /** DELETE /orgs/:id/<part>/:key: one covered entity, registered member or officer, audited. */
  const removal = (
    e: typeof removeOrgEntity | typeof removeOrgMember | typeof removeOrgOfficer,
    part: string,
    what: string,
    action: string,
    remove: OrgPart['remove'],
  ) =>
    r.delete(e.path, {
      config: { access: 'data.write' },
      schema: { ...schemaOf(e, ['党组织']), params: e.params },
      handler: async (req, reply) => {
        await req.scoped((sc) =>
          removeOrgPart(sc, req.params.id, req.params.key, { part, what, action, summary: e.summary, remove }),
        );
        return reply.code(204).send();
      },
    });

  removal(removeOrgEntity, 'entities', '该组织覆盖的市场主体', 'org.entity_remove', removeCoveredEntity);
  removal(removeOrgMember, 'members', '组织关系登记', 'org.member_remove', removeOrgMemberRow);
  removal(removeOrgOfficer, 'officers', '班子成员', 'org.officer_remove', removeOfficer);
}
