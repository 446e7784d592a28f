import type { z } from 'zod';
import type { Scoped } from '../../db/scoped.js';
import { expectWritten } from '../../db/writes.js';
import { badRequest, notFound } from '../../http/errors.js';
import type { createZone, updateZone } from './contract.js';

/** The zones' writes: each records its audit line. */

type NewZone = z.output<(typeof createZone)['body']>;
type ZoneChange = z.output<(typeof updateZone)['body']>;

/** Records a zone in a county (or city district); returns its id. */
export async function addZone({ db, audit }: Scoped, b: NewZone) {
  const c = await db
    .selectFrom('jurisdiction')
    .select(['code', 'scope_key', 'level'])
    .where('code', '=', b.countyCode)
    .executeTakeFirst();
  if (!c || c.level === 'station') throw notFound('县区');
  if (c.level !== 'county' && c.level !== 'city')
    throw badRequest('区域须建在县区', [{ field: 'countyCode', message: '请选择县区' }]);
  const row = await db
    .insertInto('zone')
    .values({ kind: b.kind, name: b.name, address: b.address ?? null, county_code: c.code, scope_key: c.scope_key })
    .returning('id')
    .executeTakeFirstOrThrow();
  audit({ action: 'zone.create', objectType: 'zone', objectId: row.id, detail: { after: b } });
  return row;
}

/** Changes the given fields of a zone (a null address clears it). */
export async function changeZone({ db, audit }: Scoped, id: number, b: ZoneChange) {
  const z0 = await db.selectFrom('zone').selectAll().where('id', '=', id).executeTakeFirst();
  if (!z0) throw notFound('区域');
  const entry = {
    action: 'zone.update',
    objectType: 'zone',
    objectId: z0.id,
    detail: { before: { name: z0.name, kind: z0.kind, address: z0.address }, after: b },
  };
  expectWritten(
    await db
      .updateTable('zone')
      .set({
        name: b.name ?? z0.name,
        kind: b.kind ?? z0.kind,
        address: b.address === undefined ? z0.address : b.address,
        updated_at: new Date(),
      })
      .where('id', '=', z0.id)
      .executeTakeFirst(),
    '区域',
    entry,
  );
  audit(entry);
  return { id: z0.id };
}
