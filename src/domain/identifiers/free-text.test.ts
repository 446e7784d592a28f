import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fileNameForOthers, redactFreeText } from './free-text.js';

describe('free text: personal numbers masked', () => {
  it('masks ID numbers and phones wherever they are typed', () => {
    const r = redactFreeText(
      '我叫张三，身份证11010519491231002X，电话13812345678，座机 025-84561234，另一个 138 1234 5678 和 +86 139-8765-4321。',
    );
    expect(r.found).toBe(5);
    expect(r.text).not.toMatch(/11010519491231002X|13812345678|84561234|1234 5678|8765-4321/);
    expect(r.text).toContain('110105********002X');
    expect(r.text).toContain('138****5678');
  });

  it('masks numbers typed in other groupings or in full-width digits', () => {
    for (const typed of [
      '身份证 3201 0519 9802 1913 08',
      '３２０１０５１９９８０２１９１３０８',
      '32010519980219130８',
      '电话１８６８０５４４５８８',
      '186 80 54 45 88',
      '我的身份证 320102.19980219.1308',
      '身份证320102_199802191308',
      '320102/1998/0219/1308',
      '电话 186.8054.4588',
      '电话186，8054，4588',
      '186_8054_4588',
      '身份证320102.19980219.1308，手机186.8054.4588',
    ])
      expect(redactFreeText(typed).text, typed).not.toMatch(/19980219|1998 ?02|0544|54 ?45/);
  });

  it('leaves dates, amounts, order numbers and short numbers alone', () => {
    const text = '2026年3月5日在12号站点，欠薪3500元，订单号 A2026030512345678901，工号 10086。';
    expect(redactFreeText(text)).toEqual({ text, found: 0 });
  });

  it('never leaves an 11-digit mobile or an 18-character ID readable (property)', () => {
    const mobile = fc
      .tuple(fc.constantFrom('3', '5', '7', '8', '9'), fc.stringMatching(/^\d{9}$/))
      .map(([a, b]) => `1${a}${b}`);
    const id = fc.stringMatching(/^\d{6}(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d)\d{3}[0-9X]$/);
    const filler = fc.string({ unit: fc.constantFrom('诉', '求', '，', '。', ' ', '元', 'a'), maxLength: 8 });
    fc.assert(
      fc.property(filler, fc.oneof(mobile, id), filler, (a, secret, b) => {
        const out = redactFreeText(`${a}${secret}${b}`).text;
        expect(out).not.toContain(secret);
      }),
      { numRuns: 300 },
    );
  });
});

describe('a file name as others see it', () => {
  it('masks an ID or phone among dates and counters, or between _ and .; keeps a date or a short number', () => {
    for (const [name, shown] of [
      ['张三320102197705061234.xlsx', '张三320102********1234.xlsx'],
      ['20241201320102197705061234登记.csv', '202*********************34登记.csv'],
      ['张三_320102_19770506_1234.csv', '张三_320102********1234.csv'],
      ['张三320102.19770506.1234.csv', '张三320102********1234.csv'],
      ['李四13912345678.xlsx', '李四139****5678.xlsx'],
      ['登记信息导出20241201.csv', '登记信息导出20241201.csv'],
      ['2024年第3季度-玄武区-v2.xlsx', '2024年第3季度-玄武区-v2.xlsx'],
    ])
      expect(fileNameForOthers(name), name).toBe(shown);
  });
});
