import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { BACKENDS, freshDatabase } from '../helpers/db.js';
import { ledger } from '../helpers/ledger.js';
import type { Database } from '../../src/db/connection.js';
import { registerAuditKey } from '../../src/db/audit-chain.js';
import { runScoped } from '../../src/db/scoped.js';
import { seedJurisdictions } from '../../src/features/jurisdictions/index.js';
import { compareDates } from '../../src/domain/matching/compare.js';

const COUNTY = '320102';

// The candidate pairs discovery scores (xgz_discovery_candidates): the people in roles who could be
// a roster member without an ID number to match by. The same-name blocks find the namesakes whose
// birth dates differ by a typo as compareDates judges it (one digit wrong or two neighbouring digits
// swapped; migration 0056 joins on each date's typos written out); a namesake born on an unrelated
// day is never a candidate.
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
      await inRole('1981-02-01'), // same day and year decade, but two digits wrong: no typo
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
    expect(found).toEqual(['1958-06-01', '1985-06-01', '1985-06-10'].map((b) => [b, people.get(b)]));
  });

  // Migration 0065: a member whose roster gave the birth month only is paired with the namesakes born in it.
  it('pairs a member known to the birth month with the namesakes born in that month', async () => {
    const county = '320106';
    const l = ledger(d.db);
    const entity = await l.entity({ place: county, name: '鼓楼商行' });
    const member = await d.db
      .insertInto('person')
      .values({ name: '赵月华', birth_month: '1985-06' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await d.db
      .insertInto('member')
      .values({ person_id: member.id, scope_key: county, confidence: 'confirmed', sources: ['roster'] })
      .execute();
    const people: Record<string, number> = {};
    for (const [name, birth] of [
      ['赵月华', '1985-06-20'],
      ['赵月华', '1985-07-20'],
      ['赵月娥', '1985-06-20'],
    ] as const) {
      const p = await d.db
        .insertInto('person')
        .values({ name, birth_date: birth })
        .returning('id')
        .executeTakeFirstOrThrow();
      await d.db
        .insertInto('entity_person')
        .values({ entity_id: entity, person_id: p.id, role: 'employee', scope_key: county })
        .execute();
      people[`${name} ${birth}`] = Number(p.id);
    }
    const found = await runScoped(
      d.db,
      { userId: null, username: 'test', scopeKey: county, ip: null },
      async ({ db }) =>
        (
          await sql<{ person_id: number }>`
        SELECT person_id FROM xgz_discovery_candidates('{}'::text[], '{}'::text[], '{}'::bigint[], ARRAY['typo'])`.execute(
            db,
          )
        ).rows.map((r) => Number(r.person_id)),
    );
    expect(found).toEqual([people['赵月华 1985-06-20']]);
  });

  // A run asks for the blocks in parts on two connections (migration 0055): each pair must come from
  // exactly one block, and together the blocks give every pair.
  it('reads the blocks in parts that are disjoint and together give every pair', async () => {
    const county = '320104';
    const l = ledger(d.db);
    const entity = await l.entity({ place: county, name: '秦淮商行' });
    const person = (name: string, birth: string | null, phone: string | null) =>
      d.db
        .insertInto('person')
        .values({ name, birth_date: birth, phone_bi: phone })
        .returning('id')
        .executeTakeFirstOrThrow();
    const member = await person('李秀英', '1979-03-08', 'phone-a');
    await d.db
      .insertInto('member')
      .values({ person_id: member.id, scope_key: county, confidence: 'confirmed', sources: ['roster'] })
      .execute();
    const people: Record<string, number> = {};
    for (const [label, name, birth, phone] of [
      ['same date and phone', '李秀英', '1979-03-08', 'phone-a'], // date and phone blocks: the date block's
      ['typo and same phone', '李秀英', '1979-03-18', 'phone-a'], // phone and typo blocks: the phone block's
      ['same date', '李秀兰', '1979-03-08', null],
      ['same phone, no date', '李秀华', null, 'phone-a'],
      ['typo', '李秀英', '1978-03-08', 'phone-b'],
      ['nothing shared', '李秀英', '1960-11-30', 'phone-c'],
    ] as const) {
      const p = await person(name, birth, phone);
      await d.db
        .insertInto('entity_person')
        .values({ entity_id: entity, person_id: p.id, role: 'employee', scope_key: county })
        .execute();
      people[label] = Number(p.id);
    }
    const part = (blocks: string[] | null) =>
      runScoped(d.db, { userId: null, username: 'test', scopeKey: county, ip: null }, async ({ db }) =>
        (
          await sql<{ person_id: number }>`
          SELECT person_id FROM xgz_discovery_candidates('{}'::text[], '{}'::text[], '{}'::bigint[]${blocks ? sql`, ${blocks}::text[]` : sql``})`.execute(
            db,
          )
        ).rows
          .map((r) => Number(r.person_id))
          .sort((a, b) => a - b),
      );
    const ids = (...labels: string[]) => labels.map((x) => people[x]).sort((a, b) => a - b);
    expect(await part(['date'])).toEqual(ids('same date and phone', 'same date'));
    expect(await part(['phone'])).toEqual(ids('typo and same phone', 'same phone, no date'));
    expect(await part(['typo'])).toEqual(ids('typo'));
    expect(await part(null)).toEqual(
      ids('same date and phone', 'same date', 'typo and same phone', 'same phone, no date', 'typo'),
    );
  });

  // Migration 0055: born the same day, a pair is a candidate only when the names can be close as
  // decide() judges them (the same, the same sounds, or one character after the first replaced).
  it('pairs people born the same day only when their names can be close', async () => {
    const county = '320105';
    const l = ledger(d.db);
    const entity = await l.entity({ place: county, name: '建邺商行' });
    const sounds = {
      char: ['张', '章', '伟', '玮', '明', '华', '芳'],
      reading: ['zhang', 'zhang', 'wei', 'wei', 'ming', 'hua', 'fang'],
    };
    const person = (name: string) =>
      d.db.insertInto('person').values({ name, birth_date: '1990-07-07' }).returning('id').executeTakeFirstOrThrow();
    for (const name of ['张伟明', '张伟']) {
      const m = await person(name);
      await d.db
        .insertInto('member')
        .values({ person_id: m.id, scope_key: county, confidence: 'confirmed', sources: ['roster'] })
        .execute();
    }
    const people: Record<string, number> = {};
    for (const name of ['张伟明', '章玮明', '张华明', '张伟华', '张芳华', '章华明', '张芳', '章芳', '张伟明华']) {
      const p = await person(name);
      await d.db
        .insertInto('entity_person')
        .values({ entity_id: entity, person_id: p.id, role: 'employee', scope_key: county })
        .execute();
      people[name] = Number(p.id);
    }
    const found = await runScoped(
      d.db,
      { userId: null, username: 'test', scopeKey: county, ip: null },
      async ({ db }) =>
        (
          await sql<{ person_id: number }>`
        SELECT DISTINCT person_id FROM xgz_discovery_candidates(${sounds.char}::text[], ${sounds.reading}::text[], '{}'::bigint[], ARRAY['date'])`.execute(
            db,
          )
        ).rows
          .map((r) => Object.keys(people).find((n) => people[n] === Number(r.person_id)))
          .sort(),
    );
    // 张伟明: itself, its homophone 章玮明, the second character replaced (张华明) or the third (张伟华);
    // 张伟: 张芳 (the second replaced); not 张芳华 or 章华明 (two characters differ), 章芳 (first
    // and second differ), nor 张伟明华 (another length).
    expect(found).toEqual(['张伟华', '张伟明', '张华明', '张芳', '章玮明'].sort());
  });

  // The typo blocks keep a namesake only when the dates differ by a typo as compareDates judges it
  // (xgz_birth_date_typo is the list of typos the blocks join on). The database must agree on every pair.
  it('judges a typo in a birth date exactly as compareDates does', async () => {
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const valid = (d: string) =>
      d >= '19000101' &&
      /^\d{8}$/.test(d) &&
      new Date(`${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6)}T00:00:00Z`)
        .toISOString()
        .slice(0, 10)
        .replaceAll('-', '') === d;
    const iso = (d: string) => `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6)}`;
    const pairs: [string, string][] = [];
    while (pairs.length < 3000) {
      const a = `${1940 + rnd(70)}${String(1 + rnd(12)).padStart(2, '0')}${String(1 + rnd(28)).padStart(2, '0')}`;
      const i = rnd(8);
      const digits = [...a];
      const kind = rnd(3);
      if (kind === 0) digits[i] = String(rnd(10));
      else if (kind === 1 && i < 7) [digits[i], digits[i + 1]] = [digits[i + 1], digits[i]];
      else
        digits.splice(
          0,
          8,
          ...`${1940 + rnd(70)}${String(1 + rnd(12)).padStart(2, '0')}${String(1 + rnd(28)).padStart(2, '0')}`,
        );
      const b = digits.join('');
      if (valid(b)) pairs.push([iso(a), iso(b)]);
    }
    const sqlSays = (
      await sql<{ typo: boolean }>`
      SELECT xgz_birth_date_typo(a, b) AS typo FROM unnest(${pairs.map((p) => p[0])}::date[], ${pairs.map((p) => p[1])}::date[]) WITH ORDINALITY AS t(a, b, i) ORDER BY i`.execute(
        d.db,
      )
    ).rows.map((r) => r.typo);
    const jsSays = pairs.map(([a, b]) => compareDates(a, b) === 'transposed');
    expect(jsSays.filter(Boolean).length).toBeGreaterThan(1000);
    expect(sqlSays).toEqual(jsSays);
  });
});
