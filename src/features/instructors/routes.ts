import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { decryptField } from '../../crypto/field.js';
import { maskIdNumber } from '../../domain/identifiers/id-number.js';
import { TARGET_LABEL } from '../../domain/instructors/instructors.js';
import { sendXlsx } from '../../http/xlsx.js';
import { today } from '../../domain/time/zone.js';
import { nodeInScope } from '../../db/subtree.js';
import { instructorDetail, instructorExportRows, instructorPage, instructorPerson, loadInstructor } from './queries.js';
import { addAssignment, addInstructor, changeInstructor, endInstructorAssignment } from './writes.js';
import { myInstructorRoutes } from './mine.js';
import { figuresWithChildren } from '../indicators/index.js';
import { SOURCES as INDICATOR_SOURCES } from '../indicators/index.js';
import type { Counts } from '../../domain/indicators/registry.js';
import { schemaOf } from '../../http/contract.js';
import {
  assignInstructor,
  createInstructor,
  endAssignment,
  exportInstructors,
  getInstructor,
  instructorFigures,
  listInstructors,
  revealInstructor,
  updateInstructor,
} from './contract.js';

/** The党建工作指导员 roster, their assignments (work coverage) and the figures by area. */
export async function instructorRoutes(app: FastifyInstance): Promise<void> {
  await app.register(myInstructorRoutes);
  const r = app.withTypeProvider<ZodTypeProvider>();
  const keys = app.ctx.keys;

  r.get(listInstructors.path, {
    config: { access: 'data.read' },
    schema: {
      ...schemaOf(listInstructors, ['党建指导员']),
      querystring: listInstructors.query,
      response: { 200: listInstructors.response },
    },
    handler: (req) => req.scoped(({ db }) => instructorPage(db, keys, req.query)),
  });

  r.get(exportInstructors.path, {
    config: { access: 'data.read' },
    schema: {
      tags: ['党建指导员'],
      summary: '导出指导员名册（xlsx，个人信息脱敏，导出留痕）',
      querystring: exportInstructors.query,
    },
    handler: async (req, reply) => {
      const { rows, assignments } = await req.scoped(async ({ db, audit }) => {
        const out = await instructorExportRows(db, keys, req.query);
        audit({
          action: 'instructor.export',
          objectType: 'instructor',
          detail: { filters: req.query, rows: out.rows.length, assignments: out.assignments.length },
        });
        return out;
      });
      const nameOf = new Map(rows.map((i) => [i.id, i.name]));
      return sendXlsx(
        reply,
        `党建工作指导员-${today()}.xlsx`,
        '指导员',
        [
          { header: '姓名', width: 10, value: (i) => i.name },
          { header: '身份证号', width: 22, value: (i) => i.idNumber },
          { header: '手机号', width: 14, value: (i) => i.phone },
          { header: '来源', width: 16, value: (i) => i.sourceLabel },
          { header: '县区', width: 10, value: (i) => i.countyName },
          { header: '所在基层所', width: 16, value: (i) => i.stationName },
          { header: '工作单位', width: 24, value: (i) => i.workplace },
          { header: '状态', width: 8, value: (i) => i.statusLabel },
          { header: '在指派数', width: 10, value: (i) => i.assignments },
          { header: '覆盖主体数', width: 10, value: (i) => i.reached },
          { header: '最近指导', width: 12, value: (i) => i.lastGuidance },
        ],
        rows,
        [
          {
            name: '指派',
            headers: ['指导员', '对象类型', '对象', '指派日期', '结束日期', '结束原因', '覆盖主体数'],
            rows: assignments.map((a) => [
              nameOf.get(a.instructor_id) ?? '',
              TARGET_LABEL[a.target],
              a.target_name,
              a.start_on,
              a.end_on,
              a.end_reason,
              a.reached,
            ]),
          },
        ],
      );
    },
  });

  r.get(instructorFigures.path, {
    config: { access: 'data.read' },
    schema: {
      ...schemaOf(instructorFigures, ['党建指导员']),
      querystring: instructorFigures.query,
      response: { 200: instructorFigures.response },
    },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const node = await nodeInScope(db, req.user!, req.query.under);
        // The dashboard's indicators (one definition): the instructors' source and the coverage tallies that hold the entities reached.
        const { total, children } = await figuresWithChildren(db, node, [
          ...INDICATOR_SOURCES.instructors,
          ...INDICATOR_SOURCES.coverage,
        ]);
        const pick = (c: Counts) => ({
          instructors: c.instructorsActive,
          assignments: c.assignmentsInForce,
          reached: c.entitiesReached,
          guidance: c.guidanceThisYear,
        });
        return {
          node: { code: node.code, name: node.name, level: node.level },
          total: pick(total),
          children: children.map((c) => ({ code: c.code, name: c.name, level: c.level, ...pick(c.counts) })),
        };
      }),
  });

  r.post(createInstructor.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(createInstructor, ['党建指导员']),
      body: createInstructor.body,
      response: { 201: createInstructor.response },
    },
    handler: async (req, reply) => {
      const b = req.body;
      const id = await req.scoped(async ({ db, audit }) => {
        const id = await addInstructor(db, keys, b);
        audit({
          action: 'instructor.create',
          objectType: 'instructor',
          objectId: id,
          detail: {
            source: b.source,
            place: b.placeCode,
            idNumber: b.idNumber ? maskIdNumber(b.idNumber.value) : null,
          },
        });
        return id;
      });
      return reply.code(201).send({ id });
    },
  });

  r.get(getInstructor.path, {
    config: { access: 'data.read' },
    schema: {
      ...schemaOf(getInstructor, ['党建指导员']),
      params: getInstructor.params,
      response: { 200: getInstructor.response },
    },
    handler: (req) => req.scoped(({ db }) => instructorDetail(db, keys, req.params.id)),
  });

  r.patch(updateInstructor.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(updateInstructor, ['党建指导员']),
      params: updateInstructor.params,
      body: updateInstructor.body,
      response: { 200: updateInstructor.response },
    },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const { before, after, ended } = await changeInstructor(db, req.params.id, req.body);
        audit({
          action: 'instructor.update',
          objectType: 'instructor',
          objectId: before.id,
          detail: {
            before: { status: before.status, source: before.source, scope: before.scope_key },
            after: { status: after.status, source: after.source, scope: after.scope_key },
            endedAssignments: ended,
          },
        });
        return { id: after.id, status: after.status, endedAssignments: ended };
      }),
  });

  r.post(revealInstructor.path, {
    config: { access: 'personal.reveal' },
    schema: {
      ...schemaOf(revealInstructor, ['党建指导员']),
      params: revealInstructor.params,
      response: { 200: revealInstructor.response },
    },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const row = await loadInstructor(db, req.params.id);
        const p = await instructorPerson(db, row.person_id);
        audit({
          action: 'personal.reveal',
          objectType: 'person',
          objectId: p.id,
          detail: { instructorId: row.id, fields: ['id_number', 'phone'] },
        });
        return {
          idNumber: p.id_enc ? decryptField(keys, p.id_enc) : null,
          phone: p.phone_enc ? decryptField(keys, p.phone_enc) : null,
        };
      }),
  });

  r.post(assignInstructor.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(assignInstructor, ['党建指导员']),
      params: assignInstructor.params,
      body: assignInstructor.body,
      response: { 201: assignInstructor.response },
    },
    handler: (req, reply) =>
      req.scoped(async ({ db, audit }) => {
        const b = req.body;
        const { id, instructorId, targetId, startOn, reached, tasksDone } = await addAssignment(
          db,
          req.params.id,
          b,
          req.user!.scopeKey,
        );
        audit({
          action: 'instructor.assign',
          objectType: 'instructor',
          objectId: instructorId,
          detail: { assignmentId: id, target: b.target, targetId, startOn, reached: reached.length, tasksDone },
        });
        reply.code(201);
        return { id, reached: new Set(reached).size, tasksDone };
      }),
  });

  r.post(endAssignment.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(endAssignment, ['党建指导员']),
      params: endAssignment.params,
      body: endAssignment.body,
      response: { 200: endAssignment.response },
    },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const a = await endInstructorAssignment(db, req.params.id, req.params.key, req.body);
        audit({
          action: 'instructor.unassign',
          objectType: 'instructor',
          objectId: a.instructorId,
          detail: { assignmentId: a.id, endOn: a.endOn, reason: req.body.reason },
        });
        return { id: a.id, endOn: a.endOn };
      }),
  });
}
