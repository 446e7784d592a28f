import { sql, type Transaction } from 'kysely';
import type { z } from 'zod';
import type { DB } from '../../db/schema.js';
import { honourAuthority, honourTransition, type ActorLevel } from '../../domain/recognition/honours.js';
import { badRequest, conflict, notFound } from '../../http/errors.js';
import { expectMoved } from '../../db/writes.js';
import { codeList, refusal, today } from './shared.js';
import { nominatedSubject, sameHonour, type HonourRecord } from './honour-queries.js';
import type { actOnHonour, nominateHonour, recordViolation } from './contract.js';

/** The honours' writes: a nomination, an action on an honour, a violation on an entity. The routes record the audit lines. */

type Tx = Transaction<DB>;
type NewNomination = z.output<(typeof nominateHonour)['body']>;
type HonourAct = z.output<(typeof actOnHonour)['body']>;
type NewViolation = z.output<(typeof recordViolation)['body']>;

/** Nominates a subject of the caller's scope for an honour of a listed kind; returns the honour's id and its subject. */
export async function addNomination(db: Tx, b: NewNomination) {
  const kinds = await codeList(db, 'honor_kind');
  if (!kinds.has(b.kind)) throw badRequest('荣誉类型不在代码表中', [{ field: 'kind', message: '请选择荣誉类型' }]);
  const on = b.nominatedOn ?? today();
  if (on > today())
    throw badRequest('提名日期不能晚于今天', [{ field: 'nominatedOn', message: '提名日期不能晚于今天' }]);
  const s = await nominatedSubject(db, b);
  // One open nomination of a kind per subject (round 16: a double click, or two clerks, nominated it
  // twice, and both could be awarded for one year).
  const open = await sameHonour(db, { kind: b.kind, ...s }, ['nominated', 'approved']);
  if (open) throw conflict(`${s.name}已有待审核的同类提名（编号 ${open.id}），请勿重复提名`);
  const row = await db
    .insertInto('honour')
    .values({
      kind: b.kind,
      entity_id: s.entity_id,
      zone_id: s.zone_id,
      member_id: s.member_id,
      subject_name: s.name,
      nominated_on: on,
      nomination_note: b.note ?? null,
      scope_key: s.scope_key,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, subject: s };
}

/** Takes an action on the honour if its state allows it (the domain's transition); returns the state it moves to. */
export async function applyHonourAction(db: Tx, h: HonourRecord, b: HonourAct, actor: ActorLevel) {
  const now = today();
  const denied = honourAuthority(actor, b.action, h.level, b.level);
  if (denied) throw refusal(denied);
  const t = honourTransition({ state: h.state, flagged: h.flagged_at !== null }, b.action, {
    reason: b.reason,
    level: b.level,
    year: b.year,
    today: now,
  });
  if (!t.ok) throw refusal(t);
  if (b.action === 'award') {
    const twin = await sameHonour(db, h, ['awarded'], b.year);
    if (twin && twin.id !== h.id)
      throw conflict(`${h.subject_name}已获 ${b.year} 年度的同类荣誉（编号 ${twin.id}），不能重复授予`);
  }
  const set = {
    state: t.to,
    updated_at: new Date(),
    ...(t.clearsFlag ? { flagged_at: null, flag_reason: null } : {}),
    ...(b.action === 'approve' || b.action === 'reject' ? { review_note: b.reason ?? null } : {}),
    ...(b.action === 'award' ? { level: b.level!, year: b.year!, awarded_on: now } : {}),
    ...(b.action === 'revoke' ? { revoked_on: now, revoke_reason: b.reason! } : {}),
  };
  expectMoved(
    await db.updateTable('honour').set(set).where('id', '=', h.id).where('state', '=', h.state).executeTakeFirst(),
    '该荣誉',
  );
  return t.to;
}

/** Records a serious violation of an entity; the trigger flags its live honours. Returns the entity, the violation's id and how many flagged honours the caller can see. */
export async function addViolation(db: Tx, entityId: number, b: NewViolation, by: number) {
  const e = await db.selectFrom('entity').select(['id', 'scope_key']).where('id', '=', entityId).executeTakeFirst();
  if (!e) throw notFound('市场主体');
  if (b.occurredOn > today())
    throw badRequest('发生日期不能晚于今天', [{ field: 'occurredOn', message: '发生日期不能晚于今天' }]);
  const row = await db
    .insertInto('entity_violation')
    .values({
      entity_id: e.id,
      occurred_on: b.occurredOn,
      description: b.description,
      recorded_by: by,
      scope_key: e.scope_key,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const flagged = await db
    .selectFrom('honour')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('entity_id', '=', e.id)
    .where('flagged_at', 'is not', null)
    .where('state', 'in', ['nominated', 'approved', 'awarded'])
    .executeTakeFirstOrThrow();
  return { entityId: e.id, id: row.id, flaggedHonours: flagged.n };
}
