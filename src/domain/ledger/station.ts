/**
 * Placing an entity at a station (基层所) when its registry row names none: from the
 * registering authority (登记机关) when that is a station, else from the township or street
 * (乡镇/街道) a station serves, named in the address or a street column, else from a keyword
 * rule the county made on its 待分配基层所 list. Pure: the caller passes the county's stations
 * and rules.
 */
import { headerForms, normalizeHeader } from '../import/vocabulary.js';

export type StationPlace = { code: string; countyCode: string; name: string; servedAreas: string[] };
export type StationRule = { countyCode: string; keyword: string; stationCode: string };
export type StationHint = {
  station?: string | null;
  authority?: string | null;
  address?: string | null;
  street?: string | null;
};
export type StationFound = { stationCode: string; via: 'authority' | 'area' | 'rule'; matched: string };

/** Headers (as the source systems name them) of the station that supervises the entity, of the registering authority and of the street/township. */
export const STATION_HEADERS = [
  '所属监管所',
  '监管所',
  '管辖所',
  '所属基层所',
  '基层所',
  '基层所名称',
  '所属市场监管所',
  '管辖市场监管所',
  '所属工商所',
  '工商所',
  // The supervising unit as registry extracts head it (管辖单位 names the 所, or the bureau itself when
  // none): read before 登记机关, which is the bureau for most entities (round 16: the 所 it named was
  // never read, and the entity waited in 待分配基层所).
  '管辖单位',
  '管辖单位名称',
  '管辖基层所',
  '管辖机关',
  '管辖机关名称',
];
export const AUTHORITY_HEADERS = ['登记机关', '登记机关名称', '管辖机关', '管辖单位', '登记管理机关', '管辖机关名称'];
export const STREET_HEADERS = [
  '街道',
  '乡镇街道',
  '所在街道',
  '所属街道',
  '街道乡镇',
  '乡镇',
  '所在乡镇街道',
  '所属乡镇街道',
];

const squeeze = (s: string) => s.replace(/[\s\u3000（）()]/g, '');
/** A station's name without the "市场监管所" ending: what an authority's name contains. */
const stem = (name: string) => squeeze(name).replace(/(市场监督管理所|市场监管所|工商行政管理所|工商所|分局|所)$/, '');
/** A township's name without 街道/镇/乡: a street column may give it so. */
const areaStem = (area: string) => squeeze(area).replace(/(街道办事处|街道|镇|乡)$/, '');

/** The single best match, or null when there is none or two stations tie. */
function best(cands: { code: string; len: number; matched: string }[]): { code: string; matched: string } | null {
  if (!cands.length) return null;
  const top = Math.max(...cands.map((c) => c.len));
  const winners = new Set(cands.filter((c) => c.len === top).map((c) => c.code));
  if (winners.size !== 1) return null;
  const w = cands.find((c) => c.len === top)!;
  return { code: w.code, matched: w.matched };
}

export function stationByAuthority(authority: string, stations: StationPlace[]): StationFound | null {
  const a = squeeze(authority);
  if (!a || !/所$|所[（(]|分局$/.test(a)) return null; // a bureau (局) is not a station
  const cands = stations.flatMap((s) => {
    const full = squeeze(s.name);
    const base = stem(s.name);
    if (a.includes(full)) return [{ code: s.code, len: full.length + 100, matched: s.name }];
    if (
      base.length >= 2 &&
      new RegExp(`${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(市场监督管理所|市场监管所|工商所|所|分局)$`).test(a)
    )
      return [{ code: s.code, len: base.length, matched: s.name }];
    return [];
  });
  const b = best(cands);
  return b ? { stationCode: b.code, via: 'authority', matched: b.matched } : null;
}

export function stationByArea(hint: StationHint, stations: StationPlace[]): StationFound | null {
  const address = squeeze(hint.address ?? '');
  const street = squeeze(hint.street ?? '');
  const cands = stations.flatMap((s) =>
    s.servedAreas.flatMap((area) => {
      const full = squeeze(area);
      const base = areaStem(area);
      if (!full) return [];
      if (street && (street === full || (base.length >= 2 && street === base) || street.includes(full)))
        return [{ code: s.code, len: full.length + 100, matched: area }];
      if (address.includes(full)) return [{ code: s.code, len: full.length, matched: area }];
      return [];
    }),
  );
  // A street column outranks the address. A name inside a longer matched name (街口街道 in
  // 新街口街道) is no match of its own; two stations named side by side are ambiguous.
  const pool = cands.some((c) => c.len >= 100) ? cands.filter((c) => c.len >= 100) : cands;
  const kept = pool.filter((c) => !pool.some((o) => o.len > c.len && o.matched.includes(c.matched)));
  const codes = new Set(kept.map((c) => c.code));
  if (codes.size !== 1) return null;
  const w = kept[0];
  return { stationCode: w.code, via: 'area', matched: w.matched };
}

export function stationByRule(address: string | null | undefined, rules: StationRule[]): StationFound | null {
  const a = squeeze(address ?? '');
  if (!a) return null;
  const b = best(
    rules
      .filter((r) => a.includes(squeeze(r.keyword)))
      .map((r) => ({ code: r.stationCode, len: squeeze(r.keyword).length, matched: r.keyword })),
  );
  return b ? { stationCode: b.code, via: 'rule', matched: b.matched } : null;
}

/** The station for a row of the given county: a station column, the authority, then served township/street, then the county's rules. */
export function deriveStation(
  countyCode: string,
  hint: StationHint,
  stations: StationPlace[],
  rules: StationRule[],
): StationFound | null {
  const own = stations.filter((s) => s.countyCode === countyCode);
  if (!own.length) return null;
  const ownRules = rules.filter((r) => r.countyCode === countyCode && own.some((s) => s.code === r.stationCode));
  return (
    (hint.station ? stationByAuthority(hint.station, own) : null) ??
    (hint.authority ? stationByAuthority(hint.authority, own) : null) ??
    stationByArea(hint, own) ??
    stationByRule(hint.address, ownRules)
  );
}

/** The value of the first header in names that the row has (headers compared as the column plan does, notes and all). */
export function cellByHeader(raw: Record<string, string>, names: string[]): string | undefined {
  const wanted = new Set(names.map(normalizeHeader));
  for (const [h, v] of Object.entries(raw)) if (headerForms(h).some((f) => wanted.has(f)) && v.trim()) return v.trim();
  return undefined;
}

/** A keyword for a bulk assignment: 2–40 characters of an address, no wildcards. */
export function keywordProblem(keyword: string): string | null {
  const k = squeeze(keyword);
  if (k.length < 2) return '关键词至少 2 个字（如路名、街道名或小区名）';
  if (k.length > 40) return '关键词不超过 40 个字';
  return null;
}
