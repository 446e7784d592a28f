import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import type { Scoped } from '../db/scoped.js';
import { today } from '../domain/time/zone.js';
import { sendXlsx, type Column } from './xlsx.js';

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
  /** The rows, read in the caller's scope. */
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
        const items = await e.read(db, query, req);
        audit({ action: e.action, objectType: e.objectType, detail: { filters: query, rows: items.length } });
        return items;
      });
      return sendXlsx(reply, `${e.file}-${today()}.xlsx`, e.sheet, e.columns, rows);
    },
  });
}
