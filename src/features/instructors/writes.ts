import { sql, type Transaction } from 'kysely';
import type { z } from 'zod';
import type { DB } from '../../db/schema.js';
import type { Keys } from '../../crypto/keys.js';
import { assignmentRefusal, endRefusal } from '../../domain/instructors/instructors.js';
import { badRequest, notFound } from '../../http/errors.js';
import { today } from '../../domain/time/zone.js';
import { personFromForm } from '../persons/index.js';
import { orgPlace } from '../orgs/index.js';
import { loadInstructor, targetOf } from './queries.js';
import type {
  assignInstructor,
  createGuidance,
  createInstructor,
  endAssignment,
  updateGuidance,
  updateInstructor,
} from './contract.js';

/** The instructors' writes: the roster, assignments (work coverage) and the guidance log. The routes record the audit lines. */

type Tx = Transaction<DB>;
type NewInstructor = z.output<(typeof createInstructor)['body']>;
type InstructorChange = z.output<(typeof updateInstructor)['body']>;
type NewAssignment = z.output<(typeof assignInstructor)['body']>;
type AssignmentEnd = z.output<(typeof endAssignment)['body']>;
type NewGuidance = z.output<(typeof createGuidance)['body']>;
type GuidanceChange = z.output<(typeof updateGuidance)['body']>;

/** Registers an instructor (the person found by ID number, else a new one; ID number and phone encrypted); returns the id. */
export async function addInstructor(db: Tx, keys: Keys, b: NewInstructor): Promise<number> {
  const place = await orgPlace(db, b.placeCode);
  const personId = await personFromForm(db, keys, b);
  const row = await db
    .insertInto('instructor')
    .values({ person_id: personId, source: b.source, workplace: b.workplace ?? null, note: b.note ?? null, ...place })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Changes an instructor; one made inactive ends its assignments in force. Returns the row before and after and how many ended. */
export async function changeInstructor(db: Tx, id: number, b: InstructorChange) {
  const before = await loadInstructor(db, id);
  const place = b.placeCode ? await orgPlace(db, b.placeCode) : {};
  const after = await db
    .updateTable('instructor')
    .set({
      ...place,
      source: b.source ?? before.source,
      status: b.status ?? before.status,
      updated_at: new Date(),
      workplace: b.workplace === undefined ? before.workplace : b.workplace,
      note: b.note === undefined ? before.note : b.note,
    })
    .where('id', '=', before.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  let ended = 0;
  if (after.status === 'inactive' && before.status === 'active') {
    const r = await db
      .updateTable('instructor_assignment')
      .set({ end_on: sql`greatest(start_on, ${today()}::date)`, end_reason: '指导员停用' })
      .where('instructor_id', '=', before.id)
      .where('end_on', 'is', null)
      .executeTakeFirst();
    ended = Number(r.numUpdatedRows);
  }
  return { before, after, ended };
}

/**
 * Assigns the instructor to an entity, zone, organization, platform or delivery station in the
 * caller's subtree (scopeKey); the 组建建议's tasks to assign one to the entities it reaches are
 * done then. Returns the assignment, what it points at, the entities it reaches and the tasks done.
 */
export async function addAssignment(db: Tx, instructorId: number, b: NewAssignment, scopeKey: string) {
  const instructor = await loadInstructor(db, instructorId);
  const startOn = b.startOn ?? today();
  const refusal = assignmentRefusal({ instructorStatus: instructor.status, startOn, today: today() });
  if (refusal) throw badRequest(refusal.message, [refusal]);
  const target = await targetOf(db, b.target, b.targetId);
  // A zone hangs on its county: a station's staff read it through their entities but cannot assign to all of it.
  // A platform registered above the caller is read below it (0017) but assigned by its registering bureau.
  if (!target.scope_key.startsWith(scopeKey)) {
    const by = b.target === 'platform' ? '登记该平台的上级单位' : '县（区）';
    throw badRequest(`${target.name}由${by}统一管理，请由${by}用户指派`, [
      { field: 'targetId', message: '超出本辖区' },
    ]);
  }
  const row = await db
    .insertInto('instructor_assignment')
    .values({
      instructor_id: instructor.id,
      target: b.target,
      entity_id: b.target === 'entity' ? target.id : null,
      zone_id: b.target === 'zone' ? target.id : null,
      org_id: b.target === 'org' ? target.id : null,
      platform_id: b.target === 'platform' ? target.id : null,
      delivery_station_id: b.target === 'delivery_station' ? target.id : null,
      start_on: startOn,
      scope_key: target.scope_key,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const reached = (
    await db.selectFrom('instructor_reach').select('entity_id').where('assignment_id', '=', row.id).execute()
  ).map((x) => x.entity_id);
  // The 组建建议 asked for an instructor for these entities: that task is done now.
  const done = reached.length
    ? Number(
        (
          await db
            .updateTable('work_task')
            .set({ state: 'done' })
            .where('kind', '=', 'assign_instructor')
            .where('state', '=', 'open')
            .where('entity_id', 'in', reached)
            .executeTakeFirst()
        ).numUpdatedRows,
      )
    : 0;
  return { id: row.id, instructorId: instructor.id, targetId: target.id, startOn, reached, tasksDone: done };
}

/** Ends one of the instructor's assignments (by default today); returns it with its end date. */
export async function endInstructorAssignment(db: Tx, instructorId: number, assignmentId: number, b: AssignmentEnd) {
  const a = await db
    .selectFrom('instructor_assignment')
    .selectAll()
    .where('id', '=', assignmentId)
    .where('instructor_id', '=', instructorId)
    .executeTakeFirst();
  if (!a) throw notFound('指派');
  const end = b.endOn ?? today();
  const refusal = endRefusal({ startOn: a.start_on, endOn: a.end_on, end, today: today() });
  if (refusal) throw badRequest(refusal.message, [refusal]);
  await db
    .updateTable('instructor_assignment')
    .set({ end_on: end, end_reason: b.reason })
    .where('id', '=', a.id)
    .execute();
  return { id: a.id, instructorId: a.instructor_id, endOn: end };
}

/** Records a guidance visit of the instructor to an entity or organization, in the scope of where it took place; returns its id. */
export async function addGuidance(db: Tx, b: NewGuidance, by: number) {
  const instructor = await loadInstructor(db, b.instructorId);
  const where = b.entityId
    ? await db.selectFrom('entity').select(['scope_key', 'name']).where('id', '=', b.entityId).executeTakeFirst()
    : await db.selectFrom('party_org').select(['scope_key', 'name']).where('id', '=', b.orgId!).executeTakeFirst();
  if (!where) throw notFound(b.entityId ? '市场主体' : '党组织');
  const row = await db
    .insertInto('guidance_record')
    .values({
      instructor_id: instructor.id,
      entity_id: b.entityId ?? null,
      org_id: b.orgId ?? null,
      on_date: b.onDate,
      kind: b.kind,
      content: b.content,
      follow_up: b.followUp || null,
      scope_key: where.scope_key,
      target_name: where.name,
      created_by: by,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, instructorId: instructor.id };
}

/** Changes a guidance record's follow-up or marks it done (only a follow-up there is can be done). */
export async function changeGuidance(db: Tx, id: number, b: GuidanceChange) {
  const before = await db.selectFrom('guidance_record').selectAll().where('id', '=', id).executeTakeFirst();
  if (!before) throw notFound('指导记录');
  const followUp = b.followUp === undefined ? before.follow_up : b.followUp;
  const done = b.followUpDone ?? before.follow_up_done;
  if (done && !followUp)
    throw badRequest('没有后续事项，无需办结', [{ field: 'followUpDone', message: '请先填写后续事项' }]);
  await db
    .updateTable('guidance_record')
    .set({ follow_up: followUp, follow_up_done: done })
    .where('id', '=', before.id)
    .execute();
  return { id: before.id, followUpDone: done };
}
