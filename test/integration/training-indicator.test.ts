import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/db.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { ledger } from '../helpers/ledger.js';
import { runScoped } from '../../src/db/scoped.js';
import { addMonths } from '../../src/domain/orgs/rules.js';
import { trainingIndicator, type SecretaryFacts } from '../../src/domain/recognition/training.js';
import { fold, indicatorCounts } from '../../src/features/recognition/training-queries.js';

const shift = (d: string, days: number) =>
  new Date(Date.parse(`${d}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** A small seeded generator, so a failure can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

const PLACES = ['320102', '320102001', '320102002', '320104', '320104001'];
const AS_OF = ['2026-02-28', '2026-06-30', '2026-11-27', '2025-12-31'];

/**
 * The indicator's SQL against its definition: a random ledger of organizations (party and
 * league, established and dissolved, some founded in the reference year), secretaries and
 * deputies with terms around the reference dates (month ends included), and classes completed or
 * not, attended or not; every node and date must give the domain function's numbers.
 */
describe.each(BACKENDS)('training indicator SQL agrees with the domain definition on %s', (backend) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await testApp(backend);
    const l = ledger(t.db);
    for (const code of ['320102001', '320102002', '320104001']) await l.station(code);
    const r = rng(20261127);
    const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
    // A day in the months from `from`, often at a month end (where 12 months later is clamped); impossible days fall back to the 28th.
    const someDay = (from: string, spanMonths: number) => {
      const d = addMonths(from, Math.floor(r() * spanMonths)).slice(0, 8) + pick(['01', '15', '28', '29', '30', '31']);
      const [y, m, dd] = d.split('-').map(Number);
      return new Date(Date.UTC(y, m - 1, dd)).getUTCDate() === dd ? d : `${d.slice(0, 8)}28`;
    };
    const classes: { id: number; scope: string }[] = [];
    for (let i = 0; i < 12; i++) {
      const place = pick(['320102', '320104', '320100']);
      const j = await t.db
        .selectFrom('jurisdiction')
        .select(['code', 'scope_key'])
        .where('code', '=', place)
        .executeTakeFirstOrThrow();
      const ends = someDay('2024-01-01', 36);
      const c = await t.db
        .insertInto('training_class')
        .values({
          name: `班${i}`,
          level: 'county',
          starts_on: ends,
          ends_on: ends,
          jurisdiction_code: j.code,
          scope_key: j.scope_key,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      classes.push({ id: c.id, scope: j.scope_key });
    }
    for (let i = 0; i < 60; i++) {
      const place = pick(PLACES);
      const p = l.placeOf(place);
      const status = r() < 0.1 ? 'dissolved' : 'established';
      const founded = r() < 0.35 ? someDay('2026-01-01', 11) : someDay('2015-01-01', 120);
      const org = await t.db
        .insertInto('party_org')
        .values({
          name: `组织${i}`,
          body: r() < 0.15 ? 'league' : 'party',
          kind: 'branch',
          setup_mode: 'standalone',
          status,
          founded_on: founded,
          dissolved_on: status === 'dissolved' ? '2026-01-01' : null,
          ...p,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      for (let k = 0; k < 1 + Math.floor(r() * 2); k++) {
        const person = await t.db
          .insertInto('person')
          .values({ name: `人${i}-${k}` })
          .returning('id')
          .executeTakeFirstOrThrow();
        const start = r() < 0.05 ? '2024-02-29' : someDay('2023-06-01', 42);
        const officer = await t.db
          .insertInto('party_org_officer')
          .values({
            org_id: org.id,
            person_id: person.id,
            role: r() < 0.8 ? 'secretary' : 'deputy',
            term_start: start,
            term_end: addMonths(start, pick([6, 12, 36])),
            // Some left office before the term's end (membership ended, 0264), around the dates asked.
            left_on: r() < 0.2 ? pick([...AS_OF, shift(pick(AS_OF), 1), start]) : null,
            scope_key: p.scope_key,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        // Often a class that ends right at an edge of the window: the start, 12 months on, a day outside either.
        if (r() < 0.4) {
          const ends = pick([start, addMonths(start, 12), shift(addMonths(start, 12), 1), shift(start, -1)]);
          const c = await t.db
            .insertInto('training_class')
            .values({
              name: `边界班${i}-${k}`,
              level: 'county',
              starts_on: ends,
              ends_on: ends,
              jurisdiction_code: p.county_code,
              scope_key: p.county_code,
            })
            .returning('id')
            .executeTakeFirstOrThrow();
          await t.db
            .insertInto('training_trainee')
            .values({ class_id: c.id, officer_id: officer.id, attended: true, completed: true, scope_key: p.scope_key })
            .execute();
        }
        for (const c of classes.filter((x) => p.scope_key.startsWith(x.scope) && r() < 0.3)) {
          const attended = r() < 0.8;
          await t.db
            .insertInto('training_trainee')
            .values({
              class_id: c.id,
              officer_id: officer.id,
              attended,
              completed: attended && r() < 0.8,
              scope_key: p.scope_key,
            })
            .execute();
        }
      }
    }
  });
  afterAll(() => t?.close());

  /** Every secretary appointment under a scope key, as the domain function takes it (read as the system). */
  async function facts(scopeKey: string): Promise<SecretaryFacts[]> {
    const rows = await t.db
      .selectFrom('party_org_officer as f')
      .innerJoin('party_org as o', 'o.id', 'f.org_id')
      .select(['f.id', 'f.term_start', 'f.term_end', 'f.left_on', 'o.body', 'o.status', 'o.founded_on'])
      .where('f.role', '=', 'secretary')
      .where('f.scope_key', 'like', `${scopeKey}%`)
      .execute();
    const done = await t.db
      .selectFrom('training_trainee as t')
      .innerJoin('training_class as c', 'c.id', 't.class_id')
      .select(['t.officer_id', 'c.ends_on'])
      .where('t.completed', '=', true)
      .execute();
    return rows.map((f) => ({
      party: f.body === 'party',
      orgDissolved: f.status === 'dissolved',
      orgFoundedOn: f.founded_on,
      termStart: f.term_start,
      termEnd: f.term_end,
      leftOn: f.left_on,
      completedClassEnds: done.filter((d) => d.officer_id === f.id).map((d) => d.ends_on),
    }));
  }

  it('gives the same figures for every node, child and date, and the sample is not trivial', async () => {
    const probe = { userId: null, username: 'probe', scopeKey: '', ip: null };
    let seen = 0;
    let trained = 0;
    let fresh = 0;
    for (const asOf of AS_OF) {
      for (const code of ['320100', '320102', '320102001', '320104']) {
        const node = await t.db
          .selectFrom('jurisdiction')
          .select(['code', 'scope_key'])
          .where('code', '=', code)
          .executeTakeFirstOrThrow();
        const rows = await runScoped(t.db, probe, ({ db }) => indicatorCounts(db, node, asOf));
        const expected = trainingIndicator(await facts(node.scope_key), asOf);
        expect(fold(rows), `${code} @ ${asOf}`).toEqual(expected);
        const children = await t.db
          .selectFrom('jurisdiction')
          .select(['code', 'scope_key'])
          .where('parent_code', '=', code)
          .execute();
        for (const c of children)
          expect(
            fold(rows, (x) => x.child === c.code),
            `${c.code} @ ${asOf}`,
          ).toEqual(trainingIndicator(await facts(c.scope_key), asOf));
        seen += expected.all.secretaries;
        trained += expected.all.trained;
        fresh += expected.newOrgs.secretaries;
      }
    }
    expect(seen).toBeGreaterThan(40);
    expect(trained).toBeGreaterThan(3);
    expect(fresh).toBeGreaterThan(3);
  });

  it('runs under the scope: a county sees only its own secretaries', async () => {
    const node = await t.db
      .selectFrom('jurisdiction')
      .select(['code', 'scope_key'])
      .where('code', '=', '320100')
      .executeTakeFirstOrThrow();
    const rows = await runScoped(t.db, { userId: null, username: 'probe', scopeKey: '320104', ip: null }, ({ db }) =>
      indicatorCounts(db, node, '2026-06-30'),
    );
    expect(fold(rows)).toEqual(trainingIndicator(await facts('320104'), '2026-06-30'));
  });
});
