import ExcelJS from 'exceljs';
import type { FastifyReply } from 'fastify';
import { INDICATORS, type IndicatorKey } from '../../domain/indicators/registry.js';
import { headerGroups, type ReportForm } from '../../domain/reports/forms.js';
import { neutralise } from '../../http/xlsx.js';

export type SheetMeta = {
  unit: string;
  period: string;
  source: string;
  preparer: string;
  date: string;
  version: string;
  note: string | null;
};
type Row = { name: string } & Partial<Record<IndicatorKey, number | null>>;

const THIN = { style: 'thin' } as const;
const BORDER = { top: THIN, left: THIN, bottom: THIN, right: THIN };

/**
 * A statistical report as an official-looking sheet: the form's title, the unit and period, a
 * three-row header (indicator group, indicator, unit) with merged cells, one line per row of the
 * report, and the preparer, date and version below. Built in memory (merging needs the whole
 * sheet; a report has at most a few hundred lines). Rates are fractions formatted as percentages.
 */
export async function reportWorkbook(form: ReportForm, meta: SheetMeta, rows: Row[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(form.title.slice(0, 31), {
    pageSetup: { orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, paperSize: 9 },
  });
  const width = form.columns.length + 1;
  ws.mergeCells(1, 1, 1, width);
  Object.assign(ws.getCell(1, 1), {
    value: form.title,
    font: { bold: true, size: 16 },
    alignment: { horizontal: 'center' },
  });
  ws.mergeCells(2, 1, 2, width);
  ws.getCell(2, 1).value = neutralise(
    `填报单位：${meta.unit}    报告期：${meta.period}    数据来源：${meta.source}    计量单位：见表头`,
  );
  // Header: column A spans the three header rows; each group label spans its indicators.
  ws.mergeCells(3, 1, 5, 1);
  ws.getCell(3, 1).value = '辖区';
  let col = 2;
  for (const g of headerGroups(form)) {
    if (g.columns.length > 1) ws.mergeCells(3, col, 3, col + g.columns.length - 1);
    ws.getCell(3, col).value = g.label;
    for (const k of g.columns) {
      ws.getCell(4, col).value = INDICATORS[k].label;
      ws.getCell(5, col).value = INDICATORS[k].unit;
      col++;
    }
  }
  for (let r = 3; r <= 5; r++)
    for (let c = 1; c <= width; c++) {
      Object.assign(ws.getCell(r, c), {
        font: { bold: r < 5 },
        alignment: { horizontal: 'center', vertical: 'middle', wrapText: true },
        border: BORDER,
        fill: { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFF2F2F2' } },
      });
    }
  ws.getRow(4).height = 42;
  rows.forEach((row, i) => {
    const r = ws.getRow(6 + i);
    r.getCell(1).value = neutralise(row.name);
    form.columns.forEach((k, j) => {
      const cell = r.getCell(j + 2);
      cell.value = row[k] ?? null;
      if (INDICATORS[k].kind === 'rate') cell.numFmt = '0.00%';
    });
    for (let c = 1; c <= width; c++) r.getCell(c).border = BORDER;
    if (i === rows.length - 1) r.font = { bold: true };
  });
  const foot = 6 + rows.length + 1;
  ws.mergeCells(foot, 1, foot, width);
  ws.getCell(foot, 1).value = neutralise(`填报人：${meta.preparer}    填报日期：${meta.date}    版本：${meta.version}`);
  if (meta.note) {
    ws.mergeCells(foot + 1, 1, foot + 1, width);
    ws.getCell(foot + 1, 1).value = neutralise(`填报说明：${meta.note}`);
  }
  ws.getColumn(1).width = 22;
  for (let c = 2; c <= width; c++) ws.getColumn(c).width = 11;
  ws.views = [{ state: 'frozen', xSplit: 1, ySplit: 5 }];
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export function sendWorkbook(reply: FastifyReply, filename: string, file: Buffer) {
  return reply
    .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(filename)}`)
    .send(file);
}
