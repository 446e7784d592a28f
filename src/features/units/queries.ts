import { sql, type Selectable, type Transaction } from 'kysely';
import type { BureauUnitTable, DB } from '../../db/schema.js';
import { notFound } from '../../http/errors.js';
import { offsetOf, underNode } from '../../http/paging.js';
import type { z } from 'zod';
import type { listUnits } from './contract.js';

/** The bureau units' reads: the list page and a node's summary of units below it. */

type UnitFilters = z.output<(typeof listUnits)['query']>;

export const toUnit = (u: Selectable<BureauUnitTable> & { jurisdiction_name: string }) => ({
  id: u.id,
  kind: u.kind,
  jurisdictionCode: u.jurisdiction_code,
  jurisdictionName: u.jurisdiction_name,
  name: u.name,
  foundedOn: u.founded_on,
  leaderName: u.leader_name,
  staffCount: u.staff_count,
  note: u.note,
  status: u.status,
});

/** One page of units, filtered by kind, status and node. */
export async function unitPage(db: Transaction<DB>, f: UnitFilters) {
  const { kind: k, under, status } = f;
  let base = db.selectFrom('bureau_unit as u').innerJoin('jurisdiction as j', 'j.code', 'u.jurisdiction_code');
  if (k) base = base.where('u.kind', '=', k);
  if (status) base = base.where('u.status', '=', status);
  if (under) base = base.where(await underNode(db, 'u.scope_key', under));
  const [{ total }] = await base.select(sql<number>`count(*)::int`.as('total')).execute();
  const rows = await base
    .selectAll('u')
    .select('j.name as jurisdiction_name')
    .orderBy('u.scope_key')
    .orderBy('u.id')
    .limit(f.pageSize)
    .offset(offsetOf(f))
    .execute();
  return { items: rows.map(toUnit), total, page: f.page, pageSize: f.pageSize };
}

/** Active committees, guidance posts and stations under a node and under each of its children. */
export async function unitSummaryOf(db: Transaction<DB>, code: string) {
  const rows = await db
    .selectFrom('jurisdiction as c')
    .select(['c.code', 'c.name', 'c.level'])
    .select(
      sql<number>`(SELECT count(*)::int FROM bureau_unit u WHERE u.status = 'active' AND u.kind = 'xgz_committee' AND starts_with(u.scope_key, c.scope_key))`.as(
        'committees',
      ),
    )
    .select(
      sql<number>`(SELECT count(*)::int FROM bureau_unit u WHERE u.status = 'active' AND u.kind = 'guidance_post' AND starts_with(u.scope_key, c.scope_key))`.as(
        'guidancePosts',
      ),
    )
    .select(
      sql<number>`(SELECT count(*)::int FROM jurisdiction s WHERE s.level = 'station' AND starts_with(s.scope_key, c.scope_key))`.as(
        'stations',
      ),
    )
    .where((eb) => eb.or([eb('c.code', '=', code), eb('c.parent_code', '=', code)]))
    .orderBy('c.code')
    .execute();
  const self = rows.find((r) => r.code === code);
  if (!self) throw notFound('辖区');
  return { self, children: rows.filter((r) => r !== self) };
}
