import fs from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

/**
 * Every installed package supports every Node version package.json's engines allows: the lowest
 * release of each major the range admits, and the latest imaginable one of it. (npm only warns.)
 */
const root = path.resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { engines?: { node?: string } | string[] }>;
};

const range = new semver.Range(pkg.engines.node);
const probes = range.set
  .flatMap((comparators) => {
    const low = semver.minVersion(new semver.Range(comparators.map((c) => c.value).join(' ')))!;
    return [low.version, `${low.major}.999.0`];
  })
  .filter((v) => semver.satisfies(v, range));

describe('Node versions', () => {
  it('engines names the versions CI runs (the oldest supported and the current LTS)', () => {
    expect(probes).toEqual(expect.arrayContaining(['20.19.0', '24.0.0']));
  });

  it('every dependency supports every Node version engines allows', () => {
    const refused: string[] = [];
    for (const [name, info] of Object.entries(lock.packages)) {
      const node = !name || Array.isArray(info.engines) ? undefined : info.engines?.node;
      if (!node) continue;
      const no = probes.filter((v) => !semver.satisfies(v, node));
      if (no.length)
        refused.push(`${name.replace(/^.*node_modules\//, '')} requires node ${node}, engines allows ${no.join(', ')}`);
    }
    expect(refused).toEqual([]);
  });
});
