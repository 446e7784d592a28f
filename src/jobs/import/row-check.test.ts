import { describe, expect, it } from 'vitest';
import { usccCheckChar } from '../../domain/identifiers/uscc.js';
import { checkRow, fillFromFile } from './row-check.js';

/** The preview's judgment of a row on its own values (the import's schema, its county aside). */
describe('checkRow', () => {
  const registry = (over: Record<string, string>) => ({
    uscc: `91320102MA1PX7EB3${usccCheckChar('91320102MA1PX7EB3')}`,
    name: '甲公司',
    kind: '有限责任公司',
    registeredOn: '43586',
    ...over,
  });

  it('passes a row whose county the import will find, and gives its values as they will be stored', () => {
    const r = checkRow('registry', registry({ stationCode: '320102001' }));
    expect(r.problems).toEqual([]);
    expect(r.read).toMatchObject({ registeredOn: '2019-05-01', stationCode: '320102001', kind: 'enterprise' });
  });

  it('names each field once with its first problem, a station written as a name among them', () => {
    const r = checkRow('registry', registry({ registeredOn: '2021-02-30', stationCode: '新街口所' }));
    expect(r.problems.map((p) => p.field)).toEqual(['registeredOn', 'stationCode']);
    expect(r.read).toBeNull();
  });

  it('takes a 统一社会信用代码 in the 注册号 column for the code: alone, or beside the same code; another stays a 注册号', () => {
    const code = `92320102MA1PX7EB3${usccCheckChar('92320102MA1PX7EB3')}`;
    const filled = (input: Record<string, string>) => {
      fillFromFile('registry', input, () => true);
      return input;
    };
    // Refused before as 注册号应为 15 位数字: every entity registered since 2015 in such an extract.
    expect(filled({ uscc: '', regNo: code.toLowerCase() })).toMatchObject({ uscc: code.toLowerCase(), regNo: '' });
    expect(filled({ regNo: ` ${code} ` })).toMatchObject({ uscc: ` ${code} `, regNo: '' });
    expect(filled({ uscc: code, regNo: code })).toMatchObject({ uscc: code, regNo: '' });
    const other = `92320102MA1PX7EB4${usccCheckChar('92320102MA1PX7EB4')}`;
    expect(filled({ uscc: code, regNo: other })).toMatchObject({ uscc: code, regNo: other });
    expect(filled({ uscc: code, regNo: '320102000123459' })).toMatchObject({ uscc: code, regNo: '320102000123459' });
    expect(checkRow('registry', filled({ regNo: code, name: '某店', kind: '个体工商户' })).read).toMatchObject({
      uscc: code,
    });
  });

  it('takes a 15-digit 注册号 in the 统一社会信用代码 column for the 注册号, typed with full-width digits or spaces too (round 11)', () => {
    for (const typed of ['320102000123459', '３２０１０２０００１２３４５９', '320102 000 123459']) {
      const input: Record<string, string> = { uscc: typed, regNo: '' };
      fillFromFile('registry', input, () => true);
      expect(input).toEqual({ uscc: '', regNo: typed });
    }
  });

  it('reads a 统一社会信用代码/注册号 cell holding both, the code and its 注册号, as each (clerk round 12)', () => {
    const code = `91320102MA1AAAA01${usccCheckChar('91320102MA1AAAA01')}`;
    for (const typed of [`${code}/320102000123459`, `${code}（320102000123459）`, `${code}\n320102000123459`]) {
      const input: Record<string, string> = { uscc: typed, listedReason: '年报未公示', listedOn: '2023年05月12日' };
      fillFromFile('abnormal_list', input, (f) => f !== 'regNo');
      expect(checkRow('abnormal_list', input), typed).toMatchObject({
        problems: [],
        read: { uscc: code, regNo: '320102000123459', listedOn: '2023-05-12' },
      });
    }
  });

  it('fills what the file says for its rows: a roster without 人员类别 by its 转正日期', () => {
    const input: Record<string, string> = { confirmedOn: '' };
    fillFromFile('roster', input, (f) => f === 'confirmedOn');
    expect(input.membership).toBe('预备党员');
  });

  it('takes a member who joined more than two years ago for a 正式党员 when the roster has no 人员类别 and no 转正日期', () => {
    const fill = (joinDate: string, confirmedOn = '') => {
      const input: Record<string, string> = { joinDate, confirmedOn };
      fillFromFile('roster', input, (f) => f === 'confirmedOn' || f === 'joinDate');
      return input.membership;
    };
    // An old member whose 转正日期 nobody wrote down: the probation ended decades ago.
    expect(fill('1975.06')).toBe('正式党员');
    expect(fill('1990-07-01')).toBe('正式党员');
    expect(fill('2010-07-01', '2011-07-01')).toBe('正式党员');
    // Within two years (a probation of a year, extended by one at most), or no date to tell: 预备党员.
    const lastMonth = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
    expect(fill(lastMonth)).toBe('预备党员');
    expect(fill('')).toBe('预备党员');
    expect(fill('不详')).toBe('预备党员');
  });
  it('reads a 个体工商户 list (组成形式, no type column) row whose 组成形式 is blank by its code: a 农民专业合作社 is one', () => {
    const code = (head: string) => `${head}${usccCheckChar(head)}`;
    const read = (uscc: string, form: string) => {
      const input: Record<string, string> = { uscc, name: '甲', form };
      fillFromFile('registry', input, (f) => f === 'form');
      return checkRow('registry', input);
    };
    // Refused before as 主体类型"个体工商户"与统一社会信用代码不符 (clerk probe, round 6).
    expect(read(code('93320102MA1BBBB05'), '')).toMatchObject({ problems: [], read: { kind: 'cooperative' } });
    expect(read(code('92320102MA1BBBB01'), '')).toMatchObject({ problems: [], read: { kind: 'individual' } });
    expect(read(code('92320102MA1BBBB01'), '家庭经营')).toMatchObject({ problems: [], read: { kind: 'individual' } });
    // A written 组成形式 still says 个体工商户, and a code saying otherwise is still refused.
    expect(read(code('93320102MA1BBBB05'), '个人经营').problems.map((p) => p.field)).toEqual(['kind']);
  });
});
