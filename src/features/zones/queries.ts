import { sql, type Transaction } from 'kysely';
import type { z } from 'zod';
import type { DB } from '../../db/schema.js';
import { containing, offsetOf } from '../../http/paging.js';
import type { listZones } from './contract.js';

type ZoneFilters = z.output<(typeof listZones)['query']>;

/** One page of zones with their county and the number of entities inside. */
export async function zonePage(db: Transaction<DB>, f: ZoneFilters) {
  let base = db.selectFrom('zone as z').innerJoin('jurisdiction as c', 'c.code', 'z.county_code');
  if (f.kind) base = base.where('z.kind', '=', f.kind);
  if (f.q) base = base.where('z.name', 'like', containing(f.q));
  const [{ total }] = await base.select(sql<number>`count(*)::int`.as('total')).execute();
  const rows = await base
    .select(['z.id', 'z.kind', 'z.name', 'z.address', 'z.county_code', 'c.name as county_name'])
    .select(sql<number>`(SELECT count(*)::int FROM entity_zone ez WHERE ez.zone_id = z.id)`.as('entities'))
    .orderBy('z.county_code')
    .orderBy('z.name')
    .limit(f.pageSize)
    .offset(offsetOf(f))
    .execute();
  return {
    items: rows.map((z) => ({
      id: z.id,
      kind: z.kind,
      name: z.name,
      address: z.address,
      countyCode: z.county_code,
      countyName: z.county_name,
      entities: z.entities,
    })),
    total,
    page: f.page,
    pageSize: f.pageSize,
  };
}
