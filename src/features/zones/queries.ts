import { sql, type Transaction } from 'kysely';
import type { z } from 'zod';
import type { DB } from '../../db/schema.js';
import { containing, offsetOf } from '../../http/paging.js';
import type { exportZones, listZones } from './contract.js';
import { exportReadRows } from '../../http/export-route.js';

type ZonePageQuery = z.output<(typeof listZones)['query']>;
type ZoneFilters = z.output<(typeof exportZones)['query']>;

function filtered(db: Transaction<DB>, f: ZoneFilters) {
  let base = db.selectFrom('zone as z').innerJoin('jurisdiction as c', 'c.code', 'z.county_code');
  if (f.kind) base = base.where('z.kind', '=', f.kind);
  if (f.q) base = base.where('z.name', 'like', containing(f.q));
  return base;
}

/** Zones in the list's order with their county and the number of entities inside. */
function rowsOf(db: Transaction<DB>, f: ZoneFilters) {
  return filtered(db, f)
    .select(['z.id', 'z.kind', 'z.name', 'z.address', 'z.county_code', 'c.name as county_name'])
    .select(sql<number>`(SELECT count(*)::int FROM entity_zone ez WHERE ez.zone_id = z.id)`.as('entities'))
    .orderBy('z.county_code')
    .orderBy('z.name');
}

type ZoneRowIn = Awaited<ReturnType<ReturnType<typeof rowsOf>['execute']>>[number];

const toRow = (z: ZoneRowIn) => ({
  id: z.id,
  kind: z.kind,
  name: z.name,
  address: z.address,
  countyCode: z.county_code,
  countyName: z.county_name,
  entities: z.entities,
});

/** One page of zones. */
export async function zonePage(db: Transaction<DB>, f: ZonePageQuery) {
  const [{ total }] = await filtered(db, f)
    .select(sql<number>`count(*)::int`.as('total'))
    .execute();
  const rows = await rowsOf(db, f).limit(f.pageSize).offset(offsetOf(f)).execute();
  return { items: rows.map(toRow), total, page: f.page, pageSize: f.pageSize };
}

/** Every zone the filters select, for the xlsx export (a county has tens to hundreds). */
export async function zoneExportItems(db: Transaction<DB>, f: ZoneFilters) {
  return (await rowsOf(db, f).limit(exportReadRows()).execute()).map(toRow);
}
