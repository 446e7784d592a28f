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

describe('spreadsheet exports: dates', () => {
  it('writes dates and times as Excel dates with a date format, so they sort and filter as dates', async () => {
    type Row = { on: string | null; at: string; when: Date; raw: string };
    const rows: Row[] = [
      { on: '2026-03-05', at: '2026-03-05 08:30', when: new Date('2026-03-05T16:30:05Z'), raw: '2026-03-05' },
      { on: '2026-02-30', at: '2026-03-05 24:10', when: new Date('2026-03-05T00:00:00Z'), raw: 'x' },
      { on: null, at: '2026-03', when: new Date(Number.NaN), raw: '' },
    ];
    const wb = await sent((reply) =>
      sendXlsx<Row>(
        reply,
        'd.xlsx',
        '日期',
        [
          { header: '日期', width: 12, value: (r) => r.on },
          { header: '时间', width: 18, value: (r) => r.at },
          { header: '时刻', width: 20, value: (r) => r.when },
          { header: '原值', value: (r) => r.raw, text: true },
        ],
        rows,
      ),
    );
    const ws = wb.getWorksheet('日期')!;
    const [on, at, when, raw] = [1, 2, 3, 4].map((c) => ws.getRow(2).getCell(c));
    expect(on.value).toEqual(new Date('2026-03-05T00:00:00Z'));
    expect(on.numFmt).toBe('yyyy-mm-dd');
    expect(at.value).toEqual(new Date('2026-03-05T08:30:00Z'));
    expect(at.numFmt).toBe('yyyy-mm-dd hh:mm');
    // A moment is put on the deployment's clock (Asia/Shanghai: 16:30:05Z is 00:30:05 the next day).
    expect(when.value).toEqual(new Date('2026-03-06T00:30:05Z'));
    expect(when.numFmt).toBe('yyyy-mm-dd hh:mm:ss');
    // A value quoted from an uploaded file stays as written.
    expect(raw.value).toBe('2026-03-05');
    // What is not a real day or time stays text; nothing stays nothing.
    expect([1, 2].map((c) => ws.getRow(3).getCell(c).value)).toEqual(['2026-02-30', '2026-03-05 24:10']);
    expect([1, 2, 3].map((c) => ws.getRow(4).getCell(c).value)).toEqual([null, '2026-03', null]);
    // The widths asked for are kept: a date fits in 12, a time with seconds in 20.
    expect([1, 2, 3].map((c) => ws.getColumn(c).width)).toEqual([12, 18, 20]);
  });
});

describe('spreadsheet exports: other requests', () => {
  it('are served while a long export is written (a 40,000-row export held them for 5.4 s, issue 18)', async () => {
    const order: string[] = [];
    const slow = (i: number) => {
      order.push(`row ${i}`);
      // Longer than a slice of the event loop: the writing must let other work in after it.
      for (const start = performance.now(); performance.now() - start < 30;);
      return i;
    };
    setImmediate(() => order.push('another request'));
    await sent((reply) => sendXlsx<number>(reply, 'n.xlsx', '行', [{ header: '行', value: slow }], [1, 2, 3]));
    expect(order.indexOf('another request')).toBeGreaterThan(order.indexOf('row 1'));
    expect(order.indexOf('another request')).toBeLessThan(order.indexOf('row 2'));
  });
});
