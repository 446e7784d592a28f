import path from 'node:path';
import ts from 'typescript6';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { BACKENDS, freshDatabase } from '../helpers/db.js';

/**
 * The hand-written Kysely types (src/db/schema*.ts) against the migrated database's catalog: the
 * same tables, the same columns, and a column may be null in the types exactly when it is nullable
 * in the database. The types are read with the TypeScript API (Selectable<DB[table]>, so
 * ColumnType and Generated resolve as Kysely sees them).
 */
/** table → column → nullable; 'any' where the type says nothing (unknown, any: JSON columns). */
type Columns = Record<string, Record<string, boolean | 'any'>>;

function declaredColumns(): Columns {
  const root = path.resolve(import.meta.dirname, '../..');
  const probe = path.join(root, 'src/db/__schema_probe__.ts');
  const text = `import type { Selectable } from 'kysely';\nimport type { DB } from './schema.js';\nexport type Rows = { [K in keyof DB]: Selectable<DB[K]> };\n`;
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2023,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const read = host.readFile.bind(host);
  const exists = host.fileExists.bind(host);
  const source = host.getSourceFile.bind(host);
  host.readFile = (f) => (path.resolve(f) === probe ? text : read(f));
  host.fileExists = (f) => path.resolve(f) === probe || exists(f);
  host.getSourceFile = (f, lang, ...rest) =>
    path.resolve(f) === probe ? ts.createSourceFile(f, text, lang) : source(f, lang, ...rest);
  const program = ts.createProgram([probe], options, host);
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(probe)!;
  const alias = file.statements.find(ts.isTypeAliasDeclaration)!;
  const rows = checker.getTypeAtLocation(alias.name);
  const out: Columns = {};
  for (const table of checker.getPropertiesOfType(rows)) {
    const row = checker.getTypeOfSymbolAtLocation(table, alias);
    out[table.name] = {};
    for (const col of checker.getPropertiesOfType(row)) {
      const t = checker.getTypeOfSymbolAtLocation(col, alias);
      const parts = t.isUnion() ? t.types : [t];
      out[table.name][col.name] = parts.some((p) => (p.flags & (ts.TypeFlags.Unknown | ts.TypeFlags.Any)) !== 0)
        ? 'any'
        : parts.some((p) => (p.flags & ts.TypeFlags.Null) !== 0);
    }
  }
  return out;
}

/** The catalog's tables and views (a view's columns are always "nullable" there: PostgreSQL does not infer it). */
async function catalogColumns(database: Database): Promise<{ columns: Columns; views: Set<string> }> {
  const { rows } = await sql<{ table_name: string; column_name: string; is_nullable: string; table_type: string }>`
    SELECT c.table_name, c.column_name, c.is_nullable, t.table_type
    FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name)
    WHERE c.table_schema = 'public' AND t.table_type IN ('BASE TABLE', 'VIEW') AND c.table_name <> 'schema_migration'
    ORDER BY 1, 2`.execute(database.db);
  const columns: Columns = {};
  for (const r of rows) (columns[r.table_name] ??= {})[r.column_name] = r.is_nullable === 'YES';
  return { columns, views: new Set(rows.filter((r) => r.table_type === 'VIEW').map((r) => r.table_name)) };
}

const declared = declaredColumns();

describe.each(BACKENDS)('Kysely types against the migrated catalog on %s', (backend) => {
  let database: Database;
  let actual: Columns;
  let views: Set<string>;
  beforeAll(async () => {
    database = await freshDatabase(backend);
    ({ columns: actual, views } = await catalogColumns(database));
  });
  afterAll(() => database?.close());

  it('read both sides', () => {
    expect(declared.audit_log.detail).toBe('any');
    expect(Object.keys(declared).length).toBeGreaterThan(40);
    expect(declared.jurisdiction).toMatchObject({ code: false, parent_code: true });
    expect(Object.keys(actual).length).toBeGreaterThan(40);
  });

  it('have the same tables (views may go untyped, but a typed view exists)', () => {
    const tables = Object.keys(actual)
      .filter((t) => !views.has(t))
      .sort();
    expect(
      Object.keys(declared)
        .filter((t) => !views.has(t))
        .sort(),
    ).toEqual(tables);
    expect(Object.keys(declared).filter((t) => !(t in actual))).toEqual([]);
  });

  it('have the same columns with the same nullability', () => {
    const diff: string[] = [];
    for (const table of Object.keys(actual).filter((t) => t in declared)) {
      const nullability = !views.has(table);
      for (const [col, nullable] of Object.entries(actual[table])) {
        if (!(col in declared[table])) diff.push(`${table}.${col}: in the database, not in the types`);
        else if (nullability && declared[table][col] !== 'any' && declared[table][col] !== nullable)
          diff.push(
            `${table}.${col}: ${nullable ? 'nullable' : 'NOT NULL'} in the database, ${declared[table][col] ? 'nullable' : 'not null'} in the types`,
          );
      }
      for (const col of Object.keys(declared[table]))
        if (!(col in actual[table])) diff.push(`${table}.${col}: in the types, not in the database`);
    }
    expect(diff).toEqual([]);
  });
});
