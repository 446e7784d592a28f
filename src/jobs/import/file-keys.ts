import crypto from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';

/** A key as the per-file duplicate check holds it: 64 bits of its MD5 (collisions are negligible at file sizes). */
export type KeyHash = { hi: number; lo: number };
export const keyHashOf = (key: string): KeyHash => {
  const d = crypto.createHash('md5').update(key).digest();
  return { hi: d.readInt32BE(0), lo: d.readInt32BE(4) };
};
/** The same 64 bits as one signed bigint, as import_key stores them. */
const asBigint = (h: KeyHash) => ((BigInt(h.hi) << 32n) | BigInt(h.lo >>> 0)).toString();

/** Slots of the in-memory table at the start, and at most (a power of two each; half full at most). */
const FIRST_SLOTS = 1 << 16;
export const MAX_SLOTS = 1 << 22;

/**
 * The keys one import run has accepted so far, with the row that had each first: what tells a
 * row repeating an earlier batch's key (a batch's own repeats are found before). The first
 * 2,097,152 keys (MAX_SLOTS / 2) stay in memory, in an open-addressing table of typed arrays
 * (48 MB at most, whatever the file's size); a larger file's further keys go to the import_key
 * table in the batch's transaction, as every key did before: one btree insert per row was a
 * quarter of the database's time in an annual-report import (issue 18). A run that stops starts
 * again from the file's first row with an empty set (the runner clears the job's import_key).
 */
export class FileKeys {
  private hi = new Int32Array(FIRST_SLOTS);
  private lo = new Int32Array(FIRST_SLOTS);
  /** The row that had the key first; 0 marks an empty slot (row numbers start at 1). */
  private row = new Int32Array(FIRST_SLOTS);
  private size = 0;

  constructor(
    private readonly jobId: number,
    private readonly maxSlots = MAX_SLOTS,
  ) {}

  /**
   * Records the keys of a batch (in row order, each key once) and returns, by index, the earlier
   * row of every key seen before; those rows are not recorded.
   */
  async check(db: Transaction<DB>, batch: { hash: KeyHash; rowNo: number }[]): Promise<Map<number, number>> {
    const earlier = new Map<number, number>();
    const spilled: number[] = [];
    batch.forEach((b, i) => {
      const at = this.find(b.hash);
      if (this.row[at]) earlier.set(i, this.row[at]);
      else if (this.size < this.maxSlots / 2) this.put(at, b);
      else spilled.push(i);
    });
    if (spilled.length) for (const [i, rowNo] of await this.checkStored(db, spilled, batch)) earlier.set(i, rowNo);
    return earlier;
  }

  /** The slot holding the hash, or the empty slot where it belongs (linear probing). */
  private find(h: KeyHash): number {
    const mask = this.row.length - 1;
    let at = (h.lo ^ (h.hi >>> 7)) & mask;
    while (this.row[at] && (this.hi[at] !== h.hi || this.lo[at] !== h.lo)) at = (at + 1) & mask;
    return at;
  }

  private put(at: number, b: { hash: KeyHash; rowNo: number }) {
    this.hi[at] = b.hash.hi;
    this.lo[at] = b.hash.lo;
    this.row[at] = b.rowNo;
    if (++this.size * 2 > this.row.length && this.row.length < this.maxSlots) this.grow();
  }

  private grow() {
    const [hi, lo, row] = [this.hi, this.lo, this.row];
    this.hi = new Int32Array(hi.length * 2);
    this.lo = new Int32Array(hi.length * 2);
    this.row = new Int32Array(hi.length * 2);
    for (let s = 0; s < row.length; s++)
      if (row[s]) {
        const at = this.find({ hi: hi[s], lo: lo[s] });
        [this.hi[at], this.lo[at], this.row[at]] = [hi[s], lo[s], row[s]];
      }
  }

  /** Keys beyond the table's share: recorded in import_key; returns those stored before with their row. */
  private async checkStored(db: Transaction<DB>, at: number[], batch: { hash: KeyHash; rowNo: number }[]) {
    const hashes = at.map((i) => asBigint(batch[i].hash));
    const rows = at.map((i) => batch[i].rowNo);
    const seen = await sql<{ i: number; row_no: number }>`
      WITH t AS (SELECT * FROM unnest(${`{${hashes.join(',')}}`}::bigint[], ${`{${rows.join(',')}}`}::int[]) WITH ORDINALITY AS t(h, r, i)),
      ins AS (INSERT INTO import_key (job_id, h, row_no) SELECT ${this.jobId}, h, r FROM t ON CONFLICT DO NOTHING RETURNING h)
      SELECT t.i::int AS i, k.row_no FROM t JOIN import_key k ON k.job_id = ${this.jobId} AND k.h = t.h WHERE NOT EXISTS (SELECT 1 FROM ins WHERE ins.h = t.h)`.execute(
      db,
    );
    return seen.rows.map((s) => [at[s.i - 1], s.row_no] as const);
  }
}
