import type { Transaction } from 'kysely';
import type { z } from 'zod';
import type { DB } from '../../db/schema.js';
import type { Node } from '../../db/subtree.js';
import { expectWritten } from '../../db/writes.js';
import { badRequest, notFound } from '../../http/errors.js';
import { endsBeforeStart, refusal, today } from './shared.js';
import type { ClassRecord } from './training-queries.js';
import type { createTraining, updateTraining, updateTrainee } from './contract.js';

/** Secretary training's writes: a class, its trainees, their attendance. The routes check who may make them and record the audit lines. */

type Tx = Transaction<DB>;
type NewClass = z.output<(typeof createTraining)['body']>;
type ClassChange = z.output<(typeof updateTraining)['body']>;
type Attendance = z.output<(typeof updateTrainee)['body']>;

/** Records a class held by the caller's node; returns its id. */
export async function addTrainingClass(db: Tx, me: Node, b: NewClass) {
  const row = await db
    .insertInto('training_class')
    .values({
      name: b.name,
      level: b.level,
      starts_on: b.startsOn,
      ends_on: b.endsOn,
      place: b.place ?? null,
      jurisdiction_code: me.code,
      scope_key: me.scope_key,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Changes a class's name, period or place; returns its fields as they now are. */
export async function changeTrainingClass(db: Tx, c: ClassRecord, b: ClassChange) {
  const after = {
    name: b.name ?? c.name,
    starts_on: b.startsOn ?? c.starts_on,
    ends_on: b.endsOn ?? c.ends_on,
    place: b.place === undefined ? c.place : b.place,
  };
  if (after.ends_on < after.starts_on) throw endsBeforeStart();
  expectWritten(
    await db
      .updateTable('training_class')
      .set({ ...after, updated_at: new Date() })
      .where('id', '=', c.id)
      .executeTakeFirst(),
    '培训班',
    { action: 'training.update', objectType: 'training_class', objectId: c.id },
  );
  return after;
}

/** Enrols secretaries of the organizer's area (those already enrolled stay); returns the ids asked for and how many were added. */
export async function enrolTrainees(db: Tx, c: ClassRecord, officerIds: number[]) {
  const ids = [...new Set(officerIds)];
  const officers = await db
    .selectFrom('party_org_officer')
    .select(['id', 'role', 'scope_key'])
    .where('id', 'in', ids)
    .execute();
  if (officers.length !== ids.length) throw notFound('党组织书记');
  // A class trains the secretaries of its organizer's area (so whoever sees a trainee sees the class).
  const wrong = officers.find((f) => f.role !== 'secretary' || !f.scope_key.startsWith(c.scope_key));
  if (wrong)
    throw badRequest('学员须是举办单位辖区内党组织的书记', [
      { field: 'officerIds', message: `第 ${ids.indexOf(wrong.id) + 1} 位不是本辖区党组织的书记` },
    ]);
  const added = await db
    .insertInto('training_trainee')
    .values(officers.map((f) => ({ class_id: c.id, officer_id: f.id, scope_key: f.scope_key })))
    .onConflict((oc) => oc.columns(['class_id', 'officer_id']).doNothing())
    .returning('id')
    .execute();
  return { ids, added: added.length };
}

/** Records a trainee's attendance and completion (completion needs attendance and a class that has ended); returns the trainee before and after. */
export async function markAttendance(db: Tx, c: ClassRecord, traineeId: number, b: Attendance) {
  const t = await db
    .selectFrom('training_trainee')
    .selectAll()
    .where('class_id', '=', c.id)
    .where('id', '=', traineeId)
    .executeTakeFirst();
  if (!t) throw notFound('学员');
  const attended = b.attended ?? t.attended;
  const completed = b.completed ?? (attended ? t.completed : false);
  if (completed && !attended) throw refusal({ status: 422, field: 'completed', reason: '未出勤的学员不能结业' });
  if (completed && c.ends_on > today())
    throw refusal({ status: 422, field: 'completed', reason: `培训班 ${c.ends_on} 结束，结束后才能登记结业` });
  await db.updateTable('training_trainee').set({ attended, completed }).where('id', '=', t.id).execute();
  return { before: t, attended, completed };
}

/** Takes a trainee off the class; 404 when it was not on it. */
export async function dropTrainee(db: Tx, classId: number, traineeId: number) {
  const gone = await db
    .deleteFrom('training_trainee')
    .where('class_id', '=', classId)
    .where('id', '=', traineeId)
    .executeTakeFirst();
  if (!Number(gone.numDeletedRows)) throw notFound('学员');
}
