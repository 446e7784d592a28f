import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, readGraph } from './imports.js';

/**
 * Thin routes (issue 19): a file that registers routes parses, authorizes and calls a named read
 * (`queries.ts`) or write (`writes.ts`); it builds no SQL itself. "Registers routes" = it takes a
 * FastifyInstance; "builds SQL" = a Kysely statement or an sql`` fragment. 604 statements sat in
 * route handlers when issue 19 was filed; none does now.
 */
const SQL = /\.(selectFrom|insertInto|updateTable|deleteFrom)\(|\bsql`|\bsql<[^>]*>`/g;
const REGISTERS = /\bapp: FastifyInstance\b/;

/** Counts the statements a source text builds. */
function sqlCalls(text: string): number {
  return text.match(SQL)?.length ?? 0;
}

describe('thin routes', () => {
  const files = readGraph().files.filter((f) => f.startsWith('src/') && !/\.test\.tsx?$/.test(f));
  const registering = files.filter((f) => REGISTERS.test(fs.readFileSync(path.join(ROOT, f), 'utf8')));

  it('finds the route files', () => {
    expect(registering).toContain('src/features/orgs/routes.ts');
    expect(registering.length).toBeGreaterThan(40);
  });

  it('no file that registers routes builds SQL', () => {
    expect(registering.filter((f) => sqlCalls(fs.readFileSync(path.join(ROOT, f), 'utf8')) > 0)).toEqual([]);
  });

  it('recognises a statement and an sql fragment', () => {
    expect(sqlCalls("await db.selectFrom('entity').selectAll()")).toBe(1);
    expect(sqlCalls('q.orderBy(sql`h.flagged_at IS NULL`); sql<number>`count(*)`')).toBe(2);
    expect(sqlCalls("import { sql } from 'kysely'; // selectFrom in a comment")).toBe(0);
  });
});
