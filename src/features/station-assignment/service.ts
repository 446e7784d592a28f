import { sql, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import { awaitingStation, moveEntityRows } from '../../db/entity-scope.js';
import { ENTITY_KIND_LABEL } from '../../domain/ledger/labels.js';
import { badRequest, notFound } from '../../http/errors.js';
import { exportReadRows } from '../../http/export-route.js';

/** Address text compared without spaces (a keyword "中山路8号" finds "中山路 8 号"). */
const squeezed = sql<string>`translate(coalesce(e.address, ''), ' ' || chr(12288), '')`;
const squeeze = (s: string) => s.replace(/[\s\u3000]/g, '');

type UnassignedFilters = { countyCode?: string; q?: string };

/** Entities of the caller's subtree awaiting a station, by county and address keyword. */
function unassigned(db: Transaction<DB>, f: UnassignedFilters) {
  let q = db
    .selectFrom('entity as e')
    .innerJoin('jurisdiction as c', 'c.code', 'e.county_code')
    .where(awaitingStation('e'));
  if (f.countyCode) q = q.where('e.county_code', '=', f.countyCode);
  if (f.q)
    q = q.where((eb) =>
      eb.or([
        eb(sql`strpos(${squeezed}, ${squeeze(f.q!)})`, '>', 0),
        eb('e.name', 'like', `%${f.q!.replace(/[%_\\]/g, '\\$&')}%`),
      ]),
    );
  return q;
}

/** The rows in the list's order: by county, then address, so one road's entities sit together. */
function unassignedRows(db: Transaction<DB>, f: UnassignedFilters) {
  return unassigned(db, f)
    .select(['e.id', 'e.name', 'e.uscc', 'e.reg_no', 'e.kind', 'e.address', 'e.county_code', 'c.name as county_name'])
    .orderBy('e.county_code')
    .orderBy('e.address')
    .orderBy('e.id');
}

type Row = Awaited<ReturnType<ReturnType<typeof unassignedRows>['execute']>>[number];

const toItem = (r: Row) => ({
  id: r.id,
  name: r.name,
  uscc: r.uscc,
  regNo: r.reg_no,
  kindLabel: ENTITY_KIND_LABEL[r.kind],
  address: r.address,
  countyCode: r.county_code,
  countyName: r.county_name,
});

/** One page of them, with each county's count. */
export async function listUnassigned(db: Transaction<DB>, f: UnassignedFilters & { page: number; pageSize: number }) {
  const { total } = await unassigned(db, f)
    .select(sql<number>`count(*)::int`.as('total'))
    .executeTakeFirstOrThrow();
  const rows = await unassignedRows(db, f)
    .limit(f.pageSize)
    .offset((f.page - 1) * f.pageSize)
    .execute();
  const counties = await db
    .selectFrom('entity as e')
    .innerJoin('jurisdiction as c', 'c.code', 'e.county_code')
    .where(awaitingStation('e'))
    .select(['c.code', 'c.name', sql<number>`count(*)::int`.as('unassigned')])
    .groupBy(['c.code', 'c.name'])
    .orderBy('c.code')
    .execute();
  return { items: rows.map(toItem), total, page: f.page, pageSize: f.pageSize, counties };
}

/** All of them the filters select, for the xlsx a county hands its stations to say whose each is. */
export async function unassignedExportItems(db: Transaction<DB>, f: UnassignedFilters) {
  return (await unassignedRows(db, f).limit(exportReadRows()).execute()).map(toItem);
}

/**
 * Places entities without a station at a station of their county: the ones chosen, or all whose
 * address names the keyword (and, asked to, remembers "keyword → station" for the county's next
 * imports). The entity and what hangs on it move into the station's scope. All or nothing.
 */
export async function assignStation(
  db: Transaction<DB>,
  userId: number | null,
  b: { stationCode: string; entityIds?: number[]; keyword?: string; remember: boolean },
) {
  const station = await db
    .selectFrom('jurisdiction')
    .select(['code', 'name', 'parent_code', 'scope_key'])
    .where('code', '=', b.stationCode)
    .where('level', '=', 'station')
    .executeTakeFirst();
  if (!station) throw notFound('基层所');
  const county = await db
    .selectFrom('jurisdiction')
    .select(['code', 'scope_key'])
    .where('code', '=', station.parent_code!)
    .executeTakeFirst();
  if (!county) throw notFound('基层所所在县区');
  let ids: number[];
  if (b.entityIds) {
    const wanted = [...new Set(b.entityIds)];
    const found = await db
      .selectFrom('entity')
      .select(['id', 'county_code', 'station_code'])
      .where('id', 'in', wanted)
      .execute();
    const byId = new Map(found.map((e) => [e.id, e]));
    const bad = wanted.filter((id) => {
      const e = byId.get(id);
      return !e || e.station_code !== null || e.county_code !== county.code;
    });
    if (bad.length) {
      throw badRequest(
        `以下主体不在待分配清单中，或不属于${station.name}所在县区：编号 ${bad.slice(0, 20).join('、')}${bad.length > 20 ? ` 等 ${bad.length} 个` : ''}`,
        [{ field: 'entityIds', message: '含不可分配到该基层所的主体' }],
      );
    }
    ids = wanted;
  } else {
    const rows = await db
      .selectFrom('entity as e')
      .select('e.id')
      .where(awaitingStation('e'))
      .where('e.county_code', '=', county.code)
      .where(sql<boolean>`strpos(${squeezed}, ${squeeze(b.keyword!)}) > 0`)
      .execute();
    ids = rows.map((r) => r.id);
    if (!ids.length && !b.remember)
      throw badRequest(`待分配清单中没有住所含"${b.keyword}"的主体`, [{ field: 'keyword', message: '没有匹配的主体' }]);
  }
  if (ids.length) {
    await db
      .updateTable('entity')
      .set({ station_code: station.code, scope_key: station.scope_key, updated_at: new Date() })
      .where('id', 'in', ids)
      .execute();
    await moveEntityRows(db, ids, station.scope_key);
  }
  let ruleId: number | null = null;
  if (b.keyword && b.remember) {
    const rule = await db
      .insertInto('station_rule')
      .values({
        county_code: county.code,
        keyword: squeeze(b.keyword),
        station_code: station.code,
        scope_key: county.scope_key,
        created_by: userId,
      })
      .onConflict((oc) =>
        oc.columns(['county_code', 'keyword']).doUpdateSet({ station_code: station.code, created_by: userId }),
      )
      .returning('id')
      .executeTakeFirstOrThrow();
    ruleId = rule.id;
  }
  return { assigned: ids.length, ids, ruleId, station, countyCode: county.code };
}

export async function listRules(db: Transaction<DB>) {
  const rows = await db
    .selectFrom('station_rule as r')
    .innerJoin('jurisdiction as c', 'c.code', 'r.county_code')
    .innerJoin('jurisdiction as s', 's.code', 'r.station_code')
    .select([
      'r.id',
      'r.county_code',
      'c.name as county_name',
      'r.keyword',
      'r.station_code',
      's.name as station_name',
      'r.created_at',
    ])
    .orderBy('r.county_code')
    .orderBy('r.keyword')
    .limit(2000)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    countyCode: r.county_code,
    countyName: r.county_name,
    keyword: r.keyword,
    stationCode: r.station_code,
    stationName: r.station_name,
    createdAt: r.created_at,
  }));
}

export async function deleteRule(db: Transaction<DB>, id: number) {
  const gone = await db
    .deleteFrom('station_rule')
    .where('id', '=', id)
    .returning(['id', 'county_code', 'keyword', 'station_code'])
    .executeTakeFirst();
  if (!gone) throw notFound('分配规则');
  return gone;
}
