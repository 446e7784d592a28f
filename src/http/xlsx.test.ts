import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import type { FastifyReply } from 'fastify';
import { describe, expect, it } from 'vitest';
import { neutralise, sendXlsx } from './xlsx.js';

/** What sendXlsx streams, as a workbook read back. */
async function sent(run: (reply: FastifyReply) => Promise<unknown>): Promise<ExcelJS.Workbook> {
  const chunks: Buffer[] = [];
  let done!: Promise<void>;
  const reply = {
    header: () => reply,
    send: (s: PassThrough) => {
      done = new Promise((ok) => s.on('data', (c: Buffer) => chunks.push(c)).on('end', ok));
      return reply;
    },
  } as unknown as FastifyReply;
  await run(reply);
  await done;
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.concat(chunks) as never);
  return wb;
}

const cells = (ws: ExcelJS.Worksheet) => {
  const out: string[] = [];
  ws.eachRow((r) => r.eachCell((c) => out.push(c.text)));
  return out;
};

describe('spreadsheet exports: formula injection', () => {
  it('neutralises = + - @ first, in ASCII and in their full-width and small forms (round-5 probe)', () => {
    for (const v of [
      '=1+1',
      '+1',
      '-1',
      '@SUM(1)',
      '\t=1',
      '＝HYPERLINK("http://evil.example")',
      '＋1',
      '－1',
      '＠SUM(1)',
      '﹦1',
      '﹢1',
      '﹣1',
      '﹫x',
    ])
      expect(neutralise(v), v).toBe(`'${v}`);
    for (const v of ['张三', '1,380,000元', '2024－03－05', '（＝）', '']) expect(neutralise(v), v).toBe(v);
  });

  it('neutralises header cells, of the main sheet and of a sheet whose headers came from an uploaded file', async () => {
    const wb = await sent((reply) =>
      sendXlsx(
        reply,
        'e.xlsx',
        '错误明细',
        [{ header: '＝1+1', value: (r: { a: string }) => r.a }],
        [{ a: '＝HYPERLINK("http://evil.example")' }],
        [{ name: '待修正数据', headers: ['=HYPERLINK("http://evil.example"', '名称'], rows: [['@SUM(1+1)', '店']] }],
      ),
    );
    expect(cells(wb.getWorksheet('错误明细')!)).toEqual(["'＝1+1", `'＝HYPERLINK("http://evil.example")`]);
    expect(cells(wb.getWorksheet('待修正数据')!)).toEqual([
      `'=HYPERLINK("http://evil.example"`,
      '名称',
      "'@SUM(1+1)",
      '店',
    ]);
  });
});
