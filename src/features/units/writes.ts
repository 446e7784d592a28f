import type { Selectable } from 'kysely';
import type { z } from 'zod';
import type { BureauUnitTable } from '../../db/schema.js';
import type { Scoped } from '../../db/scoped.js';
import { LEVEL_LABEL, unitKindAllowed } from '../../domain/jurisdiction/codes.js';
import { badRequest, notFound } from '../../http/errors.js';
import type { createUnit, updateUnit } from './contract.js';
import { toUnit } from './queries.js';

/** The bureau units' writes: each records its audit line with the unit's before/after. */

type NewUnit = z.output<(typeof createUnit)['body']>;
type UnitChange = z.output<(typeof updateUnit)['body']>;

const snapshot = (u: Selectable<BureauUnitTable>) => ({
  name: u.name,
  foundedOn: u.founded_on,
  leaderName: u.leader_name,
  staffCount: u.staff_count,
  note: u.note,
  status: u.status,
});

/** Sets up a unit at a node whose level allows its kind. */
export async function addUnit({ db, audit }: Scoped, b: NewUnit) {
  const j = await db
    .selectFrom('jurisdiction')
    .select(['code', 'name', 'level', 'scope_key'])
    .where('code', '=', b.jurisdictionCode)
    .executeTakeFirst();
  if (!j) throw notFound('辖区');
  if (!unitKindAllowed(b.kind, j.level)) {
    const what = b.kind === 'guidance_post' ? '党建工作指导站只能设在基层所' : '"小个专"党委只能设在省、市、县级';
    throw badRequest(`${what}（所选辖区为${LEVEL_LABEL[j.level]}）`, [{ field: 'jurisdictionCode', message: what }]);
  }
  const row = await db
    .insertInto('bureau_unit')
    .values({
      kind: b.kind,
      jurisdiction_code: j.code,
      scope_key: j.scope_key,
      name: b.name,
      founded_on: b.foundedOn ?? null,
      leader_name: b.leaderName ?? null,
      staff_count: b.staffCount ?? 0,
      note: b.note ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  audit({ action: 'unit.create', objectType: 'bureau_unit', objectId: row.id, detail: { after: snapshot(row) } });
  return toUnit({ ...row, jurisdiction_name: j.name });
}

/** Changes the given fields of a unit (null clears an optional one). */
export async function changeUnit({ db, audit }: Scoped, id: number, b: UnitChange) {
  const before = await db
    .selectFrom('bureau_unit as u')
    .innerJoin('jurisdiction as j', 'j.code', 'u.jurisdiction_code')
    .selectAll('u')
    .select('j.name as jurisdiction_name')
    .where('u.id', '=', id)
    .executeTakeFirst();
  if (!before) throw notFound('党委或指导站');
  const row = await db
    .updateTable('bureau_unit')
    .set({
      name: b.name ?? before.name,
      founded_on: b.foundedOn === undefined ? before.founded_on : b.foundedOn,
      leader_name: b.leaderName === undefined ? before.leader_name : b.leaderName,
      staff_count: b.staffCount ?? before.staff_count,
      note: b.note === undefined ? before.note : b.note,
      status: b.status ?? before.status,
      updated_at: new Date(),
    })
    .where('id', '=', before.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  audit({
    action: 'unit.update',
    objectType: 'bureau_unit',
    objectId: row.id,
    detail: { before: snapshot(before), after: snapshot(row) },
  });
  return toUnit({ ...row, jurisdiction_name: before.jurisdiction_name });
}
