import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import { POINT_LEVEL_LABEL, mayDesignate, type PointLevel } from '../../domain/recognition/points.js';
import { forbidden } from '../../http/errors.js';
import type { Column } from '../../http/xlsx.js';
import { areaNode, ownNode, refusal } from './shared.js';
import { schemaOf } from '../../http/contract.js';
import {
  designatePoint,
  exportPoints,
  getPoint,
  listPoints,
  pointCounts,
  reviewPoint,
  updatePoint,
} from './contract.js';
import {
  loadPoint,
  pointCountsUnder,
  pointDetail,
  pointsForExport,
  pointsPage,
  type PointItem,
} from './point-queries.js';
import { addPoint, addPointReview, changePoint } from './point-writes.js';
import { listExportRoute } from '../../http/export-route.js';

type Tx = Transaction<DB>;
const tags = ['联系点示范点'];

/** The caller's bureau must be at the point's level or above (a county bureau names county points). */
async function mustDesignate(db: Tx, userCode: string, level: PointLevel) {
  const me = await ownNode(db, userCode);
  if (!mayDesignate(me.level, level))
    throw forbidden(
      `${POINT_LEVEL_LABEL[level]}的联系点、示范点由${POINT_LEVEL_LABEL[level].replace('级', '')}级或以上市场监管部门命名和复核`,
    );
}

const EXPORT_COLUMNS: Column<PointItem>[] = [
  { header: '类别', width: 8, value: (p) => p.kindLabel },
  { header: '级别', width: 8, value: (p) => p.levelLabel },
  { header: '对象类型', width: 12, value: (p) => p.subjectTypeLabel },
  { header: '对象名称', width: 36, value: (p) => p.subjectName },
  { header: '命名日期', width: 12, value: (p) => p.designatedOn },
  { header: '负责人', width: 16, value: (p) => p.responsible },
  { header: '具备条件数', width: 10, value: (p) => p.criteriaCount },
  { header: '佐证材料说明', width: 40, value: (p) => p.evidence },
  { header: '状态', width: 8, value: (p) => p.statusLabel },
  { header: '最近复核年度', width: 12, value: (p) => p.lastReviewYear },
  { header: '撤销原因', width: 30, value: (p) => p.revokeReason },
];

/** Contact and demonstration points: designations, yearly reviews, counts by level and area. */
export async function pointRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(listPoints.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(listPoints, tags), querystring: listPoints.query, response: { 200: listPoints.response } },
    handler: (req) => req.scoped(({ db }) => pointsPage(db, req.query)),
  });

  listExportRoute(app, {
    ...exportPoints,
    tags: tags,
    summary: '导出联系点、示范点台账（xlsx，导出留痕）',
    action: 'point.export',
    objectType: 'recognition_point',
    read: pointsForExport,
    file: '联系点示范点',
    sheet: '联系点示范点',
    columns: EXPORT_COLUMNS,
  });

  r.get(pointCounts.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(pointCounts, tags), querystring: pointCounts.query, response: { 200: pointCounts.response } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const node = await areaNode(db, req.query.under ?? req.user!.jurisdictionCode);
        return pointCountsUnder(db, node);
      }),
  });

  r.post(designatePoint.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(designatePoint, tags),
      body: designatePoint.body,
      response: { 201: designatePoint.response },
    },
    handler: async (req, reply) => {
      const b = req.body;
      const id = await req.scoped(async ({ db, audit }) => {
        await mustDesignate(db, req.user!.jurisdictionCode, b.level);
        const id = await addPoint(db, b);
        audit({
          action: 'point.create',
          objectType: 'recognition_point',
          objectId: id,
          detail: { kind: b.kind, level: b.level, subjectType: b.subjectType, subjectId: b.subjectId },
        });
        return id;
      });
      return reply.code(201).send({ id });
    },
  });

  r.get(getPoint.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(getPoint, tags), params: getPoint.params, response: { 200: getPoint.response } },
    handler: (req) => req.scoped(({ db }) => pointDetail(db, req.params.id)),
  });

  r.patch(updatePoint.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(updatePoint, tags),
      params: updatePoint.params,
      body: updatePoint.body,
      response: { 200: updatePoint.response },
    },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const b = req.body;
        const before = await loadPoint(db, req.params.id);
        if (before.status === 'revoked') throw refusal({ status: 409, reason: '该点已撤销，不能修改' });
        await mustDesignate(db, req.user!.jurisdictionCode, before.level);
        const { name, criteria } = await changePoint(db, before, b);
        audit({
          action: 'point.update',
          objectType: 'recognition_point',
          objectId: before.id,
          detail: {
            before: { responsibleName: before.responsible_name, criteria: before.criteria },
            after: { responsibleName: name, criteria },
          },
        });
        return { id: before.id };
      }),
  });

  r.post(reviewPoint.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(reviewPoint, tags),
      params: reviewPoint.params,
      body: reviewPoint.body,
      response: { 201: reviewPoint.response },
    },
    handler: async (req, reply) => {
      const b = req.body;
      const id = await req.scoped(async ({ db, audit }) => {
        const p = await loadPoint(db, req.params.id);
        await mustDesignate(db, req.user!.jurisdictionCode, p.level);
        const id = await addPointReview(db, p, b, req.user!.id);
        audit({
          action: 'point.review',
          objectType: 'recognition_point',
          objectId: p.id,
          detail: { year: b.year, outcome: b.outcome, reason: b.reason ?? null },
        });
        return id;
      });
      return reply.code(201).send({ id });
    },
  });
}
