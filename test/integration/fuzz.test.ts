import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkRow, inputs, readOne, rowInputs } from '../helpers/fuzz.js';

/**
 * A short fuzz run over the CSV and XLSX readers and the import row schema (the long run:
 * `npm run bench -- fuzz`). Every input ends in rows or a Chinese refusal; nothing throws
 * anything else, and memory stays bounded.
 */
describe('import parsers under fuzzing', () => {
  it('read random, generated and mutated files to rows or a Chinese error', async () => {
    const before = process.memoryUsage().rss;
    const seen = { rows: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(inputs, async ({ ext, content }) => {
        const r = await readOne(content, ext);
        seen[r.kind === 'rows' ? 'rows' : 'refused']++;
      }),
      { numRuns: 150, seed: 20260601 },
    );
    expect(seen.rows + seen.refused).toBe(150);
    expect(seen.rows).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
    expect(process.memoryUsage().rss - before).toBeLessThan(300 * 1024 ** 2);
  }, 180_000);

  it('validate random rows with the row schema: a value or Chinese messages', () => {
    fc.assert(
      fc.property(rowInputs, (r) => checkRow(r)),
      { numRuns: 2000, seed: 20260601 },
    );
  });
});
