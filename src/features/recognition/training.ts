import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { atOrAbove } from '../../domain/recognition/points.js';
import { CLASS_LEVEL_LABEL } from '../../domain/recognition/training.js';
import { forbidden } from '../../http/errors.js';
import { areaNode, endsBeforeStart, ownNode, refusal, today } from './shared.js';
import {
  classDetail,
  classesForExport,
  classesPage,
  loadClass,
  secretariesForExport,
  secretariesPage,
  trainingIndicatorUnder,
} from './training-queries.js';
import {
  addTrainingClass,
  changeTrainingClass,
  dropTrainee,
  enrolTrainees,
  markAttendance,
} from './training-writes.js';
import { schemaOf } from '../../http/contract.js';
import {
  addTrainees,
  createTraining,
  getTraining,
  listSecretaries,
  listTrainings,
  removeTrainee,
  secretaryFilters,
  trainingFilters,
  trainingIndicator,
  updateTrainee,
  updateTraining,
} from './contract.js';
import { listExportRoute } from '../../http/export-route.js';

const tags = ['书记培训'];

/** Trainees and attendance are kept by the organizer's subtree. */
function mustOwn(c: { scope_key: string }, scopeKey: string) {
  if (!c.scope_key.startsWith(scopeKey)) throw forbidden('上级举办的培训班由举办单位登记学员和考勤');
}

/** Secretary training (党组织书记培训): classes, trainees, attendance and completion, and the indicator by area. */
export async function trainingRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(listTrainings.path, {
    config: { access: 'data.read' },
    schema: {
      ...schemaOf(listTrainings, tags),
      querystring: listTrainings.query,
      response: { 200: listTrainings.response },
    },
    handler: (req) => req.scoped(({ db }) => classesPage(db, req.user!.scopeKey, req.query)),
  });

  listExportRoute(app, {
    path: '/trainings/export',
    query: z.strictObject(trainingFilters),
    tags,
    summary: '导出书记培训班（xlsx，导出留痕）',
    action: 'training.export',
    objectType: 'training_class',
    read: (db, q, req) => classesForExport(db, req.user!.scopeKey, q),
    file: '书记培训班',
    sheet: '书记培训班',
    columns: [
      { header: '名称', width: 30, value: (c) => c.name },
      { header: '级别', width: 10, value: (c) => c.levelLabel },
      { header: '开始日期', width: 12, value: (c) => c.startsOn },
      { header: '结束日期', width: 12, value: (c) => c.endsOn },
      { header: '地点', width: 20, value: (c) => c.place },
      { header: '举办单位', width: 16, value: (c) => c.organizer },
      { header: '学员数', width: 8, value: (c) => c.trainees },
      { header: '出勤', width: 8, value: (c) => c.attended },
      { header: '结业', width: 8, value: (c) => c.completed },
    ],
  });

  r.get(trainingIndicator.path, {
    config: { access: 'data.read' },
    schema: {
      ...schemaOf(trainingIndicator, tags),
      querystring: trainingIndicator.query,
      response: { 200: trainingIndicator.response },
    },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const asOf = req.query.asOf ?? today();
        const node = await areaNode(db, req.query.under ?? req.user!.jurisdictionCode);
        return trainingIndicatorUnder(db, node, asOf);
      }),
  });

  r.get(listSecretaries.path, {
    config: { access: 'data.read' },
    schema: {
      ...schemaOf(listSecretaries, tags),
      querystring: listSecretaries.query,
      response: { 200: listSecretaries.response },
    },
    handler: (req) => req.scoped(({ db }) => secretariesPage(db, req.user!.scopeKey, req.query)),
  });

  listExportRoute(app, {
    path: '/trainings/secretaries/export',
    query: z.strictObject(secretaryFilters),
    tags,
    summary: '导出在任书记培训情况（xlsx，导出留痕）',
    action: 'training.secretaries_export',
    objectType: 'training_class',
    read: (db, q, req) => secretariesForExport(db, req.user!.scopeKey, q),
    file: '书记培训情况',
    sheet: '书记培训情况',
    columns: [
      { header: '书记', width: 10, value: (s) => s.name },
      { header: '党组织', width: 30, value: (s) => s.orgName },
      { header: '县区 / 基层所', width: 20, value: (s) => s.place },
      { header: '组织成立日期', width: 12, value: (s) => s.foundedOn },
      { header: '任职日期', width: 12, value: (s) => s.termStart },
      { header: '培训期限', width: 12, value: (s) => s.windowEnd },
      { header: '结业日期', width: 12, value: (s) => s.trainedOn },
      { header: '培训情况', width: 16, value: (s) => s.statusLabel },
    ],
  });

  r.post(createTraining.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(createTraining, tags),
      body: createTraining.body,
      response: { 201: createTraining.response },
    },
    handler: async (req, reply) => {
      const b = req.body;
      if (b.endsOn < b.startsOn) throw endsBeforeStart();
      const id = await req.scoped(async ({ db, audit }) => {
        const me = await ownNode(db, req.user!.jurisdictionCode);
        if (!atOrAbove(me.level, b.level))
          throw refusal({ status: 422, field: 'level', reason: `本级不能举办${CLASS_LEVEL_LABEL[b.level]}培训班` });
        const id = await addTrainingClass(db, me, b);
        audit({
          action: 'training.create',
          objectType: 'training_class',
          objectId: id,
          detail: { name: b.name, level: b.level, startsOn: b.startsOn, endsOn: b.endsOn },
        });
        return id;
      });
      return reply.code(201).send({ id });
    },
  });

  r.get(getTraining.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(getTraining, tags), params: getTraining.params, response: { 200: getTraining.response } },
    handler: (req) => req.scoped(({ db }) => classDetail(db, req.user!.scopeKey, req.params.id)),
  });

  r.patch(updateTraining.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(updateTraining, tags),
      params: updateTraining.params,
      body: updateTraining.body,
      response: { 200: updateTraining.response },
    },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const c = await loadClass(db, req.params.id);
        mustOwn(c, req.user!.scopeKey);
        const after = await changeTrainingClass(db, c, req.body);
        audit({
          action: 'training.update',
          objectType: 'training_class',
          objectId: c.id,
          detail: {
            before: { name: c.name, startsOn: c.starts_on, endsOn: c.ends_on },
            after: { name: after.name, startsOn: after.starts_on, endsOn: after.ends_on },
          },
        });
        return { id: c.id };
      }),
  });

  r.post(addTrainees.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(addTrainees, tags),
      params: addTrainees.params,
      body: addTrainees.body,
      response: { 200: addTrainees.response },
    },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const c = await loadClass(db, req.params.id);
        mustOwn(c, req.user!.scopeKey);
        const { ids, added } = await enrolTrainees(db, c, req.body.officerIds);
        audit({
          action: 'training.trainee_add',
          objectType: 'training_class',
          objectId: c.id,
          detail: { officerIds: ids, added },
        });
        return { added };
      }),
  });

  r.patch(updateTrainee.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(updateTrainee, tags),
      params: updateTrainee.params,
      body: updateTrainee.body,
      response: { 200: updateTrainee.response },
    },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const c = await loadClass(db, req.params.id);
        mustOwn(c, req.user!.scopeKey);
        const { before: t, attended, completed } = await markAttendance(db, c, req.params.key, req.body);
        audit({
          action: 'training.attendance',
          objectType: 'training_class',
          objectId: c.id,
          detail: {
            traineeId: t.id,
            before: { attended: t.attended, completed: t.completed },
            after: { attended, completed },
          },
        });
        return { id: t.id, attended, completed };
      }),
  });

  r.delete(removeTrainee.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(removeTrainee, tags), params: removeTrainee.params },
    handler: async (req, reply) => {
      await req.scoped(async ({ db, audit }) => {
        const c = await loadClass(db, req.params.id);
        mustOwn(c, req.user!.scopeKey);
        await dropTrainee(db, c.id, req.params.key);
        audit({
          action: 'training.trainee_remove',
          objectType: 'training_class',
          objectId: c.id,
          detail: { traineeId: req.params.key },
        });
      });
      return reply.code(204).send();
    },
  });
}
