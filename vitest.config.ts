import os from 'node:os';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// Projects: unit (pure, no database), integration (database on PGlite and, with DATABASE_URL,
// PostgreSQL), e2e (Chromium), and logs, which runs after the others (see package.json) and
// scans what the servers logged during them.
const env = { XGZ_PASSWORD_ITERATIONS: '1000', TZ: 'Asia/Shanghai' };
// Integration files that open no database server (pure, or on an embedded database of their own):
// the Citus pass of CI (XGZ_BACKENDS=citus) would only run them a second time, so it leaves them out.
const SERVERLESS = [
  'test/integration/cli.test.ts',
  'test/integration/fuzz.test.ts',
  'src/jobs/import/**',
  'src/db/array-literal.test.ts',
  'src/features/appeals/engine.test.ts',
  'src/features/attachments/store.test.ts',
  'src/features/auth/unknown-throttle.test.ts',
  'src/features/reports/xlsx.test.ts',
  'src/http/xlsx.test.ts',
];

// Two test files at a time even on 2 cores (vitest's default is one fewer than the cores: one file on
// CI's machine): a database test spends much of its time waiting on its database server (PostgreSQL,
// Citus) or on a child process, and that file alone left a core idle. The browser project sets
// fileParallelism: false and runs one file at a time.
const maxWorkers = Math.max(os.availableParallelism() - 1, 2);

// The files that take longest, started first in their project: CI's fresh checkout has no timings
// cached, so vitest orders files by size, and a small file that runs for minutes could start last
// and run alone at the end (the fault suite's CLI import killed on PGlite and PostgreSQL, ~60% of
// that suite, was its smallest file but one).
const SLOWEST_FIRST = [
  'test/faults/kill.test.ts',
  'test/faults/jobs.test.ts',
  'test/integration/scope.test.ts',
  'test/integration/cli.test.ts',
  'test/integration/security.test.ts',
];
class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      const i = SLOWEST_FIRST.findIndex((s) => f.moduleId.endsWith(s));
      return i < 0 ? SLOWEST_FIRST.length : i;
    };
    // Within each project, keeping vitest's order of the projects and of the other files.
    const byProject = new Map<string, TestSpecification[]>();
    for (const f of await super.sort(files))
      byProject.set(f.project.name, [...(byProject.get(f.project.name) ?? []), f]);
    return [...byProject.values()].flatMap((group) => group.sort((a, b) => rank(a) - rank(b)));
  }
}

export default defineConfig({
  test: {
    env,
    maxWorkers,
    sequence: { sequencer: SlowestFirst },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/domain/**/*.test.ts', 'src/crypto/**/*.test.ts', 'test/structure/**/*.test.ts'],
          // The structure tests parse the whole source tree (seconds of CPU); beside a database
          // test on the other core, vitest's default of 5 s was too close.
          testTimeout: 30_000,
          env,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['src/**/*.test.ts', 'test/integration/**/*.test.ts'],
          exclude: ['src/domain/**', 'src/crypto/**', ...(process.env.XGZ_BACKENDS === 'citus' ? SERVERLESS : [])],
          globalSetup: ['test/setup/databases.ts', 'test/setup/cli.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          env,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          // PGlite only: the demo server never copies a PostgreSQL template, so none is migrated.
          globalSetup: ['test/setup/pglite.ts', 'test/setup/web.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
          // One worker for all the browser files, after the other projects (groupOrder 1), its modules
          // loaded once: each file in a fresh worker imported the whole server again (4–7 s a file
          // on a loaded machine). Each file still starts its own server, database and browser.
          isolate: false,
          sequence: { groupOrder: 1 },
          // A page waits on the server: on a busy 2-core machine one second (the default) is too short.
          expect: { poll: { timeout: 15_000 } },
          // A click can land mid-animation on a busy 2-core machine (two such flakes stopped CI before
          // each was fixed); one retry, reported as such by vitest. A test that fails twice fails.
          retry: 1,
          env,
        },
      },
      { test: { name: 'logs', include: ['test/logs/**/*.test.ts'], env } },
      {
        // npm run test:faults: kill -9 at random points, lost database connections, damaged archives.
        test: {
          name: 'faults',
          include: ['test/faults/**/*.test.ts'],
          globalSetup: ['test/setup/databases.ts', 'test/setup/cli.ts'],
          // Each kill scenario starts several processes (CLI, server): generous on a busy machine.
          testTimeout: 900_000,
          hookTimeout: 300_000,
          // Two files at a time, as the integration project: a scenario mostly waits on its one child
          // process or the database server, and one file alone left a core idle (each file has its own
          // databases, data dirs and ports; the outage test terminates its own database's backends only).
          env,
        },
      },
    ],
  },
});
