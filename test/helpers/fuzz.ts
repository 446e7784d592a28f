import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import type { z } from 'zod';
import { openSource, SourceError, DEFAULT_LIMITS } from '../../src/jobs/import/sources.js';
import { mapHeaders, TEMPLATES, type ImportKind } from '../../src/jobs/import/templates.js';
import { annualReportRow, registryRow, rosterRow } from '../../src/domain/ledger/rows.js';
import { creditRow } from '../../src/domain/ledger/credit-rows.js';
import { buildXlsx, buildZip } from './zip.js';

/**
 * The parser fuzz harness (issue 16), shared by the short run in the test suite and the long run
 * of `npm run bench -- fuzz`. An input is a file (random, generated or a mutated valid one); it
 * passes when reading it ends either in rows — each validated by the import row schema, which
 * answers with a value or Chinese messages — or in a SourceError with a Chinese message. Anything
 * else (another exception, a hang, an unbounded allocation) is a failure.
 */
const CJK = /[\u4e00-\u9fff]/;
const SCHEMAS: Record<ImportKind, z.ZodType> = {
  registry: registryRow,
  annual_report: annualReportRow,
  roster: rosterRow,
  abnormal_list: creditRow,
  untrustworthy_list: creditRow,
};
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xgz-fuzz-'));
let seq = 0;

export type Outcome = { kind: 'rows'; rows: number; rejected: number } | { kind: 'refused'; message: string };

/** Reads one input as the import would (first 2,000 rows) and validates each row; throws on any failure of the contract. */
export async function readOne(content: Buffer, ext: 'csv' | 'xlsx', kind: ImportKind = 'registry'): Promise<Outcome> {
  const file = path.join(dir, `in-${process.pid}-${++seq}.${ext}`);
  fs.writeFileSync(file, content);
  try {
    const source = await openSource(file, `上传.${ext}`, { ...DEFAULT_LIMITS, maxRows: 100_000 });
    const { index, missing } = mapHeaders(kind, source.headers);
    // The pipeline refuses such a file before reading a row (a Chinese message naming the columns).
    if (missing.length) return { kind: 'refused', message: `缺少必需的列：${missing.map((m) => m.label).join('、')}` };
    let rows = 0;
    let rejected = 0;
    for await (const { cells } of source.rows) {
      const input: Record<string, string> = {};
      for (const [field, i] of index) input[field] = cells[i] ?? '';
      const parsed = SCHEMAS[kind].safeParse(input);
      if (!parsed.success) {
        rejected++;
        for (const issue of parsed.error.issues)
          if (!CJK.test(issue.message)) throw new Error(`row schema message not in Chinese: ${issue.message}`);
      }
      if (++rows >= 2000) break;
    }
    return { kind: 'rows', rows, rejected };
  } catch (err) {
    if (err instanceof SourceError && CJK.test(err.message)) return { kind: 'refused', message: err.message };
    throw err;
  } finally {
    fs.rmSync(file, { force: true });
  }
}

const headers = TEMPLATES.registry.columns.map((c) => c.header);
const cell = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.constantFrom(
    '',
    '92320102MA1PX7EB3T',
    '11010519491231002X',
    '13812345678',
    '2026-01-01',
    '个体工商户',
    '企业',
    '320102',
    '=cmd|"/C calc"!A0',
    '"',
    '""',
    '\r\n',
    '\u0000',
    '\uFEFF',
    '\uD800',
  ),
);
const table = fc
  .array(fc.array(cell, { maxLength: headers.length + 2 }), { maxLength: 12 })
  .chain((rows) => fc.subarray(headers, { minLength: 0 }).map((hs) => [hs, ...rows]));

const csvText = (rows: string[][], eol: string) =>
  rows.map((r) => r.map((v) => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v)).join(',')).join(eol);

/** Byte-level mutations of a valid file: flips, cuts, insertions, duplicated ranges. */
const mutate = (base: Buffer) =>
  fc
    .array(
      fc.oneof(
        fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
        fc.record({ op: fc.constant('cut' as const), at: fc.nat() }),
        fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 16 }) }),
        fc.record({ op: fc.constant('dup' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 64 }) }),
      ),
      { minLength: 1, maxLength: 6 },
    )
    .map((ops) => {
      let b = Buffer.from(base);
      for (const o of ops) {
        const at = b.length ? o.at % b.length : 0;
        if (o.op === 'flip' && b.length) b[at] ^= 1 << o.bit;
        else if (o.op === 'cut') b = b.subarray(0, at);
        else if (o.op === 'insert') b = Buffer.concat([b.subarray(0, at), Buffer.from(o.bytes), b.subarray(at)]);
        else if (o.op === 'dup') b = Buffer.concat([b.subarray(0, at + o.len), b.subarray(at)]);
      }
      return b;
    });

const validCsv = Buffer.from(
  `\uFEFF${headers.join(',')}\r\n92320102MA1PX7EB3T,测试店,个体工商户,2020-01-01,320102\r\n`,
);
const validXlsx = buildXlsx([
  headers.slice(0, 5),
  ['92320102MA1PX7EB3T', '测试店', '个体工商户', '2020-01-01', '320102'],
]);

/** Every kind of input, each with the extension it is offered under. */
export const inputs: fc.Arbitrary<{ ext: 'csv' | 'xlsx'; content: Buffer; how: string }> = fc.oneof(
  fc
    .uint8Array({ maxLength: 4096 })
    .map((b) => ({ ext: 'csv' as const, content: Buffer.from(b), how: 'random bytes as csv' })),
  fc
    .uint8Array({ maxLength: 4096 })
    .map((b) => ({ ext: 'xlsx' as const, content: Buffer.from(b), how: 'random bytes as xlsx' })),
  fc.tuple(table, fc.constantFrom('\r\n', '\n', '\r'), fc.boolean()).map(([rows, eol, bom]) => ({
    ext: 'csv' as const,
    content: Buffer.from((bom ? '\uFEFF' : '') + csvText(rows, eol)),
    how: 'generated csv',
  })),
  table.map((rows) => ({
    ext: 'xlsx' as const,
    content: buildXlsx(rows.length ? rows : [['']]),
    how: 'generated xlsx',
  })),
  mutate(validCsv).map((content) => ({ ext: 'csv' as const, content, how: 'mutated csv' })),
  mutate(validXlsx).map((content) => ({ ext: 'xlsx' as const, content, how: 'mutated xlsx' })),
  fc
    .array(
      fc.record({
        name: fc.constantFrom(
          'xl/sharedStrings.xml',
          'xl/workbook.xml',
          'xl/worksheets/sheet1.xml',
          '[Content_Types].xml',
          '../../etc/passwd',
          'a',
        ),
        data: fc.string({ maxLength: 200 }),
        declaredSize: fc.option(fc.nat(), { nil: undefined }),
      }),
      { maxLength: 6 },
    )
    .map((parts) => ({ ext: 'xlsx' as const, content: buildZip(parts), how: 'random zip parts' })),
);

/** A row of random text through each row schema: a value or Chinese messages, never an exception. */
export const rowInputs = fc.constantFrom<ImportKind>('registry', 'annual_report', 'roster').chain((kind) =>
  // As the pipeline builds it: every column the file has mapped (the required ones always) as text.
  fc
    .record(Object.fromEntries(TEMPLATES[kind].columns.map((c) => [c.field, cell])), {
      requiredKeys: TEMPLATES[kind].columns.filter((c) => c.required).map((c) => c.field),
    })
    .map((row) => ({ kind, row: row })),
);

export function checkRow({ kind, row }: { kind: ImportKind; row: Record<string, string> }): void {
  const parsed = SCHEMAS[kind].safeParse(row);
  if (!parsed.success)
    for (const issue of parsed.error.issues)
      if (!CJK.test(issue.message)) throw new Error(`row schema message not in Chinese: ${issue.message}`);
}
