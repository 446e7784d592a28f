import { describe, expect, it } from 'vitest';
import { mergeFiller, mergeOf } from './merges.js';

describe('merged cells', () => {
  it('reads a range as Excel writes it', () => {
    expect(mergeOf('A3:A5')).toEqual({ top: 3, left: 1, bottom: 5, right: 1 });
    expect(mergeOf('$AB$10:C7')).toEqual({ top: 7, left: 3, bottom: 10, right: 28 });
    expect(mergeOf('D4')).toEqual({ top: 4, left: 4, bottom: 4, right: 4 });
    expect(mergeOf('A3:')).toBeNull();
    expect(mergeOf('R1C1')).toBeNull();
  });

  it('gives a vertical merge’s value to every row it covers, in its first column only; horizontal merges change nothing', () => {
    const fill = mergeFiller([mergeOf('A1:H1')!, mergeOf('B3:C5')!, mergeOf('E4:E6')!]);
    const rows = [
      ['标题'],
      ['序号', '所在党支部', '', '姓名'],
      ['1', '第一支部', '', '张三', '备注甲'],
      ['2', '', '', '李四', '备注乙'],
      [],
      ['4', '', '', '赵六', ''],
      ['5', '', '', '钱七'],
    ].map((cells, i) => fill(i + 1, cells));
    expect(rows).toEqual([
      ['标题'],
      ['序号', '所在党支部', '', '姓名'],
      ['1', '第一支部', '', '张三', '备注甲'],
      ['2', '第一支部', '', '李四', '备注乙'],
      ['', '第一支部', '', '', '备注乙'], // a row Excel left out, inside both merges
      ['4', '', '', '赵六', '备注乙'],
      ['5', '', '', '钱七'],
    ]);
  });

  it('keeps a value the file has under a merge (Excel hides it; the file says it)', () => {
    const fill = mergeFiller([mergeOf('A1:A2')!]);
    expect([fill(1, ['甲']), fill(2, ['乙'])]).toEqual([['甲'], ['乙']]);
  });

  it('stays one step a column for a crafted sheet: overlapping merges, merges far to the right', () => {
    const fill = mergeFiller([
      ...Array.from({ length: 1000 }, () => mergeOf('B1:B1000000')!),
      mergeOf('XFD1:XFD1000000')!,
    ]);
    fill(1, ['a', '值']);
    expect(fill(2, ['b'])).toEqual(['b', '值']);
  });
});
