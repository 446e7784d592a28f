import type { JurisdictionLevel } from '../jurisdiction/codes.js';
/**
 * The honours workflow (荣誉): nomination → review (approve / reject) → award (level, year) →
 * revoke (reason). A flag for review (the entity deregistered or revoked, or a serious
 * violation recorded) is kept beside the state: it blocks approval and award until staff clear
 * it (the entity still qualifies) or revoke.
 */
export type HonourState = 'nominated' | 'approved' | 'rejected' | 'awarded' | 'revoked';
export type HonourAction = 'approve' | 'reject' | 'award' | 'revoke' | 'clear_flag';
export type AwardLevel = 'nation' | 'province' | 'city' | 'county';

export const HONOUR_STATE_LABEL: Record<HonourState, string> = {
  nominated: '已提名',
  approved: '审核通过',
  rejected: '未通过',
  awarded: '已授予',
  revoked: '已撤销',
};
export const HONOUR_ACTION_LABEL: Record<HonourAction, string> = {
  approve: '审核通过',
  reject: '审核不通过',
  award: '授予',
  revoke: '撤销',
  clear_flag: '复核后保留',
};
export const AWARD_LEVEL_LABEL: Record<AwardLevel, string> = {
  nation: '全国',
  province: '省级',
  city: '市级',
  county: '县级',
};

/** The kinds whose subject is a party member in an entity (the others honour the entity or market itself). */
export const MEMBER_KINDS = ['model_post', 'star_operator'];
/** The kinds that honour a market (a zone of kind market). */
export const MARKET_KINDS = ['honest_market'];

const MOVES: Record<HonourAction, HonourState[]> = {
  approve: ['nominated'],
  reject: ['nominated'],
  award: ['approved'],
  revoke: ['awarded'],
  clear_flag: ['nominated', 'approved', 'awarded'],
};
const TO: Record<Exclude<HonourAction, 'clear_flag'>, HonourState> = {
  approve: 'approved',
  reject: 'rejected',
  award: 'awarded',
  revoke: 'revoked',
};

export type HonourFacts = { state: HonourState; flagged: boolean };
export type HonourInput = { reason?: string | null; level?: AwardLevel | null; year?: number | null; today: string };
export type Transition =
  | { ok: true; to: HonourState; clearsFlag: boolean }
  | { ok: false; status: 409 | 422; reason: string; field?: 'reason' | 'level' | 'year' };

/**
 * The next state of an honour under an action, or why not: 409 when the state does not allow
 * the move, 422 when the move is allowed but its facts are missing or wrong.
 */
export function honourTransition(h: HonourFacts, action: HonourAction, input: HonourInput): Transition {
  if (!MOVES[action].includes(h.state))
    return { ok: false, status: 409, reason: `荣誉${HONOUR_STATE_LABEL[h.state]}，不能${HONOUR_ACTION_LABEL[action]}` };
  if (action === 'clear_flag') {
    if (!h.flagged) return { ok: false, status: 409, reason: '该荣誉没有待复核标记' };
    if (!input.reason?.trim()) return { ok: false, status: 422, reason: '复核后保留须说明理由', field: 'reason' };
    return { ok: true, to: h.state, clearsFlag: true };
  }
  if ((action === 'approve' || action === 'award') && h.flagged)
    return { ok: false, status: 422, reason: '该荣誉已被标记待复核（主体状态异常或有严重违法记录），请先复核' };
  if ((action === 'reject' || action === 'revoke') && !input.reason?.trim())
    return { ok: false, status: 422, reason: `${HONOUR_ACTION_LABEL[action]}须说明理由`, field: 'reason' };
  if (action === 'award') {
    if (!input.level) return { ok: false, status: 422, reason: '授予须选择荣誉级别', field: 'level' };
    const thisYear = Number(input.today.slice(0, 4));
    if (!input.year || input.year < 2000 || input.year > thisYear)
      return { ok: false, status: 422, reason: `授予年度应在 2000 至 ${thisYear} 年之间`, field: 'year' };
  }
  // Revoking settles a pending flag: the honour is gone, nothing is left to review.
  return { ok: true, to: TO[action], clearsFlag: action === 'revoke' };
}

/** The level of the account acting on an honour: the award levels, or a station (基层所). */
export type ActorLevel = JurisdictionLevel;
const RANK: Record<ActorLevel, number> = { station: 0, county: 1, city: 2, province: 3, nation: 4 };

/**
 * Who may decide on an honour: a station nominates, but approving, rejecting, awarding, revoking
 * and clearing a review flag are the bureau's (county or above); no level awards above itself or
 * revokes (or keeps after review) an honour awarded above it. Null when the actor may.
 */
export function honourAuthority(
  actor: ActorLevel,
  action: HonourAction,
  awarded: AwardLevel | null,
  level: AwardLevel | null | undefined,
): { status: 403 | 422; reason: string; field?: 'level' } | null {
  if (actor === 'station')
    return { status: 403, reason: `基层所只能提名；${HONOUR_ACTION_LABEL[action]}由县级及以上市场监管部门办理` };
  if (action === 'award' && level && RANK[level] > RANK[actor])
    return {
      status: 422,
      reason: `不能授予高于本级的荣誉：本级可授予${AWARD_LEVEL_LABEL[actor]}及以下荣誉`,
      field: 'level',
    };
  if ((action === 'revoke' || action === 'clear_flag') && awarded && RANK[awarded] > RANK[actor])
    return {
      status: 403,
      reason: `该荣誉为${AWARD_LEVEL_LABEL[awarded]}荣誉，须由${AWARD_LEVEL_LABEL[awarded]}或以上市场监管部门${HONOUR_ACTION_LABEL[action]}`,
    };
  return null;
}

/** The award levels an actor may confer: its own and those below. */
export const awardLevelsOpenTo = (actor: ActorLevel): AwardLevel[] =>
  (Object.keys(AWARD_LEVEL_LABEL) as AwardLevel[]).filter((l) => RANK[l] <= RANK[actor]);

/** The moves a page may offer this actor on this honour: the state's, less those its level may not make. */
export const honourActions = (h: HonourFacts & { level: AwardLevel | null }, actor: ActorLevel): HonourAction[] =>
  (Object.keys(MOVES) as HonourAction[]).filter(
    (a) =>
      MOVES[a].includes(h.state) &&
      (a !== 'clear_flag' || h.flagged) &&
      !((a === 'approve' || a === 'award') && h.flagged) &&
      !honourAuthority(actor, a, h.level, undefined),
  );

/** What a nomination must name for its kind; a Chinese reason (and the field) when it does not. */
export function nominationProblem(
  kind: string,
  s: { entityId?: number | null; zoneKind?: string | null; memberId?: number | null },
): { field: string; message: string } | null {
  if (MARKET_KINDS.includes(kind)) {
    if (s.zoneKind !== 'market') return { field: 'zoneId', message: '诚信示范市场须选择一个专业市场' };
    return null;
  }
  if (!s.entityId) return { field: 'entityId', message: '请选择获评的市场主体' };
  if (MEMBER_KINDS.includes(kind) && !s.memberId) return { field: 'memberId', message: '该荣誉授予党员，请选择党员' };
  return null;
}
