/**
 * Contact and demonstration points (联系点、示范点): who may designate at which level, what the
 * criteria checklist must hold, and the yearly review (keep / revoke, one per year).
 */
export type PointKind = 'contact' | 'demo';
export type PointLevel = 'province' | 'city' | 'county';
export type UserLevel = 'nation' | 'province' | 'city' | 'county' | 'station';

export const POINT_KIND_LABEL: Record<PointKind, string> = { contact: '联系点', demo: '示范点' };
export const POINT_LEVEL_LABEL: Record<PointLevel, string> = { province: '省级', city: '市级', county: '县级' };
export const POINT_LEVELS: PointLevel[] = ['province', 'city', 'county'];
/** What a point names: 'platform' is 外卖平台党建联系点 (migration 0017), scoped as the platform is. */
export const POINT_SUBJECT_LABEL = {
  entity: '市场主体',
  org: '党组织',
  zone: '市场·园区·楼宇·商圈',
  platform: '平台企业',
} as const;
export type PointSubject = keyof typeof POINT_SUBJECT_LABEL;
export const POINT_STATUS_LABEL = { active: '在册', revoked: '已撤销' } as const;
export const REVIEW_OUTCOME_LABEL = { keep: '保留', revoke: '撤销' } as const;

const RANK: Record<UserLevel, number> = { nation: 0, province: 1, city: 2, county: 3, station: 4 };

/** A bureau acts at its own level or below: a county bureau names county points (and holds county classes), a province any below it. */
export const atOrAbove = (user: UserLevel, level: Exclude<UserLevel, 'station'>): boolean => RANK[user] <= RANK[level];
export const mayDesignate = (user: UserLevel, point: PointLevel): boolean => atOrAbove(user, point);

export type Problem = { status: 409 | 422; field: string; reason: string };

/**
 * The checked criteria, against the configurable lists. A demonstration point meets every
 * contact-point condition and more (DOMAIN.md), so it must check all of those.
 */
export function criteriaProblem(
  kind: PointKind,
  checked: string[],
  lists: { contact: string[]; demo: string[] },
  labels: Record<string, string> = {},
): Problem | null {
  const known = new Set([...lists.contact, ...(kind === 'demo' ? lists.demo : [])]);
  const unknown = checked.filter((c) => !known.has(c));
  if (unknown.length)
    return { status: 422, field: 'criteria', reason: `不在${POINT_KIND_LABEL[kind]}条件清单中：${unknown.join('、')}` };
  if (kind === 'demo') {
    const missing = lists.contact.filter((c) => !checked.includes(c));
    if (missing.length)
      return {
        status: 422,
        field: 'criteria',
        reason: `示范点须先具备联系点的全部条件，尚缺：${missing.map((c) => labels[c] ?? c).join('、')}`,
      };
  }
  return null;
}

export type PointFacts = { status: keyof typeof POINT_STATUS_LABEL; designatedOn: string; reviewedYears: number[] };
export type Review = { year: number; outcome: keyof typeof REVIEW_OUTCOME_LABEL; reason?: string | null };

/** Why this yearly review cannot be recorded, or null. */
export function reviewProblem(p: PointFacts, r: Review, today: string): Problem | null {
  if (p.status === 'revoked') return { status: 409, field: 'outcome', reason: '该点已撤销，不再复核' };
  const designated = Number(p.designatedOn.slice(0, 4));
  const thisYear = Number(today.slice(0, 4));
  if (r.year < designated || r.year > thisYear)
    return { status: 422, field: 'year', reason: `复核年度应在命名年度 ${designated} 至今年 ${thisYear} 之间` };
  if (p.reviewedYears.includes(r.year))
    return { status: 409, field: 'year', reason: `${r.year} 年度已复核，每年只复核一次` };
  if (r.outcome === 'revoke' && !r.reason?.trim()) return { status: 422, field: 'reason', reason: '撤销须说明理由' };
  return null;
}

/** A standing point named before this year and not yet reviewed this year is due for review. */
export const reviewDue = (p: PointFacts, today: string): boolean => {
  const year = Number(today.slice(0, 4));
  return p.status === 'active' && Number(p.designatedOn.slice(0, 4)) < year && !p.reviewedYears.includes(year);
};
