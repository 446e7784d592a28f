import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { FORMS } from '../../src/domain/reports/forms.js';
import { snapshotTick } from '../../src/features/indicators/service.js';
import { basisFor } from '../../src/features/reports/service.js';
import { BACKENDS } from '../helpers/db.js';
import { openDatabase } from '../../src/db/connection.js';
import { localDate } from '../../src/domain/time/zone.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { ledger } from '../helpers/ledger.js';
import { compiled } from '../helpers/compiled.js';

/** 23:59 and 00:01 Beijing time around the end of 2026-Q4: the same two instants are 15:59 and 16:01 UTC on 31 December. */
const BEFORE = '2026-12-31T23:59:00+08:00';
const AFTER = '2027-01-01T00:01:00+08:00';
const HOSTS = ['UTC', 'Asia/Shanghai'] as const;

function probe(at: string, tz: string) {
  const out = execFileSync(process.execPath, [compiled('test/integration/period-boundary.probe.ts'), at], {
    env: { ...process.env, TZ: tz },
    encoding: 'utf8',
  });
  return JSON.parse(out) as Record<string, unknown>;
}

describe("period boundaries in the deployment's zone (Asia/Shanghai), whatever the host's zone", () => {
  it.each(HOSTS)(
    'on a host in %s: 23:59 on 31 December is still 2026-Q4, 00:01 is 2027-Q1 and 2026-Q4 is over',
    (tz) => {
      const before = probe(BEFORE, tz);
      const after = probe(AFTER, tz);
      expect(before.hostZone).toBe(tz);
      expect(before).toMatchObject({
        today: '2026-12-31',
        month: '2026-12',
        snapshotMonth: '2026-12',
        quarter: '2026-Q4',
        quarterEnded: false,
        previousQuarterEnded: true,
        closingMonthOfQuarter: '2026-12',
        dueOn: '2027-01-15',
        newSince: '2026-01-01',
        trendStart: '2026-10',
        // Local midnight of 1 January is 16:00 UTC on 31 December; the run is timed a second after it.
        nextMonthStarts: '2026-12-31T16:00:00.000Z',
        nextTickInMs: 61_000,
      });
      expect(after).toMatchObject({
        today: '2027-01-01',
        month: '2027-01',
        snapshotMonth: '2027-01',
        quarter: '2027-Q1',
        quarterEnded: false,
        previousQuarterEnded: true,
        closingMonthOfQuarter: '2027-03',
        dueOn: '2027-04-15',
        newSince: '2026-02-01',
        trendStart: '2026-11',
        nextMonthStarts: '2027-01-31T16:00:00.000Z',
        nextTickInMs: 3_600_000,
      });
    },
  );
});

describe.each(BACKENDS)("the database's today on %s", (backend) => {
  // Kiritimati (+14) and Pago Pago (−11) are 25 hours apart: at any instant their dates differ, so
  // one of them differs from the server's own zone's date. CI once ran after midnight in Beijing
  // (16:04 UTC): every date a trigger filled with current_date (an office left, an assignment ended)
  // was yesterday's.
  it.each(['Pacific/Kiritimati', 'Pacific/Pago_Pago'])(
    "current_date and a date's midnight are the deployment's (%s), not the server's",
    async (zone) => {
      const url =
        backend === 'postgres' ? process.env.DATABASE_URL : backend === 'citus' ? process.env.CITUS_URL : undefined;
      const d = await openDatabase(
        url ? { databaseUrl: url, poolSize: 1, timeZone: zone } : { pgliteDir: 'memory://', timeZone: zone },
      );
      try {
        const at = new Date();
        const {
          rows: [row],
        } = await sql<{
          today: string;
          midnight: Date;
        }>`SELECT current_date::text AS today, ${localDate(at, zone)}::date::timestamptz AS midnight`.execute(d.db);
        expect(row.today).toBe(localDate(at, zone));
        expect(localDate(row.midnight, zone)).toBe(localDate(at, zone));
        expect(localDate(new Date(row.midnight.getTime() - 1), zone)).not.toBe(localDate(at, zone));
      } finally {
        await d.close();
      }
    },
  );
});

describe.each(BACKENDS)('period-end snapshots at the boundary on %s', (backend) => {
  let t: TestApp;
  const hostZone = process.env.TZ;
  beforeAll(async () => {
    t = await testApp(backend);
    const l = ledger(t.db);
    await l.station('320102001');
    await l.entity({ place: '320102001' });
    await l.entity({ place: '320102' });
  });
  afterAll(async () => {
    process.env.TZ = hostZone;
    await t?.close();
  });

  it.each(HOSTS)(
    'with the process in %s: the tick at 23:59 keeps December current, the one at 00:01 closes December; 2026-Q4 is then prepared from it',
    async (tz) => {
      process.env.TZ = tz;
      expect(new Date(AFTER).getHours()).toBe(tz === 'UTC' ? 16 : 0);
      await sql`DELETE FROM indicator_snapshot`.execute(t.db);
      // The deployment ran in November (a snapshot of it exists), so December's end is one to close.
      await sql`INSERT INTO indicator_snapshot (jurisdiction_code, scope_key, period, counts, trigger, closing) VALUES ('000000', '', '2026-11', '{}', 'schedule', true)`.execute(
        t.db,
      );

      const before = await snapshotTick(t.db, new Date(BEFORE));
      expect(before.closed).toBeNull();
      expect(before.current).toBeGreaterThan(0);
      const rows = async () =>
        (
          await sql<{
            period: string;
            closing: boolean;
          }>`SELECT period, closing FROM indicator_snapshot WHERE scope_key = '' ORDER BY period`.execute(t.db)
        ).rows;
      expect(await rows()).toEqual([
        { period: '2026-11', closing: true },
        { period: '2026-12', closing: false },
      ]);
      const county = { code: '320102', name: '玄武区', level: 'county' as const, scope_key: '320102' };
      // At 23:59 the quarter is still the current one: live figures.
      expect(
        await t.db
          .transaction()
          .execute(async (tx) => basisFor(tx, county, FORMS.xgz_core, '2026-Q4', {}, '2026-12-31')),
      ).toMatchObject({ source: 'live', liveReason: null });

      const after = await snapshotTick(t.db, new Date(AFTER));
      expect(after.closed).toBe('2026-12');
      expect(await rows()).toEqual([
        { period: '2026-11', closing: true },
        { period: '2026-12', closing: true },
        { period: '2027-01', closing: false },
      ]);
      // Its own rows are kept: the county's own line and the station's.
      const own = (
        await sql<{
          scope_key: string;
          own: { operating: number };
        }>`SELECT scope_key, own FROM indicator_snapshot WHERE period = '2026-12' AND scope_key IN ('320102', '320102001') ORDER BY 1`.execute(
          t.db,
        )
      ).rows;
      expect(own.map((r) => [r.scope_key, r.own.operating])).toEqual([
        ['320102', 1],
        ['320102001', 1],
      ]);
      // From 00:01 on 1 January, 2026-Q4 is over: prepared from December's closing snapshot.
      expect(
        await t.db
          .transaction()
          .execute(async (tx) => basisFor(tx, county, FORMS.xgz_core, '2026-Q4', {}, '2027-01-01')),
      ).toMatchObject({ source: 'snapshot', month: '2026-12', closing: true });
      // A second tick closes nothing more.
      expect((await snapshotTick(t.db, new Date(AFTER))).closed).toBeNull();
    },
  );

  it("on a first start nothing existed at the last month's end: no period-end snapshot is made up for it", async () => {
    await sql`DELETE FROM indicator_snapshot`.execute(t.db);
    const first = await snapshotTick(t.db, new Date(AFTER));
    expect(first.closed).toBeNull();
    expect(
      (
        await sql<{
          period: string;
        }>`SELECT period FROM indicator_snapshot WHERE scope_key = '' ORDER BY period`.execute(t.db)
      ).rows,
    ).toEqual([{ period: '2027-01' }]);
  });
});
