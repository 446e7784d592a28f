import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * "Today" in a query is the deployment's (src/domain/time/zone.ts today(), passed as a parameter),
 * never the database's current_date: Citus evaluates current_date on the worker that holds a
 * distributed table's shard, in the worker's own zone (UTC here), whatever zone the session set;
 * from midnight to 08:00 in Beijing that day is yesterday. A trigger's PL/pgSQL variable
 * (`today date := current_date`) is evaluated on the coordinator, in the session's zone, and is
 * allowed in migrations from 0265 on; the older ones stay as they landed.
 */
const SRC = path.resolve('src');
const MIGRATIONS = path.join(SRC, 'db', 'migrations');
const DATABASE_TODAY = /\bcurrent_date\b|\bnow\(\)\s*::\s*date\b|\blocaltimestamp\b/i;

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : [p];
  });
}

const offending = (f: string, allowed: (line: string) => boolean): string[] =>
  fs
    .readFileSync(f, 'utf8')
    .split('\n')
    .flatMap((line, i) =>
      !/^\s*(\*|\/\*)/.test(line) && DATABASE_TODAY.test(line.replace(/--.*$|\/\/.*$/, '')) && !allowed(line)
        ? [`${path.relative(SRC, f)}:${i + 1}: ${line.trim()}`]
        : [],
    );

describe('today on the server', () => {
  it("is the deployment's today passed to the query, never the database's current_date", () => {
    const found = files(SRC)
      .filter((f) => /\.ts$/.test(f) && !f.startsWith(MIGRATIONS))
      .flatMap((f) => offending(f, () => false));
    expect(found).toEqual([]);
  });

  it('is taken by a new migration only into a variable, on the coordinator', () => {
    const found = files(MIGRATIONS)
      .filter((f) => /^(\d{4})_.*\.sql$/.test(path.basename(f)) && Number(path.basename(f).slice(0, 4)) >= 265)
      .flatMap((f) => offending(f, (line) => /^\s*\w+\s+date\s*:=\s*current_date\s*;/i.test(line)));
    expect(found).toEqual([]);
  });
});
