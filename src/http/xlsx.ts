import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import type { FastifyReply } from 'fastify';
import { localDateTime } from '../domain/time/zone.js';
import { turns } from './event-loop.js';

export type Column<T> = {
  header: string;
  width?: number;
  value: (row: T) => string | number | Date | null | undefined;
  /** Written as given, even when it reads as a date (a value quoted from an uploaded file). */
  text?: boolean;
};

type CellValue = string | number | Date | null;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const MOMENT = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})(?::(\d{2}))?$/;
export const DATE_FORMAT = 'yyyy-mm-dd';
export const DATETIME_FORMAT = 'yyyy-mm-dd hh:mm';

/**
 * A value as its cell: a date (YYYY-MM-DD) or a time (YYYY-MM-DD HH:mm[:ss], as the exports write the
 * deployment's wall clock; a Date is first put on that clock) becomes a real Excel date with its
 * number format, so a clerk can sort and filter by it; text that would read as a formula is
 * neutralised; anything else is written as it is. Excel dates carry no zone: ExcelJS writes a Date
 * by its UTC fields, so the wall-clock fields are given as UTC.
 */
export function cellOf(v: string | number | Date | null | undefined): { value: CellValue; numFmt?: string } {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? { value: null } : cellOf(localDateTime(v, true));
  if (typeof v !== 'string') return { value: v ?? null };
  const m = DAY.exec(v) ?? MOMENT.exec(v);
  if (m) {
    const [y, mo, d, h, mi, sec] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0));
    const at = new Date(Date.UTC(y, mo - 1, d, h, mi, sec));
    // 2026-02-30 (or 24:00) has the form but is no moment: it stays text, as written.
    if (at.toISOString().slice(0, 10) === v.slice(0, 10) && h < 24 && mi < 60 && sec < 60)
      return {
        value: at,
        numFmt: m[4] === undefined ? DATE_FORMAT : m[6] === undefined ? DATETIME_FORMAT : `${DATETIME_FORMAT}:ss`,
      };
  }
  return { value: neutralise(v) };
}

/**
 * Text that a spreadsheet would read as a formula is prefixed with ' so it stays text (CSV/formula
 * injection): = + - @ tab or CR first, in ASCII or in a form that reads as one (full-width ＝ ＋ － ＠,
 * small ﹦ ﹢ ﹣ ﹫: whatever NFKC maps to them).
 */
export function neutralise(v: string): string {
  return /^[=+\-@\t\r]/.test(v.slice(0, 2).normalize('NFKC')) ? `'${v}` : v;
}

/** A further sheet after the rows' own (a program's entities, a campaign's activities). */
export type ExtraSheet = { name: string; headers: string[]; rows: (string | number | null)[][] };

/**
 * Streams an xlsx download: each row is written as it arrives (the file is never built whole
 * beside the rows), giving other requests their turns: the writing (decrypting, masking,
 * zipping) is synchronous work.
 */
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
  // One style object per number format, shared by the cells: ExcelJS knows a style it has seen by the
  // object, and worked out each cell's own anew (a third of a province's export).
  const styles = new Map<string | undefined, Partial<ExcelJS.Style>>();
  const styleOf = (numFmt: string | undefined) => {
    if (!styles.has(numFmt)) styles.set(numFmt, numFmt ? { numFmt } : {});
    return styles.get(numFmt)!;
  };
  const turn = turns();
  for await (const row of rows) {
    const cells = columns.map((c) => {
      const v = c.value(row);
      return c.text && typeof v === 'string' ? { value: neutralise(v) } : cellOf(v);
    });
    const r = ws.addRow(cells.map((c) => c.value));
    cells.forEach((c, i) => (r.getCell(i + 1).style = styleOf(c.numFmt)));
    r.commit();
    await turn();
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
