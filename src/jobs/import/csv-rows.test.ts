import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../domain/random.js';
import { parse } from 'csv-parse/sync';
import { csvRows, SourceError } from './sources.js';

/** A seeded generator, so a failure replays. */
const rng = (seed: number) => seededRandom(seed).next;

/** What csv-parse alone gives (the reader's options), or its error code. */
function reference(bytes: Buffer): string[][] | string {
  try {
    const records: unknown = parse(bytes, {
      bom: true,
      relax_column_count: true,
      relax_quotes: true,
      trim: false,
      record_delimiter: ['\r\n', '\n', '\r'],
    });
    return records as string[][];
  } catch (err) {
    return (err as { code: string }).code;
  }
}

async function read(bytes: Buffer, chunk: number): Promise<string[][] | string> {
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunk) parts.push(bytes.subarray(i, i + chunk));
  const out: string[][] = [];
  try {
    for await (const rec of csvRows(Readable.from(parts, { objectMode: false }))) out.push(rec);
  } catch (err) {
    if (err instanceof SourceError) return 'refused';
    throw err;
  }
  return out;
}

const PIECES = [
  'a',
  'b',
  '92320102MA1X',
  '已报送',
  '2024',
  ' ',
  '',
  ',',
  ',',
  ',',
  '\n',
  '\n',
  '\r\n',
  '\r',
  '\n\r',
  '\ufeff',
  '\u0000',
];
const QUOTED = ['"x"', '"a,b"', '"q""q"', '"line\nbreak"', 'x"y', '"unclosed'];

describe('the CSV reader', () => {
  it('reads a file without quotes exactly as csv-parse does, however the stream is chunked', async () => {
    const next = rng(18);
    for (let n = 0; n < 400; n++) {
      const parts: Buffer[] = [];
      if (next() < 0.2) parts.push(Buffer.from([0xef, 0xbb, 0xbf]));
      const len = Math.floor(next() * 80);
      for (let k = 0; k < len; k++) {
        if (next() < 0.03)
          parts.push(Buffer.from([0xe5, 0xb7])); // a character cut short: undecodable
        else parts.push(Buffer.from(PIECES[Math.floor(next() * PIECES.length)]));
      }
      const bytes = Buffer.concat(parts);
      const want = reference(bytes);
      for (const chunk of [1, 2, 3, 7, 64, 65536]) {
        const got = await read(bytes, chunk);
        // Undecodable bytes: both give U+FFFD (the reader refuses such a row); counts may differ.
        const norm = (r: string[][] | string) =>
          typeof r === 'string' ? r : r.map((c) => c.map((x) => x.replace(/\ufffd+/g, '\ufffd')));
        expect(norm(got), `${JSON.stringify(bytes.toString('latin1'))} in chunks of ${chunk}`).toEqual(norm(want));
      }
    }
  }, 120_000);

  it('hands a file with quotes to csv-parse from the line of the first quote, and counts lines from the file start', async () => {
    const next = rng(7);
    for (let n = 0; n < 200; n++) {
      const lines = Array.from({ length: 1 + Math.floor(next() * 8) }, () => {
        const cells = Array.from({ length: 1 + Math.floor(next() * 4) }, () =>
          next() < 0.15 ? QUOTED[Math.floor(next() * QUOTED.length)] : PIECES[Math.floor(next() * 4)],
        );
        return cells.join(',');
      });
      const bytes = Buffer.from(lines.join(next() < 0.5 ? '\n' : '\r\n'));
      const want = reference(bytes);
      for (const chunk of [1, 5, 65536]) {
        const got = await read(bytes, chunk);
        expect(got, `${JSON.stringify(bytes.toString())} in chunks of ${chunk}`).toEqual(
          typeof want === 'string' ? 'refused' : want,
        );
      }
    }
    const bad = Buffer.from('a,b\nc,d\n\ne,"f\n');
    await expect(
      (async () => {
        for await (const _ of csvRows(Readable.from([bad]))) void _;
      })(),
    ).rejects.toThrow('第 4 行附近');
  }, 120_000);
});
