import { describe, expect, it } from 'vitest';
import { cellByHeader, deriveStation, keywordProblem, stationByAuthority, type StationPlace } from './station.js';
import { historyValue, identityChangeText } from './labels.js';

const STATIONS: StationPlace[] = [
  { code: '320102001', countyCode: '320102', name: '梅园新村市场监管所', servedAreas: ['梅园新村街道', '玄武门街道'] },
  { code: '320102002', countyCode: '320102', name: '孝陵卫市场监管所', servedAreas: ['孝陵卫街道', '锁金村街道'] },
  { code: '320104001', countyCode: '320104', name: '夫子庙市场监管所', servedAreas: ['夫子庙街道'] },
];

describe('station derivation', () => {
  it('takes the registering authority when it is a station of the county', () => {
    expect(
      deriveStation(
        '320102',
        { authority: '南京市玄武区市场监督管理局孝陵卫市场监管所', address: '梅园新村街道长江路 1 号' },
        STATIONS,
        [],
      )?.stationCode,
    ).toBe('320102002');
    expect(deriveStation('320102', { authority: '孝陵卫所' }, STATIONS, [])).toMatchObject({
      stationCode: '320102002',
      via: 'authority',
    });
    expect(stationByAuthority('南京市玄武区市场监督管理局', STATIONS)).toBeNull(); // the bureau itself is no station
  });
  it('takes a station column (所属监管所) before the authority and the address', () => {
    expect(
      deriveStation(
        '320102',
        { station: '孝陵卫所', authority: '南京市玄武区市场监督管理局', address: '梅园新村街道长江路 1 号' },
        STATIONS,
        [],
      ),
    ).toMatchObject({ stationCode: '320102002', via: 'authority' });
  });
  it('else the township or street the station serves, from the address or a street column', () => {
    expect(
      deriveStation(
        '320102',
        { authority: '南京市玄武区市场监督管理局', address: '南京市玄武区锁金村街道龙蟠路 9 号' },
        STATIONS,
        [],
      ),
    ).toMatchObject({ stationCode: '320102002', via: 'area', matched: '锁金村街道' });
    expect(deriveStation('320102', { street: '玄武门' }, STATIONS, [])?.stationCode).toBe('320102001');
    expect(
      deriveStation('320102', { street: '玄武门街道', address: '锁金村街道 1 号' }, STATIONS, [])?.stationCode,
    ).toBe('320102001'); // the street column wins
  });
  it('never crosses the county, and leaves ambiguity and silence unassigned', () => {
    expect(deriveStation('320102', { address: '秦淮区夫子庙街道贡院街 1 号' }, STATIONS, [])).toBeNull();
    expect(deriveStation('320102', { address: '梅园新村街道与孝陵卫街道交界' }, STATIONS, [])).toBeNull();
    expect(deriveStation('320102', { address: '中山路 8 号' }, STATIONS, [])).toBeNull();
    expect(deriveStation('320105', { address: '梅园新村街道' }, STATIONS, [])).toBeNull();
  });
  it('applies the county rules last, longest keyword first', () => {
    const rules = [
      { countyCode: '320102', keyword: '中山路', stationCode: '320102001' },
      { countyCode: '320102', keyword: '中山路100号', stationCode: '320102002' },
      { countyCode: '320104', keyword: '中山路', stationCode: '320104001' },
    ];
    expect(deriveStation('320102', { address: '玄武区中山路 8 号' }, STATIONS, rules)).toMatchObject({
      stationCode: '320102001',
      via: 'rule',
      matched: '中山路',
    });
    expect(deriveStation('320102', { address: '玄武区中山路100号' }, STATIONS, rules)?.stationCode).toBe('320102002');
    expect(deriveStation('320102', { address: '孝陵卫街道中山路 8 号' }, STATIONS, rules)?.via).toBe('area');
  });
  it('reads the hint columns by the names the source systems use', () => {
    expect(cellByHeader({ '登记机关（名称）': ' 孝陵卫所 ', 住所: 'x' }, ['登记机关名称'])).toBe('孝陵卫所');
    expect(cellByHeader({ 住所: 'x' }, ['登记机关'])).toBeUndefined();
    expect(cellByHeader({ '所属监管所（名称）': '孝陵卫所' }, ['所属监管所'])).toBe('孝陵卫所');
    expect(cellByHeader({ '街道 请填写全称': '孝陵卫街道' }, ['街道'])).toBe('孝陵卫街道');
    expect(keywordProblem('路')).toMatch(/至少 2 个字/);
    expect(keywordProblem('中山路')).toBeNull();
  });
});

describe('history labels', () => {
  it('shows codes of kind, status, size and role in Chinese', () => {
    expect(historyValue('kind', 'individual')).toBe('个体工商户');
    expect(historyValue('status', 'revoked')).toBe('吊销');
    expect(historyValue('name', 'enterprise')).toBe('enterprise');
    expect(identityChangeText('kind', 'enterprise', 'individual')).toBe('主体类型由"企业"改为"个体工商户"');
    expect(historyValue('membership', 'probationary')).toBe('预备党员');
    expect(historyValue('sources', ['roster', 'staff'])).toEqual(['名册', '核实']);
  });
});
