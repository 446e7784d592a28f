import type { Keys } from '../../crypto/keys.js';
import { decryptField } from '../../crypto/field.js';
import { moveEntityRows } from '../../db/entity-scope.js';
import type { Scoped } from '../../db/scoped.js';
import { maskIdNumber } from '../../domain/identifiers/id-number.js';
import { ENTITY_STATUS_LABEL } from '../../domain/ledger/labels.js';
import { badRequest, conflict, notFound } from '../../http/errors.js';
import type { z } from 'zod';
import type { addEntityPerson, updateEntity } from './contract.js';
import { followEntities } from '../discovery/index.js';
import { personFromForm, readablePhone } from '../persons/index.js';
import { auditExitEffects } from '../exit/index.js';
import { followEntityChange } from './follow.js';

/** The entity ledger's writes: each records its audit line and lets the discovery cases follow the change. */

type NewPerson = z.output<(typeof addEntityPerson)['body']>;
type EntityChange = z.output<(typeof updateEntity)['body']>;

/** The full ID number and phone of a person of the entity (audited). */
export async function revealEntityPerson({ db, audit }: Scoped, keys: Keys, id: number, roleId: number) {
  const p = await db
    .selectFrom('entity_person as ep')
    .innerJoin('person as p', 'p.id', 'ep.person_id')
    .select(['p.id', 'p.id_enc'])
    .select(readablePhone('p').as('phone_enc'))
    .where('ep.id', '=', roleId)
    .where('ep.entity_id', '=', id)
    .executeTakeFirst();
  if (!p) throw notFound('人员');
  audit({
    action: 'personal.reveal',
    objectType: 'person',
    objectId: p.id,
    detail: { entityId: id, fields: ['id_number', 'phone'] },
  });
  return {
    idNumber: p.id_enc ? decryptField(keys, p.id_enc) : null,
    phone: p.phone_enc ? decryptField(keys, p.phone_enc) : null,
  };
}

/** Records a person in a role of the entity (one person row per ID number); returns the role's id. */
export async function addPersonToEntity(sc: Scoped, keys: Keys, id: number, b: NewPerson): Promise<{ roleId: number }> {
  const { db, audit } = sc;
  const e = await db.selectFrom('entity').select(['id', 'scope_key']).where('id', '=', id).executeTakeFirst();
  if (!e) throw notFound('市场主体');
  const { role, name, idNumber, phone } = b;
  const personId = await personFromForm(db, keys, { name, phone, idNumber });
  const link = await db
    .insertInto('entity_person')
    .values({ entity_id: e.id, person_id: personId, role, scope_key: e.scope_key })
    .onConflict((oc) => oc.columns(['entity_id', 'role', 'person_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!link) throw conflict('该人员已在此角色中');
  audit({
    action: 'entity.person_add',
    objectType: 'entity',
    objectId: e.id,
    detail: { role, personId, idNumber: idNumber ? maskIdNumber(idNumber.value) : null },
  });
  await followEntities(sc, [e.id], {
    source: 'entity',
    label: `市场主体登记人员"${name}"`,
    objectType: 'entity',
    objectId: e.id,
  });
  return { roleId: link.id };
}

/** Ends a person's role in the entity (the history keeps it). */
export async function removePersonFromEntity(sc: Scoped, id: number, roleId: number): Promise<void> {
  const { db, audit } = sc;
  const gone = await db
    .deleteFrom('entity_person')
    .where('id', '=', roleId)
    .where('entity_id', '=', id)
    .returning(['person_id', 'role'])
    .executeTakeFirst();
  if (!gone) throw notFound('人员');
  audit({
    action: 'entity.person_remove',
    objectType: 'entity',
    objectId: id,
    detail: { role: gone.role, personId: gone.person_id },
  });
  await followEntities(sc, [id], { source: 'entity', label: '市场主体移除人员', objectType: 'entity', objectId: id });
}

/** Changes the entity's registration status, station, address or employees; a new station moves its rows' scope. */
export async function updateEntityRecord(sc: Scoped, id: number, b: EntityChange): Promise<{ id: number }> {
  const { db, audit } = sc;
  const e = await db.selectFrom('entity').selectAll().where('id', '=', id).executeTakeFirst();
  if (!e) throw notFound('市场主体');
  let scope = e.scope_key;
  if (b.stationCode !== undefined) {
    if (b.stationCode && !b.stationCode.startsWith(e.county_code))
      throw badRequest('基层所不属于该主体所在县区', [{ field: 'stationCode', message: '基层所不属于该县区' }]);
    const st = b.stationCode
      ? await db
          .selectFrom('jurisdiction')
          .select('scope_key')
          .where('code', '=', b.stationCode)
          .where('level', '=', 'station')
          .executeTakeFirst()
      : null;
    if (b.stationCode && !st) throw notFound('基层所');
    scope =
      st?.scope_key ??
      (
        await db
          .selectFrom('jurisdiction')
          .select('scope_key')
          .where('code', '=', e.county_code)
          .executeTakeFirstOrThrow()
      ).scope_key;
  }
  const row = await db
    .updateTable('entity')
    .set({
      status: b.status ?? e.status,
      station_code: b.stationCode === undefined ? e.station_code : b.stationCode,
      address: b.address ?? e.address,
      employees: b.employees ?? e.employees,
      scope_key: scope,
      updated_at: new Date(),
    })
    .where('id', '=', e.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  // The entity's own organization that went along is named in the audit line.
  const orgsMoved = scope !== e.scope_key ? await moveEntityRows(db, [e.id], scope) : [];
  audit({
    action: 'entity.update',
    objectType: 'entity',
    objectId: e.id,
    detail: {
      before: { status: e.status, stationCode: e.station_code, address: e.address, employees: e.employees },
      after: { status: row.status, stationCode: row.station_code, address: row.address, employees: row.employees },
      ...(orgsMoved.length ? { orgsMoved } : {}),
    },
  });
  // A status change has suspended the plaques (or asked for their return) in this same transaction.
  if (row.status !== e.status)
    await auditExitEffects(db, audit, {
      type: 'request',
      action: 'entity.update',
      objectType: 'entity',
      objectId: e.id,
    });
  // The running visit plans naming it and its cases follow its status and its station.
  if (row.status !== e.status || row.scope_key !== e.scope_key)
    await followEntityChange(sc, [e.id], {
      source: 'entity',
      label: `修改市场主体"${e.name}"${row.status !== e.status ? `（登记状态：${ENTITY_STATUS_LABEL[e.status]} → ${ENTITY_STATUS_LABEL[row.status]}）` : '（所属基层所）'}`,
      objectType: 'entity',
      objectId: e.id,
    });
  return { id: row.id };
}
