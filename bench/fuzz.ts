/**
 * npm run bench -- fuzz [--runs N] [--rows N] [--seed S]
 *
 * The long fuzz run over the import parsers (the test suite runs a short one): N files — random
 * bytes, generated CSV/XLSX, byte-mutated valid files, random zip parts — each read as the import
 * reads it, and N random rows through the import row schemas. Counts every outcome; a crash (an
 * exception other than a Chinese refusal, an uncaught error), a hang (no end within 30 s) or a
 * resident-memory rise beyond 512 MB is a failure, and the exit code is 1.
 */
import fc from 'fast-check';
import { checkRow, inputs, readOne, rowInputs } from '../test/helpers/fuzz.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const runs = arg('runs', 5000);
const rowRuns = arg('rows', 50_000);
const seed = arg('seed', Date.now() % 2 ** 31);

const uncaught: string[] = [];
process.on('uncaughtException', (err) => void uncaught.push(err.message));
process.on('unhandledRejection', (err) => void uncaught.push(String(err)));

const counts = new Map<string, { rows: number; refused: number; crash: number; hang: number }>();
const failures: string[] = [];
const baseRss = process.memoryUsage().rss;
let peakRss = baseRss;
const started = performance.now();
const samples = fc.sample(inputs, { numRuns: runs, seed });
for (const [i, s] of samples.entries()) {
  const c = counts.get(s.how) ?? counts.set(s.how, { rows: 0, refused: 0, crash: 0, hang: 0 }).get(s.how)!;
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    readOne(s.content, s.ext).then(
      (r) => r.kind,
      (e: Error) => `crash: ${e.message}`,
    ),
    new Promise<string>((res) => (timer = setTimeout(() => res('hang'), 30_000))),
  ]);
  clearTimeout(timer);
  if (outcome === 'rows' || outcome === 'refused') c[outcome]++;
  else if (outcome === 'hang') c.hang++;
  else c.crash++;
  if (outcome !== 'rows' && outcome !== 'refused') failures.push(`#${i} ${s.how} (${s.content.length} B): ${outcome}`);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  if ((i + 1) % 500 === 0) process.stdout.write(`  ${i + 1}/${runs} files…\n`);
}
const fileSeconds = (performance.now() - started) / 1000;
let rowFailures = 0;
const rowStarted = performance.now();
for (const r of fc.sample(rowInputs, { numRuns: rowRuns, seed })) {
  try {
    checkRow(r);
  } catch (e) {
    rowFailures++;
    if (rowFailures <= 5) failures.push(`row ${r.kind}: ${(e as Error).message}`);
  }
}
const rowSeconds = (performance.now() - rowStarted) / 1000;

console.log(
  `\nfuzz (seed ${seed}): ${runs} files in ${fileSeconds.toFixed(1)} s, ${rowRuns} rows in ${rowSeconds.toFixed(1)} s`,
);
console.table(Object.fromEntries([...counts].sort()));
const memMb = Math.round((peakRss - baseRss) / 1024 ** 2);
console.log(`peak RSS rise ${memMb} MB; uncaught errors ${uncaught.length}; row schema failures ${rowFailures}`);
for (const f of [...failures, ...uncaught].slice(0, 20)) console.log(`  FAIL ${f}`);
const crashes = [...counts.values()].reduce((s, c) => s + c.crash + c.hang, 0) + uncaught.length + rowFailures;
console.log(crashes === 0 && memMb < 512 ? 'OK: 0 crashes, 0 hangs' : `FAILED: ${crashes} crashes/hangs`);
process.exit(crashes === 0 && memMb < 512 ? 0 : 1);
