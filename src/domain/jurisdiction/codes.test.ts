import { describe, expect, it } from 'vitest';
import { scopeKeyOf, stationParentAllowed, unitKindAllowed } from './codes.js';

describe('jurisdiction codes and scope keys', () => {
  it('derives the significant prefix per level', () => {
    expect(scopeKeyOf('000000', 'nation')).toBe('');
    expect(scopeKeyOf('320000', 'province')).toBe('32');
    expect(scopeKeyOf('320100', 'city')).toBe('3201');
    expect(scopeKeyOf('320102', 'county')).toBe('320102');
    expect(scopeKeyOf('320102001', 'station')).toBe('320102001');
  });
  it('a key is a prefix of exactly the keys below it: levels have fixed lengths', () => {
    const keys = [
      scopeKeyOf('320000', 'province'),
      scopeKeyOf('320100', 'city'),
      scopeKeyOf('320102', 'county'),
      scopeKeyOf('320102001', 'station'),
    ];
    keys.forEach((k, i) => keys.forEach((other, j) => expect(other.startsWith(k)).toBe(j >= i)));
    expect(scopeKeyOf('320104', 'county').startsWith(scopeKeyOf('320102', 'county'))).toBe(false);
    expect(scopeKeyOf('321100', 'city').startsWith(scopeKeyOf('320100', 'city'))).toBe(false);
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
