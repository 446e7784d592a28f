import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { HONOUR_ACTION_LABEL, HONOUR_STATE_LABEL } from '../../domain/recognition/honours.js';
import type { Column } from '../../http/xlsx.js';
import { areaNode } from './shared.js';
import { schemaOf } from '../../http/contract.js';
import {
  actOnHonour,
  exportHonours,
  getHonour,
  honourCounts,
  listHonours,
  listViolations,
  nominateHonour,
  recordViolation,
} from './contract.js';
import {
  honourCountsUnder,
  honourDetail,
  honoursForExport,
  honoursPage,
  loadHonour,
  violationsOf,
  type HonourItem,
} from './honour-queries.js';
import { addNomination, addViolation, applyHonourAction } from './honour-writes.js';
import { levelOfScopeKey } from '../../domain/jurisdiction/codes.js';
import { listExportRoute } from '../../http/export-route.js';

const tags = ['荣誉'];

const EXPORT_COLUMNS: Column<HonourItem>[] = [
  { header: '荣誉类型', width: 14, value: (h) => h.kindLabel },
  { header: '获评对象', width: 36, value: (h) => h.subjectName },
  { header: '状态', width: 10, value: (h) => h.stateLabel },
  { header: '提名日期', width: 12, value: (h) => h.nominatedOn },
  { header: '级别', width: 8, value: (h) => h.levelLabel },
  { header: '年度', width: 8, value: (h) => h.year },
  { header: '授予日期', width: 12, value: (h) => h.awardedOn },
  { header: '待复核', width: 8, value: (h) => (h.flagged ? '是' : '') },
  { header: '复核原因', width: 30, value: (h) => h.flagReason },
  { header: '撤销日期', width: 12, value: (h) => h.revokedOn },
  { header: '撤销理由', width: 30, value: (h) => h.revokeReason },
];

/** The level an honour's actor acts at: its account's node. */
const actorLevel = (req: FastifyRequest) => levelOfScopeKey(req.user!.scopeKey);
/** The level a reader could act at, or null for an account that only reads (it is offered no move). */
const readerLevel = (req: FastifyRequest) => (req.user!.permissions.has('data.write') ? actorLevel(req) : null);

/** Honours: nomination → review → award → revoke, flagged for review when the entity's standing turns bad; serious violations staff record. */
export async function honourRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(listHonours.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(listHonours, tags), querystring: listHonours.query, response: { 200: listHonours.response } },
    handler: (req) => req.scoped(({ db }) => honoursPage(db, req.query, readerLevel(req))),
  });

  listExportRoute(app, {
    ...exportHonours,
    tags: tags,
    action: 'honour.export',
    objectType: 'honour',
    read: (db, q, req) => honoursForExport(db, q, readerLevel(req)),
    file: '荣誉台账',
    sheet: '荣誉',
    columns: EXPORT_COLUMNS,
  });

  r.get(honourCounts.path, {
    config: { access: 'data.read' },
    schema: {
      ...schemaOf(honourCounts, tags),
      querystring: honourCounts.query,
      response: { 200: honourCounts.response },
    },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const node = await areaNode(db, req.query.under ?? req.user!.jurisdictionCode);
        return honourCountsUnder(db, node, req.query.year);
      }),
  });

  r.post(nominateHonour.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(nominateHonour, tags),
      body: nominateHonour.body,
      response: { 201: nominateHonour.response },
    },
    handler: async (req, reply) => {
      const b = req.body;
      const id = await req.scoped(async ({ db, audit }) => {
        const { id, subject: s } = await addNomination(db, b);
        audit({
          action: 'honour.nominate',
          objectType: 'honour',
          objectId: id,
          detail: { kind: b.kind, entityId: s.entity_id, zoneId: s.zone_id, memberId: s.member_id },
        });
        return id;
      });
      return reply.code(201).send({ id });
    },
  });

  r.get(getHonour.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(getHonour, tags), params: getHonour.params, response: { 200: getHonour.response } },
    handler: (req) => req.scoped(({ db }) => honourDetail(db, req.params.id, readerLevel(req))),
  });

  r.post(actOnHonour.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(actOnHonour, tags),
      params: actOnHonour.params,
      body: actOnHonour.body,
      response: { 200: actOnHonour.response },
    },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const b = req.body;
        const h = await loadHonour(db, req.params.id);
        const to = await applyHonourAction(db, h, b, actorLevel(req));
        audit({
          action: `honour.${b.action}`,
          objectType: 'honour',
          objectId: h.id,
          detail: {
            from: h.state,
            to,
            reason: b.reason ?? null,
            level: b.level ?? null,
            year: b.year ?? null,
            flagReason: h.flag_reason,
          },
        });
        return { id: h.id, state: to, stateLabel: HONOUR_STATE_LABEL[to], action: HONOUR_ACTION_LABEL[b.action] };
      }),
  });

  r.get(listViolations.path, {
    config: { access: 'data.read' },
    schema: {
      ...schemaOf(listViolations, tags),
      params: listViolations.params,
      response: { 200: listViolations.response },
    },
    handler: (req) => req.scoped(({ db }) => violationsOf(db, req.params.id)),
  });

  r.post(recordViolation.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(recordViolation, tags),
      params: recordViolation.params,
      body: recordViolation.body,
      response: { 201: recordViolation.response },
    },
    handler: async (req, reply) => {
      const b = req.body;
      const out = await req.scoped(async ({ db, audit }) => {
        const v = await addViolation(db, req.params.id, b, req.user!.id);
        audit({
          action: 'entity.violation_add',
          objectType: 'entity',
          objectId: v.entityId,
          detail: { violationId: v.id, occurredOn: b.occurredOn, flaggedHonours: v.flaggedHonours },
        });
        return { id: v.id, flaggedHonours: v.flaggedHonours };
      });
      return reply.code(201).send(out);
    },
  });
}
