import { describe, expect, it } from 'vitest';
import { inScope, scopeKeyOf, stationParentAllowed, unitKindAllowed } from './codes.js';

describe('jurisdiction codes and scope keys', () => {
  it('derives the significant prefix per level', () => {
    expect(scopeKeyOf('000000', 'nation')).toBe('');
    expect(scopeKeyOf('320000', 'province')).toBe('32');
    expect(scopeKeyOf('320100', 'city')).toBe('3201');
    expect(scopeKeyOf('320102', 'county')).toBe('320102');
    expect(scopeKeyOf('320102001', 'station')).toBe('320102001');
  });
  it('a key covers exactly its subtree', () => {
    expect(inScope('3201', '320102001')).toBe(true);
    expect(inScope('', '320102')).toBe(true);
    expect(inScope('320102', '320104')).toBe(false);
    expect(inScope('320102001', '320102')).toBe(false);
    expect(inScope('3202', '320102')).toBe(false);
  });
  it('places units and stations only where the seed allows', () => {
    expect(unitKindAllowed('guidance_post', 'station')).toBe(true);
    expect(unitKindAllowed('guidance_post', 'county')).toBe(false);
    expect(unitKindAllowed('xgz_committee', 'county')).toBe(true);
    expect(unitKindAllowed('xgz_committee', 'station')).toBe(false);
    expect(unitKindAllowed('xgz_committee', 'nation')).toBe(false);
    expect(stationParentAllowed('county', 0)).toBe(true);
    expect(stationParentAllowed('city', 0)).toBe(true);
    expect(stationParentAllowed('city', 11)).toBe(false);
    expect(stationParentAllowed('province', 0)).toBe(false);
  });
});
