import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { maskIdNumber } from '../../domain/identifiers/id-number.js';
import { ENTITY_KIND_LABEL, ENTITY_STATUS_LABEL } from '../../domain/ledger/labels.js';
import { DIVISIONS, SECTIONS } from '../../domain/ledger/industry.js';
import { forbidden } from '../../http/errors.js';
import { decryptField } from '../../crypto/field.js';
import { sendXlsx } from '../../http/xlsx.js';
import { spendReveal } from '../../http/auth.js';
import { schemaOf } from '../../http/contract.js';
import { entityDetail, entityExportRows, entityPage, entitySummaryOf } from './queries.js';
import {
  addPersonToEntity,
  removePersonFromEntity,
  revealEntityPerson as revealPerson,
  updateEntityRecord,
} from './writes.js';
import {
  ENTITY_TAGS,
  addEntityPerson,
  entitySummary,
  exportEntities,
  getEntity,
  listEntities,
  removeEntityPerson,
  revealEntityPerson,
  updateEntity,
} from './contract.js';
import { today } from '../../domain/time/zone.js';

const ORG_FORM = ['未建立', '党支部', '党总支', '党委'];

/** The market-entity ledger: list, export, entity page with people, zones, reports and history. */
export async function entityRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { keys } = app.ctx;

  r.get(listEntities.path, {
    config: { access: 'data.read' },
    schema: {
      ...schemaOf(listEntities, ENTITY_TAGS),
      querystring: listEntities.query,
      response: { 200: listEntities.response },
    },
    handler: (req) => req.scoped(({ db }) => entityPage(db, req.query)),
  });

  r.get(entitySummary.path, {
    config: { access: 'data.read' },
    schema: {
      ...schemaOf(entitySummary, ENTITY_TAGS),
      querystring: entitySummary.query,
      response: { 200: entitySummary.response },
    },
    handler: (req) => req.scoped(({ db }) => entitySummaryOf(db, req.query.under)),
  });

  r.get(exportEntities.path, {
    config: { access: 'data.read' },
    schema: { tags: ENTITY_TAGS, summary: exportEntities.summary, querystring: exportEntities.query },
    handler: async (req, reply) => {
      const reveal = req.query.reveal === 'true';
      if (reveal && !req.user!.permissions.has('personal.reveal')) throw forbidden('您没有查看完整个人信息的权限');
      const rows = await req.scoped(({ db }) => entityExportRows(db, req.query));
      // Each full ID number the file would carry is a reveal, counted as the one-by-one reveal is
      // (round-17 probe): past the account's budget, 429 before anything is written out.
      // The read, the spending and the audit are three steps, not one transaction: the reveal counter
      // is kept on the server's own connection, and on PGlite (one connection) waiting for it inside
      // the scoped read's transaction would wait for ever.
      const people = reveal ? rows.filter((e) => e.rep_id_enc).length : 0;
      if (people) await spendReveal(req, people);
      await req.scoped(async ({ audit }) =>
        audit({
          action: 'entity.export',
          objectType: 'entity',
          detail: { filters: req.query, rows: rows.length, revealed: reveal },
        }),
      );
      // The code with its name, as the registry extracts write it (F 批发和零售业, 52 零售业): a letter alone says nothing to a reader.
      const sectionText = (code: string | null) =>
        code ? `${code} ${SECTIONS.find((x) => x.code === code)?.label ?? ''}`.trim() : '';
      const divisionText = (code: string | null) => (code ? `${code} ${DIVISIONS[code] ?? ''}`.trim() : '');
      const idText = (enc: string | null) =>
        enc ? (reveal ? decryptField(keys, enc) : maskIdNumber(decryptField(keys, enc))) : '';
      return sendXlsx(
        reply,
        `市场主体台账-${today()}.xlsx`,
        '市场主体',
        [
          { header: '统一社会信用代码', width: 22, value: (e) => e.uscc },
          { header: '注册号', width: 18, value: (e) => e.reg_no },
          { header: '名称', width: 36, value: (e) => e.name },
          { header: '主体类型', width: 14, value: (e) => ENTITY_KIND_LABEL[e.kind] },
          { header: '登记状态', width: 10, value: (e) => ENTITY_STATUS_LABEL[e.status] },
          { header: '成立日期', width: 12, value: (e) => e.registered_on },
          { header: '新设（12 个月内）', width: 10, value: (e) => (e.is_new ? '是' : '') },
          { header: '县区', width: 10, value: (e) => e.county_name },
          { header: '基层所', width: 18, value: (e) => e.station_name },
          { header: '行业门类', width: 24, value: (e) => sectionText(e.industry_section) },
          { header: '行业大类', width: 24, value: (e) => divisionText(e.industry_division) },
          { header: '从业人数', width: 10, value: (e) => e.employees },
          { header: '法定代表人/经营者', width: 12, value: (e) => e.legal_rep },
          { header: '身份证号', width: 22, value: (e) => idText(e.rep_id_enc) },
          { header: '最近年报年度', width: 10, value: (e) => e.report_year },
          { header: '年报党员人数', width: 10, value: (e) => e.party_members },
          {
            header: '年报党组织',
            width: 10,
            value: (e) => (e.party_org_form === null ? '' : ORG_FORM[e.party_org_form]),
          },
        ],
        rows,
      );
    },
  });

  r.get(getEntity.path, {
    config: { access: 'data.read' },
    schema: {
      ...schemaOf(getEntity, ENTITY_TAGS),
      params: getEntity.params,
      querystring: getEntity.query,
      response: { 200: getEntity.response },
    },
    handler: (req) => req.scoped(({ db }) => entityDetail(db, keys, req.params.id, req.query.asOf)),
  });

  r.post(revealEntityPerson.path, {
    config: { access: 'personal.reveal' },
    schema: {
      ...schemaOf(revealEntityPerson, ENTITY_TAGS),
      params: revealEntityPerson.params,
      response: { 200: revealEntityPerson.response },
    },
    handler: (req) => req.scoped((sc) => revealPerson(sc, keys, req.params.id, req.params.roleId)),
  });

  r.post(addEntityPerson.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(addEntityPerson, ENTITY_TAGS),
      params: addEntityPerson.params,
      body: addEntityPerson.body,
      response: { 201: addEntityPerson.response },
    },
    handler: async (req, reply) => {
      const out = await req.scoped((sc) => addPersonToEntity(sc, keys, req.params.id, req.body));
      reply.code(201);
      return out;
    },
  });

  r.delete(removeEntityPerson.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(removeEntityPerson, ENTITY_TAGS),
      params: removeEntityPerson.params,
      response: { 204: removeEntityPerson.response },
    },
    handler: async (req, reply) => {
      await req.scoped((sc) => removePersonFromEntity(sc, req.params.id, req.params.roleId));
      reply.code(204);
      return null;
    },
  });

  r.patch(updateEntity.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(updateEntity, ENTITY_TAGS),
      params: updateEntity.params,
      body: updateEntity.body,
      response: { 200: updateEntity.response },
    },
    handler: (req) => req.scoped((sc) => updateEntityRecord(sc, req.params.id, req.body)),
  });
}
