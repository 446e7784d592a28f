import { describe, expect, it } from 'vitest';
import { creditRow } from './credit-rows.js';

describe('credit list rows', () => {
  const row = (over: Record<string, string>) =>
    creditRow.safeParse({
      regNo: '110108000000016',
      listedReason: '通过登记的住所无法联系的',
      listedOn: '2024-06-01',
      ...over,
    });

  it('keeps a 列入原因 or 移出原因 that states the facts and the articles, several hundred characters long', () => {
    const facts =
      '当事人于2023年3月至2024年5月期间，' +
      '在其经营场所销售不符合食品安全标准的食品，违法所得人民币若干元，'.repeat(18) +
      '依据《市场监督管理严重违法失信名单管理办法》第九条第（一）项的规定，列入严重违法失信名单。';
    expect(facts.length).toBeGreaterThan(600);
    const r = row({ listedReason: facts, removedReason: facts, removedOn: '2025-06-01' });
    expect(r.success).toBe(true);
    expect(r.data).toMatchObject({ listedReason: facts, removedReason: facts });
  });

  it('still refuses a reason past any decision length, and an empty one', () => {
    expect(row({ listedReason: '长'.repeat(2001) }).error?.issues[0].message).toBe('列入原因不超过 2000 个字');
    expect(row({ listedReason: '' }).error?.issues[0].message).toBe('列入原因不能为空');
  });
});
