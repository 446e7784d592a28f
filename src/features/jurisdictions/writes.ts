import { sql } from 'kysely';
import type { z } from 'zod';
import type { Scoped } from '../../db/scoped.js';
import { expectWritten } from '../../db/writes.js';
import { keepsStationsOf, stationCode, stationParentAllowed } from '../../domain/jurisdiction/codes.js';
import { forbidden, notFound, Problem } from '../../http/errors.js';
import type { createStation, updateStation } from './contract.js';
import { stationByCode, toNode } from './queries.js';

/** The stations' writes (the GB/T 2260 divisions are read-only): each records its audit line. */

type NewStation = z.output<(typeof createStation)['body']>;
type StationChange = z.output<(typeof updateStation)['body']>;

/** 403 in Chinese unless the caller is the bureau that keeps the stations of the node keyed `parentKey`. */
function keepsStations(who: Scoped['who'], parentKey: string | null): void {
  if (parentKey === null || !keepsStationsOf(who.scopeKey, parentKey))
    throw forbidden('基层所由所属县级局（不设区县的市由市局）新建、修改和删除，上级局只能查看');
}

/** Creates a station under a county-level division (or a city without counties). */
export async function addStation({ db, who, audit }: Scoped, b: NewStation) {
  const { countyCode, suffix, name, address, servedAreas } = b;
  const county = await db
    .selectFrom('jurisdiction as j')
    .select(['j.code', 'j.level', 'j.scope_key'])
    .select(
      sql<number>`(SELECT count(*)::int FROM jurisdiction c WHERE c.parent_code = j.code AND c.level = 'county')`.as(
        'counties',
      ),
    )
    .where('j.code', '=', countyCode)
    .executeTakeFirst();
  if (!county || !stationParentAllowed(county.level, county.counties)) throw notFound('县级辖区');
  keepsStations(who, county.scope_key);
  const code = stationCode(countyCode, suffix);
  const row = await db
    .insertInto('jurisdiction')
    .values({
      code,
      parent_code: countyCode,
      level: 'station',
      name,
      scope_key: code,
      address: address ?? null,
      served_areas: servedAreas,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  audit({
    action: 'station.create',
    objectType: 'jurisdiction',
    objectId: code,
    detail: { after: { name, address, servedAreas } },
  });
  return toNode({ ...row, child_count: 0 });
}

/** Renames a station or changes its address or served areas. */
export async function changeStation({ db, who, audit }: Scoped, code: string, b: StationChange) {
  const before = await stationByCode(db, code);
  keepsStations(who, before.parent_key);
  const { name, address, servedAreas } = b;
  const row = expectWritten(
    await db
      .updateTable('jurisdiction')
      .set({
        name: name ?? before.name,
        address: address ?? before.address,
        served_areas: servedAreas ?? before.served_areas,
        updated_at: new Date(),
      })
      .where('code', '=', before.code)
      .returningAll()
      .executeTakeFirst(),
    '基层所',
    {
      action: 'station.update',
      objectType: 'jurisdiction',
      objectId: before.code,
      detail: { after: { name, address } },
    },
  );
  audit({
    action: 'station.update',
    objectType: 'jurisdiction',
    objectId: before.code,
    detail: {
      before: { name: before.name, address: before.address, servedAreas: before.served_areas },
      after: { name: row.name, address: row.address, servedAreas: row.served_areas },
    },
  });
  return toNode({ ...row, child_count: 0 });
}

/** The records that keep a station from being deleted, by the table PostgreSQL names, and what the clerk can do. */
const MOVE = '请先把它们分配到其他基层所，再删除';
const KEPT = '这些记录须保留，该所不能删除';
const HELD_BY: Record<string, { what: string; todo: string }> = {
  entity: { what: '市场主体', todo: MOVE },
  party_org: { what: '党组织', todo: MOVE },
  instructor: { what: '党建工作指导员', todo: MOVE },
  zone: { what: '区域', todo: MOVE },
  station_rule: { what: '基层所分配规则', todo: '请先删除这些规则，再删除' },
  app_user: { what: '账号', todo: '请先把这些账号改到其他单位，再删除' },
  bureau_unit: { what: '党建工作指导站等单位', todo: '请先撤销这些单位，再删除' },
  deployment: { what: '工作任务或通知', todo: KEPT },
  deployment_target: { what: '工作任务或通知', todo: KEPT },
  report: { what: '统计报表', todo: KEPT },
  visit_plan: { what: '走访计划', todo: KEPT },
  visit_record: { what: '走访记录', todo: KEPT },
  appeal_case: { what: '诉求', todo: KEPT },
};

/**
 * The refusal when records still hang on the station: which kind (the referencing table, as
 * PostgreSQL names it) and what to do, instead of a bare "still referenced" the clerk cannot act on.
 * Any other error is given back as it was.
 */
function stillHeld(name: string, err: unknown): unknown {
  const e = (err ?? {}) as { code?: string; table?: string; message?: string };
  if (e.code !== '23503') return err;
  const table = e.table ?? /on table "([^"]+)"$/.exec(e.message ?? '')?.[1] ?? '';
  const held = HELD_BY[table.replace(/_\d+$/, '')] ?? { what: '业务数据', todo: KEPT };
  return new Problem(409, '数据冲突', `${name}仍有${held.what}，不能删除：${held.todo}`);
}

/** Deletes a station (one nothing hangs on any more). */
export async function removeStation({ db, who, audit }: Scoped, code: string): Promise<void> {
  const before = await stationByCode(db, code);
  keepsStations(who, before.parent_key);
  const deleted = await db
    .deleteFrom('jurisdiction')
    .where('code', '=', before.code)
    .executeTakeFirst()
    .catch((err: unknown) => {
      throw stillHeld(before.name, err);
    });
  expectWritten(deleted, '基层所', {
    action: 'station.delete',
    objectType: 'jurisdiction',
    objectId: before.code,
  });
  audit({
    action: 'station.delete',
    objectType: 'jurisdiction',
    objectId: before.code,
    detail: { before: { name: before.name, address: before.address } },
  });
}
