import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SelectQueryBuilder } from 'kysely';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import type { Scoped } from '../db/scoped.js';
import { today } from '../domain/time/zone.js';
import { Problem } from './errors.js';
import { sendXlsx, type Column } from './xlsx.js';

/**
 * The most rows one list export writes (XGZ_EXPORT_MAX_ROWS, set at start-up by the export gate). The
 * rows are read and held before the first is written (the export is audited with their number, in
 * the read's transaction), and the gate lets four exports run at once; a sheet holds 1,048,576. A
 * list longer than this is refused, not cut: the exports once stopped at 100,000 or 200,000 rows
 * without a word, so a province's or a city's unfiltered ledger came out short and looked whole
 * (issue 18).
 */
let maxRows = 200_000;
export const setExportMaxRows = (n: number) => {
  maxRows = n;
};
/** What an export's read asks for: one row past the most, so that a longer list is known to be longer. */
export const exportReadRows = () => maxRows + 1;

/** 422 in Chinese: the list is longer than an export holds. */
function tooLong(): Problem {
  const most = maxRows.toLocaleString('en-US');
  return new Problem(
    422,
    '导出条数超过上限',
    `筛选结果超过 ${most} 条，单次导出最多 ${most} 条。请加上县区、基层所、状态等筛选条件，分批导出`,
    undefined,
    'export_too_large',
  );
}

/** The rows as read with exportReadRows(), or 422 in Chinese when the list is longer than an export holds. */
export function exportable<T>(rows: T[]): T[] {
  if (rows.length <= maxRows) return rows;
  throw tooLong();
}

/**
 * The same 422 before the rows are read, from the list's keys alone (`keys`: the filtered rows, no
 * joins, no columns beyond a key): refused only after its rows were read and held, a province's
 * unfiltered ledger took 22 s and 80–165 MB to be told so (`npm run bench -- export`). For the lists
 * that reach a province's size; exportable() still guards the read itself.
 */
export async function refuseLongExport<D, T extends keyof D, O>(keys: SelectQueryBuilder<D, T, O>): Promise<void> {
  if (await keys.clearOrderBy().offset(maxRows).limit(1).executeTakeFirst()) throw tooLong();
}

/** A list's Excel export, as every list has it: one shape, so none forgets the audit or the scope. */
export type ListExport<Q extends z.ZodType, T> = {
  path: string;
  query: Q;
  /** Who may export: the list's readers (data.read) unless said otherwise. */
  access?: 'data.read' | 'audit.read';
  tags: string[];
  summary: string;
  /** The audit action (and its object type): who exported which list, filtered how, how many rows. */
  action: string;
  objectType: string;
  /** The rows, read in the caller's scope, at most exportReadRows() of them. */
  read: (db: Scoped['db'], query: z.output<Q>, req: FastifyRequest) => Promise<T[]>;
  /** The file's name before its date: 党组织台账 → 党组织台账-2026-12-06.xlsx. */
  file: string;
  sheet: string;
  columns: Column<T>[];
};

/**
 * GET path → the rows the filters select as xlsx, read in the caller's scope and audited in the same
 * transaction; the export gate (http/export-gate.ts) holds a slot for it as for every …/export.
 */
export function listExportRoute<Q extends z.ZodType, T>(app: FastifyInstance, e: ListExport<Q, T>): void {
  app.withTypeProvider<ZodTypeProvider>().get(e.path, {
    config: { access: e.access ?? 'data.read' },
    schema: { tags: e.tags, summary: e.summary, querystring: e.query },
    handler: async (req, reply) => {
      const query = req.query as z.output<Q>;
      const rows = await req.scoped(async ({ db, audit }) => {
        const items = exportable(await e.read(db, query, req));
        audit({ action: e.action, objectType: e.objectType, detail: { filters: query, rows: items.length } });
        return items;
      });
      return sendXlsx(reply, `${e.file}-${today()}.xlsx`, e.sheet, e.columns, rows);
    },
  });
}
