import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bootstrap } from '../../src/bootstrap.js';
import { BACKENDS } from '../helpers/db.js';
import { testApp } from '../helpers/app.js';

/** The demo's imports are the city editor's; the county and station accounts see them with their own figures. */
describe.each(BACKENDS)('demo import jobs on %s', (backend) => {
  it("are visible to every account whose jurisdiction their rows touch, with that jurisdiction's figures", async () => {
    const t = await testApp(backend);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xgz-demo-jobs-'));
    (t.ctx.config as { dataDir: string }).dataDir = dataDir;
    try {
      const creds = await bootstrap(t.ctx, { demo: true, demoEntities: 60 });
      await t.app.imports.recover();
      await t.app.imports.idle();
      await t.db.updateTable('app_user').set({ must_change_password: false }).execute();
      const sign = (username: string) =>
        t.signIn({ username, password: creds.find((c) => c.username === username)!.password });
      const jobsOf = async (username: string) =>
        (await (await sign(username)).get('/imports')).json().items as {
          kind: string;
          status: string;
          rowsAccepted: number;
          rowsRejected: number;
          partial: boolean;
        }[];

      const city = await jobsOf('city_editor');
      expect(city.map((j) => [j.kind, j.status, j.partial])).toEqual([
        ['roster', 'done', false],
        ['annual_report', 'done', false],
        ['registry', 'done', false],
      ]);
      const county = (
        await t.db
          .selectFrom('app_user')
          .select('jurisdiction_code')
          .where('username', '=', 'county_editor')
          .executeTakeFirstOrThrow()
      ).jurisdiction_code;
      const station = (
        await t.db
          .selectFrom('app_user')
          .select('jurisdiction_code')
          .where('username', '=', 'station_staff')
          .executeTakeFirstOrThrow()
      ).jurisdiction_code;
      const entities = async (col: 'county_code' | 'station_code', code: string) =>
        Number(
          (
            await t.db
              .selectFrom('entity')
              .select((eb) => eb.fn.countAll().as('n'))
              .where(col, '=', code)
              .executeTakeFirstOrThrow()
          ).n,
        );

      const countyJobs = await jobsOf('county_editor');
      const countyRegistry = countyJobs.find((j) => j.kind === 'registry')!;
      expect(countyRegistry).toMatchObject({
        status: 'done',
        partial: true,
        rowsAccepted: await entities('county_code', county),
      });
      expect(countyRegistry.rowsAccepted).toBeGreaterThan(0);
      expect(countyRegistry.rowsAccepted).toBeLessThan(city.find((j) => j.kind === 'registry')!.rowsAccepted);
      expect(countyJobs.some((j) => j.kind === 'annual_report')).toBe(true);

      const stationRegistry = (await jobsOf('station_staff')).find((j) => j.kind === 'registry');
      const atStation = await entities('station_code', station);
      expect(atStation).toBeGreaterThan(0);
      expect(stationRegistry).toMatchObject({ partial: true, rowsAccepted: atStation });
    } finally {
      await t.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
