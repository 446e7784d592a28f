import fs from 'node:fs';
import path from 'node:path';
import { buildSync } from 'esbuild';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    compiledDir: string;
  }
}

/** Entry points of test child processes besides the CLI (src/cli.ts): they import src/ too. */
const TEST_ENTRIES = ['test/faults/child.ts', 'test/integration/period-boundary.probe.ts'];

/**
 * src/ (and the test children above) compiled once to plain JS, file for file, for the tests that
 * start the CLI as a process: through bin/xgz.mjs (tsx) each start compiled the whole module graph
 * again (~2 s of CPU; ~1 s from this build), and the CLI and fault suites start it some seventy
 * times. esbuild's transform is the one tsx runs, so the code is the same; bin/xgz.mjs itself stays
 * covered by the import flow's CLI run. The build sits inside the checkout (packages resolve from
 * its node_modules) with src/'s other files (migrations, JSON, the legacy worker) and a link to web/
 * beside it, where the compiled files look for them.
 */
export default function setup(project: TestProject) {
  fs.mkdirSync('.tmp', { recursive: true });
  const dir = path.resolve(fs.mkdtempSync('.tmp/compiled-'));
  const sources = (fs.readdirSync('src', { recursive: true }) as string[]).map((f) => path.join('src', f));
  buildSync({
    entryPoints: [...sources.filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')), ...TEST_ENTRIES],
    outdir: dir,
    outbase: '.',
    platform: 'node',
    format: 'esm',
    target: `node${process.versions.node}`,
    logLevel: 'warning',
  });
  for (const f of sources.filter((f) => !f.endsWith('.ts') && fs.statSync(f).isFile())) fs.cpSync(f, path.join(dir, f));
  fs.symlinkSync(path.resolve('web'), path.join(dir, 'web'));
  project.provide('compiledDir', dir);
  return () => fs.rmSync(dir, { recursive: true, force: true });
}
