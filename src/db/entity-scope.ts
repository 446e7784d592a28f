import { sql, type Transaction } from 'kysely';
import type { DB } from './schema.js';

/**
 * Tables whose rows belong to one entity and carry its scope: they move with it to another station.
 * member_link: the members found in it (by any method: a run's name match and a staff link as well
 * as an ID number) count where it is; work_task: the 组建 work (选派指导员, 组织找党员) is its
 * station's to do.
 */
const ENTITY_SCOPED = [
  'entity_person',
  'member_link',
  'work_task',
  'entity_zone',
  'annual_report',
  'credit_listing',
  'exit_review',
  'exit_effect',
  'sanliang',
  'honour',
  'entity_violation',
] as const;

/** Moves the rows that follow entities to their new scope (the entities themselves are updated by the caller). */
export async function moveEntityRows(db: Transaction<DB>, entityIds: number[], scopeKey: string): Promise<void> {
  if (!entityIds.length) return;
  for (const t of ENTITY_SCOPED)
    await db.updateTable(t).set({ scope_key: scopeKey }).where('entity_id', 'in', entityIds).execute();
  // A 三亮 record's plaques and the public's reports on them go where the record went.
  const records = db.selectFrom('sanliang').select('id').where('entity_id', 'in', entityIds);
  for (const t of ['sanliang_plaque', 'plaque_feedback'] as const)
    await db.updateTable(t).set({ scope_key: scopeKey }).where('record_id', 'in', records).execute();
}

/**
 * An entity awaiting a station (待分配基层所): operating, held at its county with no station. The
 * county's list to assign from and its 待办 count the same ones (a 注销 entity needs no station).
 */
export const awaitingStation = (alias: string) =>
  sql<boolean>`(${sql.ref(`${alias}.station_code`)} IS NULL AND ${sql.ref(`${alias}.status`)} = 'active')`;
