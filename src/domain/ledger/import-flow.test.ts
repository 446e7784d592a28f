import { describe, expect, it } from 'vitest';
import { SHEET_ROW_SPAN, chooseSheet, rowLabel, rowPlace, sheetRowRef, sheetsOfOneShape } from './sheets.js';
import { hiddenRowsNote } from '../import/footer.js';
import { duplicateAgainReason, duplicateKey, duplicateMark, readDuplicateMark } from './import-marks.js';

describe('which sheet of a workbook to import', () => {
  it("takes the error report's 待修正数据, the template's data sheet, or the only sheet", () => {
    expect(chooseSheet(['错误明细', '待修正数据'])).toEqual({ sheet: '待修正数据' });
    expect(chooseSheet(['数据', '填写说明'])).toEqual({ sheet: '数据' });
    expect(chooseSheet(['Sheet1'])).toEqual({ sheet: 'Sheet1' });
  });
  it("passes over other systems' help sheets before the data (填报说明, 填表说明, 使用说明, 导入说明)", () => {
    // Round 10: names clerks and other templates give their notes (a roster's data after 填写须知).
    for (const help of [
      '填报说明',
      '填表说明',
      '使用说明',
      '导入说明',
      '字段说明',
      '填写须知',
      '导入须知（必读）',
      '注意事项',
    ])
      expect(chooseSheet([help, '登记信息'])).toEqual({ sheet: '登记信息' });
  });
  it('asks when several sheets could hold the rows, or the one named is missing', () => {
    expect(chooseSheet(['封面', '登记信息'])).toEqual({
      ask: ['封面', '登记信息'],
      problem: '工作簿有 2 个工作表（封面、登记信息），请选择要导入的工作表',
    });
    expect(chooseSheet(['封面', '登记信息'], '登记信息')).toEqual({ sheet: '登记信息' });
    expect(chooseSheet(['封面'], '年报')).toMatchObject({ problem: '工作簿中没有名为"年报"的工作表，可选：封面' });
  });
});

describe('several sheets of one header, read as one file', () => {
  const H = ['序号', '姓名', '公民身份号码'];
  it("takes them all when each has the first one's header (columns left unnamed at the right aside)", () => {
    expect(
      sheetsOfOneShape([
        { sheet: '一支部', headers: H },
        { sheet: '二支部', headers: [...H, '', ''] },
      ]),
    ).toEqual({ sheets: ['一支部', '二支部'] });
  });
  it('says which sheet differs and how', () => {
    expect(
      sheetsOfOneShape([
        { sheet: '一支部', headers: H },
        { sheet: '二支部', headers: H },
        { sheet: '积极分子', headers: ['姓名', '申请日期'] },
      ]),
    ).toEqual({
      problem: '工作表"积极分子"的列与"一支部"不同（多出"申请日期"，缺少"序号、公民身份号码"），不能一次导入',
    });
    expect(
      sheetsOfOneShape([
        { sheet: 'a', headers: H },
        { sheet: 'b', headers: [...H].reverse() },
      ]),
    ).toMatchObject({
      problem: expect.stringContaining('列的顺序不同'),
    });
  });
  it("names a row by its sheet and its row as Excel shows it, past Excel's last row", () => {
    const sheets = ['一支部', '二支部'];
    const last = sheetRowRef(1, 1_048_576);
    expect(rowPlace(last, sheets)).toEqual({ sheet: '二支部', rowNo: 1_048_576 });
    expect(rowLabel(sheetRowRef(0, 3), sheets)).toBe('工作表"一支部"第 3 行');
    expect(rowLabel(7, null)).toBe('第 7 行');
    expect(sheetRowRef(1, 1)).toBe(SHEET_ROW_SPAN + 1);
    expect(hiddenRowsNote([sheetRowRef(0, 4), sheetRowRef(0, 9), sheetRowRef(1, 3)], '已一并导入', sheets)).toBe(
      '工作表"一支部"第 4、9 行，工作表"二支部"第 3 行在 Excel 中是隐藏行，已一并导入；如不应导入，请在文件中删除后重新上传',
    );
    expect(duplicateMark('roster', duplicateKey('0a1b2c3d', sheetRowRef(1, 5)), sheets)).toBe(
      '重复：与原文件工作表"二支部"第 5 行同一人，未导入（标记 0a1b2c3d）',
    );
  });
});

describe('the duplicate mark of the error report', () => {
  it('reads back what it writes, and nothing else', () => {
    const mark = duplicateMark('registry', duplicateKey('0a1b2c3d', 17));
    expect(mark).toBe('重复：与原文件第 17 行同一主体，未导入（标记 0a1b2c3d）');
    expect(readDuplicateMark(mark)).toEqual({ tag: '0a1b2c3d', keptRow: 17 });
    expect(readDuplicateMark('')).toBeNull();
    expect(readDuplicateMark('重复')).toBeNull();
  });
  it("speaks of a roster's rows as people, not entities", () => {
    const mark = duplicateMark('roster', duplicateKey('0a1b2c3d', 17));
    expect(mark).toBe('重复：与原文件第 17 行同一人，未导入（标记 0a1b2c3d）');
    expect(readDuplicateMark(mark)).toEqual({ tag: '0a1b2c3d', keptRow: 17 });
    expect(duplicateAgainReason('roster', 17)).toMatch(/与第 17 行是同一人.*若其实是另一人，请改正其身份证号/);
    expect(duplicateAgainReason('registry', 17)).not.toMatch(/人/);
  });
});
