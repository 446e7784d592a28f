import type { z } from 'zod';
import type { Scoped } from '../../db/scoped.js';
import type { Node } from '../../db/subtree.js';
import { expectWritten } from '../../db/writes.js';
import { badRequest, notFound } from '../../http/errors.js';
import { today } from '../../domain/time/zone.js';
import { closeDeployed, deployAssistanceProgram, type Actor } from '../worktasks/index.js';
import type { addParticipant, createProgram, recordOutcome, updateProgram } from './contract.js';
import { checkLine, type ProgramRow } from './queries.js';

/** The assistance programs' writes: each records its audit line; a program's changes reach its deployed tasks. */

type NewProgram = z.output<(typeof createProgram)['body']>;
type ProgramChange = z.output<(typeof updateProgram)['body']>;
type NewParticipant = z.output<(typeof addParticipant)['body']>;
type OutcomeChange = z.output<(typeof recordOutcome)['body']>;

/** A period must not end before it starts (the create route checks it before any read). */
export const endsBeforeStart = () =>
  badRequest('结束日期不能早于开始日期', [{ field: 'endsOn', message: '结束日期不能早于开始日期' }]);

/** Records a program organized at the node and deploys it as a task to the nodes below; returns its id. */
export async function createAssistanceProgram(s: Scoped, actor: Actor, node: Node, b: NewProgram) {
  const row = await s.db
    .insertInto('assistance_program')
    .values({
      name: b.name,
      business_line: b.businessLine,
      starts_on: b.startsOn,
      ends_on: b.endsOn,
      description: b.description ?? null,
      jurisdiction_code: node.code,
      scope_key: node.scope_key,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  s.audit({
    action: 'assistance.create',
    objectType: 'assistance_program',
    objectId: row.id,
    detail: { name: b.name, businessLine: b.businessLine, jurisdiction: node.code },
  });
  // The program reaches the nodes below its organizer as a task (the program is its body).
  await deployAssistanceProgram(s, actor, Number(row.id), new Date());
  return row.id;
}

/** Changes a program's name, line, period or description and redeploys its task. */
export async function updateAssistanceProgram(s: Scoped, actor: Actor, before: ProgramRow, b: ProgramChange) {
  const { db, audit } = s;
  if (b.businessLine) await checkLine(db, b.businessLine);
  const startsOn = b.startsOn ?? before.starts_on;
  const endsOn = b.endsOn ?? before.ends_on;
  if (endsOn < startsOn) throw endsBeforeStart();
  expectWritten(
    await db
      .updateTable('assistance_program')
      .set({
        name: b.name ?? before.name,
        business_line: b.businessLine ?? before.business_line,
        starts_on: startsOn,
        ends_on: endsOn,
        description: b.description ?? before.description,
        updated_at: new Date(),
      })
      .where('id', '=', before.id)
      .executeTakeFirst(),
    '帮扶项目',
    { action: 'assistance.update', objectType: 'assistance_program', objectId: before.id },
  );
  audit({
    action: 'assistance.update',
    objectType: 'assistance_program',
    objectId: before.id,
    detail: {
      before: { name: before.name, startsOn: before.starts_on, endsOn: before.ends_on },
      after: { name: b.name ?? before.name, startsOn, endsOn },
    },
  });
  await deployAssistanceProgram(s, actor, before.id, new Date());
  return { id: before.id };
}

/** Cancels a program with its reason; the tasks it deployed close with it. */
export async function cancelAssistanceProgram(s: Scoped, actor: Actor, a: ProgramRow, reason: string) {
  const now = new Date();
  await s.db
    .updateTable('assistance_program')
    .set({ cancelled_at: now, cancel_reason: reason, updated_at: now })
    .where('id', '=', a.id)
    .execute();
  await closeDeployed(
    s,
    actor,
    'assistance_program',
    a.jurisdiction_code,
    String(a.id),
    `帮扶项目已取消：${reason}`,
    now,
  );
  s.audit({ action: 'assistance.cancel', objectType: 'assistance_program', objectId: a.id, detail: { reason } });
}

/** Brings an entity of the program's area into it; returns the line's id. */
export async function addProgramParticipant({ db, audit }: Scoped, a: ProgramRow, b: NewParticipant) {
  const e = await db.selectFrom('entity').select(['id', 'scope_key']).where('id', '=', b.entityId).executeTakeFirst();
  if (!e) throw notFound('市场主体');
  if (!e.scope_key.startsWith(a.scope_key))
    throw badRequest('该主体不在帮扶项目组织单位的辖区内', [{ field: 'entityId', message: '请选择项目辖区内的主体' }]);
  const joinedOn = b.joinedOn ?? today();
  if (joinedOn > today())
    throw badRequest('参与日期不能晚于今天', [{ field: 'joinedOn', message: '参与日期不能晚于今天' }]);
  const row = await db
    .insertInto('assistance_entity')
    .values({
      program_id: a.id,
      entity_id: e.id,
      joined_on: joinedOn,
      problem: b.problem ?? null,
      scope_key: e.scope_key,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  audit({
    action: 'assistance.entity_add',
    objectType: 'assistance_program',
    objectId: a.id,
    detail: { entityId: e.id, rowId: row.id },
  });
  return row.id;
}

/** Records the problem, the measures and the outcome of an entity in the program. */
export async function recordParticipantOutcome(
  { db, audit }: Scoped,
  programId: number,
  key: number,
  b: OutcomeChange,
) {
  const before = await db
    .selectFrom('assistance_entity')
    .selectAll()
    .where('id', '=', key)
    .where('program_id', '=', programId)
    .executeTakeFirst();
  if (!before) throw notFound('参与帮扶的主体');
  const outcome = b.outcome ?? before.outcome;
  const actions = b.actions === undefined ? before.actions : b.actions;
  // An outcome other than "ongoing" says what was done: it cannot stand without the measures taken.
  if (outcome !== 'ongoing' && !actions)
    throw badRequest('登记帮扶成效须先填写帮扶措施', [{ field: 'actions', message: '请填写帮扶措施' }]);
  await db
    .updateTable('assistance_entity')
    .set({
      problem: b.problem === undefined ? before.problem : b.problem,
      actions,
      outcome,
      outcome_note: b.outcomeNote === undefined ? before.outcome_note : b.outcomeNote,
      updated_at: new Date(),
    })
    .where('id', '=', before.id)
    .execute();
  audit({
    action: 'assistance.outcome',
    objectType: 'assistance_program',
    objectId: before.program_id,
    detail: { rowId: before.id, before: { outcome: before.outcome }, after: { outcome } },
  });
  return { id: before.id, outcome };
}
