import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { BACKENDS, freshDatabase } from '../helpers/db.js';
import { ledger } from '../helpers/ledger.js';
import type { Database } from '../../src/db/connection.js';
import { registerAuditKey } from '../../src/db/audit-chain.js';
import { runScoped } from '../../src/db/scoped.js';
import { seedJurisdictions } from '../../src/features/jurisdictions/index.js';

const COUNTY = '320102';

// The candidate pairs discovery scores (xgz_discovery_candidates): the people in roles who could be
// a roster member without an ID number to match by. The same-name block admits a birth date that
// differs by a typo only (migration 0051 made each typo kind its own join): same month and day,
// same year and month decade, or same day and year decade; a namesake born on an unrelated day is
// never a candidate.
describe.each(BACKENDS)('discovery candidates on %s', (backend) => {
  let d: Database;
  beforeAll(async () => {
    d = await freshDatabase(backend);
    await seedJurisdictions(d.db);
    registerAuditKey(d.db, Buffer.alloc(32, 5));
  });
  afterAll(async () => {
    await d?.close();
  });

  it('pairs a member with namesakes whose birth date differs by a typo, and with no other namesake', async () => {
    const l = ledger(d.db);
    const entity = await l.entity({ place: COUNTY, name: '建国商行' });
    const person = (birth: string) =>
      d.db.insertInto('person').values({ name: '王建国', birth_date: birth }).returning('id').executeTakeFirstOrThrow();
    const inRole = async (birth: string) => {
      const p = await person(birth);
      await d.db
        .insertInto('entity_person')
        .values({ entity_id: entity, person_id: p.id, role: 'employee', scope_key: COUNTY })
        .execute();
      return [birth, Number(p.id)] as const;
    };
    const member = await person('1985-06-01');
    await d.db
      .insertInto('member')
      .values({ person_id: member.id, scope_key: COUNTY, confidence: 'confirmed', sources: ['roster'] })
      .execute();
    const people = new Map([
      await inRole('1985-06-01'), // the same date (the date block)
      await inRole('1985-06-10'), // same year, month decade
      await inRole('1958-06-01'), // same month and day
      await inRole('1981-02-01'), // same day, year decade
      await inRole('1970-03-15'), // a namesake, nothing in common
    ]);
    const found = await runScoped(
      d.db,
      { userId: null, username: 'test', scopeKey: COUNTY, ip: null },
      async ({ db }) =>
        (
          await sql<{ person_id: number; birth_date: string }>`
          SELECT person_id, to_char(birth_date, 'YYYY-MM-DD') AS birth_date
          FROM xgz_discovery_candidates('{}'::text[], '{}'::text[], '{}'::bigint[]) ORDER BY 2`.execute(db)
        ).rows.map((r) => [r.birth_date, Number(r.person_id)]),
    );
    expect(found).toEqual(['1958-06-01', '1981-02-01', '1985-06-01', '1985-06-10'].map((b) => [b, people.get(b)]));
  });
});
