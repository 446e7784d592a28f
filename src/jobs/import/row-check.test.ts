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

  it('fills what the file says for its rows: a roster without 人员类别 by its 转正日期', () => {
    const input: Record<string, string> = { confirmedOn: '' };
    fillFromFile('roster', input, (f) => f === 'confirmedOn');
    expect(input.membership).toBe('预备党员');
  });
});
