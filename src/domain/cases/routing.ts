import type { CaseDoor } from './engine.js';

/**
 * Who answers a case: a station (市场监管所), a bureau (县局, optionally one of its business lines),
 * a platform's party-building contact point (外卖平台党建联系点), or a rider industry party
 * committee (网约配送员行业党委). Each hangs on a node (`code`): a contact point on the node that
 * registered the platform, a committee on its own; `ref` names the platform or the committee.
 */
export type UnitKind = 'station' | 'bureau' | 'platform' | 'committee';
export type Unit = { kind: UnitKind; code: string; line: string | null; ref?: number };
/** A contact point or committee that covers the place, found by the caller: its node and its platform / organization id. */
export type CoveringUnit = { code: string; ref: number };

export type Place = { code: string; level: string; parentCode: string | null };

/** What routing looks at: the door, the category, the place the case is about, and (for a rider) who covers the place above it. */
export type RoutingInput = {
  door: CaseDoor;
  category: string;
  place: Place;
  platformContact?: CoveringUnit | null;
  committee?: CoveringUnit | null;
};

/** The county of a place: itself, or a station's parent. */
const countyOf = (p: Place): string | null =>
  p.level === 'county' ? p.code : p.level === 'station' ? p.parentCode : null;

/**
 * The responsible unit, or a Chinese reason no unit can be found. Rules:
 * - rider: the station of the chosen area or service post; a county-level area goes to the county
 *   bureau; a food-safety clue goes to the county's food line (it is law enforcement, not a station's favour);
 *   a rights problem (权益: pay, penalties, insurance) is the platform's to answer: the contact point
 *   of the platform the rider names, where one covers the place, else the nearest rider industry
 *   committee above the place, else the station as any other problem.
 * - visit: the county bureau's business line named by the category (问题按业务条线转办).
 * - plaque: the station the plaque belongs to (else its county).
 */
export function routeCase(input: RoutingInput): { ok: true; unit: Unit } | { ok: false; reason: string } {
  const { place } = input;
  const county = countyOf(place);
  if (!county) return { ok: false, reason: '请选择县（区）或基层所' };
  switch (input.door satisfies CaseDoor) {
    case 'rider':
      if (input.category === 'food_clue') return { ok: true, unit: { kind: 'bureau', code: county, line: 'food' } };
      if (input.category === 'rights' && input.platformContact)
        return {
          ok: true,
          unit: { kind: 'platform', code: input.platformContact.code, line: null, ref: input.platformContact.ref },
        };
      if (input.category === 'rights' && input.committee)
        return {
          ok: true,
          unit: { kind: 'committee', code: input.committee.code, line: null, ref: input.committee.ref },
        };
      return {
        ok: true,
        unit:
          place.level === 'station'
            ? { kind: 'station', code: place.code, line: null }
            : { kind: 'bureau', code: county, line: null },
      };
    case 'visit':
      return { ok: true, unit: { kind: 'bureau', code: county, line: input.category } };
    case 'plaque':
      return {
        ok: true,
        unit:
          place.level === 'station'
            ? { kind: 'station', code: place.code, line: null }
            : { kind: 'bureau', code: county, line: null },
      };
  }
}

/** A transfer names its target: a station or a bureau line within reach of the caller (checked against scope by the caller). */
export function transferTarget(
  target: Place,
  line: string | null,
): { ok: true; unit: Unit } | { ok: false; reason: string } {
  if (target.level === 'station')
    return line
      ? { ok: false, reason: '基层所不分业务条线' }
      : { ok: true, unit: { kind: 'station', code: target.code, line: null } };
  if (target.level === 'county' || target.level === 'city' || target.level === 'province')
    return { ok: true, unit: { kind: 'bureau', code: target.code, line } };
  return { ok: false, reason: '不能转办到该单位' };
}
