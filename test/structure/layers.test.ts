import { describe, expect, it } from 'vitest';
import { cycles, isBuiltin, readGraph, type Edge } from './imports.js';

/**
 * The layer rules of issue 19, over the import graph of src/ and web/src (test files included):
 * - domain/ imports only domain/, node builtins, zod and a few pure computation libraries;
 * - db/ and http/ (the plumbing) import no feature;
 * - a feature reaches another feature only through its entrance, features/<name>/index.ts, or its
 *   contract, features/<name>/contract.ts (pure schemas: one feature's response may embed another's shape);
 *   every feature has an entrance, and the rest of the server (jobs, demo, CLI) uses it the same way;
 * - the web imports from the server only the domain and features' contract.ts (and src/http/contract.ts);
 * - no import cycles.
 * Today's cross-feature imports are listed in FEATURE_EXCEPTIONS: the list may only shrink. A listed
 * import that is gone fails the test too, so whoever removes one deletes its line.
 */
const g = readGraph();
const featureOf = (f: string) => /^src\/features\/([^/]+)\//.exec(f)?.[1];
const isTest = (f: string) => /\.test\.tsx?$/.test(f);
const show = (es: Edge[]) => es.map((e) => `${e.from} -> ${e.to}`).sort();

/** Pure computation (no I/O) the domain may use besides zod. */
const DOMAIN_PACKAGES = new Set(['zod', 'pinyin-pro', 'fastest-levenshtein']);
/** Test files of the domain also use the test libraries. */
const DOMAIN_TEST_PACKAGES = new Set(['vitest', 'fast-check']);

/** Cross-feature imports that do not go through the other feature's index.ts, as of issue 19. Only shrinks. */
const FEATURE_EXCEPTIONS: string[] = [];
/** 43 when the list was written, 0 now (the features' entrances, issue 19): lower it when you remove lines, never raise it. */
const FEATURE_EXCEPTIONS_CEILING = 0;

describe('layers', () => {
  it('reads the graph', () => {
    expect(g.files.length).toBeGreaterThan(200);
    expect(g.edges.some((e) => e.from === 'src/server.ts' && e.to === 'src/http/auth.ts')).toBe(true);
  });

  it('domain imports only domain, node builtins, zod and pure computation libraries', () => {
    expect(show(g.edges.filter((e) => e.from.startsWith('src/domain/') && !e.to.startsWith('src/domain/')))).toEqual(
      [],
    );
    const outside = g.packages.filter(
      (p) =>
        p.from.startsWith('src/domain/') &&
        !isBuiltin(p.name) &&
        !DOMAIN_PACKAGES.has(p.name) &&
        !(isTest(p.from) && DOMAIN_TEST_PACKAGES.has(p.name)),
    );
    expect(outside.map((p) => `${p.from} -> ${p.name}`)).toEqual([]);
  });

  it('db/ and http/ import no feature', () => {
    expect(show(g.edges.filter((e) => /^src\/(db|http)\//.test(e.from) && featureOf(e.to)))).toEqual([]);
  });

  it('a feature imports another only through its index.ts, except the listed ones (which only shrink)', () => {
    const crossing = show(
      g.edges.filter((e) => {
        const a = featureOf(e.from);
        const b = featureOf(e.to);
        return a && b && a !== b && e.to !== `src/features/${b}/index.ts` && e.to !== `src/features/${b}/contract.ts`;
      }),
    );
    expect([...new Set(crossing)]).toEqual([...FEATURE_EXCEPTIONS].sort());
    expect(FEATURE_EXCEPTIONS.length).toBeLessThanOrEqual(FEATURE_EXCEPTIONS_CEILING);
  });

  it('every feature has its entrance, and the rest of the server reaches a feature only through it or its contract', () => {
    const features = [...new Set(g.files.map(featureOf).filter((f): f is string => !!f))];
    expect(features.length).toBeGreaterThan(20);
    expect(features.filter((f) => !g.files.includes(`src/features/${f}/index.ts`))).toEqual([]);
    const outside = g.edges.filter(
      (e) => e.from.startsWith('src/') && !featureOf(e.from) && !isTest(e.from) && featureOf(e.to),
    );
    expect(outside.length).toBeGreaterThan(0);
    expect(show(outside.filter((e) => !/^src\/features\/[^/]+\/(index|contract)\.ts$/.test(e.to)))).toEqual([]);
  });

  it('the web imports from the server only the domain and contracts', () => {
    const server = g.edges.filter((e) => e.from.startsWith('web/') && e.to.startsWith('src/'));
    expect(server.length).toBeGreaterThan(0);
    const allowed = (to: string) =>
      to.startsWith('src/domain/') || /^src\/features\/[^/]+\/contract\.ts$/.test(to) || to === 'src/http/contract.ts';
    expect(show(server.filter((e) => !allowed(e.to)))).toEqual([]);
  });

  it('contracts are pure: zod, the shared contract module and the domain only', () => {
    const isContract = (f: string) => /^src\/features\/[^/]+\/contract\.ts$/.test(f) || f === 'src/http/contract.ts';
    const contracts = g.files.filter(isContract);
    expect(contracts).toContain('src/http/contract.ts');
    expect(
      show(g.edges.filter((e) => isContract(e.from) && !isContract(e.to) && !e.to.startsWith('src/domain/'))),
    ).toEqual([]);
    expect(
      g.packages.filter((p) => isContract(p.from) && p.name !== 'zod').map((p) => `${p.from} -> ${p.name}`),
    ).toEqual([]);
  });

  it('has no import cycles', () => {
    expect(cycles(g.files, g.edges)).toEqual([]);
  });

  it('finds a cycle and a layer break when there is one', () => {
    const files = ['a.ts', 'b.ts', 'c.ts'];
    expect(
      cycles(files, [
        { from: 'a.ts', to: 'b.ts', typeOnly: false },
        { from: 'b.ts', to: 'a.ts', typeOnly: true },
        { from: 'b.ts', to: 'c.ts', typeOnly: false },
      ]),
    ).toEqual([['a.ts', 'b.ts']]);
  });
});
