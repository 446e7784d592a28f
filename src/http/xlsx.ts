import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import type { FastifyReply } from 'fastify';

export type Column<T> = {
  header: string;
  width?: number;
  value: (row: T) => string | number | Date | null | undefined;
};

/**
 * Text that a spreadsheet would read as a formula is prefixed with ' so it stays text (CSV/formula
 * injection): = + - @ tab or CR first, in ASCII or in a form that reads as one (full-width ＝ ＋ － ＠,
 * small ﹦ ﹢ ﹣ ﹫: whatever NFKC maps to them).
 */
export function neutralise(v: string): string {
  return /^[=+\-@\t\r]/.test(v.slice(0, 2).normalize('NFKC')) ? `'${v}` : v;
}

/**
 * Streams an xlsx download: rows are written as they arrive, so an export of any length
 * keeps memory flat.
 */
export type ExtraSheet = { name: string; headers: string[]; rows: (string | number | null)[][] };

export async function sendXlsx<T>(
  reply: FastifyReply,
  filename: string,
  sheet: string,
  columns: Column<T>[],
  rows: AsyncIterable<T> | Iterable<T>,
  extra: ExtraSheet[] = [],
) {
  const stream = new PassThrough();
  reply
    .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(filename)}`)
    .send(stream);
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useStyles: true });
  const ws = wb.addWorksheet(sheet, { views: [{ state: 'frozen', ySplit: 1 }] });
  // Headers too: some come from an uploaded file (the error report's 待修正数据).
  ws.columns = columns.map((c) => ({ header: neutralise(c.header), width: c.width ?? 16 }));
  ws.getRow(1).font = { bold: true };
  ws.getRow(1).commit();
  for await (const row of rows) {
    ws.addRow(
      columns.map((c) => {
        const v = c.value(row);
        return typeof v === 'string' ? neutralise(v) : (v ?? null);
      }),
    ).commit();
  }
  ws.commit();
  for (const x of extra) {
    const s = wb.addWorksheet(x.name);
    s.columns = x.headers.map((h) => ({ header: neutralise(h), width: Math.max(12, h.length * 2 + 2) }));
    s.getRow(1).font = { bold: true };
    s.getRow(1).commit();
    for (const r of x.rows) s.addRow(r.map((v) => (typeof v === 'string' ? neutralise(v) : v))).commit();
    s.commit();
  }
  await wb.commit();
  return reply;
}
