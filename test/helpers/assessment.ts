import type { TestApp } from './app.js';
import { ledger } from './ledger.js';

/** The assessment tests' ground: a city and two of its counties, A and B. */
export const CITY = '320100';
export const A = '320102';
export const B = '320104';

/** The items the city sets: two indicators and a manual item (its score and grounds set per county). */
export const ITEMS = [
  { kind: 'indicator', indicator: 'orgCoverage', target: 0.8, weight: 40 },
  { kind: 'indicator', indicator: 'instructorsActive', target: 2, weight: 30 },
  { kind: 'manual', label: '党建工作创新', weight: 30, manualScore: null, evidence: null },
];

/** The items with the manual item scored 20 on the given grounds. */
export const scoredItems = (evidence: string) => [...ITEMS.slice(0, 2), { ...ITEMS[2], manualScore: 20, evidence }];

/** A: 2 entities, 1 covered by an organization, 1 instructor. B: 1 entity, covered, no instructor. */
export async function twoCounties(t: TestApp): Promise<void> {
  const l = ledger(t.db);
  const a1 = await l.entity({ place: A });
  await l.entity({ place: A });
  const b1 = await l.entity({ place: B });
  for (const [place, entity] of [
    [A, a1],
    [B, b1],
  ] as const) {
    const o = await t.db
      .insertInto('party_org')
      .values({
        body: 'party',
        name: `${place}党支部`,
        kind: 'branch',
        setup_mode: 'standalone',
        ...l.placeOf(place),
        status: 'established',
        founded_on: '2024-07-01',
      })
      .returning(['id', 'scope_key'])
      .executeTakeFirstOrThrow();
    await t.db
      .insertInto('party_org_entity')
      .values({ org_id: o.id, entity_id: entity, scope_key: o.scope_key })
      .execute();
  }
  await l.instructor(A);
}
