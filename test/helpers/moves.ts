import { afterAll, beforeAll, expect } from 'vitest';
import { valuesOf } from '../../src/domain/indicators/registry.js';
import { recomputeCounts } from '../../src/features/indicators/recompute.js';
import { testApp, type TestApp } from './app.js';
import type { Backend } from './db.js';
import { tmpDir } from './imports.js';
import { ledger } from './ledger.js';

export type Client = Awaited<ReturnType<TestApp['signIn']>>;
/** County A with its stations S1 and S2, and county B beside it (both of 南京市). */
export const [A, B, S1, S2] = ['320102', '320104', '320102001', '320102002'];

/**
 * What a probe of the records that follow an entity's move starts from, inside its describe block
 * (entity-rows-follow, loop-round19): the app on the backend (`m.t`), signed-in editors of A and B
 * (`m.county`, `m.countyB`), staff of S1 and S2, the city's editor (a registry import of the city
 * can move an entity anywhere in it), a directory for the files, and the dashboard figures `keys`
 * a user reads for a node, each time checked against a recount of the ledger.
 */
export function moveProbe<K extends string>(backend: Backend, keys: readonly K[]) {
  type Figures = Record<K, number>;
  const m = {
    t: undefined as unknown as TestApp,
    county: undefined as unknown as Client,
    countyB: undefined as unknown as Client,
    s1: undefined as unknown as Client,
    s2: undefined as unknown as Client,
    city: { id: 0, scopeKey: '' },
    dir: tmpDir(),
    keyOf: async (code: string) =>
      (await m.t.db.selectFrom('jurisdiction').select('scope_key').where('code', '=', code).executeTakeFirstOrThrow())
        .scope_key,
    ok: async (p: Promise<{ statusCode: number; body: string }>) => {
      const res = await p;
      expect([200, 201], res.body).toContain(res.statusCode);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- loose reads, as the other suites
      return res as unknown as { json(): Record<string, any> };
    },
    figures: async (c: Client, code: string): Promise<Figures> => {
      const f = (await m.ok(c.get(`/dashboard?under=${code}`))).json().figures;
      expect(f).toEqual(valuesOf(await recomputeCounts(m.t.db, await m.keyOf(code))));
      return Object.fromEntries(keys.map((k) => [k, f[k] as number])) as Figures;
    },
    plus: (f: Figures, n: number): Figures => Object.fromEntries(keys.map((k) => [k, f[k] + n])) as Figures,
  };
  beforeAll(async () => {
    m.t = await testApp(backend);
    const l = ledger(m.t.db);
    await l.station(S1);
    await l.station(S2);
    m.county = await m.t.signIn(await m.t.user({ roles: ['editor'], jurisdiction: A }));
    m.s1 = await m.t.signIn(await m.t.user({ roles: ['station_staff'], jurisdiction: S1 }));
    m.s2 = await m.t.signIn(await m.t.user({ roles: ['station_staff'], jurisdiction: S2 }));
    m.countyB = await m.t.signIn(await m.t.user({ roles: ['editor'], jurisdiction: B }));
    const c = await m.t.user({ roles: ['editor'], jurisdiction: '320100' });
    Object.assign(m.city, { id: c.id, scopeKey: await m.keyOf('320100') });
  });
  afterAll(() => m.t?.close());
  return m;
}

/**
 * An established branch at S1 set up by `entity` alone (单独建), named `name`, the county roster's
 * members `names` registered in it, the first its secretary since `termStart`.
 */
export async function standaloneBranch(
  m: Pick<ReturnType<typeof moveProbe>, 't' | 'county' | 'ok'>,
  name: string,
  entity: number,
  names: string[],
  termStart: string,
): Promise<{ org: number; members: number[]; persons: number[] }> {
  const org = (
    await m.ok(
      m.county.post('/orgs', {
        name,
        kind: 'branch',
        setupMode: 'standalone',
        placeCode: S1,
        status: 'established',
        foundedOn: '2025-01-01',
        entityIds: [entity],
      }),
    )
  ).json().id as number;
  const members: number[] = [];
  const persons: number[] = [];
  for (const n of names) {
    const r = await m.t.db
      .selectFrom('member as m')
      .innerJoin('person as p', 'p.id', 'm.person_id')
      .select(['m.id', 'm.person_id'])
      .where('p.name', '=', n)
      .executeTakeFirstOrThrow();
    await m.ok(m.county.post(`/orgs/${org}/members`, { memberId: r.id, joinedOn: '2025-01-01' }));
    members.push(r.id);
    persons.push(r.person_id);
  }
  await m.ok(m.county.post(`/orgs/${org}/officers`, { personId: persons[0], role: 'secretary', termStart }));
  return { org, members, persons };
}
