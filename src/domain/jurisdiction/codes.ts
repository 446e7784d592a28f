/** The levels of the jurisdiction tree (the column jurisdiction.level holds one), top down. */
export const JURISDICTION_LEVELS = ['nation', 'province', 'city', 'county', 'station'] as const;
export type JurisdictionLevel = (typeof JURISDICTION_LEVELS)[number];

/**
 * Jurisdiction codes and scope keys. GB/T 2260 division codes are six digits; the scope key is
 * the significant prefix (province 2, city 4, county 6 digits), a station appends 3 digits to its
 * county's. A key is a prefix of exactly the keys in its subtree, which is what scope checks use.
 */
export const NATION_CODE = '000000';

export function scopeKeyOf(code: string, level: JurisdictionLevel): string {
  switch (level) {
    case 'nation':
      return '';
    case 'province':
      return code.slice(0, 2);
    case 'city':
      return code.slice(0, 4);
    case 'county':
      return code.slice(0, 6);
    case 'station':
      return code;
  }
}

/**
 * The county a scope lies in (its key's first six digits: a station's code starts with its
 * county's). A case keeps the county it was raised in as its Citus distribution column (0245).
 */
export const countyOfScope = (scopeKey: string): string => scopeKey.slice(0, 6);

/** A node's level from its scope key (nation '', province 2, city 4, county 6, station 9 characters). */
export function levelOfScopeKey(key: string): JurisdictionLevel {
  return key.length === 0
    ? 'nation'
    : key.length <= 2
      ? 'province'
      : key.length <= 4
        ? 'city'
        : key.length <= 6
          ? 'county'
          : 'station';
}

export const STATION_SUFFIX = /^\d{3}$/;

/**
 * Stations hang on a county, or on a city that has no counties (东莞、中山、儋州), whose
 * stations then carry the city's six-digit code.
 */
export const stationParentAllowed = (level: JurisdictionLevel, countyChildren: number): boolean =>
  level === 'county' || (level === 'city' && countyChildren === 0);

/**
 * Whether the bureau keyed `callerKey` keeps the stations of the node keyed `parentKey`: stations are
 * created by the county bureaus (DOMAIN.md), or by a city bureau without counties, and so changed and
 * removed by them. A city or province bureau sees them in its subtree but does not keep them (round
 * 14: a province editor created stations in any of its counties).
 */
export const keepsStationsOf = (callerKey: string, parentKey: string): boolean => callerKey === parentKey;

/** Full code of a station: its county's six digits and its own three. */
export const stationCode = (countyCode: string, suffix: string): string => `${countyCode}${suffix}`;

export const LEVEL_LABEL: Record<JurisdictionLevel, string> = {
  nation: '全国',
  province: '省级',
  city: '市级',
  county: '县级',
  station: '基层所',
};

/** Which bureau units a node can carry: a "小个专"党委 at province/city/county, a 指导站 at a station. */
export function unitKindAllowed(kind: 'xgz_committee' | 'guidance_post', level: JurisdictionLevel): boolean {
  return kind === 'guidance_post'
    ? level === 'station'
    : level === 'province' || level === 'city' || level === 'county';
}
