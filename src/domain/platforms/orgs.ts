/**
 * Rules for the riders' party organizations and mobile-member cards (DOMAIN.md, "Membership
 * moves"): a mobile-member branch needs the approval of a committee at county level or higher;
 * a mobile-member card (流动党员活动证) is valid from issue to expiry, and the ledger lists those
 * about to expire so the member can renew in time or transfer the org relation formally.
 */
import { addDays } from '../time/zone.js';

export type NodeLevel = 'nation' | 'province' | 'city' | 'county' | 'station';

/** Levels at which a rider industry committee (网约配送员行业党委) is set up. */
export const COMMITTEE_LEVELS = ['province', 'city', 'county'] as const;
export const LEVEL_LABEL: Record<NodeLevel, string> = {
  nation: '全国',
  province: '省级',
  city: '市级',
  county: '县级',
  station: '基层所',
};

/** The two kinds of the riders' organizations (the committee is a party_org of kind committee set up by industry; the branch one of setup mode mobile). */
export const RIDER_ORG_TYPE_LABEL = { committee: '网约配送员行业党委', mobile: '流动党员党支部' } as const;
export type RiderOrgType = keyof typeof RIDER_ORG_TYPE_LABEL;

const APPROVING_LEVELS: NodeLevel[] = ['nation', 'province', 'city', 'county'];

/** Why this committee cannot approve a mobile-member branch, or null. */
export function approverProblem(c: {
  level: NodeLevel;
  status: 'preparing' | 'established' | 'dissolved';
  isCommittee: boolean;
}): string | null {
  if (!c.isCommittee) return '批准单位应为党委（行业党委）';
  if (!APPROVING_LEVELS.includes(c.level)) return '流动党员党支部须经县级或县级以上党委批准';
  if (c.status !== 'established') return '批准的党委须为已建立的党委';
  return null;
}

/** Days before expiry from which a card is listed as expiring. */
export const CARD_SOON_DAYS = 30;

export type CardState = 'valid' | 'expiring' | 'expired' | 'returned';
export const CARD_STATE_LABEL: Record<CardState, string> = {
  valid: '有效',
  expiring: '即将到期',
  expired: '已过期',
  returned: '已交回',
};

/** The state of a card on `today` (YYYY-MM-DD): valid through its expiry day. */
export function cardState(
  c: { expiresOn: string; returnedOn: string | null },
  today: string,
  soonDays = CARD_SOON_DAYS,
): CardState {
  if (c.returnedOn) return 'returned';
  if (c.expiresOn < today) return 'expired';
  return c.expiresOn <= addDays(today, soonDays) ? 'expiring' : 'valid';
}

/** The last expiry date counted as "expiring soon" on `today`: the SQL list filters with it. */
export const expiringBy = (today: string, soonDays = CARD_SOON_DAYS) => addDays(today, soonDays);

/** Why a card cannot be recorded as given, or null. */
export function cardProblem(
  c: { issuedOn: string; expiresOn: string },
  today: string,
): { field: string; message: string } | null {
  if (c.issuedOn > today) return { field: 'issuedOn', message: '发证日期不能晚于今天' };
  if (c.expiresOn <= c.issuedOn) return { field: 'expiresOn', message: '有效期至应晚于发证日期' };
  return null;
}
