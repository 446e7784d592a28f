import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import { decryptField } from '../../crypto/field.js';
import { maskIdNumber, maskPhone } from '../../domain/identifiers/id-number.js';
import {
  INSTRUCTOR_STATUS_LABEL, SOURCE_LABEL, TARGET_LABEL, assignmentRefusal, endRefusal, type AssignmentTarget, type InstructorSource,
} from '../../domain/instructors/instructors.js';
import { badRequest, notFound } from '../../http/errors.js';
import { containing, pageFrom, underNode } from '../../http/paging.js';
import { sendXlsx } from '../../http/xlsx.js';
import { today } from '../../domain/time/zone.js';
import { insertUnidentified, upsertIdentified } from '../persons/index.js';
import { orgPlace } from '../orgs/index.js';
import { nodeInScope } from '../../db/subtree.js';
import { myInstructorRoutes } from './mine.js';
import { figuresWithChildren } from '../indicators/index.js';
import { SOURCES as INDICATOR_SOURCES } from '../indicators/index.js';
import type { Counts } from '../../domain/indicators/registry.js';
import { schemaOf } from '../../http/contract.js';
import { assignInstructor, createInstructor, endAssignment, exportInstructors, getInstructor, instructorFigures, listInstructors, revealInstructor, updateInstructor } from './contract.js';

type Tx = Transaction<DB>;

type Filters = { under?: string; source?: string; status?: string; assigned?: string; q?: string };


function instructorList(db: Tx) {
  return db.selectFrom('instructor as i')
    .innerJoin('person as p', 'p.id', 'i.person_id')
    .innerJoin('jurisdiction as c', 'c.code', 'i.county_code')
    .leftJoin('jurisdiction as s', 's.code', 'i.station_code')
    .select(['i.id', 'p.name', 'p.id_enc', 'p.phone_enc', 'i.source', 'c.name as county_name', 'i.station_code', 's.name as station_name', 'i.workplace', 'i.status'])
    .select(sql<number>`(SELECT count(*)::int FROM instructor_assignment a WHERE a.instructor_id = i.id AND a.end_on IS NULL)`.as('assignments'))
    .select(sql<number>`(SELECT count(DISTINCT r.entity_id)::int FROM instructor_reach r JOIN instructor_assignment a ON a.id = r.assignment_id WHERE a.instructor_id = i.id)`.as('reached'))
    .select(sql<string | null>`(SELECT max(g.on_date)::text FROM guidance_record g WHERE g.instructor_id = i.id)`.as('last_guidance'));
}

async function filtered(db: Tx, f: Filters) {
  let q = instructorList(db);
  if (f.under) q = q.where(await underNode(db, 'i.scope_key', f.under));
  if (f.source) q = q.where('i.source', '=', f.source as InstructorSource);
  if (f.status) q = q.where('i.status', '=', f.status as 'active');
  if (f.assigned) q = q.where(sql<boolean>`EXISTS (SELECT 1 FROM instructor_assignment a WHERE a.instructor_id = i.id AND a.end_on IS NULL) = ${f.assigned === 'yes'}`);
  if (f.q) q = q.where('p.name', 'like', containing(f.q));
  return q;
}

type Row = Awaited<ReturnType<Awaited<ReturnType<typeof filtered>>['execute']>>[number];

export async function loadInstructor(db: Tx, id: number) {
  const row = await db.selectFrom('instructor').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('指导员');
  return row;
}

/** Assignments with the name of what they point at and how many entities they reach now. */
function assignmentRows(db: Tx) {
  return db.selectFrom('instructor_assignment as a')
    .leftJoin('entity as e', 'e.id', 'a.entity_id').leftJoin('zone as z', 'z.id', 'a.zone_id').leftJoin('party_org as o', 'o.id', 'a.org_id')
    .leftJoin('platform as pf', 'pf.id', 'a.platform_id').leftJoin('delivery_station as ds', 'ds.id', 'a.delivery_station_id')
    .select(['a.id', 'a.instructor_id', 'a.target', 'a.entity_id', 'a.zone_id', 'a.org_id', 'a.platform_id', 'a.delivery_station_id', 'a.start_on', 'a.end_on', 'a.end_reason',
      sql<string>`coalesce(e.name, z.name, o.name, pf.name, ds.name)`.as('target_name')])
    .select(sql<number>`(SELECT count(DISTINCT r.entity_id)::int FROM instructor_reach r WHERE r.assignment_id = a.id)`.as('reached'));
}

/** What an assignment points at, looked up in the caller's scope, with the scope key the assignment takes. */
async function targetOf(db: Tx, target: AssignmentTarget, id: number) {
  const table = { entity: 'entity', zone: 'zone', org: 'party_org', platform: 'platform', delivery_station: 'delivery_station' } as const;
  const row = await db.selectFrom(table[target]).select(['id', 'name', 'scope_key']).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound(TARGET_LABEL[target]);
  return row;
}

/** The党建工作指导员 roster, their assignments (work coverage) and the figures by area. */
export async function instructorRoutes(app: FastifyInstance): Promise<void> {
  await app.register(myInstructorRoutes);
  const r = app.withTypeProvider<ZodTypeProvider>();
  const keys = app.ctx.keys;
  const masked = (enc: string | null, mask: (v: string) => string) => (enc ? mask(decryptField(keys, enc)) : null);
  const toItem = (i: Row) => ({
    id: i.id, name: i.name, idNumber: masked(i.id_enc, maskIdNumber), phone: masked(i.phone_enc, maskPhone), source: i.source, sourceLabel: SOURCE_LABEL[i.source],
    countyName: i.county_name, stationCode: i.station_code, stationName: i.station_name, workplace: i.workplace, status: i.status, statusLabel: INSTRUCTOR_STATUS_LABEL[i.status],
    assignments: i.assignments, reached: i.reached, lastGuidance: i.last_guidance,
  });

  r.get(listInstructors.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(listInstructors, ['党建指导员']), querystring: listInstructors.query, response: { 200: listInstructors.response } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const q = await filtered(db, req.query);
        return pageFrom(q, req.query, (q) => q.orderBy('i.county_code').orderBy('p.name').orderBy('i.id'), toItem);
      }),
  });

  r.get(exportInstructors.path, {
    config: { access: 'data.read' },
    schema: { tags: ['党建指导员'], summary: '导出指导员名册（xlsx，个人信息脱敏，导出留痕）', querystring: exportInstructors.query },
    handler: async (req, reply) => {
      const { rows, assignments } = await req.scoped(async ({ db, audit }) => {
        const rows = await (await filtered(db, req.query)).orderBy('i.county_code').orderBy('p.name').limit(100_000).execute();
        // The assignments of the instructors listed, as a second sheet: who covers what, since when, until when.
        const ids = rows.map((i) => i.id);
        const assignments = ids.length ? await assignmentRows(db).where('a.instructor_id', 'in', ids).orderBy('a.instructor_id').orderBy('a.start_on').execute() : [];
        audit({ action: 'instructor.export', objectType: 'instructor', detail: { filters: req.query, rows: rows.length, assignments: assignments.length } });
        return { rows: rows.map(toItem), assignments };
      });
      const nameOf = new Map(rows.map((i) => [i.id, i.name]));
      return sendXlsx(reply, `党建工作指导员-${today()}.xlsx`, '指导员', [
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
      ], rows, [{
        name: '指派',
        headers: ['指导员', '对象类型', '对象', '指派日期', '结束日期', '结束原因', '覆盖主体数'],
        rows: assignments.map((a) => [nameOf.get(a.instructor_id) ?? '', TARGET_LABEL[a.target], a.target_name, a.start_on, a.end_on, a.end_reason, a.reached]),
      }]);
    },
  });

  r.get(instructorFigures.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(instructorFigures, ['党建指导员']), querystring: instructorFigures.query, response: { 200: instructorFigures.response } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const node = await nodeInScope(db, req.user!, req.query.under);
        // The dashboard's indicators (one definition): the instructors' source and the coverage tallies that hold the entities reached.
        const { total, children } = await figuresWithChildren(db, node, [...INDICATOR_SOURCES.instructors, ...INDICATOR_SOURCES.coverage]);
        const pick = (c: Counts) => ({ instructors: c.instructorsActive, assignments: c.assignmentsInForce, reached: c.entitiesReached, guidance: c.guidanceThisYear });
        return { node: { code: node.code, name: node.name, level: node.level }, total: pick(total), children: children.map((c) => ({ code: c.code, name: c.name, level: c.level, ...pick(c.counts) })) };
      }),
  });

  r.post(createInstructor.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(createInstructor, ['党建指导员']), body: createInstructor.body, response: { 201: createInstructor.response } },
    handler: async (req, reply) => {
      const b = req.body;
      const id = await req.scoped(async ({ db, audit }) => {
        const place = await orgPlace(db, b.placeCode);
        const personId = b.idNumber
          ? (await upsertIdentified(db, keys, [{ idNumber: b.idNumber.value, birthDate: b.idNumber.birthDate, sex: b.idNumber.sex, name: b.name, phone: b.phone }])).get(b.idNumber.value)!
          : (await insertUnidentified(db, keys, [{ name: b.name, phone: b.phone }]))[0];
        const row = await db.insertInto('instructor').values({ person_id: personId, source: b.source, workplace: b.workplace ?? null, note: b.note ?? null, ...place }).returning('id').executeTakeFirstOrThrow();
        audit({ action: 'instructor.create', objectType: 'instructor', objectId: row.id, detail: { source: b.source, place: b.placeCode, idNumber: b.idNumber ? maskIdNumber(b.idNumber.value) : null } });
        return row.id;
      });
      return reply.code(201).send({ id });
    },
  });

  r.get(getInstructor.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(getInstructor, ['党建指导员']), params: getInstructor.params, response: { 200: getInstructor.response } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const row = await loadInstructor(db, req.params.id);
        const [item] = (await instructorList(db).where('i.id', '=', row.id).execute()).map(toItem);
        const assignments = await assignmentRows(db).where('a.instructor_id', '=', row.id).orderBy(sql`a.end_on IS NULL`, 'desc').orderBy('a.start_on', 'desc').execute();
        const guidance = await db.selectFrom('guidance_record as g').leftJoin('entity as e', 'e.id', 'g.entity_id').leftJoin('party_org as o', 'o.id', 'g.org_id')
          .select(['g.id', 'g.on_date', 'g.kind', 'g.content', 'g.follow_up', 'g.follow_up_done', 'e.name as entity_name', 'o.name as org_name'])
          .where('g.instructor_id', '=', row.id).orderBy('g.on_date', 'desc').limit(50).execute();
        const history = await db.selectFrom('ledger_history as h').leftJoin('app_user as u', 'u.id', 'h.actor_id')
          .select(['h.at', 'h.object_type', 'h.op', 'h.before', 'h.after', 'u.display_name as actor'])
          .where(sql<boolean>`(h.object_type = 'instructor' AND h.object_id = ${row.id})
            OR (h.object_type = 'instructor_assignment' AND coalesce(h.after->>'instructor_id', h.before->>'instructor_id') = ${String(row.id)})`)
          .orderBy('h.at', 'desc').limit(100).execute();
        return {
          ...item, note: row.note, placeCode: row.station_code ?? row.county_code,
          // The list beside the count of those in force (`assignments`).
          assignmentList: assignments.map((a) => ({
            id: a.id, target: a.target, targetLabel: TARGET_LABEL[a.target], targetId: (a.entity_id ?? a.zone_id ?? a.org_id ?? a.platform_id ?? a.delivery_station_id)!, targetName: a.target_name,
            startOn: a.start_on, endOn: a.end_on, endReason: a.end_reason, reached: a.reached,
          })),
          guidance: guidance.map((g) => ({ id: g.id, onDate: g.on_date, kind: g.kind, content: g.content, followUp: g.follow_up, followUpDone: g.follow_up_done, entityName: g.entity_name, orgName: g.org_name })),
          history: history.map((h) => ({ ...h, before: h.before as Record<string, unknown> | null, after: h.after as Record<string, unknown> | null, actor: h.actor ?? '系统' })),
        };
      }),
  });

  r.patch(updateInstructor.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(updateInstructor, ['党建指导员']), params: updateInstructor.params, body: updateInstructor.body, response: { 200: updateInstructor.response } },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const b = req.body;
        const before = await loadInstructor(db, req.params.id);
        const place = b.placeCode ? await orgPlace(db, b.placeCode) : {};
        const after = await db.updateTable('instructor').set({
          ...place, source: b.source ?? before.source, status: b.status ?? before.status, updated_at: new Date(),
          workplace: b.workplace === undefined ? before.workplace : b.workplace, note: b.note === undefined ? before.note : b.note,
        }).where('id', '=', before.id).returningAll().executeTakeFirstOrThrow();
        let ended = 0;
        if (after.status === 'inactive' && before.status === 'active') {
          const r = await db.updateTable('instructor_assignment').set({ end_on: sql`greatest(start_on, current_date)`, end_reason: '指导员停用' })
            .where('instructor_id', '=', before.id).where('end_on', 'is', null).executeTakeFirst();
          ended = Number(r.numUpdatedRows);
        }
        audit({ action: 'instructor.update', objectType: 'instructor', objectId: before.id, detail: { before: { status: before.status, source: before.source, scope: before.scope_key }, after: { status: after.status, source: after.source, scope: after.scope_key }, endedAssignments: ended } });
        return { id: after.id, status: after.status, endedAssignments: ended };
      }),
  });

  r.post(revealInstructor.path, {
    config: { access: 'personal.reveal' },
    schema: { ...schemaOf(revealInstructor, ['党建指导员']), params: revealInstructor.params, response: { 200: revealInstructor.response } },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const row = await loadInstructor(db, req.params.id);
        const p = await db.selectFrom('person').select(['id', 'id_enc', 'phone_enc']).where('id', '=', row.person_id).executeTakeFirstOrThrow();
        audit({ action: 'personal.reveal', objectType: 'person', objectId: p.id, detail: { instructorId: row.id, fields: ['id_number', 'phone'] } });
        return { idNumber: p.id_enc ? decryptField(keys, p.id_enc) : null, phone: p.phone_enc ? decryptField(keys, p.phone_enc) : null };
      }),
  });

  r.post(assignInstructor.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(assignInstructor, ['党建指导员']), params: assignInstructor.params, body: assignInstructor.body, response: { 201: assignInstructor.response } },
    handler: (req, reply) =>
      req.scoped(async ({ db, audit }) => {
        const b = req.body;
        const instructor = await loadInstructor(db, req.params.id);
        const startOn = b.startOn ?? today();
        const refusal = assignmentRefusal({ instructorStatus: instructor.status, startOn, today: today() });
        if (refusal) throw badRequest(refusal.message, [refusal]);
        const target = await targetOf(db, b.target, b.targetId);
        // A zone hangs on its county: a station's staff read it through their entities but cannot assign to all of it.
        // A platform registered above the caller is read below it (0017) but assigned by its registering bureau.
        if (!target.scope_key.startsWith(req.user!.scopeKey)) {
          const by = b.target === 'platform' ? '登记该平台的上级单位' : '县（区）';
          throw badRequest(`${target.name}由${by}统一管理，请由${by}用户指派`, [{ field: 'targetId', message: '超出本辖区' }]);
        }
        const row = await db.insertInto('instructor_assignment').values({
          instructor_id: instructor.id, target: b.target, entity_id: b.target === 'entity' ? target.id : null, zone_id: b.target === 'zone' ? target.id : null,
          org_id: b.target === 'org' ? target.id : null, platform_id: b.target === 'platform' ? target.id : null,
          delivery_station_id: b.target === 'delivery_station' ? target.id : null, start_on: startOn, scope_key: target.scope_key,
        }).returning('id').executeTakeFirstOrThrow();
        const reached = (await db.selectFrom('instructor_reach').select('entity_id').where('assignment_id', '=', row.id).execute()).map((x) => x.entity_id);
        // The 组建建议 asked for an instructor for these entities: that task is done now.
        const done = reached.length
          ? Number((await db.updateTable('work_task').set({ state: 'done' }).where('kind', '=', 'assign_instructor').where('state', '=', 'open').where('entity_id', 'in', reached).executeTakeFirst()).numUpdatedRows)
          : 0;
        audit({ action: 'instructor.assign', objectType: 'instructor', objectId: instructor.id, detail: { assignmentId: row.id, target: b.target, targetId: target.id, startOn, reached: reached.length, tasksDone: done } });
        reply.code(201);
        return { id: row.id, reached: new Set(reached).size, tasksDone: done };
      }),
  });

  r.post(endAssignment.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(endAssignment, ['党建指导员']), params: endAssignment.params, body: endAssignment.body, response: { 200: endAssignment.response } },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const a = await db.selectFrom('instructor_assignment').selectAll().where('id', '=', req.params.key).where('instructor_id', '=', req.params.id).executeTakeFirst();
        if (!a) throw notFound('指派');
        const end = req.body.endOn ?? today();
        const refusal = endRefusal({ startOn: a.start_on, endOn: a.end_on, end, today: today() });
        if (refusal) throw badRequest(refusal.message, [refusal]);
        await db.updateTable('instructor_assignment').set({ end_on: end, end_reason: req.body.reason }).where('id', '=', a.id).execute();
        audit({ action: 'instructor.unassign', objectType: 'instructor', objectId: a.instructor_id, detail: { assignmentId: a.id, endOn: end, reason: req.body.reason } });
        return { id: a.id, endOn: end };
      }),
  });
}
