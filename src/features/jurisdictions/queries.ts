import { sql, type Transaction } from 'kysely';
import type { DB, Jurisdiction } from '../../db/schema.js';
import { notFound } from '../../http/errors.js';
import { containing, offsetOf, underNode } from '../../http/paging.js';

/** The jurisdiction tree's reads: a node, its children and the station list. */

type Db = Transaction<DB>;

/** A jurisdiction row as the API shows it. */
export const toNode = (j: Jurisdiction & { child_count: number }) => ({
  code: j.code,
  parentCode: j.parent_code,
  level: j.level,
  name: j.name,
  address: j.address,
  servedAreas: j.served_areas,
  childCount: j.child_count,
});

const childCount = sql<number>`(SELECT count(*)::int FROM jurisdiction c WHERE c.parent_code = j.code)`.as(
  'child_count',
);

/** One node with its child count. */
export async function nodeAt(db: Db, code: string) {
  const j = await db
    .selectFrom('jurisdiction as j')
    .selectAll('j')
    .select(childCount)
    .where('j.code', '=', code)
    .executeTakeFirst();
  if (!j) throw notFound('辖区');
  return toNode(j);
}

/** The node's children in code order (404 when the node does not exist or is out of scope). */
export async function childNodes(db: Db, code: string) {
  const parent = await db.selectFrom('jurisdiction').select('code').where('code', '=', code).executeTakeFirst();
  if (!parent) throw notFound('辖区');
  const rows = await db
    .selectFrom('jurisdiction as j')
    .selectAll('j')
    .select(childCount)
    .where('j.parent_code', '=', code)
    .orderBy('j.code')
    .execute();
  return rows.map(toNode);
}

/** A page of stations with their county and whether a guidance post is active there. */
export async function stationPage(db: Db, f: { under?: string; q?: string; page: number; pageSize: number }) {
  const { under, q } = f;
  let base = db
    .selectFrom('jurisdiction as j')
    .innerJoin('jurisdiction as county', 'county.code', 'j.parent_code')
    .where('j.level', '=', 'station');
  if (under) base = base.where(await underNode(db, 'j.scope_key', under));
  if (q) base = base.where('j.name', 'like', containing(q));
  const [{ total }] = await base.select(sql<number>`count(*)::int`.as('total')).execute();
  const rows = await base
    .selectAll('j')
    .select(childCount)
    .select('county.name as county_name')
    .select(
      sql<boolean>`EXISTS (SELECT 1 FROM bureau_unit b WHERE b.jurisdiction_code = j.code AND b.kind = 'guidance_post' AND b.status = 'active')`.as(
        'has_post',
      ),
    )
    .orderBy('j.code')
    .limit(f.pageSize)
    .offset(offsetOf(f))
    .execute();
  return {
    items: rows.map((j) => ({ ...toNode(j), countyName: j.county_name, hasGuidancePost: j.has_post })),
    total,
    page: f.page,
    pageSize: f.pageSize,
  };
}

/** A station by its code (404 when it is not a station or out of scope). */
export async function stationByCode(db: Db, code: string) {
  const before = await db
    .selectFrom('jurisdiction as j')
    .selectAll('j')
    .select((eb) =>
      eb
        .selectFrom('jurisdiction as up')
        .select('up.scope_key')
        .whereRef('up.code', '=', 'j.parent_code')
        .as('parent_key'),
    )
    .where('j.code', '=', code)
    .where('j.level', '=', 'station')
    .executeTakeFirst();
  if (!before) throw notFound('基层所');
  return before;
}
