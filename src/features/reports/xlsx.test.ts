import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { FORMS } from '../../domain/reports/forms.js';
import { reportWorkbook } from './xlsx.js';

const cells = (ws: ExcelJS.Worksheet) => {
  const out: string[] = [];
  ws.eachRow((r) => r.eachCell((c) => out.push(c.text)));
  return out;
};

describe('a report workbook: formula injection', () => {
  it('a report workbook: no cell a user supplied starts with a formula character', async () => {
    const form = Object.values(FORMS)[0];
    const meta = {
      unit: '=HYPERLINK("http://evil.example")',
      period: '2026Q1',
      source: '实时',
      preparer: '＝cmd|calc',
      date: '2026-04-01',
      version: '1',
      note: '＋1',
    };
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await reportWorkbook(form, meta, [{ name: '＠SUM(1)' }])) as never);
    // The unit and preparer sit behind a fixed label (填报单位：, 填报人：); the row names are the caller's.
    for (const v of cells(wb.worksheets[0])) expect(/^[=+\-@]/.test(v.slice(0, 2).normalize('NFKC')), v).toBe(false);
    expect(cells(wb.worksheets[0])).toContain("'＠SUM(1)");
  });
});
