import type { RuleSettings } from '../settings/settings.js';

/**
 * The party-organization rules of DOMAIN.md as pure functions. Every threshold counts full
 * members only: probationary members have no vote, so callers pass full-member counts.
 */
export type OrgKind = 'committee' | 'general_branch' | 'branch' | 'joint_branch';
/** 'station': 依托基层所/个私协会 (individual businesses); 'zone': 依托专业市场、商圈、楼宇、园区. */
/** 'mobile': 流动党员党支部, approved by a committee at county level or higher (src/domain/platforms/orgs.ts). */
export type SetupMode = 'standalone' | 'joint' | 'affiliated' | 'industry' | 'station' | 'zone' | 'mobile';
export type OfficerRole = 'secretary' | 'deputy' | 'committee';
/** 'committee': an elected branch committee; 'secretary': only a secretary (and a deputy if needed). */
export type LeadershipForm = 'committee' | 'secretary';

export const ORG_KIND_LABEL: Record<OrgKind, string> = {
  committee: '党委',
  general_branch: '党总支',
  branch: '党支部',
  joint_branch: '联合党支部',
};
export const SETUP_MODE_LABEL: Record<SetupMode, string> = {
  standalone: '单独建',
  joint: '联合建',
  affiliated: '挂靠建',
  industry: '依托行业或产业链龙头企业',
  station: '依托基层所或个私协会',
  zone: '依托专业市场、商圈、楼宇、园区',
  mobile: '流动党员党支部',
};
/** Youth League organizations keep the same kinds under their own names. */
export const LEAGUE_KIND_LABEL: Record<OrgKind, string> = {
  committee: '团委',
  general_branch: '团总支',
  branch: '团支部',
  joint_branch: '联合团支部',
};
/** Which body an organization belongs to: the Party or the Youth League. */
export const BODY_LABEL = { party: '党组织', league: '团组织' } as const;
export const ORG_STATUS_LABEL = { preparing: '筹建', established: '已建', dissolved: '撤销' } as const;
export const OFFICER_ROLE_LABEL: Record<OfficerRole, string> = {
  secretary: '书记',
  deputy: '副书记',
  committee: '委员',
};

/** A branch committee normally has at most 7 seats (支部工作条例); not a provincial setting. */
export const BRANCH_COMMITTEE_MAX_SEATS = 7;

export type RuleFinding = { rule: string; severity: 'refuse' | 'warn'; message: string };

export const mustStandalone = (fullMembers: number, s: RuleSettings): boolean =>
  fullMembers >= s.standaloneMinFullMembers;

export function orgKindFor(fullMembers: number, s: RuleSettings): 'branch' | 'general_branch' | 'committee' {
  if (fullMembers <= s.branchMaxMembers) return 'branch';
  return fullMembers <= s.generalBranchMaxMembers ? 'general_branch' : 'committee';
}

export const leadershipForm = (fullMembers: number, s: RuleSettings): LeadershipForm =>
  fullMembers >= s.branchCommitteeMinFullMembers ? 'committee' : 'secretary';

/** Whether units (with their full-member counts) may form one joint branch; empty when they may. */
export function checkJointGroup(units: { fullMembers: number; members: number }[], s: RuleSettings): RuleFinding[] {
  const full = units.reduce((n, u) => n + u.fullMembers, 0);
  const out: RuleFinding[] = [];
  if (units.length > s.jointBranchMaxUnits) {
    out.push(
      refuse('joint_max_units', `联合党支部涉及 ${units.length} 家单位，一般不超过 ${s.jointBranchMaxUnits} 家`),
    );
  }
  if (full < s.standaloneMinFullMembers) {
    out.push(
      refuse(
        'joint_min_full',
        `各单位正式党员合计 ${full} 名，不足 ${s.standaloneMinFullMembers} 名，不能组建联合党支部`,
      ),
    );
  }
  if (full > s.branchMaxMembers) {
    out.push(refuse('joint_max_full', `各单位正式党员合计 ${full} 名，超过党支部 ${s.branchMaxMembers} 名的规模`));
  }
  return out;
}

export type OrgForCheck = {
  kind: OrgKind;
  setupMode: SetupMode;
  units: number;
  fullMembers: number;
  officers: { role: OfficerRole; fullSince: string | null }[];
};

/** Findings on an existing or proposed organization, in a fixed order. `today` is YYYY-MM-DD. */
export function checkOrg(org: OrgForCheck, s: RuleSettings, today: string): RuleFinding[] {
  return [...sizeFindings(org, s), ...leadershipFindings(org, s), ...secretaryFindings(org, s, today)];
}

function sizeFindings(org: OrgForCheck, s: RuleSettings): RuleFinding[] {
  const out: RuleFinding[] = [];
  const label = ORG_KIND_LABEL[org.kind];
  if (org.kind === 'joint_branch' && org.units > s.jointBranchMaxUnits) {
    out.push(refuse('joint_max_units', `联合党支部覆盖 ${org.units} 家单位，一般不超过 ${s.jointBranchMaxUnits} 家`));
  }
  if ((org.kind === 'branch' || org.kind === 'joint_branch') && org.fullMembers > s.branchMaxMembers) {
    out.push(
      warn(
        'branch_max_members',
        `${label}正式党员 ${org.fullMembers} 名，超过 ${s.branchMaxMembers} 名，应调整为党总支`,
      ),
    );
  }
  if (org.kind === 'general_branch' && org.fullMembers > s.generalBranchMaxMembers) {
    out.push(
      warn(
        'general_branch_max_members',
        `党总支正式党员 ${org.fullMembers} 名，超过 ${s.generalBranchMaxMembers} 名，应调整为基层党委`,
      ),
    );
  }
  if (org.setupMode === 'standalone' && org.fullMembers < s.standaloneMinFullMembers) {
    out.push(
      warn(
        'standalone_min_full',
        `单独建的${label}正式党员 ${org.fullMembers} 名，不足 ${s.standaloneMinFullMembers} 名，宜改为联合建或挂靠建`,
      ),
    );
  }
  return out;
}

function leadershipFindings(org: OrgForCheck, s: RuleSettings): RuleFinding[] {
  const out: RuleFinding[] = [];
  const min = s.branchCommitteeMinFullMembers;
  if (org.officers.some((o) => o.role === 'committee') && org.fullMembers < min) {
    out.push(
      refuse(
        'committee_min_full',
        `正式党员 ${org.fullMembers} 名，不足 ${min} 名正式党员不设支部委员会，只设书记（必要时设副书记）`,
      ),
    );
  }
  const isBranch = org.kind === 'branch' || org.kind === 'joint_branch';
  if (isBranch && org.officers.length > BRANCH_COMMITTEE_MAX_SEATS) {
    out.push(
      warn('committee_max_seats', `支部委员会 ${org.officers.length} 人，一般不超过 ${BRANCH_COMMITTEE_MAX_SEATS} 人`),
    );
  }
  const secretaries = org.officers.filter((o) => o.role === 'secretary').length;
  if (secretaries > 1) out.push(refuse('single_secretary', `设有 ${secretaries} 名书记，只能设 1 名书记`));
  return out;
}

/** A secretary normally has `secretaryMinFullYears` of full membership; an unknown date is flagged too. */
function secretaryFindings(org: OrgForCheck, s: RuleSettings, today: string): RuleFinding[] {
  const years = s.secretaryMinFullYears;
  return org.officers
    .filter((o) => o.role === 'secretary')
    .flatMap((o): RuleFinding[] => {
      if (o.fullSince === null)
        return [warn('secretary_full_since_unknown', `书记未登记转正时间，无法核对正式党龄是否满 ${years} 年`)];
      if (addMonths(o.fullSince, 12 * years) > today)
        return [warn('secretary_full_years', `书记 ${o.fullSince} 转为正式党员，至今正式党龄不满 ${years} 年`)];
      return [];
    });
}

/** End of a committee term that starts on `termStart` (YYYY-MM-DD). */
export const termEnd = (termStart: string, s: RuleSettings): string => addMonths(termStart, 12 * s.branchTermYears);

/** 换届提醒: 'overdue' once the term has ended, 'due' within the reminder window (end day inclusive). */
export function termDue(termEnd: string, today: string, s: RuleSettings): 'overdue' | 'due' | null {
  parseIsoDate(termEnd);
  parseIsoDate(today);
  if (termEnd < today) return 'overdue';
  return termEnd <= addMonths(today, s.termReminderMonths) ? 'due' : null;
}

/**
 * Calendar arithmetic on YYYY-MM-DD strings, free of time zones; a day past the end of the
 * target month is clamped (2024-02-29 + 1 year = 2025-02-28).
 */
export function addMonths(date: string, months: number): string {
  const { y, m, d } = parseIsoDate(date);
  const total = y * 12 + (m - 1) + months;
  const ny = Math.floor(total / 12);
  const nm = total - ny * 12 + 1;
  const nd = Math.min(d, daysInMonth(ny, nm));
  return `${String(ny).padStart(4, '0')}-${String(nm).padStart(2, '0')}-${String(nd).padStart(2, '0')}`;
}

function parseIsoDate(date: string): { y: number; m: number; d: number } {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const [y, m, d] = match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [0, 0, 0];
  if (!match || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m))
    throw new RangeError(`日期格式应为 YYYY-MM-DD：${date}`);
  return { y, m, d };
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(m) ? 30 : 31;
}

const refuse = (rule: string, message: string): RuleFinding => ({ rule, severity: 'refuse', message });
const warn = (rule: string, message: string): RuleFinding => ({ rule, severity: 'warn', message });
