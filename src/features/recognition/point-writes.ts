import type { Transaction } from 'kysely';
import type { z } from 'zod';
import type { DB } from '../../db/schema.js';
import { POINT_SUBJECT_LABEL, criteriaProblem, reviewProblem } from '../../domain/recognition/points.js';
import { badRequest, notFound } from '../../http/errors.js';
import { codeList, refusal, today } from './shared.js';
import type { PointRecord } from './point-queries.js';
import { subjectOf } from './recommendation-queries.js';
import type { designatePoint, reviewPoint, updatePoint } from './contract.js';

/** The contact and demonstration points' writes: a designation, a change, a yearly review. The routes check the caller's level and record the audit lines. */

type Tx = Transaction<DB>;
type NewPoint = z.output<(typeof designatePoint)['body']>;
type PointChange = z.output<(typeof updatePoint)['body']>;
type NewReview = z.output<(typeof reviewPoint)['body']>;

async function checkCriteria(db: Tx, kind: 'contact' | 'demo', checked: string[]) {
  const [contact, demo] = await Promise.all([
    codeList(db, 'contact_point_criterion'),
    codeList(db, 'demo_point_criterion'),
  ]);
  const p = criteriaProblem(
    kind,
    checked,
    { contact: [...contact.keys()], demo: [...demo.keys()] },
    Object.fromEntries([...contact, ...demo]),
  );
  if (p) throw refusal(p);
}

async function checkResponsible(db: Tx, name: string | null | undefined, userId: number | null | undefined) {
  if (!name && !userId)
    throw badRequest('请填写负责的局领导或工作人员', [
      { field: 'responsibleName', message: '请填写负责人姓名或选择账号' },
    ]);
  if (userId && !(await db.selectFrom('app_user').select('id').where('id', '=', userId).executeTakeFirst()))
    throw notFound('负责人账号');
}

/** Names a subject of the caller's scope a contact or demonstration point; returns its id. */
export async function addPoint(db: Tx, b: NewPoint) {
  await checkResponsible(db, b.responsibleName, b.responsibleUserId);
  await checkCriteria(db, b.kind, b.criteria);
  if (b.designatedOn > today())
    throw badRequest('命名日期不能晚于今天', [{ field: 'designatedOn', message: '命名日期不能晚于今天' }]);
  const subject = await subjectOf(db, b.subjectType, b.subjectId);
  if (!subject) throw notFound(POINT_SUBJECT_LABEL[b.subjectType]);
  const row = await db
    .insertInto('recognition_point')
    .values({
      kind: b.kind,
      level: b.level,
      subject_type: b.subjectType,
      entity_id: b.subjectType === 'entity' ? b.subjectId : null,
      org_id: b.subjectType === 'org' ? b.subjectId : null,
      zone_id: b.subjectType === 'zone' ? b.subjectId : null,
      platform_id: b.subjectType === 'platform' ? b.subjectId : null,
      subject_name: subject.name,
      designated_on: b.designatedOn,
      responsible_name: b.responsibleName ?? null,
      responsible_user_id: b.responsibleUserId ?? null,
      criteria: [...new Set(b.criteria)],
      evidence: b.evidence ?? null,
      scope_key: subject.scope_key,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Changes a standing point's responsible person, criteria or evidence; returns the responsible name and criteria it now has. */
export async function changePoint(db: Tx, before: PointRecord, b: PointChange) {
  const name = b.responsibleName === undefined ? before.responsible_name : b.responsibleName;
  const userId = b.responsibleUserId === undefined ? before.responsible_user_id : b.responsibleUserId;
  await checkResponsible(db, name, userId);
  const criteria = b.criteria ? [...new Set(b.criteria)] : before.criteria;
  await checkCriteria(db, before.kind, criteria);
  await db
    .updateTable('recognition_point')
    .set({
      responsible_name: name,
      responsible_user_id: userId,
      criteria,
      evidence: b.evidence === undefined ? before.evidence : b.evidence,
      updated_at: new Date(),
    })
    .where('id', '=', before.id)
    .execute();
  return { name, criteria };
}

/** Records the point's review of a year (once a year); a revoking review revokes the point. Returns the review's id. */
export async function addPointReview(db: Tx, p: PointRecord, b: NewReview, by: number) {
  const years = (await db.selectFrom('point_review').select('year').where('point_id', '=', p.id).execute()).map(
    (x) => x.year,
  );
  const problem = reviewProblem({ status: p.status, designatedOn: p.designated_on, reviewedYears: years }, b, today());
  if (problem) throw refusal(problem);
  const on = b.reviewedOn ?? today();
  const row = await db
    .insertInto('point_review')
    .values({
      point_id: p.id,
      year: b.year,
      outcome: b.outcome,
      reason: b.reason || null,
      reviewed_on: on,
      reviewer_id: by,
      scope_key: p.scope_key,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (b.outcome === 'revoke')
    await db
      .updateTable('recognition_point')
      .set({ status: 'revoked', revoked_on: on, revoke_reason: b.reason!, updated_at: new Date() })
      .where('id', '=', p.id)
      .execute();
  return row.id;
}
