import { describe, expect, it } from 'vitest';
import { FileKeys, keyHashOf } from './file-keys.js';

const noDatabase = null as never; // the in-memory share never reaches the database

describe('FileKeys, in memory', () => {
  it('returns the earlier row of every key seen before, across the table growing', async () => {
    const keys = new FileKeys(1);
    const n = 150_000; // the table starts at 65,536 slots: it grows twice on the way
    for (let from = 0; from < n; from += 10_000) {
      const batch = Array.from({ length: 10_000 }, (_, k) => ({
        hash: keyHashOf(`K${from + k}`),
        rowNo: from + k + 2,
      }));
      expect((await keys.check(noDatabase, batch)).size).toBe(0);
    }
    const again = [7, 65_537, 149_999].map((i) => ({ hash: keyHashOf(`K${i}`), rowNo: n + 10 + i }));
    const fresh = { hash: keyHashOf('never seen'), rowNo: n + 99 };
    const earlier = await keys.check(noDatabase, [again[0], fresh, again[1], again[2]]);
    expect([...earlier]).toEqual([
      [0, 9],
      [2, 65_539],
      [3, 150_001],
    ]);
    // A repeat is not recorded: the key keeps its first row.
    expect([...(await keys.check(noDatabase, [{ hash: again[0].hash, rowNo: 1_000_000 }]))]).toEqual([[0, 9]]);
  });
});
