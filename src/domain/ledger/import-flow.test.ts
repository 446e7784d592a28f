import { describe, expect, it } from 'vitest';
import { chooseSheet } from './sheets.js';
import { duplicateAgainReason, duplicateKey, duplicateMark, readDuplicateMark } from './import-marks.js';

describe('which sheet of a workbook to import', () => {
  it("takes the error report's 待修正数据, the template's data sheet, or the only sheet", () => {
    expect(chooseSheet(['错误明细', '待修正数据'])).toEqual({ sheet: '待修正数据' });
    expect(chooseSheet(['数据', '填写说明'])).toEqual({ sheet: '数据' });
    expect(chooseSheet(['Sheet1'])).toEqual({ sheet: 'Sheet1' });
  });
  it("passes over other systems' help sheets before the data (填报说明, 填表说明, 使用说明, 导入说明)", () => {
    for (const help of ['填报说明', '填表说明', '使用说明', '导入说明'])
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
